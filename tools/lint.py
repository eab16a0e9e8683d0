"""make lint: the checks that pre-commit runs before each commit.

    python tools/lint.py [FILE ...]

On the files given, or else on every file of the checkout that git tracks
or would track (outside git: every file but .venv and _build):

* detect-secrets, against the committed ``.secrets.baseline`` (the manual's
  example phone numbers and placeholders are not secrets);
* codespell (settings in pyproject.toml);
* pymarkdown on Markdown, configured for MyST (``.pymarkdown.json``: front
  matter, task lists, tables whose rows match their header's cell count, no
  line-length rule; MyST directives are fenced code to it, and
  ``(label)=`` targets sit on their own line before a blank one);
* no trailing whitespace, and a final newline, in every text file.

Each finding names the file and line; the exit status is 1 if there is any.
Nothing is fixed or rewritten: the writer decides.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path.cwd()
BIN = Path(sys.executable).parent
SKIP_DIRS = {".git", ".venv", "_build", "__pycache__", ".pytest_cache", "node_modules"}
TEXT = {".md", ".py", ".toml", ".txt", ".cfg", ".json", ".yaml", ".yml", ".css", ".js", ".html", ".lock", ""}
# Files that tools write, not writers: left as their tools write them.
GENERATED = {".secrets.baseline", "requirements.lock"}


def files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.split("\0")
        return [Path(name) for name in listed if name and (ROOT / name).is_file()]
    except (subprocess.CalledProcessError, FileNotFoundError):
        return [
            p.relative_to(ROOT) for p in sorted(ROOT.rglob("*"))
            if p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)
        ]


def whitespace(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        if path.suffix not in TEXT or path.name in GENERATED:
            continue
        try:
            text = (ROOT / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if line != line.rstrip():
                found.append(f"{path}:{number}: trailing whitespace")
        if text and not text.endswith("\n"):
            found.append(f"{path}:{len(text.splitlines())}: no newline at the end of the file")
    return found


def run(command: list[str]) -> tuple[int, str]:
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or files()
    names = [str(p) for p in paths if p.name not in GENERATED]
    markdown = [n for n in names if n.endswith(".md")]
    failures = []
    checks = [
        ("detect-secrets", [str(BIN / "detect-secrets-hook"), "--baseline", ".secrets.baseline", *names]),
        ("codespell", [str(BIN / "codespell"), *names]),
    ]
    if markdown:
        checks.append(("pymarkdown", [str(BIN / "pymarkdown"), "--config", ".pymarkdown.json", "scan", *markdown]))
    for name, command in checks:
        status, output = run(command)
        if status != 0:
            failures.append(f"{name}:\n{output}")
    if found := whitespace(paths):
        failures.append("whitespace:\n" + "\n".join(found))
    for failure in failures:
        print(failure, end="\n\n")
    print(f"make lint: {len(paths)} files, {'problems found' if failures else 'clean'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
