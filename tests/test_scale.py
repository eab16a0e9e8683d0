"""Speed at scale: the sidebar computed once per build is stock Furo's sidebar,
incremental and parallel builds keep it right, pages load only what they use,
and the benchmark runs."""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import sphinx_design
from bs4 import BeautifulSoup
from pygments.formatters import HtmlFormatter

from conftest import ROOT, environ, replace_once, sphinx_build
from navigation import relative_links
from page_weight import USES, unused
from static_files import MINIFY, MINIFY_JS, SD_CLASS, TOKEN_RULE, minify_css, purge_design
from test_structure import ALL_PAGES, DRAFT_PAGES, SEED_PAGES

STOCK = {"SOP_TODAY": "2027-03-20"}


def sidebars(outdir: Path) -> dict[str, str]:
    found = {}
    for path in sorted(outdir.rglob("*.html")):
        drawer = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one(".sidebar-drawer")
        if drawer is not None:
            found[path.relative_to(outdir).as_posix()] = str(drawer)
    return found


@pytest.fixture(scope="module")
def stock_furo(tmp_path_factory, site_copy_factory):
    """The manual built with Furo's own per-page navigation."""
    source = site_copy_factory("stock")
    replace_once(source / "conf.py", "sop_fast_navigation = True", "sop_fast_navigation = False")
    build = sphinx_build(source, tmp_path_factory.mktemp("stock") / "html", env=STOCK)
    assert build.returncode == 0, build.output
    return build


def test_the_sidebar_is_stock_furos_on_every_page(site, stock_furo):
    ours, stock = sidebars(site.outdir), sidebars(stock_furo.outdir)
    assert set(ours) == set(stock) and len(ours) > 30
    differ = [page for page in ours if ours[page] != stock[page]]
    assert differ == []  # no intended difference: the same HTML, computed once


def test_the_current_page_and_its_ancestors_are_expanded(site):
    drawer = site.html("backup-and-restore/restore-testing-policy.html").select_one(".sidebar-tree")
    current = drawer.select("li.current")
    assert [li.a.get_text() for li in current] == ["Backup and Restore", "Restore Testing Policy"]
    assert current[0].select_one(":scope > input.toctree-checkbox").has_attr("checked")
    assert current[-1]["class"][-1] == "current-page" and current[-1].a["href"] == "#"
    assert len(drawer.select("input.toctree-checkbox[checked]")) == 1


def test_a_retitled_or_added_page_updates_every_sidebar_on_the_next_build(site_copy, tmp_path):
    out = tmp_path / "html"
    assert sphinx_build(site_copy, out, env=STOCK).returncode == 0
    replace_once(site_copy / "backup-and-restore/backup-policy.md", "# Backup Policy\n", "# Backup and Retention Policy\n")
    (site_copy / "runbooks/acme-payments-api.md").write_text(
        "---\nowner: Ops\nlast_reviewed: 2026-04-04\n---\n\n# Acme Payments API Runbook\n\nText.\n")
    replace_once(site_copy / "runbooks/index.md", "runbook-template\n", "runbook-template\nacme-payments-api\n")

    again = sphinx_build(site_copy, out, env=STOCK, fresh=False)

    assert again.returncode == 0, again.output
    for page, drawer in sidebars(out).items():
        if page == "404.html":
            continue
        assert "Backup and Retention Policy" in drawer and ">Backup Policy<" not in drawer, page
        assert "Acme Payments API Runbook" in drawer, page


def test_a_new_caption_entry_title_or_external_entry_reaches_every_sidebar(site_copy, tmp_path):
    """Changes that leave page titles and toctree page lists alone still change
    the navigation; the incremental build equals stock Furo's clean one."""
    out = tmp_path / "html"
    assert sphinx_build(site_copy, out, env=STOCK).returncode == 0
    replace_once(site_copy / "index.md", ":caption: About this manual\n", ":caption: About the manual\n")
    replace_once(site_copy / "index.md", "\nglossary\nreview-status\n", "\nTerms <glossary>\nreview-status\n")
    with (site_copy / "runbooks/index.md").open("a", encoding="utf-8") as index:
        index.write("\n```{toctree}\n:caption: Elsewhere\n\nStatus page <https://status.example.com>\n```\n")

    again = sphinx_build(site_copy, out, env=STOCK, fresh=False)

    assert again.returncode == 0, again.output
    ours = sidebars(out)
    for page, drawer in ours.items():
        assert "About the manual" in drawer and ">Terms<" in drawer and ">Glossary<" not in drawer, page
        assert 'href="https://status.example.com"' in drawer and "https:/status" not in drawer, page
    replace_once(site_copy / "conf.py", "sop_fast_navigation = True", "sop_fast_navigation = False")
    stock = sphinx_build(site_copy, tmp_path / "stock", env=STOCK)
    assert stock.returncode == 0, stock.output
    assert ours == sidebars(stock.outdir)


