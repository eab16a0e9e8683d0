"""Severity badges: ``{severity}`Critical```.

Renders one of the four severity levels of the Alert Severity Matrix as a
badge with its own colour (``sop-severity-<level>`` in _static/anchor.css,
each AA contrast in light and dark mode), keeping the text as written. Any
other word is a warning at its file and line, so a table cannot name a level
the matrix does not define.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

LEVELS = ("critical", "high", "medium", "low")


class SeverityRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        level = self.text.strip().lower()
        if level not in LEVELS:
            logger.warning(
                "unknown severity %r: the Alert Severity Matrix defines %s",
                self.text, ", ".join(LEVELS), location=self.get_location(), type="sop", subtype="severity",
            )
            return [nodes.inline(self.rawtext, self.text)], []
        return [nodes.inline(self.rawtext, self.text.strip(), classes=["sop-severity", f"sop-severity-{level}"])], []


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_role("severity", SeverityRole())
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
