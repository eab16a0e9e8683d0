"""Flows drawn in HTML and CSS: the ``{flow}`` directive.

A figure that summarises a procedure the page states in words::

    ```{flow} Normal change workflow
    Submitted → Reviewed → Approved → Scheduled → Executed → Verified
    ```

Each content line is a row of steps joined by ``→``; a row may start with a
label and ``::`` (``Intake :: Receive request → Validate criteria``). Steps
take inline Markdown. Rows are an ordered sequence, or with ``:parallel:``
alternatives side by side (alert routing). The output is a ``<figure>`` with
a caption around ordinary lists, so screen readers read the steps in order,
print and dark mode need only CSS (_static/anchor.css draws the arrows), and
nothing is loaded at run time. A row with an empty step is a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)


class FlowDirective(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"parallel": directives.flag}

    def run(self) -> list[nodes.Node]:
        rows = nodes.bullet_list() if "parallel" in self.options else nodes.enumerated_list()
        rows["classes"] += ["sop-flow-rows"]
        for offset, line in enumerate(self.content):
            if not line.strip():
                continue
            label, _, chain = line.rpartition("::")
            steps = [step.strip() for step in chain.split("→")]
            if not all(steps):
                logger.warning("empty step in flow row %r", line, location=(self.env.docname, self.content_offset + offset + 1),
                               type="sop", subtype="flow")
                continue
            row = nodes.list_item(classes=["sop-flow-row"])
            if label.strip():
                row += nodes.paragraph("", "", *self.parse_inline(label.strip())[0], classes=["sop-flow-label"])
            chain_list = nodes.enumerated_list(classes=["sop-flow-steps"])
            for step in steps:
                chain_list += nodes.list_item("", nodes.paragraph("", "", *self.parse_inline(step)[0]), classes=["sop-flow-step"])
            row += chain_list
            rows += row
        figure = nodes.figure(classes=["sop-flow"])
        figure += rows
        figure += nodes.caption("", "", *self.parse_inline(self.arguments[0])[0])
        self.set_source_info(figure)
        return [figure]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("flow", FlowDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
