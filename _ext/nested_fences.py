"""Catch code fences that close too early.

The runbook and decision-log templates are Markdown code blocks that hold
code blocks of their own. CommonMark closes a block at the first bare fence at
least as long as the opening one, so a template wrapped in three backticks
ends at its first inner fence and the rest of it is rendered as page content,
silently. This extension reads each Markdown page as it is loaded and warns,
at the file and line, when:

* a code block is never closed;
* a line inside a block is a fence as long as the block's own fence (it
  would close the block if it carried no info string);
* a ``markdown`` block is followed directly by text, which is what remains
  when an inner opening fence closed the outer block.

The fix in every case is a longer outer fence (````).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
MARKDOWN_INFO = {"markdown", "md"}

_parser = MarkdownIt("commonmark")


def check_fences(text: str) -> list[tuple[int, str]]:
    """Return (line, message) for each suspicious fence in a Markdown text.

    Lines are 1-based. An empty list means the fences nest correctly.
    """
    lines = text.splitlines()
    problems = []
    for token in _parser.parse(text):
        if token.type != "fence" or token.map is None:
            continue
        start, end = token.map  # 0-based, end exclusive
        marker = token.markup
        opener = start + 1
        last = lines[end - 1] if end - 1 > start else ""
        if not _closes(last, marker):
            problems.append((opener, "code block is never closed"))
            continue
        for lineno in range(start + 1, end - 1):
            found = FENCE.match(lines[lineno])
            if found and found[1][0] == marker[0] and len(found[1]) >= len(marker):
                problems.append((
                    lineno + 1,
                    f"fence inside the code block opened on line {opener} is as long "
                    f"as its outer fence; wrap the block in a longer fence",
                ))
        info = token.info.split()[:1]
        if info and info[0] in MARKDOWN_INFO and end < len(lines) and lines[end].strip():
            problems.append((
                end + 1,
                f"text directly after the Markdown code block closed on line {end}: "
                f"that fence probably opened a nested block; wrap the outer block "
                f"in a longer fence",
            ))
    return problems


def _closes(line: str, marker: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) >= len(marker)
        and set(stripped) == {marker[0]}
    )


def _warn_on_fences(app: Sphinx, docname: str, source: list[str]) -> None:
    for lineno, message in check_fences(source[0]):
        logger.warning(
            message, location=(docname, lineno), type="sop", subtype="fence"
        )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("source-read", _warn_on_fences)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
