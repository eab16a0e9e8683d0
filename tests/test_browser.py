"""The manual in Chromium, the way operators use it: search, checklists,
print, dark mode, mobile, keyboard and accessibility (axe-core)."""

from __future__ import annotations

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from browser_fixtures import MEASURED, foreign, record
from chromium import FLAGS as CHROMIUM_FLAGS
from chromium import executable as chromium_path

# -- Search that finds the right page ----------------------------------------

QUERIES = {
    "Vault": "secrets-management/secrets-management-policy.html",
    "Twilio": "monitoring-and-alerting/sms-escalation-policy.html",
    "restore": "backup-and-restore/restore-testing-policy.html",
    "severity": "monitoring-and-alerting/alert-severity-matrix.html",
    "Cloudflare": "security-operations/cloudflare-ownership-admin-policy.html",
    "Restic": "backup-and-restore/backup-policy.html",
    "Wazuh": "security-operations/security-monitoring-policy.html",
    "Alertmanager": "monitoring-and-alerting/slack-alert-routing-policy.html",
    "break-glass access": "secrets-management/secrets-management-policy.html",
    "handoff": "system-handoff-acceptance/handoff-acceptance-checklist.html",
    "incident": "incident-response/incident-response-process.html",
}


def search(page, query: str) -> tuple[list[str], str, float]:
    """Type a query in the sidebar box and press Enter, as an operator does.

    Returns the result pages in order, the first result's snippet, and the
    seconds from Enter to the first result on screen.
    """
    box = page.locator(".sidebar-search")
    box.fill(query)
    started = time.perf_counter()
    box.press("Enter")
    page.wait_for_selector("#search-results ul.search li")
    shown = time.perf_counter() - started
    page.wait_for_selector("#search-results ul.search li:first-child p.context")
    # all results are listed once the summary line says how many
    page.wait_for_function("document.querySelector('#search-results .search-summary')?.textContent.includes('match')")
    links = page.eval_on_selector_all(
        "#search-results ul.search > li > a", "links => links.map(a => a.getAttribute('href'))"
    )
    snippet = page.inner_text("#search-results ul.search li:first-child p.context")
    return [href.split("#")[0] for href in links], snippet, shown


def rank(results: list[str], expected: str) -> int | None:
    return results.index(expected) + 1 if expected in results else None


@pytest.mark.parametrize(("query", "expected"), QUERIES.items(), ids=list(QUERIES))
def test_search_puts_the_page_about_the_query_first(new_page, query, expected):
    page = new_page("index.html")
    results, snippet, shown = search(page, query)
    MEASURED.append(
        f"search {query!r}: {expected} ranked {rank(results, expected)} of {len(results)}, "
        f"first result {shown * 1000:.0f} ms after Enter"
    )
    assert results[0] == expected, results[:5]
    # the snippet shows where the page matches
    assert any(word in snippet.lower() for word in re.split(r"\W+", query.lower()) if word)


def stock_scorer(route):
    """language_data.js without the manual's scorer: Sphinx's default ranking."""
    body = route.fetch().text().replace("var Scorer = {", "var SopScorerDisabled = {", 1)
    route.fulfill(body=body, content_type="application/javascript")


def test_without_the_manuals_scorer_the_ranking_test_fails(new_page, server):
    """The planted break for search: Sphinx's stock ranking."""
    page = new_page(None)
    page.route("**/_static/language_data.js*", stock_scorer)
    ranks = {}
    for query, expected in QUERIES.items():
        page.goto(f"{server}/index.html")
        results, _, _ = search(page, query)
        ranks[query] = rank(results, expected)
    MEASURED.append("stock Sphinx ranking of the same pages: " + ", ".join(f"{q} → {r}" for q, r in ranks.items()))
    assert [q for q, r in ranks.items() if r != 1], "the stock ranking already passes: the test proves nothing"


# -- Checklists an operator can run ------------------------------------------

ONBOARDING = "client-onboarding/new-managed-system-onboarding-checklist.html"
HANDOFF = "system-handoff-acceptance/handoff-acceptance-checklist.html"
BOXES = "ul.contains-task-list input.task-list-item-checkbox"


def ticked(page) -> list[bool]:
    return page.eval_on_selector_all(BOXES, "boxes => boxes.map(b => b.checked)")


def status(page) -> str:
    return page.inner_text(".sop-checklist-status")


