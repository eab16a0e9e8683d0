"""SOP review metadata: the rules, as pure functions, and ``make review``.

Every procedure page carries front matter::

    owner: Anchor MSP Operations Lead   # required
    last_reviewed: 2026-04-04           # required, ISO date, not in the future
    review_every: 12                    # optional, months (conf.py: sop_review_every_months)
    status: approved                    # optional: approved (default) or draft

Which pages are exempt (the landing page, section indexes, generated pages)
is set once, in conf.py's ``sop_exempt_pages``. The Sphinx extensions
``sop_metadata`` and ``review_status`` apply these rules to what MyST parsed;
``python _ext/sop_review.py`` (``make review``) applies them to the sources
directly, without a build, and prints the review table. It exits 0 when
nothing is overdue, 1 when something is, 2 when metadata is invalid.

The day a review state is computed for is ``SOP_TODAY`` (YYYY-MM-DD), else
the day of ``SOURCE_DATE_EPOCH``, else today.

Nothing here imports Sphinx, so that ``make review`` stays fast.
"""

from __future__ import annotations

import calendar
import difflib
import fnmatch
import os
import runpy
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

KEYS = ("owner", "last_reviewed", "review_every", "status")
# Front-matter keys that Sphinx itself reads (file-wide metadata).
SPHINX_KEYS = ("orphan", "nosearch", "tocdepth")
# Keys MyST adds to a page's metadata by itself; no writer writes them.
MYST_KEYS = ("myst_slugs", "wordcount")
# Keys MyST takes out of the front matter for itself (myst_parser's
# DocutilsRenderer.render_front_matter): they never reach env.metadata, so
# make review drops them too.
MYST_CONSUMED = ("myst", "mystnb", "substitutions", "html_meta")
STATUSES = ("approved", "draft")
DUE_SOON_DAYS = 30

# Unless conf.py says otherwise (sop_exempt_pages, sop_review_every_months):
EXEMPT_BY_DEFAULT = ["index", "*/index"]  # pages that need no metadata
REVIEW_EVERY_BY_DEFAULT = 12  # months between reviews

CURRENT, DUE_SOON, OVERDUE, DRAFT = STATES = ("current", "due within 30 days", "overdue", "draft")


@dataclass(frozen=True)
class Problem:
    key: str | None  # the front-matter key at fault; None for the whole block
    message: str


@dataclass(frozen=True)
class Review:
    owner: str
    last_reviewed: date
    next_due: date
    status: str

    def state(self, today: date) -> str:
        if self.status == "draft":
            return DRAFT
        if self.next_due < today:
            return OVERDUE
        if self.next_due <= today + timedelta(days=DUE_SOON_DAYS):
            return DUE_SOON
        return CURRENT


# -- Validators --------------------------------------------------------------


def parse_iso_date(value: str) -> date:
    """The date in a strict ``YYYY-MM-DD`` string; ValueError otherwise."""
    text = str(value).strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def check_date(value: str, today: date) -> str | None:
    try:
        day = parse_iso_date(value)
    except ValueError as err:
        return str(err)
    if day > today:
        return f"{value!s} is in the future (today is {today.isoformat()})"
    return None


def check_owner(value: str) -> str | None:
    owner = str(value).strip()
    if not owner or owner in ("None", "null"):
        return "owner is empty: name the role or person who owns this page"
    if (owner.startswith("[") and owner.endswith("]")) or owner.upper() in ("TODO", "TBD", "FIXME"):
        return f"owner {owner!r} is a placeholder: name the role or person who owns this page"
    return None


def check_status(value: str) -> str | None:
    if str(value).strip() not in STATUSES:
        return f"status {value!r} is not one of: {', '.join(STATUSES)}"
    return None


def check_review_every(value: str) -> str | None:
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        return f"review_every {value!r} is not a whole number of months (1 or more)"
    return None


def check_keys(keys: Iterable[str]) -> list[Problem]:
    known = KEYS + SPHINX_KEYS
    problems = []
    for key in keys:
        if key not in known and key not in MYST_KEYS:
            hint = difflib.get_close_matches(key, known, n=1)
            guess = f" (did you mean {hint[0]!r}?)" if hint else ""
            problems.append(Problem(key, f"unknown front-matter key {key!r}{guess}; known: {', '.join(KEYS)}"))
    return problems


def validate(meta: Mapping[str, str], *, required: bool, today: date) -> list[Problem]:
    """Every problem with one page's metadata; ``required`` for procedure pages."""
    problems = check_keys(meta)
    for key in ("owner", "last_reviewed"):
        if required and key not in meta:
            problems.append(Problem(None, f"front matter has no {key!r}: every procedure page needs one"))
    checks = {
        "owner": check_owner,
        "last_reviewed": lambda v: check_date(v, today),
        "review_every": check_review_every,
        "status": check_status,
    }
    for key, check in checks.items():
        if key in meta and (message := check(meta[key])):
            problems.append(Problem(key, message))
    return problems


