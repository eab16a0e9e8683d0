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
* When the navigation changes (a page added, removed or retitled, a
  toctree's entries, caption or explicit titles), every page is written
  again on the next build (stock Sphinx leaves untouched pages with a stale
  sidebar). The check compares a hash of the rendered navigation, made when
  pages were read, so that no kind of change can slip past it.
* Links that are not to a page of the site (``https://…``, ``/…``, ``#…``)
  are left as they are when links are made relative to a directory.

``sop_fast_navigation = False`` in conf.py gives stock Furo back (the tests
compare the two).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.environment.adapters.toctree import global_toctree_for_doc
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

# How Furo asks Sphinx for its tree (furo/__init__.py, _compute_navigation_tree).
FURO_TOCTREE = {"collapse": False, "titles_only": True, "maxdepth": -1, "includehidden": True}
# The markers this module adds, and removes from every page it gives out.
MARKERS = re.compile(r' sop-nav-\d+(?=[ "])|(?<=<ul) class="sop-navul-\d+"|sop-navref-\d+ ')
# A link to a page of the site, relative to the root: no scheme (https:,
# mailto:), not absolute (/…), not a fragment (#…).
SITE_LINK = re.compile(r'href="(?![A-Za-z][A-Za-z0-9+.-]*:|[/#])([^"]+)"')
PLACEHOLDER = "__sop_navigation__"


def relative_links(html: str, directory: str) -> str:
    """The links to the site's pages, relative to the site root in ``html``,
    made relative to ``directory``, as Sphinx makes them; other links kept."""
    return SITE_LINK.sub(lambda link: f'href="{posixpath.relpath(link[1], directory or ".")}"', html)


def site_toctree(builder: Builder) -> nodes.Element | None:
    """The whole navigation, as Furo asks Sphinx for it, for a page at the root."""
    return global_toctree_for_doc(builder.env, PLACEHOLDER, builder, tags=builder.tags, **FURO_TOCTREE)


class Tree:
    """The sidebar, with markers on its items, lists and links, and its links
    relative to the site root."""

    def __init__(self, builder: Builder) -> None:
        from furo.navigation import get_navigation_tree

        self.docnames = {builder.get_relative_uri(PLACEHOLDER, d): d for d in builder.env.found_docs}
        self.by_directory: dict[str, str] = {}
        self.branches: dict[str, list[list[str]]] = {}  # docname → the markers from the root to its item
        self.count = 0
        toctree = site_toctree(builder)
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
            self.by_directory[directory] = relative_links(self.html, directory)
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


def _page_removed_or_changed(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    app.sop_navigation_stale = True


def _pages_to_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if docnames:  # pages added (changed ones were purged first)
        app.sop_navigation_stale = True


def signature(builder: Builder) -> str:
    """A hash of the navigation as rendered: titles, entries, captions, links."""
    with logging.suppress_logging():  # the pages' own rendering reports what is wrong with it
        toctree = site_toctree(builder)
        html = builder.render_partial(toctree)["fragment"] if toctree is not None else ""
    # env.master_doctree is a cached property, and the environment is pickled
    # after this: a cached root doctree would be the next build's stale one.
    builder.env.__dict__.pop("master_doctree", None)
    return hashlib.sha256(html.encode()).hexdigest()


def _rewrite_all_on_change(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every page, when what was read (or removed) changed the navigation."""
    # Stock Sphinx leaves sidebars and previous/next links stale for any theme.
    if app.builder.name != "html":
        return []
    if not getattr(app, "sop_navigation_stale", False) and getattr(env, "sop_navigation_signature", None) is not None:
        return []
    app.sop_navigation_stale = False
    new = signature(app.builder)
    changed = getattr(env, "sop_navigation_signature", None) not in (None, new)
    env.sop_navigation_signature = new
    return sorted(env.found_docs) if changed else []


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("sop_fast_navigation", True, "html", types=[bool])
    app.connect("write-started", _forget)
    app.connect("doctree-resolved", _prepare)
    app.connect("html-page-context", _skip_furo, priority=400)
    app.connect("html-page-context", _give_sidebar, priority=800)
    app.connect("env-purge-doc", _page_removed_or_changed)
    app.connect("env-before-read-docs", _pages_to_read)
    app.connect("env-updated", _rewrite_all_on_change)
    return {"version": "2", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
