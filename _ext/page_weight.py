"""Each page loads only the stylesheets and scripts it uses.

sphinx-design, sphinx-copybutton, Pygments and the checklist script add
their files to every page. A page without design components does not need
sphinx-design's 55 KB stylesheet, nor a page without code blocks the copy
button and the Pygments colours. This drops, page by page, the files whose
markup is absent from the page's body:

===========================================  ==================================
files                                        kept where the body has
===========================================  ==================================
sphinx-design.min.css, design-tabs.js        ``sd-`` components
pygments.css, copybutton.*, clipboard.min.js  a highlighted code block
furo-extensions.css                          either of those
checklists.js                                a task list
===========================================  ==================================

The search page keeps everything: it shows other pages' fragments.

And pygments.css (light and dark, written by Furo at the end of the build)
keeps only the rules for the token classes that some page's code uses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

DESIGN, CODE, CHECKLIST = 'class="sd-', '<div class="highlight', "contains-task-list"
# (markup in the body, any of which needs the files)
USES = [
    ((DESIGN,), ("sphinx-design.min.css", "design-tabs.js")),
    ((CODE,), ("pygments.css", "copybutton.css", "copybutton.js", "clipboard.min.js")),
    ((CODE, DESIGN), ("furo-extensions.css",)),  # Furo's styles for the copy button and cards
    ((CHECKLIST,), ("checklists.js",)),
]


def unused(body: str) -> set[str]:
    """The files that a page with this body does not use."""
    return {name for markups, names in USES if not any(m in body for m in markups) for name in names}


def _drop_unused(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    if pagename == "search" or "body" not in context:
        return
    drop = unused(context["body"])
    for key in ("css_files", "script_files"):
        if key in context:
            context[key] = [f for f in context[key] if str(getattr(f, "filename", f)).rsplit("/", 1)[-1].split("?")[0] not in drop]


TOKEN_RULE = re.compile(r"\.highlight \.([A-Za-z0-9]+) \{")
SPAN_CLASS = re.compile(r'<span class="([A-Za-z0-9]+)">')


def used_tokens(outdir: Path) -> set[str]:
    return {token for page in outdir.rglob("*.html") for token in SPAN_CLASS.findall(page.read_text(encoding="utf-8"))}


def purge(css: str, used: set[str]) -> str:
    """The Pygments stylesheet without the rules for tokens no page uses."""
    return "".join(
        line for line in css.splitlines(keepends=True)
        if not (rule := TOKEN_RULE.search(line)) or rule[1] in used
    )


def _purge_pygments(app: Sphinx, exception: Exception | None) -> None:
    stylesheet = Path(app.outdir) / "_static" / "pygments.css"
    if exception is None and app.builder.format == "html" and stylesheet.exists():
        stylesheet.write_text(purge(stylesheet.read_text(encoding="utf-8"), used_tokens(Path(app.outdir))), encoding="utf-8")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", _drop_unused, priority=950)
    # After Furo writes pygments.css in its own build-finished handler.
    app.connect("build-finished", _purge_pygments, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
