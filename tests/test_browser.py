"""The manual in Chromium, the way operators use it: search, checklists,
print, dark mode, mobile, keyboard and accessibility (axe-core).

Each feature has a check: a function of a page and the test server that
raises AssertionError when the feature is broken. The feature's test runs
the check on the real site; test_each_check_fails_when_its_feature_is_broken
runs it again on a page where the feature was broken on purpose (BREAKS), so
that no check can pass whatever the site does.
"""

from __future__ import annotations

import io
import re
import time
from functools import partial

import pytest
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

import chromium
from browser_fixtures import MEASURED, assert_own_host_only, launch, record

# -- Planted breaks: what a page is given instead of the real site ------------


def edited(static: str, edit):
    """A plant: serve _static/``static`` through ``edit`` (text → text)."""

    def plant(page):
        def fulfil(route):
            response = route.fetch()
            route.fulfill(response=response, body=edit(response.text()))

        page.route(f"**/_static/{static}*", fulfil)

    return plant


def appended(static: str, extra: str):
    """A plant: _static/``static`` with ``extra`` at its end (CSS wins by coming last)."""
    return edited(static, lambda text: text + "\n" + extra)


def replaced(static: str, old: str, new: str):
    return edited(static, lambda text: text.replace(old, new, 1))


def init_script(script: str):
    """A plant: a script that runs in every document before the page's own."""
    return lambda page: page.add_init_script(script)


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


def check_search(page, server, query: str, expected: str, measured: list[str] | None = None):
    """The page about the query comes first, with a snippet that shows every
    word of the query. The feature test passes ``measured`` to log the figures."""
    page.goto(f"{server}/index.html")
    results, snippet, shown = search(page, query)
    if measured is not None:
        measured.append(
            f"search {query!r}: {expected} ranked {rank(results, expected)} of {len(results)}, "
            f"first result {shown * 1000:.0f} ms after Enter"
        )
    assert results[0] == expected, f"{expected} ranked {rank(results, expected)}: {results[:5]}"
    missing = [word for word in re.split(r"\W+", query.lower()) if word and word not in snippet.lower()]
    assert not missing, f"the snippet lacks {missing}: {snippet!r}"


@pytest.mark.parametrize(("query", "expected"), QUERIES.items(), ids=list(QUERIES))
def test_search_puts_the_page_about_the_query_first(new_page, server, query, expected):
    check_search(new_page(None), server, query, expected, measured=MEASURED)


# language_data.js without the manual's scorer: Sphinx's default ranking.
STOCK_SCORER = replaced("language_data.js", "var Scorer = {", "var SopScorerDisabled = {")
# Every snippet cut from the page's opening, wherever the query matched.
OPENING_SNIPPET = appended("language_data.js", """
Search.makeSearchSummary = (html, keywords, anchor) => {
  const summary = document.createElement("p");
  summary.className = "context";
  summary.textContent = Search.htmlToText(html, anchor).slice(0, 240);
  return summary;
};""")


def test_without_the_manuals_scorer_the_ranking_test_fails(new_page, server):
    """Sphinx's stock ranking of every query: the "before" column of the
    closing note, and the proof that the scorer is what makes them pass."""
    page = new_page(None)
    STOCK_SCORER(page)
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


def check_ticking_and_progress(page, server, path=HANDOFF, count=10):
    """Boxes tick with the mouse (on the box or on the item's text) and the
    keyboard, and the status line counts them."""
    page.goto(f"{server}/{path}")
    assert status(page) == f"0 of {count} done"
    boxes = page.locator(BOXES)
    boxes.nth(0).click()
    page.locator("label.sop-checklist-item").nth(1).click(position={"x": 200, "y": 5})
    boxes.nth(2).focus()
    page.keyboard.press("Space")
    assert ticked(page)[:4] == [True, True, True, False], "the mouse or the keyboard did not tick"
    assert status(page) == f"3 of {count} done", "the progress did not follow the ticks"


