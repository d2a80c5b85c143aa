"""One fidelity across formats: every rendition of every document says the same thing the same way.

For every rendition document (the fixture and its lists variant, each example, each corpus
bulletin and digest item, each parsable input of corpus/bad/), each format is read back with its
own structure and compared with what the canonical master says:

- the same structure: headings (with their level where the format has levels), the byline, the
  dateline and its place and date, the label of every list item ("3." for a list the source
  numbered from 3), every quotation block with the quote marks the source showed, and the
  speaker labels of a Q&A;
- the same document-level fields (model.metadata), each read from the field the table in
  schemas/README.md names for the format.

(The same words in the same order are checked by each format's own test module.)
Where a format has no markup for something, its extractor says so by leaving the key out:
TEI marks divisions, not heading levels; DOCX and PDF have no markup for the place or the date
inside a dateline (its text is compared, and the place and date are fields); a DOCX quotation
is a run of Quote paragraphs, not a block.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pdf_ua
import pikepdf
import pytest
from conftest import ROOT, render
from lxml import etree, html

from convert import model
from convert.writers.tei import TEI_NS

FORMATS = ("tei", "epub", "docx", "pdf", "html")
T = {"t": TEI_NS}
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
Shape = dict[str, Any]


#: A year in square brackets: supplied by the cataloguer, not printed in the source.
SUPPLIED_YEAR = re.compile(r"\[(\d{4})\]")


def norm(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def text_of(el: etree._Element | None) -> str | None:
    return norm("".join(el.itertext())) if el is not None else None


# --- what the master says --------------------------------------------------------------------


def expected(doc: model.Element) -> Shape:
    h = model.head(doc)
    level = 2 if h.title else 1
    blocks = list(model.body(doc))
    speakers = [s for b in blocks if model.local(b) == "qa" for s in b]
    runs: list[list[str | None]] = []  # adjacent quotation blocks run together
    for i, b in enumerate(blocks):
        if model.local(b) == "quote":
            if i == 0 or model.local(blocks[i - 1]) != "quote":
                runs.append([])
            runs[-1] += [norm(f"{model.quote_marks(p)[0]}{p.text}{model.quote_marks(p)[1]}")
                         for p in b]
    return {
        "headings": [(1, h.title)] * bool(h.title) + [
            (level, norm(b.text)) for b in blocks if model.local(b) == "heading"],
        "title": norm(h.title), "byline": norm(h.byline), "dateline": norm(h.dateline_shown),
        "place": h.place, "date": h.date,
        "lists": [[model.item_label(i) for i in b] for b in blocks if model.local(b) == "list"],
        "quotes": [[norm(f"{model.quote_marks(p)[0]}{p.text}{model.quote_marks(p)[1]}")
                    for p in b] for b in blocks if model.local(b) == "quote"],
        "quote_runs": runs,
        "speakers": [norm(s[0].text) for s in speakers],
        "speeches": [f"{norm(s[0].text)}: {norm(s[1].text)}" for s in speakers],
    }


# --- what each format says -----------------------------------------------------------------


def tei_shape(data: bytes) -> Shape:
    body = etree.fromstring(data).find("t:text/t:body", T)
    quotes = []
    for quote in body.iter(f"{{{TEI_NS}}}quote"):
        marks = dict(re.findall(r"(open|close)\((.+?)\)(?= |$)", quote.get("rend", "")))
        ps = quote.findall("t:p", T)
        quotes.append([norm(f"{marks.get('open', '')}{p.text}"
                            f"{marks.get('close', '') if i == len(ps) - 1 else ''}")
                       for i, p in enumerate(ps)])
    dateline = body.find("t:dateline", T)
    when = dateline.find("t:date", T) if dateline is not None else None
    return {
        "headings": [text_of(h) for h in body.xpath("t:head | .//t:div/t:head", namespaces=T)],
        "byline": text_of(body.find("t:byline", T)), "dateline": text_of(dateline),
        "place": text_of(body.find("t:dateline/t:placeName", T)),
        "date": when.get("when") if when is not None else None,
        "lists": [[i.get("n") for i in lst.findall("t:item", T)]
                  for lst in body.iter(f"{{{TEI_NS}}}list") if lst.get("type") != "resolution"],
        "quotes": quotes,
        "speakers": [text_of(s) for s in body.iter(f"{{{TEI_NS}}}speaker")],
    }


def html_shape(root: etree._Element) -> Shape:
    """The HTML writer's page (or the EPUB's content document, namespaces removed)."""
    article = root.find("body/main/article")
    header = article.find("header")
    dateline = header.find("p[@class='dateline']") if header is not None else None
    time = dateline.find("time") if dateline is not None else None
    when = time.get("datetime") if time is not None else None
    lists = []
    for lst in article.xpath("ol | ul"):
        n = len(lst.findall("li"))
        if lst.tag == "ol":
            start, suffix = int(lst.get("start", "1")), ")" if lst.get("class") == "paren" else "."
            lists.append([f"{start + i}{suffix}" for i in range(n)])
        else:
            glyph = {"plain": None, "dash": "–"}.get(lst.get("class"), "•")
            lists.append([glyph] * n)
    speakers = [text_of(b)[:-1] for b in article.xpath(".//b[@class='speaker']")]
    return {
        "headings": [(int(h.tag[1]), text_of(h)) for h in article.xpath(".//h1 | .//h2")],
        "byline": text_of(header.find("p[@class='byline']")) if header is not None else None,
        "dateline": text_of(dateline),
        "place": text_of(dateline.find("span[@class='place']")) if dateline is not None else None,
        "date": ("--" + when) if when and len(when) == 5 else when,
        "lists": lists,
        "quotes": [[text_of(p) for p in q.findall("p")] for q in article.iter("blockquote")],
        "speakers": speakers,
    }


def epub_shape(data: bytes) -> Shape:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("EPUB/bulletin.xhtml"))
    for el in root.iter():
        el.tag = etree.QName(el).localname
    return html_shape(root)


def docx_shape(data: bytes) -> Shape:
    d = docx.Document(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        numbering = etree.fromstring(z.read("word/numbering.xml"))

    def definition(num_id: str) -> tuple[int, str]:
        """(first number, label text with %1) of a numbering instance, level 0."""
        num = numbering.find(f"{{{W}}}num[@{{{W}}}numId='{num_id}']")
        abstract = num.find(f"{{{W}}}abstractNumId").get(f"{{{W}}}val")
        lvl = numbering.find(f"{{{W}}}abstractNum[@{{{W}}}abstractNumId='{abstract}']"
                             f"/{{{W}}}lvl[@{{{W}}}ilvl='0']")
        override = num.find(f".//{{{W}}}startOverride")
        start = (override if override is not None else lvl.find(f"{{{W}}}start"))
        return int(start.get(f"{{{W}}}val")), lvl.find(f"{{{W}}}lvlText").get(f"{{{W}}}val")

    shape: Shape = {"headings": [], "byline": None, "dateline": None, "lists": [],
                    "quotes": [], "speakers": []}
    previous = None  # the list or quotation the paragraph before belongs to
    count = 0  # items of the current list so far
    for p in d.paragraphs:
        style = p.style.name
        num = p._p.xpath("string(w:pPr/w:numPr/w:numId/@w:val)")
        group = (style, num) if style.startswith("List") or style == "Quote" else None
        if style == "Title":
            shape["headings"].append((1, norm(p.text)))
        elif style.startswith("Heading "):
            shape["headings"].append((int(style[-1]), norm(p.text)))
        elif style in ("Byline", "Dateline"):
            shape[style.lower()] = norm(p.text)
        elif style == "Quote":
            if group != previous:
                shape["quotes"].append([])
            shape["quotes"][-1].append(norm(p.text))
        elif style.startswith("List"):
            if group != previous:
                shape["lists"].append([])
                count = 0
            if num:
                start, text = definition(num)
                label = text.replace("%1", str(start + count))
            else:
                label = None
            shape["lists"][-1].append(label)
            count += 1
        shape["speakers"] += [r.text[:-1] for r in p.runs
                              if r.style is not None and r.style.name == "Speaker"]
        previous = group
    return shape


def pdf_shape(data: bytes, tmp: Path) -> Shape:
    path = tmp / "shape.pdf"
    path.write_bytes(data)
    tree = pdf_ua.struct_tree(path)
    (document,) = tree.kids
    top = [(kid.tag, norm(kid.all_text())) for kid in document.kids]
    return {
        "headings": [(int(tag[1]), text) for tag, text in
                     ((e.tag, norm(e.all_text())) for _, e in tree.walk())
                     if re.fullmatch(r"H[1-6]", tag)],
        "top": top,
        "lists": [[norm(li.kids[0].all_text()) if li.kids[0].tag == "Lbl" else None
                   for li in lst.kids] for _, lst in tree.walk() if lst.tag == "L"],
        "quotes": [[norm(p.all_text()) for p in q.kids]
                   for _, q in tree.walk() if q.tag == "BlockQuote"],
        "paragraphs": [norm(e.all_text()) for _, e in tree.walk() if e.tag == "P"],
    }


@pytest.fixture(scope="session")
def shapes(rendition_documents: dict[str, model.Element],
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Shape]]:
    """name -> format -> shape, and "master" -> the master's."""
    tmp = tmp_path_factory.mktemp("shapes")
    out = {}
    for name, doc in rendition_documents.items():
        out[name] = {
            "master": expected(doc),
            "tei": tei_shape(render("tei", doc)),
            "epub": epub_shape(render("epub", doc)),
            "docx": docx_shape(render("docx", doc)),
            "pdf": pdf_shape(render("pdf", doc), tmp),
            "html": html_shape(html.document_fromstring(render("html", doc))),
        }
    return out


