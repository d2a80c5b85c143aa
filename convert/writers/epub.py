"""EPUB 3: one bulletin as a small, accessible e-book that EPUBCheck passes without a remark.

ebooklib assembles the package (OPF, nav document, NCX); the content document is built here as
XHTML with lxml, so ebooklib's HTML round trip (which crashes on an empty body) never touches
it. Everything that could vary between runs is pinned: the identifier is our id as a URN, the
modification date is the bulletin's date, and the archive is rewritten by `ziputil` with
fixed entry times.
"""

from __future__ import annotations

import datetime
import io
from typing import BinaryIO

from ebooklib import epub
from lxml import etree

from .. import __version__, model
from ..messages import Message
from . import WriteOptions, unrendered, ziputil

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"

CONTENT = "bulletin.xhtml"
STYLESHEET = "style/bulletin.css"

#: A readable page: serif text, a quiet dateline, quotations set off, Q&A speakers in bold.
CSS = b"""\
body { font-family: serif; line-height: 1.45; margin: 0 5%; }
h1 { font-size: 1.5em; line-height: 1.2; margin: 1em 0 0.5em; }
h2 { font-size: 1.15em; margin: 1.5em 0 0.5em; }
p { margin: 0 0 0.8em; }
.byline { font-style: italic; }
.dateline { font-size: 0.9em; letter-spacing: 0.02em; }
.dateline .place { font-variant: small-caps; font-weight: bold; }
.dateline .agency { font-weight: bold; }
blockquote { margin: 1em 2em; }
ul.plain { list-style: none; padding-left: 0; }
.resolution { margin: 1em 0; }
.resolution .whereas, .resolution .resolved { text-indent: -1.5em; margin-left: 1.5em; }
dl.qa dt { font-weight: bold; margin-top: 0.8em; }
dl.qa dd { margin-left: 1.5em; }
p, li, dd { overflow-wrap: break-word; }
"""

#: EPUB Accessibility metadata (schema.org terms, as the EPUB Accessibility spec asks).
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityHazard", "none"),
    ("schema:accessibilitySummary",
     "A news bulletin as text only: the title and body headings are marked as headings, and "
     "quotations, lists and question-and-answer passages use their own structure. There are "
     "no images, audio or video, and no hazards."),
)

#: dcterms:modified when the bulletin has no full date: the earliest instant a ZIP can carry.
EPOCH = datetime.datetime(*ziputil.DOS_EPOCH)

#: Canonical dateline parts -> (XHTML element, class).
_DATELINE = {"place": ("span", "place"), "date": ("time", "date"), "agency": ("span", "agency")}


def x(name: str) -> str:
    """The qualified name of an XHTML element."""
    return f"{{{XHTML_NS}}}{name}"


