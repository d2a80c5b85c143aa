"""TEI P5: the bulletin as a TEI text that validates against the TEI Consortium's tei_all.

The header carries what an archivist asks of a digital surrogate: who wrote and distributed the
bulletin, our identifier, the original file (name, size, format, SHA-256, URL), the lines
removed from it as site chrome, the repairs made when reading it, the parser's warnings, and
the tool that made the TEI. The text body renders the title, byline, dateline and every body
block (`TeiText`, on the writers' visitor); a heading opens a `div`, because TEI allows `head`
only at the start of a division. `Corpus` gathers many TEI texts into one teiCorpus (the
archive's corpus.tei.xml).

The publisher of the TEI edition is `WriteOptions.extra["publisher"]` (an archive's name),
"bulletin-convert" by default; the bulletin's agency is its distributor.
"""

from __future__ import annotations

import contextlib
import re
from types import TracebackType
from typing import Any, BinaryIO

from lxml import etree

from .. import __version__, model
from ..messages import Message
from ..model import child
from . import WriteOptions
from .visitor import Visitor

TEI_NS = "http://www.tei-c.org/ns/1.0"

#: TEI's teidata.versionNumber: up to three dot-separated numbers.
_TEI_VERSION = re.compile(r"\d+(\.\d+){0,2}")

#: Canonical list types -> TEI @rend values (the Guidelines' examples); plain lists have none.
_LIST_REND = {"bullet": "bulleted", "number": "numbered"}


def t(name: str) -> str:
    """The qualified name of a TEI element."""
    return f"{{{TEI_NS}}}{name}"


def build(doc: model.Element, options: WriteOptions) -> tuple[etree._Element, list[Message]]:
    """The TEI tree of a canonical document, and what could not be rendered as such.

    The canonical tree is not modified.
    """
    text = TeiText(doc)
    text.progress = options.progress
    tei = etree.Element(t("TEI"), nsmap={None: TEI_NS})
    tei.set(model.LANG, text.meta.language)
    _header(child(tei, t("teiHeader")), doc, text.head, text.meta, options)
    text.walk(child(child(tei, t("text")), t("body")))
    return tei, text.messages


# --- the header ----------------------------------------------------------------------------


def _header(header: etree._Element, doc: model.Element, h: model.Head, meta: model.Metadata,
            options: WriteOptions) -> None:
    canonical_head = model.find(doc, "head")
    assert canonical_head is not None
    file_desc = child(header, t("fileDesc"))

    title_stmt = child(file_desc, t("titleStmt"))
    child(title_stmt, t("title"), meta.title, type=None if h.title else "supplied")
    if meta.creator:
        child(title_stmt, t("author"), meta.creator)

    publication = child(file_desc, t("publicationStmt"))
    child(publication, t("publisher"), options.extra.get("publisher", "bulletin-convert"))
    if meta.publisher:
        child(child(publication, t("distributor")), t("orgName"), meta.publisher)
    if h.date:
        _when(child(publication, t("date"), h.date_text), h.date, h.year_from)
    elif (issued := model.full_date(h)) is not None:  # an item without a dateline
        child(publication, t("date"), when=issued)
    child(publication, t("idno"), meta.identifier, type="bulletin-id")

    warnings = canonical_head.findall(f"{model.q('messages')}/{model.q('message')}")
    if warnings:
        notes = child(file_desc, t("notesStmt"))
        for m in warnings:
            child(notes, t("note"), m.text, type=m.get("level", "warning"), n=m.get("line"))

    _source_desc(child(file_desc, t("sourceDesc")), canonical_head, h, meta)

    encoding = child(header, t("encodingDesc"))
    _application(encoding, "news bulletin text to TEI P5")
    repairs = canonical_head.findall(f"{model.q('repairs')}/{model.q('repair')}")
    if repairs:
        p = child(child(child(encoding, t("editorialDecl")), t("correction")), t("p"),
                  "Repairs made when the source file was read (numbered by source line):")
        listing = child(p, t("list"))
        for r in repairs:
            item = child(listing, t("item"), n=r.get("line"))
            child(item, t("label"), r.get("kind"))
            child(item, t("seg"), r.text)

    child(child(child(header, t("profileDesc")), t("langUsage")), t("language"),
          ident=meta.language)


def _application(encoding_desc: etree._Element, what: str) -> None:
    """This tool, as the application that made the file."""
    app = child(child(encoding_desc, t("appInfo")), t("application"), ident="bulletin-convert",
                version=_version_number())
    child(app, t("label"), "bulletin-convert")
    child(app, t("desc"), f"bulletin-convert {__version__}: {what}")