@pytest.mark.parametrize(
    ("href", "from_section"),
    [
        ("runbooks/index.html", "../runbooks/index.html"),
        ("glossary.html#term-Vault", "../glossary.html#term-Vault"),
        ("https://status.example.com", "https://status.example.com"),
        ("mailto:ops@example.com", "mailto:ops@example.com"),
        ("/404.html", "/404.html"),
        ("#", "#"),
    ],
)
def test_only_links_to_the_sites_pages_are_made_relative(href, from_section):
    assert relative_links(f'<a href="{href}">x</a>', "backup-and-restore") == f'<a href="{from_section}">x</a>'
    assert relative_links(f'<a href="{href}">x</a>', "") == f'<a href="{href}">x</a>'


def test_three_jobs_give_the_same_site_as_one(tmp_path):
    one = sphinx_build(ROOT, tmp_path / "j1", env=STOCK, jobs="1")
    three = sphinx_build(ROOT, tmp_path / "j3", env=STOCK, jobs="3")
    assert one.returncode == three.returncode == 0
    files = sorted(p.relative_to(one.outdir) for p in one.outdir.rglob("*") if p.is_file() and p.name != ".buildinfo")
    assert [f for f in files if (one.outdir / f).read_bytes() != (three.outdir / f).read_bytes()] == []


# -- Page weight -------------------------------------------------------------------

COPY_BUTTON = ("copybutton.css", "copybutton.js", "clipboard.min.js")
BUDGET = 125 * 1024
# Not content pages: what they load is the tool they are.
EXEMPT = {
    "search.html": "the search tool: Sphinx's search scripts, the stemmer and the index (60 KB), and every page's files",
}


def served(outdir: Path, page: Path, reference: str) -> Path:
    """The file a page's link or script reference names, root-absolute or relative."""
    return outdir / reference.lstrip("/") if reference.startswith("/") else page.parent / reference


def loaded(outdir: Path, page: str) -> dict[str, int]:
    """Bytes of the page and of every stylesheet (print ones too) and script it loads."""
    path = outdir / page
    html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    files = {"(html)": path.stat().st_size}
    for tag in html.select("link[rel=stylesheet][href], script[src]"):
        reference = (tag.get("href") or tag.get("src")).split("?")[0]
        files[reference.rsplit("/", 1)[-1]] = served(outdir, path, reference).resolve().stat().st_size
    return files


@pytest.fixture(scope="module")
def with_new_pages(site_copy_factory):
    """The manual with a runbook, a decision record and a policy made by
    `make new` (owner set), built: pages as writers will add them."""
    source = site_copy_factory("new-pages")
    for kind in (
        {"KIND": "runbook", "TITLE": "Acme Payments API"},
        {"KIND": "decision", "TITLE": "Use Restic for Backup Orchestration"},
        {"KIND": "policy", "TITLE": "Log Retention Policy", "SECTION": "logging-and-metrics"},
    ):
        made = subprocess.run([sys.executable, str(source / "tools/new_page.py")], capture_output=True, text=True,
                              env=environ({"SECTION": "", **kind}))
        assert made.returncode == 0, made.stderr
        replace_once(source / made.stdout.split()[1].rstrip(","), 'owner: "[Owner]"', "owner: Anchor MSP Operations Lead")
    build = sphinx_build(source, source.parent / "html", env=STOCK)
    assert build.returncode == 0, build.output
    return build


def test_every_page_loads_at_most_125_kb(with_new_pages):
    outdir = with_new_pages.outdir
    pages = sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*.html"))
    assert {"index.html", "runbooks/runbook-template.html", "decision-logs/decision-log-template.html",
            "runbooks/acme-payments-api.html", "logging-and-metrics/log-retention-policy.html", "genindex.html",
            *SEED_PAGES, *DRAFT_PAGES} <= set(pages)
    assert any(page.startswith("decision-logs/20") for page in pages)
    weights = {page: sum(loaded(outdir, page).values()) for page in pages if page not in EXEMPT}
    heavy = {page: f"{weight / 1024:.1f} KB: {loaded(outdir, page)}" for page, weight in weights.items() if weight > BUDGET}
    assert heavy == {}


