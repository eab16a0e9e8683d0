"""The project's own set-up: Makefile, pins, and that it stands alone."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from conftest import GATE, JOBS, ROOT


def makefile() -> str:
    return (ROOT / "Makefile").read_text()


def test_makefile_gate_flags_are_the_tests_gate_flags():
    gate = re.search(r"^GATEOPTS\s*:=\s*(.*)$", makefile(), re.M)[1].split()
    assert gate == GATE
    assert re.search(rf"^SPHINXOPTS\s*\?=\s*-j {JOBS}$", makefile(), re.M)


def test_make_help_lists_every_target():
    listed = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("html", "linkcheck", "test", "serve", "clean"):
        assert re.search(rf"^\s+make {target}\s+\S", listed, re.M), listed


def test_serve_listens_on_loopback_only():
    serve = re.search(r"^serve:.*?(?=^\S)", makefile(), re.M | re.S)[0]
    assert "sphinx-autobuild --host 127.0.0.1" in serve


def test_dependencies_are_declared_and_locked_with_hashes():
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    names = {re.split(r"[<>=~ ]", d)[0] for g in groups.values() for d in g if isinstance(d, str)}
    assert {"sphinx", "myst-parser", "furo", "sphinx-copybutton", "sphinx-design", "pytest"} <= names
    lock = (ROOT / "requirements.lock").read_text()
    pins = re.findall(r"^([a-z0-9._-]+)==\S+(?: ;[^\\]*)? \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", lock, re.M)
    assert {name for name, _ in pins} >= names
    assert len(pins) == len(re.findall(r"^[a-z0-9._-]+==", lock, re.M)), "a pin without hashes"
    assert "--require-hashes" in makefile()


def test_the_project_stands_alone():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".py", ".md", ".toml", ".txt", ".lock"} or path.name in {"Makefile", "run"}:
            assert "../" + "shared" not in path.read_text(encoding="utf-8"), name


def test_the_manual_builds_from_any_working_directory(site_copy, tmp_path):
    """sphinx-autobuild, editors and scripts start Sphinx from anywhere: no
    setting may be a path relative to the working directory."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "html"
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", *GATE, "-q", "-d", str(tmp_path / "doctrees"), str(site_copy), str(out)],
        cwd=elsewhere, capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "SOP_SEARCH" in (out / "_static/language_data.js").read_text()
