"""SOP metadata: the validators, the page header, the Review status page and
`make review`, including incremental and parallel builds."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import REVIEW_DAY, ROOT, environ, replace_once, sphinx_build, text
from sop_review import (
    DRAFT,
    DUE_SOON,
    OVERDUE,
    CURRENT,
    Review,
    add_months,
    check_date,
    check_keys,
    check_owner,
    check_review_every,
    check_status,
    is_exempt,
    review_day,
    review_of,
    unreadable_date,
    validate,
)
from test_structure import DRAFT_PAGES, PAGES, SEED_PAGES

TODAY = date(2026, 12, 4)


# -- Validators --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2026-04-04", None),
        ("2024-02-29", None),
        ("2026-12-04", None),  # today is not the future
        ("2026-4-4", "not a date in the form YYYY-MM-DD"),
        ("04/04/2026", "not a date in the form YYYY-MM-DD"),
        ("2026-04", "not a date in the form YYYY-MM-DD"),
        ("", "not a date in the form YYYY-MM-DD"),
        ("2026-02-30", "not a real date"),
        ("2025-02-29", "not a real date"),
        ("2026-13-01", "not a real date"),
        ("2026-12-05", "in the future"),
    ],
)
def test_check_date(value, problem):
    found = check_date(value, TODAY)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("check", "value", "ok"),
    [
        (check_status, "approved", True),
        (check_status, "draft", True),
        (check_status, "aproved", False),
        (check_status, "Approved", False),
        (check_owner, "Anchor MSP Operations Lead", True),
        (check_owner, "", False),
        (check_owner, "None", False),  # YAML `owner:` with no value
        (check_review_every, "12", True),
        (check_review_every, "1", True),
        (check_review_every, "0", False),
        (check_review_every, "-3", False),
        (check_review_every, "twelve", False),
        (check_review_every, "1.5", False),
    ],
)
def test_field_checks(check, value, ok):
    assert (check(value) is None) is ok


@pytest.mark.parametrize(
    ("keys", "unknown", "hint"),
    [
        (["owner", "last_reviewed", "review_every", "status"], [], None),
        (["owner", "orphan", "myst_slugs", "wordcount"], [], None),  # Sphinx's and MyST's own
        (["owner", "last_reviwed"], ["last_reviwed"], "last_reviewed"),
        (["ownr"], ["ownr"], "owner"),
        (["colour"], ["colour"], None),
    ],
)
def test_check_keys(keys, unknown, hint):
    problems = check_keys(keys)
    assert [p.key for p in problems] == unknown
    if hint:
        assert f"did you mean {hint!r}" in problems[0].message


@pytest.mark.parametrize(
    ("meta", "required", "messages"),
    [
        ({"owner": "Ops", "last_reviewed": "2026-04-04"}, True, []),
        ({"last_reviewed": "2026-04-04"}, True, ["no 'owner'"]),
        ({"owner": "Ops"}, True, ["no 'last_reviewed'"]),
        ({}, True, ["no 'owner'", "no 'last_reviewed'"]),
        ({}, False, []),  # an exempt page
        ({"owner": "Ops", "last_reviewed": "2026-04-04", "status": "final"}, True, ["status 'final'"]),
    ],
)
def test_validate(meta, required, messages):
    found = [p.message for p in validate(meta, required=required, today=TODAY)]
    assert len(found) == len(messages)
    assert all(m in f for m, f in zip(messages, found))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 4, 4), 12, date(2027, 4, 4)),
        (date(2026, 4, 4), 6, date(2026, 10, 4)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("today", "status", "state"),
    [
        (date(2027, 3, 4), "approved", CURRENT),  # 31 days before
        (date(2027, 3, 5), "approved", DUE_SOON),  # 30 days before
        (date(2027, 4, 4), "approved", DUE_SOON),  # due today
        (date(2027, 4, 5), "approved", OVERDUE),
        (date(2027, 4, 5), "draft", DRAFT),
    ],
)
def test_review_state(today, status, state):
    review = review_of({"owner": "Ops", "last_reviewed": "2026-04-04", "status": status}, 12)
    assert review.state(today) == state


def test_review_of_uses_the_default_interval_unless_the_page_sets_one():
    assert review_of({"owner": "Ops", "last_reviewed": "2026-04-04"}, 12) == Review(
        "Ops", date(2026, 4, 4), date(2027, 4, 4), "approved"
    )
    assert review_of({"owner": "Ops", "last_reviewed": "2026-04-04", "review_every": "3"}, 12).next_due == date(2026, 7, 4)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SOP_TODAY": "2027-04-30", "SOURCE_DATE_EPOCH": "1800000000"}, date(2027, 4, 30)),
        ({"SOURCE_DATE_EPOCH": "1800000000"}, date(2027, 1, 15)),
        ({}, date.today()),
    ],
)
def test_review_day(env, expected):
    assert review_day(env) == expected


def test_review_day_rejects_a_malformed_sop_today():
    with pytest.raises(ValueError, match="SOP_TODAY"):
        review_day({"SOP_TODAY": "30/04/2027"})


def test_unreadable_date_names_the_impossible_date():
    lines = ["---", "owner: Ops", "last_reviewed: 2026-02-30", "---", "# Page"]
    assert [p.message for p in unreadable_date(lines, TODAY)] == ["'2026-02-30' is not a real date"]
    assert unreadable_date(["---", "owner: [Ops", "---"], TODAY) == []


def test_exemption_is_stated_once_in_conf():
    conf = (ROOT / "conf.py").read_text()
    assert conf.count("sop_exempt_pages =") == 1
    patterns = ["index", "*/index", "review-status"]
    assert all(is_exempt(name, patterns) for name in ("index", "runbooks/index", "review-status"))
    assert not is_exempt("runbooks/runbook-template", patterns)


# -- What a reader sees ------------------------------------------------------


def header_fields(page) -> dict[str, str]:
    block = page.select_one("article section > .sop-page-meta")
    return {text(dt).rstrip(":").strip(): text(dd) for dt, dd in zip(block.select("dt"), block.select("dd"))}


@pytest.mark.parametrize("page", PAGES)
def test_each_procedure_page_has_one_header_under_its_title(site, page):
    html = site.html(page)
    assert len(html.select(".sop-page-meta")) == 1
    # directly under the title
    assert html.select_one("article section > h1").find_next_sibling().get("class")[0] == "sop-page-meta"
    reviewed = "2026-04-04" if page in SEED_PAGES else "2026-12-04"
    assert header_fields(html) == {
        "Owner": "Anchor MSP Operations Lead",
        "Last reviewed": reviewed,
        "Next review due": reviewed.replace("2026", "2027"),
    }
    # the seed's hand-written bold lines are gone
    assert not [s for s in html.select("article strong") if text(s).startswith(("Owner:", "Last reviewed:"))]
    drafts = [text(d.select_one(".admonition-title")) for d in html.select(".sop-page-meta .sop-draft")]
    assert drafts == (["Draft — not approved"] if page in DRAFT_PAGES else [])


@pytest.mark.parametrize("page", ["index.html", "runbooks/index.html", "review-status.html"])
def test_exempt_pages_have_no_header(site, page):
    assert not site.html(page).select(".sop-page-meta")


def dashboard(build) -> list[list[str]]:
    rows = build.html("review-status.html").select("article table.sop-review-table tbody tr")
    return [[text(td) for td in tr.select("td")] for tr in rows]


def test_review_status_page_for_a_pinned_day(site):
    page = site.html("review-status.html")
    assert f"Computed for {REVIEW_DAY}: 18 procedure pages" in text(page.select_one(".sop-review-day"))
    assert [text(th) for th in page.select("article table thead th")] == [
        "Page", "Section", "Owner", "Last reviewed", "Next due", "State",
    ]
    rows = dashboard(site)
    assert sorted(row[0] for row in rows) == sorted(PAGES.values())
    seeds = [row for row in rows if row[0] in SEED_PAGES.values()]
    assert all(row[2:] == ["Anchor MSP Operations Lead", "2026-04-04", "2027-04-04", "due within 30 days"] for row in seeds)
    drafts = [row for row in rows if row[0] in DRAFT_PAGES.values()]
    assert all(row[2:] == ["Anchor MSP Operations Lead", "2026-12-04", "2027-12-04", "draft"] for row in drafts)
    assert [row[4] for row in rows] == sorted(row[4] for row in rows)
    links = {text(a): a["href"] for a in page.select("article table tbody a.reference")}
    assert links == {title: path for path, title in PAGES.items()}
    assert dict(row[:2] for row in rows)["Backup Policy"] == "Backup and Restore"


def test_landing_page_links_to_the_review_status_page(site):
    links = [a["href"] for a in site.html("index.html").select("article a.reference.internal")]
    assert "review-status.html" in links


def test_drafts_and_overdue_pages_show_as_such_without_failing_the_gate(site_copy, tmp_path):
    plant_front_matter(site_copy / "backup-and-restore/backup-policy.md", "status: draft")
    plant_front_matter(site_copy / "backup-and-restore/restore-testing-policy.md", "review_every: 6")

    build = sphinx_build(site_copy, tmp_path / "html", env={"SOP_TODAY": "2027-03-20"})

    assert build.returncode == 0, build.output
    draft = build.html("backup-and-restore/backup-policy.html")
    assert text(draft.select_one(".sop-page-meta .sop-draft .admonition-title")) == "Draft — not approved"
    rows = dashboard(build)
    # sorted by due date: the six-monthly review fell due first
    assert rows[0][0] == "Restore Testing Policy" and rows[0][4:] == ["2026-10-04", "overdue"]
    assert dict((row[0], row[5]) for row in rows)["Backup Policy"] == "draft"
    summary = text(build.html("review-status.html").select_one(".sop-review-day"))
    assert "13 due within 30 days, 1 overdue, 4 draft" in summary


def plant_front_matter(page: Path, line: str) -> None:
    source = page.read_text(encoding="utf-8")
    page.write_text(source.replace("---\n", f"---\n{line}\n", 1), encoding="utf-8")


# -- Incremental and parallel builds ----------------------------------------


def test_incremental_build_updates_the_page_and_the_dashboard(site_copy, tmp_path):
    out = tmp_path / "html"
    first = sphinx_build(site_copy, out, env={"SOP_TODAY": "2027-03-20"})
    assert first.returncode == 0, first.output
    untouched = (out / "backup-and-restore/restore-testing-policy.html").read_bytes()
    page = site_copy / "backup-and-restore/backup-policy.md"
    page.write_text(page.read_text().replace("last_reviewed: 2026-04-04", "last_reviewed: 2026-11-01"))

    again = sphinx_build(site_copy, out, env={"SOP_TODAY": "2027-03-20"}, fresh=False)

    assert again.returncode == 0, again.output
    assert header_fields(again.html("backup-and-restore/backup-policy.html"))["Next review due"] == "2027-11-01"
    rows = {row[0]: row for row in dashboard(again)}
    assert rows["Backup Policy"][3:] == ["2026-11-01", "2027-11-01", "current"]
    assert (out / "backup-and-restore/restore-testing-policy.html").read_bytes() == untouched

    # nothing changed but the day: the dashboard still follows it
    later = sphinx_build(site_copy, out, env={"SOP_TODAY": "2027-04-30"}, fresh=False)
    assert "Computed for 2027-04-30" in text(later.html("review-status.html").select_one(".sop-review-day"))
    assert dashboard(later)[0][5] == "overdue"


def test_parallel_and_repeated_builds_give_the_same_output(tmp_path):
    pinned = {"SOP_TODAY": None, "SOURCE_DATE_EPOCH": "1800000000"}  # 2027-01-15
    one = sphinx_build(ROOT, tmp_path / "j1", env=pinned, jobs="1")
    two = sphinx_build(ROOT, tmp_path / "j2", env=pinned, jobs="2")

    assert one.returncode == two.returncode == 0, one.output + two.output
    files = sorted(p.relative_to(one.outdir) for p in one.outdir.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two.outdir) for p in two.outdir.rglob("*") if p.is_file())
    differ = [f for f in files if (one.outdir / f).read_bytes() != (two.outdir / f).read_bytes()]
    assert differ == []
    assert "Computed for 2027-01-15" in text(one.html("review-status.html").select_one(".sop-review-day"))


# -- make review -------------------------------------------------------------


def review(root: Path, **env) -> subprocess.CompletedProcess:
    script = root / "_ext/sop_review.py"
    return subprocess.run([sys.executable, script], capture_output=True, text=True, env=environ(env), timeout=60)


def test_make_review_passes_while_nothing_is_overdue():
    result = review(ROOT, SOP_TODAY="2026-12-04")
    assert result.returncode == 0, result.stderr
    assert "Review status for 2026-12-04: 18 procedure pages" in result.stdout
    assert "Nothing is overdue." in result.stdout


def test_make_review_fails_once_the_seed_pages_fall_due():
    result = review(ROOT, SOP_TODAY="2027-04-30")
    assert result.returncode == 1
    assert "15 overdue:" in result.stdout
    assert "  backup-and-restore/backup-policy.md  due 2027-04-04" in result.stdout


def test_make_review_prints_the_dashboards_table(site):
    result = review(ROOT, SOP_TODAY=REVIEW_DAY)
    printed = [
        [cell.strip() for cell in line.split("|")]
        for line in result.stdout.splitlines()[3:]
        if line.count("|") == 5
    ]
    assert printed == dashboard(site)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("owner: Anchor MSP Operations Lead\n", "", 1, "front matter has no 'owner'"),
        ("last_reviewed: 2026-04-04", "last_reviewed: 2026-02-30", 3, "'2026-02-30' is not a real date"),
        ("last_reviewed: 2026-04-04", "last_reviewed: 2026-04-04\nstatus: final", 4, "status 'final'"),
    ],
)
def test_make_review_exits_2_on_invalid_metadata(site_copy, old, new, line, message):
    page = site_copy / "backup-and-restore/backup-policy.md"
    page.write_text(page.read_text().replace(old, new, 1))
    result = review(site_copy, SOP_TODAY="2026-12-04")
    assert result.returncode == 2
    assert f"backup-and-restore/backup-policy.md:{line}: {message}" in result.stderr


@pytest.mark.parametrize(("env", "message"), [
    ({"SOP_TODAY": "2027-02-30"}, "SOP_TODAY: '2027-02-30' is not a real date"),
    ({"SOP_TODAY": None, "SOURCE_DATE_EPOCH": "yesterday"}, "SOURCE_DATE_EPOCH 'yesterday' is not a number of seconds"),
])
def test_make_review_exits_2_on_a_malformed_review_day(env, message):
    result = review(ROOT, **env)
    assert result.returncode == 2 and message in result.stderr


def test_a_malformed_review_day_fails_the_gate_in_one_line(site_copy, tmp_path):
    build = sphinx_build(site_copy, tmp_path / "html", env={"SOP_TODAY": "2027-02-30"})
    assert build.returncode != 0
    assert "SOP_TODAY: '2027-02-30' is not a real date" in build.output and "Traceback" not in build.output


def test_make_review_accepts_the_front_matter_myst_takes_for_itself(site_copy):
    """MyST reads a page's `myst:` settings and leaves them out of its metadata;
    make review must agree with the build and not call the key unknown."""
    replace_once(site_copy / "backup-and-restore/backup-policy.md", "---\n\n", "myst:\n  heading_anchors: 2\n---\n\n")
    result = review(site_copy, SOP_TODAY="2026-12-04")
    assert result.returncode == 0, result.stderr


def test_make_target_runs_the_review():
    result = subprocess.run(
        ["make", "-s", "review"], cwd=ROOT, capture_output=True, text=True, env=environ({"SOP_TODAY": "2027-04-30"})
    )
    assert result.returncode != 0
    assert "15 overdue:" in result.stdout and "Error 1" in result.stderr
