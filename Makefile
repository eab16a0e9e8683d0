# Anchor SOP — build, check and preview the manual.  `make help` lists targets.

PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
BUILDDIR   := _build
# The gate: every warning is an error (-W), unresolved references warn (-n),
# and --keep-going reports every bad page in one run.
GATEOPTS   := -W -n --keep-going
# -j 3, not -j auto: Sphinx writes with N-1 processes, and on 2 cores -j 3
# built 1000 pages in 18.6 s against 20.5 s (make bench, see README).
SPHINXOPTS ?= -j 3
SPHINXBUILD = $(BIN)/sphinx-build
SERVE_PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help html pdf epub offline site linkcheck lint test review serve new inventory csp bench clean lock

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The virtual environment is made from the lock file, with hashes, and made
# again whenever the lock file changes.
$(VENV)/.installed: requirements.lock
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

html: $(VENV)/.installed ## build the site into _build/html (fails on any warning)
	@if [ -f $(BUILDDIR)/doctrees/environment.pickle ]; then \
	  echo "note: incremental build: only changed pages are re-read, so warnings of"; \
	  echo "      untouched pages are not repeated. 'make clean html' or 'make test' runs the full gate."; \
	fi
	$(SPHINXBUILD) -b html $(GATEOPTS) $(SPHINXOPTS) -d $(BUILDDIR)/doctrees . $(BUILDDIR)/html

pdf: $(VENV)/.installed ## the PDF edition, _build/pdf/anchor-sop.pdf (printed by Chromium; stops at once without one)
	$(SPHINXBUILD) -b pdf $(GATEOPTS) $(SPHINXOPTS) -d $(BUILDDIR)/doctrees-pdf . $(BUILDDIR)/pdf

epub: $(VENV)/.installed ## the EPUB edition, _build/epub/anchor-sop.epub
	$(SPHINXBUILD) -b epub $(GATEOPTS) $(SPHINXOPTS) -d $(BUILDDIR)/doctrees-epub . $(BUILDDIR)/epub

# The landing page's Download links point at downloads/ beside it, so the zip
# holds the PDF and EPUB of the same sources: without them its links would be
# dead (publish.py refuses to zip a site whose Download links find no file).
offline: html pdf epub ## the site with its PDF and EPUB, zipped to read from disk: _build/anchor-sop-html.zip
	$(BIN)/python tools/publish.py $(BUILDDIR)/html $(BUILDDIR)/pdf/anchor-sop.pdf \
	  $(BUILDDIR)/epub/anchor-sop.epub $(BUILDDIR)/anchor-sop-html.zip

# What a deploy publishes (vercel.json's build command): _build/html with the
# PDF and EPUB in its downloads/, and the zip. The same steps as offline.
site: offline ## everything a deploy publishes: _build/html with its downloads/, and the zip

linkcheck: $(VENV)/.installed ## check every external link (SOP_LINKCHECK_OFFLINE=1 skips other hosts)
	$(SPHINXBUILD) -b linkcheck $(GATEOPTS) $(SPHINXOPTS) -d $(BUILDDIR)/doctrees . $(BUILDDIR)/linkcheck

lint: $(VENV)/.installed ## secrets, spelling, Markdown and whitespace (as pre-commit runs them)
	$(BIN)/python tools/lint.py

# The browser tests use Debian's chromium (or SOP_CHROMIUM); without one,
# fetch Playwright's own build (this needs the internet).
test: lint ## run every gate and test, as CI does
	@if [ -z "$$SOP_CHROMIUM" ] && [ ! -x /usr/bin/chromium ]; then \
	  echo "No /usr/bin/chromium: fetching Playwright's Chromium (needs the internet)"; \
	  $(BIN)/playwright install chromium; \
	fi
	$(BIN)/python -m pytest

# make turns any failing recipe into its own exit status 2; the script's own
# status (0 current, 1 overdue, 2 invalid) shows as "Error 1" or "Error 2".
review: $(VENV)/.installed ## print every page's review state; fails if one is overdue (SOP_TODAY=YYYY-MM-DD)
	@$(BIN)/python _ext/sop_review.py

new: $(VENV)/.installed ## scaffold a page: KIND=runbook|decision|policy TITLE="…" [SECTION=…]
	@$(BIN)/python tools/new_page.py

inventory: $(VENV)/.installed ## rewrite deep-links.txt from a fresh build, after adding or moving pages
	$(SPHINXBUILD) -b html -E -q $(GATEOPTS) $(SPHINXOPTS) -d $(BUILDDIR)/doctrees . $(BUILDDIR)/html
	$(BIN)/python tools/deep_links.py $(BUILDDIR)/html

csp: html ## rewrite vercel.json's Content-Security-Policy from the hashes the build emits
	$(BIN)/python tools/csp.py $(BUILDDIR)/html

serve: $(VENV)/.installed ## live preview on 127.0.0.1:8000 (SERVE_PORT=…), rebuilt and reloaded on save
	$(BIN)/sphinx-autobuild --host 127.0.0.1 --port $(SERVE_PORT) \
	  --ignore '*/$(VENV)/*' --ignore '*/tests/*' --ignore '*/.git/*' --ignore '*/.pytest_cache/*' \
	  -n $(SPHINXOPTS) -d $(BUILDDIR)/doctrees . $(BUILDDIR)/html

bench: $(VENV)/.installed ## time builds of 100- and 1000-page synthetic manuals against the basic theme (minutes)
	$(BIN)/python tools/bench.py

clean: ## remove _build
	rm -rf $(BUILDDIR)

lock: $(VENV)/.installed ## re-pin requirements.lock from pyproject.toml (needs PyPI)
	$(BIN)/uv pip compile --group pyproject.toml:test --group pyproject.toml:lint --group pyproject.toml:lock \
	  --generate-hashes --universal --python-version 3.11 \
	  --custom-compile-command "make lock" -o requirements.lock
