"""TEI P5: the bulletin as a TEI text that validates against the TEI Consortium's tei_all.

The header carries what an archivist asks of a digital surrogate: who wrote and distributed the
bulletin, our identifier, the original file (name, size, format, SHA-256, URL), the lines
removed from it as site chrome, the repairs made when reading it, the parser's warnings, and
the tool that made the TEI. The text body renders the title, byline, dateline and every body
block; a heading opens a `div`, because TEI allows `head` only at the start of a division.

The publisher of the TEI edition is `WriteOptions.extra["publisher"]` (an archive's name),
"bulletin-convert" by default; the bulletin's agency is its distributor.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from lxml import etree

from .. import __version__, model
from ..messages import Message
from . import WriteOptions, unrendered

TEI_NS = "http://www.tei-c.org/ns/1.0"

#: TEI's teidata.versionNumber: up to three dot-separated numbers.
_TEI_VERSION = re.compile(r"\d+(\.\d+){0,2}")

#: Canonical list types -> TEI @rend values (the Guidelines' examples); plain lists have none.
_LIST_REND = {"bullet": "bulleted", "number": "numbered"}

#: How many characters of the first paragraph make a supplied title for an untitled bulletin.


def t(name: str) -> str:
    """The qualified name of a TEI element."""
    return f"{{{TEI_NS}}}{name}"


def el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append a TEI child element with optional text and attributes; returns it."""
    child = etree.SubElement(parent, t(name), attrs)
    if text is not None:
        child.text = text
    return child


class TeiWriter:
    name = "tei"
    extension = "tei.xml"
    media_type = "application/tei+xml"

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        tei, messages = build(doc, options)
        stream.write(etree.tostring(tei, encoding="UTF-8", xml_declaration=True,
                                    pretty_print=True))
        return messages


def build(doc: model.Element, options: WriteOptions) -> tuple[etree._Element, list[Message]]:
    """The TEI tree of a canonical document, and what could not be rendered as such.

    The canonical tree is not modified.
    """
    h = model.head(doc)
    tei = etree.Element(t("TEI"), nsmap={None: TEI_NS})
    tei.set(model.LANG, h.lang)
    _header(el(tei, "teiHeader"), doc, h, options)
    messages: list[Message] = []
    _text(el(el(tei, "text"), "body"), doc, h, messages)
    return tei, messages


# --- the header ----------------------------------------------------------------------------


def _header(header: etree._Element, doc: model.Element, h: model.Head,
            options: WriteOptions) -> None:
    canonical_head = model.find(doc, "head")
    assert canonical_head is not None
    file_desc = el(header, "fileDesc")

    title_stmt = el(file_desc, "titleStmt")
    title = el(title_stmt, "title", model.supplied_title(doc))
    if not h.title:
        title.set("type", "supplied")
    if h.author or h.byline:
        el(title_stmt, "author", h.author or h.byline)

    publication = el(file_desc, "publicationStmt")
    el(publication, "publisher", options.extra.get("publisher", "bulletin-convert"))
    if h.agency:
        el(el(publication, "distributor"), "orgName", h.agency)
    if h.date:
        _when(el(publication, "date", h.date_text), h.date, h.year_from)
    el(publication, "idno", h.id, type="bulletin-id")

    warnings = canonical_head.findall(f"{model.q('messages')}/{model.q('message')}")
    if warnings:
        notes = el(file_desc, "notesStmt")
        for m in warnings:
            note = el(notes, "note", m.text, type=m.get("level", "warning"))
            _set_line(note, m)

    _source_desc(el(file_desc, "sourceDesc"), canonical_head, h)

    encoding = el(header, "encodingDesc")
    app = el(el(encoding, "appInfo"), "application", ident="bulletin-convert",
             version=_version_number())
    el(app, "label", "bulletin-convert")
    el(app, "desc", f"bulletin-convert {__version__}: news bulletin text to TEI P5")
    repairs = canonical_head.findall(f"{model.q('repairs')}/{model.q('repair')}")
    if repairs:
        p = el(el(el(encoding, "editorialDecl"), "correction"), "p",
               "Repairs made when the source file was read (numbered by source line):")
        listing = el(p, "list")
        for r in repairs:
            item = el(listing, "item")
            el(item, "label", r.get("kind"))
            el(item, "seg", r.text)
            _set_line(item, r)

    el(el(el(header, "profileDesc"), "langUsage"), "language", ident=h.lang)


