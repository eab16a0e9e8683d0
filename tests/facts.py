"""Facts that several pages state, read off the built HTML and compared.

Each check returns the contradictions it found, one sentence each, naming
both pages; an empty list means the pages agree. ``contradictions(build)``
runs them all. test_facts.py runs it on the real manual (nothing may be
found) and on a copy with contradictions planted (each must be found).
"""

from __future__ import annotations

import re

from conftest import text

MATRIX = "monitoring-and-alerting/alert-severity-matrix.html"
ROUTING = "monitoring-and-alerting/slack-alert-routing-policy.html"
SMS = "monitoring-and-alerting/sms-escalation-policy.html"
BACKUP = "backup-and-restore/backup-policy.html"
LANDING = "index.html"
GLOSSARY = "glossary.html"

IR = "incident-response/incident-response-process.html"

CHANNEL = re.compile(r"#alerts-[a-z0-9-]+")
# Operations tools a writer might name beside the manual's own stack. A page
# that names one has brought a tool in without adding it to the stack table.
# (The Runbook Template's example application's own dependencies, PostgreSQL,
# Redis, Stripe and Docker, are the application's, not Anchor's tools.)
OTHER_TOOLS = (
    "Sentry", "PagerDuty", "Opsgenie", "Datadog", "New Relic", "Splunk", "Elasticsearch", "Kibana",
    "Logstash", "Graylog", "Fluentd", "Fluent Bit", "Promtail", "Nagios", "Zabbix", "Icinga", "Pingdom",
    "UptimeRobot", "Statuspage", "CloudWatch", "Jaeger", "Thanos", "Mimir", "VictoriaMetrics", "Terraform",
    "Ansible", "Jenkins", "Consul", "1Password", "Bitwarden", "BorgBackup", "Veeam", "Velero", "Fail2ban",
    "OSSEC", "Suricata", "Snort", "Microsoft Teams", "Mattermost", "Discord", "Vonage", "MessageBird",
)
# "**10 minutes:** If unacknowledged, SMS sent to **secondary on-call operator**"
CHAIN_STEP = re.compile(r"(\d+) minutes: [^.]*?(primary on-call operator|secondary on-call operator|team lead|Operations Lead)")


def table(page, heading_id: str) -> list[dict[str, str]]:
    """The rows of the first table under a section, keyed by column name."""
    section = page.find("section", id=heading_id)
    grid = section.find("table")
    names = [text(th) for th in grid.select("thead th")]
    return [dict(zip(names, (text(td) for td in tr.select("td")))) for tr in grid.select("tbody tr")]


def matrix(build) -> dict[str, dict[str, str]]:
    return {row["Severity"]: row for row in table(build.html(MATRIX), "severity-levels")}


def routing(build) -> dict[str, str]:
    """Severity → channel, from the routing policy's table."""
    return {row["Severity"]: row["Channel"] for row in table(build.html(ROUTING), "channel-structure")}


def check_matrix_channels_match_routing(build) -> list[str]:
    found = []
    routed = routing(build)
    for severity, row in matrix(build).items():
        channel = CHANNEL.search(row["Slack Channel"])[0]
        if routed.get(severity) != channel:
            found.append(
                f"{MATRIX} routes {severity} to {channel}, "
                f"{ROUTING} to {routed.get(severity, 'no channel')}"
            )
    for severity in routed.keys() - matrix(build).keys():
        found.append(f"{ROUTING} routes severity {severity}, which {MATRIX} does not define")
    return found


def check_critical_response_matches_acknowledgement(build) -> list[str]:
    response = matrix(build)["Critical"]["Response Time"]
    window = re.search(r"within (\d+ minutes) of receiving the SMS", text(build.html(SMS).select_one("article")))
    window = window[1] if window else "no window"
    found = []
    if window != response:
        found.append(f"{MATRIX} gives critical alerts {response} to respond, {SMS} {window} to acknowledge")
    definitions = {term: words for section in glossary(build).values() for term, words in section.items()}
    if f"within {response}" not in definitions.get("Acknowledgement", ""):
        found.append(f"{GLOSSARY} defines Acknowledgement otherwise than {SMS} and {MATRIX} (within {response})")
    return found


def check_failed_backup_severity_exists(build) -> list[str]:
    said = re.search(r"A failed backup generates an? (\w+) severity alert", text(build.html(BACKUP).select_one("article")))
    if not said or said[1] not in matrix(build):
        return [f"{BACKUP} raises {said[1] if said else 'no'} severity for a failed backup, which {MATRIX} does not define"]
    return []


def articles(build):
    """Each built page that has an article: (page, the article's text)."""
    for path in sorted(build.outdir.rglob("*.html")):
        page = path.relative_to(build.outdir).as_posix()
        article = build.html(page).select_one("article")
        if article is not None:
            yield page, text(article)


