"""PDF rendition claiming PDF/A-2b and PDF/UA-1: reportlab lays the pages out, and this
module adds what archives and screen readers need.

reportlab has no PDF/A mode, so the work is done in three steps:

1. platypus sets the document in DejaVu Serif (Regular, Bold, Italic, BoldItalic; Latin, Greek
   and Cyrillic), shipped in `convert/data/fonts` and embedded as subsets, ragged right (WCAG
   1.4.8 asks for unjustified text; justified lines without hyphenation left wide gaps, worst
   in a narrow quotation). The canvas's initial font and every style's bullet font name that
   face, or reportlab would reference an unembedded Helvetica. `_Story`, the writers' visitor
   for PDF, builds the flowables and the structure tree together, a body block at a time as
   the layout reaches it (`_Queue`): every block is drawn inside a marked-content sequence of
   its structure element (H1 title, P, BlockQuote, L / LI / Lbl / LBody, Div), each line ends
   with a real space, and page furniture (the rule under the heading block, the running
   footer) is drawn as artifacts.
2. the canvas (`_Canvas`), as reportlab writes the file, adds the sRGB OutputIntent (the ICC
   profile ships with pinned bytes), the XMP packet (pdfaid part 2, conformance B, pdfuaid
   part 1 with the extension schema PDF/A requires for it, and Dublin Core) in step with the
   Info dictionary, /MarkInfo, /Lang and DisplayDocTitle, and a placeholder for the structure
   tree's root.
3. `_write_file`, in place of reportlab's last step, writes reportlab's objects to the output
   one at a time, as they are formatted (reportlab would make the whole file in memory), and
   the structure tree after them, in compressed object streams, with one cross-reference
   stream and an /ID derived from the content: reportlab never holds the tree as objects of
   its own (221,000 elements for a 20 MB bulletin). tests/pdf_ua.py lists the PDF/UA rules
   the test suite checks, and those it cannot.

Output is byte-identical for the same document whatever the clock or time zone: reportlab runs
in its invariant mode and every date written is the bulletin's own date.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import struct
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast
from xml.sax.saxutils import escape

from lxml import etree
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFFile,
    PDFIndirectObject,
    PDFInfo,
    PDFName,
    PDFObject,
    PDFPage,
    PDFString,
    PDFZCompress,
)
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus.flowables import HRFlowable

from .. import __version__, model
from ..messages import Message, WriterError, warning
from . import Progress, WriteOptions
from .visitor import Visitor

DATA = Path(__file__).resolve().parent.parent / "data"
FONT = "DejaVuSerif"
_FACES = {"": "normal", "-Bold": "bold", "-Italic": "italic", "-BoldItalic": "boldItalic"}
SRGB_PROFILE = DATA / "sRGB.icc"
SRGB = "sRGB IEC61966-2.1"
PAPER = {"a4": A4, "letter": LETTER}
PRODUCER = f"bulletin-convert {__version__}"

_MARGIN_X = 27 * mm
_MARGIN_TOP = 22 * mm
_MARGIN_BOTTOM = 24 * mm
_FOOTER_Y = 13 * mm
#: reportlab re-wraps the rest of a paragraph at every page break (quadratic in its length),
#: so longer paragraphs are set as several consecutive pieces cut at sentence ends.
_PIECE = 3000
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")
#: Where a token too wide for a line (a URL, a path) may be broken, as the Chicago Manual of
#: Style has it: after "//" or a colon, before a single slash and other punctuation. Never after
#: a hyphen: a line ending in "-" reads as a hyphenated word (pdftotext joins the halves).
_BREAKS = re.compile(r"(?<=//)|(?<=:)(?!/)|(?<![/:])(?=/(?!/))|(?=[~.,\-_?#%=&@])")


# --- fonts and styles (once per process) ---------------------------------------------------


@dataclass(frozen=True)
class _Kit:
    """The registered faces and the paragraph styles, built once per process."""

    styles: dict[str, ParagraphStyle]
    glyphs: frozenset[int]  # code points every face can draw
    widest: float  # the widest advance of any glyph of the faces, in ems


@functools.cache
def _kit() -> _Kit:
    """Register the shipped faces with reportlab and build the styles (parsing TTFs is slow)."""
    for suffix in _FACES:
        if f"{FONT}{suffix}" not in pdfmetrics.getRegisteredFontNames():
            path = DATA / "fonts" / f"{FONT}{suffix}.ttf"
            pdfmetrics.registerFont(TTFont(f"{FONT}{suffix}", str(path)))
    pdfmetrics.registerFontFamily(FONT, **{v: f"{FONT}{k}" for k, v in _FACES.items()})
    faces = [cast(TTFont, pdfmetrics.getFont(f"{FONT}{suffix}")).face for suffix in _FACES]
    glyphs = frozenset.intersection(*(frozenset(f.charToGlyph) for f in faces))
    widest = max(max(f.charWidths.values()) for f in faces)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = dict(
            fontName=FONT, bulletFontName=FONT, fontSize=10.5, leading=15, alignment=TA_LEFT,
            spaceAfter=7, allowWidows=0, allowOrphans=0, splitLongWords=1, uriWasteReduce=0,
            embeddedHyphenation=0, hyphenationLang="",
        )
        base.update(kw)
        return ParagraphStyle(name, **base)

    styles = {
        "title": style("title", fontName=f"{FONT}-Bold", fontSize=21, leading=25,
                       spaceAfter=9, keepWithNext=1),
        "byline": style("byline", fontName=f"{FONT}-Italic", fontSize=10.5, leading=14,
                        spaceAfter=2, keepWithNext=1),
        "dateline": style("dateline", fontSize=9.5, leading=13,
                          spaceAfter=6, keepWithNext=1, textColor="#333333"),
        "p": style("p"),
        "quote": style("quote", fontSize=10, leading=14, leftIndent=22, rightIndent=22,
                       spaceAfter=5),
        "heading": style("heading", fontName=f"{FONT}-Bold", fontSize=12.5, leading=16,
                         spaceBefore=8, spaceAfter=5, keepWithNext=1),
        "item": style("item", leftIndent=22, bulletIndent=8, spaceAfter=3),
        "clause": style("clause", leftIndent=14, spaceAfter=5),
        "speech": style("speech"),
        "footer": style("footer", fontSize=8, leading=10,
                        textColor="#555555"),
    }
    return _Kit(styles, glyphs, widest / 1000)


# --- the structure tree: elements made with the story, marked content recorded while drawing --


class _Tagger:
    """The structure tree, kept flat in arrays, and the marked-content sequences drawn into it.

    An element is a number: elements are numbered in the order they are made, which is tree
    order, as the story makes an element before those below it and after those below its
    earlier siblings (the walk is depth-first); element 0 is the Document. A sequence is
    numbered in the order it is drawn, page after page. As objects (an element with a list of
    kids, a sequence as a (page, MCID) pair) the 221,000 elements and 150,000 sequences of a
    20 MB bulletin cost 45 MB until the file was written; as arrays, 4 MB."""

    def __init__(self) -> None:
        self.tags: list[str] = ["Document"]  # each element's type
        self.parents = array("i", [-1])  # each element's parent
        self.owners = array("i")  # the element of each sequence
        self.pages = array("i")  # the page index of each sequence
        self.opened: dict[int, int] = {}  # page index -> its first sequence (MCID 0)

    def add(self, parent: int, tag: str) -> int:
        """A new element below `parent`, after the kids it has."""
        self.tags.append(tag)
        self.parents.append(parent)
        return len(self.tags) - 1

    def begin(self, canvas: Canvas, element: int) -> None:
        page = canvas.getPageNumber() - 1
        mcid = len(self.owners) - self.opened.setdefault(page, len(self.owners))
        canvas.addLiteral(f"/{self.tags[element]} <</MCID {mcid}>> BDC")
        self.owners.append(element)
        self.pages.append(page)

    @staticmethod
    def artifact(canvas: Canvas, kind: str = "/Layout") -> None:
        canvas.addLiteral(f"/Artifact <</Type {kind}>> BDC")

    @staticmethod
    def end(canvas: Canvas) -> None:
        canvas.addLiteral("EMC")


class _Lines(PDFTextObject):
    """A paragraph's text object that ends every line with a space.

    reportlab breaks lines between words and drops the space there, so text read by structure
    (a screen reader, `pdfinfo -struct-text`) ran the last word of a line into the first of the
    next; ISO 32000-1 (14.8.2.5) asks for a real space between words. A trailing space is
    invisible and changes no layout."""

    def _textOut(self, text: str, TStar: int = 0) -> None:
        super()._textOut(f"{text} " if TStar else text, TStar)  # type: ignore[misc]  # private


class _Block(Paragraph):
    """A paragraph drawn as marked content of its structure node (kept across page splits).

    A list item's paragraph also draws the item's label ("3.", "•") in the left indent, as
    marked content of its own `Lbl` element, beside the `LBody` (reportlab's bulletText would
    draw it inside the body's marked content)."""

    node: int
    tagger: _Tagger
    label: tuple[int, str] | None = None

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        for i, part in enumerate(parts):
            assert isinstance(part, _Block)  # a paragraph splits into paragraphs of its class
            part.node, part.tagger = self.node, self.tagger
            part.label = self.label if i == 0 else None
        return parts

    def beginText(self, x: float, y: float) -> PDFTextObject:
        return _Lines(self.canv, x, y)

    def draw(self) -> None:
        if self.label is not None:
            node, text = self.label
            style = self.style
            self.tagger.begin(self.canv, node)
            self.canv.saveState()
            self.canv.setFont(style.bulletFontName, style.bulletFontSize)
            self.canv.setFillColor(style.textColor)
            # the first baseline, where reportlab's drawPara sets the first line
            self.canv.drawString(style.bulletIndent, self.height - style.fontSize, text)
            self.canv.restoreState()
            self.tagger.end(self.canv)
        self.tagger.begin(self.canv, self.node)
        super().draw()
        self.tagger.end(self.canv)


@dataclass(frozen=True, slots=True)
class _Pending:
    """A paragraph of the story not made yet: reportlab parses a Paragraph's markup when it
    is made and keeps the result, so making each only when the layout reaches it (see
    `_Queue`) keeps one page's worth alive instead of the whole document's."""

    markup: str
    style: ParagraphStyle
    node: int
    tagger: _Tagger
    label: tuple[int, str] | None

    def make(self) -> _Block:
        block = _Block(self.markup, self.style)
        block.node, block.tagger, block.label = self.node, self.tagger, self.label
        return block

    def getKeepWithNext(self) -> bool:
        """What the paragraph made will say (reportlab's name and rule)."""
        return bool(getattr(self.style, "keepWithNext", 0))


class _Queue:
    """The story as reportlab's build loop consumes it: taken from the front, split parts put
    back at the front, the first few looked at (keepWithNext).

    The story's parts (see `_Story.story`) are taken as the layout reaches them, so the queue
    holds a window of it, not the 100,000 flowables of a 20 MB bulletin. reportlab looks
    ahead for keepWithNext as far as len() says, so len() first takes parts until the window
    ends with a flowable that does not keep with the next, or the story ends: the run of them
    at the front ends inside the window, as it would in the whole story. The window is kept
    in reverse order, so that taking the front is a pop (`del story[0]` on a list moves every
    later item); a `_Pending` paragraph is made when reportlab first looks at it."""

    def __init__(self, parts: Iterator[list[Flowable | _Pending]]) -> None:
        self._parts = parts
        self._items: list[Flowable | _Pending] = []

    def _take(self) -> bool:
        """Put the story's next part behind the window; False once the story has ended."""
        part = next(self._parts, None)
        if part is None:
            return False
        self._items[:0] = reversed(part)
        return True

    def __len__(self) -> int:
        while (not self._items or self._items[0].getKeepWithNext()) and self._take():
            pass
        return len(self._items)

    def _at(self, index: int) -> Flowable:
        while len(self._items) <= index and self._take():
            pass
        if not 0 <= index < len(self._items):  # no wrapping round: iteration must end
            raise IndexError(index)
        position = len(self._items) - 1 - index
        item = self._items[position]
        if isinstance(item, _Pending):
            item = self._items[position] = item.make()
        return item

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):  # story[:n]
            assert key.start is None and key.step is None and key.stop is not None
            return [self._at(i) for i in range(key.stop)]
        return self._at(key)

    def __delitem__(self, key: int | slice) -> None:
        if isinstance(key, slice):  # del story[:n]
            assert key.start is None and key.step is None and key.stop is not None
            del self._items[len(self._items) - key.stop:]
        else:
            assert key == 0
            self._items.pop()

    def __setitem__(self, key: slice, items: list[Flowable]) -> None:
        assert key == slice(0, 0)  # story[0:0] = parts
        self._items.extend(reversed(items))

    def insert(self, index: int, item: Flowable) -> None:
        assert index == 0
        self._items.append(item)


