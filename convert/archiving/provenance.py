"""Provenance: one PREMIS 3 file per archived input, in the input's own folder.

Why PREMIS per item rather than one METS for the collection: each item folder then carries
its whole story (objects, events, agents) and can be ingested, moved or checked on its own;
the file is written once, when the item is committed, so a collection of millions never needs
one huge document rebuilt at the end, and a resumed run leaves the items already done alone.

Each file records the objects (the original, the canonical master of every document in it and
every rendition: size, SHA-256, format with media type and PRONOM id), the events
(ingestion, message digest calculation, normalization, validation, creation of renditions: time,
agent, outcome) and the derivations rendition <- master <- original. Only event times differ
between two runs over the same inputs. Objects are identified by their file name in the
item's folder (the folder of the PREMIS file): the file is written by the worker that made
the item, before the driver has chosen the folder, and stays true if the folder is moved.

PRONOM identifiers were checked against PRONOM's own records (the copies the `siegfried`
project keeps): x-fmt/111 plain text, fmt/101 XML 1.0, fmt/1476 TEI P5 single text, fmt/1477
TEI P5 corpus, fmt/412 Word 2007 onwards (DOCX), fmt/477 PDF/A-2b. Uncertain: EPUB 3 gets
fmt/483, PRONOM's generic "ePub format" record, which names no version; the canonical master is
recorded as generic XML (fmt/101) because PRONOM knows nothing of our vocabulary.
"""

from __future__ import annotations

import platform
import ssl
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .. import __version__, model

PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{PREMIS_NS} https://www.loc.gov/standards/premis/v3/premis.xsd"
EVENT_TYPES = "http://id.loc.gov/vocabulary/preservation/eventType"
TOOL = "bulletin-convert"


@dataclass(frozen=True)
class FormatInfo:
    name: str  # PRONOM's format name
    version: str | None
    puid: str | None
    note: str | None = None


#: By format name (the master is "xml"); originals are looked up by media type.
FORMATS: dict[str, FormatInfo] = {
    "xml": FormatInfo("Extensible Markup Language", "1.0", "fmt/101",
                      "canonical bulletin XML 1.0 (urn:bulletin-convert:canonical:1); "
                      "PRONOM has no record of this vocabulary, the id is XML's"),
    "tei": FormatInfo("TEI P5 - Single Text File", "P5", "fmt/1476"),
    "epub": FormatInfo("ePub format", "3", "fmt/483",
                       "EPUB 3; PRONOM's ePub record names no version"),
    "docx": FormatInfo("Microsoft Word for Windows", "2007 onwards", "fmt/412"),
    "pdf": FormatInfo("Acrobat PDF/A - Portable Document Format", "2b", "fmt/477",
                      "claims PDF/A-2b; not checked by a PDF/A validator"),
}
ORIGINAL_FORMATS: dict[str, FormatInfo] = {
    "text/plain": FormatInfo("Plain Text File", None, "x-fmt/111"),
    "application/xml": FormatInfo("Extensible Markup Language", "1.0", "fmt/101"),
    "text/html": FormatInfo("Hypertext Markup Language", None, "fmt/96",
                            "PRONOM's generic HTML record: the HTML version is not identified"),
}
#: The web archive a captured page came from (the file itself stays outside the package).
WARC = FormatInfo("WARC", None, "fmt/289",
                  "Web ARChive file format (ISO 28500); PRONOM's WARC record, the version "
                  "(1.0 or 1.1) is the records' own")
#: How a PREMIS object outside the item's folder is identified (the WARC file a page came
#: from): not by a local file name, so that `verify` does not look for it in the folder.
EXTERNAL = "filename"
CORPUS = FormatInfo("TEI P5 XML - Corpus File", "P5", "fmt/1477")


def agent(kind: str) -> tuple[str, str]:
    """(name, version) of the software behind an event, as the process running it sees it."""
    if kind == "digest":
        return "Python hashlib", f"{platform.python_version()} ({ssl.OPENSSL_VERSION})"
    if kind == "warcio":
        from importlib.metadata import version

        return "warcio", version("warcio")
    if kind == "validator":
        libxml = ".".join(map(str, etree.LIBXML_VERSION))
        return "lxml", f"{etree.__version__} (libxml2 {libxml})"
    return TOOL, __version__