def test_every_asset_a_page_loads_has_the_checksum_of_the_file_served(site):
    """Sphinx's ?v= is taken when a page is written: the files minified or cut
    in the build must be final by then, or their pages made to agree."""
    stale = []
    for path in sorted(site.outdir.rglob("*.html")):
        for tag in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select("link[href*='?v='], script[src*='?v=']"):
            reference, checksum = (tag.get("href") or tag.get("src")).split("?v=")
            if f"{zlib.crc32(served(site.outdir, path, reference).read_bytes()):08x}" != checksum:
                stale.append(f"{path.relative_to(site.outdir)}: {reference}")
    assert stale == []


@pytest.mark.parametrize("page", ALL_PAGES)
def test_a_page_loads_what_it_uses(site, page):
    html = (site.outdir / page).read_text(encoding="utf-8")
    names = set(loaded(site.outdir, page))
    body = str(BeautifulSoup(html, "html.parser").select_one("article"))
    if 'class="sd-' in body:
        assert {"sphinx-design.min.css", "furo-extensions.css"} <= names
    if 'class="sd-tab-set' in body:
        assert "design-tabs.js" in names
    if '<div class="highlight' in body:
        assert {"pygments.css", *COPY_BUTTON} <= names
    if "contains-task-list" in body:
        assert "checklists.js" in names
    assert not (unused(body) & names)


@pytest.mark.parametrize(
    ("body", "needs"),
    [
        ('<div class="sd-card">', {"sphinx-design.min.css", "furo-extensions.css"}),
        ('<div class="sd-tab-set docutils">', {"sphinx-design.min.css", "furo-extensions.css", "design-tabs.js"}),
        ('<div class="highlight-bash">', {"pygments.css", *COPY_BUTTON}),
        ('<code class="docutils literal highlight highlight-python">', {"pygments.css"}),
        ('<ul class="contains-task-list">', {"checklists.js"}),
        ("<p>Text.</p>", set()),
    ],
    ids=["cards", "tabs", "code-block", "inline-code", "checklist", "text"],
)
def test_a_body_needs_the_files_of_its_markup(body, needs):
    everything = {name for _, names in USES for name in names}
    assert everything - unused(body) == needs


def test_the_landing_page_cards_are_styled(site):
    assert "sphinx-design.min.css" in loaded(site.outdir, "index.html")
    assert "sphinx-design.min.css" not in loaded(site.outdir, "backup-and-restore/backup-policy.html")
    css = (site.outdir / "_static/sphinx-design.min.css").read_text()
    whole = (Path(sphinx_design.__file__).parent / "static/sphinx-design.min.css").read_text()
    used = {c for tag in site.html("index.html").select("[class*=sd-]") for c in tag["class"] if c.startswith("sd-")}
    styled = {c for c in used if f".{c}" in whole}
    assert {"sd-card", "sd-card-hover", "sd-row", "sd-col", "sd-g-2"} <= styled
    for sd_class in styled:
        assert f".{sd_class}" in css, sd_class  # every class of the cards keeps its rules
    assert ".sd-tab-set" not in css and ".sd-btn" not in css and len(css) < 10_000  # and no other component's


def test_the_copy_button_keeps_furos_style_without_furo_extensions(site):
    assert "furo-extensions.css" not in loaded(site.outdir, "runbooks/runbook-template.html")
    assert ".highlight button.copybtn {" in (site.outdir / "_static/anchor.css").read_text()


def test_the_files_copied_unminified_are_served_minified(site):
    for name in (*MINIFY, "pygments.css"):
        css = (site.outdir / "_static" / name).read_text()
        assert "/*" not in css and "\n" not in css and "  " not in css, name
    assert len((site.outdir / "_static/print.css").read_text()) < 0.8 * len((ROOT / "_static/print.css").read_text())
    for name in MINIFY_JS:
        if (script := site.outdir / "_static" / name).exists():  # design-tabs.js: sphinx-design's, always copied
            assert not re.search(r"^\s*(//|/\*(?!!))", script.read_text(), re.M), name  # no comment left
    assert len((site.outdir / "_static/print.js").read_text()) < 0.7 * len((ROOT / "_static/print.js").read_text())


