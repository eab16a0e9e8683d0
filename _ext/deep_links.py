"""Anchor redirects, so that a reworded heading keeps its old deep links.

``sop_anchor_redirects`` in conf.py maps ``"docname#old-id"`` to the id that
replaced it on the same page; the element with the new id gets the old one as
well, so ``page.html#old-id`` still lands on it, with no script. A name that
no longer exists on its page is a warning. Page redirects are
sphinx-reredirects' ``redirects``. tools/deep_links.py keeps the inventory
that the tests hold the site to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)


def _alias(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for old, new in app.config.sop_anchor_redirects.items():
        page, _, old_id = old.partition("#")
        if page != docname:
            continue
        target = next((n for n in doctree.findall(nodes.Element) if new in n.get("ids", [])), None)
        if target is None:
            logger.warning("sop_anchor_redirects: %s has no id %r for %r to point at", docname, new, old,
                           location=docname, type="sop", subtype="redirect")
        elif old_id not in target["ids"]:
            target["ids"].append(old_id)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("sop_anchor_redirects", {}, "env", types=[dict])
    app.connect("doctree-resolved", _alias)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