@dataclass(frozen=True)
class PremisObject:
    key: str  # "original", "xml:0" (master of document 0), "tei:0", ...
    name: str  # file name in the item's folder
    size: int | None
    sha256: str  # "" when unknown (a WARC file the driver did not hash)
    media_type: str | None
    fmt: FormatInfo | None
    original_name: str | None = None
    derived_from: str | None = None  # key of the object this one was made from
    #: "local" (a file of the item's folder, named by `name`) or EXTERNAL (a file outside
    #: the package: the WARC file a captured page came from)
    identifier_type: str = "local"
    #: further identifiers: ("WARC-Record-ID", "urn:uuid:...") of a captured page
    identifiers: tuple[tuple[str, str], ...] = ()
    #: key of the object this one was extracted from (a WARC file): a structural relationship
    included_in: str | None = None


def intake_events(read_time: str, hash_time: str,
                  reader: tuple[tuple[str, str], tuple[str, str]],
                  extracted: bool = False) -> list[dict[str, Any]]:
    """The events every input has, converted or not: its copy into the package, its hash.
    `extracted`: the input is a WARC record's payload, taken from the WARC object."""
    tool, digest = reader
    return [
        {"type": "ingestion", "time": read_time, "agent": tool, "outcome": "success",
         "notes": [], "sources": ["warc"] if extracted else [], "outcomes": ["original"],
         "detail": "the WARC record's payload (transfer and content encodings undone) copied "
                   "into the package byte for byte" if extracted else
                   "original file copied into the package byte for byte"},
        {"type": "message digest calculation", "time": hash_time, "agent": digest,
         "outcome": "success", "notes": [], "sources": ["original"], "outcomes": [],
         "detail": "SHA-256 of the original"},
    ]


def capture_parts(capture: Any, original: PremisObject
                  ) -> tuple[PremisObject, PremisObject, list[dict[str, Any]]]:
    """For an input captured in a WARC record (`convert.reader.Capture`): the WARC file as a
    PREMIS object, the original with the record's id and its place in that file, and the
    capture event (at WARC-Date, by the crawler the file names) with the check of the
    record's payload digest, which come before the ingestion."""
    from dataclasses import replace

    warc = PremisObject("warc", capture.warc, capture.warc_size, capture.warc_sha256 or "",
                        "application/warc", WARC, identifier_type=EXTERNAL)
    original = replace(original, identifiers=(("WARC-Record-ID", capture.record_id),),
                       included_in="warc")
    crawler = (capture.software or "web crawler (the WARC file names none)", "unknown")
    status = f"HTTP {capture.status}" if capture.status else "no HTTP status"
    events: list[dict[str, Any]] = [{
        "type": "capture", "time": capture.date, "agent": crawler, "outcome": "success",
        "notes": [f"WARC-Target-URI {capture.target}", f"WARC-Record-ID {capture.record_id}",
                  f"{status}, Content-Type {capture.content_type or 'none'}"],
        "sources": [], "outcomes": ["warc"],
        "detail": f"captured from {capture.target} into the WARC file {capture.warc} (the "
                  f"record at offset {capture.offset})"}]
    if capture.digest_check is not None:
        events.append({
            "type": "fixity check", "time": capture.date, "agent": agent("warcio"),
            "outcome": "success" if capture.digest_check == "valid" else "failure",
            "notes": [f"WARC-Payload-Digest {capture.payload_digest}: {capture.digest_check}"],
            "sources": ["warc"], "outcomes": [],
            "detail": "the record's WARC-Block-Digest and WARC-Payload-Digest checked against "
                      "its bytes when it was read (the time is the capture's)"})
    return warc, original, events


def quarantined(original: PremisObject, intake: list[dict[str, Any]], time: str,
                reason: str, notes: list[str], container: list[PremisObject] | None = None
                ) -> bytes:
    """The PREMIS document of an input kept unconverted: why its normalization failed."""
    return build(original.sha256, [*(container or []), original], [*intake, {
        "type": "normalization", "time": time, "agent": agent("tool"), "outcome": "failure",
        "notes": [reason, *notes], "sources": ["original"], "outcomes": [],
        "detail": "not converted: the original is kept in quarantine"}])


def _sub(parent: etree._Element, name: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{PREMIS_NS}}}{name}", attrs)
    if text is not None:
        el.text = text
    return el


def _pair(parent: etree._Element, name: str, prefix: str, kind: str, value: str) -> etree._Element:
    el = _sub(parent, name)
    _sub(el, f"{prefix}Type", kind)
    _sub(el, f"{prefix}Value", value)
    return el


