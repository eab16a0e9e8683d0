"""The Content-Security-Policy of vercel.json, from what the build emits.

    python tools/csp.py _build/html     # make csp: rewrite the policy in vercel.json

Scripts and styles may come from the site itself and, inline, only as the
exact texts the build emits, each allowed by its sha256 hash: no
'unsafe-inline'. Style attributes (Furo's SVG icons) need 'unsafe-hashes'
beside their hashes. tests/test_publishing.py fails when vercel.json allows
more or less than the build emits, so a theme upgrade cannot break pages or
loosen the policy unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
VERCEL = ROOT / "vercel.json"


def digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def inline(outdir: Path) -> tuple[set[str], set[str]]:
    """The hashes of every inline script, and of every inline style and style attribute."""
    scripts, styles = set(), set()
    for path in outdir.rglob("*.html"):
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        scripts |= {digest(tag.string or "") for tag in html.find_all("script") if not tag.get("src")}
        styles |= {digest(tag.string or "") for tag in html.find_all("style")}
        styles |= {digest(tag["style"]) for tag in html.find_all(style=True)}
    return scripts, styles


def policy(outdir: Path) -> str:
    scripts, styles = inline(outdir)
    directives = [
        "default-src 'self'",
        "script-src 'self' " + " ".join(sorted(scripts)),
        "style-src 'self' 'unsafe-hashes' " + " ".join(sorted(styles)),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def headers(config: dict) -> dict[str, str]:
    """The headers vercel.json sends on every path."""
    every = next(rule for rule in config["headers"] if rule["source"] == "/(.*)")
    return {h["key"]: h["value"] for h in every["headers"]}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__, file=sys.stderr)
        return 2
    config = json.loads(VERCEL.read_text(encoding="utf-8"))
    every = next(rule for rule in config["headers"] if rule["source"] == "/(.*)")
    for header in every["headers"]:
        if header["key"] == "Content-Security-Policy":
            header["value"] = policy(Path(argv[0]))
    VERCEL.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("vercel.json: Content-Security-Policy updated from", argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
