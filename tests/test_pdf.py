"""The PDF writer: truthful PDF/A-2b and PDF/UA-1 claims, embedded fonts, every word back,
reproducible.

Every rendition document (the fixture, each example, each corpus bulletin and digest item, each
input of corpus/bad/ that parses) is written once per session on A4 and on US Letter; the checks
then run the real tools over those files: pikepdf's PDF/A validator (an allowlist: it approves
only what it knows to conform), qpdf, poppler's pdffonts, pdftotext and pdfinfo, and the
PDF/UA rules a program can check (tests/pdf_ua.py, with pikepdf and poppler).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import itertools
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdf_ua
import pikepdf
import pikepdf.pdfa
import pytest
from conftest import CYRILLIC, GREEK, YEAR_LESS, render, shown_words, write_renditions
from fontTools.ttLib import TTFont
from reportlab.lib.units import mm

from convert import model
from convert.messages import Level, WriterError
from convert.writers import WriteOptions, get
from convert.writers import pdf as pdf_writer

PAPERS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
FACE = re.compile(r"[A-Z]{6}\+DejaVuSerif(-Bold|-Italic|-BoldItalic)?")
SCRIPTS = {**{p.stem: "Cyrillic" for p in CYRILLIC}, GREEK.stem: "Greek"}


pdf_bytes = functools.partial(render, "pdf")


def run(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return done.stdout


def pdf_text(path: Path) -> str:
    """The text of a PDF; -layout, because the default mode joins "Year-" and "Round" across
    a line break into "YearRound" (it takes every line-final hyphen for hyphenation)."""
    return run("pdftotext", "-layout", "-enc", "UTF-8", path, "-")


def missing_in_order(expected: list[str], found: list[str]) -> list[str]:
    """The expected words from the first one not found in `found` in order (empty: all are)."""
    rest = iter(found)
    for i, word in enumerate(expected):
        if not any(w == word for w in rest):
            return expected[i:i + 8]
    return []


@pytest.fixture(scope="session")
def pdf_outputs(rendition_documents: dict[str, model.Element],
                tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[model.Element, Path]]:
    """Every rendition document as PDF on both papers: "paper/name" -> (doc, file)."""
    jobs = {f"{paper}/{name}": (doc, {"paper": paper})
            for paper in PAPERS for name, doc in rendition_documents.items()}
    return write_renditions(jobs, "pdf", tmp_path_factory.mktemp("pdf"), "pdf")


#: What pikepdf's PDF/A validator denies in every PDF, and only because it is an allowlist that
#: knows no extension schemas: the PDF/UA identification (pdfuaid:part), which PDF/A-2 admits
#: with an extension schema describing it (ISO 19005-2, 6.6.2.3.2), and that description.
#: pdf_ua.problems() checks the description against 6.6.2.3.3 instead.
EXTENSION_DENIALS = {
    "XMP namespace pdfaExtension=http://www.aiim.org/pdfa/ns/extension/ is not permitted",
    "XMP namespace pdfaSchema=http://www.aiim.org/pdfa/ns/schema# is not permitted",
    "XMP namespace pdfaProperty=http://www.aiim.org/pdfa/ns/property# is not permitted",
    "XMP property pdfuaid:part is not permitted",
    "XMP property pdfaExtension:schemas is not permitted",
}


def pdfa_findings(path: Path) -> list[str]:
    """pikepdf's PDF/A-2b findings about `path`, but the extension schema's five."""
    report = pikepdf.pdfa.validate_written(path, "2b")
    found = [str(f) for f in report.findings]
    extension = [f for f in found if f.split("): ", 1)[-1] in EXTENSION_DENIALS]
    assert len(extension) == len(EXTENSION_DENIALS), found  # each once, no more
    return [f for f in found if f not in extension]


def test_every_pdf_passes_the_pdfa_2b_validator(
        pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    assert len(pdf_outputs) >= 300  # 132 corpus files (digests give several), bad/, fixture
    failed = {}
    for name, (_, path) in pdf_outputs.items():
        found = pdfa_findings(path)
        if found:
            failed[name] = found
    assert failed == {}


def test_every_pdf_meets_the_pdf_ua_rules_checked_here(
        pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    failed = {}
    for name, (doc, path) in pdf_outputs.items():
        found = pdf_ua.problems(path, shown_words(model.content_text(doc)))
        if found:
            failed[name] = found
    assert failed == {}


def test_pdf_ua_checks_fail_on_a_broken_control(
        pdf_outputs: dict[str, tuple[model.Element, Path]], tmp_path: Path) -> None:
    """The checks can fail: no language, no title shown, no PDF/UA identification, a list item
    of a type of our own, a skipped heading level, untagged text, a word out of the tree."""
    doc, path = pdf_outputs["a4/everything"]
    control = tmp_path / "control.pdf"
    with pikepdf.open(path) as pdf:
        del pdf.Root.Lang
        pdf.Root.ViewerPreferences.DisplayDocTitle = False
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta["pdfuaid:part"]
        renamed = {}
        for tag, _, element in pdf_ua._elements(pdf.Root.StructTreeRoot, ""):
            if tag in ("LBody", "H2") and tag not in renamed:
                renamed[tag] = element
                element.S = pikepdf.Name("/Item" if tag == "LBody" else "/H3")
        pdf.pages[0].contents_add(pdf.make_stream(b"BT /F1+0 9 Tf 72 72 Td (x) Tj ET"))
        pdf.save(control)
    found = pdf_ua.problems(control, [*model.words(model.content_text(doc)), "extra"])
    for rule in ("06-002", "07-001", "11-001", "02-003: non-standard structure type Item",
                 "09-004: Item inside LI", "14-003: H3 after H1", "01-005: Tj paints",
                 "7.2: the tagged text differs"):
        assert any(rule in f for f in found), (rule, found)


def test_validator_rejects_a_pdf_without_output_intent(
        pdf_outputs: dict[str, tuple[model.Element, Path]], tmp_path: Path) -> None:
    control = tmp_path / "control.pdf"
    with pikepdf.open(pdf_outputs["a4/everything"][1]) as pdf:
        del pdf.Root.OutputIntents
        pdf.save(control)
    assert any("OutputIntent" in f for f in pdfa_findings(control))


def test_qpdf_finds_no_error(pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for _, path in pdf_outputs.values():
        run("qpdf", "--check", path)


#: A stream's dictionary ending with its /Length (reportlab's and ours put no other
#: dictionary inside), then the `stream` keyword and its end of line.
_STREAM_HEAD = re.compile(rb"/Length (\d+)\b[^<>]*>>\s*stream(?:\r\n|\n)")


def stream_end_problems(data: bytes) -> tuple[list[str], int]:
    """The streams of `data` whose /Length bytes are not followed by an end of line and
    `endstream` (ISO 19005-2, 6.1.7.1), and how many streams were looked at."""
    problems, streams = [], 0
    for m in _STREAM_HEAD.finditer(data):
        streams += 1
        end = m.end() + int(m.group(1))
        if not re.match(rb"(?:\r\n|\n|\r)endstream", data[end:end + 12]):
            problems.append(f"stream at byte {m.start()}: {data[end - 4:end + 12]!r}")
    return problems, streams


def test_every_stream_ends_as_pdfa_says(
        pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """An end of line between a stream's data and `endstream`: reportlab writes none (the
    writer adds it), and pikepdf's validator does not look (veraPDF does: rule 6.1.7.1-2)."""
    failed = {}
    for name, (_, path) in pdf_outputs.items():
        problems, streams = stream_end_problems(path.read_bytes())
        assert streams >= 6, name  # a page, two of each font, the profile, the XMP packet...
        if problems:
            failed[name] = problems
    assert failed == {}


