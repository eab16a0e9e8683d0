"""Publishing: vercel.json's headers and policy, noindex, the 404 page, and
deep links that never break."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest

from browser_fixtures import QuietHandler, foreign, record, serving
from conftest import ROOT, replace_once, sphinx_build
from csp import headers, inline
from deep_links import published, read

VERCEL = json.loads((ROOT / "vercel.json").read_text())


def csp_sources(directive: str) -> set[str]:
    policy = headers(VERCEL)["Content-Security-Policy"]
    rule = next(part.split() for part in policy.split(";") if part.split()[0] == directive)
    return set(rule[1:])


def test_the_policy_allows_exactly_the_inline_code_the_build_emits(site):
    scripts, styles = inline(site.outdir)
    assert {s for s in csp_sources("script-src") if s.startswith("'sha256-")} == scripts
    assert {s for s in csp_sources("style-src") if s.startswith("'sha256-")} == styles
    policy = headers(VERCEL)["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert csp_sources("default-src") == {"'self'"} and csp_sources("frame-ancestors") == {"'none'"}


def test_every_path_gets_the_privacy_headers():
    sent = headers(VERCEL)
    assert sent["X-Robots-Tag"] == "noindex, nofollow"
    assert sent["Referrer-Policy"] == "no-referrer"
    assert sent["X-Content-Type-Options"] == "nosniff"
    assert sent["X-Frame-Options"] == "DENY"
    assert "camera=()" in sent["Permissions-Policy"]
    assert VERCEL["cleanUrls"] is True and VERCEL["outputDirectory"] == "_build/html"
    assert VERCEL["buildCommand"] == "make site"


def test_every_page_says_noindex(site):
    for path in site.outdir.rglob("*.html"):
        page = site.html(path.relative_to(site.outdir).as_posix())
        assert page.select_one('meta[name="robots"][content="noindex, nofollow"]'), path


def test_the_404_page_links_from_the_site_root(site):
    page = site.html("404.html")
    assert page.select_one('link[href^="/_static/"]') and page.select_one('a[href="/index.html"], a[href="/"]')
    assert "Anchor MSP — Internal Use Only" in page.select_one(".bottom-of-page").get_text()


# -- Under the Content-Security-Policy, in Chromium ----------------------------


class HeadersHandler(QuietHandler):
    """Serves the site with vercel.json's headers, as the host would."""

    def end_headers(self):
        for key, value in headers(VERCEL).items():
            self.send_header(key, value)
        super().end_headers()


@pytest.fixture(scope="module")
def strict_server(site):
    with serving(site.outdir, HeadersHandler) as url:
        yield url


WATCH = "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"


@pytest.mark.parametrize("path", ["index.html", "monitoring-and-alerting/alert-severity-matrix.html", "client-onboarding/new-managed-system-onboarding-checklist.html", "runbooks/runbook-template.html", "404.html"])
def test_pages_work_under_the_policy(browser, strict_server, path):
    context = browser.new_context()
    page = context.new_page()
    requests = record(page)
    page.add_init_script(WATCH)
    page.goto(f"{strict_server}/{path}")
    page.wait_for_load_state("networkidle")
    if "checklist" in path:
        page.locator("ul.contains-task-list input").first.check()  # the checklist script ran
        assert page.inner_text(".sop-checklist-status") == "1 of 15 done"
    assert page.evaluate("window.__violations") == []
    context.close()
    assert foreign(requests, strict_server) == []


def test_search_works_under_the_policy(browser, strict_server):
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH)
    page.goto(f"{strict_server}/search.html?q=Vault")
    page.wait_for_selector("#search-results ul.search li p.context")
    first = page.eval_on_selector("#search-results ul.search li a", "a => a.getAttribute('href')")
    assert first.startswith("secrets-management/secrets-management-policy.html")
    assert page.evaluate("window.__violations") == []
    context.close()