def h(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append an XHTML child element ("class_" for class); returns it."""
    child = etree.SubElement(parent, x(name), {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        child.text = text
    return child


class _ContentDocument(epub.EpubHtml):
    """An XHTML document whose bytes are ours: ebooklib writes them as they are."""

    def __init__(self, content: bytes, title: str, lang: str) -> None:
        super().__init__(uid="bulletin", file_name=CONTENT, title=title, lang=lang)
        self.xhtml = content

    def get_content(self, default: bytes | None = None) -> bytes:
        return self.xhtml


class EpubWriter:
    name = "epub"
    extension = "epub"
    media_type = "application/epub+zip"

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        head = model.head(doc)
        title = model.supplied_title(doc)
        messages: list[Message] = []
        content, headings = content_document(doc, title, messages)

        book = epub.EpubBook()
        book.set_identifier(f"urn:bulletin:{head.id}")
        book.set_title(title)
        book.set_language(head.lang)
        book.set_unique_metadata("OPF", "generator", "", {
            "name": "generator", "content": f"bulletin-convert {__version__} (EbookLib)"})
        if head.author or head.byline:
            book.add_author(head.author or head.byline)
        if head.agency:
            book.add_metadata("DC", "publisher", head.agency)
        date = model.full_date(head)
        if date:
            book.add_metadata("DC", "date", date)
        if head.source_url:
            book.add_metadata("DC", "source", head.source_url)
        for prop, value in ACCESSIBILITY:
            book.add_metadata(None, "meta", value, {"property": prop})

        style = epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css",
                              content=CSS)
        chapter = _ContentDocument(content, title, head.lang)
        book.add_item(chapter)
        book.add_item(style)
        book.add_item(epub.EpubNcx())
        book.add_item(epub.EpubNav(title="Contents"))
        top = epub.Link(CONTENT, title, "bulletin")
        sections = [epub.Link(f"{CONTENT}#{anchor}", text, anchor) for anchor, text in headings]
        book.toc = [(top, sections)] if sections else [top]
        book.spine = [chapter]

        packed = io.BytesIO()
        # A bulletin has no print pages: without "epub3_pages" ebooklib would re-parse the
        # content document looking for page breaks. Its archive is only an intermediate that
        # ziputil rewrites, so compressing it would be wasted work.
        mtime = datetime.datetime.fromisoformat(date) if date else EPOCH
        epub.write_epub(packed, book, {"mtime": mtime, "raise_exceptions": True,
                                       "epub3_pages": False, "compresslevel": 0})
        ziputil.rezip(packed.getvalue(), stream, date_time=ziputil.date_time(date))
        return messages


def content_document(doc: model.Element, title: str,
                     messages: list[Message]) -> tuple[bytes, list[tuple[str, str]]]:
    """The XHTML of the bulletin, and the (anchor, text) of its body headings for the nav."""
    head = model.head(doc)
    canonical_head = model.find(doc, "head")
    assert canonical_head is not None
    html = etree.Element(x("html"), nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set("lang", head.lang)
    html.set(model.LANG, head.lang)
    page_head = h(html, "head")
    h(page_head, "title", title)
    h(page_head, "link", rel="stylesheet", type="text/css", href=STYLESHEET)
    body = h(html, "body")

    header = h(body, "header")
    if head.title:
        h(header, "h1", head.title)
    byline = model.find(canonical_head, "byline")
    if byline is not None:
        _mixed(byline, h(header, "p", class_="byline"), {"name": ("span", "author")}, messages)
    dateline = model.find(canonical_head, "dateline")
    if dateline is not None:
        _mixed(dateline, h(header, "p", class_="dateline"), _DATELINE, messages)
    if len(header) == 0:
        body.remove(header)

    headings: list[tuple[str, str]] = []
    for block in model.body(doc):
        kind = model.local(block)
        if kind == "heading":
            anchor = f"section-{len(headings) + 1}"
            h(body, "h2", block.text, id=anchor)
            headings.append((anchor, block.text or ""))
        else:
            _block(body, block, kind, messages)

    data = etree.tostring(html, encoding="UTF-8", xml_declaration=True, pretty_print=True,
                          doctype="<!DOCTYPE html>")
    return data, headings


def _mixed(source: model.Element, target: etree._Element,
           names: dict[str, tuple[str, str]], messages: list[Message]) -> None:
    """Copy mixed content, each named child becoming an element with a class."""
    target.text = source.text
    for child in source.iterchildren(model.q("*")):
        name, cls = names.get(model.local(child)) or ("span", model.local(child))
        if model.local(child) not in names:
            messages.append(unrendered("EPUB", child))
        copy = h(target, name, model.text(child), class_=cls)
        if name == "time" and child.get("when"):
            copy.set("datetime", child.get("when", ""))
        copy.tail = child.tail


def _block(body: etree._Element, block: model.Element, kind: str,
           messages: list[Message]) -> None:
    children = list(block.iterchildren(model.q("*")))
    if kind == "p":
        h(body, "p", block.text)
    elif kind == "quote":
        quote = h(body, "blockquote")
        for p in children:
            h(quote, "p", p.text)
    elif kind == "list":
        kind_of_list = block.get("type")
        listing = h(body, "ol" if kind_of_list == "number" else "ul")
        if kind_of_list == "plain":
            listing.set("class", "plain")
        for item in children:
            h(listing, "li", item.text)
    elif kind == "resolution":
        resolution = h(body, "div", class_="resolution", role="group",
                       **{"aria-label": "Resolution"})
        for clause in children:
            h(resolution, "p", clause.text, class_=f"clause {clause.get('kind', 'other')}")
    elif kind == "qa":
        qa = h(body, "dl", class_="qa")
        for speech in children:
            dd = None
            for part in speech.iterchildren(model.q("*")):
                if model.local(part) == "speaker":
                    h(qa, "dt", part.text)
                    dd = None
                else:
                    if dd is None:
                        dd = h(qa, "dd")
                    h(dd, "p", part.text)
    else:  # only an unvalidated document gets here: keep its text, say what happened
        h(body, "p", model.text(block))
        messages.append(unrendered("EPUB", block))
