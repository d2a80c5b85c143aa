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
    from convert import parse_file

    return {p.stem: parse_file(p).documents for p in corpus_bulletins}


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


@pytest.fixture(scope="session")
def rendition_documents(corpus_documents: dict[str, list], everything) -> dict:
    """What every rendition is checked on, by output stem: the fixture, each corpus document
    (digest items as STEM-N) and each input of corpus/bad/ that parses (with a warning)."""
    from convert import parse_file
    from convert.messages import InputError

    docs = {"everything": everything}
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
