"""Section cards for the landing page: the ``{section-cards}`` directive.

Draws a sphinx-design card for each section that a toctree above the
directive lists (the entries ending in ``/index``), in toctree order: the
section's title, the first paragraph of its index page, and how many pages
its own toctree lists. The section index pages are dependencies of the page
holding the directive, so adding a page to a section updates its count on
the next build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

ROLE = re.compile(r"\{[a-z:-]+\}`(?P<text>[^`<]*?)\s*(?:<[^`>]*>)?`")
# A toctree in any of MyST's fences: ```{toctree}, ````{toctree}, :::{toctree}.
TOCTREE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{toctree\}[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$", re.M | re.S)


def summary(source: str) -> tuple[str, str, int]:
    """Title, first paragraph and toctree entry count of a section index page."""
    lines = source.splitlines()
    title = next(line[2:].strip() for line in lines if line.startswith("# "))
    body = lines[lines.index(f"# {title}") + 1:]
    paragraph = []
    for line in body:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    pages = sum(
        1
        for toctree in TOCTREE.finditer(source)
        for line in toctree["body"].splitlines()
        if line.strip() and not line.lstrip().startswith(":")
    )
    # A card is one link: roles inside it (glossary terms) become plain text.
    text = ROLE.sub(lambda m: m["text"], " ".join(paragraph))
    return title, text, pages


class SectionCardsDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        sections = [
            docname
            for toctree in self.state.document.findall(addnodes.toctree)
            for _, docname in toctree["entries"]
            if docname.endswith("/index")
        ]
        if not sections:
            logger.warning("section-cards: no toctree above this directive lists a section's index page",
                           location=self.get_location(), type="sop", subtype="cards")
            return []
        cards = ["::::{grid} 1 2 2 3", ":gutter: 2", ":class-container: sop-section-cards", ""]
        for docname in sections:
            path = Path(self.env.doc2path(docname))
            self.env.note_dependency(str(path))
            title, text, pages = summary(path.read_text(encoding="utf-8"))
            count = "No pages yet" if pages == 0 else f"{pages} page" + ("s" if pages > 1 else "")
            cards += [
                f":::{{grid-item-card}} {title}",
                f":link: /{docname}",
                ":link-type: doc",
                f":footer: {count}",
                "",
                text,
                ":::",
                "",
            ]
        cards.append("::::")
        return self.parse_text_to_nodes("\n".join(cards))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("section-cards", SectionCardsDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
