"""The DOCX writer: named styles, core properties, a user's template, reproducible packages.

Every rendition document is written once per session (plus variants: a user's template made
with python-docx, a bare hand-made template, two numbered lists); LibreOffice then converts all
of them to PDF in a single headless call, and python-docx reads each back.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import os
import random
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import IO

import docx
import pytest
from conftest import CYRILLIC, YEAR_LESS, render, shown_words, write_renditions
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from lxml import etree
from test_pdf import Pipe, missing_in_order, pdf_text, reproduce

from convert import model
from convert.messages import WriterError
from convert.writers import WriteOptions, get, ziputil
from convert.writers import docx as docx_writer

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
PARAGRAPH_STYLES = {"Title", "Byline", "Dateline", "Normal", "Quote", "Heading 1", "Heading 2",
                    "List Bullet", "List Number", "List Paragraph", "Resolution Clause"}
EVERYTHING_STYLES = [
    "Title", "Byline", "Dateline", "Normal", "Normal", "Quote", "Quote", "Heading 2",
    "List Bullet", "List Bullet", "List Bullet", "List Number", "List Number",
    "Resolution Clause", "Resolution Clause", "Resolution Clause",
    "Normal", "Normal", "Normal", "Normal"]


docx_bytes = functools.partial(render, "docx")


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def read_words(path: Path) -> list[str]:
    return model.words(" ".join(p.text for p in docx.Document(str(path)).paragraphs))


@pytest.fixture(scope="session")
def reference_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's template: A5 landscape, a monospaced Normal, a body that must not be copied."""
    d = docx.Document()
    d.styles["Normal"].font.name = "Liberation Mono"
    section = d.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(210), Mm(148)
    d.add_paragraph("TEMPLATE BODY TEXT")
    path = tmp_path_factory.mktemp("reference") / "house-style.docx"
    d.save(str(path))
    return path


