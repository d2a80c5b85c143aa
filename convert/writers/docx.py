"""DOCX rendition with python-docx: real Word styles, document properties, a reproducible package.

Every block gets a named style, never direct formatting: Title, Byline, Dateline, Normal,
Quote, Heading 1 / Heading 2 (a body heading is one level below the title), List Bullet /
List Number / List Paragraph, Resolution Clause, and the character styles Speaker (Q&A labels)
and Strong (the dateline's place and agency, the formula opening a resolution clause). Lists
are numbered by Word, each from the number the source gave it. `_Builder` is the writers'
visitor for DOCX. A user's template (`WriteOptions.reference_docx`, like pandoc's
--reference-doc) keeps its own styles and page setup; styles it lacks are added.

The document-level fields go where Word shows them: the core properties (title, author,
comments, identifier, language, dates) and, for what OPC has no core property for, custom
properties (Publisher, Place, Source, Publication); schemas/README.md has the whole table.

Loading a template (its 400 KB of style XML) and compressing it again costs most of what
python-docx spends on a document, so a template is loaded once per process: everything but the
main document, the core and custom properties and the numbering definitions is packed once
(dated like the template's parts, 1980-01-01), and each document only builds, serializes and
compresses those four parts, which carry its date. The main document goes into the compressor
as the walk makes it, a few hundred paragraphs at a time, between the template's XML before
and after them (serialized once per paper size): a long bulletin's body is never held whole.
The default template is python-docx's own, slimmed (its unused table styles, Word 2010
duplicate styles, thumbnail and bibliography part dropped) and restyled for print.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import os
import zipfile
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, cast

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.coreprops import CT_CoreProperties
from docx.oxml.document import CT_Document
from docx.oxml.ns import nsdecls, qn
from docx.oxml.numbering import CT_Numbering
from docx.parts.numbering import NumberingPart
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from .. import model
from ..messages import Message, WriterError, info
from . import WriteOptions, ziputil
from .visitor import Visitor

BODY_FONT = "DejaVu Serif"  # the face of the PDF; Word falls back to another serif (fontTable)
#: Page sizes (width, height) for the default template; a user's template keeps its own.
PAPER = {"a4": (Mm(210), Mm(297)), "letter": (Mm(215.9), Mm(279.4))}

#: The elements of a paragraph and its runs, made with lxml directly (see `_Builder.para`).
_P, _P_PR, _P_STYLE, _NUM_PR, _ILVL, _NUM_ID, _R, _R_PR, _R_STYLE, _T, _VAL = (
    qn(f"w:{name}") for name in ("p", "pPr", "pStyle", "numPr", "ilvl", "numId", "r", "rPr",
                                 "rStyle", "t", "val"))
_XML_SPACE = qn("xml:space")
#: Word 2010's copy of styles.xml (python-docx's template has one): a second 440 KB to ship.
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

P, C = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER


@dataclass(frozen=True)
class _Spec:
    """How a style looks when this writer defines it."""

    kind: WD_STYLE_TYPE = P
    base: str | None = "Normal"
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    color: str | None = None
    left: float | None = None  # indents and spacing in points
    right: float | None = None
    hanging: float | None = None
    before: float | None = None
    after: float | None = None
    keep_next: bool = False
    line: float | None = None  # line spacing, as a multiple


STYLES: dict[str, _Spec] = {
    "Normal": _Spec(base=None, size=10.5, after=7, line=1.2),
    "Title": _Spec(size=22, bold=True, after=8, keep_next=True, line=1.0),
    "Byline": _Spec(italic=True, after=0, keep_next=True),
    "Dateline": _Spec(size=9.5, color="333333", after=12, keep_next=True),
    "Heading 1": _Spec(size=15, bold=True, before=12, after=4, keep_next=True),
    "Heading 2": _Spec(size=13, bold=True, before=12, after=4, keep_next=True),
    "Quote": _Spec(size=10, left=28, right=28, after=5),
    "List Bullet": _Spec(after=8),  # contextual spacing: after the list, not between items
    "List Number": _Spec(after=8),
    "List Paragraph": _Spec(left=22, after=3),
    "Resolution Clause": _Spec(left=14, after=6),
    "Speaker": _Spec(kind=C, base=None, bold=True),
    "Strong": _Spec(kind=C, base=None, bold=True),
}


# --- the template, loaded once per process -------------------------------------------------


@dataclass(frozen=True)
class _Template:
    """A loaded template: the parts each document rebuilds, and every other entry ready."""

    frame: CT_Document  # the template's w:document, its body empty: paragraphs are made in a copy
    body_tags: tuple[int, int]  # bytes of the frame body's start and end tag, as lxml writes it
    shells: dict[str, tuple[bytes, bytes]]  # paper -> main document part around the paragraphs
    numbering: CT_Numbering  # w:numbering with this writer's list definitions
    bullets: dict[str, int]  # bullet glyph ("•", "–") -> its numId
    numbers: dict[str, int]  # suffix of a numbered list's labels (".", ")") -> abstractNumId
    style_ids: dict[str, str | None]  # style name -> id (None for the default paragraph style)
    packed: ziputil.Packed  # every other part, packed once: the documents' parts follow them
    names: dict[str, str]  # "document" / "core" / "custom" / "numbering" -> zip entry name
    restyled: bool  # the built-in template (page size follows WriteOptions.paper)

    def shell(self, paper: str) -> tuple[bytes, bytes]:
        """The main document part around its paragraphs: on `paper` in the built-in template; a
        user's template keeps its own page (its one shell, under "")."""
        if not self.restyled:
            return self.shells[""]
        if paper.lower() not in self.shells:
            raise WriterError(f"unknown paper size {paper!r}; use one of: {', '.join(PAPER)}")
        return self.shells[paper.lower()]


