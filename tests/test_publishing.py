"""Publishing: vercel.json's headers and policy, noindex, the 404 page, and
deep links that never break."""

from __future__ import annotations

import io
import json
import re
import runpy
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser_fixtures import QuietHandler, serving
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
    assert VERCEL["outputDirectory"] == "_build/html" and VERCEL["buildCommand"] == "make site"


def test_every_page_says_noindex(site):
    for path in site.outdir.rglob("*.html"):
        page = site.html(path.relative_to(site.outdir).as_posix())
        assert page.select_one('meta[name="robots"][content="noindex, nofollow"]'), path


def test_the_404_page_links_from_the_site_root(site):
    page = site.html("404.html")
    assert page.select_one('link[href^="/_static/"]') and page.select_one('a[href="/index.html"], a[href="/"]')
    assert "Anchor MSP — Internal Use Only" in page.select_one(".bottom-of-page").get_text()


# -- Under the Content-Security-Policy, in Chromium ----------------------------


def vercel_pattern(source: str) -> re.Pattern:
    """A vercel.json ``source`` (path-to-regexp: ``:name(regex)``, ``:name``) as a regex."""
    return re.compile(re.sub(
        r":(\w+)(\([^)]*\))?", lambda m: f"(?P<{m[1]}>{m[2][1:-1] if m[2] else '[^/]+'})", source) + r"\Z")


def vercel_fill(destination: str, match: re.Match) -> str:
    return re.sub(r":(\w+)", lambda m: match[m[1]], destination)


class VercelHandler(QuietHandler):
    """Serves the site as vercel.json tells the host to: its redirects first,
    then the files, then its rewrites, else the 404 page; its headers on all."""

    def send_head(self):
        path = urlsplit(self.path).path
        for rule in VERCEL.get("redirects", []):
            if match := vercel_pattern(rule["source"]).match(path):
                self.send_response(308 if rule.get("permanent") else 307)
                self.send_header("Location", vercel_fill(rule["destination"], match))
                self.end_headers()
                return None
        if not Path(self.translate_path(path)).exists():
            for rule in VERCEL.get("rewrites", []):
                if match := vercel_pattern(rule["source"]).match(path):
                    self.path = vercel_fill(rule["destination"], match)
                    break
        if not Path(self.translate_path(urlsplit(self.path).path)).exists():
            return self._not_found()
        return super().send_head()

    def _not_found(self):
        body = Path(self.translate_path("/404.html")).read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self):
        for key, value in headers(VERCEL).items():
            self.send_header(key, value)
        super().end_headers()


@pytest.fixture(scope="module")
def server(site):
    """The session's site served as on Vercel. Overrides browser_fixtures'
    server in this module, so new_page opens its pages here."""
    with serving(site.outdir, VercelHandler) as url:
        yield url


def test_every_section_folder_gets_its_trailing_slash(site):
    """Sphinx's links are relative: a section index served at /runbooks
    (no slash) would resolve its links against the site root."""
    folders = {p.parent.name for p in site.outdir.glob("*/index.html")}
    redirected = {name for name in folders if any(vercel_pattern(r["source"]).match(f"/{name}") for r in VERCEL["redirects"])}
    assert folders - redirected == set(), "add these folders to vercel.json's redirects"


WATCH = "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"


def watched(new_page):
    """A page that records the policy's violations."""
    page = new_page(None)
    page.add_init_script(WATCH)
    return page


@pytest.mark.parametrize("path", ["index.html", "monitoring-and-alerting/alert-severity-matrix.html", "client-onboarding/new-managed-system-onboarding-checklist.html", "runbooks/runbook-template.html", "404.html"])
def test_pages_work_under_the_policy(new_page, server, path):
    page = watched(new_page)
    page.goto(f"{server}/{path}")
    page.wait_for_load_state("networkidle")
    if "checklist" in path:
        page.locator("ul.contains-task-list input").first.check()  # the checklist script ran
        assert page.inner_text(".sop-checklist-status") == "1 of 15 done"
    assert page.evaluate("window.__violations") == []


def test_search_works_under_the_policy(new_page, server):
    page = watched(new_page)
    page.goto(f"{server}/search.html?q=Vault")
    page.wait_for_selector("#search-results ul.search li p.context")
    first = page.eval_on_selector("#search-results ul.search li a", "a => a.getAttribute('href')")
    assert first.startswith("secrets-management/secrets-management-policy.html")
    assert page.evaluate("window.__violations") == []


@pytest.mark.parametrize(("path", "title"), [
    ("/runbooks/runbook-template", "Runbook Template"),  # the seed's links have no .html
    ("/glossary", "Glossary"),
    ("/runbooks", "Runbooks"),
])
def test_clean_urls_serve_pages_whose_links_and_styles_work(new_page, server, path, title):
    page = new_page(None)
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(server + path)
    assert page.inner_text("article h1").rstrip("¶").strip() == title
    assert page.evaluate("getComputedStyle(document.querySelector('.sidebar-drawer')).display") != "inline"  # furo.css applied
    # the first link in the article leads to a page, not to a 404
    page.locator("article a.reference.internal[href*='.html']").first.click()
    page.wait_for_load_state()
    assert page.locator("article h1").count() == 1 and failed == [], failed


def test_an_unknown_path_gets_the_404_page(new_page, server):
    page = new_page(None)
    response = page.goto(f"{server}/runbooks/no-such-runbook")
    assert response.status == 404 and "Internal Use Only" in page.inner_text(".bottom-of-page")


def test_an_inline_script_the_policy_does_not_allow_is_blocked(new_page, server):
    """The planted break: a script the build did not emit is refused, and seen."""
    page = watched(new_page)
    page.route(f"{server}/index.html", lambda route: route.fulfill(
        body=route.fetch().text().replace("</body>", "<script>window.__ran = true;</script></body>"),
        headers=headers(VERCEL), content_type="text/html"))
    page.goto(f"{server}/index.html")
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))


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


def test_a_moved_page_needs_a_redirect(site_copy, tmp_path, browser):
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
    stub = again.html("backup-and-restore/backup-policy.html")  # the redirect stub
    assert stub.select_one('meta[name="robots"][content="noindex, nofollow"]')
    assert stub.select_one('link[rel="canonical"]')["href"] == "backups.html"
    assert inline(again.outdir) == inline(build.outdir), "the stub needs no new hash in the policy"
    with serving(again.outdir, VercelHandler) as url:  # an old deep link lands on its anchor
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/backup-and-restore/backup-policy.html#scope")
        page.wait_for_url("**/backup-and-restore/backups.html#scope")
        context.close()
    assert not [p for p in deep_link_problems(again.outdir, redirects, read()) if "backup-policy.html is gone" in p]
