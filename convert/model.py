"""The canonical vocabulary: namespace, version, element names, builders, load and dump.

A canonical bulletin is a plain lxml tree in one namespace (documented in `schemas/README.md`).
Everything downstream (writers, archive, benchmarks) reads that tree; this module is the only
place that knows how it is spelled, so the rest of the code asks for `head(doc)` or iterates
`body(doc)` instead of writing XPath by hand.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

NS = "urn:bulletin-convert:canonical:1"
VERSION = "1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
LANG = f"{{{XML_NS}}}lang"


Element = etree._Element


def q(name: str) -> str:
    """The qualified (Clark) name of a canonical element: q("p") == "{urn:...}p"."""
    return f"{{{NS}}}{name}"


def local(el: Element) -> str:
    """The local name of a canonical element (its tag without the namespace)."""
    return etree.QName(el).localname


def sub(parent: Element, tag: str, text: str | None = None, /, **attrs: str) -> Element:
    """Append a canonical child element with optional text and attributes; returns it.

    Attribute names use `_` for `-` (media_type= gives media-type).
    """
    el = etree.SubElement(parent, q(tag), {k.replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


@functools.cache
def language(tag: str) -> str:
    """`tag` as a valid BCP 47 language tag in its standard form ("EN-us" gives "en-US");
    ValueError, saying what a tag looks like, for anything else ("english", "en_US").

    "en", every command's default, is taken as it is: checking it would load langcodes'
    registry (one big regular expression compiled at import, about 50 ms), a fifth of a
    one-file `bulletin convert`.
    """
    if tag == "en":
        return tag
    import langcodes

    example = "such as en, fr, de-CH or sr-Latn"
    if "_" in tag:
        fixed = tag.replace("_", "-")
        hint = f"; did you mean {langcodes.standardize_tag(fixed)}?" \
            if langcodes.tag_is_valid(fixed) else f" ({example})"
        raise ValueError(f"{tag!r} is not a BCP 47 language tag{hint}")
    try:
        if langcodes.tag_is_valid(tag):
            return str(langcodes.standardize_tag(tag))
    except (ValueError, LookupError):
        pass
    raise ValueError(f"{tag!r} is not a BCP 47 language tag ({example})")


def new_document(doc_id: str, lang: str = "en") -> Element:
    """An empty canonical root with its `head` and `body`."""
    root = etree.Element(q("bulletin"), nsmap={None: NS})
    root.set("version", VERSION)
    root.set("id", doc_id)
    root.set(LANG, lang)
    sub(root, "head")
    sub(root, "body")
    return root


# --- load and dump -------------------------------------------------------------------------

#: A parser for untrusted XML: no entity expansion, no DTD, no network, no huge-tree tricks.
SAFE_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
)

#: Elements that hold only elements: whitespace between their children is layout, not content.
CONTAINERS = frozenset(
    q(n) for n in ("bulletin", "head", "body", "quote", "list", "resolution", "qa", "speech",
                   "source", "removed", "repairs", "messages", "digest", "toc")
)


def load(data: bytes) -> Element:
    """Parse canonical XML bytes safely (raises lxml's XMLSyntaxError on malformed input).

    Indentation inside container elements is dropped; text inside mixed content (a dateline's
    ", " between its parts) is kept, so load(dump(doc)) gives back the same tree.
    """
    root = etree.fromstring(data, SAFE_PARSER)
    for el in root.iter(*CONTAINERS):
        if el.text is not None and not el.text.strip():
            el.text = None
        for child in el:
            if child.tail is not None and not child.tail.strip():
                child.tail = None
    return root


def dump(doc: Element) -> bytes:
    """The canonical serialization: UTF-8, declaration, two-space indentation, final newline.

    The tree is not modified; dump(load(dump(doc))) == dump(doc).
    """
    return etree.tostring(doc, encoding="UTF-8", xml_declaration=True, pretty_print=True)


# --- reading a document --------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """The metadata of a canonical document, as plain values for writers and the archive."""

    id: str
    lang: str
    title: str | None
    byline: str | None
    author: str | None
    dateline: str | None
    place: str | None
    date: str | None
    date_text: str | None
    year_from: str | None
    agency: str | None
    source_name: str | None
    source_sha256: str | None
    source_url: str | None
    removed: list[tuple[int, str]] = field(default_factory=list)


def text(el: Element | None) -> str | None:
    """All text inside `el` (mixed content included), or None when `el` is missing."""
    if el is None:
        return None
    return "".join(el.itertext())


@functools.cache
def _clark_path(path: str) -> str:
    return "/".join(q(part) for part in path.split("/"))


def find(parent: Element, path: str) -> Element | None:
    """Find by a slash-separated path of canonical local names, e.g. find(doc, "head/title")."""
    return parent.find(_clark_path(path))


def head(doc: Element) -> Head:
    h = find(doc, "head")
    assert h is not None, "a canonical document always has a head"
    date = find(h, "dateline/date")
    source = find(h, "source")
    chrome = h.iterfind(f"{q('removed')}/{q('chrome')}")
    removed = [(int(c.get("line", "0")), c.text or "") for c in chrome]
    return Head(
        id=doc.get("id", ""),
        lang=doc.get(LANG, "en"),
        title=text(find(h, "title")),
        byline=text(find(h, "byline")),
        author=text(find(h, "byline/name")),
        dateline=text(find(h, "dateline")),
        place=text(find(h, "dateline/place")),
        date=date.get("when") if date is not None else None,
        date_text=text(date),
        year_from=date.get("year-from") if date is not None else None,
        agency=text(find(h, "dateline/agency")),
        source_name=source.get("name") if source is not None else None,
        source_sha256=source.get("sha256") if source is not None else None,
        source_url=source.get("url") if source is not None else None,
        removed=removed,
    )


def body(doc: Element) -> Iterator[Element]:
    """The block elements of the body, in order."""
    b = find(doc, "body")
    assert b is not None, "a canonical document always has a body"
    yield from b.iterchildren(q("*"))


def content_text(doc: Element) -> str:
    """The content of the document as a writer must render it: title, byline, dateline, body.

    Fidelity tests compare the words of every rendition with the words of this text.
    """
    h = head(doc)
    parts = [h.title, h.byline, h.dateline]
    b = find(doc, "body")
    assert b is not None
    parts.extend(t for t in b.itertext())
    return " ".join(p for p in parts if p)


SUPPLIED_TITLE_CHARS = 60


def supplied_title(doc: Element) -> str:
    """A title for metadata: the bulletin's own, or one devised from its first words.

    A devised title is in square brackets, the cataloguers' sign for a supplied title; it
    never appears in the rendered text, only where a format requires a title (TEI
    titleStmt, EPUB dc:title).
    """
    h = head(doc)
    if h.title:
        return h.title
    first = next((" ".join(b.itertext()) for b in body(doc)), "") or h.dateline or h.id
    first = " ".join(first.split())
    if len(first) > SUPPLIED_TITLE_CHARS:
        cut = first[:SUPPLIED_TITLE_CHARS].rsplit(" ", 1)[0]
        first = f"{cut}…"
    return f"[{first}]"


_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER_MARKER = re.compile(r"(\d+)(\D*)")
#: The formula that opens a resolution clause: "Whereas,", "Now, therefore, be it resolved,",
#: "Section 2." (writers set it apart, e.g. in bold).
_CLAUSE_LEAD = re.compile(
    r"^(?:whereas,?|(?:[^,]{0,40},\s*){0,3}?(?:be it )?(?:further )?resolved,?(?: that)?"
    r"|section\s+\d+\.?)", re.IGNORECASE)


def full_date(h: Head) -> str | None:
    """The date as YYYY-MM-DD, or None when the year (or the date) is unknown.

    Metadata fields (PDF/XMP, DOCX, EPUB dc:date) take only full dates."""
    return h.date if h.date and _FULL_DATE.fullmatch(h.date) else None


def subject(h: Head) -> str | None:
    """What the bulletin is, where and when: its dateline without the closing dash."""
    return (h.dateline or "").strip(" —–-") or None


def list_numbering(lst: Element) -> tuple[int, str]:
    """(first number, suffix) of a numbered list, from its literal marker: "3." gives (3, ".")."""
    m = _NUMBER_MARKER.fullmatch(lst.get("marker", ""))
    return (int(m.group(1)), m.group(2)) if m else (1, ".")


def clause_parts(clause: Element) -> tuple[str, str]:
    """A resolution clause as (opening formula, rest); the formula is "" for other clauses."""
    text = clause.text or ""
    m = _CLAUSE_LEAD.match(text) if clause.get("kind", "other") != "other" else None
    return (m.group(), text[m.end():]) if m else ("", text)


WORD = re.compile(r"\w+", re.UNICODE)


def words(s: str) -> list[str]:
    """The word tokens of a text, NFC-normalized and case-folded, for fidelity comparisons."""
    return [w.casefold() for w in WORD.findall(unicodedata.normalize("NFKC", s))]