def check_reference(path: str) -> None:
    """Raise WriterError, saying why, unless the file at `path` is a DOCX usable as a
    template (it is then loaded, and kept for the documents of this process)."""
    _template(path)


def _template(reference: str | None) -> _Template:
    if reference is None:
        return _load(None, 0, 0)
    try:
        st = os.stat(reference)
    except OSError as exc:
        raise WriterError(f"cannot read the reference DOCX {reference!r}: {exc.strerror}") from exc
    return _load(os.path.realpath(reference), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _load(path: str | None, _mtime: int, _size: int) -> _Template:
    """Load and prepare a template; the stat fields in the key reload a file that changed."""
    try:
        document = docx.Document(path)
    except Exception as exc:  # python-docx raises several types for a file that is no DOCX
        raise WriterError(f"cannot use {path!r} as a reference DOCX: {exc}") from exc
    restyle = path is None
    if restyle:
        _slim(document)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    numbering_part = _numbering_part(document)
    _ensure_styles(document, restyle)
    bullets, numbers = _list_definitions(document, numbering_part.element, restyle)
    document.core_properties  # noqa: B018 - creates the part in a template that has none
    names = {
        "document": document.part.partname[1:],
        "core": document.part.package.part_related_by(RT.CORE_PROPERTIES).partname[1:],
        "custom": _custom_part(document).partname[1:],
        "numbering": numbering_part.partname[1:],
    }
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        entries = [(i.filename, archive.read(i)) for i in archive.infolist()
                   if i.filename not in names.values()]
    if restyle:
        entries = [(n, _with_body_font(d) if n == "word/fontTable.xml" else d)
                   for n, d in entries]
    packed = ziputil.pack(entries)
    style_ids = _style_ids(document)
    frame, body_tags = _frame(document)
    shells = ({paper: _shell(document, paper) for paper in PAPER} if restyle
              else {"": _shell(document, None)})
    return _Template(frame, body_tags, shells, numbering_part.element, bullets, numbers,
                     style_ids, packed, names, restyle)


def _frame(document: Document) -> tuple[CT_Document, tuple[int, int]]:
    """The template's w:document with an empty body, and the bytes of that body's start and
    end tag as lxml serializes it alone (its start tag then declares its ancestors' namespaces).
    A document's paragraphs are made in a copy, so that they get the prefixes and namespace
    declarations they would have in the whole tree."""
    frame = copy.deepcopy(document.element)
    body = frame.body
    del body[:]
    body.text = None
    empty = len(etree.tostring(body, encoding="UTF-8"))  # <w:body ...decl.../>
    body.text = "."
    with_text = len(etree.tostring(body, encoding="UTF-8"))  # <w:body ...decl...>.</w:body>
    body.text = None
    return frame, (empty - 1, with_text - empty)


#: A comment that stands where the paragraphs go in the serialized template (see `_shell`).
_HERE = "bulletin-convert: the paragraphs"


def _shell(document: Document, paper: str | None) -> tuple[bytes, bytes]:
    """The main document part before and after the paragraphs (which go before the section
    properties), as lxml writes the whole tree; the built-in template gets the page `paper`
    (25 mm margins at the sides, 22 at top and bottom)."""
    element = copy.deepcopy(document.element)
    if paper is not None:
        section = Document(element, document.part).sections[0]
        section.page_width, section.page_height = PAPER[paper]
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(22)
    body = element.body
    marker = etree.Comment(_HERE)
    if body.sectPr is not None:
        body.sectPr.addprevious(marker)
    else:
        body.append(marker)
    out = io.BytesIO()
    etree.ElementTree(element).write(out, encoding="UTF-8", standalone=True)
    head, _, tail = out.getvalue().rpartition(etree.tostring(marker))
    return head, tail


def _slim(document: Document) -> None:
    """Drop what python-docx's template carries but a bulletin never uses (~900 KB of XML):
    Word 2010's duplicate styles, the bibliography part, the thumbnail and statistics of the
    template itself, and the 140 table styles."""
    for owner, dropped in ((document.part, (_STYLES_WITH_EFFECTS, RT.CUSTOM_XML)),
                           (document.part.package, (RT.THUMBNAIL, RT.EXTENDED_PROPERTIES))):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype in dropped:
                del owner.rels[rid]
    styles = document.styles.element
    for style in styles.xpath('w:style[@w:type="table" and @w:styleId!="TableNormal"]'):
        styles.remove(style)


def _with_body_font(font_table: bytes) -> bytes:
    """Declare the body face in the font table, so Word substitutes a serif if it is missing."""
    root = etree.fromstring(font_table)
    root.append(parse_xml(
        f'<w:font {nsdecls("w")} w:name="{BODY_FONT}"><w:altName w:val="Cambria"/>'
        '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'))
    return serialize_part_xml(root)


def _custom_part(document: Document) -> Part:
    """The custom properties part (its content is made per document), added if missing."""
    package = document.part.package
    try:
        return cast(Part, package.part_related_by(RT.CUSTOM_PROPERTIES))
    except KeyError:
        part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, _custom(None),
                    package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)
        return part


