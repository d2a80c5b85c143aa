# bulletin-convert: the two commands a fresh machine needs are `make demo` and `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

# Debian packages the test suite uses: validators and readers of every rendition.
DEBIAN_PACKAGES := default-jdk-headless epubcheck jing poppler-utils qpdf libreoffice-writer-nogui \
                   faketime fonts-dejavu-core

# The accessibility checks drive Debian's Chromium (DAISY Ace for EPUB, axe-core for HTML).
DEBIAN_PACKAGES += chromium

.PHONY: demo test install install-test debian-packages lint bench bench-quick clean
.PHONY: npm-tools

$(BIN)/bulletin: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(BIN)/bulletin

install-test: install
	$(BIN)/pip install --quiet -e '.[test]'

## demo: install into .venv, then convert and archive the bulletins in examples/
demo: install
	$(BIN)/bulletin convert examples/*.txt --to all -o $(OUT)/demo --force
	rm -rf $(OUT)/demo-archive
	$(BIN)/bulletin archive examples/*.txt -o $(OUT)/demo-archive --to all
	$(BIN)/bulletin verify $(OUT)/demo-archive
	@echo
	@echo "Renditions (TEI, EPUB, DOCX, PDF/A): $(OUT)/demo/"
	@echo "BagIt package with provenance and catalogue:     $(OUT)/demo-archive/"

## debian-packages: install the validators the tests use, where they are missing
debian-packages:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## test: install the test needs (Python and Debian), then run the whole suite
test: debian-packages install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

## npm-tools: the Node tools of the accessibility checks (DAISY Ace, axe-core) in node_modules/,
## as package-lock.json pins them; they use Debian's Chromium, so puppeteer downloads none
npm-tools: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 18 or later) is needed"; exit 1; }
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

test: npm-tools

lint: install-test
	$(BIN)/ruff check .

## bench: the full benchmark, side by side with pandoc and LibreOffice (minutes)
bench: install-test
	$(BIN)/python -m benchmarks --work $(OUT)/bench

bench-quick: install-test
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
