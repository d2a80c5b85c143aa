"""The PDF/UA-1 (ISO 14289-1) rules that can be checked here, by machine, with pikepdf and poppler.

veraPDF, the reference PDF/UA checker, is not installable here, so the suite checks what a
program can decide about a PDF's tagging; each check names its clause of ISO 14289-1 and the
Matterhorn Protocol 1.1 checkpoints it covers (the failure conditions the PDF Association lists
for PDF/UA-1). Not checked, because a program cannot decide them or nothing here reads them:
whether each tag suits its content and the reading order suits the page (the protocol's human
checks: 01-001 to 01-003, 09-001, 14-001), changes of natural language inside the text
(11-004 to 11-006: the tree states only the document's language), contrast and the use of
colour, and the font rules beyond embedding and Unicode mapping (31-*: pikepdf's PDF/A-2b
validator checks the same font rules of ISO 19005-2 6.2.11 on every PDF of the suite).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from lxml import etree
from pikepdf import Name

#: ISO 32000-1 14.8.4: the standard structure types (a PDF/UA file may use others only through
#: a RoleMap to these).
STANDARD_TYPES = frozenset({
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "H", "H1", "H2", "H3", "H4", "H5", "H6", "P", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
    "WP", "Figure", "Formula", "Form"})

#: Which structure types may hold which (ISO 32000-1 14.8.4.3.3, the list elements).
ALLOWED_KIDS = {"L": {"LI", "L", "Caption"}, "LI": {"Lbl", "LBody"}}
ALLOWED_PARENT = {"LI": {"L"}, "Lbl": {"LI"}, "LBody": {"LI"}}

#: Operators that paint (text, paths, images, shadings): content that must be tagged or an
#: artifact (ISO 14289-1 7.1).
PAINTING = frozenset({"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*",
                      "sh", "Do", "BI", "INLINE IMAGE"})

PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EXT = {"e": "http://www.aiim.org/pdfa/ns/extension/", "s": "http://www.aiim.org/pdfa/ns/schema#",
       "p": "http://www.aiim.org/pdfa/ns/property#", "rdf": RDF}

LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def problems(path: Path, expected_words: list[str]) -> list[str]:
    """Every PDF/UA rule checked here that the file breaks, as "rule: what"; [] when none.

    `expected_words` are the words of the document's content (model.words of its
    content_text), which the tagged text must give back in order."""
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        found += _identification(pdf)
        found += _catalog(pdf)
        found += _content(pdf)
        found += _tree(pdf)
        found += _fonts(pdf)
    found += _reading_order(path, expected_words)
    return found


def _identification(pdf: pikepdf.Pdf) -> list[str]:
    """5 / 06-001, 06-002, 06-003: the PDF/UA identification and a title in the XMP; PDF/A-2
    (ISO 19005-2 6.6.2.3.2) admits pdfuaid only as an extension schema described in the
    packet: schema, namespace, prefix and the `part` property (Integer, internal)."""
    out = []
    meta = pdf.open_metadata()
    if meta.get("pdfuaid:part") != "1":
        out.append("06-002: the XMP does not identify PDF/UA-1 (pdfuaid:part)")
    if not meta.get("dc:title"):
        out.append("06-003: no dc:title in the XMP")
    packet = etree.fromstring(pdf.Root.Metadata.read_bytes())
    schemas = packet.xpath("//e:schemas/rdf:Bag/rdf:li[s:namespaceURI = $ns]", namespaces=EXT,
                           ns=PDFUA_NS)
    if len(schemas) != 1:
        return [*out, "PDF/A 6.6.2.3.2: no extension schema describes pdfuaid"]
    (schema,) = schemas
    fields = {etree.QName(c).localname: c for c in schema}
    if fields.get("prefix") is None or fields["prefix"].text != "pdfuaid" \
            or not (fields.get("schema") is not None and fields["schema"].text):
        out.append("PDF/A 6.6.2.3.3: the pdfuaid extension schema lacks its name or prefix")
    props = schema.xpath("s:property/rdf:Seq/rdf:li", namespaces=EXT)
    described = {(p.findtext("p:name", namespaces=EXT), p.findtext("p:valueType", namespaces=EXT),
                  p.findtext("p:category", namespaces=EXT), bool(p.findtext("p:description",
                                                                             namespaces=EXT)))
                 for p in props}
    if ("part", "Integer", "internal", True) not in described:
        out.append("PDF/A 6.6.2.3.3: pdfuaid:part is not described as an internal Integer")
    if any(li.get(f"{{{RDF}}}parseType") != "Resource" for li in [schema, *props]):
        out.append("PDF/A 6.6.2.3.3: an extension schema structure is not an rdf:Resource")
    return out


def _catalog(pdf: pikepdf.Pdf) -> list[str]:
    """7.1 / 01-006, 06-*, 07-001; 7.2 / 11-001..003; 7.16 / 26-001; 7.18.1 / 28-*."""
    out = []
    root = pdf.Root
    mark = root.get(Name.MarkInfo)
    if mark is None or mark.get(Name.Marked) is not True:
        out.append("7.1 / 01-006: the document is not marked as tagged (MarkInfo Marked)")
    elif mark.get(Name.Suspects) is True:
        out.append("7.1: MarkInfo declares Suspects")
    prefs = root.get(Name.ViewerPreferences)
    if prefs is None or prefs.get(Name.DisplayDocTitle) is not True:
        out.append("7.1 / 07-001: ViewerPreferences DisplayDocTitle is not true")
    lang = str(root.get(Name.Lang, ""))
    if not LANGUAGE_TAG.fullmatch(lang):
        out.append(f"7.2 / 11-001: the document language ({lang!r}) is missing or no BCP 47 tag")
    if pdf.is_encrypted:
        out.append("7.16 / 26-001: the file is encrypted")
    for n, page in enumerate(pdf.pages, start=1):
        if Name.Annots in page.obj and len(page.obj.Annots):
            out.append(f"7.18 / 28-*: page {n} has annotations, which this check does not cover")
        if Name.StructParents not in page.obj:
            out.append(f"7.1 / 01-*: page {n} has no StructParents")
    return out


def _marked(operators: list[pikepdf.ContentStreamInstruction]) -> Iterator[tuple[str, int]]:
    """(problem, page-local index) for painting outside tagged content or artifacts, and for
    tagged content and artifacts nested in each other; and (f"mcid:{n}", -1) for each MCID."""
    stack: list[str] = []  # "artifact", "mcid" or "other", innermost last
    for i, op in enumerate(operators):
        name = str(op.operator)
        if name in ("BDC", "BMC"):
            tag = op.operands[0]
            props = op.operands[1] if name == "BDC" and len(op.operands) > 1 else None
            if tag == Name.Artifact:
                kind = "artifact"
            elif isinstance(props, pikepdf.Dictionary) and Name.MCID in props:
                kind = "mcid"
                yield f"mcid:{int(props.MCID)}", -1
            else:
                kind = "other"
            if kind != "other" and ({"artifact", "mcid"} - {kind}) & set(stack):
                yield "7.1 / 01-004, 01-005: tagged content and an artifact nest", i
            stack.append(kind)
        elif name == "EMC":
            if not stack:
                yield "7.1: EMC without a marked-content sequence", i
            else:
                stack.pop()
        elif name in PAINTING and not ({"artifact", "mcid"} & set(stack)):
            yield f"7.1 / 01-005: {name} paints content that is neither tagged nor an artifact", i
    if stack:
        yield "7.1: a marked-content sequence is not closed", len(operators)


def _content(pdf: pikepdf.Pdf) -> list[str]:
    """7.1 / 01-004, 01-005: every painted thing is tagged content or an artifact, never both;
    every MCID of a page appears once and is owned by a structure element in the parent tree."""
    out = []
    parent_tree = _parent_tree(pdf)
    for n, page in enumerate(pdf.pages, start=1):
        mcids = []
        for problem, _ in _marked(pikepdf.parse_content_stream(page)):
            if problem.startswith("mcid:"):
                mcids.append(int(problem[5:]))
            else:
                out.append(f"{problem} (page {n})")
        key = int(page.obj.get(Name.StructParents, -1))
        owners = parent_tree.get(key, [])
        if sorted(mcids) != list(range(len(mcids))) or len(owners) != len(mcids):
            out.append(f"7.1: page {n}'s MCIDs {sorted(mcids)[:5]}... do not match its "
                       f"{len(owners)} parent tree entries")
            continue
        for mcid, owner in enumerate(owners):
            if not any(k == (page.obj.objgen, mcid) for k in _marked_kids(owner)):
                out.append(f"7.1: MCID {mcid} of page {n} is not a kid of its parent tree owner")
    return out


def _marked_kids(element: pikepdf.Object) -> Iterator[tuple[tuple[int, int], int]]:
    """(page's object id, MCID) of each marked-content kid of a structure element: a bare
    MCID is on the element's /Pg page, a reference dictionary names its page or takes the
    element's (ISO 32000-1 14.7.4.2)."""
    kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
    default = element.get(Name.Pg)
    for kid in kids:
        if isinstance(kid, int) and default is not None:
            yield default.objgen, kid
        elif isinstance(kid, pikepdf.Dictionary) and Name.MCID in kid:
            page = kid.get(Name.Pg, default)
            if page is not None:
                yield page.objgen, int(kid.MCID)


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, list[pikepdf.Object]]:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): list(nums[i + 1]) for i in range(0, len(nums), 2)}