def _numbering_part(document: Document) -> NumberingPart:
    try:
        return document.part.numbering_part
    except NotImplementedError:  # python-docx cannot create one itself
        part = NumberingPart.load(PackURI("/word/numbering.xml"), CT.WML_NUMBERING,
                                  f'<w:numbering {nsdecls("w")}/>'.encode(),
                                  document.part.package)
        document.part.relate_to(part, RT.NUMBERING)
        return cast(NumberingPart, part)


def _ensure_styles(document: Document, restyle: bool) -> None:
    """Add the styles a template lacks; in the built-in template, also restyle the used ones."""
    styles = document.styles
    for name, spec in STYLES.items():
        existing = _style(document, name, spec.kind)
        if existing is not None and not restyle:
            continue
        style = existing if existing is not None else styles.add_style(name, spec.kind)
        element = style.element
        for tag in ("w:pPr", "w:rPr"):
            old = element.find(qn(tag))
            if old is not None and not (tag == "w:pPr" and name.startswith("List ")):
                element.remove(old)
        if spec.base:
            style.base_style = styles[spec.base]
        font = style.font
        if name == "Normal":
            font.name = BODY_FONT
            fonts = element.get_or_add_rPr().get_or_add_rFonts()
            fonts.set(qn("w:cs"), BODY_FONT)
            fonts.set(qn("w:eastAsia"), BODY_FONT)
        if spec.size:
            font.size = Pt(spec.size)
        if spec.bold is not None:
            font.bold = spec.bold
        if spec.italic is not None:
            font.italic = spec.italic
        if spec.color:
            font.color.rgb = RGBColor.from_string(spec.color)
        if spec.kind != P:
            continue
        fmt = style.paragraph_format
        if spec.left is not None:
            fmt.left_indent = Pt(spec.left)
        if spec.right is not None:
            fmt.right_indent = Pt(spec.right)
        if spec.before is not None:
            fmt.space_before = Pt(spec.before)
        if spec.after is not None:
            fmt.space_after = Pt(spec.after)
        if spec.line is not None:
            fmt.line_spacing = spec.line
        fmt.keep_with_next = spec.keep_next or None
        fmt.widow_control = True


