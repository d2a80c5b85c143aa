"""What an input is, from its first bytes: the built-in readers' sniff tests.

They live apart from the readers, so that choosing the reader of a bulletin's text imports
none of the others (the HTML reader alone is 900 lines, with patterns and records to build).
"""

from __future__ import annotations

import codecs
import zlib

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


def looks_like_warc(head: bytes) -> bool:
    """A WARC file: `WARC/1.0` or `WARC/1.1` first, plainly or in a gzip member."""
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith((b"WARC/1.", b"WARC/0."))
