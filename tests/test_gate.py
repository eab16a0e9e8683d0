"""Each defect class the HTML gate must catch, planted in a copy of the site.

Every case builds the copy under the gate and expects a non-zero exit and a
warning that names the file (and line where there is one). The session build
of the untouched manual, which passes, is the other half of each test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import replace_once, sphinx_build


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
    return lambda site: replace_once(site / path, old, new)


def both(*plants):
    def plant(site: Path) -> None:
        for one in plants:
            one(site)
    return plant


POLICY = "secrets-management/secrets-management-policy.md"

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
        edit("backup-and-restore/backup-policy.md", "owner: Anchor", "owner: [Anchor"),
        "backup-and-restore/backup-policy.md", True, r"Malformed YAML",
    ),
    "undefined-glossary-term": (
        append("runbooks/runbook-template.md", "\nPage the {term}`duty manager` first.\n"),
        "runbooks/runbook-template.md", True, r"term not in glossary: 'duty manager'",
    ),
    "unknown-severity": (
        edit("monitoring-and-alerting/slack-alert-routing-policy.md", "{severity}`High` |", "{severity}`Urgent` |"),
        "monitoring-and-alerting/slack-alert-routing-policy.md", True, r"unknown severity 'Urgent'",
    ),
    "flow-with-an-empty-step": (
        edit("change-management/production-change-policy.md", "Submitted → Reviewed →", "Submitted → → Reviewed →"),
        "change-management/production-change-policy.md", True, r"empty step in flow row",
    ),
    # SOP metadata (_ext/sop_metadata.py)
    "missing-owner": (
        edit(POLICY, "owner: Anchor MSP Operations Lead\n", ""),
        POLICY, True, r"front matter has no 'owner'",
    ),
    "missing-last-reviewed": (
        edit(POLICY, "last_reviewed: 2026-04-04\n", ""),
        POLICY, True, r"front matter has no 'last_reviewed'",
    ),
    "malformed-date": (
        edit(POLICY, "last_reviewed: 2026-04-04", "last_reviewed: 04/04/2026"),
        POLICY, True, r"'04/04/2026' is not a date in the form YYYY-MM-DD",
    ),
    "impossible-date": (
        edit(POLICY, "last_reviewed: 2026-04-04", "last_reviewed: 2026-02-30"),
        POLICY, True, r"'2026-02-30' is not a real date",
    ),
    "future-date": (
        edit(POLICY, "last_reviewed: 2026-04-04", "last_reviewed: 2999-01-01"),
        POLICY, True, r"2999-01-01 is in the future",
    ),
    "unknown-status": (
        edit(POLICY, "last_reviewed: 2026-04-04", "last_reviewed: 2026-04-04\nstatus: aproved"),
        POLICY, True, r"status 'aproved' is not one of: approved, draft",
    ),
    "unknown-key": (
        edit(POLICY, "last_reviewed: 2026-04-04", "last_reviwed: 2026-04-04"),
        POLICY, True, r"unknown front-matter key 'last_reviwed' \(did you mean 'last_reviewed'\?\)",
    ),
    "bad-review-interval": (
        edit(POLICY, "last_reviewed: 2026-04-04", "last_reviewed: 2026-04-04\nreview_every: twelve"),
        POLICY, True, r"review_every 'twelve' is not a whole number of months",
    ),
    "page-added-without-metadata": (
        both(
            write("runbooks/acme-payments-api.md", "# Acme Payments API Runbook\n\nText.\n"),
            edit("runbooks/index.md", "runbook-template\n", "runbook-template\nacme-payments-api\n"),
        ),
        "runbooks/acme-payments-api.md", True, r"front matter has no 'owner'",
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


def test_one_run_lists_every_bad_page(site_copy, tmp_path):
    edit(POLICY, "owner: Anchor MSP Operations Lead\n", "")(site_copy)
    edit("backup-and-restore/backup-policy.md", "2026-04-04", "2026-13-01")(site_copy)
    edit("runbooks/runbook-template.md", "last_reviewed", "last_reviwed")(site_copy)

    build = sphinx_build(site_copy, tmp_path / "html")

    assert build.returncode != 0
    named = {w.split(":")[0].removeprefix(str(site_copy) + "/") for w in build.warnings}
    assert {POLICY, "backup-and-restore/backup-policy.md", "runbooks/runbook-template.md"} <= named
