"""The PDF edition: ``sphinx-build -b pdf`` → ``anchor-sop.pdf``.

A single-page HTML build of the whole manual, printed by Chromium (through
Playwright, see chromium.py) with the same print stylesheet operators print
pages with. On the way, the single page is reshaped for paper:

* a cover (title, build date, Internal Use Only) and a one-page table of
  contents whose entries link to their chapters and pages;
* the sections become chapters: Sphinx inlines each toctree where it stands,
  which would nest every section under the landing page's last heading, so
  the inlined section pages are moved to the top level, in sidebar order;
* every id is prefixed with its page's name, so the ``purpose`` and
  ``scope`` of each page stay distinct and every link lands on its own page;
  a link to a whole page lands on its heading;
* each chapter prints on its own named page, whose header names the section
  (CSS ``page`` and ``@page`` margin boxes), beside "Internal Use Only".

Chromium turns the links into PDF links and the headings into an outline.
Without Chromium the builder stops at once and says how to get one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from docutils import nodes
from sphinx import addnodes
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.errors import SphinxError
from sphinx.util import logging
from sphinx.util.i18n import format_date

import chromium

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

PDF_NAME = "anchor-sop.pdf"


def slug(docname: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", docname.lower()).strip("-")


def chapters(tree: nodes.document) -> list[addnodes.start_of_file]:
    """Move each page the landing page's toctrees inline to the top level."""
    found = list(_top_level(tree))
    for number, (holder, node) in enumerate(found, 1):
        holder.remove(node)
        if isinstance(holder, nodes.compound) and not holder.children:
            holder.parent.remove(holder)
        # one element per chapter, so that all of it prints on its named page
        tree += nodes.container("", node, classes=["sop-chapter", f"sop-chapter-{number}"])
    return [node for _, node in found]


def _top_level(node: nodes.Element):
    """(holder, page) for each inlined page not inside another inlined page.

    Walks children, not parents: Sphinx moves an inlined page's children
    without updating their parent links.
    """
    for child in list(node.children):
        if isinstance(child, addnodes.start_of_file):
            yield node, child
        elif isinstance(child, nodes.Element):
            yield from _top_level(child)


def _walk(node: nodes.Element, docname: str):
    """Each element below ``node``, with the page it belongs to."""
    for child in node.children:
        if isinstance(child, nodes.Element):
            owner = child["docname"] if isinstance(child, addnodes.start_of_file) else docname
            yield child, owner
            yield from _walk(child, owner)


def _subpages(node: addnodes.start_of_file) -> list[str]:
    return [child["docname"] for child, _ in _walk(node, node["docname"]) if isinstance(child, addnodes.start_of_file)]


def unique_ids(tree: nodes.document, root: str) -> None:
    """Prefix every id with its page's name, and point every link at the new ids."""
    for node, docname in _walk(tree, root):
        page = slug(docname)
        if node.get("ids"):
            node["ids"] = [f"{page}--{i}" for i in node["ids"]]
        if node.get("backrefs"):
            node["backrefs"] = [f"{page}--{i}" for i in node["backrefs"]]
        if node.get("refid"):
            node["refid"] = f"{page}--{node['refid']}"
        uri = node.get("refuri", "")
        if isinstance(node, nodes.reference) and uri.startswith("#"):
            target_doc, _, anchor = uri[1:].partition("#")
            if anchor and target_doc.startswith("document-"):
                node["refuri"] = f"#{slug(target_doc.removeprefix('document-'))}--{anchor}"
            elif not target_doc.startswith("document-"):
                node["refuri"] = f"#{page}--{target_doc}"


def _paragraph(text: str, cls: str) -> nodes.paragraph:
    return nodes.paragraph(text=text, classes=[cls])


def cover(app: Sphinx) -> nodes.container:
    block = nodes.container(classes=["sop-cover"])
    block += _paragraph(app.config.project, "sop-cover-title")
    block += _paragraph("Standard Operating Procedures of Anchor MSP", "sop-cover-subtitle")
    block += _paragraph(f"Built {format_date('%Y-%m-%d', language='en')}", "sop-cover-date")
    block += _paragraph("Anchor MSP — Internal Use Only", "sop-cover-notice")
    return block


def page_anchors(tree: nodes.document, root: str) -> dict[str, str]:
    """Each page's first section id: where a link to the whole page lands.

    Not the ``document-<page>`` marker Sphinx puts before an inlined page: when
    the page's heading moves on to the next sheet, the marker stays at the foot
    of the sheet before. The landing page (the root) has no marker at all.
    """
    anchors = {}
    for docname, node in [(root, tree), *((n["docname"], n) for n in tree.findall(addnodes.start_of_file))]:
        section = next(node.findall(nodes.section), None)
        if section is not None and section["ids"]:
            anchors[docname] = section["ids"][0]
    return anchors


