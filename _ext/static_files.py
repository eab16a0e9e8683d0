"""The stylesheets and scripts pages load, as small as they go.

* Scripts and stylesheets that reach ``_static`` unminified (the copy
  button's, Sphinx's, print.css and print.js) are minified there, scripts by
  rjsmin and stylesheets by rcssmin, right after Sphinx copies them and
  before any page is written, so that Sphinx's ``?v=`` checksums are those
  of the files served. anchor.css and checklists.js stay as written: the
  browser tests break them on purpose by rewriting their served text.
* pygments.css (light and dark, as Furo writes it) keeps only the rules for
  the token classes some page's code uses. Those are found when a page is
  read, by highlighting its code as the HTML writer will, and kept on the
  environment per page (purged and merged like Sphinx's own data), so that a
  build never reads its output back. When the site's set of tokens changes,
  every page is written again, as the ``?v=`` of pygments.css changes.
* sphinx-design's stylesheet keeps only the rules whose ``sd-`` classes the
  site uses (6.6 of its 55 KB for the landing page's cards), read with
  tinycss2 from the output of the few pages that have design components
  (known from their doctrees) at the end of the build; those pages then get
  the ``?v=`` of the stylesheet as cut.

Which page loads which file is ``page_weight``'s concern.
"""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

import rcssmin
import rjsmin
import tinycss2
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

if TYPE_CHECKING:
    from collections.abc import Iterable, Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

# Stylesheets and scripts that pages load and that reach _static unminified
# (Furo's come minified, as do sphinx-design's stylesheet and clipboard.min.js);
# pygments.css is written here. Left as they are: the search page's own scripts.
MINIFY = ("print.css", "copybutton.css")
MINIFY_JS = ("documentation_options.js", "doctools.js", "sphinx_highlight.js", "copybutton.js", "design-tabs.js", "print.js")


def minify_css(css: str) -> str:
    return rcssmin.cssmin(css, keep_bang_comments=True)


def minify_js(script: str) -> str:
    return rjsmin.jsmin(script, keep_bang_comments=True)


# -- Pygments tokens ------------------------------------------------------------------

SPAN_CLASS = re.compile(r'<span class="([A-Za-z0-9]+)">')
TOKEN_RULE = re.compile(r"\.highlight \.([A-Za-z0-9]+) \{")


def code_tokens(app: Sphinx, doctree: nodes.document) -> frozenset[str]:
    """The Pygments token classes of a page's highlighted code, highlighted as
    the HTML writer will (sphinx.writers.html5: visit_literal_block and
    visit_literal, after HighlightLanguageTransform)."""
    highlighter = getattr(app.builder, "highlighter", None)
    if highlighter is None:
        return frozenset()
    tokens: set[str] = set()
    language, force = app.config.highlight_language, False  # as {highlight} sets them, in document order
    options = app.config.highlight_options
    with logging.suppress_logging():  # the writer reports bad code, once
        blocks = (nodes.literal_block, nodes.doctest_block)
        for node in doctree.findall(lambda n: isinstance(n, (addnodes.highlightlang, *blocks, nodes.literal))):
            if isinstance(node, addnodes.highlightlang):
                language, force = node["lang"], node["force"]
            elif isinstance(node, blocks) and node.rawsource == node.astext():  # not a parsed literal
                lang = node.get("language", language if isinstance(node, nodes.literal_block) else "default")
                args = {**node.get("highlight_args", {}), "force": node.get("force", False if "language" in node else force)}
                tokens |= set(SPAN_CLASS.findall(highlighter.highlight_block(node.rawsource, lang, opts=options.get(lang, {}), **args)))
            elif isinstance(node, nodes.literal) and "code" in node["classes"] and node.get("language"):
                lang = node["language"]
                tokens |= set(SPAN_CLASS.findall(highlighter.highlight_block(node.astext(), lang, opts=options.get(lang, {}), nowrap=True)))
    return frozenset(tokens)


def purge(css: str, used: Set[str]) -> str:
    """The Pygments stylesheet without the rules for tokens no page uses."""
    return "".join(
        line for line in css.splitlines(keepends=True)
        if not (rule := TOKEN_RULE.search(line)) or rule[1] in used
    )


def _tokens(env: BuildEnvironment) -> dict[str, frozenset[str]]:
    if not hasattr(env, "sop_code_tokens"):
        env.sop_code_tokens = {}
    return env.sop_code_tokens


def _read_tokens(app: Sphinx, doctree: nodes.document) -> None:
    _tokens(app.env)[app.env.docname] = code_tokens(app, doctree)


def _purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _tokens(env).pop(docname, None)
    _design_pages(env).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: Iterable[str], other: BuildEnvironment) -> None:
    _tokens(env).update({d: t for d, t in _tokens(other).items() if d in docnames})
    _design_pages(env).update(_design_pages(other) & set(docnames))


def site_tokens(env: BuildEnvironment) -> frozenset[str]:
    return frozenset().union(*_tokens(env).values())


