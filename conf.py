"""Sphinx configuration for the Anchor SOP manual."""

import sys
from pathlib import Path

# Local extensions live beside this file, whatever the working directory.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

# -- Project information -----------------------------------------------------

project = "Anchor SOP"
author = "Anchor MSP"
# The EPUB needs a version; the manual is versioned by its git history.
version = release = "1.0"

# -- General configuration ---------------------------------------------------

extensions = [
    "myst_parser",
    "notfound.extension",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_reredirects",
    # local, in _ext/
    "nested_fences",
    "offline_linkcheck",
    "sop_metadata",
    "review_status",
    "severity",
    "flows",
    "section_cards",
    "search_ranking",
    "a11y",
    "editions",
    "pdf_builder",
    "deep_links",
    "noindex",
    "no_sources",
    "navigation",
    "page_weight",
    "static_files",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]

# The source directory is the repository root: everything that is not a page
# must be excluded here, or Sphinx would publish it.
exclude_patterns = [
    "_build",
    "_ext",
    "_static",
    "_templates",
    ".ci",
    ".github",
    ".pytest_cache",
    ".venv",
    "venv*",
    "README.md",
    "tests",
    "tools",
]

# -- Options for Markdown files ----------------------------------------------

myst_enable_extensions = [
    "colon_fence",  # ::: fences for sphinx-design components
    "tasklist",  # - [ ] checklists render as checkboxes
]
# Headings get GitHub-style slugs, so [text](page.md#slug) links are checked.
myst_heading_anchors = 3

# -- Options for HTML output -------------------------------------------------

html_theme = "furo"
html_title = "Anchor SOP"
html_static_path = ["_static"]
html_css_files = ["anchor.css"]
html_js_files = [("checklists.js", {"defer": "defer"}), ("print.js", {"defer": "defer"})]

# The sidebar is computed once per build, not once per page (_ext/navigation.py).
sop_fast_navigation = True

# Sphinx's search, with ranking rules for the manual (_ext/search_ranking.py).
# Anchored on this file: Sphinx opens the path from the working directory.
html_search_scorer = str(Path(__file__).parent / "_ext" / "search_scorer.js")

# Readers get pages, not their Markdown sources.
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_show_copyright = False

html_theme_options = {
    # The seed's palette. Its light primary is almost black, so it stays the
    # brand colour and links get an indigo that reads as a link (AA: 8.1:1 on
    # white, 7.6:1 on Furo's dark background).
    "light_css_variables": {
        "color-brand-primary": "#1a1a2e",
        "color-brand-content": "#4040b0",
        "color-brand-visited": "#6b4fbb",
        "font-stack": "system-ui, -apple-system, sans-serif",
    },
    "dark_css_variables": {
        "color-brand-primary": "#a0a0c0",
        "color-brand-content": "#9d9dff",
        "color-brand-visited": "#c0b0ff",
    },
}

# -- Options for SOP metadata (_ext/sop_review.py) ---------------------------

# Procedure pages are reviewed every 12 months unless their front matter says
# `review_every: N`.
sop_review_every_months = 12
# Pages that are not procedures and need no owner or review date: the landing
# page, the section indexes, the generated review page and the glossary.
sop_exempt_pages = ["index", "*/index", "review-status", "glossary"]

# -- Options for the offline editions (make pdf, make epub) ------------------

epub_basename = "anchor-sop"
epub_title = "Anchor SOP"
epub_author = author
epub_publisher = author
epub_copyright = "Anchor MSP — Internal Use Only"
epub_theme = "epub"
epub_show_urls = "no"
# An EPUB has no search page, and does not print (_ext/editions.py).
epub_exclude_files = ["search.html", "_static/print.css"]

# -- Options for publishing (vercel.json, deep-links.txt) --------------------

# The 404 page links to /_static/…: the site is served from the root.
notfound_urls_prefix = "/"
# Moved pages: {"old/docname": "new/page.html"} (sphinx-reredirects), and
# moved anchors: {"docname#old-id": "new-id"} (_ext/deep_links.py). Alert
# rules and chat threads link into the manual: never just delete a URL.
redirects = {}
sop_anchor_redirects = {}
# Redirect stubs say noindex, and keep the #anchor with an external script
# rather than an inline one the Content-Security-Policy would have to hash.
redirect_html_template_file = "_templates/redirect.html"

# -- Options for the link checker --------------------------------------------

linkcheck_anchors = True
linkcheck_timeout = 15
# CI has no internet: set SOP_LINKCHECK_OFFLINE=1 there (see _ext/offline_linkcheck.py).

# -- Options for sphinx-copybutton -------------------------------------------

# Copy exactly what the block shows: the templates contain no prompts to strip.
copybutton_prompt_text = ""
