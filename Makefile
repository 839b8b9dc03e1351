# publish: `make` builds the EPUB and the PDF into build/, `make test` runs the tests.
# MANUSCRIPT=dir make builds another manuscript; OUT=dir puts the outputs elsewhere.

PYTHON ?= python3
MANUSCRIPT ?= manuscript
OUT ?= build
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
PUBLISH := $(BIN)/publish
SOURCES := $(shell find $(MANUSCRIPT) -type f 2>/dev/null) $(wildcard styles/*) \
           $(shell find publish -type f \( -name '*.py' -o -name '*.html' -o -name '*.xhtml' -o -name '*.css' \))
STAMP = $(OUT)/.$(1)-$(subst /,_,$(abspath $(MANUSCRIPT))).built

# A stamp records the file it built; if that file was deleted, forget the stamp so it is built again.
$(foreach f,epub pdf pdf-screen cover,$(shell s='$(call STAMP,$(f))'; [ -f "$$s" ] && [ ! -f "$$(cat "$$s")" ] && rm -f "$$s"))

ACE := node_modules/.bin/ace-cli

.PHONY: all epub pdf pdf-screen cover html dist lint proof preview test test-all check bench clean distclean venv ace
# The PDF first: its layout is saved in $(OUT)/.cache and the EPUB's page list reads it back.
all: pdf epub

venv: $(INSTALLED)
$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# The package's own modules compiled once: with PYTHONDONTWRITEBYTECODE set, every start would compile them.
	$(BIN)/python -m compileall -q publish
	@rm -f $(VENV)/.installed-*
	@touch $@

epub: $(call STAMP,epub)
pdf: $(call STAMP,pdf)
cover: $(call STAMP,cover)
# The PDF for reading on a screen (bookmarks, links, tagged); `make pdf` builds the printer profile book.yaml names.
pdf-screen: $(call STAMP,pdf-screen)

$(call STAMP,pdf-screen): $(INSTALLED) $(SOURCES)
	$(PUBLISH) build pdf --profile screen -m $(MANUSCRIPT) -o $(OUT)
	@$(PUBLISH) outputs pdf --profile screen -m $(MANUSCRIPT) -o $(OUT) > $@

$(OUT)/.%-$(subst /,_,$(abspath $(MANUSCRIPT))).built: $(INSTALLED) $(SOURCES)
	$(PUBLISH) build $* -m $(MANUSCRIPT) -o $(OUT)
	@$(PUBLISH) outputs $* -m $(MANUSCRIPT) -o $(OUT) > $@

# Ace by DAISY (accessibility checker) runs in Debian's chromium; puppeteer must not download a browser.
ace: $(ACE)
$(ACE): package.json
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
	@touch $@

html: $(INSTALLED)
	$(PUBLISH) build html -m $(MANUSCRIPT) -o $(OUT)

# Proofreading: lint and spelling findings; the proof folder (report, stamped PDF, page images, diff against
# the previous proof); a live preview that reloads the browser when a file is saved (PORT=8000 by default).
lint: $(INSTALLED)
	$(PUBLISH) lint -m $(MANUSCRIPT)

proof: $(INSTALLED)
	$(PUBLISH) proof -m $(MANUSCRIPT) -o $(OUT)/proof

PORT ?= 8000
preview: $(INSTALLED)
	$(PUBLISH) serve -m $(MANUSCRIPT) -o $(OUT) --port $(PORT)

# A release in dist/<slug>-<version>/; FORCE=1 replaces an existing one of the same version.
dist: $(INSTALLED)
	$(PUBLISH) dist -m $(MANUSCRIPT) -o dist --build-dir $(OUT) $(if $(FORCE),--force)

# Speed and memory against pandoc (benchmark-only dependency pypandoc-binary); writes benchmarks/RESULTS.md.
# BOOKS="manuscript the-communist-manifesto" measures only those and prints the table without writing it.
bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m compileall -q publish
	$(BIN)/python benchmarks/bench.py $(BOOKS)

test: $(INSTALLED) $(ACE)
	$(BIN)/python -m pytest -m "not exhaustive"

test-all: $(INSTALLED) $(ACE)
	$(BIN)/python -m pytest

check: all $(ACE)
	$(PUBLISH) verify -m $(MANUSCRIPT) -o $(OUT)

clean:
	rm -rf $(OUT) dist

distclean: clean
	rm -rf $(VENV) node_modules