@pytest.mark.parametrize(("path", "count"), [(ONBOARDING, 15), (HANDOFF, 10)])
def test_checklist_ticks_with_mouse_and_keyboard_and_survives_a_reload(new_page, path, count):
    page = new_page(path)
    assert status(page) == f"0 of {count} done"
    boxes = page.locator(BOXES)
    boxes.nth(0).click()  # mouse, on the box
    page.locator("label.sop-checklist-item").nth(1).click(position={"x": 200, "y": 5})  # on the item's text
    boxes.nth(2).focus()
    page.keyboard.press("Space")  # keyboard
    assert ticked(page)[:4] == [True, True, True, False]
    assert status(page) == f"3 of {count} done"

    page.reload()

    assert ticked(page)[:4] == [True, True, True, False]
    assert status(page) == f"3 of {count} done"
    page.get_by_role("button", name="Reset checklist").click()
    assert not any(ticked(page)) and status(page) == f"0 of {count} done"
    page.reload()
    assert not any(ticked(page))


def test_checklist_survives_a_browser_restart(playwright, server, tmp_path):
    profile = tmp_path / "profile"
    for attempt in range(2):
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), args=CHROMIUM_FLAGS
        )
        page = context.new_page()
        requests = record(page)
        page.goto(f"{server}/{HANDOFF}")
        if attempt == 0:
            page.locator(BOXES).nth(4).check()
        else:
            assert ticked(page) == [i == 4 for i in range(10)]
        context.close()
        assert foreign(requests, server) == []


def _edit_checklist(html: str) -> str:
    """The handoff checklist with an item inserted first and the third item reworded."""
    first = html.index('<li class="task-list-item">')
    inserted = '<li class="task-list-item"><p><input class="task-list-item-checkbox" disabled="disabled" type="checkbox"/><strong>New first step.</strong> Added later.</p></li>\n'
    html = html[:first] + inserted + html[first:]
    return html.replace("Test alerts have been fired and confirmed", "Test alerts have been fired, seen and confirmed", 1)


def keyed_by_text_scenario(page, server) -> list[bool]:
    """Tick items 2 and 3, then load an edited checklist: what is ticked now?"""
    page.goto(f"{server}/{HANDOFF}")
    page.locator(BOXES).nth(1).check()
    page.locator(BOXES).nth(2).check()
    page.route(f"{server}/{HANDOFF}", lambda route: route.fulfill(
        body=_edit_checklist(route.fetch().text()), content_type="text/html"))
    page.reload()
    return ticked(page)[:5]


def test_ticks_follow_the_items_text_not_its_position(new_page, server):
    after = keyed_by_text_scenario(new_page(None), server)
    # new item unticked; item 2 still ticked one place down; reworded item 3 unticked
    assert after == [False, False, True, False, False]


def test_a_checklist_keyed_by_position_fails_that_test(new_page, server):
    """The planted break: key each tick by its position instead."""
    page = new_page(None)
    page.route("**/_static/checklists.js*", lambda route: route.fulfill(
        body=route.fetch().text().replace("text: textOf(item)", "text: String(all.length)"),
        content_type="application/javascript"))
    assert keyed_by_text_scenario(page, server) != [False, False, True, False, False]


def test_without_javascript_the_boxes_still_render_unticked(new_page):
    page = new_page(ONBOARDING, java_script_enabled=False)
    boxes = page.locator(BOXES)
    assert boxes.count() == 15 and all(boxes.nth(i).is_visible() for i in range(15))
    assert not any(ticked(page))


def test_a_ticked_checklist_prints_its_boxes(new_page, tmp_path):
    page = new_page(HANDOFF)
    page.locator(BOXES).nth(0).check()
    page.emulate_media(media="print")
    assert page.locator(BOXES).nth(0).is_visible() and page.locator(BOXES).nth(9).is_visible()
    assert ticked(page)[:2] == [True, False]
    assert not page.locator(".sop-checklist-reset").is_visible()
    pdf = tmp_path / "checklist.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert "1 of 10 done" in "".join(p.extract_text() for p in PdfReader(pdf).pages)


# -- Print, dark mode, mobile -------------------------------------------------

MATRIX = "monitoring-and-alerting/alert-severity-matrix.html"


# A4 less the print margins of anchor.css, at 96 px to the inch.
PAPER = {"width": 688, "height": 1000}


@pytest.mark.parametrize("path", [MATRIX, "runbooks/runbook-template.html"])
def test_print_stylesheet(new_page, path, tmp_path):
    page = new_page(path, viewport=PAPER)
    page.emulate_media(media="print")
    for chrome in (".sidebar-drawer", ".sidebar-search", ".theme-toggle", ".related-pages", ".toc-drawer", ".mobile-header"):
        assert not page.locator(chrome).first.is_visible(), chrome
    # tables and code are not clipped: nothing is wider than its box
    clipped = page.evaluate("""() => [...document.querySelectorAll('article table, article pre')]
        .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(el => el.tagName)""")
    assert clipped == []
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), format="A4")
    title = page.inner_text("article h1").rstrip("¶").strip()
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages]
    assert len(pages) >= 1
    for number, text in enumerate(pages, 1):
        assert title in text and "Internal Use Only" in text, f"printed page {number} lacks its header"
    if path == MATRIX:
        assert "After 1 hour unacknowledged" in pages[0]  # the sixth column made it onto paper
        # badges keep their background on paper, or white text would vanish
        adjust = page.evaluate("[...document.querySelectorAll('.sop-severity')].map(b => getComputedStyle(b).printColorAdjust)")
        assert adjust and set(adjust) == {"exact"}


