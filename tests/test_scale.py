"""Speed at scale: the sidebar computed once per build is stock Furo's sidebar,
incremental and parallel builds keep it right, pages load only what they use,
and the benchmark runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, replace_once, sphinx_build
from page_weight import unused
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


def test_three_jobs_give_the_same_site_as_one(tmp_path):
    one = sphinx_build(ROOT, tmp_path / "j1", env=STOCK, jobs="1")
    three = sphinx_build(ROOT, tmp_path / "j3", env=STOCK, jobs="3")
    assert one.returncode == three.returncode == 0
    files = sorted(p.relative_to(one.outdir) for p in one.outdir.rglob("*") if p.is_file() and p.name != ".buildinfo")
    assert [f for f in files if (one.outdir / f).read_bytes() != (three.outdir / f).read_bytes()] == []


# -- Page weight -------------------------------------------------------------------

COPY_BUTTON = ("copybutton.css", "copybutton.js", "clipboard.min.js")
BUDGET = 125 * 1024


def loaded(outdir: Path, page: str) -> dict[str, int]:
    """Bytes of the page and of every stylesheet and script it loads."""
    path = outdir / page
    html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    files = {"(html)": path.stat().st_size}
    for tag in html.select("link[rel=stylesheet][href], script[src]"):
        reference = (tag.get("href") or tag.get("src")).split("?")[0]
        files[reference.rsplit("/", 1)[-1]] = (path.parent / reference).resolve().stat().st_size
    return files


@pytest.mark.parametrize("page", [*SEED_PAGES, *DRAFT_PAGES])
def test_a_content_page_loads_at_most_125_kb(site, page):
    files = loaded(site.outdir, page)
    # The copy button is what a page of templates is for; it is counted apart.
    weight = sum(size for name, size in files.items() if name not in COPY_BUTTON)
    assert weight <= BUDGET, f"{page}: {weight / 1024:.1f} KB: {files}"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_a_page_loads_what_it_uses(site, page):
    html = (site.outdir / page).read_text(encoding="utf-8")
    names = set(loaded(site.outdir, page))
    body = str(BeautifulSoup(html, "html.parser").select_one("article"))
    if 'class="sd-' in body:
        assert "sphinx-design.min.css" in names
    if '<div class="highlight' in body:
        assert {"pygments.css", *COPY_BUTTON} <= names
    if "contains-task-list" in body:
        assert "checklists.js" in names
    assert not (unused(body) & names)


def test_the_landing_page_cards_are_styled(site):
    assert "sphinx-design.min.css" in loaded(site.outdir, "index.html")
    assert "sphinx-design.min.css" not in loaded(site.outdir, "backup-and-restore/backup-policy.html")


def test_pygments_keeps_the_rules_the_code_uses(site):
    css = (site.outdir / "_static/pygments.css").read_text()
    assert len(css) < 8000
    for token in ("gu", "w", "nb"):  # Markdown headings, whitespace, shell builtins in the templates
        assert f".highlight .{token} {{" in css


# -- The benchmark ---------------------------------------------------------------


def test_the_benchmark_runs_on_a_small_corpus():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/bench.py"), "--pages", "20", "--runs", "1", "--skip-manual"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("| 20 |")]
    assert [row.split(" | ")[1] for row in table] == ["Furo", "basic (floor)"]
    assert "cores" in result.stdout
