"""Saved web pages (HTML) as inputs: convert/reader/html.py.

The pages are our own (tests/fixtures/web/, and pages built here at test time): news articles in
four languages with a cookie notice, navigation, related links, comments and a footer around the
article, and pages in the bulletin format. Nothing here touches the network.
"""

from __future__ import annotations

import codecs
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES
from lxml import etree

pytest.importorskip("trafilatura", reason="the web extra is not installed")

import convert
from convert import model
from convert.messages import InputError
from convert.reader import formats
from convert.reader.html import MAX_PAGE_BYTES
from convert.schema import validate

WEB = FIXTURES / "web"

# --- a bulletin of our own, as text and as a saved page --------------------------------------

TITLE = "Ferry Pilots and Lock Keepers Agree on a Night Rota for the Winter"
PARAGRAPHS = [
    "June 7, 2023 (EIRNS)—The pilots of the Ostmere ferries and the keepers of the river locks "
    "signed an agreement on Tuesday that keeps two locks open through the night from November "
    "to March, so that the last ferry of the evening no longer waits at the lower lock until "
    "dawn.",
    "Under the agreement, each lock keeper will work one night in four, and the ferry company "
    "will pay for a heated cabin beside each of the two locks.",
    "The keepers' spokesman, Oskar Lindqvist, said the rota had taken eleven meetings to settle:",
    "\u201cWe asked for one thing from the start: that nobody works two nights in a row in "
    "January.",
    "\u201cThe company agreed to it in the end, and the pilots agreed to tell us by radio an hour "
    "before they reach the upper lock.\u201d",
    "The first night shift begins on November 1.",
]
BOILERPLATE = {
    "cookie-notice": "This site uses cookies to count its readers. By staying you accept them.",
    "navigation": "Home Archive Subscribe",
    "related": "Canal dredging starts in the spring",
    "footer": "All rights reserved, Ostmere Weekly",
}


def bulletin_text() -> str:
    return TITLE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n"


def bulletin_page(charset: str = "utf-8", meta: bool = True) -> str:
    head = f'<meta charset="{charset}">' if meta else ""
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head>{head}<title>{TITLE} | Ostmere Weekly"
        "</title></head>\n<body>\n"
        f"<div class='cookie-banner'><p>{BOILERPLATE['cookie-notice']}</p></div>\n"
        "<nav class='menu'><a href='/'>Home</a> <a href='/archive'>Archive</a> "
        "<a href='/subscribe'>Subscribe</a></nav>\n"
        f"<div id='story'><h1>{TITLE}</h1>\n"
        + "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</div>\n<div class='related'><h3>More news</h3><ul>"
        f"<li><a href='/1'>{BOILERPLATE['related']}</a></li>"
        "<li><a href='/2'>New pier for the island ferry</a></li></ul></div>\n"
        f"<footer><p>{BOILERPLATE['footer']}</p></footer>\n</body></html>\n")


def c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


def body_words(doc: etree._Element) -> str:
    return " ".join(" ".join(model.find(doc, "body").itertext()).split())


def test_a_saved_bulletin_page_gives_the_body_of_the_same_bulletin_as_text() -> None:
    text = convert.parse(bulletin_text().encode(), name="rota.txt")
    page = convert.parse(bulletin_page().encode(), name="rota.html")
    [t], [p] = text.documents, page.documents
    assert c14n(model.find(p, "body")) == c14n(model.find(t, "body"))
    for name in ("title", "dateline"):
        assert c14n(model.find(model.find(p, "head"), name)) == \
            c14n(model.find(model.find(t, "head"), name))
    assert model.head(p).date == "2023-06-07" and model.head(p).agency == "EIRNS"
    assert model.find(p, "body").find(model.q("quote")) is not None
    kinds = [c.get("kind") for c in p.iter(model.q("chrome"))]
    assert kinds == ["cookie-notice", "navigation", "related", "footer"]
    words = body_words(p)
    for sentence in BOILERPLATE.values():
        assert sentence not in words
    assert validate(p) == []


