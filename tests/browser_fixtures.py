"""Browser fixtures: the built manual served on 127.0.0.1, and Chromium.

Chromium comes from _ext/chromium.py: Debian's, driven by Playwright through
``executable_path``, so nothing is downloaded. With none at all, the tests
fail (never skip) and say how to get one.

Every browser context a test opens records the requests its pages make,
popups included; a request to any host but the test server fails the test.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

import chromium


# Figures the browser tests measure, printed at the end of the run (no test
# asserts a time: this machine is noisy).
MEASURED: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if MEASURED:
        terminalreporter.section("measured in the browser")
        for line in MEASURED:
            terminalreporter.write_line(line)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that cancels a request it no longer needs is no error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serving(directory: Path, handler: type[SimpleHTTPRequestHandler] = QuietHandler):
    """Serve a folder on 127.0.0.1 (a free port) until the block ends; yields its URL."""
    httpd = Server(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(scope="session")
def server(site):
    """The session's build of the manual, served on 127.0.0.1."""
    with serving(site.outdir) as url:
        yield url


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as driver:
        yield driver


def launch(playwright, profile: Path | None = None, **options):
    """Chromium, or a failure (never a skip) that says how to get one; with a
    ``profile`` folder, a persistent browser context that keeps its storage there."""
    try:
        if profile is not None:
            return chromium.launch_persistent(playwright, profile, **options)
        return chromium.launch(playwright, **options)
    except PlaywrightError as err:
        pytest.fail(f"{chromium.HOW_TO_GET}\n{err}", pytrace=False)


@pytest.fixture(scope="session")
def browser(playwright):
    instance = launch(playwright)
    yield instance
    instance.close()


def foreign(requests: list[str], base: str) -> list[str]:
    """The requests that went to any host but the test server."""
    own = urlsplit(base).netloc
    return [url for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own]


def assert_own_host_only(requests: list[str], base: str) -> None:
    elsewhere = foreign(requests, base)
    assert not elsewhere, f"a page requested another host: {elsewhere}"


def record(source) -> list[str]:
    """The URLs requested through ``source``: a page, or a browser context,
    which also sees the requests of the popups its pages open."""
    requests: list[str] = []
    source.on("request", lambda request: requests.append(request.url))
    return requests


@pytest.fixture
def new_page(browser, server):
    """Open pages in fresh browser contexts; each fails its test on a request
    to another host. ``page.requests`` lists what its context requested."""
    opened = []

    def open_page(path: str | None = "", **context_options):
        context = browser.new_context(**context_options)
        requests = record(context)
        page = context.new_page()
        page.requests = requests
        opened.append((context, requests))
        if path is not None:
            page.goto(f"{server}/{path}")
        return page

    yield open_page
    for context, requests in opened:
        context.close()
        assert_own_host_only(requests, server)


@pytest.fixture
def page(new_page):
    return new_page(None)