def check_ticks_survive_a_reload(page, server, path=HANDOFF, count=10):
    page.goto(f"{server}/{path}")
    page.locator(BOXES).nth(0).check()
    page.locator(BOXES).nth(2).check()
    page.reload()
    assert ticked(page)[:4] == [True, False, True, False], "the ticks did not survive a reload"


def check_reset(page, server, path=HANDOFF, count=10):
    page.goto(f"{server}/{path}")
    page.locator(BOXES).nth(0).check()
    page.locator(BOXES).nth(1).check()
    page.get_by_role("button", name="Reset checklist").click()
    assert not any(ticked(page)) and status(page) == f"0 of {count} done", "Reset left ticks"
    page.reload()
    assert not any(ticked(page)), "the ticks came back after Reset and a reload"


@pytest.mark.parametrize(("path", "count"), [(ONBOARDING, 15), (HANDOFF, 10)])
def test_checklist_ticks_counts_survives_a_reload_and_resets(new_page, server, path, count):
    for check in (check_ticking_and_progress, check_ticks_survive_a_reload, check_reset):
        check(new_page(None), server, path, count)  # each in a fresh context: no ticks left over


def test_checklist_survives_a_browser_restart(playwright, server, tmp_path):
    profile = tmp_path / "profile"
    for attempt in range(2):
        context = launch(playwright, profile)
        requests = record(context)
        page = context.new_page()
        page.goto(f"{server}/{HANDOFF}")
        if attempt == 0:
            page.locator(BOXES).nth(4).check()
        else:
            assert ticked(page) == [i == 4 for i in range(10)]
        context.close()
        assert_own_host_only(requests, server)


def test_a_missing_chromium_fails_and_says_how_to_get_one(playwright, tmp_path, monkeypatch):
    """A failure, not a skip, nor a quiet fall back to some other browser."""
    missing = tmp_path / "no-chromium"
    monkeypatch.setenv("SOP_CHROMIUM", str(missing))
    for profile in (None, tmp_path / "profile"):
        with pytest.raises(pytest.fail.Exception) as failure:
            launch(playwright, profile)
        assert chromium.HOW_TO_GET in str(failure.value)
        assert f"SOP_CHROMIUM is set to {missing}, which does not exist" in str(failure.value)


def _edit_checklist(html: str) -> str:
    """The handoff checklist with an item inserted first and the third item reworded."""
    first = html.index('<li class="task-list-item">')
    inserted = '<li class="task-list-item"><p><input class="task-list-item-checkbox" disabled="disabled" type="checkbox"/><strong>New first step.</strong> Added later.</p></li>\n'
    html = html[:first] + inserted + html[first:]
    return html.replace("Test alerts have been fired and confirmed", "Test alerts have been fired, seen and confirmed", 1)


def check_ticks_follow_the_items_text(page, server):
    """Tick items 2 and 3, then load an edited checklist: the new item and
    the reworded item 3 are unticked, item 2 is still ticked one place down."""
    page.goto(f"{server}/{HANDOFF}")
    page.locator(BOXES).nth(1).check()
    page.locator(BOXES).nth(2).check()
    page.route(f"{server}/{HANDOFF}", lambda route: route.fulfill(
        body=_edit_checklist(route.fetch().text()), content_type="text/html"))
    page.reload()
    assert ticked(page)[:5] == [False, False, True, False, False], "the ticks did not follow the items' text"


def test_ticks_follow_the_items_text_not_its_position(new_page, server):
    check_ticks_follow_the_items_text(new_page(None), server)


def check_boxes_render_without_javascript(page, server):
    """Run on a page whose context has JavaScript off."""
    page.goto(f"{server}/{ONBOARDING}")
    boxes = page.locator(BOXES)
    assert boxes.count() == 15
    assert all(boxes.nth(i).is_visible() for i in range(15)), "without JavaScript a box is hidden"
    assert not any(ticked(page))


def test_without_javascript_the_boxes_still_render_unticked(new_page, server):
    check_boxes_render_without_javascript(new_page(None, java_script_enabled=False), server)


