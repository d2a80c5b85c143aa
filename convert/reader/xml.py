"""Canonical XML as input: load it safely, so `bulletin parse/convert` accept masters too."""

from __future__ import annotations

import codecs
import copy
from typing import ClassVar

from lxml import etree

from .. import model
from ..messages import InputError, Message, printable, warning
from ..schema import instructions
from .base import Input, ParseResult

_SPACE = b" \t\r\n\x0c"
#: What opens an HTML page (after a doctype, comments and white space), as the WHATWG's
#: sniffing algorithm lists them, and the sectioning elements a saved fragment starts with.
_HTML_TAGS = (b"html", b"head", b"body", b"meta", b"title", b"link", b"script", b"style",
              b"iframe", b"div", b"p", b"h1", b"h2", b"h3", b"h4", b"h5", b"h6", b"a", b"b",
              b"br", b"font", b"table", b"article", b"main", b"section", b"header", b"nav",
              b"noscript", b"base")


def _first_markup(data: bytes) -> bytes:
    """The input from its first tag that is not an XML declaration or a comment, lower case
    (a few hundred bytes): what says whether markup is HTML or XML."""
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip(_SPACE)
    while True:
        if head.startswith(b"<?xml"):
            end = head.find(b"?>")
        elif head.startswith(b"<!--"):
            end = head.find(b"-->")
        else:
            return head[:256].lower()
        if end < 0:
            return b""
        head = head[end + 2 + (head[end:end + 3] == b"-->"):].lstrip(_SPACE)


def looks_like_html(data: bytes) -> bool:
    """An HTML page: its first markup is an HTML doctype or an HTML element. After an XML
    declaration, only an HTML doctype or an element in the XHTML namespace: other XML is
    XML, whatever its root is called."""
    first = _first_markup(data)
    if first.startswith(b"<!doctype"):
        return first[9:].lstrip(_SPACE).startswith(b"html")
    if not first.startswith(b"<"):
        return False
    if data.lstrip(b"\xef\xbb\xbf" + _SPACE).startswith(b"<?xml"):
        return b"http://www.w3.org/1999/xhtml" in first
    words = first[1:].split(b">", 1)[0].split(None, 1)  # "<" then a space: no name at all
    return bool(words) and words[0].rstrip(b"/") in _HTML_TAGS


def looks_like_html_document(data: bytes) -> bool:
    """An HTML page beyond doubt: an HTML doctype, or an `html`, `head` or `body` element
    first. What a file named .txt must show to be read as a page: its other opening tags
    (`<b>`, `<script>`) may be the first words of a bulletin's text."""
    first = _first_markup(data)
    if first.startswith(b"<!doctype"):
        return first[9:].lstrip(_SPACE).startswith(b"html")
    words = first[1:].split(b">", 1)[0].split(None, 1) if first.startswith(b"<") else []
    return bool(words) and words[0].rstrip(b"/") in (b"html", b"head", b"body")


def looks_like_xml(data: bytes) -> bool:
    """XML for the canonical reader: an XML declaration, a `bulletin` element, a comment or a
    DOCTYPE first, but not an HTML page (an XHTML page is HTML)."""
    head = data[:512]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):  # XML in UTF-16 always has its byte order mark
            head = head[len(bom):].decode(encoding, "ignore").encode("utf-8")
            break
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<bulletin", b"<!--", b"<!DOCTYPE")) \
        and not looks_like_html(head)


class XmlReader:
    """Canonical XML: a master read back as it was written (no transforms run over it)."""

    name: ClassVar[str] = "xml"
    extensions: ClassVar[tuple[str, ...]] = (".xml",)
    media_type: ClassVar[str] = "application/xml"
    description: ClassVar[str] = (
        "canonical bulletin XML (a master), loaded safely and kept as written")

    def sniff(self, head: bytes) -> bool:
        return looks_like_xml(head)

    def read(self, item: Input) -> ParseResult:
        from .explain import Trace
        from .profile import get as get_profile

        model.language(item.reading.get("lang") or "en")  # ValueError for no BCP 47 tag
        profile = get_profile(item.reading.get("profile"))
        doc, messages = parse_xml(item.data, item.source)
        return ParseResult([doc], messages,
                           [Trace(profile.name, "canonical-xml", 1, 1, [], [], [])],
                           reader=self.name, media_type=self.media_type)


def parse_xml(data: bytes, source: str | None) -> tuple[model.Element, list[Message]]:
    """A canonical document from XML bytes, and what was dropped from it; hostile or foreign
    XML raises InputError.

    Entities are never expanded, no DTD is loaded and nothing is fetched; a document that
    declares a DOCTYPE is refused outright, since a canonical document never has one.
    Processing instructions (`<?xml-stylesheet href=...?>`) are dropped with a warning: the
    master never tells a reader to fetch or run anything.
    """
    try:
        root = model.load(data)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise InputError(f"not well-formed XML: {exc.msg}", source, line) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputError("XML with a DOCTYPE is refused: canonical bulletins never declare one "
                         "(entities and DTDs are not processed, for safety)", source, 1)
    if root.tag != model.q("bulletin"):
        raise InputError(f"not a canonical bulletin: the root element is {root.tag!r}, expected "
                         f"'bulletin' in namespace {model.NS}", source, root.sourceline)
    found = instructions(root)
    messages = [warning(f"dropped a processing instruction: {printable(str(pi))[:80]}", source,
                        pi.sourceline) for pi in found]
    if found:
        etree.strip_tags(root, etree.ProcessingInstruction)  # keeps the text after each
        root = copy.deepcopy(root)  # a tree of its own, without those around the root
    return root, messages
