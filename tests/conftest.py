"""Shared test fixtures: where the corpus and the project's own examples are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
BULLETINS = sorted((CORPUS / "bulletins").glob("*.txt"))
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden canonical XML files from the current parser output",
    )


@pytest.fixture(scope="session")
def corpus_bulletins() -> list[Path]:
    if not BULLETINS:
        pytest.fail(f"the shared corpus is missing: expected bulletins in {CORPUS / 'bulletins'}")
    return BULLETINS


@pytest.fixture(scope="session")
def everything_xml() -> bytes:
    """A hand-written canonical document that uses every element of the vocabulary."""
    return (FIXTURES / "everything.xml").read_bytes()


@pytest.fixture(scope="session")
def corpus_documents(corpus_bulletins: list[Path]) -> dict[str, list]:
    """Every corpus bulletin parsed once: file stem -> its canonical documents."""
    from convert.reader import parse_file

    return {p.stem: parse_file(p).documents for p in corpus_bulletins}


def node_tool(script: str, files: list[Path], work: Path) -> None:
    """Run tests/a11y/SCRIPT (DAISY Ace, axe-core) with Node over `files`, in Debian's Chromium.

    The tools come from the project's node_modules (`make npm-tools`); whatever Chromium and
    Ace keep in a home folder goes to `work`. Each file gets a JSON report beside it; a tool
    that fails outright fails the test."""
    import os
    import shutil
    import subprocess

    node, chromium = shutil.which("node"), shutil.which("chromium")
    if node is None or chromium is None or not (ROOT / "node_modules").is_dir():
        pytest.fail("the accessibility checks need node, Debian's chromium and the project's "
                    "node_modules: run `make npm-tools` (or `make test`)")
    home = {f"XDG_{k}_HOME": str(work) for k in ("CONFIG", "CACHE", "DATA", "STATE")}
    env = {**os.environ, **home, "PUPPETEER_EXECUTABLE_PATH": chromium}
    done = subprocess.run([node, str(ROOT / "tests" / "a11y" / script), *map(str, files)],
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def render(fmt: str, doc, **options: str) -> bytes:
    """The rendition of `doc` in format `fmt`; the writer must have nothing to report."""
    import io

    from convert.writers import WriteOptions, get

    out = io.BytesIO()
    assert get(fmt).write(doc, out, WriteOptions(**options)) == []
    return out.getvalue()


def write_renditions(jobs: dict, fmt: str, folder: Path, extension: str) -> dict:
    """Render name -> (doc, options) into folder/NAME.EXTENSION: name -> (doc, path)."""
    out = {}
    for name, (doc, options) in jobs.items():
        path = folder / f"{name}.{extension}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(fmt, doc, **options))
        out[name] = (doc, path)
    return out


@pytest.fixture(scope="session")
def everything(everything_xml: bytes):
    from convert import model

    return model.load(everything_xml)


def lists_variant(everything):
    """The fixture with the lists the corpus lacks: numbered from 3 ("3."), numbered "7)",
    marked with dashes, and plain."""
    import copy

    from convert import model

    doc = copy.deepcopy(everything)
    body = model.find(doc, "body")
    model.find(body, "list[@type='number']").set("marker", "3.")
    for kind, marker, texts in (("number", "7)", ("the harbor master;", "the council.")),
                                ("bullet", "-", ("ice charts;", "tide tables.")),
                                ("plain", None, ("Riga", "Jūrmala"))):
        lst = model.sub(body, "list", type=kind, marker=marker)
        for text in texts:
            model.sub(lst, "item", text)
    return doc


@pytest.fixture(scope="session")
def rendition_documents(corpus_documents: dict[str, list], everything) -> dict:
    """What every rendition is checked on, by output stem: the fixture and its lists variant,
    each example (examples/canonical), each corpus document (digest items as STEM-N) and each
    input of corpus/bad/ that parses (with a warning)."""
    from convert import model
    from convert.messages import InputError
    from convert.reader import parse_file

    docs = {"everything": everything, "variant-lists": lists_variant(everything)}
    for path in sorted((EXAMPLES / "canonical").glob("*.xml")):
        docs[f"example-{path.stem}"] = model.load(path.read_bytes())
    for stem, documents in corpus_documents.items():
        for n, doc in enumerate(documents, start=1):
            docs[stem if len(documents) == 1 else f"{stem}-{n}"] = doc
    for path in sorted((CORPUS / "bad").glob("*.txt")):
        try:
            parsed = parse_file(path)
        except InputError:
            continue
        for n, doc in enumerate(parsed.documents, start=1):
            docs[f"bad-{path.stem}-{n}"] = doc
    return docs