def build(sha256: str, objects: list[PremisObject], events: list[dict[str, Any]]) -> bytes:
    """The PREMIS document of one input (deterministic but for event times)."""
    root = etree.Element(f"{{{PREMIS_NS}}}premis", nsmap={"premis": PREMIS_NS, "xsi": XSI_NS})
    root.set("version", "3.0")
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    event_ids = [f"{sha256[:16]}-{n}" for n in range(1, len(events) + 1)]
    name_of = {o.key: o.name for o in objects}
    type_of = {o.key: o.identifier_type for o in objects}
    made_by = {
        key: event_id for event_id, event in zip(event_ids, events, strict=True)
        if event["type"] in ("normalization", "creation") for key in event["outcomes"]
    }
    for o in objects:
        _object(root, o, made_by.get(o.key), name_of)
    agents: dict[tuple[str, str], str] = {}
    for event_id, event in zip(event_ids, events, strict=True):
        name, version = event["agent"]
        agent_id = agents.setdefault((name, version), f"{name} {version}")
        _event(root, event_id, event, agent_id, name_of, type_of)
    for (name, version), agent_id in agents.items():
        a = _sub(root, "agent")
        _pair(a, "agentIdentifier", "agentIdentifier", "local", agent_id)
        _sub(a, "agentName", name)
        _sub(a, "agentType", "software")
        _sub(a, "agentVersion", version)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _object(root: etree._Element, o: PremisObject, made_by: str | None,
            name_of: dict[str, str]) -> None:
    """A file object; the events that concern it point to it (links are kept one-way)."""
    obj = _sub(root, "object")
    obj.set(f"{{{XSI_NS}}}type", "premis:file")
    _pair(obj, "objectIdentifier", "objectIdentifier", o.identifier_type, o.name)
    for kind, value in o.identifiers:
        _pair(obj, "objectIdentifier", "objectIdentifier", kind, value)
    chars = _sub(obj, "objectCharacteristics")
    _sub(chars, "compositionLevel", "0")
    if o.sha256:
        fixity = _sub(chars, "fixity")
        _sub(fixity, "messageDigestAlgorithm", "SHA-256")
        _sub(fixity, "messageDigest", o.sha256)
    if o.size is not None:
        _sub(chars, "size", str(o.size))
    fmt = _sub(chars, "format")
    designation = _sub(fmt, "formatDesignation")
    _sub(designation, "formatName", o.media_type or "application/octet-stream")
    if o.fmt is not None and o.fmt.version:
        _sub(designation, "formatVersion", o.fmt.version)
    if o.fmt is not None and o.fmt.puid:
        registry = _sub(fmt, "formatRegistry")
        _sub(registry, "formatRegistryName", "PRONOM")
        _sub(registry, "formatRegistryKey", o.fmt.puid)
        _sub(registry, "formatRegistryRole", "specification")
    if o.fmt is not None:
        _sub(fmt, "formatNote", o.fmt.name + (f"; {o.fmt.note}" if o.fmt.note else ""))
    if o.original_name is not None:
        _sub(obj, "originalName", o.original_name)
    if o.included_in is not None:
        rel = _sub(obj, "relationship")
        _sub(rel, "relationshipType", "structural")
        _sub(rel, "relationshipSubType", "is included in")
        _pair(rel, "relatedObjectIdentifier", "relatedObjectIdentifier", EXTERNAL,
              name_of[o.included_in])
    if o.derived_from is not None:
        rel = _sub(obj, "relationship")
        _sub(rel, "relationshipType", "derivation")
        _sub(rel, "relationshipSubType", "has source")
        _pair(rel, "relatedObjectIdentifier", "relatedObjectIdentifier", "local",
              name_of[o.derived_from])
        if made_by is not None:
            _pair(rel, "relatedEventIdentifier", "relatedEventIdentifier", "local", made_by)


def _event(root: etree._Element, event_id: str, event: dict[str, Any], agent_id: str,
           name_of: dict[str, str], type_of: dict[str, str]) -> None:
    ev = _sub(root, "event")
    _pair(ev, "eventIdentifier", "eventIdentifier", "local", event_id)
    _sub(ev, "eventType", event["type"], authority="eventType", authorityURI=EVENT_TYPES)
    _sub(ev, "eventDateTime", event["time"])
    detail = _sub(ev, "eventDetailInformation")
    _sub(detail, "eventDetail", event["detail"])
    outcome = _sub(ev, "eventOutcomeInformation")
    _sub(outcome, "eventOutcome", event["outcome"])
    for note in event["notes"]:
        _sub(_sub(outcome, "eventOutcomeDetail"), "eventOutcomeDetailNote", note)
    linking = _pair(ev, "linkingAgentIdentifier", "linkingAgentIdentifier", "local", agent_id)
    _sub(linking, "linkingAgentRole", "executing program")
    for role, keys in (("source", event["sources"]), ("outcome", event["outcomes"])):
        for key in keys:
            link = _pair(ev, "linkingObjectIdentifier", "linkingObjectIdentifier",
                         type_of[key], name_of[key])
            _sub(link, "linkingObjectRole", role)


