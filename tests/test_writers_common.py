"""What every writer must do, whatever its format: checked the same way for each of them.

Every writer renders the canonical tree on the writers' visitor (convert/writers/visitor.py),
one visit_ method per element: the vocabulary's elements are read from schemas/bulletin.xsd, so
an element added there fails, here, the test of each writer that cannot render it yet.
"""

from __future__ import annotations

import copy
import io
import subprocess
import zipfile

import docx
import pytest
from conftest import ROOT
from lxml import etree

from convert import model
from convert.messages import Level
from convert.writers import ALL, WriteOptions, get
from convert.writers.visitor import METADATA, Visitor

#: Every format whose writer renders the canonical text (the canonical XML writer copies it).
FORMATS = (*ALL, "html")
XS = "http://www.w3.org/2001/XMLSchema"


def content_elements() -> set[str]:
    """The elements of the vocabulary a writer renders: all those the XSD lets a bulletin hold,
    but the head's metadata (METADATA and everything inside it) and the root."""
    root = etree.parse(str(ROOT / "schemas" / "bulletin.xsd")).getroot()
    types = {t.get("name"): t for t in root.iter(f"{{{XS}}}complexType") if t.get("name")}

    def declared_in(decl: etree._Element) -> list[etree._Element]:
        """The element declarations of `decl`'s content (not those of its children's)."""
        kind = decl.get("type", "").split(":")[-1]
        content = types.get(kind) if kind else decl.find(f"{{{XS}}}complexType")
        if content is None:
            return []
        out = []
        for el in content.iter(f"{{{XS}}}element"):
            above = el.getparent()
            while above is not content and above.tag != f"{{{XS}}}element":
                above = above.getparent()
            if above is content:
                out.append(el)
        return out

    (bulletin,) = root.findall(f"{{{XS}}}element[@name='bulletin']")
    found: set[str] = set()
    todo = declared_in(bulletin)
    while todo:
        decl = todo.pop()
        name = decl.get("name")
        if name not in METADATA and name not in found:
            found.add(name)
            todo += declared_in(decl)
    return found


def test_the_vocabulary_is_read_from_the_schema() -> None:
    assert {"head", "title", "name", "dateline", "place", "p", "item", "speaker",
            "clause"} <= content_elements()
    assert not {"source", "chrome", "entry", "repair", "bulletin"} & content_elements()


def test_the_fixture_uses_every_element_a_writer_renders(everything: model.Element) -> None:
    used = {model.local(el) for el in everything.iter(model.q("*"))}
    assert content_elements() <= used


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_writer_renders_every_element_of_the_vocabulary(fmt: str,
                                                             everything: model.Element) -> None:
    """One visit_ method per element, and the fixture (every element) renders with no message."""
    visitor = type(get(fmt)).visitor
    assert issubclass(visitor, Visitor)
    assert sorted(n for n in content_elements() if not hasattr(visitor, f"visit_{n}")) == []
    assert get(fmt).write(everything, io.BytesIO(), WriteOptions()) == []


def visible_text(fmt: str, data: bytes) -> str:
    """The text a reader of the rendition sees, extracted with the format's own tools."""
    if fmt == "tei":
        return " ".join(etree.fromstring(data).itertext())
    if fmt == "epub":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return " ".join(etree.fromstring(z.read("EPUB/bulletin.xhtml")).itertext())
    if fmt == "docx":
        return " ".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    if fmt == "html":
        return " ".join(etree.HTML(data).itertext())
    assert fmt == "pdf"
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_cannot_be_rendered_is_reported_not_dropped(fmt: str,
                                                         everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    model.sub(model.find(doc, "body"), "sidebar", "Ice thickness table follows")
    out = io.BytesIO()
    messages = get(fmt).write(doc, out, WriteOptions())
    assert [m.level for m in messages] == [Level.WARNING]
    assert "<sidebar>" in messages[0].text
    assert "Ice thickness table follows" in " ".join(visible_text(fmt, out.getvalue()).split())


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_element_in_a_dateline_is_reported_and_its_text_kept(
        fmt: str, everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    dateline = model.find(doc, "head/dateline")
    model.sub(dateline, "weather", "under snow").tail = "—"
    out = io.BytesIO()
    messages = get(fmt).write(doc, out, WriteOptions())
    assert [m.level for m in messages] == [Level.WARNING]
    assert "<weather>" in messages[0].text
    assert "under snow" in " ".join(visible_text(fmt, out.getvalue()).split())


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_writer_never_changes_the_tree(fmt: str, everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    before = model.dump(doc)
    get(fmt).write(doc, io.BytesIO(), WriteOptions())
    assert model.dump(doc) == before


def long_document(paragraphs: int) -> model.Element:
    """A bulletin of `paragraphs` distinct paragraphs of about 400 characters."""
    import convert

    body = "\n\n".join(
        f"Gate {n} of the Weirmoor flight was opened {n % 7 + 2} times on the day of the "
        f"inspection, reading {n * 37 % 1000} on the keepers' gauge; " + "the log of the "
        "flight notes the head of water, the time and the keeper on duty at each opening, "
        "and the inspectors read it aloud before they signed every page of it. " * 2
        for n in range(paragraphs))
    text = f"Lock Keepers Publish a Year of Gate Readings\n\nMarch 2, 2021 (EIRNS)—{body}\n"
    return convert.parse(text.encode()).documents[0]


@pytest.mark.parametrize("fmt", ALL)
def test_a_writer_reports_its_progress_through_a_long_document(fmt: str) -> None:
    """WriteOptions.progress hears how far the writer is (blocks written; for PDF, blocks
    laid out and the page reached), ends at its total, and changes nothing in the output."""
    doc = long_document(150)
    calls: list[tuple[str, int, int]] = []
    heard, silent = io.BytesIO(), io.BytesIO()
    get(fmt).write(doc, heard, WriteOptions(progress=lambda *call: calls.append(call)))
    get(fmt).write(doc, silent, WriteOptions())
    assert heard.getvalue() == silent.getvalue()
    assert len(calls) >= 150
    done = [d for _, d, _ in calls]
    assert done == sorted(done) and calls[-1][1] == calls[-1][2]
    label = {"tei": "TEI", "epub": "EPUB", "docx": "DOCX", "pdf": "PDF"}[fmt]
    if fmt != "pdf":
        assert {c[0] for c in calls} == {f"{label}: blocks"} and calls[-1][2] == 150
        return
    import pikepdf

    pages = [int(what.removeprefix("PDF: page ")) for what, _, _ in calls]
    assert pages == sorted(pages) and pages[0] == 1
    assert pages[-1] == len(pikepdf.open(io.BytesIO(heard.getvalue())).pages) > 5
