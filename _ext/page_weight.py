"""Each page loads only the stylesheets and scripts it uses.

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
How small the files themselves are is ``static_files``' concern.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
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


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", _drop_unused, priority=950)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