def retarget(tree: nodes.document, anchors: dict[str, str]) -> None:
    """Point every link to a whole page (``#document-<page>``) at its heading."""
    for ref in tree.findall(nodes.reference):
        docname = ref.get("refuri", "").removeprefix("#document-")
        if docname in anchors:
            ref["refuri"] = f"#{anchors[docname]}"


def contents(app: Sphinx, top: list[addnodes.start_of_file]) -> nodes.container:
    """Every chapter (the landing page first) and its pages, each a link."""
    block = nodes.container(classes=["sop-contents"])
    block += _paragraph("Contents", "sop-contents-title")
    chapters_list = nodes.enumerated_list()
    chapters_list += nodes.list_item("", nodes.paragraph("", "", _link(app, app.config.root_doc)))
    for node in top:
        docname = node["docname"]
        item = nodes.list_item()
        item += nodes.paragraph("", "", _link(app, docname))
        pages = _subpages(node)
        if pages:
            sub = nodes.bullet_list()
            sub += [nodes.list_item("", nodes.paragraph("", "", _link(app, page))) for page in pages]
            item += sub
        chapters_list += item
    block += chapters_list
    return block


def _link(app: Sphinx, docname: str) -> nodes.reference:
    title = app.env.titles[docname].astext()
    return nodes.reference("", title, internal=True, refuri=f"#document-{docname}")


def page_styles(app: Sphinx, top: list[addnodes.start_of_file]) -> nodes.raw:
    """Named pages: each chapter starts a page whose header names the section."""
    rules = [
        ".sop-cover { page: sop-cover; }",
        "@page sop-cover { @top-left { content: none; } @top-right { content: none; } @bottom-right { content: none; } }",
        '@page { @top-left { content: "Anchor SOP"; } }',
    ]
    for number, node in enumerate(top, 1):
        title = json.dumps(app.env.titles[node["docname"]].astext())
        rules += [
            f".sop-chapter-{number} {{ page: sop-chapter-{number}; }}",
            f"@page sop-chapter-{number} {{ @top-left {{ content: {title}; }} }}",
        ]
    return nodes.raw("", "<style>\n" + "\n".join(rules) + "\n</style>", format="html")


def find_chromium() -> bool:
    """Whether a Chromium is there to print with: chromium.py's, or Playwright's own."""
    try:
        configured = chromium.executable()
    except Exception:  # a SOP_CHROMIUM naming no file may raise: say how to get one
        return False
    if configured:
        return Path(configured).exists()
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as driver:
            return Path(driver.chromium.executable_path).exists()
    except Error:
        return False


def _stop(message: str) -> NoReturn:
    logger.error(message)
    raise SystemExit(2)


class PdfBuilder(SingleFileHTMLBuilder):
    name = "pdf"
    epilog = "The PDF is %(outdir)s/" + PDF_NAME + "."

    def init(self) -> None:
        # Before anything is read or written: without a browser, the whole
        # single-page build would be wasted. A missing tool is the writer's to
        # fix, so the message stands alone, not in Sphinx's crash report (with
        # its "report this error to the developers") that SphinxError gets.
        super().init()
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as err:
            _stop(f"make pdf needs Playwright (make creates .venv with it): {err}")
        if not find_chromium():
            _stop(f"make pdf cannot print without Chromium. {chromium.HOW_TO_GET}")

    def assemble_doctree(self) -> nodes.document:
        tree = super().assemble_doctree()
        top = chapters(tree)
        unique_ids(tree, self.config.root_doc)
        anchors = page_anchors(tree, self.config.root_doc)
        tree.insert(0, page_styles(self.app, top))
        tree.insert(1, cover(self.app))
        tree.insert(2, contents(self.app, top))
        retarget(tree, anchors)
        return tree


def print_pdf(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "pdf":
        return
    from playwright.sync_api import Error, sync_playwright

    page_file = Path(app.outdir) / "index.html"
    target = Path(app.outdir) / PDF_NAME
    try:
        with sync_playwright() as driver:
            browser = chromium.launch(driver)
            page = browser.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.pdf(path=str(target), format="A4", print_background=True, outline=True, tagged=True)
            browser.close()
    except Error as err:
        raise SphinxError(f"make pdf could not print with Chromium. {chromium.HOW_TO_GET}\n{err}") from None
    logger.info("PDF written: %s", target)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_builder(PdfBuilder)
    app.connect("build-finished", print_pdf)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
