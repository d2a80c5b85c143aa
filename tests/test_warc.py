"""Web archives (WARC) as inputs: convert/reader/warc.py, and their archiving record by record.

The crawls are written here with warcio from our own pages (tests/webcrawl.py says what the
standard test crawl holds: pages, a revisit, a payload captured twice, a page captured twice
with different content, an image, a script, a redirect, a 404, requests and metadata).
"""

from __future__ import annotations

import csv
import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("warcio", reason="the web extra is not installed")
pytest.importorskip("trafilatura", reason="the web extra is not installed")

import webcrawl
from conftest import EXAMPLES
from lxml import etree
from webcrawl import SITE, Capture, crawl, page, record_id, write_warc

import convert
from convert import model
from convert.archiving.provenance import PREMIS_NS
from convert.files import open_input
from convert.reader import formats
from convert.reader.base import Tally
from convert.schema import validate

#: The pages of the standard crawl that become documents: index in CRAWL -> headline.
PAGES = {
    0: "Harbour Board Approves New Ferry Timetable",
    1: "Neue Fähre verbindet die Inseln ab Juni",
    2: "Le port de Saint-Malo agrandit son quai des ferries",
    9: "El tranvía de Valdemora llega al puerto en 2025",
    10: "El tranvía de Valdemora llega al puerto en 2025",
    12: "Harbor Board Orders Six Electric Cranes; Dockers Ask for a Training School Too",
}


@pytest.fixture(scope="module")
def warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl(tmp_path_factory.mktemp("crawl"))


def members(path: Path) -> tuple[list, Tally]:
    tally = Tally()
    with open_input(path) as f:
        return list(formats.get("warc").members(f, path.name, tally)), tally


def capture_of(doc: etree._Element) -> etree._Element:
    el = doc.find(f".//{model.q('capture')}")
    assert el is not None
    return el


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "convert", *map(str, args)],
                          capture_output=True, text=True, timeout=180, check=False)


# --- reading ---------------------------------------------------------------------------------


def test_a_warc_is_sniffed_by_its_content(warc: Path) -> None:
    head = warc.read_bytes()[:4096]
    assert formats.choose(head, "crawl.bin").name == "warc"
    assert formats.choose(gzip.decompress(warc.read_bytes())[:4096], None).name == "warc"


def test_response_records_become_inputs_with_their_capture(warc: Path) -> None:
    found, tally = members(warc)
    inputs = [m for m in found if m.kind == "input"]
    assert [m.capture.target for m in inputs] == [
        f"{SITE}/news/ferry-timetable", f"{SITE}/de/faehre", f"{SITE}/fr/saint-malo",
        f"{SITE}/news/ferry-timetable?utm=feed", f"{SITE}/es/tranvia", f"{SITE}/es/tranvia",
        f"{SITE}/eir/cranes"]
    first = inputs[0]
    assert first.data == page("article-en.html")  # the payload, byte for byte
    assert first.capture.record_id == record_id(100).strip("<>")
    assert first.capture.date == "2024-03-05T09:01:00Z"
    assert first.capture.status == 200
    assert first.capture.content_type == "text/html; charset=utf-8"
    assert first.capture.payload_digest.startswith("sha1:")
    assert first.capture.digest_check == "valid"
    assert first.capture.software == "test-crawler/1.0"
    assert first.source == f"crawl.warc.gz#{first.offset}" and first.offset > 0
    # the offset is where the record starts: a fresh reader from there finds this record
    from warcio.archiveiterator import ArchiveIterator

    with open(warc, "rb") as f:
        f.seek(first.offset)
        record = next(iter(ArchiveIterator(f)))
        assert record.rec_headers.get_header("WARC-Record-ID") == record_id(100)
    [revisit] = [m for m in found if m.kind == "revisit"]
    assert revisit.sha256 == first.sha256 and revisit.reason == first.source
    assert tally.skipped == {"warcinfo": 1, "request": 11, "metadata": 1,
                             "response image/jpeg": 1, "response application/javascript": 1,
                             "response HTTP 301": 1, "response HTTP 404": 1}
    assert (tally.inputs, tally.revisits, tally.damaged) == (7, 1, False)