def _elements(node: pikepdf.Object, parent: str) -> Iterator[tuple[str, str, pikepdf.Object]]:
    """(type, parent type, element) of every structure element below `node`, in order."""
    kids = node.get(Name.K)
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get(Name.Type) != Name.MCR \
                and Name.S in kid:
            tag = str(kid.S)[1:]
            yield tag, parent, kid
            yield from _elements(kid, tag)


def _tree(pdf: pikepdf.Pdf) -> list[str]:
    """7.1 / 02-*: standard structure types only (no RoleMap); 7.2 / 09-*: lists built as
    L > LI > Lbl, LBody; 7.4.2 / 14-002, 14-003: the first heading is H1 and no level is
    skipped; a Document element holds the rest."""
    out = []
    root = pdf.Root.get(Name.StructTreeRoot)
    if root is None:
        return ["7.1 / 01-*: no structure tree"]
    elements = list(_elements(root, ""))
    if not elements or elements[0][0] != "Document" or elements[0][1] != "":
        out.append("7.1: the structure tree does not start with one Document element")
    if Name.RoleMap in root:
        out.append("7.1 / 02-*: a RoleMap (this writer uses the standard types only)")
    level = 0
    for tag, parent, element in elements:
        if tag not in STANDARD_TYPES:
            out.append(f"7.1 / 02-003: non-standard structure type {tag}")
        if tag in ALLOWED_PARENT and parent not in ALLOWED_PARENT[tag]:
            out.append(f"7.2 / 09-004: {tag} inside {parent}")
        if parent in ALLOWED_KIDS and tag not in ALLOWED_KIDS[parent]:
            out.append(f"7.2 / 09-004: {tag} inside {parent}")
        if re.fullmatch(r"H[1-6]", tag):
            n = int(tag[1])
            if n > level + 1:
                out.append(f"7.4.2 / 14-00{2 if level == 0 else 3}: {tag} after "
                           f"{'no heading' if level == 0 else f'H{level}'}")
            level = n
        if tag == "H":
            out.append("7.4.4 / 14-006: unnumbered H among numbered headings")
        if element.get(Name.P) is None:
            out.append(f"7.1: {tag} has no parent (P)")
    return out