def _rewrite_all_on_change(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """pygments.css changes, and with it every page's ``?v=`` for it."""
    used = sorted(site_tokens(env))
    changed = getattr(env, "sop_site_tokens", None) not in (None, used)
    env.sop_site_tokens = used
    return sorted(env.found_docs) if changed else []


def pygments_css(app: Sphinx) -> str:
    """pygments.css as it is served: Furo's (which Furo writes again at the
    end of the build) or Sphinx's, purged and minified."""
    if "furo" in app.extensions:
        from furo import get_pygments_stylesheet

        css = get_pygments_stylesheet()
    else:
        css = app.builder.highlighter.get_stylesheet()
    return minify_css(purge(css, site_tokens(app.env)))


def _write_static(app: Sphinx) -> None:
    static = app.builder.outdir / "_static"
    (static / "pygments.css").write_text(pygments_css(app), encoding="utf-8")
    for name in MINIFY:
        if (path := static / name).exists():
            path.write_text(minify_css(path.read_text(encoding="utf-8")), encoding="utf-8")
    for name in MINIFY_JS:
        if (path := static / name).exists():
            path.write_text(minify_js(path.read_text(encoding="utf-8")), encoding="utf-8")


def _after_copying_static_files(app: Sphinx) -> None:
    """Minify the static files as soon as Sphinx has copied them (on every
    build, before any page is written and its ``?v=`` checksums taken)."""
    builder = app.builder
    if builder.format != "html" or not hasattr(builder, "copy_static_files"):
        return
    # No Sphinx event falls between copying the static files and writing the
    # pages (sphinx.builders.Builder.write: copy_assets, then write_documents).
    copy = builder.copy_static_files

    def copy_static_files() -> None:
        copy()
        _write_static(app)

    builder.copy_static_files = copy_static_files


def _rewrite_pygments(app: Sphinx, exception: Exception | None) -> None:
    """After Furo has written its full pygments.css at the end of the build."""
    if exception is None and app.builder.format == "html" and (app.builder.outdir / "_static/pygments.css").exists():
        (app.builder.outdir / "_static/pygments.css").write_text(pygments_css(app), encoding="utf-8")


# -- sphinx-design's stylesheet, cut to the components the site uses ------------------

SD_CLASS = re.compile(r"\.(sd-[\w-]+)")
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
DESIGN_CSS = "sphinx-design.min.css"


def _selectors(prelude: list) -> list[str]:
    """A rule's selector list, split at its top-level commas."""
    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [tinycss2.serialize(part).strip() for part in parts]


def purge_design(css: str, used: Set[str]) -> str:
    """sphinx-design's stylesheet with only the selectors whose ``sd-``
    classes all occur in the site (``:root`` variables, keyframes and every
    selector without an ``sd-`` class stay)."""
    kept = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content is not None:
            if inner := purge_design(tinycss2.serialize(rule.content), used):
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude).rstrip()}{{{inner}}}")
        elif rule.type == "at-rule":
            kept.append(rule.serialize())
        elif rule.type == "qualified-rule":
            if wanted := [s for s in _selectors(rule.prelude) if set(SD_CLASS.findall(s)) <= used]:
                kept.append(f"{','.join(wanted)}{{{tinycss2.serialize(rule.content)}}}")
    return "".join(kept)


def _design_pages(env: BuildEnvironment) -> set[str]:
    if not hasattr(env, "sop_design_pages"):
        env.sop_design_pages = set()
    return env.sop_design_pages


def _read_design(app: Sphinx, doctree: nodes.document) -> None:
    """Whether the page has sphinx-design components (their ``sd-`` classes
    are on its nodes, or in raw HTML such as icons)."""
    pages = _design_pages(app.env)
    pages.discard(app.env.docname)
    for node in doctree.findall(nodes.Element):
        if any(c.startswith("sd-") for c in node["classes"]) or (isinstance(node, nodes.raw) and 'class="sd-' in node.astext()):
            pages.add(app.env.docname)
            return


def _cut_design_css(app: Sphinx, exception: Exception | None) -> None:
    """Cut sphinx-design's stylesheet to the classes of the pages that load
    it, read from their output (the design pages are few), and give those
    pages the ``?v=`` of the stylesheet they now load."""
    outdir = app.builder.outdir
    stylesheet = outdir / "_static" / DESIGN_CSS
    if exception is not None or app.builder.name != "html" or not stylesheet.exists():
        return
    design = [outdir / app.builder.get_target_uri(d) for d in sorted(_design_pages(app.env) & app.env.found_docs)]
    pages = {page: page.read_text(encoding="utf-8") for page in [*design, outdir / "search.html"] if page.exists()}
    used = {c for page in design if page in pages for a in CLASS_ATTRIBUTE.findall(pages[page]) for c in a.split() if c.startswith("sd-")}
    css = purge_design(stylesheet.read_text(encoding="utf-8"), used)
    stylesheet.write_text(css, encoding="utf-8")
    checksum = f"{zlib.crc32(css.encode()):08x}"  # as Sphinx's _file_checksum
    for page, html in pages.items():
        patched = re.sub(rf"({re.escape(DESIGN_CSS)}\?v=)[0-9a-f]+", rf"\g<1>{checksum}", html)
        if patched != html:
            page.write_text(patched, encoding="utf-8")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("builder-inited", _after_copying_static_files)
    app.connect("doctree-read", _read_tokens)
    app.connect("doctree-read", _read_design)
    app.connect("env-purge-doc", _purge_doc)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _rewrite_all_on_change)
    # After Furo writes pygments.css in its own build-finished handler.
    app.connect("build-finished", _rewrite_pygments, priority=900)
    app.connect("build-finished", _cut_design_css, priority=900)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