def check_every_channel_is_routed(build) -> list[str]:
    known = set(routing(build).values())
    found = []
    for page, words in articles(build):
        for channel in sorted(set(CHANNEL.findall(words)) - known):
            found.append(f"{page} names {channel}, which is not a channel of {ROUTING}")
    return found


def check_flows_match_routing(build) -> list[str]:
    routed = routing(build)
    found = []
    for row in build.html(ROUTING).select("figure.sop-flow li.sop-flow-row"):
        severity, channel = (text(step) for step in row.select("li.sop-flow-step")[:2])
        if routed.get(severity) != channel:
            found.append(f"the routing figure of {ROUTING} sends {severity} to {channel}, its table to {routed.get(severity)}")
    return found


def check_glossary_severities_match_matrix(build) -> list[str]:
    definitions = glossary(build)["Alert Severity"]
    found = []
    for severity, row in matrix(build).items():
        definition = definitions.get(severity, "")
        channel = CHANNEL.search(row["Slack Channel"])[0]
        if channel not in definition or row["Response Time"].lower() not in definition.lower():
            found.append(f"{GLOSSARY} defines {severity} otherwise than {MATRIX} ({channel}, {row['Response Time']})")
    return found


def glossary(build) -> dict[str, dict[str, str]]:
    """Glossary section title → {term: definition}."""
    sections = {}
    for section in build.html(GLOSSARY).select("article section section"):
        title = text(section.find(["h2"])).rstrip("¶ ").strip()
        sections[title] = {
            text(dt).rstrip("¶ ").strip(): text(dd)
            for dt, dd in zip(section.select("dl.glossary dt"), section.select("dl.glossary dd"))
        }
    return sections


def stack(build) -> set[str]:
    return {row["Tool"] for row in table(build.html(LANDING), "operational-stack")}


def check_every_tool_is_in_the_stack(build) -> list[str]:
    """The glossary's operational stack and the landing page's table agree.

    A page can name a tool only through a glossary entry ({term} links on
    first use, and an undefined term fails the build), so the tools named on
    any page are the glossary's: its Operational Stack section, and the
    services Anchor administers (Cloudflare), which are not stack tools.
    """
    tools = set(glossary(build)["Operational Stack"])
    found = [f"{GLOSSARY} lists {tool} in the operational stack, {LANDING}'s stack table does not" for tool in sorted(tools - stack(build))]
    found += [f"{LANDING}'s stack table lists {tool}, {GLOSSARY} does not define it" for tool in sorted(stack(build) - tools)]
    return found


def chain(words: str) -> list[tuple[str, str]]:
    return [(minutes, who) for minutes, who in CHAIN_STEP.findall(words)]


def check_escalation_chain_agrees(build) -> list[str]:
    """The SMS policy's chain (its list and its 30-minute rule), its figure,
    and the Incident Response Process's escalation list name the same steps."""
    article = build.html(SMS).select_one("article")
    policy = text(article.find("section", id="policy"))
    stated = chain(" ".join(text(li) for li in article.select("section#policy > ol > li > ul > li")))
    late = re.search(r"If no one acknowledges within (\d+) minutes, .* escalated to the (Operations Lead)", policy)
    stated += [late.groups()] if late else []
    if len(stated) < 2:
        return [f"{SMS} states no escalation chain this check can read"]
    found = []
    figure = chain(" ".join(text(li) for li in article.select("figure.sop-flow li.sop-flow-step")))
    if figure != stated:
        found.append(f"the escalation figure of {SMS} shows {figure}, its policy states {stated}")
    escalation = build.html(IR).select_one("section#escalation")
    theirs = chain(" ".join(text(li) for li in escalation.select("ol > li:first-child > ul > li")))
    if theirs != stated:
        found.append(f"{IR} escalates critical alerts {theirs}, {SMS} {stated}")
    return found


def check_no_tool_outside_the_stack_is_named(build) -> list[str]:
    stacked = stack(build)
    found = []
    for page, words in articles(build):
        for tool in OTHER_TOOLS:
            if tool not in stacked and re.search(rf"\b{re.escape(tool)}\b", words):
                found.append(f"{page} names {tool}, which {LANDING}'s stack table does not list")
    return found


CHECKS = [
    check_matrix_channels_match_routing,
    check_critical_response_matches_acknowledgement,
    check_failed_backup_severity_exists,
    check_every_channel_is_routed,
    check_flows_match_routing,
    check_glossary_severities_match_matrix,
    check_every_tool_is_in_the_stack,
    check_no_tool_outside_the_stack_is_named,
    check_escalation_chain_agrees,
]


def contradictions(build) -> list[str]:
    return [found for check in CHECKS for found in check(build)]