def compare(shapes: dict[str, dict[str, Shape]], fmt: str, keys: dict[str, Any]) -> None:
    """For every document, each key of the format's shape equals the master's (through the
    function given for the key, which turns the master's value into what the format shows)."""
    differ = {}
    for name, by_format in shapes.items():
        master, got = by_format["master"], by_format[fmt]
        for key, view in keys.items():
            want = view(master) if callable(view) else master[key]
            if got[key] != want:
                differ[f"{name}: {key}"] = (got[key], want)
    assert differ == {}


def test_the_lists_variant_shows_what_it_is_for(shapes: dict[str, dict[str, Shape]]) -> None:
    """The variant really has a list from 3, one in "7)", a dash list and a plain one."""
    assert shapes["variant-lists"]["master"]["lists"] == [
        ["•", "•", "•"], ["3.", "4."], ["7)", "8)"], ["–", "–"], [None, None]]


def test_tei_says_what_the_master_says(shapes: dict[str, dict[str, Shape]]) -> None:
    """TEI marks a year the source does not print as <supplied> (readers add the brackets)."""
    compare(shapes, "tei", {
        "headings": lambda m: [text for _, text in m["headings"]], "byline": None,
        "dateline": lambda m: m["dateline"] and SUPPLIED_YEAR.sub(r"\1", m["dateline"]),
        "place": None, "date": None, "lists": None, "quotes": None, "speakers": None})