def test_a_dated_page_keeps_its_block_quotations() -> None:
    # Field test: the grammar read a <blockquote> of a page in the bulletin format as a plain
    # paragraph (the same page without a dateline kept it).
    said = "\u201cWe sail at nine, whatever the river does,\u201d the pilots\u2019 union said."
    rules = ["The rota applies from November to March.",
             "No keeper works two nights in a row in January."]
    page = bulletin_page().replace(
        f"<p>{PARAGRAPHS[1]}</p>", f"<blockquote><p>{said}</p></blockquote><p>{PARAGRAPHS[1]}</p>"
    ).replace(f"<p>{PARAGRAPHS[5]}</p>", "<blockquote>" + "".join(f"<p>{r}</p>" for r in rules)
              + f"</blockquote><p>{PARAGRAPHS[5]}</p>")

    def shape(doc: etree._Element) -> list[tuple[str, object]]:
        return [(model.local(el), [p.text for p in el] if len(el) else el.text)
                for el in model.find(doc, "body")]

    [text] = convert.parse(bulletin_text().encode(), name="rota.txt").documents
    expected = shape(text)  # the same bulletin without the two quotations
    expected[1:1] = [("quote", [said])]
    expected[-1:-1] = [("quote", rules)]
    result = convert.parse(page.encode(), name="rota.html")
    [doc] = result.documents
    assert shape(doc) == expected
    assert validate(doc) == []
    # --explain still names, for each step, the element it made (both paragraphs of the
    # second quotation: the quote)
    body = model.find(doc, "body")
    made = [at for _, _, _, at in result.traces[0].steps]
    assert made == sorted(made) and made[-2] == made[-3]
    assert [model.local(body[at]) for at in sorted(set(made))] == [k for k, _ in expected]


def test_the_projects_example_page_matches_its_text() -> None:
    text = convert.parse_file(EXAMPLES / "harbor-cranes.txt")
    page = convert.parse_file(WEB / "bulletin-cranes.html")
    assert c14n(model.find(page.documents[0], "body")) == \
        c14n(model.find(text.documents[0], "body"))
    assert model.head(page.documents[0]).id == model.head(text.documents[0]).id


# --- ordinary news articles ------------------------------------------------------------------

ARTICLES = {
    # file: (title, date, date from, authors, language, language from, site, first, last words)
    "article-en.html": ("Harbour Board Approves New Ferry Timetable", "2024-03-05", "meta",
                        ["Mara Quillfeather", "Tobias Renwick"], "en-GB", "html",
                        "The Harbour Times", "The harbour board voted",
                        "down the estuary in November."),
    "article-de.html": ("Neue Fähre verbindet die Inseln ab Juni", "2023-04-18", "time",
                        ["Henrike Baumgart"], "de", "html", "Nordsee-Kurier",
                        "Die Reederei der Nordseeinseln", "und wird danach verkauft."),
    "article-fr.html": ("Le port de Saint-Malo agrandit son quai des ferries", "2022-11-09",
                        "json-ld", ["Élodie Marchand"], "fr", "detected",
                        "La Gazette du Littoral", "Les travaux d'agrandissement",
                        "moitié par la région."),
    "article-es.html": ("El tranvía de Valdemora llega al puerto en 2025", "2023-05-12",
                        "htmldate", ["Lucía Ferrándiz"], "es", "content-language", None,
                        "Publicado el 12/05/2023", "en la primavera de 2025."),
}
#: A sentence of the furniture around each article: none may reach the body.
AROUND = {
    "article-en.html": ["We use cookies", "Pilots threaten strike", "About time the board",
                        "All rights reserved", "Sport"],
    "article-de.html": ["Wir verwenden Cookies", "Sturmflut", "Endlich mehr Fahrten",
                        "Impressum", "Startseite"],
    "article-fr.html": ["Ce site utilise des cookies", "Actualités", "Gazette du Littoral"],
    "article-es.html": ["Utilizamos cookies", "Noticias relacionadas", "Aviso legal",
                        "Portada"],
}


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_a_news_article_gives_its_metadata_and_only_its_text(name: str) -> None:
    title, date, date_from, authors, lang, lang_from, site, first, last = ARTICLES[name]
    result = convert.parse_file(WEB / name)
    [doc] = result.documents
    head = model.head(doc)
    page = doc.find(f".//{model.q('page')}")
    assert page is not None
    assert (head.title, head.date, head.lang) == (title, date, lang)
    assert (page.get("date-from"), page.get("lang-from"), page.get("site")) == \
        (date_from, lang_from, site)
    assert [n.text for n in doc.iter(model.q("name"))] == authors
    words = body_words(doc)
    assert words.startswith(first) and words.endswith(last), words
    for sentence in AROUND[name]:
        assert sentence not in words
    assert page.get("extractor", "").startswith("trafilatura ")
    assert validate(doc) == []
    assert not [m for m in result.messages if m.level.value in ("warning", "error")]


