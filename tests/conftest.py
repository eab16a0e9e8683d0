"""Shared fixtures: the manual built once per session under the gate, and
throwaway copies of the site to plant defects in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytest_plugins = ["browser_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
# The gate flags, as the Makefile passes them (test_project checks they agree).
GATE = ["-W", "-n", "--keep-going"]
JOBS = "3"  # the Makefile's -j
# The local extensions and tools are importable by the tests, as conf.py makes
# the extensions for Sphinx.
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))
# Not part of the site: left out of the copies that tests plant defects in.
NOT_SITE = {".git", ".venv", "_build", "tests", ".pytest_cache", ".ci", ".github", "__pycache__"}


def text(node) -> str:
    """An element's text, with its whitespace folded."""
    return " ".join(node.get_text(" ").split())


def environ(changes: dict | None) -> dict:
    """os.environ with ``changes`` applied; a value of None removes the variable."""
    merged = {**os.environ, **(changes or {})}
    return {key: value for key, value in merged.items() if value is not None}


@dataclass
class Build:
    returncode: int
    output: str
    outdir: Path

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.output.splitlines() if "WARNING:" in line]

    def html(self, page: str) -> BeautifulSoup:
        return BeautifulSoup((self.outdir / page).read_text(encoding="utf-8"), "html.parser")


def sphinx_build(
    srcdir: Path,
    outdir: Path,
    builder: str = "html",
    env: dict | None = None,
    fresh: bool = True,
    jobs: str = JOBS,
) -> Build:
    """Run sphinx-build as the Makefile does; from a fresh environment (-E)
    unless ``fresh`` is false, as a writer's incremental ``make html``."""
    cmd = [
        sys.executable, "-m", "sphinx", "-b", builder, *GATE, "--no-color", *(["-E"] if fresh else []),
        "-j", jobs, "-q", "-d", str(outdir.with_name(outdir.name + "-doctrees")), str(srcdir), str(outdir),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=environ(env), timeout=600)
    return Build(proc.returncode, proc.stdout + proc.stderr, outdir)


# The day the session's build computes review states for (see test_review).
REVIEW_DAY = "2027-03-20"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Build:
    """The real manual, built once for the whole session."""
    build = sphinx_build(ROOT, tmp_path_factory.mktemp("site") / "html", env={"SOP_TODAY": REVIEW_DAY})
    if build.returncode != 0:
        pytest.fail(f"the manual does not build under the gate:\n{build.output}")
    return build


def copy_site(dest: Path) -> Path:
    """A copy of the site's sources at ``dest``, safe to break."""
    shutil.copytree(ROOT, dest, ignore=lambda d, names: [n for n in names if n in NOT_SITE and Path(d) == ROOT])
    return dest


@pytest.fixture
def site_copy(tmp_path) -> Path:
    return copy_site(tmp_path / "site")


@pytest.fixture(scope="session")
def site_copy_factory(tmp_path_factory):
    """Copies of the site for module- and session-scoped builds."""
    return lambda name: copy_site(tmp_path_factory.mktemp(name) / "site")


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in a page: the plant must take."""
    source = path.read_text(encoding="utf-8")
    assert source.count(old) == 1, f"{old!r} is not in {path} exactly once: the plant would not take"
    path.write_text(source.replace(old, new), encoding="utf-8")


# Contradictions and a missing term link, planted in one copy of the site for
# test_facts and test_content, so that one build serves every planted check.
PLANTS = [
    ("monitoring-and-alerting/alert-severity-matrix.md", "| `#alerts-high` | 1 hour |", "| `#alerts-urgent` | 1 hour |"),
    ("monitoring-and-alerting/sms-escalation-policy.md", "within 15 minutes of receiving the SMS", "within 20 minutes of receiving the SMS"),
    ("backup-and-restore/backup-policy.md", "**{term}`High`** severity", "**Urgent** severity"),
    ("monitoring-and-alerting/slack-alert-routing-policy.md", "{severity}`Medium` → `#alerts-medium`", "{severity}`Medium` → `#alerts-low`"),
    ("glossary.md", "\nTwilio\n", "\nPagerDuty\n  On-call paging.\n\nTwilio\n"),
    ("secrets-management/secrets-management-policy.md", "stored in **{term}`Vault`**", "stored in **Vault**"),
    ("glossary.md", "`#alerts-critical`, within 15 minutes of the SMS", "`#alerts-critical`, within 5 minutes of the SMS"),
    ("logging-and-metrics/logging-and-metrics-policy.md", "## Exceptions\n", "Errors are also sent to Sentry.\n\n## Exceptions\n"),
    ("monitoring-and-alerting/sms-escalation-policy.md", "- **10 minutes:** If unacknowledged", "- **5 minutes:** If unacknowledged"),
]


@pytest.fixture(scope="session")
def planted(tmp_path_factory) -> Build:
    """The manual with PLANTS applied, built once."""
    copy = copy_site(tmp_path_factory.mktemp("planted") / "site")
    for page, old, new in PLANTS:
        replace_once(copy / page, old, new)
    build = sphinx_build(copy, copy.parent / "html", env={"SOP_TODAY": REVIEW_DAY})
    if build.returncode != 0:
        pytest.fail(f"the planted copy does not build:\n{build.output}")
    return build
