"""HTML: one self-contained, accessible HTML5 page per bulletin, the copy a reader opens first.

The page is semantic HTML (`main`, `article`, `header`, `time datetime`, `blockquote`,
`ol start`), in the bulletin's language, with no script and one small embedded stylesheet that
reads well on a phone and prints well. The document-level fields are `meta` elements: the
standard author and description, and every field as Dublin Core (`DC.title`, `DC.publisher`,
..., the DC-HTML convention), the same fields the other formats carry (schemas/README.md).

`HtmlPage` is the writers' visitor for HTML; the EPUB writer builds its XHTML content document
with the same class in the XHTML namespace, so both say the same thing the same way.
"""

from __future__ import annotations

from typing import BinaryIO

from lxml import etree

from .. import __version__, model
from ..messages import Message
from . import WriteOptions
from .visitor import Visitor

#: One stylesheet for the page and the EPUB: a readable column on a phone or a desktop, quotes
#: set off, list markers as the source had them, and a print layout without the screen margins.
CSS = """\
:root { color-scheme: light dark; }
body { margin: 0; font-family: Georgia, "DejaVu Serif", serif; line-height: 1.55; }
main { max-width: 38em; margin: 0 auto; padding: 0.5em 1.25em 3em; }
h1 { font-size: 1.6em; line-height: 1.2; margin: 1em 0 0.5em; }
h2 { font-size: 1.2em; line-height: 1.25; margin: 1.6em 0 0.5em; }
header h1 + h2 { margin-top: 0.5em; }
p { margin: 0 0 0.8em; }
p, li { overflow-wrap: break-word; }
.byline { font-style: italic; margin-bottom: 0.2em; }
.dateline { font-size: 0.92em; letter-spacing: 0.02em; }
.dateline .place { font-variant: small-caps; font-weight: bold; }
.dateline .agency { font-weight: bold; }
blockquote { margin: 1em 0; padding: 0 0 0 1em; border-left: 0.2em solid #888; }
ol.paren > li::marker { content: counter(list-item) ") "; }
ul.dash > li::marker { content: "– "; }
ul.plain { list-style: none; padding-left: 0; }
li { margin-bottom: 0.3em; }
.clause { padding-left: 1.5em; text-indent: -1.5em; }
@page { margin: 20mm 25mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h1, h2 { break-after: avoid; }
  p, li { orphans: 3; widows: 3; }
  blockquote { border-left-color: #000; }
}
"""

#: Where the Dublin Core names of the `meta` elements are defined (DC-HTML).
DC_SCHEMA = "http://purl.org/dc/elements/1.1/"

#: Canonical dateline parts -> (HTML element, class).
_DATELINE = {"place": ("span", "place"), "date": ("time", "date"), "agency": ("span", "agency")}


def html_date(when: str) -> str:
    """A canonical @when as HTML's `time/@datetime` has it: "--09-14" (no year) is "09-14"."""
    return when[2:] if when.startswith("--") else when