def unreadable_date(lines: list[str], today: date) -> list[Problem]:
    """Why YAML could not read a page's front matter, when the date is why.

    PyYAML rejects an impossible date such as 2026-02-30 outright, so the
    front matter as a whole is "malformed" and no value reaches the checks
    above. The raw ``last_reviewed:`` line then says which value it was.
    """
    if lines[:1] != ["---"]:
        return []
    for line in lines[1:]:
        if line.startswith(("---", "...")):
            break
        key, _, raw = line.partition(":")
        if key.strip() == "last_reviewed" and (message := check_date(raw.strip().strip("'\""), today)):
            return [Problem("last_reviewed", message)]
    return []


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_of(meta: Mapping[str, str], default_months: int) -> Review:
    """The review facts of valid metadata (see ``validate``)."""
    last = parse_iso_date(meta["last_reviewed"])
    months = int(meta.get("review_every", default_months))
    return Review(
        owner=str(meta["owner"]).strip(),
        last_reviewed=last,
        next_due=add_months(last, months),
        status=str(meta.get("status", "approved")).strip(),
    )


def review_day(environ: Mapping[str, str] = os.environ) -> date:
    """The day review states are computed for (see the module docstring)."""
    if environ.get("SOP_TODAY"):
        try:
            return parse_iso_date(environ["SOP_TODAY"])
        except ValueError as err:
            raise ValueError(f"SOP_TODAY: {err}") from None
    if environ.get("SOURCE_DATE_EPOCH"):
        try:
            return datetime.fromtimestamp(int(environ["SOURCE_DATE_EPOCH"]), tz=UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH {environ['SOURCE_DATE_EPOCH']!r} is not a number of seconds since 1970") from None
    return date.today()


def is_exempt(docname: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(docname, pattern) for pattern in patterns)


# -- The review table --------------------------------------------------------


@dataclass(frozen=True)
class Row:
    docname: str
    title: str
    section: str
    review: Review

    def cells(self, today: date) -> list[str]:
        r = self.review
        return [self.title, self.section, r.owner, r.last_reviewed.isoformat(), r.next_due.isoformat(), r.state(today)]


COLUMNS = ["Page", "Section", "Owner", "Last reviewed", "Next due", "State"]


def sort_rows(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (row.review.next_due, row.title.casefold()))


# -- make review: the same rules, read from the sources ----------------------


def _title(lines: list[str]) -> str:
    return next((line[2:].strip() for line in lines if line.startswith("# ")), "")


def _excluded(relpath: str, patterns: Iterable[str]) -> bool:
    parts = relpath.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatchcase(p, pattern) for p in prefixes for pattern in patterns)


def line_of(lines: list[str], key: str | None) -> int:
    """The line of ``key:`` in a page (1-based), or 1 for the whole front matter."""
    if key is not None:
        for number, line in enumerate(lines, 1):
            if line.startswith(f"{key}:") or line.startswith(f"{key} :"):
                return number
    return 1


def scan(root: Path, today: date) -> tuple[list[Row], list[str]]:
    """Rows for every procedure page under ``root``, and the problems found."""
    from myst_parser.config.main import TopmatterReadError, read_topmatter

    conf = runpy.run_path(str(root / "conf.py"))
    exclude, exempt = conf.get("exclude_patterns", []), conf.get("sop_exempt_pages", EXEMPT_BY_DEFAULT)
    default_months = conf.get("sop_review_every_months", REVIEW_EVERY_BY_DEFAULT)
    rows, problems = [], []
    for path in sorted(root.rglob("*.md")):
        relpath = path.relative_to(root).as_posix()
        if _excluded(relpath, exclude):
            continue
        docname = relpath.removesuffix(".md")
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        try:
            raw = read_topmatter(text) or {}
        except TopmatterReadError:
            found = unreadable_date(lines, date.today()) or [Problem(None, "front matter is not valid YAML")]
            problems += [f"{relpath}:{line_of(lines, p.key)}: {p.message}" for p in found]
            continue
        meta = {str(k): str(v) for k, v in raw.items() if k not in MYST_CONSUMED}
        required = not is_exempt(docname, exempt)
        found = validate(meta, required=required, today=date.today())
        problems += [f"{relpath}:{line_of(lines, p.key)}: {p.message}" for p in found]
        if required and not found:
            folder = docname.rpartition("/")[0]
            index = root / folder / "index.md"
            section = _title(index.read_text(encoding="utf-8").splitlines()) if index.exists() else ""
            rows.append(Row(docname, _title(lines), section, review_of(meta, default_months)))
    return sort_rows(rows), problems


def format_table(rows: list[Row], today: date) -> str:
    table = [COLUMNS, *(row.cells(today) for row in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(root: Path = Path(__file__).resolve().parent.parent) -> int:
    try:
        today = review_day()
    except ValueError as err:
        print(f"make review: {err}", file=sys.stderr)
        return 2
    rows, problems = scan(root, today)
    if problems:
        print("Invalid page metadata:", *problems, sep="\n  ", file=sys.stderr)
        return 2
    print(f"Review status for {today.isoformat()}: {len(rows)} procedure pages\n")
    print(format_table(rows, today))
    overdue = [row for row in rows if row.review.state(today) == OVERDUE]
    if overdue:
        print(f"\n{len(overdue)} overdue:")
        for row in overdue:
            print(f"  {row.docname}.md  due {row.review.next_due.isoformat()}  ({row.review.owner})")
        return 1
    print("\nNothing is overdue.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