def _fonts(pdf: pikepdf.Pdf) -> list[str]:
    """7.21.4.1 / 31-001..: every font embedded; 7.21.7 / 31-008 ... : every font maps its
    characters to Unicode (ToUnicode)."""
    out = []
    seen = set()
    for n, page in enumerate(pdf.pages, start=1):
        for name, font in page.Resources.get(Name.Font, {}).items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            descriptor = font.get(Name.FontDescriptor)
            if descriptor is None or not ({Name.FontFile, Name.FontFile2, Name.FontFile3}
                                          & set(descriptor.keys())):
                out.append(f"7.21.4.1: font {name} of page {n} is not embedded")
            if Name.ToUnicode not in font:
                out.append(f"7.21.7: font {name} of page {n} has no ToUnicode map")
    return out


@dataclass
class Tagged:
    """A structure element as poppler reads it by structure (what a screen reader follows)."""

    tag: str
    kids: list[Tagged] = field(default_factory=list)
    text: str = ""  # the text of its own marked content

    def walk(self, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Tagged]]:
        """(types of the elements above, element) for this element and all below, in order."""
        yield path, self
        for kid in self.kids:
            yield from kid.walk((*path, self.tag))

    def all_text(self) -> str:
        return self.text + "".join(kid.all_text() for kid in self.kids)


def struct_tree(path: Path) -> Tagged:
    """The structure tree of a PDF with each element's text, from `pdfinfo -struct-text`."""
    done = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True,
                          text=True, check=True)
    root = Tagged("")
    open_at: list[Tagged] = [root]  # the open element at each depth
    for line in done.stdout.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        body = line.strip()
        if body.startswith('"'):
            open_at[depth].text += body[1:-1]
        elif body:
            element = Tagged(body.split()[0])
            open_at[depth].kids.append(element)
            open_at[depth + 1:] = [element]
    return root


def tagged_text(path: Path) -> list[tuple[list[str], str]]:
    """The text of each structure element: (the types of the elements above it and its own,
    its text), in tree order."""
    return [([*above[1:], element.tag], element.text)
            for above, element in struct_tree(path).walk() if element.text]


def _reading_order(path: Path, expected_words: list[str]) -> list[str]:
    """7.2 / 01-*: the tagged text, list labels aside, gives back every word of the content in
    order and nothing else (the running footer is an artifact)."""
    from convert import model

    words = model.words(" ".join(text for tags, text in tagged_text(path) if "Lbl" not in tags))
    if words == expected_words:
        return []
    first = next((i for i, (a, b) in enumerate(zip(words, expected_words, strict=False))
                  if a != b), min(len(words), len(expected_words)))
    return [f"7.2: the tagged text differs from the content at word {first}: "
            f"{words[first:first + 6]} instead of {expected_words[first:first + 6]}"]
