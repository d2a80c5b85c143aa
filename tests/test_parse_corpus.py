"""The parser against the test corpus (tests/corpus, see its README): expected facts and
warnings, no word lost, source order, schema-valid, byte-stable round trip, golden XML.

Every check but the golden XML also runs over an extra corpus of the same layout when
BULLETIN_EXTRA_CORPUS names one; without it those cases are skipped.
"""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path

import pytest
from conftest import BULLETINS, EXAMPLES, documents_expected, expected, extra_corpus_bulletins
from corpus_facts import facts, speakers

from convert import model, parse_file
from convert.messages import Level
from convert.reader.decode import decode
from convert.schema import validate

GOLDEN = Path(__file__).resolve().parent / "golden"
FIELDS = ("title", "date", "agency", "place", "byline", "blocks")

#: Where the current parser falls short of a bulletin's expected facts: (check, stem) -> what
#: it does wrong. Each is a strict xfail, so the fix shows up as an unexpected pass.
KNOWN_WRONG: dict[tuple[str, str], str] = {}


def cases(check: str) -> list:
    """The corpus bulletins for one check (known shortfalls marked), then the extra corpus."""
    own = []
    for path in BULLETINS:
        reason = KNOWN_WRONG.get((check, path.stem))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        own.append(pytest.param(path, id=path.stem, marks=marks))
    return own + extra_corpus_bulletins()


def test_the_corpus_is_whole() -> None:
    """Every bulletin has its facts and every facts file its bulletin; the sets are all here."""
    stems = {p.stem for p in BULLETINS}
    facts_files = {p.stem for p in (BULLETINS[0].parent.parent / "expected").glob("*.json")}
    assert stems == facts_files
    prefixes = Counter(stem.split("-", 1)[0] for stem in stems)
    assert prefixes == {"blind1": 40, "blind2": 40, "blind3": 30, "check": 22}
    assert {stem for _, stem in KNOWN_WRONG} <= stems


@pytest.mark.parametrize("path", cases("facts"))
def test_facts_match_expected(path: Path) -> None:
    exp = expected(path)
    docs = parse_file(path).documents
    if "items" in exp:
        assert [facts(d)["title"] for d in docs] == [i["title"] for i in exp["items"]]
        for item, doc in zip(exp["items"], docs, strict=True):
            got = facts(doc)
            assert {k: got[k] for k in FIELDS} == {k: item[k] for k in FIELDS}
            if item.get("inferred_date"):
                assert model.head(doc).date == item["inferred_date"]
            if "speakers" in item:
                assert speakers(doc) == item["speakers"]
            assert got["boilerplate"] == exp["boilerplate"]
        return
    assert len(docs) == 1
    got = facts(docs[0])
    assert got == {k: exp[k] for k in (*FIELDS, "boilerplate")}
    if "speakers" in exp:
        assert speakers(docs[0]) == exp["speakers"]


@pytest.mark.parametrize("path", cases("warnings"))
def test_expected_warnings_are_given(path: Path) -> None:
    exp = expected(path)
    messages = parse_file(path).messages
    warnings = [m for m in messages if m.level is Level.WARNING]
    assert len(warnings) >= len(exp.get("warnings", []))
    if not exp.get("warnings"):
        return
    assert all(m.line is not None and m.source == str(path) for m in messages)


def source_words(path: Path) -> Counter[str]:
    return Counter(model.words(decode(path.read_bytes()).text))


def accounted_words(docs: list[model.Element]) -> Counter[str]:
    """Words a document set keeps or records: content, chrome, list numbers, digest contents."""
    found: Counter[str] = Counter()
    for i, doc in enumerate(docs):
        found.update(model.words(model.content_text(doc, as_shown=False)))
        for lst in doc.iter(model.q("list")):
            if lst.get("type") == "number":
                start = model.list_numbering(lst)[0]
                found.update(str(n) for n in range(start, start + len(lst)))
        if i == 0:  # page-level records are repeated in every item of a digest
            h = model.head(doc)
            for _, chrome in h.removed:
                found.update(model.words(chrome))
            for entry in doc.iter(model.q("entry")):
                found.update(model.words(entry.text or ""))
    return found


@pytest.mark.parametrize("path", cases("words"))
def test_no_word_is_lost(path: Path) -> None:
    docs = parse_file(path).documents
    assert accounted_words(docs) == source_words(path)


@pytest.mark.parametrize("path", cases("order"))
def test_content_keeps_source_order(path: Path) -> None:
    source = model.words(decode(path.read_bytes()).text)
    for doc in parse_file(path).documents:
        content = iter(source)
        missing = [w for w in model.words(model.content_text(doc, as_shown=False))
                   if w not in content]
        assert missing == [], "content words out of source order"


@pytest.mark.parametrize("path", cases("schema"))
def test_documents_are_schema_valid(path: Path) -> None:
    for doc in parse_file(path).documents:
        assert validate(doc, str(path)) == []


@pytest.mark.parametrize("path", cases("round-trip"))
def test_round_trip_is_byte_stable(path: Path) -> None:
    for doc in parse_file(path).documents:
        once = model.dump(doc)
        assert model.dump(model.load(once)) == once


def _golden_check(name: str, produced: bytes, golden: Path, update: bool) -> None:
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
        return
    if not golden.exists():
        pytest.fail(f"no golden file {golden}; run pytest --update-golden and review the diff")
    want = golden.read_bytes()
    if produced != want:
        diff = "".join(difflib.unified_diff(
            want.decode().splitlines(keepends=True), produced.decode().splitlines(keepends=True),
            fromfile=f"golden/{golden.name}", tofile=f"parsed/{name}"))
        pytest.fail(f"canonical XML differs from the golden file:\n{diff}")


@pytest.mark.parametrize("path", BULLETINS, ids=lambda p: p.stem)
def test_golden_canonical_xml(path: Path, request: pytest.FixtureRequest) -> None:
    update = request.config.getoption("--update-golden")
    docs = parse_file(path).documents
    for n, doc in enumerate(docs, start=1):
        name = f"{path.stem}-{n}.xml" if len(docs) > 1 else f"{path.stem}.xml"
        _golden_check(name, model.dump(doc), GOLDEN / name, update)


def test_every_golden_file_belongs_to_a_corpus_document() -> None:
    """A golden file left from a bulletin that is gone would hide nothing but mislead."""
    names = {p.name for p in GOLDEN.glob("*.xml")}
    wanted = set()
    for path in BULLETINS:
        count = documents_expected(path)
        wanted |= ({f"{path.stem}.xml"} if count == 1 else
                   {f"{path.stem}-{n}.xml" for n in range(1, count + 1)})
    assert names == wanted


EXAMPLE_TEXTS = sorted(EXAMPLES.glob("*.txt"))


@pytest.mark.parametrize("path", EXAMPLE_TEXTS, ids=lambda p: p.stem)
def test_examples_match_their_canonical_xml(path: Path, request: pytest.FixtureRequest) -> None:
    """examples/canonical/ shows what the parser makes of the examples; keep it true."""
    update = request.config.getoption("--update-golden")
    docs = parse_file(path).documents
    for n, doc in enumerate(docs, start=1):
        name = f"{path.stem}-{n}.xml" if len(docs) > 1 else f"{path.stem}.xml"
        assert validate(doc) == []
        _golden_check(name, model.dump(doc), EXAMPLES / "canonical" / name, update)
    assert accounted_words(docs) == source_words(path)
