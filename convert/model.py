"""The canonical vocabulary: namespace, version, element names, builders, load and dump.

A canonical bulletin is a plain lxml tree in one namespace (documented in `schemas/README.md`).
Everything downstream (writers, archive, benchmarks) reads that tree; this module is the only
place that knows how it is spelled, so the rest of the code asks for `head(doc)` or iterates
`body(doc)` instead of writing XPath by hand.
"""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

NS = "urn:bulletin-convert:canonical:1"
#: The vocabulary version this code reads and writes; it reads every version in VERSIONS.
VERSION = "1.2"
VERSIONS = ("1.0", "1.1", "1.2")
XML_NS = "http://www.w3.org/XML/1998/namespace"
LANG = f"{{{XML_NS}}}lang"


Element = etree._Element


class _ClarkNames(dict[str, str]):
    def __missing__(self, name: str) -> str:
        self[name] = clark = f"{{{NS}}}{name}"
        return clark


#: The qualified (Clark) name of a canonical element: q("p") == "{urn:...}p". A dictionary
#: lookup, not a function: the parser asks for a name for every element it makes.
q: Callable[[str], str] = _ClarkNames().__getitem__


def local(el: Element) -> str:
    """The local name of a canonical element (its tag without the namespace)."""
    return etree.QName(el).localname


