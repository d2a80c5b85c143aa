"""Canonical XML as input: load it safely, so `bulletin parse/convert` accept masters too."""

from __future__ import annotations

import copy
from typing import ClassVar

from lxml import etree

from .. import model
from ..messages import InputError, Message, printable, warning
from ..schema import instructions
from .base import Input, ParseResult
from .sniff import looks_like_xml


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
