"""The collection files, for people and for researchers, made from the journal at the end.

- `catalog.csv`: a row per archived document (its Dublin Core fields: identifier, title, date,
  creator, publisher, coverage, language, relation, and the source path relative to the folder
  that was archived; then sha256, folder, status, and the warnings its conversion gave: a
  guessed encoding, a repaired text, ...; for a page captured in a WARC file, its URL and
  capture date), per duplicate input (the documents of the copy it repeats; a WARC revisit
  record is one) and per quarantined input;
- `datapackage.json`: a Frictionless Data Package describing both CSV files, column by column
  (types, patterns, the Dublin Core term behind each column), so that `frictionless validate`
  checks them and tools load them typed;
- `quarantine.csv`: the report of every input that could not be archived, and why;
- `left-out.csv`: every file and folder of the sources the archive did not take, and why
  (hidden, not a bulletin file, a package, a link leaving the folder...): where the collection
  the package holds ends, written as the sources are walked;
- `corpus.tei.xml`: a TEI P5 `teiCorpus` holding every archived document's TEI, in catalogue
  order, so the whole collection loads at once (only when TEI is among the renditions).

All are tag files of the bag (outside `data/`, covered by the tag manifests): they
describe the payload, whose every file is already described by its item's PREMIS file.
Each is streamed: memory does not grow with the collection.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from .. import model
from ..files import atomic_output
from ..walk import relative_path
from ..writers.tei import Corpus as TeiCorpus
from .journal import ARCHIVED, DUPLICATE, QUARANTINED, Index, Record

CATALOG = "catalog.csv"
QUARANTINE = "quarantine.csv"
CORPUS = "corpus.tei.xml"
LEFT_OUT_CSV = "left-out.csv"
DATAPACKAGE = "datapackage.json"

DC_TERMS = "http://purl.org/dc/terms/"
#: The columns of catalog.csv: (name, Frictionless type, Dublin Core term or None, description,
#: pattern or None). The first nine are Dublin Core's own names (DCMI Metadata Terms).
CATALOG_COLUMNS: list[tuple[str, str, str | None, str, str | None]] = [
    ("identifier", "string", "identifier",
     "The bulletin's id: its canonical master is data/<year>/<folder>/<identifier>.xml", None),
    ("title", "string", "title", "The bulletin's title (empty when it has none)", None),
    ("date", "string", "date",
     "YYYY-MM-DD, or --MM-DD when the year is unknown (written '--MM-DD: a cell opening with "
     "a dash is quoted for spreadsheets); empty when undated",
     r"\d{4}-\d{2}-\d{2}|'?--\d{2}-\d{2}"),
    ("creator", "string", "creator", "The byline's name", None),
    ("publisher", "string", "publisher", "The news agency of the dateline (EIRNS)", None),
    ("coverage", "string", "spatial", "The place of the dateline", None),
    ("language", "string", "language", "BCP 47 language tag of the bulletin", None),
    ("relation", "string", "isPartOf", "The periodical issue a digest item was cut from", None),
    ("source", "string", "source",
     "The input file's path relative to the folder given to `bulletin archive` (a file named "
     "on the command line: its name)", None),
    ("sha256", "string", None, "SHA-256 of the input file", "[0-9a-f]{64}"),
    ("folder", "string", None, "The package folder holding the input and what was made of it",
     None),
    ("status", "string", None, "archived, duplicate (the same bytes as an input archived "
     "before) or quarantined (not converted: see quarantine.csv)", None),
    ("superseded", "boolean", None, "true for an earlier version of its source: the file was "
     "edited after an interrupted run archived it, and the resumed run archived it again",
     None),
    ("note", "string", None, "Why a duplicate or quarantined row is so; or that a text and its "
     "canonical master are the same bulletin", None),
    ("warnings", "string", None, "What converting the input warned of, separated by ' | '",
     None),
    ("url", "string", None, "For a page captured in a WARC file: the URL it was captured from "
     "(WARC-Target-URI)", None),
    ("captured", "string", None, "For a page captured in a WARC file: when (WARC-Date)", None),
]
CATALOG_FIELDS = [c[0] for c in CATALOG_COLUMNS]
QUARANTINE_FIELDS = ["source", "sha256", "size", "folder", "reason", "messages"]
LEFT_OUT_FIELDS = ["source", "type", "size", "reason"]
#: Column names of catalog.csv before Dublin Core names (packages made by 0.1.0 and earlier).
OLD_NAMES = {"id": "identifier", "agency": "publisher"}
STATUSES = ("archived", "duplicate", "quarantined")


@dataclass
class Totals:
    """The package's contents, for bag-info.txt and the summary."""

    inputs: int = 0
    archived: int = 0
    duplicates: int = 0
    quarantined: int = 0
    warned: int = 0  # archived inputs whose conversion gave warnings
    documents: int = 0
    left_out: int = 0  # files and folders of the sources not taken (left-out.csv)


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