def test_an_inline_script_the_policy_does_not_allow_is_blocked(browser, strict_server):
    """The planted break: a script the build did not emit is refused, and seen."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH)
    page.route(f"{strict_server}/index.html", lambda route: route.fulfill(
        body=route.fetch().text().replace("</body>", "<script>window.__ran = true;</script></body>"),
        headers=headers(VERCEL), content_type="text/html"))
    page.goto(f"{strict_server}/index.html")
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))
    context.close()


# -- Deep links that never break ------------------------------------------------


def deep_link_problems(outdir: Path, redirects: dict[str, str], inventory: set[str]) -> list[str]:
    now = published(outdir)
    moved = {f"{old}.html" for old in redirects}
    problems = [f"{link} is gone: declare a redirect for it" for link in sorted(inventory - now)
                if link.split("#")[0] not in moved]
    problems += [f"{link} is not in deep-links.txt: run make inventory" for link in sorted(now - inventory)]
    return problems


def test_every_published_link_is_in_the_inventory_and_none_is_gone(site):
    redirects = runpy.run_path(str(ROOT / "conf.py"))["redirects"]
    assert deep_link_problems(site.outdir, redirects, read()) == []


def test_the_seeds_linked_headings_have_explicit_labels():
    for page, label in [
        ("monitoring-and-alerting/alert-severity-matrix.md", "severity-levels"),
        ("change-management/production-change-policy.md", "emergency-changes"),
        ("change-management/production-change-policy.md", "failed-changes"),
        ("production-ownership/production-ownership-policy.md", "responsibility-matrix"),
        ("index.md", "operational-stack"),
    ]:
        assert f"({label})=\n" in (ROOT / page).read_text(), (page, label)


def test_a_reworded_heading_breaks_its_deep_link_unless_redirected(site_copy, tmp_path):
    page = site_copy / "backup-and-restore/backup-policy.md"
    replace_once(page, "## Scope\n", "## Coverage\n")
    build = sphinx_build(site_copy, tmp_path / "html")
    assert build.returncode == 0, build.output
    problems = deep_link_problems(build.outdir, {}, read())
    assert "backup-and-restore/backup-policy.html#scope is gone: declare a redirect for it" in problems

    # declared: the new heading answers to the old anchor too
    replace_once(site_copy / "conf.py", "sop_anchor_redirects = {}", 'sop_anchor_redirects = {"backup-and-restore/backup-policy#scope": "coverage"}')
    again = sphinx_build(site_copy, tmp_path / "html2")
    assert again.returncode == 0, again.output
    problems = deep_link_problems(again.outdir, {}, read())
    assert not [p for p in problems if "is gone" in p]
    html = (again.outdir / "backup-and-restore/backup-policy.html").read_text()
    assert re.search(r'<section id="coverage">\s*<span id="scope"></span>', html)


def test_a_moved_page_needs_a_redirect(site_copy, tmp_path):
    (site_copy / "backup-and-restore/backup-policy.md").rename(site_copy / "backup-and-restore/backups.md")
    replace_once(site_copy / "backup-and-restore/index.md", "backup-policy\n", "backups\n")
    for source in site_copy.rglob("*.md"):
        source.write_text(source.read_text().replace("/backup-and-restore/backup-policy.md", "/backup-and-restore/backups.md"))
    build = sphinx_build(site_copy, tmp_path / "html")
    assert build.returncode == 0, build.output
    gone = [p for p in deep_link_problems(build.outdir, {}, read()) if "is gone" in p]
    assert "backup-and-restore/backup-policy.html is gone: declare a redirect for it" in gone

    redirects = {"backup-and-restore/backup-policy": "backups.html"}
    replace_once(site_copy / "conf.py", "\nredirects = {}", f"\nredirects = {redirects!r}")
    again = sphinx_build(site_copy, tmp_path / "html2")
    assert again.returncode == 0, again.output
    assert (again.outdir / "backup-and-restore/backup-policy.html").exists()  # the redirect stub
    assert not [p for p in deep_link_problems(again.outdir, redirects, read()) if "backup-policy.html is gone" in p]