def _style_ids(document: Document) -> dict[str, str | None]:
    """The id of each style of STYLES, None for the default of its type (a paragraph in the
    default style names none): python-docx's get_style_id looks for that default among all
    the styles at each call, a seventh of the time loading the template took."""
    styles = document.styles
    defaults = {kind: styles.default(kind) for kind in (P, C)}
    return {name: None if (style := styles[name]) == defaults[spec.kind] else style.style_id
            for name, spec in STYLES.items()}


def _style(document: Document, name: str, kind: WD_STYLE_TYPE) -> Any:
    """The style called `name` of type `kind`, or None (python-docx raises KeyError)."""
    try:
        style = document.styles[name]
    except KeyError:
        return None
    return style if style.type == kind else None


_ABSTRACT = """<w:abstractNum {ns} w:abstractNumId="{id}"><w:multiLevelType w:val="singleLevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>
<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>
</w:abstractNum>"""


def _list_definitions(document: Document, numbering: Any,
                      restyle: bool) -> tuple[dict[str, int], dict[str, int]]:
    """Numbering for lists, as (numId by bullet glyph, abstractNumId by number suffix): the
    template's own where its List Bullet / List Number styles have one (for "•" and "."),
    otherwise this writer's, added to the numbering part; "–" bullets and "3)" numbers are
    always this writer's."""
    ids = [int(x) for x in numbering.xpath("./w:abstractNum/@w:abstractNumId")]
    next_id = max(ids, default=-1) + 1

    def add_abstract(fmt: str, text: str) -> int:
        nonlocal next_id
        el = parse_xml(_ABSTRACT.format(ns=nsdecls("w"), id=next_id, fmt=fmt, text=text,
                                        left=600, hanging=300))
        nums = numbering.findall(qn("w:num"))
        if nums:
            nums[0].addprevious(el)
        else:
            numbering.append(el)
        next_id += 1
        return next_id - 1

    def style_num(name: str) -> int | None:
        style = _style(document, name, P)
        ids = style.element.xpath("./w:pPr/w:numPr/w:numId/@w:val") if style is not None else []
        return int(ids[0]) if ids and not restyle else None

    bullet = style_num("List Bullet")
    if bullet is None:
        bullet = numbering.add_num(add_abstract("bullet", "•")).numId
        _set_num(_style(document, "List Bullet", P).element, bullet)
    bullets = {"•": bullet, "–": numbering.add_num(add_abstract("bullet", "–")).numId}
    own_number = style_num("List Number")
    if own_number is not None:
        number = int(numbering.num_having_numId(own_number).abstractNumId.val)
    else:
        number = add_abstract("decimal", "%1.")
        _set_num(_style(document, "List Number", P).element, numbering.add_num(number).numId)
    return bullets, {".": number, ")": add_abstract("decimal", "%1)")}


def _set_num(element: Any, num_id: int) -> None:
    """Point a style or a paragraph (its element) at a numbering instance."""
    num_pr = element.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