@functools.cache
def _attribute(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def child(parent: Element, tag: str, text: str | None = None, /,
          **attrs: str | None) -> Element:
    """Append a child element with optional text and attributes, and return it: the one builder
    of every tree this project writes (canonical, TEI, HTML, the teiCorpus).

    `tag` is a qualified (Clark) name, or a plain one for HTML. Attribute names are written the
    Python way: a trailing `_` is dropped and `_` stands for `-` (class_= gives class,
    media_type= gives media-type); an attribute whose value is None is left out.
    """
    return _made(parent, tag, text, attrs)


def _made(parent: Element, tag: str, text: str | None, attrs: dict[str, str | None]
          ) -> Element:
    """child() and sub(): the attributes come as the dict they were packed in once (a call
    with `**attrs` packs them again: a sixth of the cost of an element, and the parser makes
    every element of a document through sub())."""
    if attrs:
        el = etree.SubElement(parent, tag, {_attribute(k): v for k, v in attrs.items()
                                            if v is not None})
    else:
        el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def sub(parent: Element, tag: str, text: str | None = None, /, **attrs: str | None) -> Element:
    """Append a canonical child element (`tag` is its local name); see child()."""
    return _made(parent, q(tag), text, attrs)


def add_text(parent: Element, text: str | None) -> None:
    """Append text at the end of an element's content (after its last child, if any)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


#: The longest language tag taken: RFC 5646 asks every implementation to take 35 characters;
#: a tag too long for a DOCX property (255) is no language anyone writes.
LANGUAGE_MAX = 63


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
    if len(tag) > LANGUAGE_MAX:
        raise ValueError(f"a language tag of {len(tag)} characters is more than the "
                         f"{LANGUAGE_MAX} this tool takes ({example})")
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


def _blank_document() -> Element:
    root = etree.Element(q("bulletin"), nsmap={None: NS})
    root.set("version", VERSION)
    root.set("id", "")
    root.set(LANG, "")
    sub(root, "head")
    sub(root, "body")
    return root


#: What every document starts as; copied, which is a fifth of the cost of building it anew.
_BLANK = _blank_document()


def new_document(doc_id: str, lang: str = "en") -> Element:
    """An empty canonical root with its `head` and `body`."""
    root = copy.copy(_BLANK)
    root.set("id", doc_id)
    root.set(LANG, lang)
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
                   "source", "removed", "repairs", "messages", "digest", "toc", "page")
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
class Issue:
    """The periodical issue a bulletin appeared in: `head/digest`'s volume, issue and
    published (vocabulary 1.0) and publication (1.1)."""

    publication: str | None
    volume: int | None
    number: int | None
    published: str | None  # YYYY-MM-DD

    @property
    def citation(self) -> str:
        """"EIR Online, Volume 9, Issue 12, published 2012-03-20": the parts known."""
        parts = [self.publication,
                 None if self.volume is None else f"Volume {self.volume}",
                 None if self.number is None else f"Issue {self.number}",
                 None if self.published is None else f"published {self.published}"]
        return ", ".join(p for p in parts if p)


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
    issue: Issue | None = None
    #: The dateline as a reader must see it: as written, with a year the text lacks but the
    #: document knows in square brackets after the date ("Feb. 18 [2014] (EIRNS)—").
    dateline_shown: str | None = None


def text(el: Element | None) -> str | None:
    """All text inside `el` (mixed content included), or None when `el` is missing."""
    if el is None:
        return None
    if type(el) is Element and not len(el):  # text only (most are): spare itertext's walk
        return el.text or ""
    return "".join(el.itertext())


@functools.cache
def _clark_steps(path: str) -> tuple[str, ...]:
    return tuple(q(part) for part in path.split("/"))


def _first(parent: Element, steps: tuple[str, ...], i: int) -> Element | None:
    for child in parent.iterchildren(steps[i]):
        if i + 1 == len(steps):
            return child
        found = _first(child, steps, i + 1)
        if found is not None:
            return found
    return None


def find(parent: Element, path: str) -> Element | None:
    """Find by a slash-separated path of canonical local names, e.g. find(doc, "head/title"):
    the first match in document order, as ElementPath finds it, but walked with lxml's
    tag-filtered child iterators (several times faster than ElementPath)."""
    return _first(parent, _clark_steps(path), 0)


def shown_date(date: Element) -> str:
    """A dateline's date as a reader must see it: as written ("Feb. 18"), followed by the
    year in square brackets when the year came from elsewhere ("Feb. 18 [2014]"), the
    cataloguers' sign for what the source does not say."""
    written = text(date) or ""
    when = date.get("when", "")
    if date.get("year-from") and _FULL_DATE.fullmatch(when):
        return f"{written} [{when[:4]}]"
    return written


def _shown_dateline(dateline: Element) -> str:
    parts = [dateline.text or ""]
    for child in dateline:
        parts.append(shown_date(child) if child.tag == q("date") else text(child) or "")
        parts.append(child.tail or "")
    return "".join(parts)


def _issue(digest: Element | None) -> Issue | None:
    if digest is None:
        return None
    volume, number = digest.get("volume"), digest.get("issue")
    issue = Issue(digest.get("publication"), None if volume is None else int(volume),
                  None if number is None else int(number), digest.get("published"))
    return issue if any(v is not None for v in vars(issue).values()) else None


def head(doc: Element) -> Head:
    h = find(doc, "head")
    assert h is not None, "a canonical document always has a head"
    dateline = find(h, "dateline")
    date = find(h, "dateline/date")
    source = find(h, "source")
    chrome = h.iterfind(f"{q('removed')}/{q('chrome')}")
    removed = [(int(c.get("line", "0")), c.text or "") for c in chrome]
    written = text(dateline)
    return Head(
        id=doc.get("id", ""),
        lang=doc.get(LANG, "en"),
        title=text(find(h, "title")),
        byline=text(find(h, "byline")),
        author="; ".join(text(n) or "" for n in h.iterfind(f"{q('byline')}/{q('name')}"))
        or None,
        dateline=written,
        place=text(find(h, "dateline/place")),
        date=date.get("when") if date is not None else None,
        date_text=text(date),
        year_from=date.get("year-from") if date is not None else None,
        agency=text(find(h, "dateline/agency")),
        source_name=source.get("name") if source is not None else None,
        source_sha256=source.get("sha256") if source is not None else None,
        source_url=source.get("url") if source is not None else None,
        removed=removed,
        issue=_issue(find(h, "digest")),
        dateline_shown=_shown_dateline(dateline)
        if dateline is not None and date is not None and date.get("year-from") else written,
    )


def body(doc: Element) -> Iterator[Element]:
    """The block elements of the body, in order."""
    b = find(doc, "body")
    assert b is not None, "a canonical document always has a body"
    yield from b.iterchildren(q("*"))


def content_text(doc: Element, *, as_shown: bool = True) -> str:
    """The content of the document as a writer must render it: title, byline, dateline (with
    a year the source did not print, `Head.dateline_shown`), body. With `as_shown=False`, only
    what the master took from its source (the dateline as written).

    Fidelity tests compare the words of every rendition with the words of this text.
    """
    h = head(doc)
    parts = [h.title, h.byline, h.dateline_shown if as_shown else h.dateline]
    b = find(doc, "body")
    assert b is not None
    parts.extend(t for t in b.itertext())
    return " ".join(p for p in parts if p)


SUPPLIED_TITLE_CHARS = 60


def supplied_title(doc: Element, h: Head | None = None) -> str:
    """A title for metadata: the bulletin's own, or one devised from its first words.

    A devised title is in square brackets, the cataloguers' sign for a supplied title; it
    never appears in the rendered text, only where a format requires a title (TEI
    titleStmt, EPUB dc:title). `h` is the document's head(), if the caller has it.
    """
    h = h or head(doc)
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
    """The date as YYYY-MM-DD, or None when the year (or the date) is unknown: the
    dateline's, or for a bulletin without a dated dateline (an item of a digest page
    without datelines) the day its issue was published.

    Metadata fields (PDF/XMP, DOCX, EPUB dc:date) take only full dates."""
    if h.date:
        return h.date if _FULL_DATE.fullmatch(h.date) else None
    return h.issue.published if h.issue else None


def lowest_version(doc: Element) -> str:
    """The oldest vocabulary version whose elements and attributes hold the document: "1.2"
    when it uses what 1.2 added (`source/page`, `source/capture`, several `byline/name`,
    `chrome/@kind`), "1.1" when it uses what 1.1 added (`digest/@publication`,
    `toc/entry/@line`, a `digest` without `header`), else "1.0". A master names it, so that
    the same text gives the same bytes under a release that only adds vocabulary, and a
    reader of an older version can read what uses none of the newer one."""
    head = doc[0] if len(doc) else None  # a canonical document's first child
    digests = []
    for el in () if head is None else head:  # a few children: one walk, no tag filter to set up
        name = el.tag
        if (name == q("source") and len(el)) or (name == q("byline") and len(el) > 1) \
                or (name == q("removed") and any(c.get("kind") is not None for c in el)):
            return "1.2"
        if name == q("digest"):
            digests.append(el)
    for digest in digests:
        if digest.get("publication") is not None or find(digest, "header") is None or any(
                entry.get("line") is not None for entry in digest.iter(q("entry"))):
            return "1.1"
    return "1.0"


def subject(h: Head) -> str | None:
    """What the bulletin is, where and when: its dateline without the closing dash, on one
    line (a metadata field: a no-break space or a newline of the source becomes a space)."""
    return " ".join((h.dateline_shown or "").split()).strip(" —–-") or None


def list_numbering(lst: Element) -> tuple[int, str]:
    """(first number, suffix) of a numbered list, from its literal marker: "3." gives (3, ".")."""
    m = _NUMBER_MARKER.fullmatch(lst.get("marker", ""))
    return (int(m.group(1)), m.group(2)) if m else (1, ".")


#: Bullet markers as every rendition shows them: a dash stays a dash, any other is a bullet.
_BULLETS = {"-": "–", "–": "–"}


def item_label(item: Element) -> str | None:
    """The label a list item shows in every format: "3." for the first item of a list whose
    source numbered it from 3, "•" or "–" for a bulleted item, None in a plain list."""
    lst = item.getparent()
    assert lst is not None
    kind = lst.get("type")
    if kind == "number":
        start, suffix = list_numbering(lst)
        position = sum(1 for _ in item.itersiblings(q("item"), preceding=True))
        return f"{start + position}{suffix}"
    if kind == "bullet":
        return bullet(lst)
    return None


def bullet(lst: Element) -> str:
    """The bullet a bulleted list shows: a dash for a list the source marked with dashes, else •."""
    return _BULLETS.get(lst.get("marker", ""), "•")


def quote_marks(p: Element) -> tuple[str, str]:
    """The quote marks a paragraph of a block quotation is shown with, as the source had them:
    the opening mark (`quote/@open`) before every paragraph, the closing one (`@close`) after
    the last; ("", "") outside a quotation."""
    quote = p.getparent()
    if quote is None or quote.tag != q("quote"):
        return "", ""
    last = p.getnext() is None
    return quote.get("open", ""), quote.get("close", "") if last else ""


@dataclass(frozen=True)
class Metadata:
    """The fields every rendition carries about its bulletin, chosen here once and named by
    their Dublin Core term; schemas/README.md has the table of where each format keeps them."""

    title: str  # the bulletin's title, or a supplied one in [brackets] (supplied_title)
    creator: str | None  # the byline's name, else the byline as written
    publisher: str | None  # the agency that sent the bulletin out (EIRNS)
    coverage: str | None  # the dateline's place
    date: str | None  # YYYY-MM-DD, only when the year is known (full_date)
    description: str | None  # the dateline, without its closing dash (subject)
    language: str
    identifier: str
    source: str | None  # the URL the bulletin came from, else its file name
    relation: str | None  # the issue of the digest it was cut from (Issue.citation)


def metadata(doc: Element, h: Head | None = None) -> Metadata:
    """The document-level fields of `doc` (see Metadata); `h` is its head(), if known."""
    h = h or head(doc)
    return Metadata(
        title=supplied_title(doc, h), creator=h.author or h.byline, publisher=h.agency,
        coverage=h.place, date=full_date(h), description=subject(h), language=h.lang,
        identifier=h.id, source=h.source_url or h.source_name,
        relation=h.issue.citation if h.issue else None)


def clause_parts(clause: Element) -> tuple[str, str]:
    """A resolution clause as (opening formula, rest); the formula is "" for other clauses."""
    text = clause.text or ""
    m = _CLAUSE_LEAD.match(text) if clause.get("kind", "other") != "other" else None
    return (m.group(), text[m.end():]) if m else ("", text)


WORD = re.compile(r"\w+", re.UNICODE)


def words(s: str) -> list[str]:
    """The word tokens of a text, NFC-normalized and case-folded, for fidelity comparisons."""
    return [w.casefold() for w in WORD.findall(unicodedata.normalize("NFKC", s))]
