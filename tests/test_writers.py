"""What writers use: make new, make lint and make serve, each in a copy of the site."""

from __future__ import annotations

import hashlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, environ, replace_once, sphinx_build

VENV = str(Path(sys.executable).parent.parent)


def make(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`make` in a copy of the site, with this run's .venv.

    ``-o`` keeps make from ever rebuilding (deleting) the venv the tests run in.
    """
    return subprocess.run(
        ["make", "-s", "-C", str(site), "-o", f"{VENV}/.installed", *args, f"VENV={VENV}"],
        capture_output=True, text=True, env=environ(env), timeout=300,
    )


def snapshot(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*")) if p.is_file()}


# -- make new --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KIND": "howto", "TITLE": "Acme"}, "KIND 'howto' is not one of: runbook, decision, policy"),
        ({"KIND": "runbook", "TITLE": ""}, "TITLE is empty"),
        ({"KIND": "runbook", "TITLE": "   "}, "TITLE is empty"),
        ({"KIND": "runbook", "TITLE": "Acme/Payments"}, "contains '/', '\\' or '..'"),
        ({"KIND": "runbook", "TITLE": "../../etc/passwd"}, "contains '/', '\\' or '..'"),
        ({"KIND": "decision", "TITLE": "Use Restic\x07"}, "TITLE contains a control character"),
        ({"KIND": "runbook", "TITLE": "!!!"}, "has no letters or digits"),
        ({"KIND": "policy", "TITLE": "Log Retention Policy", "SECTION": "logging"}, "SECTION 'logging' is not a section"),
        ({"KIND": "policy", "TITLE": "Log Retention Policy"}, "SECTION '' is not a section"),
        ({"KIND": "runbook", "TITLE": "Template"}, "runbooks/template.md exists already"),
        ({"KIND": "policy", "TITLE": "Backup Policy", "SECTION": "backup-and-restore"}, "backup-and-restore/backup-policy.md exists already"),
        ({"KIND": "runbook", "TITLE": "Acme " * 60}, "TITLE makes a file name of 299 characters (at most 80)"),
        ({"KIND": "policy", "TITLE": "Acme Policy", "SECTION": "runbooks"}, "SECTION 'runbooks' holds runbook pages: use KIND=runbook"),
    ],
    ids=["kind", "empty", "blank", "slash", "dotdot", "control", "no-slug", "section", "no-section", "exists", "exists-policy",
         "too-long", "policy-in-runbooks"],
)
def test_bad_input_gets_one_message_and_writes_nothing(site_copy, env, message):
    if env["TITLE"] == "Template":
        (site_copy / "runbooks/template.md").write_text("# A writer's page\n")
    before = snapshot(site_copy)
    result = make(site_copy, "new", **{"SECTION": "", **env})
    assert result.returncode != 0
    assert message in result.stderr and result.stderr.count("make new:") == 1, result.stderr
    assert snapshot(site_copy) == before


def test_a_new_entry_leaves_the_writers_order_of_the_others_alone():
    from new_page import with_entry

    index = "# Runbooks\n\n```{toctree}\n:maxdepth: 1\n\nrunbook-template\nzeta\nalpha\n```\n"
    assert "runbook-template\nbeta\nzeta\nalpha\n```" in with_entry(index, "beta", "runbook")
    assert "runbook-template\nzeta\nalpha\nomega\n```" in with_entry(index, "omega", "policy")


def test_scaffolded_pages_build_under_the_gate_once_their_owner_is_set(site_copy, tmp_path):
    older = site_copy / "decision-logs/2025-06-01-older-decision.md"
    older.write_text("---\nowner: Ops\nlast_reviewed: 2025-06-01\n---\n\n# 2025-06-01 Older decision\n\nText.\n")
    replace_once(site_copy / "decision-logs/index.md", "decision-log-template\n", "decision-log-template\n2025-06-01-older-decision\n")
    created = []
    for env in (
        {"KIND": "runbook", "TITLE": "Zeta Billing"},
        {"KIND": "runbook", "TITLE": "Acme Payments API"},
        {"KIND": "decision", "TITLE": "Use Restic for Backup Orchestration"},
        {"KIND": "policy", "TITLE": "Log Retention Policy", "SECTION": "logging-and-metrics"},
    ):
        result = make(site_copy, "new", **{"SECTION": "", **env})
        assert result.returncode == 0, result.stderr
        created.append(result.stdout.split()[1].rstrip(","))
        assert "Set `owner:`" in result.stdout
    today = __import__("datetime").date.today().isoformat()
    assert created == [
        "runbooks/zeta-billing.md", "runbooks/acme-payments-api.md",
        f"decision-logs/{today}-use-restic-for-backup-orchestration.md", "logging-and-metrics/log-retention-policy.md",
    ]
    # listed in the right place: runbooks by title after the template, decisions newest first
    assert "runbook-template\nacme-payments-api\nzeta-billing\n" in (site_copy / "runbooks/index.md").read_text()
    assert f"decision-log-template\n{today}-use-restic-for-backup-orchestration\n2025-06-01-older-decision\n" in (site_copy / "decision-logs/index.md").read_text()
    # from the template pages: the template's own text
    runbook = (site_copy / "runbooks/acme-payments-api.md").read_text()
    assert "# Acme Payments API Runbook" in runbook and "### Start the service\n\n```bash\n[Exact command or procedure]\n```" in runbook
    assert f"# {today} Use Restic for Backup Orchestration" in (site_copy / created[2]).read_text()

    placeholder = sphinx_build(site_copy, tmp_path / "before")
    assert placeholder.returncode != 0
    assert all(any(page in w and "is a placeholder" in w for w in placeholder.warnings) for page in created)

    for page in created:
        replace_once(site_copy / page, 'owner: "[Owner]"', "owner: Anchor MSP Operations Lead")
    build = sphinx_build(site_copy, tmp_path / "after")
    assert build.returncode == 0, build.output
    assert "Draft — not approved" in (build.outdir / "runbooks/acme-payments-api.html").read_text()


# -- make lint -------------------------------------------------------------------


def test_lint_passes_on_the_manual(site_copy):
    result = make(site_copy, "lint")
    assert result.returncode == 0, result.stdout + result.stderr


# Built at run time, so that the repository itself holds no secret-shaped text.
AWS_KEY = "AKIA" + "Z7Q2M4XK" + "P9L3B6TW"
MISSPELLED = "rec" + "ieve"
PRIVATE_KEY = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGcY5unA\n-----END " + "RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("plant", "tool", "finding"),
    [
        (f"\nThe deploy key is {AWS_KEY}.\n", "detect-secrets", "AWS Access Key"),
        (f"\n```text\n{PRIVATE_KEY}\n```\n", "detect-secrets", "Private Key"),
        (f"\nOperators {MISSPELLED} the page.\n", "codespell", f"{MISSPELLED} ==> receive"),
        ("\nA line that ends in spaces.   \n", "whitespace", "trailing whitespace"),
        ("\nNo newline at the end.", "whitespace", "no newline at the end of the file"),
        ("\n## Heading\nText right under it.\n", "pymarkdown", "MD022"),
        ("\n| Role | Owns |\n|------|------|\n| Anchor | Backups | Vault |\n", "pymarkdown", "MD056"),
    ],
    ids=["aws-key", "private-key", "misspelling", "trailing-space", "final-newline", "markdown", "table-row"],
)
def test_lint_fails_naming_the_file(site_copy, plant, tool, finding):
    page = site_copy / "runbooks/runbook-template.md"
    page.write_text(page.read_text() + plant)
    result = make(site_copy, "lint")
    assert result.returncode != 0
    section = result.stdout.split(f"{tool}:\n", 1)[1]
    assert finding in section and "runbooks/runbook-template.md" in section, result.stdout


def test_pre_commit_runs_the_same_lint():
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "repo: local" in config and "entry: .venv/bin/python tools/lint.py" in config
    assert "lint" in (ROOT / "Makefile").read_text().split("test:", 1)[1].split("\n", 1)[0]


# -- make serve ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Output:
    """The server's output, line by line, waited on without sleeping."""

    def __init__(self, stream):
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=lambda: [self.lines.put(line) for line in stream], daemon=True)
        self.reader.start()

    def listening(self, port: int, attempts: int = 300) -> None:
        """Until the port accepts: the server prints before it binds."""
        for _ in range(attempts):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                return
            except ConnectionRefusedError:
                try:
                    self.lines.get(timeout=0.1)  # its output, or a tenth of a second
                except queue.Empty:
                    pass
        pytest.fail(f"nothing listens on 127.0.0.1:{port}")

    def wait_for(self, text: str, timeout: float = 120) -> None:
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"sphinx-autobuild never said {text!r}:\n{''.join(seen)}")
            seen.append(line)
            if text in line:
                return


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def test_make_serve_rebuilds_and_serves_each_change(site_copy):
    port = free_port()
    server = subprocess.Popen(
        ["make", "-C", str(site_copy), "serve", f"SERVE_PORT={port}", f"VENV={VENV}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env=environ({"PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}),
    )
    output = Output(server.stdout)
    try:
        output.wait_for("Waiting to detect changes")
        output.listening(port)
        base = f"http://127.0.0.1:{port}"
        assert "Restore Testing Policy" in fetch(f"{base}/backup-and-restore/restore-testing-policy.html")

        page = site_copy / "backup-and-restore/restore-testing-policy.md"
        replace_once(page, "A backup that cannot be restored is not a backup.", "A backup that cannot be restored is no backup at all.")
        output.wait_for("The HTML pages are in")
        assert "is no backup at all" in fetch(f"{base}/backup-and-restore/restore-testing-policy.html")

        made = subprocess.run([sys.executable, str(site_copy / "tools/new_page.py")], capture_output=True, text=True,
                              env=environ({"KIND": "runbook", "TITLE": "Acme Payments API"}))
        assert made.returncode == 0, made.stderr
        output.wait_for("The HTML pages are in")
        assert "Acme Payments API Runbook" in fetch(f"{base}/runbooks/acme-payments-api.html")
        assert "acme-payments-api.html" in fetch(f"{base}/runbooks/index.html")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        output.reader.join(timeout=30)
        server.stdout.close()