def objects(data: bytes) -> list[tuple[str, int | None, str | None]]:
    """(file name, size, sha256) of every object a PREMIS file records (for `verify`)."""
    return [(o.name, o.size, o.sha256) for o in read(data).objects]


@dataclass(frozen=True)
class RecordedObject:
    """A file object as a PREMIS file records it (see `build`)."""

    name: str  # the file's name in the item's folder
    size: int | None
    sha256: str | None
    media_type: str | None
    version: str | None
    puid: str | None
    note: str | None  # PRONOM's format name, and what we add to it
    original_name: str | None  # of the original: the input's path as the archive recorded it
    derived_from: str | None  # the name of the object it was made from


@dataclass(frozen=True)
class RecordedEvent:
    type: str
    time: str
    agent: str  # "name version"
    outcome: str
    detail: str
    notes: list[str]
    sources: list[str]  # names of the objects it read
    outcomes: list[str]  # names of the objects it made


@dataclass(frozen=True)
class Recorded:
    """What one PREMIS file says: its objects and events, in the file's order."""

    objects: list[RecordedObject]
    events: list[RecordedEvent]

    def masters(self) -> list[RecordedObject]:
        """The canonical masters (made from the original by normalization), in order."""
        original = self.objects[0].name if self.objects else None
        return [o for o in self.objects if o.derived_from == original and original is not None]

    def renditions(self, master: str) -> list[RecordedObject]:
        return [o for o in self.objects if o.derived_from == master]


_NS = {"p": PREMIS_NS}


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


def read(data: bytes) -> Recorded:
    """Parse a PREMIS file written by `build` (lxml's XMLSyntaxError if it is not XML): the
    files of the item's folder, and the events."""
    root = etree.fromstring(data, model.SAFE_PARSER)
    found = []
    for obj in root.iterfind("p:object", _NS):
        if obj.findtext("p:objectIdentifier/p:objectIdentifierType", namespaces=_NS) != "local":
            continue  # a file outside the package (the WARC file a page came from)
        chars = obj.find("p:objectCharacteristics", _NS)

        def text(path: str, el: etree._Element | None = chars) -> str | None:
            return None if el is None else el.findtext(path, namespaces=_NS)

        found.append(RecordedObject(
            name=text("p:objectIdentifier/p:objectIdentifierValue", obj) or "",
            size=_int(text("p:size")),
            sha256=text("p:fixity[p:messageDigestAlgorithm='SHA-256']/p:messageDigest"),
            media_type=text("p:format/p:formatDesignation/p:formatName"),
            version=text("p:format/p:formatDesignation/p:formatVersion"),
            puid=text("p:format/p:formatRegistry/p:formatRegistryKey"),
            note=text("p:format/p:formatNote"),
            original_name=text("p:originalName", obj),
            derived_from=text("p:relationship/p:relatedObjectIdentifier/"
                              "p:relatedObjectIdentifierValue", obj)))
    events = []
    for ev in root.iterfind("p:event", _NS):
        links = ev.findall("p:linkingObjectIdentifier", _NS)

        def role(name: str, links: list[etree._Element] = links) -> list[str]:
            return [link.findtext("p:linkingObjectIdentifierValue", "", _NS) for link in links
                    if link.findtext("p:linkingObjectRole", namespaces=_NS) == name]

        events.append(RecordedEvent(
            type=ev.findtext("p:eventType", "", _NS),
            time=ev.findtext("p:eventDateTime", "", _NS),
            agent=ev.findtext("p:linkingAgentIdentifier/p:linkingAgentIdentifierValue", "", _NS),
            outcome=ev.findtext("p:eventOutcomeInformation/p:eventOutcome", "", _NS),
            detail=ev.findtext("p:eventDetailInformation/p:eventDetail", "", _NS),
            notes=[n.text or "" for n in ev.iterfind(
                "p:eventOutcomeInformation/p:eventOutcomeDetail/p:eventOutcomeDetailNote", _NS)],
            sources=role("source"), outcomes=role("outcome")))
    return Recorded(found, events)
