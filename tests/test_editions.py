"""The offline editions: PDF, EPUB and the zipped site, from the same sources."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import ROOT, sphinx_build

PINNED = {"SOURCE_DATE_EPOCH": "1800000000", "SOP_TODAY": None}  # 2027-01-15


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory):
    build = sphinx_build(ROOT, tmp_path_factory.mktemp("pdf") / "pdf", builder="pdf", env=PINNED)
    if build.returncode != 0:
        pytest.fail(f"make pdf fails:\n{build.output}")
    return build


@pytest.fixture(scope="module")
def pdf(pdf_build) -> PdfReader:
    return PdfReader(pdf_build.outdir / "anchor-sop.pdf")


def flat(value: str) -> str:
    return " ".join(value.split())


def page_texts(reader: PdfReader) -> list[str]:
    return [flat(page.extract_text()) for page in reader.pages]


def sidebar_order(site) -> list[str]:
    links = site.html("index.html").select(".sidebar-tree a.reference")
    return ["index.html", *(a["href"] for a in links)]


def first_sentence(site, page: str) -> str:
    article = site.html(page).select_one("article")
    for p in article.select("p"):
        if p.find_parent(class_=["sop-page-meta", "sd-card", "admonition", "toctree-wrapper"]) or not p.get_text(strip=True):
            continue
        return re.split(r"(?<=[.:])\s", flat(p.get_text()))[0]
    return ""


def test_cover_and_contents(pdf):
    cover, contents = page_texts(pdf)[:2]
    assert "Anchor SOP" in cover and "Built 2027-01-15" in cover and "INTERNAL USE ONLY" in cover.upper()
    assert "Contents" in contents and "Production Ownership Policy" in contents


def page_title(site, page: str) -> str:
    return flat(site.html(page).select_one("article h1").get_text()).rstrip("¶ ").strip()


def test_the_contents_fit_one_page_and_every_entry_links_to_its_page(site, pdf):
    texts = page_texts(pdf)
    contents, after = texts[1], texts[2]
    # the landing chapter is the first entry; two-digit numbers are not cut at the margin
    assert "1. Anchor MSP — Standard Operating Procedures 2. Production Ownership" in contents
    assert "10. Incident Response" in contents and "16. Review status" in contents
    assert "Contents" not in after and after.index("Anchor MSP — Standard Operating Procedures") < 80
    entries = [page_title(site, page) for page in sidebar_order(site)]
    links = sorted(links_on(pdf, 1), reverse=True)  # top of the page first
    assert len(links) == len(entries)
    squeeze = lambda value: re.sub(r"\s", "", value)
    for title, (_, target) in zip(entries, links):
        assert target > 1 and squeeze(title) in squeeze(texts[target]), title


def test_every_page_is_in_the_pdf_in_sidebar_order(site, pdf):
    body = " ".join(page_texts(pdf)[2:])  # after the cover and the contents
    body = body[body.index("Anchor MSP — Standard Operating Procedures"):]
    position = 0
    for page in sidebar_order(site):
        title = page_title(site, page)
        sentence = first_sentence(site, page)
        assert sentence, page
        # the page's heading, followed soon by its first sentence (not a card or a link)
        found = next(
            (m.start() for m in re.finditer(re.escape(title), body[position:])
             if sentence in body[position + m.start():position + m.start() + 800]),
            None,
        )
        assert found is not None, f"{title!r} ({page}) and {sentence!r}: missing, or out of sidebar order"
        position += found + len(title)


def test_sections_are_chapters_not_nested_under_the_landing_page(site, pdf):
    squeeze = lambda title: re.sub(r"\s", "", title)  # Chromium drops the space where a heading wraps
    top = [squeeze(item["/Title"]) for item in pdf.outline if not isinstance(item, list)]
    sections = [a.get_text() for a in site.html("index.html").select(".sidebar-tree li.toctree-l1 > a")]
    assert top == [squeeze(t) for t in ["Anchor MSP — Standard Operating Procedures", *sections]]


def chapter(pdf, title: str, after: str) -> str:
    """The text from a page's heading up to the next page's heading."""
    body = " ".join(page_texts(pdf)[2:])
    start = body.index(title, body.index("Anchor MSP — Standard Operating Procedures"))
    return body[start:body.index(after, start + len(title))]


@pytest.mark.parametrize(
    ("title", "after", "boxes"),
    [
        ("New Managed System Onboarding Checklist Owner", "System Handoff Acceptance What", 15),
        ("Handoff Acceptance Checklist Owner", "Monitoring and Alerting How", 10),
    ],
)
def test_checklists_keep_their_boxes(pdf, title, after, boxes):
    assert chapter(pdf, title, after).count("☐") == boxes


def test_the_severity_matrix_fits_on_the_page(pdf):
    matrix = chapter(pdf, "Alert Severity Matrix Owner", "Slack Alert Routing Policy Owner")
    for cell in ("Immediate — SMS to on-call, escalation chain starts", "After 1 hour unacknowledged — escalate to secondary"):
        assert cell in matrix


def test_every_printed_page_after_the_cover_names_its_section_and_internal_use(pdf):
    texts = page_texts(pdf)
    for number, text in enumerate(texts[1:], 2):
        assert "Internal Use Only" in text[:120], f"page {number}"
    backup = next(t for t in texts if "Backup Policy Owner" in t)
    assert backup.startswith("Backup and Restore Anchor MSP — Internal Use Only")


def links_on(pdf, number: int) -> list[tuple[float, int]]:
    """(height of its top edge, page it goes to) for each link on a page."""
    names = {name: pdf.get_destination_page_number(dest) for name, dest in pdf.named_destinations.items()}
    links = []
    for annotation in pdf.pages[number].get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        dest = annotation.get("/Dest")
        assert dest is not None, f"a link on page {number + 1} leads out of the PDF: {annotation.get('/A')}"
        target = names[str(dest)] if isinstance(dest, str) else pdf.get_destination_page_number(dest)
        links.append((float(annotation["/Rect"][3]), target))
    return links


def link_targets(pdf) -> list[tuple[int, int]]:
    """(page it is on, page it goes to) for every link inside the PDF."""
    return [(number, target) for number in range(len(pdf.pages)) for _, target in links_on(pdf, number)]


def test_internal_links_go_to_pages_inside_the_pdf(pdf):
    links = link_targets(pdf)
    assert len(links) > 100
    assert all(0 <= target < len(pdf.pages) for _, target in links)


def test_links_land_on_their_own_page_not_on_a_namesake(pdf, pdf_build):
    """'Purpose' is on every page: its ids are unique, so links find the right one."""
    html = BeautifulSoup((pdf_build.outdir / "index.html").read_text(), "html.parser")
    ids = [tag["id"] for tag in html.select("[id]")]
    assert len(ids) == len(set(ids))
    link = html.select_one('a[href="#monitoring-and-alerting-alert-severity-matrix--severity-levels"]')
    assert link is not None and html.select_one("#monitoring-and-alerting-alert-severity-matrix--severity-levels")
    texts = page_texts(pdf)
    backup_page = next(i for i, t in enumerate(texts) if "severity alert (see Alert Severity Matrix)" in t)
    matrix_pages = {i for i, t in enumerate(texts) if "Alert Severity Matrix Owner" in t or "Severity Levels Severity" in t}
    assert {target for page, target in link_targets(pdf) if page == backup_page} & matrix_pages


def test_the_same_sources_give_the_same_pdf_text(pdf, tmp_path):
    again = sphinx_build(ROOT, tmp_path / "pdf", builder="pdf", env=PINNED)
    assert again.returncode == 0, again.output
    assert page_texts(PdfReader(again.outdir / "anchor-sop.pdf")) == page_texts(pdf)


def test_without_chromium_make_pdf_stops_at_once_and_says_what_is_missing(tmp_path):
    build = sphinx_build(
        ROOT, tmp_path / "pdf", builder="pdf",
        env={"SOP_CHROMIUM": str(tmp_path / "no-chromium"), "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "none")},
    )
    assert build.returncode != 0
    assert "Chromium is needed: install Debian's (apt-get install chromium)" in build.output
    # before reading a page or writing the single-page HTML
    assert not (tmp_path / "pdf-doctrees" / "environment.pickle").exists()
    assert not (tmp_path / "pdf" / "index.html").exists()


def test_a_chromium_lookup_that_fails_counts_as_no_chromium(monkeypatch):
    import chromium
    import pdf_builder

    def missing() -> str:
        raise FileNotFoundError("SOP_CHROMIUM names no file")

    monkeypatch.setattr(chromium, "executable", missing)
    assert pdf_builder.find_chromium() is False
    monkeypatch.setattr(chromium, "executable", lambda: "/nonexistent/chromium")
    assert pdf_builder.find_chromium() is False


# -- EPUB ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def epub(tmp_path_factory) -> Path:
    build = sphinx_build(ROOT, tmp_path_factory.mktemp("epub") / "epub", builder="epub", env=PINNED)
    if build.returncode != 0:
        pytest.fail(f"make epub fails:\n{build.output}")
    return build.outdir / "anchor-sop.epub"


def test_epubcheck_passes(epub):
    checker = shutil.which("epubcheck")
    assert checker, "epubcheck is missing: apt-get install epubcheck"
    # Debian's epubcheck is the jar itself; run it with java, whatever binfmt says.
    result = subprocess.run(["java", "-jar", str(Path(checker).resolve()), str(epub)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 fatals / 0 errors / 0 warnings" in result.stdout + result.stderr


def test_epub_has_checkboxes_and_tables(epub):
    with zipfile.ZipFile(epub) as book:
        onboarding = book.read("client-onboarding/new-managed-system-onboarding-checklist.xhtml").decode()
        matrix = BeautifulSoup(book.read("monitoring-and-alerting/alert-severity-matrix.xhtml"), "html.parser")
    assert onboarding.count("☐") == 15
    assert [len(tr.select("th, td")) for tr in matrix.select("table tr")] == [6] * 5


# -- The site, to read from disk -------------------------------------------------


def publish(html: Path, pdf: Path, epub: Path, zipped: Path) -> subprocess.CompletedProcess:
    """tools/publish.py, as `make offline` and `make site` run it."""
    return subprocess.run(
        [sys.executable, str(ROOT / "tools/publish.py"), str(html), str(pdf), str(epub), str(zipped)],
        capture_output=True, text=True, env={"SOURCE_DATE_EPOCH": "1800000000"},
    )


@pytest.fixture(scope="module")
def published_zip(site, pdf_build, epub, tmp_path_factory) -> Path:
    """What `make offline` zips, from the session's site and these editions."""
    root = tmp_path_factory.mktemp("published")
    html = root / "html"
    shutil.copytree(site.outdir, html)
    zipped = root / "anchor-sop-html.zip"
    result = publish(html, pdf_build.outdir / "anchor-sop.pdf", epub, zipped)
    assert result.returncode == 0, result.stderr
    return zipped


