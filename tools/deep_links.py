"""The deep-link inventory: every page URL and heading anchor the site publishes.

Alert rules carry ``runbook_url`` annotations and chat threads carry links into
the manual, so a URL or anchor that vanishes breaks them silently.
``deep-links.txt`` lists every one the site has published; the tests fail when
one disappears without a redirect (``redirects`` in conf.py for pages,
``sop_anchor_redirects`` for anchors), and when the site publishes one that the
inventory does not list yet.

    python tools/deep_links.py _build/html     # make inventory: rewrite deep-links.txt

An entry is ``page.html`` or ``page.html#anchor``: the ids of sections, of
explicit labels and of glossary terms (not Sphinx's numbered ``id1``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "deep-links.txt"
# Pages Sphinx generates that nobody links into from outside.
NOT_LINKED = {"search.html", "genindex.html", "404.html"}
NUMBERED = re.compile(r"^id\d+$")


def published(outdir: Path) -> set[str]:
    links = set()
    for path in sorted(outdir.rglob("*.html")):
        page = path.relative_to(outdir).as_posix()
        if page in NOT_LINKED or page.startswith(("_", "downloads/")):
            continue
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        if html.select_one('meta[http-equiv="refresh"]'):
            continue  # a redirect stub (sphinx-reredirects), not a page
        links.add(page)
        article = html.select_one("article")
        for element in article.select("section[id], span[id], dt[id]") if article else []:
            if not NUMBERED.match(element["id"]):
                links.add(f"{page}#{element['id']}")
    return links


def read(path: Path = INVENTORY) -> set[str]:
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")}


def write(links: set[str], path: Path = INVENTORY) -> None:
    header = "# Every page URL and anchor the site publishes. Rewrite with: make inventory\n"
    path.write_text(header + "".join(f"{link}\n" for link in sorted(links)), encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__, file=sys.stderr)
        return 2
    links = published(Path(argv[0]))
    old = read() if INVENTORY.exists() else set()
    write(links)
    gone = sorted(old - links)
    print(f"deep-links.txt: {len(links)} entries, {len(links - old)} new, {len(gone)} gone")
    for link in gone:
        print(f"  gone: {link} (declare a redirect if anything links to it)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