def _source_desc(source_desc: etree._Element, canonical_head: model.Element,
                 h: model.Head, meta: model.Metadata) -> None:
    """The original bulletin and the file it came in."""
    bibl = child(source_desc, t("bibl"), type="bulletin")
    if h.title:
        child(bibl, t("title"), h.title)
    if meta.creator:
        child(bibl, t("author"), meta.creator)
    if meta.publisher:
        child(bibl, t("publisher"), meta.publisher)
    if meta.coverage:
        child(bibl, t("pubPlace"), meta.coverage)
    if h.date:
        _when(child(bibl, t("date"), h.date_text), h.date, h.year_from)
    source = model.find(canonical_head, "source")
    if source is not None:
        if source.get("url"):
            child(bibl, t("ref"), source.get("url"), target=source.get("url"))
        if source.get("name"):
            child(bibl, t("idno"), source.get("name"), type="file-name")
        if source.get("sha256"):
            child(bibl, t("idno"), source.get("sha256"), type="sha256")
        if source.get("size"):
            child(child(bibl, t("extent")), t("measure"), f"{source.get('size')} bytes",
                  unit="byte", quantity=source.get("size"))
        encoding = source.get("encoding")
        media = [source.get("media-type"), f"charset={encoding}" if encoding else None]
        if any(media):
            child(bibl, t("note"), "; ".join(m for m in media if m), type="media-type")
    digest = model.find(canonical_head, "digest")
    if digest is not None:
        _digest(bibl, digest)
    if h.removed:
        note = child(bibl, t("note"), "Lines removed from the source file as site chrome "
                     "(numbered by source line):", type="removed")
        listing = child(note, t("list"))
        for line, text in h.removed:
            child(listing, t("item"), text, n=str(line))


def _digest(bibl: etree._Element, digest: model.Element) -> None:
    """The digest page this bulletin was cut from, as a related item."""
    page = child(child(bibl, t("relatedItem"), type="digest"), t("bibl"))
    if digest.get("publication"):
        child(page, t("title"), digest.get("publication"), level="j")
    header = model.find(digest, "header")
    if header is not None:
        child(page, t("title"), model.text(header))
    if digest.get("published"):
        child(page, t("date"), when=digest.get("published"))
    for unit in ("volume", "issue"):
        if digest.get(unit):
            child(page, t("biblScope"), digest.get(unit), unit=unit)
    if digest.get("item"):
        of = f" of {digest.get('items')}" if digest.get("items") else ""
        child(page, t("biblScope"), f"item {digest.get('item')}{of}", unit="item",
              n=digest.get("item"))
    section = model.find(digest, "section")
    if section is not None:
        child(page, t("note"), model.text(section), type="section")
    entries = digest.findall(f"{model.q('toc')}/{model.q('entry')}")
    if entries:
        listing = child(child(page, t("note"), "In this issue:", type="toc"), t("list"))
        for entry in entries:
            child(listing, t("item"), model.text(entry))


#: Where a year missing from the dateline came from -> TEI @evidence (inside or outside the text).
_YEAR_EVIDENCE = {"digest": "internal"}


def _when(date: etree._Element, when: str, year_from: str | None) -> None:
    """Set @when; a year supplied from outside the dateline is marked as less certain."""
    date.set("when", when)
    if year_from:
        date.set("cert", "medium")
        date.set("evidence", _YEAR_EVIDENCE.get(year_from, "external"))


def _version_number() -> str:
    """This package's version as TEI accepts it (a pre-release suffix is dropped)."""
    found = _TEI_VERSION.match(__version__)
    return found.group() if found else "0"


# --- the text ------------------------------------------------------------------------------


