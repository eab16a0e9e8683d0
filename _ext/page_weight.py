"""Each page loads only the stylesheets and scripts it uses, as small as they go.

sphinx-design, sphinx-copybutton, Furo, Pygments and the checklist script add
their files to every page. A page without design components does not need
sphinx-design's 55 KB stylesheet, nor a page without code blocks the copy
button and the Pygments colours. This drops, page by page, the files whose
markup is absent from the page's body:

============================================  =================================
files                                         kept where the body has
============================================  =================================
sphinx-design.min.css, furo-extensions.css    ``sd-`` components
design-tabs.js                                a tab set
pygments.css                                  highlighted code
copybutton.*, clipboard.min.js                a highlighted code block
checklists.js                                 a task list
============================================  =================================

furo-extensions.css is Furo's colours for sphinx-design (and for other
extensions the manual does not use) plus 0.7 KB for the copy button, which
anchor.css carries instead. The search page keeps everything: it shows
other pages' fragments. The general index, which has no body, needs none.

Then the stylesheets and scripts that reach ``_static`` unminified (the
copy button's, Sphinx's, print.css and print.js, and pygments.css) are
minified there (scripts by rjsmin, stylesheets by ``minify_css``) right
after Sphinx copies them and before any page is written, so that Sphinx's
``?v=`` checksums are those of the files served. pygments.css
(light and dark, as Furo writes it) keeps only the rules for the token
classes that some page's code uses. Those are found when a page is read, by
highlighting its code as the HTML writer will, and kept on the environment
per page (purged and merged like Sphinx's own data), so that a build never
reads its output back. When the site's set of tokens changes, every page is
written again, as the ``?v=`` of pygments.css changes with it.

sphinx-design's stylesheet keeps only the selectors whose ``sd-`` classes
the site uses (6.6 of its 55 KB for the landing page's cards). Those are
read from the output of the few pages that have design components (known
from their doctrees), at the end of the build, and those pages then get the
``?v=`` of the stylesheet as cut.
"""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

import rjsmin
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

if TYPE_CHECKING:
    from collections.abc import Iterable, Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

DESIGN, TABS, CHECKLIST = 'class="sd-', 'class="sd-tab-set', "contains-task-list"
CODE_BLOCK, CODE_INLINE = '<div class="highlight', 'class="docutils literal highlight'
# (markup in the body, any of which needs the files)
USES = [
    ((DESIGN,), ("sphinx-design.min.css", "furo-extensions.css")),
    ((TABS,), ("design-tabs.js",)),
    ((CODE_BLOCK, CODE_INLINE), ("pygments.css",)),
    ((CODE_BLOCK,), ("copybutton.css", "copybutton.js", "clipboard.min.js")),
    ((CHECKLIST,), ("checklists.js",)),
]
# Stylesheets and scripts that pages load and that reach _static unminified
# (Furo's come minified, as do sphinx-design's stylesheet and clipboard.min.js);
# pygments.css is written here. Left as they are: the search page's own
# scripts, and anchor.css and checklists.js, which the browser tests break on
# purpose by rewriting their served text (tests/test_browser.py).
MINIFY = ("print.css", "copybutton.css")
MINIFY_JS = ("documentation_options.js", "doctools.js", "sphinx_highlight.js", "copybutton.js", "design-tabs.js", "print.js")


def unused(body: str) -> set[str]:
    """The files that a page with this body does not use."""
    return {name for markups, names in USES if not any(m in body for m in markups) for name in names}


def _drop_unused(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    if pagename == "search":
        return
    drop = unused(context.get("body", ""))  # the general index has no body, and needs none of them
    for key in ("css_files", "script_files"):
        if key in context:
            context[key] = [f for f in context[key] if str(getattr(f, "filename", f)).rsplit("/", 1)[-1].split("?")[0] not in drop]


# -- Minified stylesheets -----------------------------------------------------------

# A string, a comment, a run of whitespace, a run of anything else, or a lone
# character (an unterminated quote): every character of the input is in one.
CSS_TOKEN = re.compile(r""""(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|/\*.*?\*/|\s+|[^"'/\s]+|.""", re.S)
# Whitespace next to these is never needed: after ( : { } ; , > and a comment,
# and before ) { } ; , > ! and a comment.
TIGHT_AFTER, TIGHT_BEFORE = (*"(:{};,>", "*/"), (*"){};,>!", "/*")


def minify_css(css: str) -> str:
    """The stylesheet without comments (but ``/*!`` licences) and without the
    whitespace that means nothing; strings are left as they are."""
    out: list[str] = []
    space = False
    for token in CSS_TOKEN.findall(css):
        if token.startswith("/*") and not token.startswith("/*!"):
            continue
        if token.isspace():
            space = True
            continue
        if space and out and not out[-1].endswith(TIGHT_AFTER) and not token.startswith(TIGHT_BEFORE):
            out.append(" ")
        if token[0] not in "\"'/":  # a run: no string in it
            token = token.replace(";}", "}")
            if token.startswith("}") and out and out[-1].endswith(";") and out[-1][0] not in "\"'/":
                out[-1] = out[-1][:-1]
        out.append(token)
        space = False
    return "".join(out)


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
            path.write_text(rjsmin.jsmin(path.read_text(encoding="utf-8"), keep_bang_comments=True), encoding="utf-8")


def _after_copying_static_files(app: Sphinx) -> None:
    """Minify the static files as soon as Sphinx has copied them (on every
    build, before any page is written and its ``?v=`` checksums taken)."""
    builder = app.builder
    if builder.format != "html" or not hasattr(builder, "copy_static_files"):
        return
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


def css_blocks(css: str) -> list[tuple[str, str]]:
    """The top-level ``prelude{body}`` pairs of a stylesheet without comments."""
    blocks, depth, start, prelude, quote, i = [], 0, 0, "", "", 0
    while i < len(css):
        c = css[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "{":
            if depth == 0:
                prelude, start = css[start:i], i + 1
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                blocks.append((prelude.strip(), css[start:i]))
                start = i + 1
        i += 1
    return blocks


def selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas."""
    parts, depth, current, quote = [], 0, "", ""
    for c in prelude:
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += c
    return [*parts, current]


def purge_design(css: str, used: Set[str]) -> str:
    """sphinx-design's stylesheet with only the selectors whose ``sd-``
    classes all occur in the site (``:root`` variables, keyframes and every
    selector without an ``sd-`` class stay)."""
    kept = []
    for prelude, body in css_blocks(css):
        if prelude.startswith(("@media", "@supports")):
            if inner := purge_design(body, used):
                kept.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            kept.append(f"{prelude}{{{body}}}")
        elif wanted := [s for s in selectors(prelude) if set(SD_CLASS.findall(s)) <= used]:
            kept.append(f"{','.join(wanted)}{{{body}}}")
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
    app.connect("html-page-context", _drop_unused, priority=950)
    # After Furo writes pygments.css in its own build-finished handler.
    app.connect("build-finished", _rewrite_pygments, priority=900)
    app.connect("build-finished", _cut_design_css, priority=900)
    return {"version": "2", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
