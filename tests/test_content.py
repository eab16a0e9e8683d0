"""The completed manual: draft procedures, glossary, flows, cards, badges."""

from __future__ import annotations

import posixpath
import re

import pytest

from conftest import ROOT, text
from facts import glossary
from test_structure import ALL_PAGES, DRAFT_PAGES, SECTIONS

# -- Draft procedures built from rules stated elsewhere ----------------------


@pytest.mark.parametrize("page", DRAFT_PAGES)
def test_each_rule_of_a_draft_page_links_to_the_page_that_states_it(site, page):
    article = site.html(page).select_one("article")
    rules = article.select("section > ol > li") + article.select("section table tbody tr")
    assert len(rules) >= 5
    for rule in rules:
        sources = [
            a["href"] for a in rule.select("a.reference.internal")
            if "glossary.html" not in a["href"] and not a["href"].startswith("#")
        ]
        assert sources, f"{page}: a rule with no source page: {text(rule)[:80]}"


def test_draft_pages_add_no_numbers_of_their_own(site):
    """Every number on a draft page appears on one of the pages it cites."""
    for page in DRAFT_PAGES:
        html = site.html(page)
        cited = {a["href"].split("#")[0] for a in html.select("article a.reference.internal") if not a["href"].startswith("#")}
        sources = " ".join(text(site.html(posixpath.normpath(posixpath.join(posixpath.dirname(page), href))).select_one("article")) for href in cited)
        body = text(html.select_one("article section"))
        for number in set(re.findall(r"\b\d+ (?:minutes?|hours?)\b", body)):
            assert number in sources, f"{page} says {number!r}, which none of its sources says"


# Seed references to processes and pages that now exist: (page, link text, target).
NEW_REFERENCES = [
    ("security-operations/security-monitoring-policy.html", "incident response process", "../incident-response/incident-response-process.html"),
    ("change-management/production-change-policy.html", "incident", "../incident-response/incident-response-process.html"),
    ("backup-and-restore/restore-testing-policy.html", "incident", "../incident-response/incident-response-process.html"),
    ("monitoring-and-alerting/sms-escalation-policy.html", "incident", "../incident-response/incident-response-process.html"),
    ("system-handoff-acceptance/managed-production-acceptance-criteria.html", "handoff acceptance checklist", "handoff-acceptance-checklist.html"),
    ("monitoring-and-alerting/slack-alert-routing-policy.html", "handoff acceptance checklist", "../system-handoff-acceptance/handoff-acceptance-checklist.html"),
    ("security-operations/cloudflare-ownership-admin-policy.html", "emergency change process", "../change-management/production-change-policy.html#emergency-changes"),
    ("change-management/production-change-policy.html", "emergency change process", "#emergency-changes"),
    ("monitoring-and-alerting/slack-alert-routing-policy.html", "SMS escalation", "sms-escalation-policy.html"),
    ("system-handoff-acceptance/handoff-acceptance-checklist.html", "SMS escalation", "../monitoring-and-alerting/sms-escalation-policy.html"),
    ("client-onboarding/new-managed-system-onboarding-checklist.html", "SMS escalation", "../monitoring-and-alerting/sms-escalation-policy.html"),
    ("security-operations/security-monitoring-policy.html", "standard alert pipeline", "../monitoring-and-alerting/slack-alert-routing-policy.html"),
    ("production-ownership/production-ownership-policy.html", "incident response", "../incident-response/incident-response-process.html"),
    ("production-ownership/production-ownership-policy.html", "Incident response", "../incident-response/incident-response-process.html"),
    ("index.html", "Incident response", "incident-response/incident-response-process.html"),
    ("index.html", "Logging", "logging-and-metrics/logging-and-metrics-policy.html"),
    ("index.html", "Change management", "change-management/production-change-policy.html"),
    ("index.html", "restore testing", "backup-and-restore/restore-testing-policy.html"),
    ("index.html", "access control", "access-control/access-control-policy.html"),
]


@pytest.mark.parametrize(("page", "label", "target"), NEW_REFERENCES)
def test_seed_references_to_pages_that_now_exist_are_links(site, page, label, target):
    links = [(text(a), a["href"]) for a in site.html(page).select("article a.reference.internal")]
    assert (label, target) in links


# -- Glossary ---------------------------------------------------------------

REQUIRED_TERMS = {
    "Managed production", "Handoff acceptance", "Critical", "High", "Medium", "Low", "On-call",
    "Acknowledgement", "Break-glass access", "Standard change", "Normal change", "Emergency change",
    "Runbook", "Decision log", "Restore test", "Service identity",
    "Grafana", "Prometheus", "Loki", "Alertmanager", "Uptime Kuma", "Wazuh", "CrowdSec", "PostHog",
    "Restic", "Vault", "Slack", "Twilio",
}