class TeiText(Visitor[etree._Element]):
    """The text of the bulletin: each canonical element into the TEI parent it is given."""

    label = "TEI"

    def __init__(self, doc: model.Element) -> None:
        super().__init__(doc)
        self.body: etree._Element | None = None
        self.division: etree._Element | None = None  # where body blocks go (a heading's div)

    def text(self, text: str | None, into: etree._Element) -> None:
        model.add_text(into, text)

    def visit_title(self, el: model.Element, into: etree._Element) -> None:
        child(into, t("head"), el.text)

    def visit_byline(self, el: model.Element, into: etree._Element) -> None:
        self.inline(el, child(into, t("byline")))

    def visit_name(self, el: model.Element, into: etree._Element) -> None:
        child(into, t("docAuthor"), el.text)

    def visit_dateline(self, el: model.Element, into: etree._Element) -> None:
        self.inline(el, child(into, t("dateline")))

    def visit_place(self, el: model.Element, into: etree._Element) -> None:
        child(into, t("placeName"), el.text)

    def visit_date(self, el: model.Element, into: etree._Element) -> None:
        date = child(into, t("date"), el.text)
        _when(date, el.get("when", ""), el.get("year-from"))
        shown = model.shown_date(el)
        if shown != (el.text or ""):  # a year the source does not print: supplied, marked so
            date.text = f"{el.text or ''} "
            child(date, t("supplied"), el.get("when", "")[:4],
                  reason=f"year from the {el.get('year-from')}")

    def visit_agency(self, el: model.Element, into: etree._Element) -> None:
        child(into, t("orgName"), el.text)

    def visit_body(self, el: model.Element, into: etree._Element) -> None:
        self.body = self.division = into
        for block in self.body_blocks(el):
            self.visit(block, self.division)

    def visit_heading(self, el: model.Element, into: etree._Element) -> None:
        assert self.body is not None
        self.division = child(self.body, t("div"))
        child(self.division, t("head"), el.text)

    def visit_p(self, el: model.Element, into: etree._Element) -> None:
        child(into, t("p"), el.text)

    def visit_quote(self, el: model.Element, into: etree._Element) -> None:
        marks = [f"{side}({el.get(side)})" for side in ("open", "close") if el.get(side)]
        self.blocks(el, child(into, t("quote"), rend=" ".join(marks) or None))

    def visit_list(self, el: model.Element, into: etree._Element) -> None:
        self.blocks(el, child(into, t("list"), rend=_LIST_REND.get(el.get("type", ""))))

    def visit_item(self, el: model.Element, into: etree._Element) -> None:
        child(into, t("item"), el.text, n=model.item_label(el))

    def visit_resolution(self, el: model.Element, into: etree._Element) -> None:
        self.blocks(el, child(into, t("list"), type="resolution"))

    def visit_clause(self, el: model.Element, into: etree._Element) -> None:
        item = child(into, t("item"))
        if el.get("kind"):
            child(item, t("seg"), el.text, type=el.get("kind"))
        else:
            item.text = el.text

    def visit_qa(self, el: model.Element, into: etree._Element) -> None:
        self.blocks(el, into)

    def visit_speech(self, el: model.Element, into: etree._Element) -> None:
        self.blocks(el, child(into, t("sp")))

    def visit_speaker(self, el: model.Element, into: etree._Element) -> None:
        child(into, t("speaker"), el.text)


class TeiWriter:
    name = "tei"
    extension = "tei.xml"
    media_type = "application/tei+xml"
    visitor = TeiText

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        tei, messages = build(doc, options)
        # written in pieces: a long bulletin's TEI is never held whole besides its tree
        etree.ElementTree(tei).write(stream, encoding="UTF-8", xml_declaration=True,
                                     pretty_print=True)
        return messages


# --- many texts in one teiCorpus -----------------------------------------------------------


class Corpus:
    """A teiCorpus written as it grows: its header first, then each TEI text as it is added, so
    that memory does not grow with the collection (the archive's corpus.tei.xml).

    `publisher` is the organization that keeps the collection; without one the corpus says it
    is an unpublished package. Use as a context manager; the stream stays the caller's.
    """

    def __init__(self, stream: BinaryIO, publisher: str | None = None) -> None:
        self._stream = stream
        self._publisher = publisher
        self._stack = contextlib.ExitStack()
        self._writer: Any = None

    def __enter__(self) -> Corpus:
        self._writer = self._stack.enter_context(etree.xmlfile(self._stream, encoding="UTF-8"))
        self._writer.write_declaration()
        self._stack.enter_context(self._writer.element(t("teiCorpus"), nsmap={None: TEI_NS}))
        self._writer.write("\n")
        self._writer.write(self._header(), pretty_print=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stack.__exit__(kind, error, trace)

    def add(self, tei: etree._Element) -> None:
        """Append one TEI text (as build() or TeiWriter made it)."""
        self._writer.write(tei, pretty_print=True)

    def _header(self) -> etree._Element:
        header = etree.Element(t("teiHeader"), nsmap={None: TEI_NS})
        file_desc = child(header, t("fileDesc"))
        child(child(file_desc, t("titleStmt")), t("title"), "News bulletins: the collection")
        publication = child(file_desc, t("publicationStmt"))
        if self._publisher:
            child(publication, t("distributor"), self._publisher)
        else:
            child(publication, t("p"), "Unpublished archival package.")
        child(child(file_desc, t("sourceDesc")), t("p"),
              "Each TEI text below describes its own source file; the package's catalog.csv "
              "lists them all.")
        _application(child(header, t("encodingDesc")), "news bulletins to a TEI P5 corpus")
        return header
