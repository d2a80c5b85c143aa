"""The parser on bulletins written blind to it (tests/fixtures/unseen, unseen-2, unseen-3: three
sets by three authors who never saw the parser; see their READMEs).

The set measures how the grammar generalises beyond the shared corpus: every file's facts,
no word lost, and a schema-valid document.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from corpus_facts import facts
from test_parse_corpus import accounted_words, source_words

from convert import parse_file
from convert.schema import validate

UNSEEN = sorted(p for name in ("unseen", "unseen-2", "unseen-3")
                for p in (FIXTURES / name).glob("*.txt"))
FIELDS = ("title", "date", "agency", "place", "byline", "blocks")


@pytest.mark.parametrize("path", UNSEEN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_unseen_bulletin(path: Path) -> None:
    exp = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    docs = parse_file(path).documents
    items = exp.get("items", [exp])
    assert len(docs) == len(items)
    for item, doc in zip(items, docs, strict=True):
        got = facts(doc)
        assert {k: got[k] for k in FIELDS} == {k: item[k] for k in FIELDS}
        assert validate(doc) == []
    assert facts(docs[0])["boilerplate"] == exp["boilerplate"]
    assert accounted_words(docs) == source_words(path)


def test_the_unseen_set_is_large_enough() -> None:
    assert len(UNSEEN) >= 110
