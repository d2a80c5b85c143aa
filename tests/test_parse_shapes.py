"""The page shapes of issue #11 (tests/fixtures/shapes): digest pages without datelines,
tables of contents, issue headers, inline bylines, and text no rule recognises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from corpus_facts import facts
from test_parse_corpus import accounted_words, source_words

from convert import model, parse_file
from convert.messages import Level
from convert.schema import validate

SHAPES = sorted((FIXTURES / "shapes").glob("*.txt"))
FIELDS = ("title", "date", "agency", "place", "byline", "boilerplate", "blocks")


def expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def digest_facts(doc: model.Element) -> dict[str, object] | None:
    """The page facts of a digest item, in the shape of the JSON's `digest`."""
    digest = model.find(doc, "head/digest")
    if digest is None:
        return None
    issue = model.head(doc).issue
    found: dict[str, object] = {
        "header": model.text(model.find(digest, "header")),
        "volume": issue.volume if issue else None,
        "issue": issue.number if issue else None,
        "published": issue.published if issue else None,
        "publication": issue.publication if issue else None,
        "section": model.text(model.find(digest, "section")),
    }
    entries = [model.text(e) for e in digest.iter(model.q("entry"))]
    if entries:
        found["toc"] = entries
    return found


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.stem)
def test_shape(path: Path) -> None:
    exp = expected(path)
    result = parse_file(path)
    docs = result.documents
    assert [t.page_rule for t in result.traces] == [exp["shape"]] * len(docs)
    assert len(docs) == len(exp["items"])
    for item, doc in zip(exp["items"], docs, strict=True):
        got = facts(doc)
        assert {k: got[k] for k in FIELDS} == {k: item[k] for k in FIELDS}
        assert model.full_date(model.head(doc)) == item["inferred_date"]
        assert digest_facts(doc) == exp.get("digest")
        assert validate(doc) == []
    if "shown" in exp:
        assert [model.head(d).dateline_shown for d in docs] == exp["shown"]
    assert accounted_words(docs) == source_words(path)


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.stem)
def test_shape_warnings(path: Path) -> None:
    """Each expected warning is given, and no other: a recognised shape is no warning."""
    wanted = expected(path)["warnings"]
    warned = [m.text for m in parse_file(path).messages if m.level is Level.WARNING]
    assert len(warned) >= len(wanted)
    for piece in wanted:
        assert any(piece in text for text in warned), (piece, warned)
    unexplained = [t for t in warned if not any(piece in t for piece in wanted)]
    assert unexplained == [], unexplained


def test_a_page_warning_reaches_every_item() -> None:
    """A warning about the page (its table of contents) is kept in each item's document."""
    docs = parse_file(FIXTURES / "shapes" / "10-toc-mismatch.txt").documents
    for doc in docs:
        kept = [m.text for m in doc.iter(model.q("message"))]
        assert any("names no item" in t for t in kept)


def test_the_table_of_contents_decides_the_items() -> None:
    """Without its table of contents, page 05's subheading would start a fourth item."""
    text = (FIXTURES / "shapes" / "05-toc-headlines-subheading.txt").read_text(encoding="utf-8")
    without = text.split("Wetlands News Digest", 1)[1]
    from convert import parse

    docs = parse(("Wetlands News Digest" + without).encode()).documents
    assert [model.head(d).title for d in docs] == [
        "Canal Tolls to Rise in the Spring", "Survey Counts the Herons of the Delta",
        "What the Survey Found", "Harbour Pilots Train on a New Simulator"]


def test_the_shapes_are_all_there() -> None:
    shapes = {expected(p)["shape"] for p in SHAPES}
    assert {"digest-headlines", "digest-datelines", "text"} <= shapes
    assert len(SHAPES) >= 10


def test_an_empty_item_does_not_cost_the_page() -> None:
    """A headline and a dateline with no text under them: that item is left out (its lines
    recorded, a warning given), the other items are kept; only a page of nothing but empty
    items is refused."""
    from convert import parse
    from convert.messages import InputError

    page = ("From Volume 3, Issue 9 of EIR Online, Published May 2, 2006\nRail News Digest\n\n"
            "Night Trains Return\n\nApril 28 (EIRNS)—\n\nA Tunnel Is Finished\n\n"
            "April 30 (EIRNS)—The last ring was set.\n")
    result = parse(page.encode())
    [doc] = result.documents
    assert model.head(doc).title == "A Tunnel Is Finished"
    assert (4, "Night Trains Return") in model.head(doc).removed
    assert any("has a dateline but no text" in m.text for m in result.messages)
    with pytest.raises(InputError, match="no text after it"):
        parse(page.replace("The last ring was set.", "").encode())


@pytest.mark.parametrize("name", ["Élise Martin", "Łukasz Król", "Ørsted Hansen",
                                  "Мария Петрова", "Ángel Ruiz-Díaz"])
def test_a_byline_names_a_person_of_any_script(name: str) -> None:
    """"by Élise Martin" was no byline ("[A-Z]"): it became part of the title above it, and
    "by Мария Петрова" was taken for site chrome (a reader's review of the renditions)."""
    from convert import parse

    text = (f"Harbour Cranes Return to Work\nby {name}\n\nLYON, June 23, 2017 (EIRNS)—The "
            "cranes of the old harbour were back at work today.\n")
    doc = parse(text.encode(), name="byline.txt").documents[0]
    head = model.head(doc)
    assert head.title == "Harbour Cranes Return to Work"
    assert model.text(model.find(doc, "head/byline/name")) == name


def test_by_and_a_lower_case_word_is_no_byline() -> None:
    from convert import parse

    text = ("Harbour Cranes Return to Work\n\nLYON, June 23, 2017 (EIRNS)—The cranes were "
            "repaired.\n\nby the harbour office\n")
    doc = parse(text.encode(), name="x.txt").documents[0]
    assert model.find(doc, "head/byline") is None
    assert "by the harbour office" in model.content_text(doc)