class HtmlPage(Visitor[etree._Element]):
    """The bulletin as an HTML tree: `page()` gives the `html` element."""

    label = "HTML"
    #: The namespace of the elements: none for HTML, XHTML's in an EPUB content document.
    namespace = ""

    def __init__(self, doc: model.Element) -> None:
        super().__init__(doc)
        #: (anchor, text) of each body heading, for an EPUB's navigation document.
        self.headings: list[tuple[str, str]] = []
        self._speaker: str | None = None  # a speaker label waiting for its first paragraph

    def add(self, parent: etree._Element, name: str, text: str | None = None, /,
            **attrs: str | None) -> etree._Element:
        """model.child() in this page's namespace."""
        return model.child(parent, self.tag(name), text, **attrs)

    def tag(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}" if self.namespace else name

    def page(self) -> etree._Element:
        root = etree.Element(self.tag("html"), nsmap=self.nsmap())
        root.set("lang", self.meta.language)
        self.head_elements(self.add(root, "head"))
        article = self.add(self.add(self.add(root, "body"), "main"), "article")
        self.walk(article)
        return root

    def nsmap(self) -> dict[str | None, str]:
        return {}

    def head_elements(self, head: etree._Element) -> None:
        """The page's `head`: character set, viewport, title, metadata, stylesheet."""
        m = self.meta
        self.add(head, "meta", charset="utf-8")
        self.add(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
        self.add(head, "title", m.title)
        if m.creator:
            self.add(head, "meta", name="author", content=m.creator)
        if m.description:
            self.add(head, "meta", name="description", content=m.description)
        self.add(head, "meta", name="generator", content=f"bulletin-convert {__version__}")
        self.add(head, "link", rel="schema.DC", href=DC_SCHEMA)
        fields = (("title", m.title), ("creator", m.creator), ("publisher", m.publisher),
                  ("coverage", m.coverage), ("date", m.date), ("description", m.description),
                  ("language", m.language), ("identifier", m.identifier), ("source", m.source),
                  ("relation", m.relation))
        for name, value in fields:
            if value:
                self.add(head, "meta", name=f"DC.{name}", content=value)
        self.add(head, "style", CSS)

    # --- the head's text ---------------------------------------------------------------------

    def text(self, text: str | None, into: etree._Element) -> None:
        model.add_text(into, text)

    def visit_head(self, el: model.Element, into: etree._Element) -> None:
        header = self.add(into, "header")
        super().visit_head(el, header)
        if len(header) == 0:
            into.remove(header)

    def visit_title(self, el: model.Element, into: etree._Element) -> None:
        self.add(into, "h1", el.text)

    def visit_byline(self, el: model.Element, into: etree._Element) -> None:
        self.inline(el, self.add(into, "p", class_="byline"))

    def visit_name(self, el: model.Element, into: etree._Element) -> None:
        self.add(into, "span", el.text, class_="author")

    def visit_dateline(self, el: model.Element, into: etree._Element) -> None:
        self.inline(el, self.add(into, "p", class_="dateline"))

    def visit_place(self, el: model.Element, into: etree._Element) -> None:
        self.add(into, "span", el.text, class_="place")

    def visit_date(self, el: model.Element, into: etree._Element) -> None:
        self.add(into, "time", model.shown_date(el), class_="date",
                 datetime=html_date(el.get("when", "")))

    def visit_agency(self, el: model.Element, into: etree._Element) -> None:
        self.add(into, "span", el.text, class_="agency")

    # --- the body ------------------------------------------------------------------------------

    def visit_p(self, el: model.Element, into: etree._Element) -> None:
        opening, closing = model.quote_marks(el)
        text = f"{opening}{el.text or ''}{closing}"
        if self._speaker is None:
            self.add(into, "p", text)
            return
        p = self.add(into, "p")
        self.add(p, "b", f"{self._speaker}:", class_="speaker").tail = f" {text}"
        self._speaker = None

    def visit_heading(self, el: model.Element, into: etree._Element) -> None:
        anchor = f"section-{len(self.headings) + 1}"
        self.add(into, f"h{self.heading_level}", el.text, id=anchor)
        self.headings.append((anchor, el.text or ""))

    def visit_quote(self, el: model.Element, into: etree._Element) -> None:
        self.blocks(el, self.add(into, "blockquote"))

    def visit_list(self, el: model.Element, into: etree._Element) -> None:
        kind = el.get("type")
        if kind == "number":
            start, suffix = model.list_numbering(el)
            listing = self.add(into, "ol", start=str(start) if start != 1 else None,
                               class_="paren" if suffix == ")" else None)
        else:
            dash = kind == "bullet" and model.bullet(el) == "–"
            listing = self.add(into, "ul", class_="plain" if kind == "plain" else
                               "dash" if dash else None)
        self.blocks(el, listing)

    def visit_item(self, el: model.Element, into: etree._Element) -> None:
        self.add(into, "li", el.text)

    def visit_resolution(self, el: model.Element, into: etree._Element) -> None:
        self.blocks(el, self.add(into, "div", class_="resolution", role="group",
                                 aria_label="Resolution"))

    def visit_clause(self, el: model.Element, into: etree._Element) -> None:
        lead, rest = model.clause_parts(el)
        p = self.add(into, "p", class_=f"clause {el.get('kind', 'other')}")
        if lead:
            self.add(p, "b", lead).tail = rest
        else:
            p.text = rest

    def visit_qa(self, el: model.Element, into: etree._Element) -> None:
        self.blocks(el, self.add(into, "div", class_="qa"))

    def visit_speech(self, el: model.Element, into: etree._Element) -> None:
        speech = self.add(into, "div", class_="speech")
        self.blocks(el, speech)
        if self._speaker is not None:  # a label with no paragraph (an unvalidated document)
            self.add(self.add(speech, "p"), "b", f"{self._speaker}:", class_="speaker")
            self._speaker = None

    def visit_speaker(self, el: model.Element, into: etree._Element) -> None:
        self._speaker = el.text or ""


class HtmlWriter:
    name = "html"
    extension = "html"
    media_type = "text/html"
    visitor = HtmlPage

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        page = HtmlPage(doc)
        stream.write(etree.tostring(page.page(), method="html", encoding="UTF-8",
                                    doctype="<!DOCTYPE html>", pretty_print=True) + b"\n")
        return page.messages