class _Stream(PDFObject):
    """A stream whose data is encoded already, as `entries` say (reportlab's PDFStream would
    add a filter, or an empty /Filter, to the XMP packet, which PDF/A wants unfiltered);
    written as reportlab writes its own (`_write_file` adds the end of line before
    `endstream` to all of them)."""

    __RefOnly__ = 1  # a stream is an indirect object

    def __init__(self, entries: dict[str, Any], data: bytes) -> None:
        self.entries = entries
        self.data = data

    def format(self, document: Any) -> bytes:
        head = PDFDictionary({**self.entries, "Length": len(self.data)}).format(document)
        return bytes(head) + b"\nstream\n" + self.data + b"endstream\n"


class _Info(PDFInfo):
    """The Info dictionary with the entries given only: reportlab's adds a subject, keywords
    and dates of its own, and PDF/A wants every entry in step with the XMP packet."""

    def __init__(self, entries: dict[str, str]) -> None:
        super().__init__()
        self.entries = entries

    def format(self, document: Any) -> bytes:
        return bytes(PDFDictionary({k: PDFString(v) for k, v in self.entries.items()})
                     .format(document))


#: A page's content stream's dictionary, and a page's entries when it holds marked content:
#: shared by the pages, not made for each (a 20 MB bulletin has 7,400 pages, alive until
#: written).
_FLATE = {"Filter": PDFName("FlateDecode")}
_TAGGED_PAGE = [*PDFPage.__NoDefault__, "StructParents"]