@pytest.fixture(scope="module")
def published(published_zip) -> Path:
    """The zip, unpacked as a reader would."""
    unzipped = published_zip.with_name("unzipped")
    with zipfile.ZipFile(published_zip) as archive:
        archive.extractall(unzipped)
    return unzipped / "anchor-sop-html"


def test_the_landing_page_links_to_the_downloads(published):
    home = BeautifulSoup((published / "index.html").read_text(), "html.parser")
    section = home.find("section", id="download")
    links = [a["href"] for a in section.select("a.sop-download")]
    assert links == ["downloads/anchor-sop.pdf", "downloads/anchor-sop.epub"]
    assert all((published / link).stat().st_size > 10_000 for link in links)


def test_the_zipped_site_works_from_disk(published, published_zip, browser):
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((published / "index.html").as_uri())
    hrefs = page.eval_on_selector_all("article a.reference.internal", "as => as.map(a => a.href)")
    downloads = page.eval_on_selector_all("article a.sop-download", "as => as.map(a => a.href)")
    assert len(hrefs) > 30
    for href in sorted({h.split("#")[0] for h in hrefs}):
        response = page.goto(href)
        assert response is None or response.ok, href
        assert page.locator("article h1").count() == 1, href
    # the Download links, as the browser resolves them, find their files in the zip
    assert len(downloads) == 2
    with zipfile.ZipFile(published_zip) as archive:
        names = set(archive.namelist())
    for href in downloads:
        target = Path(url2pathname(urlparse(href).path))
        assert target.is_relative_to(published) and target.stat().st_size > 10_000, href
        assert f"anchor-sop-html/{target.relative_to(published).as_posix()}" in names, href
        assert target.read_bytes()[:4] in (b"%PDF", b"PK\x03\x04"), href
    # search works from disk too (without the snippets, which need fetch())
    page.goto((published / "index.html").as_uri())
    page.locator(".sidebar-search").fill("Vault")
    page.locator(".sidebar-search").press("Enter")
    page.wait_for_selector("#search-results ul.search li")
    first = page.eval_on_selector("#search-results ul.search li a", "a => a.getAttribute('href')")
    assert first.startswith("secrets-management/secrets-management-policy.html")
    context.close()
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests)


