"""Accessibility fixes on top of Furo and Sphinx, in the rendered HTML.

* Sphinx renders a toctree caption ("About this manual") as
  ``<p class="caption" role="heading">`` without the ``aria-level`` that the
  heading role requires (axe: aria-required-attr): captions in the sidebar
  get ``aria-level="2"``.
* Code blocks and table wrappers scroll sideways when their content is wide
  (templates, the six-column severity matrix on a phone); a region that
  scrolls must be reachable by keyboard (axe: scrollable-region-focusable),
  so they get ``tabindex="0"``.

The keyboard fix for the sidebar's section toggles is CSS, in
_static/anchor.css.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

FIXES = {
    "furo_navigation_tree": [
        ('<p class="caption" role="heading">', '<p class="caption" role="heading" aria-level="2">'),
    ],
    "body": [
        ('<div class="highlight"><pre>', '<div class="highlight"><pre tabindex="0">'),
        ('<div class="table-wrapper', '<div tabindex="0" class="table-wrapper'),
    ],
}


def _fix(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    for key, replacements in FIXES.items():
        if isinstance(context.get(key), str):
            for old, new in replacements:
                context[key] = context[key].replace(old, new)


def setup(app: Sphinx) -> ExtensionMetadata:
    # After Furo (priority 500) and navigation.py (800) have made the tree.
    app.connect("html-page-context", _fix, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