def test_the_structure_and_the_removed_regions_of_an_article() -> None:
    [doc] = convert.parse_file(WEB / "article-en.html").documents
    body = model.find(doc, "body")
    assert [el.tag.split("}")[1] for el in body] == \
        ["p", "p", "heading", "list", "quote", "p", "p"]
    assert body.findtext(model.q("heading")) == "What changes for passengers"
    assert [i.text for i in body.iter(model.q("item"))] == [
        "Two crossings an hour in the morning peak", "One crossing an hour after ten",
        "No crossings when the ice is thicker than twenty centimetres"]
    assert "Now everyone knows who goes first." in "".join(body.find(model.q("quote")).itertext())
    page = doc.find(f".//{model.q('page')}")
    assert page.get("canonical") == "https://harbour.example.org/news/ferry-timetable"
    assert page.get("published") == "2024-03-05T08:30:00+00:00"
    assert page.findtext(model.q("description")) == \
        "The board voted seven to two for a winter timetable."
    removed = {c.get("kind"): c for c in doc.iter(model.q("chrome"))}
    assert set(removed) == {"cookie-notice", "header", "related", "comments", "footer"}
    assert "About time the board did something sensible" in removed["comments"].text
    assert all(c.get("line", "").isdigit() for c in removed.values())


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_nothing_of_the_page_is_lost_silently(name: str) -> None:
    """Every paragraph and list item of the page is in the body or summarised as removed."""
    from lxml import html

    page = html.fromstring((WEB / name).read_bytes())
    [doc] = convert.parse_file(WEB / name).documents
    head = model.find(doc, "head")
    kept = " ".join(" ".join(el.itertext()) for el in (
        model.find(doc, "body"), model.find(head, "byline"), *doc.iter(model.q("chrome")))
        if el is not None)
    kept = " ".join(kept.split())
    for el in page.iter("p", "li"):
        text = " ".join(el.text_content().split())
        assert text in kept, text


# --- encodings -------------------------------------------------------------------------------


def page_of(doc: etree._Element) -> etree._Element:
    page = doc.find(f".//{model.q('page')}")
    assert page is not None
    return page


@pytest.mark.parametrize(("data", "encoding", "origin"), [
    (bulletin_page("windows-1252").encode("cp1252"), "cp1252", "meta"),
    (codecs.BOM_UTF8 + bulletin_page("windows-1252").encode("utf-8"), "utf-8", "bom"),
    (codecs.BOM_UTF16_LE + bulletin_page(meta=False).encode("utf-16-le"), "utf-16-le", "bom"),
    (bulletin_page(meta=False).encode("utf-8"), "utf-8", "default"),
], ids=["meta-charset", "bom-over-meta", "utf-16-bom", "none-declared"])
def test_the_page_encoding_and_where_it_came_from(data: bytes, encoding: str,
                                                  origin: str) -> None:
    result = convert.parse(data, name="rota.html")
    [doc] = result.documents
    assert c14n(model.find(doc, "body")) == \
        c14n(model.find(convert.parse(bulletin_text().encode()).documents[0], "body"))
    assert codecs.lookup(model.find(model.find(doc, "head"), "source").get("encoding")).name \
        == codecs.lookup(encoding).name
    assert page_of(doc).get("encoding-from") == origin