class _Canvas(Canvas):
    """reportlab's canvas, making the file PDF/A-2b and PDF/UA-1 as it goes.

    Each page's content is compressed as the page ends (reportlab keeps it all, uncompressed,
    until it writes the file: about 40 MB for a 20 MB bulletin), without reportlab's empty
    page transition (noise PDF/A checkers query), with /StructParents when the page holds
    marked content. When the file is written, the catalog gets the OutputIntent, the XMP
    packet, /MarkInfo, DisplayDocTitle and an empty placeholder for the structure tree's root,
    and the Info dictionary says what the XMP packet says. The file goes to `out` as
    `_write_file` writes it, object by object, with the structure tree after reportlab's
    objects: PDF 1.5, for its object streams and cross-reference stream."""

    def __init__(self, out: BinaryIO, *args: Any, story: _Story, **kw: Any) -> None:
        super().__init__(out, *args, **{**kw, "pdfVersion": (1, 5)})
        self.out = out
        self.story = story

    def showPage(self) -> None:
        super().showPage()
        pages = self._doc.Pages.pages  # type: ignore[attr-defined]  # reportlab's, private
        page = pages[-1]
        page.Contents = _Stream(_FLATE, PDFZCompress.encode(page.stream))
        page.stream = None
        page.Trans = None
        if (index := len(pages) - 1) in self.story.tagger.opened:
            page.__NoDefault__ = _TAGGED_PAGE
            page.StructParents = index

    def save(self) -> None:
        doc = self._doc  # type: ignore[attr-defined]  # reportlab's, private
        meta = self.story.meta
        catalog = doc.Catalog
        catalog.__NoDefault__ = [*catalog.__NoDefault__, "OutputIntents"]
        catalog.__Refs__ = [k for k in catalog.__Refs__ if k not in ("MarkInfo",
                                                                     "ViewerPreferences")]
        catalog.OutputIntents = PDFArray([PDFDictionary({
            "Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(SRGB), "Info": PDFString(SRGB),
            "DestOutputProfile": _Stream({"N": 3, "Filter": PDFName("FlateDecode")}, _srgb()),
        })])
        catalog.ViewerPreferences = PDFDictionary({"DisplayDocTitle": "true"})
        catalog.MarkInfo = PDFDictionary({"Marked": "true"})
        catalog.StructTreeRoot = root = PDFDictionary({})
        catalog.Metadata = _Stream({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")},
                                   _xmp(meta))
        info = {"Title": meta.title, "Author": meta.creator, "Subject": meta.description,
                "Creator": PRODUCER, "Producer": PRODUCER}
        if meta.date:
            info["CreationDate"] = info["ModDate"] = f"D:{meta.date.replace('-', '')}000000+00'00"
        doc.info = _Info({k: v for k, v in info.items() if v})
        # reportlab's save writes to `out` what doc.format() returns: the whole file, made in
        # memory; `_write_file` writes it to `out` itself and returns nothing
        doc.format = functools.partial(_write_file, doc, self.story.tagger, root, self.out)
        super().save()


class _Rule(HRFlowable):
    """The rule under the heading block: decoration, so an artifact."""

    def draw(self) -> None:
        _Tagger.artifact(self.canv)
        super().draw()
        _Tagger.end(self.canv)


# --- from canonical elements to flowables, on the writers' visitor -------------------------


@dataclass(frozen=True)
class _Slot:
    """Where the visitor puts what it renders: the structure element blocks go into and the
    style their paragraphs take; inside a byline or dateline, the markup of its paragraph."""

    node: int
    style: ParagraphStyle
    markup: list[str] | None = None


class _Story(Visitor[_Slot]):
    """Builds the flowables of one document and the structure tree they are drawn into."""

    label = "PDF"

    def __init__(self, doc: model.Element, kit: _Kit, width: float) -> None:
        super().__init__(doc)
        self.kit = kit
        self.width = width
        self.tagger = _Tagger()
        self.flowables: list[Flowable | _Pending] = []  # the part being made
        self._body: model.Element | None = None  # walked by story(), see visit_body
        #: Every character the story sets (and markup's ASCII): the glyphs it needs, gathered
        #: here rather than from the document's text joined whole (20 MB for a 20 MB bulletin).
        self.drawn: set[str] = set()
        self._speaker: str | None = None  # a speaker label waiting for its first paragraph

    def story(self) -> Iterator[list[Flowable | _Pending]]:
        """The flowables, in parts made as the layout takes them: the head's, then each body
        block's (made up front, the story of a 20 MB bulletin held 50 MB until laid out)."""
        into = _Slot(0, self.kit.styles["p"])
        self.walk(into)
        yield self.flowables
        assert self._body is not None  # a canonical document has a body
        for block in self.body_blocks(self._body):
            self.flowables = []
            self.visit(block, into)
            yield self.flowables

    def para(self, parent: int, tag: str, style: ParagraphStyle, text: str, *,
             lead: str = "", label: str | None = None) -> None:
        """Add `text` as one structure element; `lead` is markup set before it (a speaker's
        or a clause's label), `label` a list item's label (the element is then its LBody)."""
        item_label = (self.tagger.add(parent, "Lbl"), label) if label is not None else None
        node = self.tagger.add(parent, tag)
        pieces = list(_pieces(text, functools.partial(self.markup, style=style), style,
                              self.width))
        for i, piece in enumerate(pieces):
            markup = self.markup(piece, style)
            if i == 0:
                markup = lead + markup
            piece_style = style
            if len(pieces) > 1:  # the pieces of a long paragraph read as one paragraph
                piece_style = ParagraphStyle(
                    f"{style.name}-piece", parent=style,
                    spaceBefore=style.spaceBefore if i == 0 else 0,
                    spaceAfter=style.spaceAfter if i == len(pieces) - 1 else 0)
            self.add(markup, piece_style, node, item_label if i == 0 else None)

    def add(self, markup: str, style: ParagraphStyle, node: int,
            label: tuple[int, str] | None = None) -> None:
        self.flowables.append(_Pending(markup, style, node, self.tagger, label))
        self.drawn.update(markup)
        if label is not None:
            self.drawn.update(label[1])

    def markup(self, text: str, style: ParagraphStyle) -> str:
        """Escaped paragraph markup, with line breaks forced inside tokens wider than a line."""
        avail = self.width - style.leftIndent - style.rightIndent
        shortest = int(avail / (self.kit.widest * style.fontSize))  # shorter tokens fit
        if len(text) <= shortest:
            return escape(text)
        out: list[str] = []
        pos = 0
        for m in re.finditer(rf"\S{{{shortest},}}", text):
            out.append(escape(text[pos:m.start()]))
            out.append("<br/>".join(escape(p) for p in _break(m.group(), style, avail)))
            pos = m.end()
        out.append(escape(text[pos:]))
        return "".join(out)

    # --- the head's text -----------------------------------------------------------------

    def text(self, text: str | None, into: _Slot) -> None:
        assert into.markup is not None
        if text:
            into.markup.append(self.markup(text, into.style))

    def visit_head(self, el: model.Element, into: _Slot) -> None:
        super().visit_head(el, into)
        if self.flowables:
            self.flowables.append(_Rule(width="100%", thickness=0.6, color="#888888",
                                        spaceBefore=2, spaceAfter=10))

    def visit_title(self, el: model.Element, into: _Slot) -> None:
        self.para(into.node, "H1", self.kit.styles["title"], el.text or "")

    def _mixed(self, el: model.Element, into: _Slot, style: str) -> None:
        """A byline or dateline: one paragraph of its text and its marked parts."""
        slot = _Slot(self.tagger.add(into.node, "P"), self.kit.styles[style], [])
        self.inline(el, slot)
        assert slot.markup is not None
        self.add("".join(slot.markup), slot.style, slot.node)

    def visit_byline(self, el: model.Element, into: _Slot) -> None:
        self._mixed(el, into, "byline")

    def visit_dateline(self, el: model.Element, into: _Slot) -> None:
        self._mixed(el, into, "dateline")

    def visit_name(self, el: model.Element, into: _Slot) -> None:
        self.text(el.text, into)

    def visit_date(self, el: model.Element, into: _Slot) -> None:
        self.text(model.shown_date(el), into)

    def visit_place(self, el: model.Element, into: _Slot) -> None:
        assert into.markup is not None
        into.markup.append(f"<b>{self.markup(el.text or '', into.style)}</b>")

    visit_agency = visit_place

    # --- the body --------------------------------------------------------------------------

    def visit_body(self, el: model.Element, into: _Slot) -> None:
        self._body = el  # walked a block at a time, as the layout reaches it (see story)

    def visit_p(self, el: model.Element, into: _Slot) -> None:
        opening, closing = model.quote_marks(el)
        lead = ""
        if self._speaker is not None:
            lead, self._speaker = f"<b>{escape(self._speaker)}:</b> ", None
        self.para(into.node, "P", into.style, f"{opening}{el.text or ''}{closing}", lead=lead)

    def visit_heading(self, el: model.Element, into: _Slot) -> None:
        self.para(into.node, f"H{self.heading_level}", self.kit.styles["heading"], el.text or "")

    def visit_quote(self, el: model.Element, into: _Slot) -> None:
        self.blocks(el, _Slot(self.tagger.add(into.node, "BlockQuote"), self.kit.styles["quote"]))

    def visit_list(self, el: model.Element, into: _Slot) -> None:
        style = self.kit.styles["item"]
        labels = [model.item_label(item) or "" for item in el.iterchildren(model.q("item"))]
        widest = max((pdfmetrics.stringWidth(t, style.bulletFontName, style.bulletFontSize)
                      for t in labels), default=0.0)
        indent = style.bulletIndent + widest + style.bulletFontSize * 0.5
        if indent > style.leftIndent:  # "10." and longer labels push the items' text right
            style = ParagraphStyle(f"item-{indent:.0f}", parent=style, leftIndent=indent)
        self.flowables.append(Spacer(0, 3))
        self.blocks(el, _Slot(self.tagger.add(into.node, "L"), style))
        self.flowables.append(Spacer(0, 5))

    def visit_item(self, el: model.Element, into: _Slot) -> None:
        self.para(self.tagger.add(into.node, "LI"), "LBody", into.style, el.text or "",
                  label=model.item_label(el))

    def visit_resolution(self, el: model.Element, into: _Slot) -> None:
        self.blocks(el, _Slot(self.tagger.add(into.node, "Div"), self.kit.styles["clause"]))

    def visit_clause(self, el: model.Element, into: _Slot) -> None:
        lead, rest = model.clause_parts(el)
        self.para(into.node, "P", into.style, rest,
                  lead=f"<b>{escape(lead)}</b>" if lead else "")

    def visit_qa(self, el: model.Element, into: _Slot) -> None:
        self.blocks(el, _Slot(self.tagger.add(into.node, "Div"), self.kit.styles["speech"]))

    def visit_speech(self, el: model.Element, into: _Slot) -> None:
        self.blocks(el, into)
        if self._speaker is not None:  # a label with no paragraph (an unvalidated document)
            label, self._speaker = self._speaker, None
            self.para(into.node, "P", into.style, "", lead=f"<b>{escape(label)}:</b>")

    def visit_speaker(self, el: model.Element, into: _Slot) -> None:
        self._speaker = el.text or ""


def _pieces(text: str, markup: Callable[[str], str], style: ParagraphStyle,
            width: float) -> Iterator[str]:
    """Cut a very long paragraph into pieces of about _PIECE characters, each ending where
    the layout ends a line, so that the next piece starts a line where the whole paragraph
    would have started one (cut at a sentence end, a piece ended in a short line: a break a
    reader takes for a new paragraph). Where no line end is found, at a sentence end."""
    while len(text) > _PIECE * 1.5:
        cut = _line_end(text, markup, style, width)
        if cut is None:
            cut = next((m.start() for m in _SENTENCE_END.finditer(text, _PIECE)), None)
            if cut is None or cut > _PIECE * 2:
                cut = text.find(" ", _PIECE)
        if cut < 0:
            break
        yield text[:cut]
        text = text[cut + 1:]
    yield text


def _line_end(text: str, markup: Callable[[str], str], style: ParagraphStyle,
              width: float) -> int | None:
    """Where the first line ending past _PIECE characters of `text` ends (the space after it),
    found by laying out the next 2 x _PIECE characters (reportlab re-wraps a paragraph at each
    page break, so only a window is laid out); None when the lines do not give it back word
    for word (a token broken to fit, a line of several fonts)."""
    stop = text.rfind(" ", 0, 2 * _PIECE)
    if stop <= _PIECE:
        return None  # no word boundary to cut at
    laid = Paragraph(markup(text[:stop]), style)
    laid.wrap(width, 1 << 30)
    broken = laid.blPara  # type: ignore[attr-defined]  # reportlab's lines, kind 0: one font
    taken: list[str] = []
    end = -1
    for _extra, words in broken.lines[:-1] if broken.kind == 0 else []:
        taken += words  # the window's last line (left out) may end only with the window
        end += 1 + sum(map(len, words)) + len(words) - 1
        if end >= _PIECE:
            return end if text[end:end + 1] == " " and text[:end] == " ".join(taken) else None
    return None


def _break(token: str, style: ParagraphStyle, avail: float) -> list[str]:
    """Cut a token wider than the line into pieces that fit, at URL break points if any."""
    width = functools.partial(pdfmetrics.stringWidth, fontName=style.fontName,
                              fontSize=style.fontSize)
    if width(token) <= avail:
        return [token]
    pieces: list[str] = []
    current = ""
    for segment in _BREAKS.split(token):
        if width(current + segment) <= avail:
            current += segment
            continue
        if current:
            pieces.append(current)
        current = ""
        for ch in segment:  # a run with no separator wider than the line: cut anywhere
            if current and width(current + ch) > avail:
                pieces.append(current)
                current = ""
            current += ch
    if current:
        pieces.append(current)
    return pieces


class _LayoutProgress:
    """`WriteOptions.progress` during the layout: the body blocks it has reached (the story
    makes a block's flowables when the layout takes them) and the page it is on."""

    def __init__(self, report: Progress) -> None:
        self.report = report
        self.page = 1

    def pages(self, kind: str, value: int) -> None:
        """reportlab's build callback."""
        if kind == "PAGE":  # a page ended: the next one is being filled
            self.page = value + 1

    def blocks(self, _what: str, done: int, total: int) -> None:
        """The story's (`Visitor.progress`)."""
        self.report(f"PDF: page {self.page}", done, total)


# --- page furniture ------------------------------------------------------------------------


def _running(title: str, date: str, font: str, size: float, avail: float) -> str:
    """The running footer: the title, then the date as the dateline shows it ("May 22 [2016]").
    A long title is shortened, never the date: with the title cut, the date is what still says
    which bulletin a printed page belongs to."""
    if not date:
        return _fit(title, font, size, avail)
    tail = f" · {date}"
    return _fit(title, font, size, avail - pdfmetrics.stringWidth(tail, font, size)) + tail


def _fit(text: str, font: str, size: float, avail: float) -> str:
    """`text`, shortened at a word boundary with an ellipsis, so that it fits in `avail`."""
    if pdfmetrics.stringWidth(text, font, size) <= avail:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",;:—–-") + " …"
        if pdfmetrics.stringWidth(candidate, font, size) <= avail:
            return candidate
    return "…"


