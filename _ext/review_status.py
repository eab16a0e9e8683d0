"""The Review status dashboard: a ``{review-status}`` directive.

The directive leaves a placeholder; once every page has been read, the
placeholder becomes a table of every valid procedure page (title as link,
section, owner, last reviewed, next due, state), sorted by due date, headed
by the day it was computed for (``sop_review.review_day``: ``SOP_TODAY``,
else ``SOURCE_DATE_EPOCH``, else today). Invalid metadata is warned about by
``sop_metadata``; such pages are left out here.

The page holding the directive is re-read whenever any page is added,
changed or removed, or the review day moved, so an incremental build never
shows a stale table.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sop_metadata import is_procedure, page_meta
from sop_review import COLUMNS, STATES, Row, review_day, review_of, sort_rows, validate

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata


logger = logging.getLogger(__name__)


def _review_day(*, warn: bool = False) -> date:
    """The review day. A malformed SOP_TODAY or SOURCE_DATE_EPOCH is one
    warning (so -W fails), and the table falls back to today."""
    try:
        return review_day()
    except ValueError as err:
        if warn:
            logger.warning("%s", err, type="sop", subtype="review-day")
        return date.today()


class review_status(nodes.General, nodes.Element):
    """Placeholder for the table, filled in once all pages are read."""


class ReviewStatusDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        self.env.sop_review_pages = getattr(self.env, "sop_review_pages", set()) | {self.env.docname}
        return [review_status()]


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "sop_review_pages", set()).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment) -> None:
    env.sop_review_pages = getattr(env, "sop_review_pages", set()) | getattr(other, "sop_review_pages", set())


def _outdated(app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]) -> list[str]:
    day = _review_day(warn=True)
    moved, env.sop_review_day = getattr(env, "sop_review_day", None) != day, day
    pages = getattr(env, "sop_review_pages", set())
    return sorted(pages - added - changed) if (added or changed or removed or moved) else []


def rows(app: Sphinx) -> list[Row]:
    env = app.env
    found = []
    for docname in sorted(env.all_docs):
        meta = page_meta(app, docname)
        if not is_procedure(app, docname) or validate(meta, required=True, today=date.today()):
            continue
        folder = docname.rpartition("/")[0]
        section = env.titles.get(f"{folder}/index")
        found.append(Row(
            docname,
            env.titles[docname].astext(),
            section.astext() if section else "",
            review_of(meta, app.config.sop_review_every_months),
        ))
    return sort_rows(found)


def table(app: Sphinx, fromdocname: str, found: list[Row], day: date) -> nodes.table:
    group = nodes.tgroup(cols=len(COLUMNS))
    group += [nodes.colspec(colwidth=1) for _ in COLUMNS]
    head = nodes.row()
    head += [nodes.entry("", nodes.paragraph(text=name)) for name in COLUMNS]
    group += nodes.thead("", head)
    body = nodes.tbody()
    for row in found:
        title, *cells, state = row.cells(day)
        link = nodes.reference("", title, internal=True, refuri=app.builder.get_relative_uri(fromdocname, row.docname))
        line = nodes.row()
        line += nodes.entry("", nodes.paragraph("", "", link))
        line += [nodes.entry("", nodes.paragraph(text=cell)) for cell in cells]
        line += nodes.entry("", nodes.paragraph("", "", nodes.inline(text=state, classes=[f"sop-state-{state.split()[0]}"])))
        body += line
    group += body
    return nodes.table("", group, classes=["sop-review-table"])


def _fill(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    day = _review_day()
    for placeholder in list(doctree.findall(review_status)):
        found = rows(app)
        counts = Counter(row.review.state(day) for row in found)
        summary = nodes.paragraph(text=(
            f"Computed for {day.isoformat()}: {len(found)} procedure pages — "
            + ", ".join(f"{counts[state]} {state}" for state in STATES)
            + "."
        ), classes=["sop-review-day"])
        # Furo wraps tables in a scrolling box in a post-transform, which ran
        # before this table existed: wrap it the same way, or it widens phones.
        wrapper = nodes.container("", table(app, docname, found, day), classes=["table-wrapper"])
        placeholder.replace_self([summary, wrapper])


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sop_metadata")
    app.add_node(review_status)
    app.add_directive("review-status", ReviewStatusDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-resolved", _fill)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
