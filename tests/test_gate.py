"""Each defect class the HTML gate must catch, planted in a copy of the site.

Every case builds the copy under the gate and expects a non-zero exit and a
warning that names the file (and line where there is one). The session build
of the untouched manual, which passes, is the other half of each test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import sphinx_build


def append(path: str, text: str):
    def plant(site: Path) -> None:
        with (site / path).open("a", encoding="utf-8") as f:
            f.write(text)
    return plant


def write(path: str, text: str):
    def plant(site: Path) -> None:
        (site / path).write_text(text, encoding="utf-8")
    return plant


def edit(path: str, old: str, new: str):
    def plant(site: Path) -> None:
        page = site / path
        source = page.read_text(encoding="utf-8")
        assert old in source, f"{old!r} not in {path}: the planted defect would plant nothing"
        page.write_text(source.replace(old, new), encoding="utf-8")
    return plant


def both(*plants):
    def plant(site: Path) -> None:
        for one in plants:
            one(site)
    return plant


CASES = {
    "broken-page-link": (
        append("backup-and-restore/backup-policy.md", "\nSee the [missing page](/backup-and-restore/no-such-policy.md).\n"),
        "backup-and-restore/backup-policy.md", True, r"cross-reference target not found: '/backup-and-restore/no-such-policy.md'",
    ),
    "broken-anchor": (
        append("backup-and-restore/backup-policy.md", "\nSee [the levels](/monitoring-and-alerting/alert-severity-matrix.md#no-such-heading).\n"),
        "backup-and-restore/backup-policy.md", True, r"local id not found .*'no-such-heading'",
    ),
    "removed-page": (
        lambda site: (site / "runbooks/runbook-template.md").unlink(),
        "client-onboarding/new-managed-system-onboarding-checklist.md", True, r"target not found: '/runbooks/runbook-template.md'",
    ),
    "orphan-page": (
        write("runbooks/acme-payments-api.md", "# Acme Payments API Runbook\n\nNot in any toctree.\n"),
        "runbooks/acme-payments-api.md", False, r"document isn't included in any toctree",
    ),
    "template-inner-fence-closes-outer": (
        edit("runbooks/runbook-template.md", "````markdown\n# [System Name] Runbook", "```markdown\n# [System Name] Runbook"),
        "runbooks/runbook-template.md", True, r"fence",
    ),
    "unknown-directive": (
        append("runbooks/runbook-template.md", "\n```{warnin}\nTypo for warning.\n```\n"),
        "runbooks/runbook-template.md", True, r"Unknown directive type: 'warnin'",
    ),
    "unknown-role": (
        append("runbooks/runbook-template.md", "\nSee {dco}`index`.\n"),
        "runbooks/runbook-template.md", True, r"Unknown interpreted text role \"dco\"",
    ),
    "duplicate-label": (
        both(
            append("backup-and-restore/backup-policy.md", "\n(retention)=\n## Retention\n"),
            append("backup-and-restore/restore-testing-policy.md", "\n(retention)=\n## Retention\n"),
        ),
        "backup-and-restore/restore-testing-policy.md", True, r"duplicate label retention",
    ),
    "malformed-front-matter": (
        edit("backup-and-restore/backup-policy.md", "# Backup Policy", "---\nowner: [Anchor MSP\n---\n# Backup Policy"),
        "backup-and-restore/backup-policy.md", True, r"Malformed YAML",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_gate_fails_and_names_the_file(case, site_copy, tmp_path):
    plant, path, has_line, message = CASES[case]
    plant(site_copy)

    build = sphinx_build(site_copy, tmp_path / "html")

    assert build.returncode != 0, build.output
    location = re.escape(str(site_copy / path)) + (r":\d+" if has_line else "")
    pattern = re.compile(location + r": WARNING: .*" + message)
    assert any(pattern.search(w) for w in build.warnings), build.output
