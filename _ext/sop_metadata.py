"""SOP metadata on every procedure page: validated, and shown under the title.

Reads each page's front matter from ``env.metadata`` (which MyST fills and
Sphinx's own collector keeps right across incremental and parallel builds),
checks it with the rules in ``sop_review``, and warns at the file and line of
each problem, so that ``-W`` fails and lists every bad page in one run.

A valid procedure page gets one header block under its title: Owner, Last
reviewed, Next review due, and for a draft a "Draft — not approved" notice.
The block depends on the page alone, never on the build date.

Config: ``sop_review_every_months`` (default review interval) and
``sop_exempt_pages`` (docname patterns that need no metadata).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging

from sop_review import EXEMPT_BY_DEFAULT, REVIEW_EVERY_BY_DEFAULT, Review, is_exempt, line_of, review_of, unreadable_date, validate

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)


def page_meta(app: Sphinx, docname: str) -> dict[str, str]:
    return {key: str(value) for key, value in app.env.metadata.get(docname, {}).items()}


def is_procedure(app: Sphinx, docname: str) -> bool:
    return not is_exempt(docname, app.config.sop_exempt_pages)


def header(review: Review) -> nodes.container:
    fields = nodes.field_list(classes=["sop-review-fields"])
    for name, value in (
        ("Owner", review.owner),
        ("Last reviewed", review.last_reviewed.isoformat()),
        ("Next review due", review.next_due.isoformat()),
    ):
        fields += nodes.field("", nodes.field_name(text=name), nodes.field_body("", nodes.paragraph(text=value)))
    # no-search: the same owner on every page is no reason to find a page
    block = nodes.container(classes=["sop-page-meta", "no-search"])
    if review.status == "draft":
        notice = nodes.admonition(classes=["sop-draft", "warning"])
        notice += nodes.title(text="Draft — not approved")
        notice += nodes.paragraph(text="This procedure has not been approved yet. Do not treat it as policy.")
        block += notice
    block += fields
    return block


def _check_and_render(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    meta = page_meta(app, docname)
    required = is_procedure(app, docname)
    today = date.today()
    lines = Path(app.env.doc2path(docname)).read_text(encoding="utf-8").splitlines()
    # MyST leaves a system message in the doctree when it cannot read the front
    # matter; it has warned already, so only say why when the date is the cause.
    unreadable = any("[myst.topmatter]" in msg.astext() for msg in doctree.findall(nodes.system_message))
    if unreadable:
        problems = unreadable_date(lines, today)
    else:
        problems = validate(meta, required=required, today=today)
    for problem in problems:
        logger.warning(
            problem.message,
            location=(docname, line_of(lines, problem.key)),
            type="sop",
            subtype="metadata",
        )
    if unreadable or problems:
        return
    section = next(doctree.findall(nodes.section), None)
    if required and section is not None:
        section.insert(1, header(review_of(meta, app.config.sop_review_every_months)))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("sop_review_every_months", REVIEW_EVERY_BY_DEFAULT, "env", types=[int])
    app.add_config_value("sop_exempt_pages", EXEMPT_BY_DEFAULT, "env", types=[list])
    # After Sphinx's MetadataCollector (priority 500) has filled env.metadata.
    app.connect("doctree-read", _check_and_render, priority=600)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