def test_a_year_the_source_lacks_is_shown_in_every_format(
        shapes: dict[str, dict[str, Shape]]) -> None:
    """Digest items dated 'Feb. 18 (EIRNS)' on a page of a known year show the year."""
    supplied = [n for n, s in shapes.items() if SUPPLIED_YEAR.search(s["master"]["dateline"]
                                                                     or "")]
    assert len(supplied) >= 5
    for name in supplied:
        year = SUPPLIED_YEAR.search(shapes[name]["master"]["dateline"]).group(1)
        for fmt in ("tei", "epub", "docx", "html"):
            assert year in (shapes[name][fmt]["dateline"] or ""), (name, fmt)


@pytest.mark.parametrize("fmt", ["epub", "html"])
def test_epub_and_html_say_what_the_master_says(shapes: dict[str, dict[str, Shape]],
                                                fmt: str) -> None:
    compare(shapes, fmt, {key: None for key in ("headings", "byline", "dateline", "place",
                                                "date", "lists", "quotes", "speakers")})


def test_docx_says_what_the_master_says(shapes: dict[str, dict[str, Shape]]) -> None:
    compare(shapes, "docx", {
        "headings": None, "byline": None, "dateline": None, "lists": None, "speakers": None,
        "quotes": lambda m: m["quote_runs"]})  # Word has runs of Quote paragraphs


