"""make bench: how the build scales, on seeded synthetic manuals.

    python tools/bench.py [--pages 100,1000] [--runs 3] [--jobs 3] [--stock-navigation]

For each size it writes an SOP-like corpus into a temporary folder (pages
spread over the 13 sections, with the manual's own conf.py, extensions and
front matter; each page about 60 lines: headings, a table, a task list,
code, three cross-links with anchors), then builds it with Furo and, in the
same run, with ``html_theme=basic`` as the floor. It prints a Markdown table
of clean builds, no-op rebuilds and one-page-edit rebuilds (median of
``--runs``, with min and max), peak memory, output size and HTML bytes per
page; then, for each corpus, Furo's clean build with ``-j auto`` against
``-j 3`` (the two alternating, run after run); then the real manual's clean
and no-op builds with each. ``--stock-navigation`` builds with Furo's own
per-page sidebar (``sop_fast_navigation = False``), the before picture.

Peak memory is the largest sum of the resident memory of sphinx-build and
all its worker processes at one time, sampled from /proc every 20 ms. Forked
workers share their parent's unchanged pages, which each one's resident size
counts again, so the sum is an upper bound of what the build needs.

It is a script, not a test: it asserts nothing, and its figures depend on
the machine, which it names.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    "production-ownership", "client-onboarding", "system-handoff-acceptance", "monitoring-and-alerting",
    "logging-and-metrics", "backup-and-restore", "secrets-management", "security-operations",
    "incident-response", "change-management", "access-control", "runbooks", "decision-logs",
]
WORDS = ("alert backup restore vault secret owner review rotation channel severity runbook escalation "
         "dashboard metrics logs incident change rollback approval handoff monitoring retention").split()


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def page(rng: random.Random, title: str, others: list[str]) -> str:
    links = [f"[{o.split('/')[-1]}](/{o}.md#details)" for o in rng.sample(others, 3)]
    lines = [
        "---", "owner: Anchor MSP Operations Lead", "last_reviewed: 2026-04-04", "---", "",
        f"# {title}", "", "## Purpose", "", sentence(rng, 24), "", "## Details", "", sentence(rng, 30), "",
        f"See {links[0]}, {links[1]} and {links[2]}.", "", "| Item | Value | Notes |", "|------|-------|-------|",
        *[f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {sentence(rng, 5)} |" for _ in range(4)], "",
        "## Steps", "", *[f"- [ ] **Step {i}.** {sentence(rng, 10)}" for i in range(1, 6)], "",
        "## Commands", "", "```bash", *[f"docker compose restart {rng.choice(WORDS)}-{i}" for i in range(4)], "```", "",
        "## Notes", "", *[sentence(rng, 18) + "\n" for _ in range(6)],
        "## Exceptions", "", sentence(rng, 16), "",
    ]
    return "\n".join(lines)


def corpus(folder: Path, pages: int, seed: int = 1) -> list[Path]:
    """An SOP-like manual of ``pages`` pages; returns the page files."""
    rng = random.Random(seed)
    for item in ("conf.py", "_ext", "_static", "_templates"):
        source = ROOT / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, folder / item)
    names = [f"{SECTIONS[i % len(SECTIONS)]}/page-{i:04d}" for i in range(pages)]
    files = []
    for section in SECTIONS:
        (folder / section).mkdir()
        mine = [n for n in names if n.startswith(section + "/")]
        entries = "\n".join(n.split("/")[1] for n in mine)
        (folder / section / "index.md").write_text(
            f"# {section.replace('-', ' ').title()}\n\nThe section's pages.\n\n```{{toctree}}\n:maxdepth: 1\n\n{entries}\n```\n")
    for name in names:
        path = folder / f"{name}.md"
        path.write_text(page(rng, f"Procedure {name.split('-')[-1]} of {name.split('/')[0]}", [n for n in names if n != name]))
        files.append(path)
    toctree = "\n".join(f"{s}/index" for s in SECTIONS)
    (folder / "index.md").write_text(f"# Synthetic Manual\n\nA generated manual.\n\n```{{toctree}}\n:hidden:\n\n{toctree}\n```\n")
    return files


def tree_rss(root: int) -> int:
    """Bytes resident in process ``root`` and all its descendants (0 without /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            children.setdefault(int(stat.rpartition(")")[2].split()[1]), []).append(int(entry.name))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total


def build(source: Path, out: Path, jobs: str, *options: str) -> tuple[float, int]:
    """Seconds and peak memory (bytes, the sum over the process tree) of one sphinx-build."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", jobs,
               "-d", str(out / "doctrees"), *options, str(source), str(out / "html")]
    peak, done = 0, threading.Event()

    def sample(pid: int) -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(pid) if os.path.isdir("/proc") else 0)
            done.wait(0.02)

    start = time.perf_counter()
    # stderr kept for a failure only: the basic floor warns that Furo's theme options do not apply
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = threading.Thread(target=sample, args=(process.pid,))
    sampler.start()
    errors = process.communicate()[1]
    status = process.returncode
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if status != 0:
        raise SystemExit(f"bench: the build failed: {' '.join(command)}\n{errors}")
    return seconds, peak


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s ({min(values):.1f}–{max(values):.1f})"


def measure(source: Path, files: list[Path], runs: int, jobs: str, *options: str) -> dict[str, str]:
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    clean, noop, edit, peaks = [], [], [], []
    for run in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        seconds, peak = build(source, out, jobs, *options)
        clean.append(seconds)
        peaks.append(peak)
        noop.append(build(source, out, jobs, *options)[0])
        edited = files[len(files) // 2]
        edited.write_text(edited.read_text() + f"\nEdited in run {run}.\n")
        edit.append(build(source, out, jobs, *options)[0])
    html = list((out / "html").rglob("*.html"))
    size = sum(p.stat().st_size for p in (out / "html").rglob("*") if p.is_file())
    per_page = sum(p.stat().st_size for p in html) / max(len(html), 1)
    shutil.rmtree(out, ignore_errors=True)
    return {
        "clean": spread(clean), "no-op": spread(noop), "one-page edit": spread(edit),
        "peak memory": f"{max(peaks) / 2**20:.0f} MiB" if max(peaks) else "n/a", "output": f"{size / 2**20:.1f} MiB",
        "HTML per page": f"{per_page / 1024:.0f} KB",
    }


def clean_builds(source: Path, runs: int, jobs: tuple[str, ...], *options: str) -> dict[str, list[float]]:
    """Clean build times with each ``-j``, alternating run after run."""
    out = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    times: dict[str, list[float]] = {j: [] for j in jobs}
    for _ in range(runs):
        for j in jobs:
            shutil.rmtree(out, ignore_errors=True)
            times[j].append(build(source, out, j, *options)[0])
    shutil.rmtree(out, ignore_errors=True)
    return times


def table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
                      *("| " + " | ".join(row) + " |" for row in rows)])


JOBS = ("auto", "3")  # Sphinx writes with N-1 processes: on 2 cores, -j auto writes with one


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="100,1000", help="corpus sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median, min, max)")
    parser.add_argument("--jobs", default="3", help="sphinx-build -j for the corpus builds")
    parser.add_argument("--stock-navigation", action="store_true", help="Furo's own per-page sidebar: the before picture")
    parser.add_argument("--skip-manual", action="store_true", help="do not time the real manual")
    args = parser.parse_args(argv)
    furo = ["-D", "sop_fast_navigation=0"] if args.stock_navigation else []
    print(f"Machine: {platform.node() or 'unknown'}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; runs: {args.runs}, -j {args.jobs}"
          + (", stock Furo navigation" if args.stock_navigation else "") + "\n")
    rows, jobs_rows = [], []
    for pages in (int(p) for p in args.pages.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
            files = corpus(Path(tmp), pages)
            for theme, options in (("Furo", furo), ("basic (floor)", ["-D", "html_theme=basic"])):
                print(f"... {pages} pages, {theme}", file=sys.stderr)
                rows.append({"pages": str(pages), "theme": theme, **measure(Path(tmp), files, args.runs, args.jobs, *options)})
            print(f"... {pages} pages, Furo, -j {' against -j '.join(JOBS)}", file=sys.stderr)
            times = clean_builds(Path(tmp), args.runs, JOBS, *furo)
            jobs_rows.append([str(pages), *(spread(times[j]) for j in JOBS)])
    print(table(list(rows[0]), [list(row.values()) for row in rows]))
    print("\nClean builds of the same corpora with Furo, by -j (peak memory above: the sum over all processes):\n")
    print(table(["pages", *(f"-j {j}, clean" for j in JOBS)], jobs_rows))
    if args.skip_manual:
        return 0
    print("\nThe manual itself (the repository's pages):\n")
    figures: dict[str, dict[str, list[float]]] = {}
    for jobs in JOBS:
        out = Path(tempfile.mkdtemp(prefix="bench-manual-"))
        clean, noop = [], []
        for _ in range(max(args.runs, 5)):
            shutil.rmtree(out, ignore_errors=True)
            clean.append(build(ROOT, out, jobs, *furo)[0])
            noop.append(build(ROOT, out, jobs, *furo)[0])
        shutil.rmtree(out, ignore_errors=True)
        figures[jobs] = {"clean": clean, "no-op": noop}
    print(table(["build", *(f"-j {j}" for j in JOBS)], [[kind, *(spread(figures[j][kind]) for j in JOBS)] for kind in ("clean", "no-op")]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