@pytest.mark.parametrize(
    ("css", "minified"),
    [
        ("a  >  b ,\n c { color: red ; }", "a>b,c{color:red}"),
        ("/* note */ .a .b { margin: 0 0.5em 0 0 }", ".a .b{margin:0 0.5em 0 0}"),
        ('p::before { content: "a  /* b */ ;}" / ""; }', 'p::before{content:"a  /* b */ ;}" / ""}'),
        ("x { width: calc(100% - 2 * 1rem); }", "x{width:calc(100% - 2 * 1rem)}"),
        ("@media (min-width: 1px) and (max-width: 2px) { a { b: c } }", "@media (min-width:1px) and (max-width:2px){a{b:c}}"),
        (".a :is(.b, .c) { color: red !important; }", ".a :is(.b,.c){color:red!important}"),
        ("/*! MIT licence */\na{}", "/*! MIT licence */a{}"),
        ("a { font: 12px/1.5 system-ui; }", "a{font:12px/1.5 system-ui}"),
    ],
    ids=["spaces", "comment", "string", "calc", "media", "descendant-pseudo", "licence", "slash"],
)
def test_minify_css(css, minified):
    assert minify_css(css) == minified
    assert minify_css(minified) == minified


def test_design_css_keeps_the_selectors_of_the_classes_used():
    css = (":root{--sd-x:1}.sd-card{a:b}.sd-card .sd-card-header,.sd-btn{c:d}.sd-tab-set>input:checked+label{e:f}"
           "@media (min-width:576px){.sd-col-sm-2{g:h}.sd-card-body{i:j}}@keyframes sd-k{0%{k:l}}p:is(.sd-a,.sd-card){m:n}")
    assert purge_design(css, {"sd-card", "sd-card-body"}) == (
        ":root{--sd-x:1}.sd-card{a:b}@media (min-width:576px){.sd-card-body{i:j}}@keyframes sd-k{0%{k:l}}")
    assert purge_design(css, set(SD_CLASS.findall(css))) == css


def test_pygments_keeps_the_rules_the_code_uses(site):
    css = (site.outdir / "_static/pygments.css").read_text()
    assert len(css) < 8000
    # Furo's light and dark Pygments styles, whole
    styled = {t for style in ("a11y-light", "native") for t in TOKEN_RULE.findall(HtmlFormatter(style=style).get_style_defs(".highlight"))}
    used = {span["class"][0] for path in site.outdir.rglob("*.html")
            for span in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select(".highlight span[class]")}
    kept = set(re.findall(r"\.highlight \.([A-Za-z0-9]+)\{", css.split("@media")[0]))
    assert {"gu", "w", "nb"} <= kept  # Markdown headings, whitespace, shell builtins in the templates
    assert kept == used & styled


def test_an_incremental_build_cuts_pygments_css_as_a_clean_one(site_copy, tmp_path):
    """Tokens are read with the page, not from the output: a page that brings
    new tokens, then leaves, gives the clean build's stylesheet each time."""
    out = tmp_path / "html"
    assert sphinx_build(site_copy, out, env=STOCK).returncode == 0
    before = (out / "_static/pygments.css").read_text()
    (site_copy / "runbooks/python-check.md").write_text(
        "---\nowner: Ops\nlast_reviewed: 2026-04-04\n---\n\n# Python Check\n\n```python\nimport os\nprint(os.getcwd())\n```\n")
    replace_once(site_copy / "runbooks/index.md", "runbook-template\n", "runbook-template\npython-check\n")
    assert sphinx_build(site_copy, out, env=STOCK, fresh=False).returncode == 0
    clean = sphinx_build(site_copy, tmp_path / "clean", env=STOCK)
    assert clean.returncode == 0
    grown = (out / "_static/pygments.css").read_text()
    assert grown == (clean.outdir / "_static/pygments.css").read_text() and ".highlight .kn{" in grown
    # search.html aside: it gets sop-search-hints.js?v= only once a previous build wrote that file
    pages = sorted(p.relative_to(out) for p in out.rglob("*.html") if p.name != "search.html")
    assert [p for p in pages if (out / p).read_bytes() != (clean.outdir / p).read_bytes()] == []

    (site_copy / "runbooks/python-check.md").unlink()
    replace_once(site_copy / "runbooks/index.md", "python-check\n", "")
    assert sphinx_build(site_copy, out, env=STOCK, fresh=False).returncode == 0
    assert (out / "_static/pygments.css").read_text() == before


# -- The benchmark ---------------------------------------------------------------


def test_the_benchmark_runs_on_a_small_corpus():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/bench.py"), "--pages", "20", "--runs", "1", "--skip-manual"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| 20 |")]
    assert [row[1] for row in rows[:2]] == ["Furo", "basic (floor)"]
    assert all(row[5].endswith(" MiB") for row in rows[:2])  # peak memory, summed over the worker processes
    assert "| pages | -j auto, clean | -j 3, clean |" in result.stdout and len(rows) == 3
    assert all(re.fullmatch(r"[\d.]+ s \([\d.]+–[\d.]+\)", cell.strip(" |")) for cell in rows[2][1:3])  # median (min–max)
    assert "cores" in result.stdout
