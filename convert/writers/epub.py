"""EPUB 3: one bulletin as a small, accessible e-book: EPUBCheck and DAISY Ace pass it clean.

ebooklib assembles the package (OPF, nav document, NCX); the content document is the HTML
writer's page in the XHTML namespace (`EpubContent`, on the writers' visitor), built with lxml,
so ebooklib's HTML round trip (which crashes on an empty body) never touches it. The package
states its language (`xml:lang` on the OPF package) and makes the EPUB Accessibility 1.1
conformance claim with its schema.org accessibility metadata, each of which is true of every
EPUB this writer makes (tests/test_a11y.py checks them with Ace).

Everything that could vary between runs is pinned: the identifier is our id as a URN, the
modification date is the bulletin's date, and the archive is rewritten by `ziputil` with
fixed entry times.
"""

from __future__ import annotations

import datetime
from typing import IO, Any, BinaryIO

from ebooklib import epub
from lxml import etree

from .. import __version__, model
from ..messages import Message
from . import WriteOptions, ziputil
from .html import CSS, HtmlPage

XHTML_NS = "http://www.w3.org/1999/xhtml"

CONTENT = "bulletin.xhtml"
STYLESHEET = "style/bulletin.css"

#: The conformance claim, spelled as EPUB Accessibility 1.1 (section 2.1) requires.
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"

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
     "A news bulletin as text only, in one reading order, with no images, audio, video or "
     "scripts, and no hazards. Its title and section headings, where it has them, are marked "
     "as headings and listed in the table of contents; quotations, lists, resolutions and "
     "question-and-answer passages keep their own structure; the text can be restyled and "
     "enlarged. The conformance claim is made by bulletin-convert, whose test suite checks "
     "the EPUBs it makes with DAISY Ace and EPUBCheck."),
    ("dcterms:conformsTo", CONFORMANCE),
)

#: dcterms:modified when the bulletin has no full date: the earliest instant a ZIP can carry.
EPOCH = datetime.datetime(*ziputil.DOS_EPOCH)


class EpubContent(HtmlPage):
    """The HTML writer's page as an XHTML content document with an external stylesheet."""

    label = "EPUB"
    namespace = XHTML_NS

    def nsmap(self) -> dict[str | None, str]:
        return {None: XHTML_NS}

    def page(self) -> etree._Element:
        root = super().page()
        root.set(model.LANG, self.meta.language)
        return root

    def head_elements(self, head: etree._Element) -> None:
        self.add(head, "meta", charset="utf-8")
        self.add(head, "title", self.meta.title)
        self.add(head, "link", rel="stylesheet", type="text/css", href=STYLESHEET)


class _ContentDocument(epub.EpubHtml):
    """An XHTML document whose bytes are ours: ebooklib hands them on as they are, here as
    the function that writes them into the archive (`ziputil.Data`), so that a long
    bulletin's XHTML is never held whole besides its tree."""

    def __init__(self, content: ziputil.Data, title: str, lang: str) -> None:
        # The media type given: ebooklib would guess it from the system's MIME table
        # (mimetypes.init reads /etc/mime.types, 9 ms of every process that writes an EPUB).
        super().__init__(uid="bulletin", file_name=CONTENT, media_type="application/xhtml+xml",
                         title=title, lang=lang)
        self.xhtml = content

    def get_content(self, default: bytes | None = None) -> Any:  # ziputil.Data, for _Entries
        return self.xhtml


class _Entries:
    """What ebooklib's writer writes to in place of a ZipFile: the entries' names and bytes,
    in order, for `ziputil.write_zip` to pack once, reproducibly. (An archive ebooklib packed
    would be read back and packed again: a third of the writer's time.)"""

    def __init__(self) -> None:
        self.items: list[tuple[str, ziputil.Data]] = []

    def writestr(self, name: str, data: str | ziputil.Data,
                 compress_type: int | None = None) -> None:
        self.items.append((name, data.encode("utf-8") if isinstance(data, str) else data))


class _Packager(epub.EpubWriter):
    """ebooklib's writer, giving the OPF package the book's language (ebooklib sets none),
    and handing its entries over instead of packing them."""

    def _write_opf_file(self, root: Any) -> None:
        root.set(model.LANG, self.book.language)
        super()._write_opf_file(root)

    def entries(self) -> list[tuple[str, ziputil.Data]]:
        """The book's entries but `mimetype` (ziputil writes that one first), in the order
        ebooklib's `write` makes them: the container, the package, the items."""
        self.out = _Entries()
        self._write_container()
        self._write_opf()
        self._write_items()
        return self.out.items


class EpubWriter:
    name = "epub"
    extension = "epub"
    media_type = "application/epub+zip"
    visitor = EpubContent

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        page = EpubContent(doc)
        page.progress = options.progress
        tree = etree.ElementTree(page.page())

        def content(entry: IO[bytes]) -> None:
            tree.write(entry, encoding="UTF-8", xml_declaration=True, pretty_print=True,
                       doctype="<!DOCTYPE html>")

        meta = page.meta

        book = epub.EpubBook()
        book.set_identifier(f"urn:bulletin:{meta.identifier}")
        book.set_title(meta.title)
        book.set_language(meta.language)
        book.set_unique_metadata("OPF", "generator", "", {
            "name": "generator", "content": f"bulletin-convert {__version__} (EbookLib)"})
        if meta.creator:
            book.add_author(meta.creator)
        fields = (("publisher", meta.publisher), ("coverage", meta.coverage),
                  ("date", meta.date), ("description", meta.description),
                  ("source", meta.source), ("relation", meta.relation))
        for name, value in fields:
            if value:
                book.add_metadata("DC", name, value)
        for prop, value in ACCESSIBILITY:
            book.add_metadata(None, "meta", value, {"property": prop})
        book.add_metadata(None, "meta", options.extra.get("publisher", "bulletin-convert"),
                          {"property": "a11y:certifiedBy"})

        style = epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css",
                              content=CSS.encode())
        chapter = _ContentDocument(content, meta.title, meta.language)
        book.add_item(chapter)
        book.add_item(style)
        book.add_item(epub.EpubNcx())
        book.add_item(epub.EpubNav(title="Contents"))
        top = epub.Link(CONTENT, meta.title, "bulletin")
        sections = [epub.Link(f"{CONTENT}#{anchor}", text, anchor)
                    for anchor, text in page.headings]
        book.toc = [(top, sections)] if sections else [top]
        book.spine = [chapter]

        # A bulletin has no print pages: without "epub3_pages" ebooklib would re-parse the
        # content document looking for page breaks.
        mtime = datetime.datetime.fromisoformat(meta.date) if meta.date else EPOCH
        packager = _Packager(None, book, {"mtime": mtime, "raise_exceptions": True,
                                          "epub3_pages": False})
        packager.process()
        ziputil.write_zip(stream, packager.entries(), mimetype=self.media_type,
                          date_time=ziputil.date_time(meta.date))
        return page.messages