# --- one document --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """Where the visitor puts what it renders: the paragraph style of blocks and, in a list,
    the numbering of its items; inside a byline or dateline, the paragraph (w:p) its runs join."""

    style: str = "Normal"
    num_id: int | None = None
    para: etree._Element | None = None


class _Builder(Visitor[_Slot]):
    """Writes the paragraphs of one document into the main document part as it walks."""

    label = "DOCX"
    #: Paragraphs made before they are written and dropped: a long bulletin's body is never
    #: built whole (the whole tree took 150 MB at 20 MB of text).
    BATCH = 500

    #: The main document part, while `serialize` writes it.
    _out: IO[bytes]

    def __init__(self, doc: model.Element, tpl: _Template) -> None:
        super().__init__(doc)
        self.tpl = tpl
        self.numbering = copy.deepcopy(tpl.numbering)
        self._body = copy.deepcopy(tpl.frame).body  # see _frame
        self._made = 0  # paragraphs in self._body
        self._speaker: str | None = None  # a speaker label waiting for its first paragraph

    def serialize(self, out: IO[bytes], shell: tuple[bytes, bytes]) -> None:
        """Render the document into `out`, the main document part, with the template's XML
        (`_Template.shell`) around its paragraphs: the bytes lxml writes for the whole tree."""
        self._out = out
        out.write(shell[0])
        self.walk(_Slot())
        if self._made:
            self._flush()
        out.write(shell[1])

    def _flush(self) -> None:
        """Write the paragraphs made so far (runs join only the newest) and drop them."""
        data = etree.tostring(self._body, encoding="UTF-8")
        opened, closed = self.tpl.body_tags
        self._out.write(memoryview(data)[opened:len(data) - closed])
        del self._body[:]
        self._made = 0

    def para(self, text: str, style: str, num_id: int | None = None) -> etree._Element:
        """A paragraph in `style` (by id: python-docx's lookup by name scans every style),
        numbered by the instance `num_id` if given (as `_set_num` does).

        Its properties and runs are new, so they are appended with lxml, in the elements
        python-docx's setters would write: those look for the place of every child among
        its possible successors, which was most of the writer's time on a long document."""
        if self._made == self.BATCH:
            self._flush()
        self._made += 1
        p: etree._Element = etree.SubElement(self._body, _P)
        style_id = self.tpl.style_ids[style]
        if style_id is not None or num_id is not None:
            properties = etree.SubElement(p, _P_PR)
            if style_id is not None:
                etree.SubElement(properties, _P_STYLE).set(_VAL, style_id)
            if num_id is not None:
                numbering = etree.SubElement(properties, _NUM_PR)
                etree.SubElement(numbering, _ILVL).set(_VAL, "0")
                etree.SubElement(numbering, _NUM_ID).set(_VAL, str(num_id))
        if text:
            self.run(p, text)
        return p

    def run(self, p: etree._Element, text: str, style: str | None = None) -> None:
        """A run of `text` at the end of `p`, in the character style `style`.

        Canonical text has no tabs or line breaks, so it goes into one w:t at once (python-docx's
        `Run.text` appends it character by character), kept as is where it starts or ends
        with a space (python-docx's `add_t`)."""
        r: etree._Element = etree.SubElement(p, _R)
        if style is not None:
            style_id = self.tpl.style_ids[style]
            assert style_id is not None, "only the default paragraph style has no id"
            etree.SubElement(etree.SubElement(r, _R_PR), _R_STYLE).set(_VAL, style_id)
        t = etree.SubElement(r, _T)
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_XML_SPACE, "preserve")

    # --- the head's text -----------------------------------------------------------------

    def text(self, text: str | None, into: _Slot) -> None:
        assert into.para is not None
        if text:
            self.run(into.para, text)

    def visit_title(self, el: model.Element, into: _Slot) -> None:
        self.para(el.text or "", "Title")

    def visit_byline(self, el: model.Element, into: _Slot) -> None:
        self.inline(el, _Slot(para=self.para("", "Byline")))

    def visit_dateline(self, el: model.Element, into: _Slot) -> None:
        self.inline(el, _Slot(para=self.para("", "Dateline")))

    def visit_name(self, el: model.Element, into: _Slot) -> None:
        self.text(el.text, into)

    def visit_date(self, el: model.Element, into: _Slot) -> None:
        self.text(model.shown_date(el), into)

    def visit_place(self, el: model.Element, into: _Slot) -> None:
        assert into.para is not None
        self.run(into.para, el.text or "", "Strong")

    visit_agency = visit_place

    # --- the body --------------------------------------------------------------------------

    def visit_p(self, el: model.Element, into: _Slot) -> None:
        opening, closing = model.quote_marks(el)
        text = f"{opening}{el.text or ''}{closing}"
        if self._speaker is None:
            self.para(text, into.style)
            return
        p = self.para("", into.style)
        self.run(p, f"{self._speaker}:", "Speaker")
        self.run(p, f" {text}")
        self._speaker = None

    def visit_heading(self, el: model.Element, into: _Slot) -> None:
        self.para(el.text or "", f"Heading {self.heading_level}")

    def visit_quote(self, el: model.Element, into: _Slot) -> None:
        self.blocks(el, _Slot("Quote"))

    def visit_list(self, el: model.Element, into: _Slot) -> None:
        kind = el.get("type", "plain")
        if kind == "number":  # each list restarts at its own first number
            start, suffix = model.list_numbering(el)
            num = self.numbering.add_num(self.tpl.numbers.get(suffix, self.tpl.numbers["."]))
            num.add_lvlOverride(ilvl=0).add_startOverride(start)
            self.blocks(el, _Slot("List Number", num.numId))
        elif kind == "bullet":
            self.blocks(el, _Slot("List Bullet", self.tpl.bullets[model.bullet(el)]))
        else:
            self.blocks(el, _Slot("List Paragraph"))

    def visit_item(self, el: model.Element, into: _Slot) -> None:
        self.para(el.text or "", into.style, into.num_id)

    def visit_resolution(self, el: model.Element, into: _Slot) -> None:
        self.blocks(el, _Slot("Resolution Clause"))

    def visit_clause(self, el: model.Element, into: _Slot) -> None:
        lead, rest = model.clause_parts(el)
        p = self.para("", into.style)
        if lead:
            self.run(p, lead, "Strong")
        self.run(p, rest)

    def visit_qa(self, el: model.Element, into: _Slot) -> None:
        self.blocks(el, into)

    def visit_speech(self, el: model.Element, into: _Slot) -> None:
        self.blocks(el, into)
        if self._speaker is not None:  # a label with no paragraph (an unvalidated document)
            self.run(self.para("", into.style), f"{self._speaker}:", "Speaker")
            self._speaker = None

    def visit_speaker(self, el: model.Element, into: _Slot) -> None:
        self._speaker = el.text or ""

    def serialize_numbering(self, out: IO[bytes]) -> None:
        """Write the numbering part, with the instances the lists rendered added."""
        out.write(serialize_part_xml(self.numbering))


