# bulletin-convert: the two commands a fresh machine needs are `make demo` and `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

# Debian packages the test suite uses: validators and readers of every rendition, and strace
# (a test kills a conversion as it makes a chosen write).
DEBIAN_PACKAGES := default-jdk-headless epubcheck jing poppler-utils qpdf libreoffice-writer-nogui \
                   faketime fonts-dejavu-core strace

.PHONY: demo test install install-test debian-packages lint bench bench-quick clean

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

lint: install-test
	$(BIN)/ruff check .

## bench: the full benchmark, side by side with pandoc and LibreOffice (minutes)
bench: install-test
	$(BIN)/python -m benchmarks --work $(OUT)/bench

bench-quick: install-test
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
