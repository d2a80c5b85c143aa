"""The collection files, for people and for researchers, made from the journal at the end.

- `catalog.csv`: a row per archived document (id, date, title, agency, source path, status,
  and the warnings its conversion gave: a guessed encoding, a repaired text, ...; for a page
  captured in a WARC file, its URL and capture date), per duplicate input (the documents of
  the copy it repeats; a WARC revisit record is one) and per quarantined input;
- `quarantine.csv`: the report of every input that could not be archived, and why;
- `corpus.tei.xml`: a TEI P5 `teiCorpus` holding every archived document's TEI, in catalogue
  order, so the whole collection loads at once (only when TEI is among the renditions).

All three are tag files of the bag (outside `data/`, covered by the tag manifests): they
describe the payload, whose every file is already described by its item's PREMIS file.
Each is streamed: memory does not grow with the collection.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from .. import model
from ..files import atomic_output
from ..writers.tei import Corpus as TeiCorpus
from .journal import ARCHIVED, DUPLICATE, QUARANTINED, Index, Record

CATALOG = "catalog.csv"
QUARANTINE = "quarantine.csv"
CORPUS = "corpus.tei.xml"

CATALOG_FIELDS = ["id", "date", "title", "agency", "source", "sha256", "folder", "status", "note",
                  "warnings", "url", "captured"]
QUARANTINE_FIELDS = ["source", "sha256", "size", "folder", "reason", "messages"]


@dataclass
class Totals:
    """The package's contents, for bag-info.txt and the summary."""

    inputs: int = 0
    archived: int = 0
    duplicates: int = 0
    quarantined: int = 0
    warned: int = 0  # archived inputs whose conversion gave warnings
    documents: int = 0


#: What makes a spreadsheet read a cell as a formula (`=HYPERLINK(...)` in a scraped title):
#: such a cell is written with a leading apostrophe, as OWASP advises for CSV export.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value as catalog.csv holds it: text that a spreadsheet would run is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def uncell(text: str) -> str:
    """The value of a catalog.csv cell (see `cell`)."""
    return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_START and text[1:] else text


class _CsvFile:
    """A CSV writer onto a binary stream (UTF-8, RFC 4180 line ends)."""

    def __init__(self, stream: BinaryIO, fields: list[str]) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.DictWriter(self.text, fields, lineterminator="\r\n")
        self.writer.writeheader()

    def row(self, **values: Any) -> None:
        self.writer.writerow({k: cell(v) for k, v in values.items()})

    def detach(self) -> None:
        self.text.detach()  # leave the stream to atomic_output


def write(bag: Path, records: Iterable[Record], index: Index, *, corpus: bool,
          organization: str | None) -> Totals:
    """Write the collection files into the staging bag from the journal's records."""
    totals = Totals()
    with contextlib.ExitStack() as stack:
        catalog = _CsvFile(stack.enter_context(atomic_output(bag / CATALOG, force=True,
                                                             fsync=False)), CATALOG_FIELDS)
        report = _CsvFile(stack.enter_context(atomic_output(bag / QUARANTINE, force=True,
                                                            fsync=False)), QUARANTINE_FIELDS)
        tei = None
        if corpus:
            tei = _Corpus(bag, organization)
            stack.enter_context(tei.stack)  # closed (or discarded on error) with the rest
        else:
            (bag / CORPUS).unlink(missing_ok=True)
        for record in records:
            totals.inputs += 1
            status = record["status"]
            common = {"source": record["source"], "sha256": record.get("sha256"),
                      "folder": record.get("folder"), "status": status,
                      "url": record.get("url"), "captured": record.get("captured")}
            if status == ARCHIVED:
                totals.archived += 1
                totals.warned += bool(record.get("warnings"))
                warnings = " | ".join(record.get("warnings", []))
                masters = index.masters_of(record["sha256"])
                for doc in record["docs"]:
                    totals.documents += 1
                    catalog.row(**_doc_fields(doc), **common, note=_same_bulletin(
                        index, doc, masters), warnings=warnings)
                    if tei is not None and doc.get("tei"):
                        tei.add(bag / doc["tei"])
            elif status == DUPLICATE:
                totals.duplicates += 1
                first = index.first(record["sha256"])
                docs = first[2] if first else []
                if first and first[0] == QUARANTINED:
                    note = "same bytes as a quarantined input" + (
                        f", kept in {record['folder']}" if record.get("folder") else "")
                elif record.get("revisit"):
                    note = (f"a revisit record: the same page as the capture {record['revisit']}"
                            f", archived in {record['folder']}")
                else:
                    note = f"same bytes as the input archived in {record['folder']}"
                for doc in docs or [{}]:
                    catalog.row(**_doc_fields(doc), **common, note=note, warnings="")
            elif status == QUARANTINED:
                totals.quarantined += 1
                catalog.row(**_doc_fields({}), **common, note=record["reason"], warnings="")
                report.row(source=record["source"], sha256=record.get("sha256"),
                           size=record.get("size"), folder=record.get("folder"),
                           reason=record["reason"],
                           messages=" | ".join(record.get("messages", [])))
        catalog.detach()
        report.detach()
    return totals


def _same_bulletin(index: Index, doc: dict[str, Any], masters: list[str]) -> str:
    """The note of a text archived beside its canonical master, or of that master."""
    if masters:
        return f"the same bulletin as its canonical master, archived in {', '.join(masters)}"
    text = index.first(doc["derived_from"]) if doc.get("derived_from") else None
    if text and text[0] == ARCHIVED:
        return f"the canonical master of the text archived in {text[1]}: the same bulletin"
    return ""


def _doc_fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in ("id", "date", "title", "agency")}


class _Corpus:
    """The package's teiCorpus, made by the TEI writer as the texts come.

    The file is opened on the first TEI: a teiCorpus must hold at least one text, so a
    collection with none gets no corpus file.
    """

    def __init__(self, bag: Path, organization: str | None) -> None:
        self.path = bag / CORPUS
        self.organization = organization
        self.stack = contextlib.ExitStack()
        self.corpus: TeiCorpus | None = None
        self.path.unlink(missing_ok=True)  # left by an interrupted finish

    def add(self, tei_path: Path) -> None:
        if self.corpus is None:
            stream = self.stack.enter_context(atomic_output(self.path, force=True, fsync=False))
            self.corpus = self.stack.enter_context(TeiCorpus(stream, self.organization))
        self.corpus.add(etree.parse(str(tei_path), model.SAFE_PARSER).getroot())
