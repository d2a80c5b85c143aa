"""PDF rendition claiming PDF/A-2b: reportlab lays the pages out, pikepdf adds what archives need.

reportlab has no PDF/A mode, so the work is done in two steps:

1. platypus sets the document in DejaVu Serif (Regular, Bold, Italic, BoldItalic; Latin, Greek
   and Cyrillic), shipped in `convert/data/fonts` and embedded as subsets. The canvas's initial
   font and every style's bullet font name that face, or reportlab would reference an
   unembedded Helvetica. Every block is drawn inside a marked-content sequence and the running
   footer as an artifact, so that the structure tree can be built afterwards (a tagged PDF).
2. pikepdf reopens the bytes and adds the sRGB OutputIntent (the ICC profile ships with pinned
   bytes), the XMP packet (pdfaid part 2, conformance B, and Dublin Core) in step with the Info
   dictionary, the structure tree, /MarkInfo and /Lang, then saves with an /ID derived from the
   content.

Output is byte-identical for the same document whatever the clock or time zone: reportlab runs
in its invariant mode and every date written is the bulletin's own date.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
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
from . import WriteOptions, unrendered

DATA = Path(__file__).resolve().parent.parent / "data"
FONT = "DejaVuSerif"
_FACES = {"": "normal", "-Bold": "bold", "-Italic": "italic", "-BoldItalic": "boldItalic"}
SRGB_PROFILE = DATA / "sRGB.icc"
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
    faces = [pdfmetrics.getFont(f"{FONT}{suffix}").face for suffix in _FACES]
    glyphs = frozenset.intersection(*(frozenset(f.charToGlyph) for f in faces))
    widest = max(max(f.charWidths.values()) for f in faces)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = dict(
            fontName=FONT, bulletFontName=FONT, fontSize=10.5, leading=15, alignment=TA_JUSTIFY,
            spaceAfter=7, allowWidows=0, allowOrphans=0, splitLongWords=1, uriWasteReduce=0,
            embeddedHyphenation=0, hyphenationLang="",
        )
        base.update(kw)
        return ParagraphStyle(name, **base)

    styles = {
        "title": style("title", fontName=f"{FONT}-Bold", fontSize=21, leading=25,
                       alignment=TA_LEFT, spaceAfter=9, keepWithNext=1),
        "byline": style("byline", fontName=f"{FONT}-Italic", fontSize=10.5, leading=14,
                        alignment=TA_LEFT, spaceAfter=2, keepWithNext=1),
        "dateline": style("dateline", fontSize=9.5, leading=13, alignment=TA_LEFT,
                          spaceAfter=6, keepWithNext=1, textColor="#333333"),
        "p": style("p"),
        "quote": style("quote", fontSize=10, leading=14, leftIndent=22, rightIndent=22,
                       spaceAfter=5),
        "heading": style("heading", fontName=f"{FONT}-Bold", fontSize=12.5, leading=16,
                         alignment=TA_LEFT, spaceBefore=8, spaceAfter=5, keepWithNext=1),
        "item": style("item", leftIndent=22, bulletIndent=8, spaceAfter=3, alignment=TA_LEFT),
        "clause": style("clause", leftIndent=14, spaceAfter=5, alignment=TA_LEFT),
        "speech": style("speech"),
        "footer": style("footer", fontSize=8, leading=10, alignment=TA_LEFT,
                        textColor="#555555"),
    }
    return _Kit(styles, glyphs, widest / 1000)


# --- the structure tree: nodes built with the story, marked content recorded while drawing ---


@dataclass(eq=False)
class _Node:
    """A structure element: its type, and its kids in order (nodes or (page, MCID) pairs)."""

    tag: str
    kids: list[_Node | tuple[int, int]] = field(default_factory=list)

    def add(self, tag: str) -> _Node:
        child = _Node(tag)
        self.kids.append(child)
        return child


class _Tagger:
    """Numbers the marked-content sequences of each page and remembers which node owns each."""

    def __init__(self) -> None:
        self.owners: dict[int, list[_Node]] = {}  # page index -> node of each MCID

    def begin(self, canvas: Canvas, node: _Node) -> None:
        page = canvas.getPageNumber() - 1
        owners = self.owners.setdefault(page, [])
        node.kids.append((page, len(owners)))
        canvas.addLiteral(f"/{node.tag} <</MCID {len(owners)}>> BDC")
        owners.append(node)

    @staticmethod
    def artifact(canvas: Canvas, kind: str = "/Layout") -> None:
        canvas.addLiteral(f"/Artifact <</Type {kind}>> BDC")

    @staticmethod
    def end(canvas: Canvas) -> None:
        canvas.addLiteral("EMC")


class _Block(Paragraph):
    """A paragraph drawn as marked content of its structure node (kept across page splits)."""

    node: _Node
    tagger: _Tagger

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.node, part.tagger = self.node, self.tagger
        return parts

    def draw(self) -> None:
        self.tagger.begin(self.canv, self.node)
        super().draw()
        self.tagger.end(self.canv)


class _Rule(HRFlowable):
    """The rule under the heading block: decoration, so an artifact."""

    def draw(self) -> None:
        _Tagger.artifact(self.canv)
        super().draw()
        _Tagger.end(self.canv)


# --- from canonical blocks to flowables ----------------------------------------------------


class _Story:
    """Builds the flowables of one document and the structure tree they are drawn into."""

    def __init__(self, kit: _Kit, width: float) -> None:
        self.kit = kit
        self.width = width
        self.tagger = _Tagger()
        self.root = _Node("Document")
        self.flowables: list[Flowable] = []
        self.messages: list[Message] = []

    def para(self, parent: _Node, tag: str, style: str, text: str, *,
             lead: str = "", bullet: str | None = None) -> None:
        """Add `text` as one structure element; `lead` is markup set before it (a label)."""
        node = parent.add(tag)
        st = self.kit.styles[style]
        pieces = list(_pieces(text))
        for i, piece in enumerate(pieces):
            markup = self.markup(piece, st)
            if i == 0:
                markup = lead + markup
            piece_style = st
            if len(pieces) > 1 or "<br/>" in markup:
                # the pieces of a long paragraph read as one paragraph; a forced break in a
                # long URL would leave a justified line before it stretched: set it ragged
                piece_style = ParagraphStyle(
                    f"{st.name}-piece", parent=st,
                    alignment=TA_LEFT if "<br/>" in markup else st.alignment,
                    spaceBefore=st.spaceBefore if i == 0 else 0,
                    spaceAfter=st.spaceAfter if i == len(pieces) - 1 else 0)
            flowable = _Block(markup, piece_style, bulletText=bullet if i == 0 else None)
            flowable.node, flowable.tagger = node, self.tagger
            self.flowables.append(flowable)

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

    def inline(self, el: model.Element, bold: tuple[str, ...]) -> str:
        """Markup of mixed content: the text of child elements named in `bold` set in bold."""
        out = [escape(el.text or "")]
        for child in el:
            inner = escape(model.text(child) or "")
            out.append(f"<b>{inner}</b>" if model.local(child) in bold else inner)
            out.append(escape(child.tail or ""))
        return "".join(out)

    def head(self, doc: model.Element) -> None:
        h = model.find(doc, "head")
        assert h is not None
        title, byline, dateline = (model.find(h, n) for n in ("title", "byline", "dateline"))
        if title is not None:
            self.para(self.root, "H1", "title", model.text(title) or "")
        if byline is not None:
            self.para(self.root, "P", "byline", model.text(byline) or "")
        if dateline is not None:
            node = self.root.add("P")
            flowable = _Block(self.inline(dateline, ("place", "agency")),
                              self.kit.styles["dateline"])
            flowable.node, flowable.tagger = node, self.tagger
            self.flowables.append(flowable)
        if self.flowables:
            self.flowables.append(_Rule(width="100%", thickness=0.6, color="#888888",
                                        spaceBefore=2, spaceAfter=10))

    def block(self, el: model.Element) -> None:
        kind = model.local(el)
        kids = [c for c in el if isinstance(c.tag, str)]
        if kind == "p":
            self.para(self.root, "P", "p", el.text or "")
        elif kind == "heading":
            self.para(self.root, "H2", "heading", el.text or "")
        elif kind == "quote":
            quote = self.root.add("BlockQuote")
            for p in kids:
                self.para(quote, "P", "quote", p.text or "")
        elif kind == "list":
            self.add_list(el, kids)
        elif kind == "resolution":
            div = self.root.add("Div")
            for clause in kids:
                lead, rest = model.clause_parts(clause)
                self.para(div, "P", "clause", rest,
                          lead=f"<b>{escape(lead)}</b>" if lead else "")
        elif kind == "qa":
            div = self.root.add("Div")
            for speech in kids:
                speaker, *paras = [c for c in speech if isinstance(c.tag, str)]
                label = f"<b>{escape(speaker.text or '')}:</b> "
                for i, text in enumerate([p.text or "" for p in paras] or [""]):
                    self.para(div, "P", "speech", text, lead=label if i == 0 else "")
        else:
            self.messages.append(unrendered("PDF", el))
            self.para(self.root, "P", "p", model.text(el) or "")

    def add_list(self, el: model.Element, items: list[model.Element]) -> None:
        kind = el.get("type", "plain")
        marker = el.get("marker", "")
        lst = self.root.add("L")
        start, suffix = model.list_numbering(el)
        self.flowables.append(Spacer(0, 3))
        for n, item in enumerate(items, start):
            if kind == "number":
                bullet: str | None = f"{n}{suffix}"
            elif kind == "bullet":
                bullet = "–" if marker == "-" else "•"
            else:
                bullet = None
            self.para(lst.add("LI"), "LBody", "item", item.text or "", bullet=bullet)
        self.flowables.append(Spacer(0, 5))


def _pieces(text: str) -> Iterator[str]:
    """Cut a very long paragraph into pieces of about _PIECE characters at sentence ends."""
    while len(text) > _PIECE * 1.5:
        cut = None
        for m in _SENTENCE_END.finditer(text, _PIECE):
            cut = m.start()
            break
        if cut is None or cut > _PIECE * 2:
            cut = text.find(" ", _PIECE)
        if cut < 0:
            break
        yield text[:cut]
        text = text[cut + 1:]
    yield text


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


# --- page furniture ------------------------------------------------------------------------


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
    return SRGB_PROFILE.read_bytes()


def _finish(raw: bytes, h: model.Head, title: str, story: _Story, out: BinaryIO) -> None:
    """Add the OutputIntent, XMP + Info, language and structure tree; save deterministically."""
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        profile = pdf.make_stream(_srgb(), N=3)
        intent = Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
            Info=pikepdf.String("sRGB IEC61966-2.1"), DestOutputProfile=profile,
        )
        pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
        pdf.Root.Lang = pikepdf.String(h.lang)
        pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        for page in pdf.pages:  # reportlab's empty page transition: noise PDF/A checkers query
            if Name.Trans in page.obj:
                del page.obj.Trans
        _structure(pdf, story)
        pdf.trailer.Info = pdf.make_indirect(Dictionary())
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["dc:identifier"] = h.id
            meta["dc:language"] = [h.lang]
            meta["dc:format"] = "application/pdf"
            creator = h.author or h.agency
            if creator:
                meta["dc:creator"] = [creator]
            subject = model.subject(h)
            if subject:
                meta["dc:description"] = subject
            source = h.source_url or h.source_name
            if source:
                meta["dc:source"] = source
            date = model.full_date(h)
            if date:
                meta["dc:date"] = [date]
                meta["xmp:CreateDate"] = f"{date}T00:00:00Z"
                meta["xmp:ModifyDate"] = f"{date}T00:00:00Z"
            meta["xmp:CreatorTool"] = PRODUCER
            meta["pdf:Producer"] = PRODUCER
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        del pdf.trailer.ID  # reportlab's follows SOURCE_DATE_EPOCH; qpdf would keep its half
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _structure(pdf: pikepdf.Pdf, story: _Story) -> None:
    """Write the structure tree recorded while drawing: elements, MCRs and the parent tree."""
    pages = [p.obj for p in pdf.pages]
    made: dict[int, pikepdf.Object] = {}

    def build(node: _Node, parent: pikepdf.Object) -> pikepdf.Object:
        elem = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + node.tag),
                                            P=parent))
        made[id(node)] = elem
        kids = Array()
        for kid in node.kids:
            if isinstance(kid, _Node):
                kids.append(build(kid, elem))
            else:
                page, mcid = kid
                kids.append(Dictionary(Type=Name.MCR, Pg=pages[page], MCID=mcid))
        elem.K = kids
        return elem

    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    root.K = build(story.root, root)
    nums = Array()
    for page, owners in sorted(story.tagger.owners.items()):
        pages[page].StructParents = page
        nums.extend([page, Array([made[id(n)] for n in owners])])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = len(pages)
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)


# --- the writer ----------------------------------------------------------------------------


class PdfWriter:
    name = "pdf"
    extension = "pdf"
    media_type = "application/pdf"

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        paper = PAPER.get(options.paper.lower())
        if paper is None:
            raise WriterError(f"unknown paper size {options.paper!r}; use one of: "
                              f"{', '.join(PAPER)}")
        kit = _kit()
        h = model.head(doc)
        title = model.supplied_title(doc)
        width = paper[0] - 2 * _MARGIN_X
        story = _Story(kit, width)
        story.head(doc)
        for el in model.body(doc):
            story.block(el)
        missing = sorted({c for c in model.content_text(doc) if ord(c) not in kit.glyphs})
        if missing:
            shown = " ".join(f"U+{ord(c):04X}" for c in missing[:20])
            story.messages.append(warning(
                f"PDF: {len(missing)} character(s) have no glyph in {FONT} and show as boxes: "
                f"{shown}"))

        footer_style = kit.styles["footer"]
        running = f"{title} · {h.date_text}" if h.date_text else title
        footer = _fit(running, footer_style.fontName, footer_style.fontSize, width - 40)

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

        buffer = io.BytesIO()
        template = BaseDocTemplate(
            buffer, pagesize=paper, invariant=1, initialFontName=FONT,
            leftMargin=_MARGIN_X, rightMargin=_MARGIN_X, topMargin=_MARGIN_TOP,
            bottomMargin=_MARGIN_BOTTOM, title=title, lang=h.lang,
            author=h.author or h.agency or "", creator=PRODUCER, producer=PRODUCER,
        )
        frame = Frame(_MARGIN_X, _MARGIN_BOTTOM, width, paper[1] - _MARGIN_TOP - _MARGIN_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        template.addPageTemplates([PageTemplate("page", [frame], onPage=furniture)])
        template.build(story.flowables)
        _finish(buffer.getvalue(), h, title, story, stream)
        return story.messages
