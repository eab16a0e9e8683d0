"""Search that puts the page about a thing first: hints for Sphinx's search.

Sphinx's own search scores every page that mentions a word alike, breaks ties
alphabetically, and ranks the glossary's index entries above everything, so
"Vault" found the Secrets Management Policy eighth. This extension gives the
manual's scorer (``search_scorer.js``, set as ``html_search_scorer``) two
facts, in ``_static/sop-search-hints.js``, which only the search page loads
(a file, not an inline script, so the site's Content-Security-Policy does not
change when the glossary does):

* ``homes``: each glossary term → the page its definition cites first. That
  page is the term's home (Vault → Secrets Management Policy), and ranks
  first when the query is the term.
* ``hubs``: the pages in ``sop_exempt_pages`` (landing page, section indexes,
  glossary, review status). They list the pages that answer a query, so they
  rank below every page that mentions it, unless the query is their title.

Homes are collected when a page with a glossary is read, and kept on the
environment with purge and merge, so incremental and parallel builds agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from sop_review import is_exempt

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata


def glossary_homes(doctree: nodes.document) -> dict[str, str]:
    """Each glossary term (lower case) → the docname its definition cites first."""
    homes = {}
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            cited = next(
                (x["reftarget"] for x in item.findall(addnodes.pending_xref)
                 if x.get("refdomain") in ("doc", "std") and x.get("reftype") in ("myst", "doc")),
                None,
            )
            if cited:
                for term in item.findall(nodes.term):
                    homes[term.astext().strip().lower()] = cited
    return homes


def _collect(app: Sphinx, doctree: nodes.document) -> None:
    homes = glossary_homes(doctree)
    store = _store(app.env)
    store.pop(app.env.docname, None)
    if homes:
        store[app.env.docname] = homes


def _store(env: BuildEnvironment) -> dict[str, dict[str, str]]:
    if not hasattr(env, "sop_search_homes"):
        env.sop_search_homes = {}
    return env.sop_search_homes


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _store(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment) -> None:
    _store(env).update({d: h for d, h in _store(other).items() if d in docnames})


HINTS = "sop-search-hints.js"


def _load_hints(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    if pagename == "search":
        app.add_js_file(HINTS, priority=100)


def _write_hints(app: Sphinx) -> list:
    """Written once every document page is, but before the search page, so
    that the search page's ``?v=`` checksum is this build's."""
    if not getattr(app.builder, "search", False):
        return []
    homes = {term: home for docs in sorted(_store(app.env).items()) for term, home in docs[1].items()}
    hubs = sorted(d for d in app.env.found_docs if is_exempt(d, app.config.sop_exempt_pages))
    data = json.dumps({"homes": dict(sorted(homes.items())), "hubs": hubs}, sort_keys=True, indent=1)
    (Path(app.outdir) / "_static" / HINTS).write_text(f"const SOP_SEARCH = {data};\n", encoding="utf-8")
    return []


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sop_metadata")  # sop_exempt_pages
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", _load_hints)
    app.connect("html-collect-pages", _write_hints)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