def test_the_stream_end_check_can_fail(everything: model.Element,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_writer, "_STREAM_END", b"never found")  # the copy adds nothing
    problems, _ = stream_end_problems(pdf_bytes(everything))
    assert problems


def test_only_the_embedded_text_face_is_used(
        pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """pdffonts: every font embedded (no Helvetica sneaking in), all DejaVu Serif, Unicode."""
    for name, (_, path) in pdf_outputs.items():
        rows = run("pdffonts", path).splitlines()[2:]
        assert rows, name
        for row in rows:
            font, *_, emb, sub, uni, _obj, _gen = row.split()
            assert FACE.fullmatch(font), (name, row)
            assert (emb, sub, uni) == ("yes", "yes", "yes"), (name, row)
    faces = {row.split()[0].split("+")[1]
             for row in run("pdffonts", pdf_outputs["a4/everything"][1]).splitlines()[2:]}
    assert {"DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic"} <= faces


def test_archival_metadata_is_complete_and_consistent(
        pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    shipped = pdf_writer.SRGB_PROFILE.read_bytes()
    assert shipped[16:20] == b"RGB " and shipped[12:16] == b"mntr"
    for name, (doc, path) in pdf_outputs.items():
        h = model.head(doc)
        with pikepdf.open(path) as pdf:
            assert not pdf.is_encrypted, name
            assert str(pdf.Root.Lang) == h.lang, name
            (intent,) = pdf.Root.OutputIntents
            assert intent.S == pikepdf.Name.GTS_PDFA1, name
            assert intent.DestOutputProfile.read_bytes() == shipped, name
            info = pdf.docinfo
            meta = pdf.open_metadata()
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B"), name
            title = model.supplied_title(doc)
            assert meta["dc:title"] == str(info.Title) == title, name
            assert meta["dc:identifier"] == h.id, name
            assert meta["dc:language"] == {h.lang}, name  # an rdf:Bag
            assert meta["pdfuaid:part"] == "1", name
            creator = h.author or h.byline  # the agency is the publisher
            assert meta.get("dc:creator") == ([creator] if creator else None), name
            assert str(info.get("/Author", "")) == (creator or ""), name
            assert meta.get("dc:publisher") == ({h.agency} if h.agency else None), name
            assert str(info.Producer) == meta["pdf:Producer"] == pdf_writer.PRODUCER
            if h.date and not h.date.startswith("--"):
                assert meta["dc:date"] == [h.date], name
                stamp = "D:" + h.date.replace("-", "") + "000000+00'00"
                assert str(info.CreationDate) == str(info.ModDate) == stamp, name
                assert meta["xmp:CreateDate"] == f"{h.date}T00:00:00Z", name
            else:  # a year-less or missing date: no date at all, never the clock
                assert "dc:date" not in meta and "/CreationDate" not in info, name


def test_words_come_back_in_order(pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """pdftotext gives back every word of the canonical text in order (the footer adds some)."""
    lost = {}
    for name, (doc, path) in pdf_outputs.items():
        found = model.words(pdf_text(path))
        missing = missing_in_order(shown_words(model.content_text(doc)), found)
        if missing:
            lost[name] = missing
    assert lost == {}


def test_in_order_check_can_fail() -> None:
    assert missing_in_order(["a", "b", "c"], ["a", "x", "c", "b"]) == ["c"]
    assert missing_in_order(["a", "b"], ["a", "x", "b", "y"]) == []


def test_cyrillic_and_greek_have_real_glyphs(
        pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """The shipped face maps every character of these bulletins, and they come back as text."""
    cmaps = {}
    for face in ("", "-Bold", "-Italic"):
        with TTFont(pdf_writer.DATA / "fonts" / f"DejaVuSerif{face}.ttf") as font:
            cmaps[face] = set(font.getBestCmap())
    for stem, script in SCRIPTS.items():
        doc, path = pdf_outputs[f"a4/{stem}"]
        text = model.content_text(doc)
        foreign = {c for c in text if script.upper() in unicodedata.name(c, "")}
        assert len(foreign) >= 10, stem  # the bulletin really is in that script
        for face, cmap in cmaps.items():
            assert {c for c in text if ord(c) not in cmap} == set(), (stem, face)
        extracted = pdf_text(path)
        assert foreign <= set(extracted), stem


def test_a_character_without_glyph_is_reported(everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    model.find(doc, "body")[0].text += " 漢字"
    messages = get("pdf").write(doc, io.BytesIO(), WriteOptions())
    assert [m.level for m in messages] == [Level.WARNING]
    assert "U+6F22" in messages[0].text and "U+5B57" in messages[0].text


def test_both_paper_sizes(pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for name, (_, path) in pdf_outputs.items():
        width, height = PAPERS[name.split("/")[0]]
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                box = [float(v) for v in page.mediabox]
                assert box[:2] == [0, 0] and box[2:] == pytest.approx([width, height], abs=0.01)


def test_unknown_paper_is_an_error(everything: model.Element) -> None:
    with pytest.raises(WriterError, match="a4, letter"):
        get("pdf").write(everything, io.BytesIO(), WriteOptions(paper="a5"))


def test_no_text_leaves_the_page(everything: model.Element, tmp_path: Path) -> None:
    """A 300-character URL, a 400-letter word and a long paragraph stay inside the margins."""
    doc = copy.deepcopy(everything)
    body = model.find(doc, "body")
    url = "https://news.example.org/" + "/".join(f"archive-section-{n:03d}" for n in range(15))
    assert len(url) > 300
    body[0].text = f"See {url} for the record."
    model.sub(body, "p", "Before " + "x" * 400 + " after.")
    model.sub(body, "p", " ".join(f"Sentence {n} about the winter timetable." for n in range(9000)))
    for paper, (width, _) in PAPERS.items():
        path = tmp_path / f"{paper}.pdf"
        path.write_bytes(pdf_bytes(doc, paper=paper))
        boxes = run("pdftotext", "-bbox", path, "-")
        right = [float(x) for x in re.findall(r'xMax="([0-9.]+)"', boxes)]
        left = [float(x) for x in re.findall(r'xMin="([0-9.]+)"', boxes)]
        assert len(right) > 50000
        assert max(right) <= width - 25 * mm and min(left) >= 25 * mm
        found = model.words(pdf_text(path))
        expected = [w for w in model.words(model.content_text(doc)) if len(w) < 100]
        assert missing_in_order(expected, found) == []


def test_a_very_long_paragraph_shows_no_break_where_it_was_cut(everything: model.Element,
                                                               tmp_path: Path) -> None:
    """A paragraph of over 4,500 characters is laid out in pieces (reportlab re-wraps a
    paragraph at every page break); each piece ends where a line ends, so every line of the
    paragraph but its last is full: the next line's first word would not have fitted on it.
    Cut at sentence ends, a piece ended in a short line, read as a paragraph break (a
    reader's review of the renditions)."""
    from lxml import etree

    doc = copy.deepcopy(everything)
    body = model.find(doc, "body")
    for el in list(body):
        body.remove(el)
    lengths = [3, 11, 5, 8, 2, 13, 6, 9, 4, 7]
    words = [f"w{'o' * lengths[n % 10]}rd{n}" for n in range(2400)]
    text = " ".join(w + ("." if n % 13 == 12 else "") for n, w in enumerate(words))
    assert len(text) > 3 * 4500
    model.sub(body, "p", text)
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf_bytes(doc))
    page = etree.fromstring(run("pdftotext", "-bbox-layout", path, "-").encode())
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    lines = [[(w.text, float(w.get("xMin")), float(w.get("xMax")))
              for w in line.iterfind("h:word", ns)] for line in page.iterfind(".//h:line", ns)]
    ours = [line for line in lines if line and line[0][0].rstrip(".").startswith("wo")]
    assert " ".join(w for line in ours for w, _, _ in line) == text
    right = max(line[-1][2] for line in ours)
    space = min(b[1] - a[2] for line in ours for a, b in itertools.pairwise(line))
    short = [" ".join(w for w, _, _ in line) for line, after in itertools.pairwise(ours)
             if line[-1][2] + space + (after[0][2] - after[0][1]) <= right]
    assert short == []


def test_structure_is_tagged(pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """A tagged PDF: the structure tree follows the blocks; page furniture is an artifact."""
    doc, path = pdf_outputs["a4/everything"]
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert all("/StructParents" in page.obj for page in pdf.pages)
    tree = run("pdfinfo", "-struct-text", path)
    tags = [line.split()[0] for line in tree.splitlines() if not line.strip().startswith('"')]
    assert tags[:4] == ["Document", "H1", "P", "P"]
    for tag in ("BlockQuote", "H2", "L", "LI", "Lbl", "LBody", "Div"):
        assert tag in tags
    assert tags.count("LI") == 5 and tags.count("BlockQuote") == 1
    assert "Terms of the Agreement" in tree
    assert f"· {model.head(doc).date_text}" not in tree  # the running footer is not content


def test_labels_quote_marks_and_speakers_are_tagged_text(
        pdf_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """Each list item's label is its own Lbl ("3." for a list the source numbered from 3), the
    quote marks of the source open each quoted paragraph and close the last, speakers lead
    their first paragraph; the words of a line's end and the next line's start stay apart."""
    texts = pdf_ua.tagged_text(pdf_outputs["a4/variant-lists"][1])
    labels = [text.strip() for tags, text in texts if tags[-1:] == ["Lbl"]]
    assert labels == ["•", "•", "•", "3.", "4.", "7)", "8)", "–", "–"]
    quoted = [text.strip() for tags, text in texts if "BlockQuote" in tags]
    assert quoted[0].startswith('"We have ice') and not quoted[0].endswith('"')
    assert quoted[1].startswith('"Now there') and quoted[1].endswith('’"')
    assert any(text.startswith("MODERATOR: Will the timetable") for _, text in texts)
    assert any("today that keeps two crossings" in text for _, text in texts)


def test_running_footer_keeps_the_date_as_the_dateline_shows_it(
        everything: model.Element, tmp_path: Path) -> None:
    """A title too long for the footer is shortened, not the date after it (a 200-character
    title used to push the date out); a year the dateline lacks is shown in brackets, as in
    the dateline above the text ("Sept. 14 [2016]", not "Sept. 14")."""
    doc = copy.deepcopy(everything)
    title = model.find(doc, "head/title")
    date = model.find(doc, "head/dateline/date")
    assert title is not None and date is not None
    title.text = " ".join(["Regional Assembly Adopts a Ten-Year Plan for Freight"] * 4)
    date.text = "Sept. 14"
    date.set("year-from", "digest")
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf_bytes(doc))
    lines = [line.strip() for line in pdf_text(path).split("\f")[0].splitlines() if line.strip()]
    footer = re.sub(r"\s+", " ", lines[-1])
    assert footer.startswith("Regional Assembly Adopts") and "… · " in footer
    assert footer.endswith("· Sept. 14 [2016] 1")


def test_untitled_bulletin_gets_a_supplied_title_in_metadata_only(
        everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    head = model.find(doc, "head")
    head.remove(head.find(model.q("title")))
    with pikepdf.open(io.BytesIO(pdf_bytes(doc))) as pdf:
        assert str(pdf.docinfo.Title).startswith("[Pilots’ and crews’")
        assert pdf.Root.StructTreeRoot.K.K[0].S == pikepdf.Name.P  # the byline comes first


def test_tree_is_not_changed(everything: model.Element) -> None:
    before = model.dump(everything)
    pdf_bytes(everything)
    assert model.dump(everything) == before


REPRODUCE = """
import sys
from pathlib import Path
from convert import model
from convert.writers import WriteOptions, get
for name in sys.argv[2:]:
    doc = model.load(Path(name).read_bytes())
    with open(name + "." + sys.argv[1], "wb") as out:
        get(sys.argv[1]).write(doc, out, WriteOptions())
"""


def reproduce(fmt: str, docs: dict[str, model.Element], folder: Path) -> None:
    """Write `docs` twice in fresh processes under different clocks, zones and epochs, the
    second time in the reverse order (what a process wrote before must not matter)."""
    digests = []
    for run_no, (zone, epoch, clock) in enumerate(
            [("UTC", None, None), ("Asia/Kolkata", "1234567890", "2031-07-04 23:59:30")]):
        work = folder / f"run{run_no}"
        work.mkdir()
        files = []
        for name, doc in docs.items():
            (work / f"{name}.xml").write_bytes(model.dump(doc))
            files.append(str(work / f"{name}.xml"))
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env["TZ"] = zone
        if epoch:
            env["SOURCE_DATE_EPOCH"] = epoch
        command = [sys.executable, "-c", REPRODUCE, fmt, *(files[::-1] if run_no else files)]
        if clock:
            command = ["faketime", clock, *command]
        subprocess.run(command, env=env, check=True)
        digests.append({Path(f).name: hashlib.sha256(Path(f"{f}.{fmt}").read_bytes()).hexdigest()
                        for f in files})
    assert digests[0] == digests[1]


def test_same_bytes_under_other_clock_zone_and_epoch(
        rendition_documents: dict[str, model.Element], tmp_path: Path) -> None:
    names = ("everything", YEAR_LESS.stem, *SCRIPTS)
    reproduce("pdf", {n: rendition_documents[n] for n in names}, tmp_path)


class Pipe(io.RawIOBase):
    """A write-only stream that cannot seek or tell, like stdout piped to another program."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


def test_writes_to_a_stream_that_cannot_seek(everything: model.Element) -> None:
    pipe = Pipe()
    assert not pipe.seekable()
    assert get("pdf").write(everything, pipe, WriteOptions()) == []
    assert bytes(pipe.data) == pdf_bytes(everything)


def test_the_layout_queue_acts_as_the_list_reportlab_consumes() -> None:
    """reportlab's build loop takes the story from the front, puts split parts back there and
    groups the first few (keepWithNext, as far as len() says): the queue does the same as a
    list, taking the story's parts only as it needs them, and makes a pending paragraph when
    it is first looked at."""
    from reportlab.platypus import Spacer

    from convert.writers.pdf import _kit, _Pending, _Queue, _Tagger

    tagger, styles = _Tagger(), _kit().styles
    pending = _Pending("Gate <b>4</b>", styles["p"], tagger.add(0, "P"), tagger, None)
    heading = _Pending("Gates", styles["heading"], tagger.add(0, "H2"), tagger, None)
    taken: list[list[Any]] = []

    def parts() -> Iterator[list[Any]]:
        for part in ([Spacer(0, 1), pending], [heading], [Spacer(0, 3)]):
            taken.append(part)
            yield part

    queue = _Queue(parts())
    assert len(queue) == 2 and len(taken) == 1 and queue[0].height == 1
    made = queue[1]
    assert made is queue[1] and made.node == pending.node and "Gate" in made.getPlainText()
    assert queue[:2] == [queue[0], made]
    del queue[0]
    queue[0:0] = [Spacer(0, 7), Spacer(0, 8)]
    queue.insert(0, Spacer(0, 6))
    assert len(queue) == 4 and len(taken) == 1
    assert [getattr(f, "height", None) for f in queue[:4]] == [6, 7, 8, None]
    del queue[:4]
    # the heading keeps with what follows it: len() reaches past it
    assert len(queue) == 2 and len(taken) == 3 and queue[0].node == heading.node
    assert [getattr(f, "height", None) for f in queue[:2]] == [None, 3]
    del queue[:2]
    assert len(queue) == 0
