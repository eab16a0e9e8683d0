"""The linkcheck gate: dead external links fail it, and offline it skips
other hosts instead of passing them."""

from __future__ import annotations

import json
import re

import pytest

from browser_fixtures import serving
from conftest import ROOT, sphinx_build

OFFLINE = {"SOP_LINKCHECK_OFFLINE": "1"}


@pytest.fixture
def web_server(tmp_path):
    """Pages served on 127.0.0.1 for the link checker to find alive or dead."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "alive.html").write_text('<html><body><h2 id="present">Here</h2></body></html>')
    with serving(root) as url:
        yield url


def results(build) -> dict[str, str]:
    """Status of each web link the checker met (in-page #anchors are the HTML gate's)."""
    lines = (build.outdir / "output.json").read_text().splitlines()
    return {r["uri"]: r["status"] for r in map(json.loads, lines) if r["uri"].startswith("http")}


def test_dead_external_links_fail_linkcheck(site_copy, tmp_path, web_server):
    page = site_copy / "runbooks/runbook-template.md"
    with page.open("a", encoding="utf-8") as f:
        f.write(
            f"\n## Links\n\n- [alive]({web_server}/alive.html#present)\n"
            f"- [gone]({web_server}/gone.html)\n"
            f"- [no anchor]({web_server}/alive.html#absent)\n"
            "- [elsewhere](https://vault.example.com/docs)\n"
        )

    build = sphinx_build(site_copy, tmp_path / "linkcheck", builder="linkcheck", env=OFFLINE)

    assert build.returncode != 0, build.output
    where = re.escape(str(page)) + r":\d+: WARNING: broken link: "
    assert re.search(where + re.escape(f"{web_server}/gone.html") + r" \(404", build.output), build.output
    assert re.search(where + re.escape(f"{web_server}/alive.html#absent") + r" \(Anchor 'absent' not found", build.output)
    assert results(build) == {
        f"{web_server}/alive.html#present": "working",
        f"{web_server}/gone.html": "broken",
        f"{web_server}/alive.html#absent": "broken",
        # offline, another host is skipped and says so: never "working"
        "https://vault.example.com/docs": "ignored",
    }


def test_the_manual_passes_linkcheck_offline(tmp_path):
    build = sphinx_build(ROOT, tmp_path / "linkcheck", builder="linkcheck", env=OFFLINE)
    assert build.returncode == 0, build.output
    assert build.warnings == []
