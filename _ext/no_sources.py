"""Readers get pages, not their Markdown sources.

``html_copy_source = False`` (conf.py) stops Sphinx copying the sources, but
the HTML builder still creates an empty ``_sources/`` folder. This removes
that folder at the end of a successful HTML build, only while it is empty:
anything in it would be a source Sphinx was told not to publish, and the
structure tests fail on it rather than have it vanish unnoticed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def _remove_empty_sources(app: Sphinx, exception: Exception | None) -> None:
    sources = app.outdir / "_sources"
    if exception is None and app.builder.format == "html" and sources.is_dir() and not any(sources.iterdir()):
        sources.rmdir()


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("build-finished", _remove_empty_sources)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