@pytest.fixture(scope="session")
def bare_reference_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The least a Word file can be: a body and a Normal style; no numbering, no core props."""
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="'
            'http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>')
    rel = '<Relationship Id="{}" Type="{}" Target="{}"/>'
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    wml = "application/vnd.openxmlformats-officedocument.wordprocessingml."
    entries = [
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas'
         '.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
         '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
         'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="'
         f'{wml}document.main+xml"/><Override PartName="/word/styles.xml" ContentType="'
         f'{wml}styles+xml"/></Types>'),
        ("_rels/.rels", rels.format(rel.format("rId1", office + "officeDocument",
                                               "word/document.xml"))),
        ("word/_rels/document.xml.rels", rels.format(rel.format("rId1", office + "styles",
                                                                "styles.xml"))),
        ("word/document.xml", f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>old</w:t>'
                              '</w:r></w:p><w:sectPr/></w:body></w:document>'),
        ("word/styles.xml", f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:default="1" '
                            'w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>'),
    ]
    path = tmp_path_factory.mktemp("bare") / "bare.docx"
    with path.open("wb") as f:
        ziputil.write_zip(f, [(n, d.encode()) for n, d in entries])
    return path


def two_numbered_lists(everything: model.Element) -> model.Element:
    doc = copy.deepcopy(everything)
    body = model.find(doc, "body")
    second = model.sub(body, "list", type="number", marker="1.")
    for text in ("the harbor master;", "the council."):
        model.sub(second, "item", text)
    return doc


@pytest.fixture(scope="session")
def docx_outputs(rendition_documents: dict[str, model.Element], everything: model.Element,
                 reference_docx: Path, bare_reference_docx: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[model.Element, Path]]:
    """Every rendition document as DOCX, and the variants: name -> (doc, file)."""
    folder = tmp_path_factory.mktemp("docx")
    jobs = {name: (doc, {}) for name, doc in rendition_documents.items()}
    jobs["variant-letter"] = (everything, {"paper": "letter"})
    jobs["variant-reference"] = (everything, {"reference_docx": str(reference_docx)})
    jobs["variant-bare"] = (everything, {"reference_docx": str(bare_reference_docx)})
    jobs["variant-two-lists"] = (two_numbered_lists(everything), {})
    return write_renditions(jobs, "docx", folder, "docx")


#: LibreOffice lays out a 2 MB paragraph (conftest.write_huge_line) in about five minutes; that
#: file is read back with python-docx only.
TOO_SLOW_FOR_LIBREOFFICE = {"bad-huge-line-1"}


@pytest.fixture(scope="session")
def libreoffice_pdfs(docx_outputs: dict[str, tuple[model.Element, Path]],
                     tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every DOCX of the session (but one) converted to PDF by LibreOffice, in one call."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is needed (Debian 'libreoffice-writer-nogui')")
    work = tmp_path_factory.mktemp("libreoffice")
    profile = work / "profile"
    outdir = work / "pdf"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(outdir),
         *(str(p) for n, (_, p) in docx_outputs.items() if n not in TOO_SLOW_FOR_LIBREOFFICE)],
        capture_output=True, text=True, timeout=600, check=False)
    pdfs = {name: outdir / f"{path.stem}.pdf" for name, (_, path) in docx_outputs.items()
            if name not in TOO_SLOW_FOR_LIBREOFFICE}
    missing = [name for name, pdf in pdfs.items() if not pdf.is_file()]
    assert missing == [], done.stdout[-2000:] + done.stderr[-2000:]
    return pdfs


def test_libreoffice_converts_every_docx_with_every_word(
        docx_outputs: dict[str, tuple[model.Element, Path]],
        libreoffice_pdfs: dict[str, Path]) -> None:
    assert len(libreoffice_pdfs) >= 150  # 132 corpus files (digests give several), bad/, variants
    lost = {}
    for name, pdf in libreoffice_pdfs.items():
        doc = docx_outputs[name][0]
        text = pdf_text(pdf)
        missing = missing_in_order(shown_words(model.content_text(doc)), model.words(text))
        if missing:
            lost[name] = missing
    assert lost == {}


def test_python_docx_reads_back_exactly_the_words(
        docx_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for name, (doc, path) in docx_outputs.items():
        assert read_words(path) == model.words(model.content_text(doc)), name


def test_every_paragraph_has_a_named_style_and_no_direct_formatting(
        docx_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for name, (_, path) in docx_outputs.items():
        d = docx.Document(str(path))
        assert {p.style.name for p in d.paragraphs} <= PARAGRAPH_STYLES, name
        runs = {r.style.name if r.style else None for p in d.paragraphs for r in p.runs}
        assert runs <= {"Default Paragraph Font", None, "Strong", "Speaker"}, name
        body = d.element.body
        formats = {etree.QName(e).localname for e in body.xpath(".//w:pPr/* | .//w:rPr/*")}
        assert formats <= {"pStyle", "numPr", "rStyle"}, name


def test_styles_follow_the_blocks(docx_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    d = docx.Document(str(docx_outputs["everything"][1]))
    assert [p.style.name for p in d.paragraphs] == EVERYTHING_STYLES
    dateline = d.paragraphs[2]
    assert [(r.text, r.style.name) for r in dateline.runs if r.style.name == "Strong"] == \
        [("RIGA", "Strong"), ("EIRNS", "Strong")]
    speakers = [r.text for p in d.paragraphs for r in p.runs if r.style.name == "Speaker"]
    assert speakers == ["MODERATOR:", "OZOLS (Harbor Master):"]
    clauses = [p.runs[0].text for p in d.paragraphs if p.style.name == "Resolution Clause"]
    assert clauses == ["Whereas,", "Therefore, be it resolved, that", "Section 1."]
    styles = d.styles
    assert styles["Speaker"].font.bold and styles["Title"].font.bold
    assert styles["Normal"].font.name == docx_writer.BODY_FONT
    assert styles["Dateline"].base_style.name == "Normal"


def test_lists_are_numbered_by_word_and_each_numbered_list_restarts(
        docx_outputs: dict[str, tuple[model.Element, Path]],
        libreoffice_pdfs: dict[str, Path]) -> None:
    data = docx_outputs["variant-two-lists"][1].read_bytes()
    document = part(data, "word/document.xml")
    numbered = document.xpath("//w:p[w:pPr/w:pStyle/@w:val='ListNumber']", namespaces=NS)
    ids = [p.xpath("string(w:pPr/w:numPr/w:numId/@w:val)", namespaces=NS) for p in numbered]
    assert len(ids) == 4 and ids[0] == ids[1] != ids[2] == ids[3]
    numbering = part(data, "word/numbering.xml")
    for num_id in {ids[0], ids[2]}:
        start = numbering.xpath(f"string(w:num[@w:numId='{num_id}']//w:startOverride/@w:val)",
                                namespaces=NS)
        assert start == "1"
    text = pdf_text(libreoffice_pdfs["variant-two-lists"])
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "1. the pilots;" in lines and "1. the harbor master;" in lines
    assert "2. the council." in lines
    assert any(line.startswith("• two crossings") for line in lines)


def test_lists_keep_the_numbers_and_bullets_of_the_source(
        libreoffice_pdfs: dict[str, Path]) -> None:
    """As LibreOffice lays it out: a list numbered from 3 shows 3, "7)" keeps its parenthesis,
    a dash list keeps its dashes, a plain list has no markers."""
    text = pdf_text(libreoffice_pdfs["variant-lists"])
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for expected in ("3. the pilots;", "4. the crews.", "7) the harbor master;",
                     "8) the council.", "– ice charts;", "– tide tables.", "Riga", "Jūrmala"):
        assert expected in lines


def custom_properties(path: Path) -> dict[str, str]:
    root = part(path.read_bytes(), "docProps/custom.xml")
    return {p.get("name"): "".join(p.itertext()) for p in root}


def test_core_and_custom_properties(docx_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for name, (doc, path) in docx_outputs.items():
        h = model.head(doc)
        props = docx.Document(str(path)).core_properties
        assert props.title == model.supplied_title(doc), name
        assert props.identifier == h.id and props.language == h.lang, name
        assert props.author == (h.author or h.byline or ""), name  # the agency is the publisher
        assert props.comments == (model.subject(h) or ""), name  # dc:description
        assert props.subject == "", name
        expected = {"Publisher": h.agency, "Place": h.place,
                    "Source": h.source_url or h.source_name,
                    "Publication": h.issue.citation if h.issue else None}
        assert custom_properties(path) == {k: v for k, v in expected.items() if v}, name
        if (full := model.full_date(h)) is not None:
            when = dt.datetime.fromisoformat(full).replace(tzinfo=dt.UTC)
            assert props.created == props.modified == when, name
        else:  # never the clock
            assert props.created is None and props.modified is None, name
        assert props.last_modified_by == "" and props.revision == 1, name


def test_package_is_small_ordered_and_dated_by_the_bulletin(
        docx_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for name, (doc, path) in docx_outputs.items():
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
        assert infos[0].filename == "[Content_Types].xml", name
        # The parts made for the bulletin carry its date; the template's, packed once per
        # process, the fixed DOS epoch.
        when = ziputil.date_time(model.full_date(model.head(doc)))
        assert {i.date_time for i in infos[-4:]} == {when}, name
        assert {i.date_time for i in infos[:-4]} == {ziputil.DOS_EPOCH}, name
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos), name
        if not name.startswith("bad-huge"):
            assert path.stat().st_size < 40_000, name  # the template's parts stay compressed
    names = [i.filename for i in zipfile.ZipFile(docx_outputs["everything"][1]).infolist()]
    assert names == [
        "[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels",
        "word/styles.xml", "word/settings.xml", "word/webSettings.xml", "word/fontTable.xml",
        "word/theme/theme1.xml",
        "docProps/core.xml", "word/document.xml", "word/numbering.xml", "docProps/custom.xml"]


def test_same_bytes_under_other_clock_zone_and_epoch(
        rendition_documents: dict[str, model.Element], tmp_path: Path) -> None:
    names = ("everything", YEAR_LESS.stem, CYRILLIC[0].stem)
    reproduce("docx", {n: rendition_documents[n] for n in names}, tmp_path)


def test_paper_size_of_the_built_in_template(
        docx_outputs: dict[str, tuple[model.Element, Path]], everything: model.Element) -> None:
    a4 = docx.Document(str(docx_outputs["everything"][1])).sections[0]
    letter = docx.Document(str(docx_outputs["variant-letter"][1])).sections[0]
    assert (a4.page_width.mm, a4.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    assert (letter.page_width.mm, letter.page_height.mm) == pytest.approx((215.9, 279.4),
                                                                          abs=0.1)
    with pytest.raises(WriterError, match="a4, letter"):
        get("docx").write(everything, io.BytesIO(), WriteOptions(paper="a5"))


def test_reference_docx_is_honoured(docx_outputs: dict[str, tuple[model.Element, Path]],
                                    reference_docx: Path) -> None:
    """Its styles and page setup win; the styles it lacks are added; its body is not copied."""
    path = docx_outputs["variant-reference"][1]
    d = docx.Document(str(path))
    assert d.styles["Normal"].font.name == "Liberation Mono"
    section = d.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 148), abs=0.1)
    original_title = docx.Document(str(reference_docx)).styles["Title"].element
    assert etree.tostring(d.styles["Title"].element) == etree.tostring(original_title)
    assert {"Dateline", "Byline", "Speaker", "Resolution Clause"} <= {s.name for s in d.styles}
    assert "TEMPLATE BODY TEXT" not in [p.text for p in d.paragraphs]
    assert [p.style.name for p in d.paragraphs] == EVERYTHING_STYLES
    bare = docx.Document(str(docx_outputs["variant-bare"][1]))
    assert [p.style.name for p in bare.paragraphs] == EVERYTHING_STYLES
    assert bare.part.numbering_part.element.xpath("count(w:num)") >= 2


def test_template_is_loaded_once_and_again_when_it_changes(
        everything: model.Element, reference_docx: Path, tmp_path: Path) -> None:
    docx_bytes(everything)
    before = docx_writer._load.cache_info()
    for _ in range(3):
        docx_bytes(everything)
    assert docx_writer._load.cache_info().misses == before.misses
    changed = tmp_path / "changed.docx"
    shutil.copy(reference_docx, changed)
    first = docx_bytes(everything, reference_docx=str(changed))
    d = docx.Document(str(changed))
    d.styles["Normal"].font.name = "Liberation Serif"
    d.save(str(changed))
    os.utime(changed, ns=(1, 1))  # a different mtime even within the clock's resolution
    second = docx_bytes(everything, reference_docx=str(changed))
    assert first != second
    styles = part(second, "word/styles.xml")
    assert styles.xpath("//w:style[@w:styleId='Normal']//w:rFonts/@w:ascii",
                        namespaces=NS) == ["Liberation Serif"]


def test_unusable_reference_docx_is_an_error(everything: model.Element, tmp_path: Path) -> None:
    with pytest.raises(WriterError, match="cannot read"):
        docx_bytes(everything, reference_docx=str(tmp_path / "missing.docx"))
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(WriterError, match="reference DOCX"):
        docx_bytes(everything, reference_docx=str(junk))


def test_tree_is_not_changed(everything: model.Element) -> None:
    before = model.dump(everything)
    docx_bytes(everything)
    assert model.dump(everything) == before


def test_writes_to_a_stream_that_cannot_seek(everything: model.Element) -> None:
    pipe = Pipe()
    assert get("docx").write(everything, pipe, WriteOptions()) == []
    assert bytes(pipe.data) == docx_bytes(everything)


def test_paragraphs_written_in_batches_are_the_bytes_lxml_writes_for_the_whole_tree(
        everything: model.Element, reference_docx: Path, bare_reference_docx: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer writes the main document a batch of paragraphs at a time, between the
    template's XML before and after them: the part must be what lxml makes of the whole tree,
    and the package must not depend on the size of the batches."""
    templates = {"built-in": {}, "reference": {"reference_docx": str(reference_docx)},
                 "bare": {"reference_docx": str(bare_reference_docx)}}
    whole = {name: docx_bytes(everything, **options) for name, options in templates.items()}
    monkeypatch.setattr(docx_writer._Builder, "BATCH", 1)
    for name, options in templates.items():
        data = docx_bytes(everything, **options)
        assert data == whole[name], name
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = archive.read("word/document.xml")
        assert document == etree.tostring(etree.fromstring(document), encoding="UTF-8",
                                          standalone=True), name


