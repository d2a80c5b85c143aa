"""Validate canonical bulletins against schemas/bulletin.xsd and schemas/bulletin.sch.

The XSD says the structure and the shape of every value; the Schematron says the rules the XSD
cannot (real calendar dates, the id built from the dateline, ...). Both are compiled once per
process, on first use, and every problem comes back as a `Message` with the line of the
offending element, so `bulletin validate` can print `file.xml:12: error: ...`.

The Schematron runs as the XSLT that lxml.isoschematron compiles from the .sch file (the .sch
stays the normative text). That XSLT ships beside it (bulletin.sch.xsl, `make schemas`), headed
by the digest of the .sch it was made from, and is used while the digest matches: compiling it
cost every process about 10 ms (8 of them importing lxml.isoschematron, which parses its own
stylesheets), a tenth of a one-file `bulletin convert`. Measured per document on the
`everything.xml` fixture: XSD ~27 us, Schematron ~45 us, validate(element) ~85 us, load +
validate ~100 us; ~80 us on average over the corpus bulletins: well inside the 0.5 ms budget
for parse + validate.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import threading
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from . import model
from .messages import Message, ValidationError, error, printable

SCHEMAS = Path(__file__).parent / "schemas"
XSD_PATH = SCHEMAS / "bulletin.xsd"
SCHEMATRON_PATH = SCHEMAS / "bulletin.sch"
#: The Schematron compiled to XSLT (see `compiled_schematron`).
SCHEMATRON_XSLT_PATH = SCHEMAS / "bulletin.sch.xsl"

_XS = "http://www.w3.org/2001/XMLSchema"
_SVRL = "http://purl.oclc.org/dsdl/svrl"
_FINDINGS = (f"{{{_SVRL}}}failed-assert", f"{{{_SVRL}}}successful-report")

#: A validator keeps the error log of its last run on itself: threads must take turns.
_LOCK = threading.Lock()

#: Longest excerpt of a value quoted in a message (a paragraph can be megabytes long).
_EXCERPT = 60
#: Longest message text; libxml2 itself cuts its messages at about 64,000 characters.
_MAX_TEXT = 1000

_VALUE = re.compile(r"(?s)(.*?The value ')(.*?)('(?: is | has | does ).*)?$")

Document = model.Element | bytes


class _Validators(NamedTuple):
    xsd: etree.XMLSchema
    schematron: etree.XSLT
    #: An XSD pattern -> the name and description of the simple type that declares it.
    patterns: dict[str, str]


def load() -> None:
    """Compile the schemas now rather than at the first validation (workers forked after it
    inherit them)."""
    _validators()


@functools.cache
def _validators() -> _Validators:
    """Compile both schemas (a few ms), once per process."""
    xsd_doc = _parse(XSD_PATH)
    return _Validators(
        xsd=etree.XMLSchema(xsd_doc),
        # The stylesheet is ours and needs no files or network: deny it all the same.
        schematron=etree.XSLT(_schematron_xslt(),
                              access_control=etree.XSLTAccessControl.DENY_ALL),
        patterns=_pattern_descriptions(xsd_doc),
    )


def _parse(source: Path | bytes) -> etree._ElementTree:
    """Our own schema files, parsed all the same without entities, DTD or network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    if isinstance(source, bytes):
        return etree.ElementTree(etree.fromstring(source, parser))
    return etree.parse(str(source), parser)


def _heading() -> str:
    """The comment that heads the compiled XSLT: the digest of the .sch it was made from."""
    digest = hashlib.sha256(SCHEMATRON_PATH.read_bytes()).hexdigest()
    return f" compiled from bulletin.sch (sha256 {digest}) by `make schemas`: do not edit "


def _schematron_xslt() -> etree._ElementTree:
    """The Schematron as XSLT: the compiled copy shipped beside the .sch, unless it is missing
    or was compiled from another .sch (an edited one), which is then compiled here."""
    with contextlib.suppress(OSError, etree.XMLSyntaxError):
        shipped = _parse(SCHEMATRON_XSLT_PATH)
        head = shipped.getroot().getprevious()
        if head is not None and head.text == _heading():
            return shipped
    return _parse(compiled_schematron())


def compiled_schematron() -> bytes:
    """bulletin.sch compiled to XSLT by lxml's ISO Schematron skeleton, headed by the digest
    of the .sch (`_heading`): what `make schemas` writes to bulletin.sch.xsl."""
    from lxml import isoschematron

    sch = isoschematron.Schematron(_parse(SCHEMATRON_PATH), store_xslt=True)
    assert sch.validator_xslt is not None  # store_xslt=True keeps it
    xslt = sch.validator_xslt.getroot()
    xslt.addprevious(etree.Comment(_heading()))
    return etree.tostring(xslt.getroottree(), xml_declaration=True, encoding="UTF-8") + b"\n"


def _pattern_descriptions(xsd_doc: etree._ElementTree) -> dict[str, str]:
    """Map each pattern of the XSD to its type's name and the first sentence of its documentation.

    libxml2 quotes the raw regular expression when a value does not match; the type's own
    description ("Text (not empty, no leading or trailing whitespace, ...)") is what a reader
    needs, and taking it from the XSD keeps one source for it.
    """
    found: dict[str, str] = {}
    for simple in xsd_doc.iterfind(f"{{{_XS}}}simpleType[@name]"):
        label = simple.get("name", "")
        doc = " ".join(simple.findtext(f"{{{_XS}}}annotation/{{{_XS}}}documentation", "").split())
        if doc:
            first = doc.split(". ")[0].rstrip(".")
            if first[1:2].islower():
                first = first[0].lower() + first[1:]
            label = f"{label} ({first})"
        for pattern in simple.iterfind(f"{{{_XS}}}restriction/{{{_XS}}}pattern"):
            found[pattern.get("value", "")] = label
    return found


