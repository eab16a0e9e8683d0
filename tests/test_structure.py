"""What a reader gets, asserted on the manual built once for the session."""

from __future__ import annotations

import re
import zlib

import pytest

from conftest import ROOT, text

SECTIONS = [
    ("production-ownership", "Production Ownership"),
    ("client-onboarding", "Client Onboarding"),
    ("system-handoff-acceptance", "System Handoff Acceptance"),
    ("monitoring-and-alerting", "Monitoring and Alerting"),
    ("logging-and-metrics", "Logging and Metrics"),
    ("backup-and-restore", "Backup and Restore"),
    ("secrets-management", "Secrets Management"),
    ("security-operations", "Security Operations"),
    ("incident-response", "Incident Response"),
    ("change-management", "Change Management"),
    ("access-control", "Access Control"),
    ("runbooks", "Runbooks"),
    ("decision-logs", "Decision Logs"),
]

# The seed's 15 pages, in sidebar order, with their titles.
SEED_PAGES = {
    "production-ownership/production-ownership-policy.html": "Production Ownership Policy",
    "client-onboarding/new-managed-system-onboarding-checklist.html": "New Managed System Onboarding Checklist",
    "system-handoff-acceptance/managed-production-acceptance-criteria.html": "Managed Production Acceptance Criteria",
    "system-handoff-acceptance/handoff-acceptance-checklist.html": "Handoff Acceptance Checklist",
    "monitoring-and-alerting/alert-severity-matrix.html": "Alert Severity Matrix",
    "monitoring-and-alerting/slack-alert-routing-policy.html": "Slack Alert Routing Policy",
    "monitoring-and-alerting/sms-escalation-policy.html": "SMS Escalation Policy",
    "backup-and-restore/backup-policy.html": "Backup Policy",
    "backup-and-restore/restore-testing-policy.html": "Restore Testing Policy",
    "secrets-management/secrets-management-policy.html": "Secrets Management Policy",
    "security-operations/security-monitoring-policy.html": "Security Monitoring Policy",
    "security-operations/cloudflare-ownership-admin-policy.html": "Cloudflare Ownership and Administration Policy",
    "change-management/production-change-policy.html": "Production Change Policy",
    "runbooks/runbook-template.html": "Runbook Template",
    "decision-logs/decision-log-template.html": "Decision Log Template",
}
# The first procedures of the sections the seed left empty, drafts.
DRAFT_PAGES = {
    "logging-and-metrics/logging-and-metrics-policy.html": "Logging and Metrics Policy",
    "incident-response/incident-response-process.html": "Incident Response Process",
    "access-control/access-control-policy.html": "Access Control Policy",
}
# Every procedure page, in sidebar order.
PAGES = {
    page: title
    for directory, _ in SECTIONS
    for page, title in {**SEED_PAGES, **DRAFT_PAGES}.items()
    if page.startswith(directory + "/")
}
ALL_PAGES = ["index.html", *(f"{d}/index.html" for d, _ in SECTIONS), *PAGES, "glossary.html", "review-status.html"]


def test_the_manual_builds_without_a_warning(site):
    assert site.warnings == []


def sections_toctree(site):
    """The sidebar's first toctree: the 13 sections (the second is about the manual)."""
    return site.html("index.html").select(".sidebar-tree > ul")[0]


def test_sidebar_lists_the_13_sections_in_order(site):
    links = sections_toctree(site).select("li.toctree-l1 > a")
    assert [(a["href"], text(a)) for a in links] == [(f"{d}/index.html", label) for d, label in SECTIONS]


def test_the_sections_the_seed_left_empty_are_in_the_sidebar(site):
    labels = [text(a) for a in sections_toctree(site).select("li.toctree-l1 > a")]
    for directory in ("logging-and-metrics", "incident-response", "access-control"):
        page = site.html(f"{directory}/index.html")
        assert dict(SECTIONS)[directory] in labels
        assert text(page.select_one("article h1")).startswith(dict(SECTIONS)[directory])
        assert len(page.select("article .toctree-wrapper a")) == 1  # its first, draft, procedure


