"""Where Chromium is, and how to start it, for `make pdf` and the browser tests.

Debian's ``/usr/bin/chromium`` (or the binary ``SOP_CHROMIUM`` names), driven
by Playwright through ``executable_path``: nothing is downloaded. Without
one, Playwright's own build, if ``playwright install chromium`` fetched it.
Not a Sphinx extension: a helper that the PDF builder and tests/ share.
"""

from __future__ import annotations

import os
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
HOW_TO_GET = (
    "Chromium is needed: install Debian's (apt-get install chromium), or point "
    "SOP_CHROMIUM at a Chrome or Chromium binary, or fetch Playwright's own build "
    "with `.venv/bin/playwright install chromium` (needs the internet)."
)


def executable() -> str | None:
    """Debian's Chromium, or SOP_CHROMIUM; None means Playwright's own build."""
    configured = os.environ.get("SOP_CHROMIUM", "/usr/bin/chromium")
    return configured if Path(configured).exists() else None


def launch(playwright, **options):
    """Start Chromium headless, with the flags this network needs."""
    return playwright.chromium.launch(executable_path=executable(), args=FLAGS, **options)