def _readable(text: str, patterns: dict[str, str]) -> str:
    """A validator's message for people: local names, the rule in words, short quoted values."""
    text = text.replace(f"{{{model.NS}}}", "").replace(f"{{{model.XML_NS}}}", "xml:")
    if "[facet 'pattern']" in text:
        for pattern, label in patterns.items():
            raw = f"is not accepted by the pattern '{pattern}'."
            if text.endswith(raw):
                text = text[: -len(raw)] + f"does not match {label}."
                break
    match = _VALUE.match(text)
    if match and len(match[2]) > _EXCERPT:
        value, tail = match[2], match[3]
        if tail is None:  # libxml2 cut its message inside the value
            size = f"over {len(value):,} characters"
            cut = "[facet 'pattern']" in match[1]
            tail = "' does not match its type's pattern." if cut else "'"
        else:
            size = f"{len(value):,} characters"
        text = f"{match[1]}{value[:_EXCERPT]}…' ({size}){tail[1:]}"
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + "…"
    # Quoted values may hold control characters: never send those to a terminal raw.
    return printable(text)


def _line_at(tree: etree._ElementTree, location: str | None) -> int | None:
    """The source line of the node an SVRL `location` XPath points at (None if unknown)."""
    if not location:
        return None
    try:
        found = tree.xpath(location)
    except etree.XPathError:
        return None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0].sourceline
    return None


def _doctype(doc: model.Element, data: bytes | None, source: str | None) -> list[Message]:
    """Canonical XML has no DOCTYPE; report one, and every entity reference it left behind.

    The safe parser neither expands entities nor reads a DTD, so a hostile document stays
    harmless, but it is not canonical, and libxml2's XSD validator fails on entity nodes.
    """
    info = doc.getroottree().docinfo
    if not info.doctype and info.internalDTD is None:
        return []
    at = data.find(b"<!DOCTYPE") if data is not None else -1
    line = data.count(b"\n", 0, at) + 1 if data is not None and at >= 0 else None
    found = [error("a DOCTYPE is not allowed in canonical XML (no DTD, no entity declarations)",
                   source, line)]
    found.extend(
        error(f"entity reference {ent} is not allowed (it was not expanded)", source,
              ent.sourceline)
        for ent in doc.iter(etree.Entity)
    )
    return found


def instructions(doc: model.Element) -> list[etree._Element]:
    """The processing instructions in and around a document (`<?xml-stylesheet ...?>`,
    `<?php ...?>`): the schema allows none, since a master must not tell a reader to run or
    fetch anything."""
    around = [*doc.itersiblings(preceding=True), *doc.itersiblings()]
    return [n for n in (*around, *doc.iter(etree.ProcessingInstruction))
            if isinstance(n, etree._ProcessingInstruction)]


def validate(doc_or_bytes: Document, source: str | None = None) -> list[Message]:
    """Every way the document breaks bulletin.xsd or bulletin.sch; [] when it is valid.

    Bytes are parsed with the safe parser (no entities, DTD or network), so the lines refer
    to the file and malformed XML becomes an error message rather than an exception.
    """
    data: bytes | None = None
    if isinstance(doc_or_bytes, bytes):
        data = doc_or_bytes
        if not data.strip():
            return [error("empty file: no XML in it", source)]
        try:
            doc = model.load(data)
        except etree.XMLSyntaxError as exc:
            text = _readable(f"not well-formed XML: {exc.msg}", {})
            if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                text = ("not XML: this looks like a bulletin's text; `bulletin parse` makes "
                        "its canonical XML, which `bulletin validate` checks")
            return [error(text, source, exc.lineno)]
    else:
        doc = doc_or_bytes
    if doc.tag != model.q("bulletin"):  # the XSD would say "no matching global declaration"
        return [error(f"not a canonical bulletin: the root element is {doc.tag!r}, expected "
                      f"'bulletin' in namespace {model.NS}", source, doc.sourceline)]
    v = _validators()
    messages = _doctype(doc, data, source)
    messages.extend(error(f"a processing instruction ({printable(str(pi))[:80]}) is not allowed "
                          "in canonical XML", source, pi.sourceline) for pi in instructions(doc))
    if len(messages) > 1:  # entity nodes: the XSD validator would fail on them
        return messages
    with _LOCK:
        try:
            # Copying the error log costs as much as half a validation: only when needed.
            log = [] if v.xsd.validate(doc) else v.xsd.error_log
        except etree.XMLSchemaValidateError as exc:
            text = f"the XML Schema validator failed: {exc}"
            messages.append(error(text, source, doc.sourceline))
            log = []
        report = v.schematron(doc)
    messages.extend(error(_readable(e.message, v.patterns), source, e.line or None) for e in log)
    tree = etree.ElementTree(doc)
    for finding in report.getroot().iter(*_FINDINGS):
        text = _readable(" ".join(finding.findtext(f"{{{_SVRL}}}text", "").split()), v.patterns)
        messages.append(error(text, source, _line_at(tree, finding.get("location"))))
    messages.sort(key=lambda m: m.line or 0)
    return messages


def is_valid(doc_or_bytes: Document) -> bool:
    """True when the document passes both schemas."""
    return not validate(doc_or_bytes)


def check(doc_or_bytes: Document, source: str | None = None) -> None:
    """Raise ValidationError, carrying every message, unless the document is valid."""
    messages = validate(doc_or_bytes, source)
    if messages:
        raise ValidationError(
            f"not a valid canonical bulletin: {len(messages)} problem(s)", source, messages=messages
        )