def test_a_crawl_parses_into_one_document_per_distinct_page(warc: Path) -> None:
    result = convert.parse_file(warc)
    titles = [model.head(d).title for d in result.documents]
    assert titles == list(PAGES.values())
    captures = [capture_of(d) for d in result.documents]
    assert [c.get("target") for c in captures] == [
        f"{SITE}/news/ferry-timetable", f"{SITE}/de/faehre", f"{SITE}/fr/saint-malo",
        f"{SITE}/es/tranvia", f"{SITE}/es/tranvia", f"{SITE}/eir/cranes"]
    # the same page captured twice with different content: two versions, each with its date
    assert [c.get("date") for c in captures[3:5]] == ["2024-03-06T09:03:00Z",
                                                      "2024-03-07T09:03:00Z"]
    assert "siete paradas" in "".join(model.find(result.documents[3], "body").itertext())
    assert "ocho paradas" in "".join(model.find(result.documents[4], "body").itertext())
    for c in captures:
        assert c.get("warc") == "crawl.warc.gz" and c.get("record-id").startswith("urn:uuid:")
        assert c.get("status") == "200" and c.get("digest-check") == "valid"
    texts = [m.text for m in result.messages]
    assert any(t.startswith(f"revisit of {SITE}/news/ferry-timetable") for t in texts)
    assert any(t.startswith("same payload as crawl.warc.gz#") for t in texts)
    [summary] = [t for t in texts if "page(s) read" in t]
    assert summary.startswith("7 page(s) read; 1 revisit(s); skipped: 1 metadata, 11 request")
    for doc in result.documents:
        assert validate(doc) == [], model.head(doc).title


def test_the_http_charset_of_the_record_decodes_the_page(tmp_path: Path) -> None:
    html = ("<!DOCTYPE html><html lang='fr'><head><title>Quai</title></head><body><article>"
            "<h1>Le quai des ferries rouvre à Noël</h1>"
            + "<p>Les dockers ont réparé le quai pendant l'été, après la tempête d'octobre.</p>"
            * 3 + "</article></body></html>").encode("cp1252")
    path = write_warc(tmp_path / "fr.warc.gz", [
        Capture(f"{SITE}/quai", "2024-01-02T10:00:00Z", html,
                content_type="text/html; charset=windows-1252")])
    [doc] = convert.parse_file(path).documents
    assert model.head(doc).title == "Le quai des ferries rouvre à Noël"
    assert doc.find(f".//{model.q('page')}").get("encoding-from") == "http"
    assert "pendant l'été" in "".join(model.find(doc, "body").itertext())


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_a_damaged_warc_keeps_what_came_before_and_says_where(tmp_path: Path,
                                                               compressed: bool) -> None:
    whole = crawl(tmp_path, "whole.warc" + (".gz" if compressed else ""), gzip=compressed)
    found, _ = members(whole)
    cut_at = next(m for m in found if m.capture and m.capture.target.endswith("/es/tranvia"))
    cut = tmp_path / ("cut.warc" + (".gz" if compressed else ""))
    cut.write_bytes(whole.read_bytes()[:cut_at.offset + 600])
    result = convert.parse_file(cut)
    assert [model.head(d).title for d in result.documents] == list(PAGES.values())[:3]
    [damage] = [m for m in result.messages if m.level.value == "error"]
    assert f"{cut_at.offset:,}" in damage.text and damage.source == f"{cut.name}#{cut_at.offset}"
    run = run_cli("parse", cut, "-o", tmp_path / "out")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    # named after the crawl, not after "cut.warc" (field test: cut.warc-1.xml)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.xml")) == [
        "cut-1.xml", "cut-2.xml", "cut-3.xml"]
    # a second run over the folder holding the crawl and those masters reads the crawl alone
    shutil.copytree(tmp_path / "out", tmp_path / "both")
    shutil.copy(cut, tmp_path / "both")
    again = run_cli("parse", tmp_path / "both", "-o", tmp_path / "again")
    assert sorted(p.name for p in (tmp_path / "again").glob("*.xml")) == [
        "cut-1.xml", "cut-2.xml", "cut-3.xml"], again.stderr


def test_garbage_named_warc_is_a_clean_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + b"not really gzip" * 20)
    run = run_cli("parse", bad)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert str(bad) in run.stderr


# --- archiving -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def package(warc: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("pkg") / "package"
    run = run_cli("archive", warc, "-o", dest, "--to", "tei")
    assert run.returncode == 0, run.stderr
    assert "7 page(s) read; 1 revisit(s); skipped: 1 metadata, 11 request" in run.stderr
    return dest