# --- the archival layer --------------------------------------------------------------------


@functools.cache
def _srgb() -> bytes:
    """The sRGB profile, Flate-compressed (once per process)."""
    return zlib.compress(SRGB_PROFILE.read_bytes())


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: The namespaces of the XMP packet, with the prefixes PDF/A requires for its own.
XMP_NS = {"x": "adobe:ns:meta/", "rdf": RDF_NS, "dc": "http://purl.org/dc/elements/1.1/",
          "xmp": "http://ns.adobe.com/xap/1.0/", "pdf": "http://ns.adobe.com/pdf/1.3/",
          "pdfaid": "http://www.aiim.org/pdfa/ns/id/", "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
          "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
          "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
          "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}
#: XMP schemas PDF/A-2 does not predefine, described in the packet as ISO 19005-2 (6.6.2.3.2)
#: asks: the PDF/UA identification of ISO 14289-1, as (schema, URI, prefix, properties).
EXTENSIONS = (
    ("PDF/UA Universal Accessibility Schema", XMP_NS["pdfuaid"], "pdfuaid",
     (("part", "Integer", "internal", "Indicates, which part of ISO 14289 standard is followed"),)),
)
#: Dublin Core fields by the RDF container XMP gives them (None: a simple value).
_DC_FORMS = {"title": "Alt", "creator": "Seq", "description": "Alt", "publisher": "Bag",
             "relation": "Bag", "language": "Bag", "date": "Seq", "coverage": None,
             "source": None, "identifier": None}


def _xmp(meta: model.Metadata) -> bytes:
    """The XMP packet, in step with the Info dictionary the canvas writes: Dublin Core, the dates,
    the tool, the PDF/A-2b and PDF/UA-1 identification and the extension schema describing the
    latter."""
    def q(name: str) -> str:
        prefix, local = name.split(":")
        return f"{{{XMP_NS[prefix]}}}{local}"

    root = etree.Element(q("x:xmpmeta"), nsmap=XMP_NS)
    rdf = model.child(root, q("rdf:RDF"))
    about = {q("rdf:about"): ""}
    description = model.child(rdf, q("rdf:Description"), **about)
    values = {**{f: getattr(meta, f) for f in _DC_FORMS}, "format": "application/pdf"}
    for name, value in values.items():
        if value is None:
            continue
        element = model.child(description, q(f"dc:{name}"))
        form = _DC_FORMS.get(name)
        if form is None:
            element.text = value
            continue
        item = model.child(model.child(element, q(f"rdf:{form}")), q("rdf:li"), value)
        if form == "Alt":
            item.set(model.LANG, "x-default")
    simple = [("xmp:CreatorTool", PRODUCER), ("pdf:Producer", PRODUCER), ("pdfaid:part", "2"),
              ("pdfaid:conformance", "B"), ("pdfuaid:part", "1")]
    if meta.date:
        simple[:0] = [("xmp:CreateDate", f"{meta.date}T00:00:00Z"),
                      ("xmp:ModifyDate", f"{meta.date}T00:00:00Z")]
    for name, value in simple:
        model.child(description, q(name), value)
    extensions = model.child(rdf, q("rdf:Description"), **about)
    bag = model.child(model.child(extensions, q("pdfaExtension:schemas")), q("rdf:Bag"))
    for name, uri, prefix, properties in EXTENSIONS:
        schema = model.child(bag, q("rdf:li"), **{q("rdf:parseType"): "Resource"})
        model.child(schema, q("pdfaSchema:schema"), name)
        model.child(schema, q("pdfaSchema:namespaceURI"), uri)
        model.child(schema, q("pdfaSchema:prefix"), prefix)
        seq = model.child(model.child(schema, q("pdfaSchema:property")), q("rdf:Seq"))
        for prop, value_type, category, text in properties:
            item = model.child(seq, q("rdf:li"), **{q("rdf:parseType"): "Resource"})
            model.child(item, q("pdfaProperty:name"), prop)
            model.child(item, q("pdfaProperty:valueType"), value_type)
            model.child(item, q("pdfaProperty:category"), category)
            model.child(item, q("pdfaProperty:description"), text)
    packet = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + packet
            + b'\n<?xpacket end="w"?>\n')


