"""The nested-fence check, as a pure function."""

import pytest

from nested_fences import check_fences

GOOD_TEMPLATE = """\
## Template

````markdown
### Start the service
```bash
[Exact command or procedure]
```
````

Done.
"""


@pytest.mark.parametrize(
    "text",
    [
        GOOD_TEMPLATE,
        "```bash\necho hi\n```\ntext right after a bash block is fine\n",
        "~~~markdown\n```bash\nx\n```\n~~~\n",
        "no code at all\n",
        "- item\n\n  ````markdown\n  ```\n  x\n  ```\n  ````\n",
    ],
    ids=["nested-template", "plain-block", "tilde-outer", "no-code", "in-list"],
)
def test_well_nested_fences_pass(text):
    assert check_fences(text) == []


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # inner fence with an info string inside a too-short outer block
        ("```markdown\n### Start\n```bash\nx\n```\n\nafter\n", 3, "as long as its outer fence"),
        # a bare inner fence closes the outer block; its content spills out
        ("```markdown\n### Start\n```\n[Exact command]\n```\n\n```\n", 4, "text directly after"),
        ("# Page\n\n```bash\nnever closed\n", 3, "never closed"),
    ],
    ids=["inner-with-info", "inner-bare", "unclosed"],
)
def test_broken_fences_are_reported_at_their_line(text, line, words):
    problems = check_fences(text)
    assert any(found == line and words in message for found, message in problems), problems