def rows(bag: Path, name: str = "catalog.csv") -> list[dict[str, str]]:
    with open(bag / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_an_archived_crawl_verifies_and_catalogues_every_capture(package: Path,
                                                                  warc: Path) -> None:
    assert run_cli("verify", package).returncode == 0
    catalog = rows(package)
    assert [r["status"] for r in catalog] == ["archived"] * 3 + ["duplicate"] * 2 + \
        ["archived"] * 3
    assert [r["title"] for r in catalog if r["status"] == "archived"] == list(PAGES.values())
    revisit, again = catalog[3], catalog[4]
    assert revisit["url"] == f"{SITE}/news/ferry-timetable"
    assert revisit["captured"] == "2024-03-06T09:01:00Z"
    assert "revisit" in revisit["note"] and revisit["folder"] == catalog[0]["folder"]
    assert again["url"].endswith("?utm=feed") and again["folder"] == catalog[0]["folder"]
    folders = {r["folder"] for r in catalog if r["status"] == "archived"}
    assert len(folders) == 6  # the tram page's two versions are both kept
    first = package / catalog[0]["folder"]
    assert (first / "original.html").read_bytes() == page("article-en.html")
    for master in package.glob("data/*/*/*.xml"):
        if not master.name.endswith((".tei.xml", "premis.xml")):
            assert validate(master.read_bytes()) == [], master


def test_the_premis_file_records_the_warc_and_the_capture(package: Path, warc: Path) -> None:
    first = package / rows(package)[0]["folder"]
    premis = etree.parse(str(first / "premis.xml")).getroot()
    ns = {"p": PREMIS_NS}
    [warc_object] = premis.xpath("p:object[p:objectIdentifier/p:objectIdentifierValue="
                                 "'crawl.warc.gz']", namespaces=ns)
    assert warc_object.findtext(".//p:formatRegistryKey", namespaces=ns) == "fmt/289"
    import hashlib

    assert warc_object.findtext(".//p:messageDigest", namespaces=ns) == \
        hashlib.sha256(warc.read_bytes()).hexdigest()
    ids = [i.findtext("p:objectIdentifierValue", namespaces=ns)
           for i in premis.iterfind("p:object/p:objectIdentifier", ns)]
    assert record_id(100).strip("<>") in ids
    events = [(e.findtext("p:eventType", namespaces=ns), e.findtext("p:eventDateTime",
                                                                    namespaces=ns))
              for e in premis.iterfind("p:event", ns)]
    types = [t for t, _ in events]
    assert events[0] == ("capture", "2024-03-05T09:01:00Z")
    assert types.index("capture") < types.index("ingestion")
    assert "fixity check" in types


def test_a_second_run_resumes_and_changes_nothing(package: Path, warc: Path,
                                                  tmp_path: Path) -> None:
    copy = tmp_path / "package"
    shutil.copytree(package, copy)
    before = (copy / "catalog.csv").read_bytes()
    run = run_cli("archive", warc, "-o", copy, "--resume")
    assert run.returncode == 0, run.stderr
    assert "0 converted, 8 skipped" in run.stderr
    assert (copy / "catalog.csv").read_bytes() == before
    assert run_cli("verify", copy).returncode == 0


def test_a_damaged_crawl_is_archived_up_to_the_damage(tmp_path: Path) -> None:
    whole = crawl(tmp_path)
    found, _ = members(whole)
    cut_at = next(m for m in found if m.capture and m.capture.target.endswith("/es/tranvia"))
    src = tmp_path / "src"
    src.mkdir()
    cut = src / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[:cut_at.offset + 600])
    dest = tmp_path / "package"
    run = run_cli("archive", src, "-o", dest, "--to", "tei")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"offset {cut_at.offset:,}" in run.stderr
    assert [r["status"] for r in rows(dest)].count("archived") == 3
    [kept] = rows(dest, "quarantine.csv")
    tail = dest / kept["folder"] / "original.warc.gz"
    assert tail.read_bytes() == cut.read_bytes()[cut_at.offset:]  # nothing is lost
    assert run_cli("verify", dest).returncode == 0


def test_a_folder_mixing_text_xml_pages_and_crawls(tmp_path: Path) -> None:
    src = tmp_path / "mixed"
    src.mkdir()
    shutil.copy(EXAMPLES / "canal-council-briefing.txt", src)
    shutil.copy(webcrawl.WEB / "article-de.html", src)
    crawl(src, "small.warc.gz")
    (src / "master.xml").write_bytes(model.dump(
        convert.parse_file(EXAMPLES / "water-board-resolution.txt").documents[0]))
    out = tmp_path / "out"
    run = run_cli("convert", src, "--to", "tei", "-o", out)
    assert run.returncode == 0, run.stderr
    assert len(list(out.rglob("*.tei.xml"))) == 1 + 1 + 6 + 1
    dest = tmp_path / "package"
    run = run_cli("archive", src, "-o", dest, "--to", "tei")
    assert run.returncode == 0, run.stderr
    sources = {r["source"].rsplit("/", 1)[-1].split("#")[0] for r in rows(dest)}
    assert sources == {"canal-council-briefing.txt", "article-de.html", "small.warc.gz",
                       "master.xml"}
    assert run_cli("verify", dest).returncode == 0
