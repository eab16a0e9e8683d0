"""Furo's sidebar, computed once per build instead of once per page.

Furo renders the whole navigation tree into every page and re-parses it with
BeautifulSoup for each one, so a build costs the square of its page count
(upstream: furo PR #939). This extension gives every page the same sidebar
HTML that stock Furo would, from one tree rendered and processed once per
build; each output directory gets it with its links made relative to it,
and each page then only marks its own place: ``current`` on its branch,
``current-page`` on its item, ``href="#"`` on its own link, and its
ancestors' toggles checked (expanded).

* The tree is made in the main process when the first page is written, so
  parallel writers inherit it, and a build that writes nothing never makes it.
* When a page is added, removed or retitled, or a toctree changes, every
  page is written again on the next build (stock Sphinx leaves untouched
  pages with a stale sidebar).

``sop_fast_navigation = False`` in conf.py gives stock Furo back (the tests
compare the two).
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.environment.adapters.toctree import global_toctree_for_doc

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

# How Furo asks Sphinx for its tree (furo/__init__.py, _compute_navigation_tree).
FURO_TOCTREE = {"collapse": False, "titles_only": True, "maxdepth": -1, "includehidden": True}
# The markers this module adds, and removes from every page it gives out.
MARKERS = re.compile(r' sop-nav-\d+(?=[ "])|(?<=<ul) class="sop-navul-\d+"|sop-navref-\d+ ')


class Tree:
    """The sidebar, with markers on its items, lists and links, and its links
    relative to the site root."""

    def __init__(self, builder: Builder) -> None:
        from furo.navigation import get_navigation_tree

        placeholder = "__sop_navigation__"
        self.docnames = {builder.get_relative_uri(placeholder, d): d for d in builder.env.found_docs}
        self.by_directory: dict[str, str] = {}
        self.branches: dict[str, list[list[str]]] = {}  # docname → the markers from the root to its item
        self.count = 0
        toctree = global_toctree_for_doc(builder.env, placeholder, builder, tags=builder.tags, **FURO_TOCTREE)
        if toctree is None:
            self.html, self.checkboxes = "", {}
            return
        self._mark(toctree, [])
        self.html = get_navigation_tree(builder.render_partial(toctree)["fragment"])
        self.checkboxes = dict(re.findall(  # item marker → the id of its toggle
            r'class="toctree-l\d+ (sop-nav-\d+) has-children"><a [^>]*>.*?</a><input [^>]*?id="(toctree-checkbox-\d+)"',
            self.html,
        ))

    def _marker(self, kind: str) -> str:
        self.count += 1
        return f"sop-{kind}-{self.count}"

    def _mark(self, node: nodes.Element, branch: list[str]) -> None:
        for child in node.children:
            if isinstance(child, nodes.bullet_list):
                marker = self._marker("navul")
                child["classes"].append(marker)
                self._mark(child, [*branch, marker])
            elif isinstance(child, nodes.list_item):
                marker = self._marker("nav")
                child["classes"].append(marker)
                reference = next(child.findall(nodes.reference), None)
                if reference is not None:
                    reference["classes"].insert(0, marker.replace("sop-nav-", "sop-navref-"))
                    docname = self.docnames.get(reference["refuri"])
                    if docname is not None:
                        self.branches.setdefault(docname, []).append([*branch, marker])
                self._mark(child, [*branch, marker])
            elif isinstance(child, nodes.Element):
                self._mark(child, branch)

    def for_directory(self, directory: str) -> str:
        """The tree with its links relative to an output directory, as Sphinx makes them."""
        if directory not in self.by_directory:
            self.by_directory[directory] = re.sub(
                r'href="([^"#][^"]*)"',
                lambda link: f'href="{posixpath.relpath(link[1], directory or ".")}"',
                self.html,
            )
        return self.by_directory[directory]

    def for_page(self, docname: str) -> str:
        """The tree as Sphinx and Furo would render it for ``docname``."""
        html = self.for_directory(docname.rpartition("/")[0])
        for branch in self.branches.get(docname, []):
            for marker in branch:
                if marker.startswith("sop-navul-"):
                    html = html.replace(f'<ul class="{marker}">', '<ul class="current">', 1)
                    continue
                html = html.replace(f" {marker} has-children", " current has-children", 1)
                html = html.replace(f' {marker}"', ' current"', 1)
                if marker in self.checkboxes:
                    toggle = f'class="toctree-checkbox" id="{self.checkboxes[marker]}"'
                    html = html.replace(toggle, f'checked="" {toggle}', 1)
            own = branch[-1].replace("sop-nav-", "sop-navref-")
            html = re.sub(
                rf'(current(?: has-children)?)(">\s*<a class=")({own}) (reference internal" href=")[^"]*"',
                r'\1 current-page\2current \4#"', html, count=1,
            )
        return MARKERS.sub("", html)


def _forget(app: Sphinx, builder: Builder) -> None:
    builder.sop_navigation = None


def _prepare(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    # In the main process, before any page is written (and writers forked).
    if _enabled(app) and getattr(app.builder, "sop_navigation", None) is None:
        app.builder.sop_navigation = Tree(app.builder)


def _enabled(app: Sphinx) -> bool:
    # dirhtml's links end in "/", which the relative-link rewriting would lose.
    return app.config.sop_fast_navigation and app.builder.name == "html" and app.config.html_theme == "furo"


def _skip_furo(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    """Before Furo: hand it no toctree to render, so its per-page work is nil."""
    # The 404 page's tree has absolute links (sphinx-notfound-page): Furo's way.
    if _enabled(app) and "toctree" in context and pagename != getattr(app.config, "notfound_pagename", None):
        context["sop_toctree"] = context.pop("toctree")


def _give_sidebar(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    """After Furo: the prepared sidebar, marked for this page."""
    if not _enabled(app) or "sop_toctree" not in context:
        return
    context["toctree"] = context.pop("sop_toctree")
    if getattr(app.builder, "sop_navigation", None) is None:  # a page with no doctree (search, 404)
        app.builder.sop_navigation = Tree(app.builder)
    context["furo_navigation_tree"] = app.builder.sop_navigation.for_page(pagename)


def _signature(env: BuildEnvironment) -> tuple:
    titles = tuple(sorted((doc, title.astext()) for doc, title in env.titles.items()))
    toctrees = tuple(sorted((doc, tuple(children)) for doc, children in env.toctree_includes.items()))
    return titles, toctrees


def _rewrite_all_on_change(app: Sphinx, env: BuildEnvironment) -> list[str]:
    signature = _signature(env)
    changed = getattr(env, "sop_navigation_signature", None) not in (None, signature)
    env.sop_navigation_signature = signature
    return sorted(env.found_docs) if changed else []


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("sop_fast_navigation", True, "html", types=[bool])
    app.connect("write-started", _forget)
    app.connect("doctree-resolved", _prepare)
    app.connect("html-page-context", _skip_furo, priority=400)
    app.connect("html-page-context", _give_sidebar, priority=800)
    app.connect("env-updated", _rewrite_all_on_change)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