def test_a_wrong_meta_charset_is_warned_of_and_the_page_still_read() -> None:
    data = bulletin_page("utf-8").replace("Lindqvist", "Lindqvíst").encode("cp1252")
    result = convert.parse(data, name="rota.html")
    assert "Lindqvíst" in body_words(result.documents[0])
    assert any("says it is utf-8" in m.text for m in result.messages)


def test_an_article_of_only_a_headline_is_refused_as_a_title_alone_is() -> None:
    # It was kept as its own text, with a warning, where a text file of a title alone is
    # refused (field test: a crawl's "Subscribe to our newsletter" page became a bulletin).
    page = ("<!DOCTYPE html><html lang='en'><head><title>Dredger Sinks at Berth Nine, Crew "
            "Safe</title></head><body><nav><a href='/'>Home</a></nav><main><article><h1>"
            "Dredger Sinks at Berth Nine, Crew Safe</h1></article></main></body></html>")
    with pytest.raises(InputError, match="no article text in the page: nothing but its "
                                         "headline 'Dredger Sinks at Berth Nine, Crew Safe'"):
        convert.parse(page.encode(), name="dredger.html")
    with pytest.raises(InputError, match="does not look like a bulletin"):
        convert.parse(b"Dredger Sinks at Berth Nine, Crew Safe\n", name="dredger.txt")


def test_the_french_page_is_decoded_from_its_meta_charset() -> None:
    [doc] = convert.parse_file(WEB / "article-fr.html").documents
    assert model.find(model.find(doc, "head"), "source").get("encoding") == "cp1252"
    assert "Élodie Marchand" in [n.text for n in doc.iter(model.q("name"))]


# --- readers chosen by content, then name ----------------------------------------------------


def test_a_page_is_read_as_html_whatever_its_name_and_from_overrides(tmp_path: Path) -> None:
    assert formats.choose(bulletin_page().encode()[:4096], "saved.txt").name == "html"
    assert formats.choose(b"<p>Plain words</p>", "page.html").name == "html"  # by its name
    assert formats.choose(b"Plain words", "page.html").name == "text"  # not one tag: a text
    assert formats.choose(b"Plain words", "notes.txt").name == "text"
    result = convert.parse(bulletin_page().encode(), name="rota.html", reader="text")
    assert result.reader == "text"


def test_a_text_bulletin_opening_with_a_tag_stays_text() -> None:
    """Only a doctype or an html, head or body element makes a .txt file a page: a bulletin's
    title may open with markup, and must keep every word."""
    text = ('<b>Dockers</b> Vote To Strike at Dawn\n\n'
            'HULL, May 4, 2022 (EIRNS)—The quay gangs voted today.\n').encode()
    assert formats.choose(text, "strike.txt").name == "text"
    assert formats.choose(text, "strike.html").name == "html"
    assert formats.choose(text, None).name == "html"  # no name to say otherwise
    assert formats.choose(b"<body><p>Quay</p></body>", "strike.txt").name == "html"
    [doc] = convert.parse(text, name="strike.txt").documents
    assert model.find(model.find(doc, "head"), "title").text == (
        "<b>Dockers</b> Vote To Strike at Dawn")


# --- hostile pages: one message each, never a traceback, no network --------------------------