def test_pdf_says_what_the_master_says(shapes: dict[str, dict[str, Shape]]) -> None:
    compare(shapes, "pdf", {"headings": None, "lists": None, "quotes": None})
    heads = {}
    for name, by_format in shapes.items():  # the byline and dateline follow the title
        master = by_format["master"]
        want = [("P", t) for t in (master["byline"], master["dateline"]) if t]
        got = by_format["pdf"]["top"][1 if master["title"] else 0:][:len(want)]
        if got != want:
            heads[name] = (got, want)
    assert heads == {}
    missing = {name: s["master"]["speeches"] for name, s in shapes.items()
               if not set(s["master"]["speeches"]) <= set(s["pdf"]["paragraphs"])}
    assert missing == {}  # every speech's first paragraph starts with "SPEAKER: "


def test_every_structure_is_exercised(shapes: dict[str, dict[str, Shape]]) -> None:
    """The documents have what the comparisons are about (so none passes by being empty)."""
    masters = [s["master"] for s in shapes.values()]
    for key in ("byline", "place", "date"):
        assert sum(m[key] is not None for m in masters) >= 3, key
    for key in ("headings", "lists", "quotes", "speakers"):
        assert sum(bool(m[key]) for m in masters) >= 3, key
    assert any(m["headings"] and m["headings"][0][0] == 1 and not m["byline"]
               for m in masters)


# --- the document-level fields ---------------------------------------------------------------

FIELDS = [f.name for f in dataclasses.fields(model.Metadata)]


def tei_fields(data: bytes) -> dict[str, str | None]:
    tei = etree.fromstring(data)
    fd = tei.find("t:teiHeader/t:fileDesc", T)

    def first(path: str) -> str | None:
        found = fd.xpath(path, namespaces=T)
        return norm(found[0] if isinstance(found[0], str) else text_of(found[0])) \
            if found else None

    when = first("t:publicationStmt/t:date/@when")
    shown = tei.find("t:text/t:body/t:dateline", T)
    if shown is not None:  # a year the source lacks is <supplied>: show it as a reader would
        shown = copy.deepcopy(shown)
        for supplied in shown.iterfind(".//t:supplied", T):
            supplied.text = f"[{supplied.text}]"
    dateline = text_of(shown)
    issue = fd.find("t:sourceDesc/t:bibl/t:relatedItem/t:bibl", T)
    return {
        "title": first("t:titleStmt/t:title"), "creator": first("t:titleStmt/t:author"),
        "publisher": first("t:publicationStmt/t:distributor/t:orgName"),
        "coverage": first("t:sourceDesc/t:bibl/t:pubPlace"),
        "date": when if when and not when.startswith("--") else None,
        "description": dateline.strip(" —–-") or None if dateline else None,
        "language": first("/t:TEI/t:teiHeader/t:profileDesc/t:langUsage/t:language/@ident"),
        "identifier": first("t:publicationStmt/t:idno"),
        "source": first("t:sourceDesc/t:bibl/t:ref/@target")
        or first("t:sourceDesc/t:bibl/t:idno[@type='file-name']"),
        "relation": None if issue is None else model.Issue(
            issue.findtext("t:title[@level='j']", None, T),
            *(int(v) if (v := issue.findtext(f"t:biblScope[@unit='{unit}']", None, T))
              else None for unit in ("volume", "issue")),
            issue.find("t:date", T).get("when") if issue.find("t:date", T) is not None
            else None).citation or None,
    }