#: Objects per object stream of the structure tree (qpdf's choice for its own).
_PER_STREAM = 100
#: The cross-reference stream's field widths: type, offset or object stream, generation or index.
_ROW = struct.Struct(">BIH")
#: How reportlab ends a stream object: right after the data, no end of line before it.
_STREAM_END = b"endstream\nendobj\n"


def _tree_objects(tree: _Tagger, pages: list[int], root: int, first: int, parent_tree: int
                  ) -> Iterator[tuple[int, bytes]]:
    """The structure tree recorded while drawing, as (object number, PDF syntax): its root,
    the elements in tree order (numbered from `first`), the parent tree.

    An element's marked content on its first page is named by bare MCIDs (the element's /Pg
    says the page, ISO 32000-1 14.7.4.2), and only content continued on later pages by
    marked-content reference dictionaries. An element has elements or marked content below
    it, never both (the story draws only into the elements it makes last)."""
    yield root, (f"<</Type/StructTreeRoot/K {first} 0 R/ParentTree {parent_tree} 0 R"
                 f"/ParentTreeNextKey {len(pages)}>>").encode()
    count = len(tree.tags)
    extent = array("i", [1]) * count  # how many elements each one's subtree holds
    for element in range(count - 1, 0, -1):
        extent[tree.parents[element]] += extent[element]
    # each element's sequences in drawing order, as lists linked through arrays (sorting the
    # sequences by element made two lists of Python ints: 12 MB for a 20 MB bulletin)
    drawn_first = array("i", [-1]) * count  # an element's first sequence
    drawn_next = array("i", [-1]) * len(tree.owners)  # a sequence's next of its element
    for sequence in range(len(tree.owners) - 1, -1, -1):
        owner = tree.owners[sequence]
        drawn_next[sequence] = drawn_first[owner]
        drawn_first[owner] = sequence
    for element in range(count):
        kids = []
        kid = element + 1
        while kid < element + extent[element]:
            kids.append(f"{first + kid} 0 R")
            kid += extent[kid]
        page = ""
        if (sequence := drawn_first[element]) >= 0:
            assert not kids, "an element with elements and marked content below it"
            opened = tree.pages[sequence]
            page = f"/Pg {pages[opened]} 0 R"
            while sequence >= 0:
                on, mcid = tree.pages[sequence], sequence - tree.opened[tree.pages[sequence]]
                kids.append(str(mcid) if on == opened
                            else f"<</Type/MCR/Pg {pages[on]} 0 R/MCID {mcid}>>")
                sequence = drawn_next[sequence]
        parent = root if element == 0 else first + tree.parents[element]
        yield first + element, (f"<</Type/StructElem/S/{tree.tags[element]}/P {parent} 0 R{page}"
                                f"/K[{' '.join(kids)}]>>").encode()
    nums = " ".join(
        f"{page}[{' '.join(f'{first + tree.owners[s]} 0 R' for s in sequences)}]"
        for page, sequences in itertools.groupby(range(len(tree.owners)), tree.pages.__getitem__))
    yield parent_tree, f"<</Nums[{nums}]>>".encode()


