"""Assemble what a deploy publishes: the HTML site with its offline editions.

    python tools/publish.py _build/html _build/pdf/anchor-sop.pdf _build/epub/anchor-sop.epub _build/anchor-sop-html.zip

copies the PDF and EPUB into the site's ``downloads/`` (where the landing
page's Download links point, see _ext/editions.py) and zips the whole site
for reading from disk, with no server. The zip is reproducible: entries in
sorted order, each dated SOURCE_DATE_EPOCH (or 1980-01-01), under one folder
``anchor-sop-html/``. Run with only the site and the zip (``make offline``)
it zips the site as it is.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

TOP = "anchor-sop-html"


def add_downloads(site: Path, *editions: Path) -> None:
    downloads = site / "downloads"
    downloads.mkdir(exist_ok=True)
    for edition in editions:
        shutil.copyfile(edition, downloads / edition.name)


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
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    site, *editions, target = map(Path, argv)
    missing = [str(p) for p in (site, *editions) if not p.exists()]
    if missing:
        print(f"publish: not built yet: {', '.join(missing)}", file=sys.stderr)
        return 2
    if editions:
        add_downloads(site, *editions)
    zip_site(site, target)
    print(f"{target}: the site{' with its PDF and EPUB' if editions else ''}, for reading from disk")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