def printed(page) -> list[str]:
    """The text of each page of the PDF Chromium prints, its whitespace folded."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]


def check_a_ticked_checklist_prints_its_boxes(page, server):
    page.goto(f"{server}/{HANDOFF}")
    page.locator(BOXES).nth(0).check()
    page.emulate_media(media="print")
    boxes = page.locator(BOXES)
    assert boxes.nth(0).is_visible() and boxes.nth(9).is_visible(), "the boxes do not print"
    assert ticked(page)[:2] == [True, False]
    assert not page.locator(".sop-checklist-reset").is_visible()
    assert "1 of 10 done" in " ".join(printed(page))


def test_a_ticked_checklist_prints_its_boxes(new_page, server):
    check_a_ticked_checklist_prints_its_boxes(new_page(None), server)


# -- Print, dark mode, mobile -------------------------------------------------

MATRIX = "monitoring-and-alerting/alert-severity-matrix.html"
# A4 less the print margins of _static/print.css, at 96 px to the inch.
PAPER = {"width": 688, "height": 1000}
PHONE = {"width": 375, "height": 812}


def check_print_stylesheet(page, server, path=MATRIX):
    page.set_viewport_size(PAPER)
    page.goto(f"{server}/{path}")
    page.emulate_media(media="print")
    for chrome in (".sidebar-drawer", ".sidebar-search", ".theme-toggle", ".related-pages", ".toc-drawer", ".mobile-header"):
        assert not page.locator(chrome).first.is_visible(), f"{chrome} prints"
    # tables and code are not clipped: nothing is wider than its box
    clipped = page.evaluate("""() => [...document.querySelectorAll('article table, article pre')]
        .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(el => el.tagName)""")
    assert clipped == [], "clipped on paper"
    title = page.inner_text("article h1").rstrip("¶").strip()
    pages = printed(page)
    assert len(pages) >= 1
    for number, text in enumerate(pages, 1):
        assert title in text and "Internal Use Only" in text, f"printed page {number} lacks its header"
    if path == MATRIX:
        assert "After 1 hour unacknowledged" in pages[0]  # the sixth column made it onto paper
        # badges keep their background on paper, or white text would vanish
        adjust = page.evaluate("[...document.querySelectorAll('.sop-severity')].map(b => getComputedStyle(b).printColorAdjust)")
        assert adjust and set(adjust) == {"exact"}, "badges print without their colours"


@pytest.mark.parametrize("path", [MATRIX, "runbooks/runbook-template.html"])
def test_print_stylesheet(new_page, server, path):
    check_print_stylesheet(new_page(None), server, path)


def check_theme_toggle(page, server):
    page.goto(f"{server}/index.html")
    seen = set()
    for _ in range(3):
        page.locator(".theme-toggle:visible").first.click()
        seen.add(page.evaluate("document.body.dataset.theme"))
    assert {"light", "dark"} <= seen, f"the toggle gave only {seen}"
    page.evaluate("document.body.dataset.theme = 'dark'")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)", "dark mode is white"


def test_theme_toggle_switches_light_and_dark(new_page, server):
    check_theme_toggle(new_page(None), server)


def sideways_scrollers(page) -> list[str]:
    """The boxes that scroll sideways, but table wrappers and code blocks.

    Furo clips the page itself (html has overflow-x: hidden) and lets its
    content box scroll, so the page's own scroll width proves nothing."""
    return page.evaluate("""() => [document.scrollingElement, ...document.body.querySelectorAll('*')]
        .filter(el => el.scrollWidth > el.clientWidth + 1 && !el.matches('.table-wrapper, pre'))
        .filter(el => el === document.scrollingElement || ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
        .map(el => el.tagName.toLowerCase() + [...el.classList].map(c => '.' + c).join(''))""")


