"""Where Chromium is, and how to start it, for `make pdf` and the browser tests.

Debian's ``/usr/bin/chromium`` (or the binary ``SOP_CHROMIUM`` names), driven
by Playwright through ``executable_path``: nothing is downloaded. Without
one, Playwright's own build, if ``playwright install chromium`` fetched it.
Not a Sphinx extension: a helper that the PDF builder and tests/ share.
"""

from __future__ import annotations

import os
from pathlib import Path

DEBIAN = "/usr/bin/chromium"
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
    """SOP_CHROMIUM if set, else Debian's Chromium if installed; None means
    Playwright's own build. SOP_CHROMIUM is returned even if it names no file:
    falling back would quietly run a browser the writer did not choose."""
    configured = os.environ.get("SOP_CHROMIUM")
    if configured:
        return configured
    return DEBIAN if Path(DEBIAN).exists() else None


def _options(options: dict) -> dict:
    path = executable()
    if path is not None and not Path(path).exists():
        # A Playwright error, which make pdf and the tests already report
        # beside HOW_TO_GET; Playwright's own would not name the variable.
        from playwright.sync_api import Error

        raise Error(f"SOP_CHROMIUM is set to {path}, which does not exist.")
    return {"executable_path": path, "args": FLAGS, **options}


def launch(playwright, **options):
    """Start Chromium headless, with the flags this network needs."""
    return playwright.chromium.launch(**_options(options))


def launch_persistent(playwright, profile: Path, **options):
    """The same Chromium as a browser context whose storage lives in ``profile``."""
    return playwright.chromium.launch_persistent_context(profile, **_options(options))