def test_an_entry_written_in_pieces_is_packed_as_the_same_bytes_given_whole() -> None:
    """The DOCX writer streams a document's body into the archive (ziputil's callable
    entries): the package must not depend on how the bytes were handed over."""
    pick = random.Random(7)
    words = ["harbor", "council", "Pirăeus", "—", "ferry", "2019", "«toll»", "lock", "quay"]
    body = " ".join(pick.choice(words) + str(pick.randrange(99)) for _ in range(300_000)).encode()

    def in_pieces(out: IO[bytes]) -> None:
        for start in range(0, len(body), 4093):  # not a divisor of zlib's buffers
            out.write(body[start:start + 4093])

    packed = {}
    for how, data in (("whole", body), ("pieces", in_pieces)):
        buffer = io.BytesIO()
        ziputil.write_zip(buffer, [("a.xml", b"<a/>"), ("word/document.xml", data)],
                          date_time=(2019, 5, 4, 0, 0, 0))
        packed[how] = buffer.getvalue()
    assert packed["whole"] == packed["pieces"]
    with zipfile.ZipFile(io.BytesIO(packed["pieces"])) as archive:
        assert archive.read("word/document.xml") == body
        assert archive.getinfo("word/document.xml").date_time == (2019, 5, 4, 0, 0, 0)