def _source_desc(source_desc: etree._Element, canonical_head: model.Element,
                 h: model.Head) -> None:
    """The original bulletin and the file it came in."""
    bibl = el(source_desc, "bibl", type="bulletin")
    if h.title:
        el(bibl, "title", h.title)
    if h.author or h.byline:
        el(bibl, "author", h.author or h.byline)
    if h.agency:
        el(bibl, "publisher", h.agency)
    if h.date:
        _when(el(bibl, "date", h.date_text), h.date, h.year_from)
    source = model.find(canonical_head, "source")
    if source is not None:
        if source.get("url"):
            el(bibl, "ref", source.get("url"), target=source.get("url"))
        if source.get("name"):
            el(bibl, "idno", source.get("name"), type="file-name")
        if source.get("sha256"):
            el(bibl, "idno", source.get("sha256"), type="sha256")
        if source.get("size"):
            el(el(bibl, "extent"), "measure", f"{source.get('size')} bytes",
               unit="byte", quantity=source.get("size"))
        encoding = source.get("encoding")
        media = [source.get("media-type"), f"charset={encoding}" if encoding else None]
        if any(media):
            el(bibl, "note", "; ".join(m for m in media if m), type="media-type")
    digest = model.find(canonical_head, "digest")
    if digest is not None:
        _digest(bibl, digest)
    if h.removed:
        note = el(bibl, "note", "Lines removed from the source file as site chrome "
                  "(numbered by source line):", type="removed")
        listing = el(note, "list")
        for line, text in h.removed:
            el(listing, "item", text, n=str(line))


def _digest(bibl: etree._Element, digest: model.Element) -> None:
    """The digest page this bulletin was cut from, as a related item."""
    page = el(el(bibl, "relatedItem", type="digest"), "bibl")
    header = model.find(digest, "header")
    if header is not None:
        el(page, "title", model.text(header))
    if digest.get("published"):
        el(page, "date", when=digest.get("published"))
    for unit in ("volume", "issue"):
        if digest.get(unit):
            el(page, "biblScope", digest.get(unit), unit=unit)
    if digest.get("item"):
        of = f" of {digest.get('items')}" if digest.get("items") else ""
        el(page, "biblScope", f"item {digest.get('item')}{of}", unit="item", n=digest.get("item"))
    section = model.find(digest, "section")
    if section is not None:
        el(page, "note", model.text(section), type="section")
    entries = digest.findall(f"{model.q('toc')}/{model.q('entry')}")
    if entries:
        listing = el(el(page, "note", "In this issue:", type="toc"), "list")
        for entry in entries:
            el(listing, "item", model.text(entry))


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


def _set_line(target: etree._Element, source: model.Element) -> None:
    """Number a note or item with the source line it concerns, as the chrome list does."""
    if source.get("line") is not None:
        target.set("n", source.get("line"))


# --- the text ------------------------------------------------------------------------------

#: Canonical dateline parts -> TEI elements.
_DATELINE = {"place": "placeName", "date": "date", "agency": "orgName"}


def _text(body: etree._Element, doc: model.Element, h: model.Head,
          messages: list[Message]) -> None:
    canonical_head = model.find(doc, "head")
    assert canonical_head is not None
    if h.title:
        el(body, "head", h.title)
    byline = model.find(canonical_head, "byline")
    if byline is not None:
        _mixed(byline, el(body, "byline"), {"name": "docAuthor"}, messages)
    dateline = model.find(canonical_head, "dateline")
    if dateline is not None:
        _mixed(dateline, el(body, "dateline"), _DATELINE, messages)

    container = body
    for block in model.body(doc):
        kind = model.local(block)
        if kind == "heading":
            container = el(body, "div")
            el(container, "head", block.text)
        else:
            _block(container, block, kind, messages)


def _mixed(source: model.Element, target: etree._Element, names: dict[str, str],
           messages: list[Message]) -> None:
    """Copy mixed content (text and the named child elements, with their tails)."""
    target.text = source.text
    for child in source.iterchildren(model.q("*")):
        name = names.get(model.local(child))
        if name is None:
            name = "seg"
            messages.append(unrendered("TEI", child))
        copy = el(target, name, model.text(child))
        if name == "date" and child.get("when"):
            _when(copy, child.get("when", ""), child.get("year-from"))
        copy.tail = child.tail


def _block(parent: etree._Element, block: model.Element, kind: str,
           messages: list[Message]) -> None:
    if kind == "p":
        el(parent, "p", block.text)
    elif kind == "quote":
        quote = el(parent, "quote")
        marks = [f"{side}({block.get(side)})" for side in ("open", "close") if block.get(side)]
        if marks:
            quote.set("rend", " ".join(marks))
        for p in block.iterchildren(model.q("*")):
            el(quote, "p", p.text)
    elif kind == "list":
        listing = el(parent, "list")
        rend = _LIST_REND.get(block.get("type", ""))
        if rend:
            listing.set("rend", rend)
        for item in block.iterchildren(model.q("*")):
            el(listing, "item", item.text)
    elif kind == "resolution":
        listing = el(parent, "list", type="resolution")
        for clause in block.iterchildren(model.q("*")):
            item = el(listing, "item")
            if clause.get("kind"):
                el(item, "seg", clause.text, type=clause.get("kind"))
            else:
                item.text = clause.text
    elif kind == "qa":
        for speech in block.iterchildren(model.q("*")):
            sp = el(parent, "sp")
            for part in speech.iterchildren(model.q("*")):
                el(sp, "speaker" if model.local(part) == "speaker" else "p", part.text)
    else:  # only an unvalidated document gets here: keep its text, say what happened
        el(parent, "p", model.text(block))
        messages.append(unrendered("TEI", block))