def test_theme_toggle_switches_light_and_dark(new_page):
    page = new_page("index.html")
    seen = set()
    for _ in range(3):
        page.locator(".theme-toggle:visible").first.click()
        seen.add(page.evaluate("document.body.dataset.theme"))
    assert {"light", "dark"} <= seen
    page.evaluate("document.body.dataset.theme = 'dark'")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"


def test_on_a_phone_the_sidebar_hides_behind_a_menu_and_tables_scroll_in_their_box(new_page):
    page = new_page(MATRIX, viewport={"width": 375, "height": 812})
    assert not page.locator(".sidebar-drawer").is_visible() or page.evaluate(
        "document.querySelector('.sidebar-drawer').getBoundingClientRect().right <= 0")
    menu = page.locator(".mobile-header label.nav-overlay-icon")
    assert menu.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    wrapper = page.locator("article .table-wrapper").first
    assert wrapper.evaluate("el => el.scrollWidth > el.clientWidth")  # the matrix scrolls inside its box
    menu.click()
    page.wait_for_function("document.querySelector('.sidebar-drawer').getBoundingClientRect().left >= 0")
    assert page.locator(".sidebar-drawer a.reference", has_text="Backup and Restore").is_visible()


# -- Keyboard, accessibility, privacy -----------------------------------------


def tab_to_first_section_toggle(page, presses: int = 40) -> bool:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('toctree-checkbox')"):
            return True
    return False


def test_sidebar_sections_expand_and_collapse_from_the_keyboard(new_page):
    page = new_page("index.html")
    assert tab_to_first_section_toggle(page)
    section = "document.activeElement.closest('li')"
    assert not page.evaluate(f"{section}.querySelector('ul').checkVisibility()")
    outline = page.evaluate("getComputedStyle(document.activeElement.nextElementSibling).outlineStyle")
    assert outline not in ("", "none"), "focus is not visible"
    page.keyboard.press("Space")
    assert page.evaluate(f"{section}.querySelector('ul').checkVisibility()")
    page.keyboard.press("Space")
    assert not page.evaluate(f"{section}.querySelector('ul').checkVisibility()")


def test_with_furos_hidden_toggles_the_keyboard_cannot_reach_them(new_page, server):
    """The planted break: without the manual's fix, no Tab stop is a toggle."""
    page = new_page(None)
    page.route("**/_static/anchor.css*", lambda route: route.fulfill(
        body=route.fetch().text().replace(".sidebar-tree .toctree-checkbox {\n  display: block;", ".sidebar-tree .toctree-checkbox {\n  display: none;"),
        content_type="text/css"))
    page.goto(f"{server}/index.html")
    assert not tab_to_first_section_toggle(page)


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}}
AXE_PAGES = [
    "index.html", MATRIX, ONBOARDING, "runbooks/runbook-template.html", "review-status.html", "search.html?q=Vault",
]


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG).response
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in results["violations"]]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", AXE_PAGES)
def test_no_wcag_violations(new_page, server, path, theme):
    page = new_page(None)
    page.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    page.goto(f"{server}/{path}")
    assert page.evaluate("document.body.dataset.theme") == theme
    if path.startswith("search.html"):
        page.wait_for_selector("#search-results ul.search li p.context")
    assert violations(page) == []


def test_a_low_contrast_colour_is_a_violation(new_page, server):
    """The planted break for contrast: grey body text."""
    page = new_page("index.html")
    page.add_style_tag(content="article p { color: #b0b0b0 !important; }")
    assert any(v.startswith("color-contrast") for v in violations(page))


def test_a_request_to_another_host_is_caught(browser, server):
    """The planted break for privacy: a page that loads a script from a CDN."""
    context = browser.new_context()
    page = context.new_page()
    requests = record(page)
    page.route(f"{server}/index.html", lambda route: route.fulfill(
        body=route.fetch().text().replace("</head>", '<script src="https://cdn.example.com/tracker.js"></script></head>'),
        content_type="text/html"))
    page.goto(f"{server}/index.html")
    context.close()
    assert foreign(requests, server) == ["https://cdn.example.com/tracker.js"]
