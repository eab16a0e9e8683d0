"""Assemble what a deploy publishes: the HTML site with its offline editions.

    python tools/publish.py _build/html _build/pdf/anchor-sop.pdf _build/epub/anchor-sop.epub _build/anchor-sop-html.zip

puts the PDF and EPUB into the site's ``downloads/`` (where the landing
page's Download links point, see _ext/editions.py), replacing whatever an
earlier run left there, checks that every Download link now finds its file,
and zips the whole site for reading from disk, with no server. Both
``make offline`` and ``make site`` run it. The zip is reproducible: entries
in sorted order, each dated SOURCE_DATE_EPOCH (or 1980-01-01), under one
folder ``anchor-sop-html/``.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

TOP = "anchor-sop-html"
USAGE = "usage: publish.py SITE PDF EPUB ZIP (the landing page links to both editions)"


class _DownloadLinks(HTMLParser):
    """The targets of the landing page's Download links (``a.sop-download``)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and "sop-download" in (found.get("class") or "").split():
            self.hrefs.append(found.get("href") or "")


def download_links(site: Path) -> list[str]:
    parser = _DownloadLinks()
    parser.feed((site / "index.html").read_text(encoding="utf-8"))
    return parser.hrefs


def add_downloads(site: Path, *editions: Path) -> None:
    downloads = site / "downloads"
    shutil.rmtree(downloads, ignore_errors=True)  # no stale edition from an earlier run
    downloads.mkdir()
    for edition in editions:
        shutil.copyfile(edition, downloads / edition.name)


def dead_downloads(site: Path) -> list[str]:
    return [href for href in download_links(site) if not (site / href).is_file()]


def zip_site(site: Path, target: Path) -> None:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01, zip's earliest
    stamp = time.gmtime(max(epoch, 315532800))[:6]
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in site.rglob("*") if p.is_file() and p.name != ".buildinfo"):
            info = zipfile.ZipInfo(f"{TOP}/{path.relative_to(site).as_posix()}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(USAGE, file=sys.stderr)
        return 2
    site, pdf, epub, target = map(Path, argv)
    missing = [str(p) for p in (site / "index.html", pdf, epub) if not p.exists()]
    if missing:
        print(f"publish: not built yet: {', '.join(missing)}", file=sys.stderr)
        return 2
    add_downloads(site, pdf, epub)
    dead = dead_downloads(site)
    if dead:
        print(f"publish: the landing page's Download links find no file: {', '.join(dead)}", file=sys.stderr)
        return 2
    zip_site(site, target)
    print(f"{target}: the site with its PDF and EPUB, for reading from disk")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
