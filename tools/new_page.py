"""make new: scaffold a page from the manual's own templates.

    make new KIND=runbook  TITLE="Acme Payments API"
    make new KIND=decision TITLE="Use Restic for Backup Orchestration"
    make new KIND=policy   TITLE="Log Retention Policy" SECTION=logging-and-metrics

(``KIND``, ``TITLE`` and ``SECTION`` reach this script through the
environment, so a title may hold any punctuation.) It writes the page with
its front matter (``last_reviewed`` today, ``status: draft``, and an owner
placeholder that fails the build until the writer names one), lists it in
its section's toctree, and prints the path and what to do next.

* runbook → ``runbooks/<slug>.md``, from the Template block of the Runbook
  Template page, listed in title order after the template;
* decision → ``decision-logs/YYYY-MM-DD-<slug>.md``, from the Template block
  of the Decision Log Template page, listed newest first after the template;
* policy → ``<SECTION>/<slug>.md``, with the sections every policy of the
  manual has, listed last in its section.

Bad input (an unknown kind or section, an empty title, a title that makes
an empty or unsafe name, a page that exists) gets one message, exit status
2, and nothing is written.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWNER_PLACEHOLDER = "[Owner]"
# File names stay well under the 255 bytes file systems allow, and readable in a URL.
MAX_SLUG = 80
# Sections whose pages have a kind of their own.
KIND_OF_SECTION = {"runbooks": "runbook", "decision-logs": "decision"}
POLICY_SKELETON = """# {title}

## Purpose

[What this policy is for, in a sentence.]

## Scope

[The systems, people and data it covers.]

## Policy

1. [One rule per item.]

## Exceptions

[Who may approve an exception, and how it is recorded.]
"""


class Refused(Exception):
    """Bad input: the message says what, and nothing has been written."""


@dataclass(frozen=True)
class Page:
    path: Path
    text: str
    toctree: Path
    entry: str


def slug(title: str) -> str:
    if not title.strip():
        raise Refused("TITLE is empty: give the page a title, e.g. TITLE=\"Acme Payments API\"")
    if any(unicodedata.category(c) == "Cc" for c in title):
        raise Refused("TITLE contains a control character")
    if "/" in title or "\\" in title or ".." in title:
        raise Refused(f"TITLE {title!r} contains '/', '\\' or '..': a title names a page, not a path")
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if not name:
        raise Refused(f"TITLE {title!r} has no letters or digits to name the file with")
    if len(name) > MAX_SLUG:
        raise Refused(f"TITLE makes a file name of {len(name)} characters (at most {MAX_SLUG}): shorten it")
    return name


def template_block(page: Path) -> str:
    """The text of the Markdown block under a template page's Template heading."""
    found = re.search(r"^## Template\n.*?^````markdown\n(.*?)\n````$", page.read_text(encoding="utf-8"), re.S | re.M)
    if not found:
        raise Refused(f"{page.relative_to(ROOT)} has no Template block to copy")
    return found[1]


def front_matter(today: date) -> str:
    return f'---\nowner: "{OWNER_PLACEHOLDER}"\nlast_reviewed: {today.isoformat()}\nstatus: draft\n---\n\n'


def sections() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/index.md"))


def plan(kind: str, title: str, section: str, today: date) -> Page:
    name = slug(title)
    if kind == "runbook":
        body = template_block(ROOT / "runbooks/runbook-template.md").replace("[System Name]", title.strip(), 1)
        return Page(ROOT / "runbooks" / f"{name}.md", front_matter(today) + body + "\n", ROOT / "runbooks/index.md", name)
    if kind == "decision":
        stem = f"{today.isoformat()}-{name}"
        body = template_block(ROOT / "decision-logs/decision-log-template.md")
        body = body.replace("## [YYYY-MM-DD] [Decision Title]", f"# {today.isoformat()} {title.strip()}", 1)
        return Page(ROOT / "decision-logs" / f"{stem}.md", front_matter(today) + body + "\n", ROOT / "decision-logs/index.md", stem)
    if kind == "policy":
        if section not in sections():
            raise Refused(f"SECTION {section!r} is not a section; one of: {', '.join(sections())}")
        if section in KIND_OF_SECTION:
            raise Refused(f"SECTION {section!r} holds {KIND_OF_SECTION[section]} pages: use KIND={KIND_OF_SECTION[section]}")
        text = front_matter(today) + POLICY_SKELETON.format(title=title.strip())
        return Page(ROOT / section / f"{name}.md", text, ROOT / section / "index.md", name)
    raise Refused(f"KIND {kind!r} is not one of: runbook, decision, policy")


def with_entry(index: str, entry: str, kind: str) -> str:
    """The section index with ``entry`` in its toctree, in its place."""
    match = re.search(r"^```\{toctree\}\n(?P<options>(?::.*\n)*)\n?(?P<entries>(?:.+\n)*?)```$", index, re.M)
    if not match:
        raise Refused("the section index has no toctree to list the page in")
    entries = match["entries"].splitlines()
    # After the template; runbooks in name order, decisions newest first
    # (YYYY-MM-DD- names), policies last. The writer's own order of the other
    # entries is kept: the new one goes before the first that sorts after it.
    place = len(entries)
    if kind in ("runbook", "decision"):
        after = (lambda e: e > entry) if kind == "runbook" else (lambda e: e < entry)
        place = next((i for i, e in enumerate(entries) if not e.endswith("-template") and after(e)), len(entries))
    listed = "".join(f"{e}\n" for e in [*entries[:place], entry, *entries[place:]])
    return index[: match.start("entries")] + listed + index[match.end("entries"):]


def main(environ: dict[str, str] = os.environ) -> int:
    kind = environ.get("KIND", "").strip()
    title = environ.get("TITLE", "")
    section = environ.get("SECTION", "").strip()
    try:
        page = plan(kind, title, section, date.today())
        index = with_entry(page.toctree.read_text(encoding="utf-8"), page.entry, kind)
        try:
            with page.path.open("x", encoding="utf-8") as new:  # "x": never over a page that exists
                new.write(page.text)
        except FileExistsError:
            raise Refused(f"{page.path.relative_to(ROOT)} exists already; it is left as it is") from None
    except Refused as refusal:
        print(f"make new: {refusal}", file=sys.stderr)
        return 2
    page.toctree.write_text(index, encoding="utf-8")
    relative = page.path.relative_to(ROOT)
    print(f"Created {relative}, listed in {page.toctree.relative_to(ROOT)}.")
    print("Next:")
    print(f"  1. Set `owner:` in its front matter: the build fails while it says {OWNER_PLACEHOLDER}.")
    print("  2. Fill in every [placeholder]; link the first use of each glossary term.")
    print("  3. make serve to preview it, make test before you push; make inventory adds its URL to deep-links.txt.")
    print("  4. When it is approved, remove `status: draft`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