#: The longest text a core property may hold (python-docx refuses more, as Word does).
CORE_MAX = 255


def _core(meta: model.Metadata, notes: list[Message]) -> bytes:
    """docProps/core.xml: the Dublin Core fields OPC has; dates are the bulletin's, never the
    clock's. A field longer than a core property holds is cut there, and `notes` says so: the
    document's text keeps it whole."""

    def fit(name: str, value: str) -> str:
        if len(value) <= CORE_MAX:
            return value
        notes.append(info(f"docx: the {name} is cut to {CORE_MAX} characters in the document "
                          f"properties (their limit); the text shows it whole"))
        return value[:CORE_MAX - 1] + "…"

    element = CT_CoreProperties.new()
    props = CoreProperties(element)
    props.title = fit("title", meta.title)
    if meta.creator:
        props.author = fit("byline", meta.creator)
    if meta.description:
        props.comments = fit("dateline", meta.description)  # dc:description
    props.identifier = meta.identifier
    props.language = meta.language
    props.revision = 1
    if meta.date:
        when = dt.datetime.fromisoformat(meta.date).replace(tzinfo=dt.UTC)
        props.created = props.modified = when
    return serialize_part_xml(element)


CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
#: The format id every user-defined custom property carries (ECMA-376 Part 1, 22.3).
_USER_DEFINED = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
#: Fields OPC core properties have no place for -> the custom property that carries them.
CUSTOM = (("Publisher", "publisher"), ("Place", "coverage"), ("Source", "source"),
          ("Publication", "relation"))


def _custom(meta: model.Metadata | None) -> bytes:
    """docProps/custom.xml: the fields of CUSTOM that the bulletin has, as text properties."""
    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    values = [(name, getattr(meta, field)) for name, field in CUSTOM] if meta else []
    for pid, (name, value) in enumerate(((n, v) for n, v in values if v), start=2):
        prop = model.child(root, f"{{{CUSTOM_NS}}}property", fmtid=_USER_DEFINED, pid=str(pid),
                           name=name)
        model.child(prop, f"{{{VT_NS}}}lpwstr", value)
    return serialize_part_xml(root)


class DocxWriter:
    name = "docx"
    extension = "docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    visitor = _Builder

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        tpl = _template(options.reference_docx)
        shell = tpl.shell(options.paper)
        builder = _Builder(doc, tpl)
        builder.progress = options.progress
        meta = builder.meta
        notes: list[Message] = []
        names = tpl.names
        # The document is rendered while its part is written; the numbering part, which holds
        # the instances its lists start, is serialized after it.
        ziputil.write_zip(stream, [
            (names["core"], _core(meta, notes)),
            (names["document"], functools.partial(builder.serialize, shell=shell)),
            (names["numbering"], builder.serialize_numbering),
            (names["custom"], _custom(meta)),
        ], date_time=ziputil.date_time(meta.date), base=tpl.packed)
        return builder.messages + notes