def hostile_pages(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    pages = {
        "broken.html": ("<html><body><div><p>Unclosed <b>bold <i>and italic<p>"
                        "<table><tr><td>cell</div></span></body>"),
        "deep.html": "<!DOCTYPE html><html><body>" + "<div>" * 5000 + "<p>deep</p>",
        "no-article.html": (WEB / "no-article.html").read_text(encoding="utf-8"),
        "empty.html": "",
    }
    paths = {}
    for name, text in pages.items():
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")
    huge = folder / "huge.html"
    with open(huge, "wb") as f:  # over the limit, made here: nothing that big is in the checkout
        f.write(b"<!DOCTYPE html><html><body>")
        chunk = b"<p>" + b"filler words for a page no newsroom would publish " * 40 + b"</p>\n"
        for _ in range(MAX_PAGE_BYTES // len(chunk) + 2):
            f.write(chunk)
    paths["huge.html"] = huge
    return paths


def test_hostile_pages_give_one_line_messages_never_a_traceback(tmp_path: Path) -> None:
    pages = hostile_pages(tmp_path / "pages")
    run = subprocess.run([sys.executable, "-m", "convert", "parse", *map(str, pages.values()),
                          "-o", str(tmp_path / "out")], capture_output=True, text=True,
                         timeout=120, check=False)
    assert "Traceback" not in run.stderr
    assert run.returncode == 1, run.stderr
    errors = {line.split(": error: ")[0]: line.split(": error: ")[1]
              for line in run.stderr.splitlines() if ": error: " in line}
    expected = {"deep.html": "nested", "no-article.html": "no article found",
                "empty.html": "empty input", "huge.html": "page too large"}
    for name, words in expected.items():
        assert words in errors[str(pages[name])], run.stderr
    assert str(pages["broken.html"]) not in errors  # repaired as a browser would, and read
    assert (tmp_path / "out" / "broken.xml").is_file()
    assert all(len(line) < 400 for line in run.stderr.splitlines())


def test_a_page_fetches_nothing_and_loads_no_entity(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-ENTITY-TEXT", encoding="utf-8")
    page = bulletin_page().replace(
        "<!DOCTYPE html>",
        f'<!DOCTYPE html [<!ENTITY leak SYSTEM "file://{secret}">]>').replace(
        "<div id='story'>",
        "<div id='story'><script>fetch('http://tracker.example.net/')</script>"
        "<img src='http://images.example.net/a.jpg'>"
        "<iframe src='http://ads.example.net/'></iframe>"
        "<link rel='stylesheet' href='http://cdn.example.net/s.css'>").replace(
        "The first night shift", "&leak; The first night shift")
    calls: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        calls.append(address)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: calls.append(a) or [])
    result = convert.parse(page.encode(), name="rota.html")
    assert calls == []
    xml = etree.tostring(result.documents[0], encoding=str)
    assert "SECRET-ENTITY-TEXT" not in xml and "tracker.example.net" not in xml


# --- the commands ----------------------------------------------------------------------------


def test_parse_and_convert_a_page_on_the_command_line(tmp_path: Path) -> None:
    page = tmp_path / "rota.html"
    page.write_text(bulletin_page(), encoding="utf-8")
    parsed = subprocess.run([sys.executable, "-m", "convert", "parse", str(page)],
                            capture_output=True, timeout=120, check=False)
    assert parsed.returncode == 0, parsed.stderr
    assert validate(parsed.stdout) == []
    assert model.head(model.load(parsed.stdout)).title == TITLE
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "convert", "convert", str(page), "--to", "all",
                          "-o", str(out)], capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "rota.docx", "rota.epub", "rota.pdf", "rota.tei.xml"]


def test_formats_lists_the_readers() -> None:
    run = subprocess.run([sys.executable, "-m", "convert", "formats"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    readers = run.stdout.split("READER", 1)[1]
    for name, ext in (("text", ".txt"), ("xml", ".xml"), ("html", ".html"),
                      ("warc", ".warc.gz")):
        line = next(line for line in readers.splitlines() if line.startswith(name + " "))
        assert ext in line
