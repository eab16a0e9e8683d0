"""Facts that several pages state must agree (tests/facts.py)."""

from __future__ import annotations

import pytest

from facts import BACKUP, GLOSSARY, IR, LANDING, MATRIX, ROUTING, SMS, contradictions


def test_the_manual_does_not_contradict_itself(site):
    assert contradictions(site) == []


@pytest.mark.parametrize(
    ("pages", "words"),
    [
        ((MATRIX, ROUTING), "routes High to #alerts-urgent"),
        ((MATRIX, SMS), "15 minutes to respond"),
        ((BACKUP, MATRIX), "raises Urgent severity for a failed backup"),
        ((MATRIX, ROUTING), "names #alerts-urgent, which is not a channel of"),
        ((ROUTING,), "routing figure of monitoring-and-alerting/slack-alert-routing-policy.html sends Medium to #alerts-low"),
        ((GLOSSARY, MATRIX), "defines High otherwise than"),
        ((GLOSSARY, LANDING), "lists PagerDuty in the operational stack"),
        (("logging-and-metrics/logging-and-metrics-policy.html", LANDING), "names Sentry, which"),
        ((GLOSSARY, SMS), "defines Acknowledgement otherwise than"),
        ((SMS,), "escalation figure of monitoring-and-alerting/sms-escalation-policy.html shows"),
        ((IR, SMS), "escalates critical alerts"),
    ],
    ids=["channel", "response-time", "backup-severity", "unknown-channel", "routing-figure", "glossary-severity", "tool",
         "unlisted-tool", "acknowledgement", "escalation-figure", "escalation-pages"],
)
def test_a_planted_contradiction_is_found_naming_both_pages(planted, pages, words):
    found = [c for c in contradictions(planted) if words in c]
    assert found, contradictions(planted)
    assert all(page in found[0] for page in pages), found[0]