def test_the_zip_is_reproducible(site, pdf_build, epub, tmp_path):
    html = tmp_path / "html"
    shutil.copytree(site.outdir, html)
    zips = []
    for name in ("one.zip", "two.zip"):
        result = publish(html, pdf_build.outdir / "anchor-sop.pdf", epub, tmp_path / name)
        assert result.returncode == 0, result.stderr
        zips.append((tmp_path / name).read_bytes())
    assert zips[0] == zips[1]


def test_no_zip_without_the_editions_its_download_links_need(site, pdf_build, tmp_path):
    html = tmp_path / "html"
    shutil.copytree(site.outdir, html)
    (html / "downloads").mkdir()
    (html / "downloads" / "stale.pdf").write_bytes(b"%PDF from an earlier run")
    only_site = subprocess.run(
        [sys.executable, str(ROOT / "tools/publish.py"), str(html), str(tmp_path / "site.zip")],
        capture_output=True, text=True,
    )
    assert only_site.returncode == 2 and "usage: publish.py SITE PDF EPUB ZIP" in only_site.stderr
    # an edition under another name than the landing page links to
    renamed = tmp_path / "manual.epub"
    shutil.copyfile(pdf_build.outdir / "anchor-sop.pdf", renamed)
    result = publish(html, pdf_build.outdir / "anchor-sop.pdf", renamed, tmp_path / "site.zip")
    assert result.returncode == 2, result.stdout
    assert "Download links find no file: downloads/anchor-sop.epub" in result.stderr
    assert not (tmp_path / "site.zip").exists()
    assert sorted(p.name for p in (html / "downloads").iterdir()) == ["anchor-sop.pdf", "manual.epub"]  # no stale copy