class _Output:
    """The output stream, with how many bytes went into it and their MD5 (the file's /ID)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.position = 0
        self.digest = hashlib.md5(usedforsecurity=False)

    def write(self, data: bytes | memoryview) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.position += len(data)


def _write_file(doc: Any, tree: _Tagger, root: PDFObject, out: BinaryIO) -> bytes:
    """Write the file: reportlab's objects, each as soon as it is formatted, then the
    structure tree. Stands in for reportlab's `PDFDocument.format`, the end of `GetPDFData`,
    and returns what reportlab is left to write: nothing.

    reportlab's format keeps every formatted object, joins them into the file and the canvas
    copies that into its output: three copies of the file (20 MB each for a 20 MB bulletin).
    This follows its loop, formatting the objects in number order (formatting one may number
    more: a page its contents), but writes each out as it comes and lets it go. reportlab's
    objects are written as formatted, but for the placeholder root, whose number the real
    root takes, and with the end of line PDF/A wants before each `endstream` (reportlab
    writes none: a stream's data ends right before it); the tree goes into compressed object
    streams; one cross-reference stream indexes both. The file has one revision, no update."""
    numbers = doc.idToObjectNumberAndVersion

    def numbered(obj: PDFObject) -> int:
        return int(numbers[obj.__InternalName__][0])  # type: ignore[attr-defined]

    pages = [numbered(page) for page in doc.Pages.pages]
    output = _Output(out)
    output.write(PDFFile(doc._pdfVersion).format(doc))  # reportlab's header
    names, objects = doc.numberToId, doc.idToObject
    offsets = array("q", [0])  # by object number; object 0 is the free list's head
    while (number := len(offsets)) in names:
        offsets.append(output.position)
        # Written, an object is let go (its name stays: a later object may refer to it), and
        # so are the pages once the page tree is: the contents, written last, are most of the
        # file, and the pages 20 MB for a 20 MB bulletin.
        obj, objects[names[number]] = objects[names[number]], None
        if obj is root:
            continue
        made = PDFIndirectObject(names[number], obj).format(doc)
        if made.endswith(_STREAM_END):
            output.write(made[:-len(_STREAM_END)])
            output.write(b"\n" + _STREAM_END)
        else:
            output.write(made)
        if obj is doc.Pages:
            obj.pages.clear()
    size = len(offsets)
    if size != len(names) + 1:  # checked by reportlab's loop too
        raise RuntimeError("reportlab numbered its objects with gaps: please report it, with "
                           "the version of reportlab")
    root_number = numbered(root)
    elements_end = size + len(tree.tags)
    parent_tree = elements_end
    in_streams = elements_end - size + 2  # the elements, the root and the parent tree
    first_stream = parent_tree + 1
    streams = -(-in_streams // _PER_STREAM)
    total = first_stream + streams + 1  # and the cross-reference stream
    rows = bytearray(_ROW.size * total)
    _ROW.pack_into(rows, 0, 0, 0, 65535)
    for number in range(1, size):
        if number != root_number:
            _ROW.pack_into(rows, _ROW.size * number, 1, offsets[number], 0)
    del offsets
    elements = _tree_objects(tree, pages, root_number, size, parent_tree)
    for stream in range(first_stream, first_stream + streams):
        header, body = [], []
        position = 0
        for index, (number, obj) in enumerate(itertools.islice(elements, _PER_STREAM)):
            _ROW.pack_into(rows, _ROW.size * number, 2, stream, index)
            header.append(f"{number} {position}")
            body.append(obj)
            position += len(obj) + 1
        head = " ".join(header).encode() + b"\n"
        packed = zlib.compress(head + b"\n".join(body) + b"\n")
        _ROW.pack_into(rows, _ROW.size * stream, 1, output.position, 0)
        output.write(f"{stream} 0 obj\n<</Type/ObjStm/N {len(body)}/First {len(head)}"
                     f"/Filter/FlateDecode/Length {len(packed)}>>\nstream\n".encode())
        output.write(packed + b"\nendstream\nendobj\n")

    number = total - 1
    _ROW.pack_into(rows, _ROW.size * number, 1, output.position, 0)
    ident = output.digest.hexdigest()
    packed = zlib.compress(rows)
    start = output.position
    output.write(f"{number} 0 obj\n<</Type/XRef/Size {total}/W[1 4 2]/Root {numbered(doc.Catalog)}"
                 f" 0 R/Info {numbered(doc.info)} 0 R/ID[<{ident}><{ident}>]/Filter/FlateDecode"
                 f"/Length {len(packed)}>>\nstream\n".encode())
    output.write(packed + f"\nendstream\nendobj\nstartxref\n{start}\n%%EOF\n".encode())
    return b""


# --- the writer ----------------------------------------------------------------------------


class PdfWriter:
    name = "pdf"
    extension = "pdf"
    media_type = "application/pdf"
    visitor = _Story

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        paper = PAPER.get(options.paper.lower())
        if paper is None:
            raise WriterError(f"unknown paper size {options.paper!r}; use one of: "
                              f"{', '.join(PAPER)}")
        kit = _kit()
        width = paper[0] - 2 * _MARGIN_X
        story = _Story(doc, kit, width)
        meta = story.meta
        footer_style = kit.styles["footer"]
        date = model.find(doc, "head/dateline/date")
        footer = _running(meta.title, model.shown_date(date) if date is not None else "",
                          footer_style.fontName, footer_style.fontSize, width - 40)

        def furniture(canvas: Canvas, _doc: BaseDocTemplate) -> None:
            _Tagger.artifact(canvas, "/Pagination /Subtype /Footer")
            canvas.saveState()
            canvas.setStrokeColor("#888888")
            canvas.setLineWidth(0.4)
            canvas.line(_MARGIN_X, _FOOTER_Y + 11, paper[0] - _MARGIN_X, _FOOTER_Y + 11)
            canvas.setFillColor(footer_style.textColor)
            canvas.setFont(footer_style.fontName, footer_style.fontSize)
            canvas.drawString(_MARGIN_X, _FOOTER_Y, footer)
            canvas.drawRightString(paper[0] - _MARGIN_X, _FOOTER_Y, str(canvas.getPageNumber()))
            canvas.restoreState()
            _Tagger.end(canvas)

        template = BaseDocTemplate(
            stream, pagesize=paper, invariant=1, initialFontName=FONT,
            leftMargin=_MARGIN_X, rightMargin=_MARGIN_X, topMargin=_MARGIN_TOP,
            bottomMargin=_MARGIN_BOTTOM, lang=meta.language,
        )
        frame = Frame(_MARGIN_X, _MARGIN_BOTTOM, width, paper[1] - _MARGIN_TOP - _MARGIN_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        template.addPageTemplates([PageTemplate("page", [frame], onPage=furniture)])
        if options.progress is not None:
            progress = _LayoutProgress(options.progress)
            story.progress = progress.blocks
            template.setProgressCallBack(progress.pages)
        template.build(_Queue(story.story()),  # type: ignore[arg-type]  # (a list's interface)
                       canvasmaker=functools.partial(_Canvas, story=story))
        missing = sorted(c for c in story.drawn if ord(c) not in kit.glyphs)  # all made now
        if missing:
            shown = " ".join(f"U+{ord(c):04X}" for c in missing[:20])
            story.messages.append(warning(
                f"PDF: {len(missing)} character(s) have no glyph in {FONT} and show as boxes: "
                f"{shown}"))
        return story.messages
