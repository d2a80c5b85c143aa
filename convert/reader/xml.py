"""Canonical XML as input: load it safely, so `bulletin parse/convert` accept masters too."""

from __future__ import annotations

import codecs
import copy

from lxml import etree

from .. import model
from ..messages import InputError, Message, printable, warning
from ..schema import instructions


def looks_like_xml(data: bytes) -> bool:
    """Whether `data` starts like XML: UTF-8, or UTF-16 with its byte order mark (XML in
    UTF-16 always has one)."""
    head = data[:512]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom):].decode(encoding, "ignore").encode("utf-8")
            break
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<bulletin", b"<!--", b"<!DOCTYPE"))


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
