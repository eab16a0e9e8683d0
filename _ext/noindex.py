"""Every HTML page asks search engines to stay away.

Adds ``<meta name="robots" content="noindex, nofollow">`` to the head of
every page (with the ``X-Robots-Tag`` header of vercel.json, for files that
are not HTML). It keeps an internal manual out of search results; it is not
access control (see README, Publishing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

ROBOTS = '<meta name="robots" content="noindex, nofollow" />\n'


def _add_robots(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    context["metatags"] = context.get("metatags", "") + ROBOTS


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", _add_robots)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