@pytest.mark.parametrize("page", ALL_PAGES)
def test_brand_and_footer_on_every_page(site, page):
    html = site.html(page)
    assert text(html.select_one(".sidebar-brand")) == "Anchor SOP"
    assert not html.select(".sidebar-brand img")
    assert text(html.select_one(".bottom-of-page")) == "Anchor MSP — Internal Use Only"


def test_landing_page_is_the_site_root(site):
    home = site.html("index.html")
    assert text(home.select_one("article h1")).startswith("Anchor MSP — Standard Operating Procedures")
    assert not (site.outdir / "docs").exists()
    assert not (site.outdir / "intro.html").exists()


@pytest.mark.parametrize(("page", "title"), PAGES.items(), ids=list(PAGES))
def test_each_page_is_at_its_path_with_its_title(site, page, title):
    assert text(site.html(page).select_one("article h1")).startswith(title)


def test_every_page_is_reachable_from_the_sidebar(site):
    hrefs = {a["href"] for a in site.html("index.html").select(".sidebar-tree a.reference")}
    assert set(ALL_PAGES) - {"index.html"} <= hrefs
    # and in the seed's sidebar_position order
    order = [a["href"] for a in sections_toctree(site).select("li.toctree-l2 > a")]
    assert order == list(PAGES)


def test_section_toctrees_follow_the_seed_order(site):
    for directory, _ in SECTIONS:
        listed = [a["href"] for a in site.html(f"{directory}/index.html").select("article .toctree-wrapper a")]
        expected = [p.split("/", 1)[1] for p in PAGES if p.startswith(directory + "/")]
        assert listed == expected, directory


@pytest.mark.parametrize(
    ("page", "count"),
    [
        ("system-handoff-acceptance/handoff-acceptance-checklist.html", 10),
        ("client-onboarding/new-managed-system-onboarding-checklist.html", 15),
    ],
)
def test_checklists_render_as_checkboxes(site, page, count):
    html = site.html(page)
    boxes = html.select("article ul.contains-task-list > li.task-list-item > p > input[type=checkbox]")
    assert len(boxes) == count
    # no bullet beside a checkbox: the list style is removed for task lists
    css = (site.outdir / "_static/anchor.css").read_text()
    assert re.search(r"ul\.contains-task-list\s*\{[^}]*list-style:\s*none", css)
    assert html.select_one('link[href*="_static/anchor.css"]')


# Each cross-reference in the seed's text: (page, link text, target).
CROSS_REFERENCES = [
    ("system-handoff-acceptance/handoff-acceptance-checklist.html", "Managed Production Acceptance Criteria", "managed-production-acceptance-criteria.html"),
    ("system-handoff-acceptance/handoff-acceptance-checklist.html", "Runbook Template", "../runbooks/runbook-template.html"),
    ("client-onboarding/new-managed-system-onboarding-checklist.html", "Managed Production Acceptance Criteria", "../system-handoff-acceptance/managed-production-acceptance-criteria.html"),
    ("client-onboarding/new-managed-system-onboarding-checklist.html", "Runbook Template", "../runbooks/runbook-template.html"),
    ("client-onboarding/new-managed-system-onboarding-checklist.html", "Handoff Acceptance Checklist", "../system-handoff-acceptance/handoff-acceptance-checklist.html"),
    ("backup-and-restore/backup-policy.html", "Alert Severity Matrix", "../monitoring-and-alerting/alert-severity-matrix.html"),
    ("secrets-management/secrets-management-policy.html", "system onboarding process", "../client-onboarding/new-managed-system-onboarding-checklist.html"),
    ("security-operations/cloudflare-ownership-admin-policy.html", "change management process", "../change-management/production-change-policy.html"),
    ("security-operations/cloudflare-ownership-admin-policy.html", "Secrets Management Policy", "../secrets-management/secrets-management-policy.html"),
    ("change-management/production-change-policy.html", "Production Ownership Policy", "../production-ownership/production-ownership-policy.html"),
]