def check_phone_layout(page, server):
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/{MATRIX}")
    assert not page.locator(".sidebar-drawer").is_visible() or page.evaluate(
        "document.querySelector('.sidebar-drawer').getBoundingClientRect().right <= 0"), "the sidebar shows"
    menu = page.locator(".mobile-header label.nav-overlay-icon")
    assert menu.is_visible()
    scrollers = sideways_scrollers(page)
    assert scrollers == [], f"the page scrolls sideways: {scrollers}"
    wrapper = page.locator("article .table-wrapper").first
    assert wrapper.evaluate("el => el.scrollWidth > el.clientWidth"), "the matrix does not scroll in its box"
    menu.click()
    page.wait_for_function("document.querySelector('.sidebar-drawer').getBoundingClientRect().left >= 0")
    assert page.locator(".sidebar-drawer a.reference", has_text="Backup and Restore").is_visible()


def test_on_a_phone_the_sidebar_hides_behind_a_menu_and_tables_scroll_in_their_box(new_page, server):
    check_phone_layout(new_page(None), server)


@pytest.mark.parametrize("path", [
    "index.html", "review-status.html", "production-ownership/production-ownership-policy.html",
    "incident-response/incident-response-process.html", "runbooks/runbook-template.html",
])
def test_no_page_with_a_table_scrolls_sideways_on_a_phone(new_page, path):
    page = new_page(path, viewport=PHONE)
    assert sideways_scrollers(page) == []


# -- Keyboard, accessibility, privacy -----------------------------------------

SECTION_TOGGLES = ".sidebar-tree li.toctree-l1 > input.toctree-checkbox"


def tab_to_next_toggle(page, presses: int = 40) -> str | None:
    """Press Tab until a sidebar section toggle has focus; its id, or None."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.matches('.toctree-checkbox') && document.activeElement.id")
        if focused:
            return focused
    return None


def check_sections_open_and_close_from_the_keyboard(page, server):
    """Tab reaches each top-level section's toggle in turn, its focus shows,
    Space expands the section and Space collapses it again."""
    page.goto(f"{server}/index.html")
    toggles = page.eval_on_selector_all(SECTION_TOGGLES, "boxes => boxes.map(b => b.id)")
    assert len(toggles) == 13, toggles  # the manual's top-level sections
    for toggle in toggles:
        assert tab_to_next_toggle(page) == toggle, f"Tab does not reach {toggle}"
        outline = page.evaluate(f"getComputedStyle(document.querySelector('#{toggle} + label')).outlineStyle")
        assert outline not in ("", "none"), f"focus on {toggle} is not visible"
        section = f"document.querySelector('#{toggle}').closest('li').querySelector('ul').checkVisibility()"
        assert not page.evaluate(section), f"{toggle}'s section starts expanded"
        page.keyboard.press("Space")
        assert page.evaluate(section), f"Space does not expand {toggle}'s section"
        page.keyboard.press("Space")
        assert not page.evaluate(section), f"Space does not collapse {toggle}'s section"


def test_sidebar_sections_expand_and_collapse_from_the_keyboard(new_page, server):
    check_sections_open_and_close_from_the_keyboard(new_page(None), server)


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}}
AXE_PAGES = [
    "index.html", MATRIX, ONBOARDING, "runbooks/runbook-template.html", "review-status.html", "search.html?q=Vault",
]


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG).response
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in results["violations"]]


def check_no_wcag_violations(page, server, path="index.html", theme="light"):
    page.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    page.goto(f"{server}/{path}")
    assert page.evaluate("document.body.dataset.theme") == theme
    if path.startswith("search.html"):
        page.wait_for_selector("#search-results ul.search li p.context")
    found = violations(page)
    assert not found, "WCAG violations: " + "; ".join(found)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", AXE_PAGES)
def test_no_wcag_violations(new_page, server, path, theme):
    check_no_wcag_violations(new_page(None), server, path, theme)


def test_a_request_to_another_host_fails_the_test(new_page, server):
    """The planted break for privacy: a page that loads a script from a CDN,
    caught by the same check as the new_page fixture's teardown."""
    page = new_page(None)
    page.route("https://cdn.example.com/**", lambda route: route.abort())  # recorded, never sent
    page.route(f"{server}/index.html", lambda route: route.fulfill(
        body=route.fetch().text().replace("</head>", '<script src="https://cdn.example.com/tracker.js"></script></head>'),
        content_type="text/html"))
    page.goto(f"{server}/index.html")
    with pytest.raises(AssertionError, match="cdn.example.com/tracker.js"):
        assert_own_host_only(page.requests, server)
    page.requests.clear()  # the break was planted on purpose: let the teardown pass