# What counts as a use of a term in running text (case-insensitive, whole words).
USES = {
    "Managed production": r"managed production",
    "Handoff acceptance": r"handoff acceptance(?! checklist)",
    "On-call": r"on-call",
    "Acknowledgement": r"acknowledg(?:e)?ment",
    "Break-glass access": r"break-glass(?: access)?",
    "Service identity": r"service identity",
    "Runbook": r"runbooks?",
    "Decision log": r"decision logs?",
    "Restore test": r"restore tests?",
    "Critical": r"critical severity|critical alerts?",
    "High": r"high severity",
    "Normal change": r"normal changes?",
    "Emergency change": r"emergency changes?",
    **{tool: re.escape(tool) for tool in (
        "Grafana", "Prometheus", "Loki", "Alertmanager", "Uptime Kuma", "Wazuh", "CrowdSec", "PostHog",
        "Restic", "Vault", "Slack", "Twilio", "Cloudflare",
    )},
}
# Not running text: headings, code, the page header, summaries (figures, cards).
SKIP = {"h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "figure", "script", "style"}
SKIP_CLASSES = {"sop-page-meta", "sop-section-cards", "sd-card", "toctree-wrapper"}


def term_ids(build) -> dict[str, str]:
    return {text(dt).rstrip("¶ ").strip(): dt["id"] for dt in build.html("glossary.html").select("dl.glossary dt")}


def first_use_problems(build, page: str) -> list[str]:
    """Terms whose first use in a page's running text is not a link to its entry."""
    ids = term_ids(build)
    problems, seen = [], set()
    for string in build.html(page).select_one("article").find_all(string=True):
        ancestors = list(string.parents)
        if any(a.name in SKIP or SKIP_CLASSES & set(a.get("class", [])) for a in ancestors):
            continue
        link = next((a for a in ancestors if a.name == "a"), None)
        is_term = link is not None and link.select_one("span.std-term") is not None
        if link is not None and not is_term:
            continue  # inside another link: cannot be a term link too
        for term, pattern in USES.items():
            if term in seen or not re.search(rf"(?<![\w-])(?:{pattern})(?![\w-])", string, re.I):
                continue
            seen.add(term)
            if not (is_term and link["href"].endswith(f"glossary.html#{ids[term]}")):
                problems.append(f"{page}: first use of {term!r} is not a link to its glossary entry: {string.strip()[:60]!r}")
    return problems


def test_the_glossary_defines_every_term_the_manual_relies_on(site):
    defined = {term for group in glossary(site).values() for term in group}
    assert REQUIRED_TERMS <= defined
    assert all(definition.strip() for group in glossary(site).values() for definition in group.values())


@pytest.mark.parametrize("page", [p for p in ALL_PAGES if p not in ("glossary.html", "review-status.html")])
def test_the_first_use_of_each_term_links_to_its_entry(site, page):
    assert first_use_problems(site, page) == []


def test_a_first_use_without_its_link_is_found(planted):
    problems = first_use_problems(planted, "secrets-management/secrets-management-policy.html")
    assert problems == [
        "secrets-management/secrets-management-policy.html: first use of 'Vault' is not a link to its glossary entry: 'Vault'"
    ]


def test_the_glossary_is_in_the_sidebar_and_exempt_from_review(site):
    about = site.html("index.html").select(".sidebar-tree > ul")[1]
    assert [text(a) for a in about.select("a")] == ["Glossary", "Review status"]
    assert not site.html("glossary.html").select(".sop-page-meta")


# -- Flows -------------------------------------------------------------------

FLOWS = {
    "monitoring-and-alerting/sms-escalation-policy.html": [[
        "0 minutes: SMS to the primary on-call operator",
        "10 minutes: SMS to the secondary on-call operator",
        "20 minutes: SMS to the team lead",
        "30 minutes: escalated to the Operations Lead",
    ]],
    "change-management/production-change-policy.html": [
        ["Submitted", "Reviewed", "Approved", "Scheduled", "Executed", "Verified"],
    ],
    "monitoring-and-alerting/slack-alert-routing-policy.html": [
        ["Critical", "#alerts-critical", "SMS escalation"],
        ["High", "#alerts-high"],
        ["Medium", "#alerts-medium"],
        ["Low", "#alerts-low"],
    ],
}


@pytest.mark.parametrize("page", FLOWS)
def test_flows_are_figures_of_ordinary_lists(site, page):
    figure = site.html(page).select_one("article figure.sop-flow")
    rows = [[text(step) for step in row.select("ol.sop-flow-steps > li")] for row in figure.select("li.sop-flow-row")]
    assert rows == FLOWS[page]
    assert text(figure.select_one("figcaption"))  # the figure's name for screen readers
    # no image, no script: the arrows are CSS, the steps are text
    assert not figure.select("img, svg, script, object")
    assert "→" not in text(figure)


def test_the_onboarding_path_groups_all_15_steps_into_stages_ending_in_sign_off(site):
    page = site.html("client-onboarding/new-managed-system-onboarding-checklist.html")
    figure = page.select_one("article figure.sop-flow")
    labels = [text(p) for p in figure.select(".sop-flow-label")]
    steps = [text(li) for li in figure.select("ol.sop-flow-steps > li")]
    assert labels == ["Intake", "Monitoring and alerting", "Data and secrets", "Analytics and security", "Handoff"]
    assert [int(step.split(".")[0]) for step in steps] == list(range(1, 16))
    assert steps[-1] == "15. Handoff sign-off"
    # each step of the figure is a step of the checklist, in its order
    items = [text(li.select_one("strong")) for li in page.select("ul.contains-task-list > li")]
    assert [s.split(".")[0] for s in steps] == [i.split(".")[0] for i in items]


def test_flow_arrows_are_hidden_from_screen_readers():
    css = (ROOT / "_static/anchor.css").read_text()
    assert 'content: "→" / "";' in css


# -- Landing page cards ------------------------------------------------------


def test_landing_page_has_a_card_per_section_with_its_page_count(site):
    home = site.html("index.html")
    cards = home.select(".sop-section-cards .sd-card")
    assert [text(c.select_one(".sd-card-title")) for c in cards] == [label for _, label in SECTIONS]
    for card, (directory, _) in zip(cards, SECTIONS):
        assert card.select_one("a.sd-stretched-link")["href"] == f"{directory}/index.html"
        listed = len(site.html(f"{directory}/index.html").select("article .toctree-wrapper li.toctree-l1"))
        assert text(card.select_one(".sd-card-footer")) == (f"{listed} page" + ("s" if listed > 1 else ""))
        assert text(card.select_one(".sd-card-text"))  # the one-line description


def test_landing_page_has_three_start_here_paths(site):
    cards = site.html("index.html").select(".sop-start-here .sd-card")
    titles = [text(c.select_one(".sd-card-title")) for c in cards]
    assert titles == ["On call now", "Onboarding a system", "Writing a procedure"]
    first = [c.select_one("a.reference.internal")["href"] for c in cards]
    assert first == [
        "monitoring-and-alerting/alert-severity-matrix.html",
        "system-handoff-acceptance/managed-production-acceptance-criteria.html",
        "runbooks/runbook-template.html",
    ]


# -- Severity badges ---------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "column"),
    [("monitoring-and-alerting/alert-severity-matrix.html", 0), ("monitoring-and-alerting/slack-alert-routing-policy.html", 1)],
)
def test_severity_names_in_tables_are_badges(site, page, column):
    rows = site.html(page).select("article table tbody tr")
    badges = [tr.select("td")[column].select_one("span.sop-severity") for tr in rows]
    assert [(text(b), b["class"][-1]) for b in badges] == [
        ("Critical", "sop-severity-critical"), ("High", "sop-severity-high"),
        ("Medium", "sop-severity-medium"), ("Low", "sop-severity-low"),
    ]


SEVERITY_IN_WORDS = re.compile(r"\b(critical|high|medium|low)\b(?= (?:alerts?|severity)\b)", re.I)


def test_every_severity_named_in_a_table_is_a_badge(site):
    unbadged = []
    for page in ALL_PAGES:
        for cell in site.html(page).select("article table td"):
            badged = {text(b).lower() for b in cell.select("span.sop-severity")}
            unbadged += [(page, m[1]) for m in SEVERITY_IN_WORDS.finditer(text(cell)) if m[1].lower() not in badged]
    assert unbadged == []


@pytest.mark.parametrize("fence", ["```", "````", ":::"])
def test_section_cards_count_a_toctree_in_any_fence(fence):
    from section_cards import summary

    source = f"# Runbooks\n\nOne runbook for every {{term}}`managed system <Managed production>`.\n\n{fence}{{toctree}}\n:maxdepth: 1\n\nrunbook-template\nacme-payments-api\n{fence}\n"
    assert summary(source) == ("Runbooks", "One runbook for every managed system.", 2)
