"""Canonical XML as input: load it safely, so `bulletin parse/convert` accept masters too."""

from __future__ import annotations

from lxml import etree

from .. import model
from ..messages import InputError


def looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<bulletin", b"<!--", b"<!DOCTYPE"))


def parse_xml(data: bytes, source: str | None) -> model.Element:
    """A canonical document from XML bytes; hostile or foreign XML raises InputError.

    Entities are never expanded, no DTD is loaded and nothing is fetched; a document that
    declares a DOCTYPE is refused outright, since a canonical document never has one.
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
    return root