class LeftOutList:
    """left-out.csv, a row per file or folder a walk of the sources leaves out (its
    `convert.walk.LeftOut`); in place only once the block it opens ends without an error,
    so that a run stopped half-way leaves no list that looks whole."""

    def __init__(self, bag: Path) -> None:
        self._stack = contextlib.ExitStack()
        self._csv = _CsvFile(self._stack.enter_context(atomic_output(
            bag / LEFT_OUT_CSV, force=True, fsync=False)), LEFT_OUT_FIELDS)
        self.count = 0

    def __call__(self, path: str, top: str | None, reason: str) -> None:
        try:
            mode, size = (st := os.lstat(path)).st_mode, st.st_size
        except OSError:
            mode, size = 0, None
        kind = ("link" if stat.S_ISLNK(mode) else "folder" if stat.S_ISDIR(mode)
                else "file")
        self._csv.row(source=relative_path(path, top), type=kind,
                      size=size if stat.S_ISREG(mode) else None, reason=reason)
        self.count += 1

    def __enter__(self) -> LeftOutList:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._csv.detach()
        self._stack.__exit__(*exc)  # an error: atomic_output removes what it wrote


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
                      "superseded": "true" if index.superseded(record.get("sha256"),
                                                               record["source"]) else "false",
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
    write_datapackage(bag)
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
    return {"identifier": doc.get("id"), "title": doc.get("title"),
            "date": doc.get("issued", doc.get("date")), "creator": doc.get("creator"),
            "publisher": doc.get("agency"), "coverage": doc.get("coverage"),
            "language": doc.get("language"), "relation": doc.get("relation")}


def datapackage() -> dict[str, Any]:
    """The Frictionless Data Package descriptor of catalog.csv, quarantine.csv and
    left-out.csv (the same for every package: it describes the columns, not the rows)."""
    catalog_fields = []
    for name, kind, term, description, pattern in CATALOG_COLUMNS:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if term:
            field["rdfType"] = DC_TERMS + term
        constraints: dict[str, Any] = {}
        if pattern:
            constraints["pattern"] = pattern
        if name == "status":
            constraints = {"required": True, "enum": list(STATUSES)}
        if name in ("source", "superseded"):
            constraints = {"required": True}
        if constraints:
            field["constraints"] = constraints
        catalog_fields.append(field)
    quarantine_fields = [
        {"name": "source", "type": "string", "rdfType": DC_TERMS + "source",
         "description": "The input file's path relative to the folder archived",
         "constraints": {"required": True}},
        {"name": "sha256", "type": "string", "description": "SHA-256 of the input (empty when "
         "it could not be read)", "constraints": {"pattern": "[0-9a-f]{64}"}},
        {"name": "size", "type": "integer", "description": "Bytes"},
        {"name": "folder", "type": "string", "description": "Where its bytes are kept (empty "
         "when they are not: unreadable, not a regular file, or over 64 MB)"},
        {"name": "reason", "type": "string", "description": "Why it was not converted"},
        {"name": "messages", "type": "string", "description": "What reading it said, "
         "separated by ' | '"},
    ]
    left_out_fields = [
        {"name": "source", "type": "string", "description": "The path of the file or folder "
         "relative to the folder archived", "constraints": {"required": True}},
        {"name": "type", "type": "string", "description": "file, folder (not entered: nothing "
         "under it was taken) or link", "constraints": {"required": True,
                                                        "enum": ["file", "folder", "link"]}},
        {"name": "size", "type": "integer", "description": "Bytes, for a file"},
        {"name": "reason", "type": "string", "description": "Why it was not taken"},
    ]
    dialect = {"delimiter": ",", "lineTerminator": "\r\n", "header": True}
    return {
        "profile": "tabular-data-package",
        "name": "bulletin-collection",
        "title": "Catalogue of a collection of news bulletins archived by bulletin-convert",
        "description": "One row per archived bulletin (catalog.csv), the inputs that could "
                       "not be archived (quarantine.csv), and the files and folders of the "
                       "sources that were not taken (left-out.csv). Cells a spreadsheet would run "
                       "as a formula (opening with =, +, -, @) are written with a leading "
                       "apostrophe.",
        "resources": [
            {"name": "catalog", "path": CATALOG, "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "dialect": dialect, "schema": {"fields": catalog_fields}},
            {"name": "quarantine", "path": QUARANTINE, "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "dialect": dialect, "schema": {"fields": quarantine_fields}},
            {"name": "left-out", "path": LEFT_OUT_CSV, "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "dialect": dialect, "schema": {"fields": left_out_fields}},
        ],
    }


def write_datapackage(bag: Path) -> None:
    data = json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n"
    with atomic_output(bag / DATAPACKAGE, force=True, fsync=False) as f:
        f.write(data.encode("utf-8"))


def read(package: Path) -> Iterator[dict[str, str]]:
    """The rows of a package's catalog.csv, by the current column names (an older package's
    `id` and `agency` are renamed), each cell's value as `uncell` gives it. Streams."""
    with open(package / CATALOG, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        names = [OLD_NAMES.get(n, n) for n in reader.fieldnames or []]
        for row in csv.reader(f):
            yield {name: uncell(value) for name, value in zip(names, row, strict=False)}


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