@pytest.mark.parametrize(("page", "label", "target"), CROSS_REFERENCES)
def test_seed_cross_references_are_resolved_internal_links(site, page, label, target):
    links = {text(a): a["href"] for a in site.html(page).select("article a.reference.internal")}
    assert links.get(label) == target


def test_restored_structure(site):
    matrix = site.html("production-ownership/production-ownership-policy.html")
    cells = [text(td) for td in matrix.select("article table td")]
    assert cells.count("—") == 5 and "" not in cells
    sms = site.html("monitoring-and-alerting/sms-escalation-policy.html")
    assert len(sms.select("article ol > li > ul > li")) == 3
    security = site.html("security-operations/security-monitoring-policy.html")
    assert [len(li.select("ul > li")) for li in security.select("article ol > li")] == [3, 3, 3, 3, 0, 0]


def template_blocks(source: str) -> list[str]:
    """The text inside each four-backtick block of a template page's source."""
    return re.findall(r"^````markdown\n(.*?)\n````$", source, flags=re.S | re.M)


@pytest.mark.parametrize("page", ["runbooks/runbook-template", "decision-logs/decision-log-template"])
def test_templates_are_copyable_code_blocks_with_their_inner_fences(site, page):
    html = site.html(page + ".html")
    assert html.select_one('script[src*="_static/copybutton.js"]')
    blocks = [pre.get_text() for pre in html.select("article div.highlight-markdown div.highlight pre")]
    expected = template_blocks((ROOT / f"{page}.md").read_text(encoding="utf-8"))
    assert len(expected) == 2
    # copybutton copies the text of these <pre> elements: the template exactly
    assert [b.rstrip("\n") for b in blocks] == expected
    if page.startswith("runbooks"):
        assert all(b.count("```bash") == 4 for b in blocks)
        assert "docker compose up -d --scale acme-payments=3" in blocks[1]


def test_sphinx_search_is_built(site):
    search = site.html("search.html")
    assert search.select_one('script[src*="_static/searchtools.js"]')
    assert search.select_one('script[src*="searchindex.js"]')
    assert search.select_one('form input[name="q"]')
    index = (site.outdir / "searchindex.js").read_text(encoding="utf-8")
    assert "Secrets Management Policy" in index and '"vault"' in index


def test_the_search_page_loads_this_builds_ranking_hints(site):
    """The ?v= checksum is the hints file's own, so no browser keeps a stale copy."""
    script = site.html("search.html").select_one('script[src*="sop-search-hints.js"]')["src"]
    content = (site.outdir / "_static/sop-search-hints.js").read_bytes()
    assert script.endswith(f"?v={zlib.crc32(content):08x}")


def test_page_sources_are_not_published(site):
    assert not (site.outdir / "_sources").exists()
    assert not site.html("index.html").select('a[href*="_sources"]')


def test_nothing_outside_the_pages_is_published(site):
    published = {p.relative_to(site.outdir).as_posix() for p in site.outdir.rglob("*.html")}
    assert published == set(ALL_PAGES) | {"genindex.html", "search.html", "404.html"}


# XML namespace names are identifiers that no browser fetches.
NAMESPACES = re.compile(r"http://www\.w3\.org/(2000/svg|1999/xlink|1999/xhtml|XML/1998/namespace)")
URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s\"'<>)]*", re.I)
LOOPBACK = re.compile(r"(?:https?:)?//(127\.0\.0\.1|localhost)\b")


def code_without_comments(code: str) -> str:
    """JS or CSS with /* */ comments and whole-line // comments removed."""
    code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$", "", code)


def test_no_url_to_another_host_in_any_built_file(site):
    offenders = []
    for path in site.outdir.rglob("*"):
        if not path.is_file() or path.suffix in {".png", ".inv"}:
            continue
        body = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix in {".js", ".css"}:
            body = code_without_comments(body)
        if path.suffix == ".map" or path.name.endswith(".LICENSE.txt"):
            continue  # never requested by a browser: source maps and licence notices
        for url in URL.findall(NAMESPACES.sub("", body)):
            if not LOOPBACK.match(url):
                offenders.append(f"{path.relative_to(site.outdir)}: {url}")
    assert offenders == []
