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
    from convert.parse import parse_file

    return {p.stem: parse_file(p).documents for p in corpus_bulletins}