# -- One planted break per feature --------------------------------------------

# (check, plant, options for the page's browser context, the assertion that must fail)
BREAKS = [
    pytest.param(partial(check_search, query="Vault", expected=QUERIES["Vault"]), STOCK_SCORER, {}, "ranked",
                 id="search ranking: Sphinx's stock scorer"),
    pytest.param(partial(check_search, query="Vault", expected=QUERIES["Vault"]), OPENING_SNIPPET, {}, "snippet lacks",
                 id="search snippet: the page's opening"),
    pytest.param(check_ticking_and_progress,
                 replaced("checklists.js", "save();\n        update();", "save();"), {}, "progress",
                 id="progress: status not updated on a tick"),
    pytest.param(check_reset, replaced("checklists.js", "entries.forEach((entry) => (entry.box.checked = false));", ""),
                 {}, "Reset left ticks", id="Reset: the button does nothing"),
    pytest.param(check_ticks_survive_a_reload, init_script("Storage.prototype.setItem = () => {};"), {}, "reload",
                 id="persistence: localStorage.setItem a no-op"),
    pytest.param(check_ticks_follow_the_items_text, replaced("checklists.js", "text: textOf(item)", "text: String(all.length)"),
                 {}, "follow the items", id="keyed by text: keyed by position"),
    pytest.param(check_boxes_render_without_javascript, appended("anchor.css", "input.task-list-item-checkbox { display: none; }"),
                 {"java_script_enabled": False}, "a box is hidden", id="no-JS render: CSS hides the boxes"),
    pytest.param(check_a_ticked_checklist_prints_its_boxes,
                 appended("print.css", "input.task-list-item-checkbox { display: none !important; }"), {},
                 "boxes do not print", id="printed boxes: print.css hides them"),
    pytest.param(check_print_stylesheet, edited("print.css", lambda css: ""), {}, "prints",
                 id="print stylesheet: print.css empty"),
    pytest.param(check_print_stylesheet,
                 appended("print.css", ".sop-severity { print-color-adjust: economy !important; -webkit-print-color-adjust: economy !important; }"),
                 {}, "badges print without their colours", id="printed badges: backgrounds dropped"),
    # a capturing listener that swallows the click before Furo's handler sees it
    pytest.param(check_theme_toggle, init_script(
        "document.addEventListener('click', e => e.target.closest('.theme-toggle') && e.stopPropagation(), true);"),
        {}, "the toggle gave only", id="theme toggle: clicks swallowed"),
    pytest.param(check_phone_layout, appended("anchor.css", ".table-wrapper { overflow: visible !important; }"), {},
                 "scrolls sideways", id="phone layout: the matrix escapes its box"),
    pytest.param(check_sections_open_and_close_from_the_keyboard,
                 appended("anchor.css", ".sidebar-tree .toctree-checkbox { display: none !important; }"), {},
                 "Tab does not reach", id="keyboard toggles: Furo's hidden checkboxes"),
    pytest.param(check_sections_open_and_close_from_the_keyboard, appended("anchor.css", "* { outline: none !important; }"),
                 {}, "not visible", id="visible focus: outlines removed"),
    pytest.param(partial(check_no_wcag_violations, theme="light"), appended("anchor.css", "article p { color: #b0b0b0 !important; }"),
                 {}, "color-contrast", id="contrast (light): grey text"),
    pytest.param(partial(check_no_wcag_violations, theme="dark"), appended("anchor.css", "article p { color: #5a5a5a !important; }"),
                 {}, "color-contrast", id="contrast (dark): dim text"),
]


@pytest.mark.parametrize(("check", "plant", "options", "fails_at"), BREAKS)
def test_each_check_fails_when_its_feature_is_broken(new_page, server, check, plant, options, fails_at):
    page = new_page(None, **options)
    plant(page)
    with pytest.raises(AssertionError, match=fails_at):
        check(page, server)