def epub_fields(data: bytes) -> dict[str, str | None]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    meta = opf.find("opf:metadata", OPF)
    out = {f: meta.findtext(f"dc:{f}", namespaces=OPF) for f in FIELDS}
    assert out["identifier"].startswith("urn:bulletin:")
    out["identifier"] = out["identifier"].removeprefix("urn:bulletin:")
    assert opf.get(model.LANG) == out["language"]
    return out


def pdf_fields(data: bytes) -> dict[str, str | None]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        xmp = pdf.open_metadata()
        info = pdf.docinfo
        one = {f: xmp.get(f"dc:{f}") for f in FIELDS}
        out = {f: (next(iter(v)) if isinstance(v, list | set) and v else v or None)
               for f, v in one.items()}
        # the Info dictionary agrees (PDF 2.0 and PDF/A keep both)
        assert str(info.get("/Title")) == out["title"]
        assert str(info.get("/Author", "")) == (out["creator"] or "")
        assert str(info.get("/Subject", "")) == (out["description"] or "")
        assert str(pdf.Root.Lang) == out["language"]
        return out


def docx_fields(data: bytes) -> dict[str, str | None]:
    props = docx.Document(io.BytesIO(data)).core_properties
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        custom = {p.get("name"): "".join(p.itertext())
                  for p in etree.fromstring(z.read("docProps/custom.xml"))}
    return {
        "title": props.title, "creator": props.author or None,
        "publisher": custom.get("Publisher"), "coverage": custom.get("Place"),
        "date": props.created.date().isoformat() if props.created else None,
        "description": props.comments or None, "language": props.language,
        "identifier": props.identifier, "source": custom.get("Source"),
        "relation": custom.get("Publication"),
    }


def html_fields(data: bytes) -> dict[str, str | None]:
    root = html.document_fromstring(data)
    meta = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
    out = {f: meta.get(f"DC.{f}") for f in FIELDS}
    assert root.findtext("head/title") == out["title"] and root.get("lang") == out["language"]
    assert meta.get("author") == out["creator"] and meta.get("description") == out["description"]
    return out


READ_FIELDS = {"tei": tei_fields, "epub": epub_fields, "pdf": pdf_fields, "docx": docx_fields,
               "html": html_fields}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_carries_the_same_fields(fmt: str,
                                              rendition_documents: dict[str, model.Element]
                                              ) -> None:
    differ = {}
    for name, doc in rendition_documents.items():
        want = dataclasses.asdict(model.metadata(doc))
        got = READ_FIELDS[fmt](render(fmt, doc))
        if got != want:
            differ[name] = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    assert differ == {}


def test_the_fields_are_exercised(rendition_documents: dict[str, model.Element]) -> None:
    values = [model.metadata(d) for d in rendition_documents.values()]
    for name in FIELDS:
        assert sum(getattr(v, name) is not None for v in values) >= 2, name


def test_the_readme_table_lists_the_fields() -> None:
    """schemas/README.md maps each field to each format: one row per field, one column per
    format, so the table cannot forget a field that the writers carry."""
    text = (ROOT / "schemas" / "README.md").read_text()
    section = text.split("## Where each format keeps the document's fields", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| `")]
    assert [r[0].strip().strip("`") for r in rows] == FIELDS
    header = next(line for line in section.splitlines() if line.startswith("| field"))
    assert [c.strip() for c in header.split("|")[4:-1]] == [
        "TEI P5", "EPUB 3 (OPF)", "PDF (XMP; Info)", "DOCX (core; custom)", "HTML (meta)"]
