"""The canonical schema (schemas/bulletin.xsd + bulletin.sch) and its validator, convert.schema.

Each file in fixtures/invalid/ breaks one rule and says in its leading comment which messages
it must draw, one `expect: LINE TEXT` line per message; the test checks the exact number of
messages, their lines and their texts.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES
from lxml import etree

from convert import model, schema
from convert.messages import ExitCode, Level, ValidationError

INVALID = sorted((FIXTURES / "invalid").glob("*.xml"))
EXPECT = re.compile(r"^\s*expect: (\d+) (.+?)(?: -->)?$", re.MULTILINE)


def expectations(path: Path) -> list[tuple[int, str]]:
    return [(int(line), text) for line, text in EXPECT.findall(path.read_text(encoding="utf-8"))]


def mutated(everything_xml: bytes, change: Callable[[model.Element], object]) -> model.Element:
    """The everything.xml document after `change`, serialized and parsed back (real lines)."""
    doc = model.load(everything_xml)
    change(doc)
    return model.load(model.dump(doc))


def set_date(doc: model.Element, when: str, doc_id: str, **attrs: str) -> None:
    date = model.find(doc, "head/dateline/date")
    assert date is not None
    date.set("when", when)
    for name, value in attrs.items():
        date.set(name.replace("_", "-"), value)
    doc.set("id", doc_id)


def texts(messages: list) -> str:
    return "\n".join(str(m) for m in messages)


# --- valid documents -----------------------------------------------------------------------


def test_everything_fixture_uses_every_element(everything_xml: bytes) -> None:
    """everything.xml is the example of the whole vocabulary: every element the XSD
    declares occurs in it, and it needs the newest version."""
    xsd = etree.parse(str(schema.XSD_PATH))
    declared = {el.get("name") for el in xsd.iter("{http://www.w3.org/2001/XMLSchema}element")
                if el.get("name")}
    doc = model.load(everything_xml)
    used = {model.local(el) for el in doc.iter(model.q("*"))}
    assert declared - used == set()
    assert doc.get("version") == model.lowest_version(doc) == model.VERSION


def test_everything_fixture_is_valid(everything_xml: bytes) -> None:
    assert schema.validate(everything_xml, "everything.xml") == []
    doc = model.load(everything_xml)
    assert schema.validate(doc) == []
    assert schema.is_valid(doc)
    schema.check(doc)


def remove(doc: model.Element, path: str) -> None:
    el = model.find(doc, path)
    assert el is not None
    el.getparent().remove(el)


def no_agency(doc: model.Element) -> None:
    agency = model.find(doc, "head/dateline/agency")
    assert agency is not None
    date = model.find(doc, "head/dateline/date")
    assert date is not None
    date.tail = "—"
    agency.getparent().remove(agency)
    doc.set("id", "2016-09-14-ferry-crews")


def set_digest(doc: model.Element, item: str, items: str) -> None:
    digest = model.find(doc, "head/digest")
    assert digest is not None
    digest.set("item", item)
    digest.set("items", items)


def to_1_1(doc: model.Element) -> None:
    """What a 1.1 master holds: no web page or capture, no kind of removed region."""
    source = model.find(doc, "head/source")
    assert source is not None
    source[:] = []
    for chrome in doc.iter(model.q("chrome")):
        chrome.attrib.pop("kind", None)
    doc.set("version", "1.1")
    assert model.lowest_version(doc) == "1.1"


def to_1_0(doc: model.Element) -> None:
    """What a 1.0 master holds: no publication, no table of contents lines (nor 1.2's)."""
    to_1_1(doc)
    digest = model.find(doc, "head/digest")
    assert digest is not None
    del digest.attrib["publication"]
    for entry in digest.iter(model.q("entry")):
        del entry.attrib["line"]
    doc.set("version", "1.0")
    assert model.lowest_version(doc) == "1.0"


def minimal(doc: model.Element) -> None:
    """Only what is required: a source and one paragraph, no title, no dateline."""
    h = model.find(doc, "head")
    b = model.find(doc, "body")
    assert h is not None and b is not None
    for el in list(h):
        if el.tag != model.q("source"):
            h.remove(el)
    for el in list(b)[1:]:
        b.remove(el)
    doc.set("id", "undated")


def plain_list(doc: model.Element) -> None:
    body = model.find(doc, "body")
    assert body is not None
    model.sub(model.sub(body, "list", type="plain"), "item", "an unmarked item")


VALID_VARIANTS: dict[str, Callable[[model.Element], object]] = {
    "leap day": lambda d: set_date(d, "2016-02-29", "2016-02-29-eirns-x"),
    "leap day of a 400-year": lambda d: set_date(d, "2000-02-29", "2000-02-29-eirns-x"),
    "31st of a long month": lambda d: set_date(d, "2016-12-31", "2016-12-31-eirns-x"),
    "year-less date": lambda d: set_date(d, "--08-20", "xxxx-08-20-eirns-x"),
    "year-less February 29": lambda d: set_date(d, "--02-29", "xxxx-02-29-eirns-x"),
    "year from the digest": lambda d: set_date(d, "2013-12-28", "2013-12-28-eirns-x",
                                               year_from="digest"),
    "id is only the prefix": lambda d: d.set("id", "2016-09-14-eirns"),
    "no agency": no_agency,
    "no date in the dateline": lambda d: (remove(d, "head/dateline/date"),
                                          d.set("id", "undated-eirns-ferry")),
    "no dateline": lambda d: (remove(d, "head/dateline"), d.set("id", "undated-ferry-crews")),
    "LPAC agency": lambda d: (setattr(model.find(d, "head/dateline/agency"), "text", "LPAC"),
                              d.set("id", "2016-09-14-lpac-x")),
    "last item of a digest": lambda d: set_digest(d, "3", "3"),
    "a 1.0 document (no 1.1 vocabulary)": to_1_0,
    "a 1.1 document (no 1.2 vocabulary)": to_1_1,
    "several authors (1.2)": lambda d: model.sub(model.find(d, "head/byline"), "name", "Ada Lind"),
    "a page without capture (1.2)": lambda d: remove(d, "head/source/capture"),
    "a digest without header (1.1)": lambda d: remove(d, "head/digest/header"),
    "plain list without marker": plain_list,
    "chrome keeps inner spaces": lambda d: model.sub(
        model.find(d, "head/removed"), "chrome", "Back to top    Go to home page", line="40"),
    "minimal document": minimal,
    "another language": lambda d: d.set(model.LANG, "sr-Latn-RS"),
}


@pytest.mark.parametrize("change", VALID_VARIANTS.values(), ids=VALID_VARIANTS.keys())
def test_valid_variants(everything_xml: bytes, change: Callable[[model.Element], object]) -> None:
    doc = mutated(everything_xml, change)
    assert schema.validate(doc) == [], model.dump(doc).decode()


# --- invalid documents ---------------------------------------------------------------------


def test_every_invalid_fixture_states_its_expectations() -> None:
    assert len(INVALID) >= 20
    for path in INVALID:
        assert expectations(path), f"{path.name} has no 'expect:' line"


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_is_rejected_with_its_rule_and_line(path: Path) -> None:
    data = path.read_bytes()
    messages = schema.validate(data, path.name)
    expected = expectations(path)
    assert len(messages) == len(expected), texts(messages)
    for line, text in expected:
        assert any(m.line == line and text in m.text for m in messages), (
            f"no message at line {line} containing {text!r}:\n{texts(messages)}")
    for m in messages:
        assert m.level is Level.ERROR and m.source == path.name
        assert "{urn:" not in m.text and "{http:" not in m.text
    if not path.stem.startswith("not-well-formed"):
        # The same document as a tree: same messages, lines from the elements' sourceline.
        assert schema.validate(model.load(data), path.name) == messages
        assert not schema.is_valid(data)


SCHEMATRON_RULES = {  # fixture -> the rule it needs the Schematron for
    "calendar-date": "[calendar-date]",
    "calendar-date-century": "[calendar-date]",
    "month-day": "[month-day]",
    "year-from-yearless": "[year-from]",
    "id-date": "[id-date]",
    "id-date-yearless": "[id-date]",
    "id-undated": "[id-date]",
    "id-agency": "[id-agency]",
    "id-agency-missing": "[id-agency]",
    "digest-item": "[digest-item]",
    "empty-dateline": "[no-empty-head]",
    "list-marker-plain": "[list-marker]",
}
XSD_RULES = {  # fixture -> the element the XSD complains about
    "missing-head": "Element 'body'",
    "missing-source": "Element 'head'",
    "p-child": "Element 'p'",
    "empty-p": "Element 'p'",
    "p-whitespace": "Element 'p'",
    "list-type": "Element 'list', attribute 'type'",
    "sha256": "Element 'source', attribute 'sha256'",
    "version": "Element 'bulletin', attribute 'version'",
    "when-shape": "Element 'date', attribute 'when'",
}


@pytest.mark.parametrize(("stem", "start"), [*SCHEMATRON_RULES.items(), *XSD_RULES.items()])
def test_each_rule_is_caught_by_the_right_schema(stem: str, start: str) -> None:
    """Schematron rules start with their [name]; XSD messages name the element."""
    messages = schema.validate((FIXTURES / "invalid" / f"{stem}.xml").read_bytes())
    assert messages and {m.text[: len(start)] for m in messages} == {start}


INVALID_VARIANTS: dict[str, tuple[Callable[[model.Element], object], str]] = {
    "control character": (lambda d: setattr(model.find(d, "body/p"), "text", "a\u009db"),
                          r"The value 'a\x9db' does not match Text"),
    "tab": (lambda d: setattr(model.find(d, "body/p"), "text", "a\tb"),
            r"The value 'a\x09b' does not match Text"),
    "line break in a title": (lambda d: setattr(model.find(d, "head/title"), "text", "a\nb"),
                              r"The value 'a\x0ab' does not match Text"),
    "missing xml:lang": (lambda d: d.attrib.pop(model.LANG),
                         "The attribute 'xml:lang' is required but missing"),
    "bad xml:lang": (lambda d: d.set(model.LANG, "en us"),
                     "attribute 'xml:lang': 'en us' is not a valid value"),
    "upper-case id": (lambda d: d.set("id", "2016-09-14-eirns-Ferry"), "does not match Id"),
    "id over 100 characters": (lambda d: d.set("id", "2016-09-14-eirns-" + "x" * 90),
                               "has a length of '107'; this exceeds the allowed maximum length"),
    "bad year-from": (lambda d: model.find(d, "head/dateline/date").set("year-from", "guess"),
                      "attribute 'year-from': [facet 'enumeration'] The value 'guess'"),
    "bad clause kind": (lambda d: model.find(d, "body/resolution/clause").set("kind", "be-it"),
                        "attribute 'kind': [facet 'enumeration'] The value 'be-it'"),
    "message level error": (lambda d: model.find(d, "head/messages/message").set("level", "error"),
                            "attribute 'level': [facet 'enumeration'] The value 'error'"),
    "bad repair kind": (lambda d: model.find(d, "head/repairs/repair").set("kind", "guess"),
                        "attribute 'kind': [facet 'enumeration'] The value 'guess'"),
    "chrome line 0": (lambda d: model.find(d, "head/removed/chrome").set("line", "0"),
                      "attribute 'line': '0' is not a valid value of the atomic type"),
    "bullet list without marker": (lambda d: model.find(d, "body/list").attrib.pop("marker"),
                                   "[list-marker] a bullet list keeps its source marker"),
    "digest published on Feb 30": (lambda d: model.find(d, "head/digest").set("published",
                                                                              "2017-02-30"),
                                   "attribute 'published': '2017-02-30' is not a valid value"),
    "1.1 vocabulary in a 1.0 document": (lambda d: (to_1_1(d), d.set("version", "1.0")),
                                         "[version] the document says version=\"1.0\""),
    "a page and capture in a 1.1 document": (
        lambda d: ([c.attrib.pop("kind", None) for c in d.iter(model.q("chrome"))],
                   d.set("version", "1.1")),
        "its source has a page or capture, which version 1.2 added"),
    "a kind of removed region in a 1.1 document": (
        lambda d: (model.find(d, "head/source").__setitem__(slice(None), []),
                   d.set("version", "1.1")),
        "a removed region has a kind, which version 1.2 added"),
    "two authors in a 1.1 document": (
        lambda d: (to_1_1(d), model.sub(model.find(d, "head/byline"), "name", "Ada Lind")),
        "its byline names several authors, which version 1.2 added"),
    "capture date not a WARC-Date": (
        lambda d: model.find(d, "head/source/capture").set("date", "15 Sept. 2016"),
        "attribute 'date': [facet 'pattern'] The value '15 Sept. 2016'"),
    "unknown kind of removed region": (
        lambda d: model.find(d, "head/removed/chrome").set("kind", "banner"),
        "attribute 'kind': [facet 'enumeration'] The value 'banner'"),
    "capture without its record id": (
        lambda d: model.find(d, "head/source/capture").attrib.pop("record-id"),
        "Element 'capture': The attribute 'record-id' is required"),
    "table of contents line 0": (lambda d: model.find(d, "head/digest/toc/entry").set("line", "0"),
                                 "attribute 'line': '0' is not a valid value of the atomic type"),
    "empty publication": (lambda d: model.find(d, "head/digest").set("publication", ""),
                          "attribute 'publication': [facet 'pattern'] The value ''"),
    # A month outside 1-12 is the XSD's to report, once: no day count for a month 13.
    "month 13": (lambda d: set_date(d, "2017-13-05", "2017-13-05-eirns-x"),
                 "attribute 'when': [facet 'pattern'] The value '2017-13-05'"),
    "month 00 of a year-less date": (lambda d: set_date(d, "--00-05", "xxxx-00-05-eirns-x"),
                                     "attribute 'when': [facet 'pattern'] The value '--00-05'"),
    "empty byline": (lambda d: (model.find(d, "head/byline").clear()),
                     "[no-empty-head] the byline has no text"),
    "qa without speaker": (lambda d: model.find(d, "body/qa/speech").remove(
        model.find(d, "body/qa/speech/speaker")), "Element 'p': This element is not expected"),
    "title after byline": (lambda d: model.find(d, "head/byline").addnext(
        model.find(d, "head/title")), "Element 'title': This element is not expected"),
}


@pytest.mark.parametrize(("change", "text"), INVALID_VARIANTS.values(),
                         ids=INVALID_VARIANTS.keys())
def test_invalid_variants(everything_xml: bytes, change: Callable[[model.Element], object],
                          text: str) -> None:
    doc = mutated(everything_xml, change)
    messages = schema.validate(doc, "doc.xml")
    assert len(messages) == 1, texts(messages)
    assert text in messages[0].text
    assert messages[0].line is not None and messages[0].line > 1


def test_schematron_line_points_at_the_nth_sibling(everything_xml: bytes) -> None:
    """SVRL locations use positional steps: the message must point at the second list."""
    doc = mutated(everything_xml, lambda d: model.find(d, "body").findall(model.q("list"))[1]
                  .set("type", "plain"))
    [message] = schema.validate(doc)
    second_list = model.find(doc, "body").findall(model.q("list"))[1]
    assert message.text.startswith("[list-marker] a plain list has no marker")
    assert message.line == second_list.sourceline == 46


def test_wrong_root_and_namespace() -> None:
    for data in (b"<p xmlns='urn:bulletin-convert:canonical:1'>x</p>", b"<bulletin/>"):
        [message] = schema.validate(data, "root.xml")
        assert message.text.startswith("not a canonical bulletin: the root element is ")
        assert "expected 'bulletin' in namespace urn:bulletin-convert:canonical:1" in message.text
        assert message.line == 1


def test_a_huge_value_is_quoted_short(everything_xml: bytes) -> None:
    """A 2 MB paragraph with a double space: the message quotes an excerpt, not megabytes."""
    doc = model.load(everything_xml)
    model.find(doc, "body/p").text = "word " * 400_000
    [message] = schema.validate(doc)
    assert len(message.text) < 300
    assert "The value 'word word" in message.text and "characters" in message.text
    assert message.line == 34


def test_check_raises_validation_error_with_every_message() -> None:
    path = FIXTURES / "invalid" / "p-whitespace.xml"
    with pytest.raises(ValidationError) as caught:
        schema.check(path.read_bytes(), "p-whitespace.xml")
    assert caught.value.exit_code is ExitCode.INVALID
    assert [m.line for m in caught.value.messages] == [12, 13]
    assert "p-whitespace.xml:12: error:" in str(caught.value)


# --- hostile XML ---------------------------------------------------------------------------

BODY = (b'<bulletin xmlns="urn:bulletin-convert:canonical:1" version="1.0" id="undated" '
        b'xml:lang="en">\n<head><source media-type="text/plain" encoding="utf-8" sha256="'
        + b"0" * 64 + b'" size="1"/></head>\n<body><p>%s</p></body>\n</bulletin>\n')


def hostile(doctype: str, content: str) -> bytes:
    return b'<?xml version="1.0"?>\n' + doctype.encode() + b"\n" + BODY % content.encode()


def test_billion_laughs_is_an_error_not_an_expansion() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    data = hostile(f'<!DOCTYPE bulletin [<!ENTITY lol0 "lol">{entities}]>', "&lol9;")
    start = time.perf_counter()
    messages = schema.validate(data, "laughs.xml")
    assert time.perf_counter() - start < 1.0
    assert messages and all(m.level is Level.ERROR for m in messages)
    assert all("lollol" not in m.text for m in messages)


def test_a_harmless_doctype_is_reported_at_its_line() -> None:
    data = hostile("<!DOCTYPE bulletin>", "Fine text.")
    assert [(m.line, m.text) for m in schema.validate(data)] == [
        (2, "a DOCTYPE is not allowed in canonical XML (no DTD, no entity declarations)")]


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """Files whose content must never show up: a read of them would be a leak."""
    (tmp_path / "canary.txt").write_text("CANARY-TXT")
    (tmp_path / "canary.dtd").write_text('<!ENTITY leaked "CANARY-DTD">')
    return tmp_path


def file_attacks(canary: Path) -> dict[str, bytes]:
    return {
        "external entity": hostile(
            f'<!DOCTYPE bulletin [<!ENTITY x SYSTEM "{(canary / "canary.txt").as_uri()}">]>',
            "&x;"),
        "parameter entity": hostile(
            f'<!DOCTYPE bulletin [<!ENTITY % ext SYSTEM "{(canary / "canary.dtd").as_uri()}">'
            "%ext;]>", "&leaked;"),
        "external DTD": hostile(
            f'<!DOCTYPE bulletin SYSTEM "{(canary / "canary.dtd").as_uri()}">', "&leaked;"),
        "passwd": hostile('<!DOCTYPE bulletin [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
    }


def test_the_canary_would_show_a_read(canary: Path) -> None:
    """Control: a careless parser does read the files, so the next test can see a leak."""
    careless = etree.XMLParser(load_dtd=True, resolve_entities=True)
    for name in ("external entity", "parameter entity", "external DTD"):
        assert b"CANARY" in etree.tostring(etree.fromstring(file_attacks(canary)[name], careless))


def test_external_entities_and_dtds_are_never_read(canary: Path) -> None:
    for name, data in file_attacks(canary).items():
        messages = schema.validate(data, "hostile.xml")
        assert messages[0].text.startswith("a DOCTYPE is not allowed"), name
        assert messages[0].line == 2
        assert all("CANARY" not in m.text and "root:" not in m.text for m in messages), name
        tree = etree.tostring(model.load(data))
        assert b"CANARY" not in tree and b"root:" not in tree, name
    [_, entity] = schema.validate(file_attacks(canary)["external entity"])
    assert entity.line == 5
    assert entity.text == "entity reference &x; is not allowed (it was not expanded)"


def test_no_network_access() -> None:
    """A listening socket on localhost must see no connection while hostile XML is validated."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        attacks = [
            hostile(f'<!DOCTYPE bulletin SYSTEM "{url}/x.dtd">', "x"),
            hostile(f'<!DOCTYPE bulletin [<!ENTITY x SYSTEM "{url}/x.txt">]>', "&x;"),
            hostile(f'<!DOCTYPE bulletin [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>', "x"),
            BODY % f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}/i"/>'
            .encode(),
        ]
        results: list[list] = []
        worker = threading.Thread(target=lambda: results.extend(
            schema.validate(a) for a in attacks), daemon=True)
        worker.start()
        worker.join(timeout=20)
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.accept()
        assert not worker.is_alive()
    assert len(results) == len(attacks) and all(results)


def test_an_entity_node_in_a_tree_is_an_error_not_a_crash() -> None:
    doc = model.load(BODY % b"x")
    model.find(doc, "body/p").append(etree.Entity("x"))
    messages = schema.validate(doc)
    assert messages and all(m.level is Level.ERROR for m in messages)


# --- the validator itself ------------------------------------------------------------------


def test_schematron_rule_contexts_are_disjoint() -> None:
    """All rules share one pattern (one walk of the tree): a node fires only its first rule,
    so an element named in two rule contexts would silently lose the second rule."""
    sch = etree.parse(str(schema.SCHEMATRON_PATH))
    ns = {"sch": "http://purl.oclc.org/dsdl/schematron"}
    assert len(sch.findall("sch:pattern", ns)) == 1
    names = [part.strip() for rule in sch.iterfind(".//sch:rule", ns)
             for part in rule.get("context", "").split("|")]
    assert len(names) == len(set(names)) and all(re.fullmatch(r"b:[a-z]+", n) for n in names)


def test_schemas_ship_inside_the_package() -> None:
    assert Path(schema.__file__).parent / "schemas" == schema.SCHEMAS
    for name in ("bulletin.xsd", "bulletin.sch", "bulletin.sch.xsl", "xml.xsd", "README.md"):
        assert (schema.SCHEMAS / name).is_file(), name


def _findings(xslt: etree.XSLT, doc: etree._Element) -> list[tuple[str, str, str]]:
    svrl = "{http://purl.oclc.org/dsdl/svrl}"
    return [(f.tag, f.get("location", ""), " ".join(f.findtext(f"{svrl}text", "").split()))
            for f in xslt(doc).getroot().iter(f"{svrl}failed-assert", f"{svrl}successful-report")]


def test_shipped_schematron_xslt_is_compiled_from_the_current_sch(everything_xml: bytes) -> None:
    """bulletin.sch.xsl is made from bulletin.sch by `make schemas`: its heading names the
    digest of the .sch as it is now, and it finds what a fresh compile of the .sch finds
    (with this lxml's skeleton) in every document of the fixtures, valid or not."""
    shipped = etree.parse(str(schema.SCHEMATRON_XSLT_PATH))
    heading = shipped.getroot().getprevious()
    assert heading is not None and heading.text == schema._heading(), \
        "bulletin.sch changed since bulletin.sch.xsl was compiled: run `make schemas`"
    fresh = etree.XSLT(etree.fromstring(schema.compiled_schematron()))
    ours = etree.XSLT(shipped)
    docs = [model.load(everything_xml)] + [
        model.load(p.read_bytes()) for p in INVALID if p.name != "not-well-formed.xml"]
    found = [_findings(ours, doc) for doc in docs]
    assert found == [_findings(fresh, doc) for doc in docs]
    assert sum(map(bool, found)) >= 10  # the fixtures do break Schematron rules


@pytest.mark.parametrize("shipped", ["stale", "missing", "broken"])
def test_a_stale_or_missing_compiled_schematron_is_compiled_afresh(
        shipped: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited .sch is never judged by the rules of the old one: without a compiled copy of
    the .sch as it is, the validator compiles it."""
    xsl = tmp_path / "bulletin.sch.xsl"
    text = schema.SCHEMATRON_XSLT_PATH.read_text(encoding="utf-8")
    if shipped == "stale":  # compiled from another .sch, whose rules said nothing
        xsl.write_text(text.replace("sha256 ", "sha256 0").replace("failed-assert", "x"),
                       encoding="utf-8")
    elif shipped == "broken":
        xsl.write_text(text[: len(text) // 2], encoding="utf-8")
    monkeypatch.setattr(schema, "SCHEMATRON_XSLT_PATH", xsl)
    used = schema._schematron_xslt()
    assert etree.tostring(used, xml_declaration=True, encoding="UTF-8") + b"\n" == \
        schema.compiled_schematron()
    bad = FIXTURES / "invalid" / "calendar-date.xml"
    assert _findings(etree.XSLT(used), model.load(bad.read_bytes()))


def test_validating_does_not_compile_the_schematron(everything_xml: bytes) -> None:
    """A process that validates runs the shipped XSLT: lxml.isoschematron, 8 ms of every
    command's start to import, is never loaded."""
    code = ("import sys; from convert import schema; "
            "assert schema.validate(sys.stdin.buffer.read()) == []; "
            "assert 'lxml.isoschematron' not in sys.modules, 'imported'")
    subprocess.run([sys.executable, "-c", code], input=everything_xml, check=True)


def test_schemas_are_compiled_once(everything_xml: bytes) -> None:
    schema.validate(everything_xml)
    before = schema._validators.cache_info()
    for _ in range(3):
        schema.validate(everything_xml)
        schema.validate(FIXTURES.joinpath("invalid", "calendar-date.xml").read_bytes())
    after = schema._validators.cache_info()
    assert after.misses == before.misses == 1


def test_threads_get_their_own_messages(everything_xml: bytes) -> None:
    """Validators keep their last error log: concurrent calls must not mix messages."""
    docs = [everything_xml, *(p.read_bytes() for p in INVALID)]
    alone = [schema.validate(d) for d in docs]
    together: dict[int, list] = {}

    def run(i: int) -> None:
        for _ in range(20):
            result = schema.validate(docs[i])
            if together.setdefault(i, result) != result:
                together[i] = ["differs"]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(docs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [together[i] for i in range(len(docs))] == alone


# --- the corpus ----------------------------------------------------------------------------


def test_every_corpus_document_is_valid(corpus_documents: dict[str, list]) -> None:
    problems = []
    for stem, documents in corpus_documents.items():
        assert documents, f"{stem}: no document"
        for i, doc in enumerate(documents):
            problems += [f"{stem}[{i}]: {m}" for m in schema.validate(doc)]
            problems += [f"{stem}[{i}] (reloaded): {m}" for m in schema.validate(model.dump(doc))]
    assert not problems, "\n".join(problems)


def test_a_text_bulletin_given_to_validate_is_named_as_such() -> None:
    [message] = schema.validate("Title\n\nMay 4, 2019 (EIRNS)—Text.\n".encode(), "story.txt")
    assert message.text.startswith("not XML: this looks like a bulletin's text")
    assert "bulletin parse" in message.text and message.line == 1
    [message] = schema.validate(b"<bulletin", "cut.xml")
    assert message.text.startswith("not well-formed XML")
