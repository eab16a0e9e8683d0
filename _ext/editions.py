"""What the offline editions share: print styles, checkboxes, Download links.

* The print stylesheet (_static/print.css) goes to every HTML page and to the
  PDF edition, not to the EPUB.
* In the PDF and EPUB editions a checklist's box is the glyph ☐, which every
  reader shows and text extraction finds, instead of a form control.
* The ``{downloads}`` directive links the HTML site to its PDF and EPUB
  editions (``downloads/`` beside the site, written by ``make site`` from the
  same sources in the same run); inside those editions it says where the
  others are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

OFFLINE_BUILDERS = ("pdf", "epub")
CHECKBOX = 'class="task-list-item-checkbox"'
DOWNLOADS = [
    ("PDF", "downloads/anchor-sop.pdf", "for printing and reading on a laptop"),
    ("EPUB", "downloads/anchor-sop.epub", "for phones and e-readers"),
]


class downloads(nodes.General, nodes.Element):
    """Placeholder: filled in per builder once the page is resolved."""


class DownloadsDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [downloads()]


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    offline = app.builder.name in OFFLINE_BUILDERS
    if offline:
        for raw in list(doctree.findall(nodes.raw)):
            if CHECKBOX in raw.astext():
                raw.replace_self(nodes.inline("", "☐", classes=["sop-checkbox"]))
    for placeholder in list(doctree.findall(downloads)):
        if offline:
            placeholder.replace_self(nodes.paragraph(
                text="This is an offline edition. The manual is also published as a web site, "
                     "a PDF and an EPUB, all built from the same sources."))
            continue
        items = nodes.bullet_list(classes=["sop-downloads"])
        up = "../" * docname.count("/")
        for label, path, use in DOWNLOADS:
            link = nodes.reference("", label, refuri=up + path, classes=["sop-download"])
            items += nodes.list_item("", nodes.paragraph("", "", link, nodes.Text(f": {use}.")))
        placeholder.replace_self(items)


def _print_stylesheet(app: Sphinx) -> None:
    # EPUB readers do not print, and epubcheck rejects @page margin boxes.
    if app.builder.format == "html" and not app.builder.name.startswith("epub"):
        app.add_css_file("print.css", media="print")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("builder-inited", _print_stylesheet)
    app.add_node(downloads)
    app.add_directive("downloads", DownloadsDirective)
    app.connect("doctree-resolved", _resolve)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
