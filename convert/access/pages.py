"""The site's HTML: a bulletin's page, the lists to browse by, and the collection's index.

Every page is built as an lxml tree with `model.child` (text is escaped by the serializer, so a
title holding `<script>` stays text) and serialized the way the HTML writer serializes its
pages. A bulletin's page is the HTML writer's page (`writers.html.HtmlPage`, the visitor every
writer shares) inside the site's frame: the same article, plus its metadata, its files in the
package, their fixity, its provenance, and the bulletins before and after it by date.

Links are relative (they work from `file://`, from any web server, and from a copy of the
site and its packages moved together); no page loads anything from elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
import json
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from .. import __version__, model
from ..writers.html import HtmlPage

GENERATOR = f"bulletin-convert {__version__} (bulletin site)"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def key(*parts: object) -> str:
    """The hash of what a site file is made from (JSON values, dataclasses by their fields):
    a rebuild makes the file again only when it differs from the previous build's."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=vars)
    return hashlib.sha256(text.encode()).hexdigest()


def href(page: str, target: str) -> str:
    """The relative URL from the site file `page` to the site file `target` (both relative
    to the site's folder, `/`-separated; `target` may climb out of it: `../collection/...`)."""
    folder, name = posixpath.split(target)
    up = _relative_folder(folder or ".", posixpath.dirname(page) or ".")
    return quote(name if up == "." else f"{up}/{name}", safe="/#-._~")


@functools.lru_cache(maxsize=4096)
def _relative_folder(folder: str, start: str) -> str:
    """The path from the site folder `start` (inside the site) to `folder` (which may climb
    out of it), worked out from the two paths alone. posixpath.relpath anchors them at the
    current folder and stops climbing at "/": run from "/", a package beside the site got
    links one level short. Remembered: a site's pages link between a few folders, and
    computing the same relative path for every link was a tenth of a build."""
    to = [part for part in posixpath.normpath(folder).split("/") if part != "."]
    at = [part for part in posixpath.normpath(start).split("/") if part != "."]
    if ".." in at:
        raise ValueError(f"a site page outside the site: {start}")
    common = 0
    while common < min(len(to), len(at)) and to[common] == at[common]:
        common += 1
    return "/".join([".."] * (len(at) - common) + to[common:]) or "."


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, method="html", encoding="UTF-8", doctype="<!DOCTYPE html>",
                          pretty_print=True) + b"\n"


def long_date(date: str | None) -> str:
    """"2011-03-04" as "4 March 2011" (partial or missing dates as they are)."""
    if not date or len(date) != 10 or date[4] != "-":
        return date or ""
    return f"{int(date[8:])} {MONTHS[int(date[5:7]) - 1]} {date[:4]}"


def html_datetime(stamp: str) -> str:
    """A PREMIS time (xs:dateTime, microseconds) as HTML's `datetime` takes it: HTML allows
    at most three digits of a fraction of a second (the Nu checker says so)."""
    whole, dot, rest = stamp.partition(".")
    if not dot:
        return stamp
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{whole}.{rest[:min(digits, 3)]}{rest[digits:]}" if digits else whole + rest


def size_text(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size < 1024:
        return f"{size} bytes"
    if size < 1 << 20:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1 << 20):.1f} MB"


@dataclass(frozen=True)
class Crumb:
    text: str
    target: str | None  # a site path; None: the page itself


class Frame:
    """A page of the site: head, skip link, site header with breadcrumbs, main, footer."""

    def __init__(self, path: str, title: str, site_title: str, crumbs: Sequence[Crumb] = (),
                 *, description: str | None = None) -> None:
        self.path = path
        self.root = etree.Element("html", lang="en")
        head = model.child(self.root, "head")
        model.child(head, "meta", charset="utf-8")
        model.child(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
        model.child(head, "title", title if path == "index.html" else f"{title} – {site_title}")
        if description:
            model.child(head, "meta", name="description", content=description)
        model.child(head, "meta", name="generator", content=GENERATOR)
        model.child(head, "link", rel="stylesheet", href=self.link("assets/site.css"))
        self.head = head
        body = model.child(self.root, "body")
        model.child(body, "a", "Skip to the content", href="#main", class_="skip")
        header = model.child(body, "header", class_="site")
        model.child(model.child(header, "p", class_="site-name"), "a", site_title,
                    href=self.link("index.html"))
        if crumbs:
            nav = model.child(header, "nav", aria_label="You are here")
            ol = model.child(nav, "ol", class_="crumbs")
            for crumb in crumbs:
                li = model.child(ol, "li")
                if crumb.target is None:
                    model.child(li, "span", crumb.text, aria_current="page")
                else:
                    model.child(li, "a", crumb.text, href=self.link(crumb.target))
        self.main = model.child(body, "main", id="main")
        footer = model.child(body, "footer", class_="site")
        model.child(footer, "p", f"Made with {GENERATOR.split(' (')[0]} from BagIt packages: "
                    "no server, no network, nothing tracked. The database of the collection "
                    "is catalog.sqlite, beside this site's index.html.")
        self.body = body

    def link(self, target: str) -> str:
        return href(self.path, target)

    def a(self, parent: etree._Element, text: str, target: str, **attrs: str | None
          ) -> etree._Element:
        return model.child(parent, "a", text, href=self.link(target), **attrs)

    def bytes(self) -> bytes:
        return serialize(self.root)


# --- a bulletin's page -----------------------------------------------------------------------

@dataclass(frozen=True)
class Neighbour:
    page: str
    title: str
    date: str | None
    language: str


@dataclass(frozen=True)
class FileLink:
    role: str  # original, master, or a format name
    path: str  # the file in the site's terms: ../collection/data/2011/x/x.pdf
    media_type: str | None
    label: str  # what it is: "PDF/A-2b", "the original text"
    size: int | None
    sha256: str | None


@dataclass(frozen=True)
class Event:
    type: str
    time: str
    agent: str
    outcome: str
    notes: list[str]


@dataclass(frozen=True)
class BulletinInfo:
    """What a bulletin's page says besides its text (the site's records of it)."""

    page: str
    package: str  # the package's name
    folder: str
    source: str | None
    files: list[FileLink]
    events: list[Event]
    previous: Neighbour | None
    next: Neighbour | None
    crumbs: list[Crumb]


def bulletin_page(doc: model.Element, info: BulletinInfo, site_title: str) -> bytes:
    """The site's page of one bulletin (see the module's docstring)."""
    visitor = HtmlPage(doc)
    meta, head = visitor.meta, visitor.head
    frame = Frame(info.page, meta.title, site_title, info.crumbs,
                  description=meta.description)
    lang = meta.language
    if not head.title:  # the writer invents no heading; the site names the page by its title
        model.child(frame.main, "h1", meta.title, class_="supplied-title", lang=lang)
    article = model.child(frame.main, "article", lang=lang)
    visitor.walk(article)

    about = model.child(frame.main, "section", class_="about", aria_labelledby="about")
    model.child(about, "h2", "About this bulletin", id="about")
    dl = model.child(about, "dl")

    def field(term: str, value: str | None, *, in_language: bool = False) -> etree._Element | None:
        if not value:
            return None
        model.child(dl, "dt", term)
        return model.child(dl, "dd", value, lang=lang if in_language else None)

    field("Title", meta.title, in_language=True)
    if meta.date:
        dd = field("Date", " ")
        assert dd is not None
        dd.text = None
        model.child(dd, "time", long_date(meta.date), datetime=meta.date)
    elif head.date_text:
        field("Date", f"{head.date_text} (year unknown)", in_language=True)
    field("Place", meta.coverage, in_language=True)
    field("Agency", meta.publisher)
    field("Byline", head.byline, in_language=True)
    field("Language", lang)
    field("Issue", meta.relation)
    field("Identifier", meta.identifier)
    field("Source file", info.source)
    field("Package", f"{info.package}, {info.folder}")

    model.child(about, "h3", "Files in the package", id="files")
    files = model.child(about, "ul", class_="files")
    for f in info.files:
        li = model.child(files, "li")
        frame.a(li, f.label, f.path, type=f.media_type)
        model.child(li, "span", f" ({f.media_type or 'unknown type'}, {size_text(f.size)})")
        if f.sha256:
            fixity = model.child(li, "span", "SHA-256 ", class_="fixity")
            model.child(fixity, "code", f.sha256)

    model.child(about, "h3", "Provenance", id="provenance")
    prov = model.child(about, "ul", class_="provenance")
    for e in info.events:
        if e.type not in ("ingestion", "normalization"):
            continue
        what = ("Ingested (copied into the package byte for byte)" if e.type == "ingestion"
                else f"Parsed into the canonical master ({e.outcome})")
        li = model.child(prov, "li", f"{what}: ")
        model.child(li, "time", e.time.replace("T", " ").split(".")[0] + " UTC",
                    datetime=html_datetime(e.time)).tail = f", by {e.agent}"
        if e.notes:
            notes = model.child(li, "ul")
            for note in e.notes:
                model.child(notes, "li", note)
    repairs = [(r.get("kind", ""), r.get("line"), r.text or "")
               for r in doc.iter(model.q("repair"))]
    li = model.child(prov, "li", "Repaired: " + ("nothing" if not repairs else ""))
    if repairs:
        ul = model.child(li, "ul")
        for kind, line, text in repairs:
            where = f" (line {line})" if line and line != "0" else ""
            model.child(ul, "li", f"{kind}{where}: {text}")
    li = model.child(prov, "li", "Site chrome removed: " + ("none" if not head.removed else
                                                            f"{len(head.removed)} line(s)"))
    if head.removed:
        ul = model.child(li, "ul")
        for number, removed in head.removed:
            item = model.child(ul, "li", f"line {number}: ")
            model.child(item, "q", removed)

    if info.previous or info.next:
        nav = model.child(frame.main, "nav", class_="prevnext",
                          aria_label="Previous and next bulletin by date")
        ul = model.child(nav, "ul")
        for rel, label, n in (("prev", "Previous", info.previous), ("next", "Next", info.next)):
            if n is None:
                continue
            li = model.child(ul, "li", class_=rel)
            a = frame.a(li, f"{label}: ", n.page, rel=rel)
            model.child(a, "span", n.title, lang=n.language)
            if n.date:
                model.child(li, "span", f" ({long_date(n.date)})", class_="when")
    return frame.bytes()


# --- lists -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Listed:
    """A bulletin as a list shows it."""

    page: str
    title: str
    date: str | None
    date_as_written: str | None
    place: str | None
    agency: str | None
    language: str


def list_item(frame: Frame, parent: etree._Element, b: Listed) -> None:
    li = model.child(parent, "li")
    frame.a(li, b.title, b.page, lang=b.language)
    parts = []
    if b.date:
        parts.append(long_date(b.date))
    elif b.date_as_written:
        parts.append(f"{b.date_as_written} (year unknown)")
    parts += [p for p in (b.place, b.agency) if p]
    if parts:
        model.child(li, "span", " · ".join(parts), class_="meta")


def pager(frame: Frame, paths: Sequence[str], current: int) -> None:
    """Links to the pages of a long list."""
    if len(paths) < 2:
        return
    nav = model.child(frame.main, "nav", class_="pager", aria_label="Pages of this list")
    ol = model.child(nav, "ol")
    for n, path in enumerate(paths):
        li = model.child(ol, "li")
        if n == current:
            model.child(li, "span", f"Page {n + 1}", aria_current="page")
        else:
            frame.a(li, f"Page {n + 1}", path)


def counted_list(frame: Frame, parent: etree._Element, entries: Iterable[tuple[str, str, int]],
                 *, cls: str = "counted") -> None:
    """A list of links with counts: (text, target, count)."""
    ul = model.child(parent, "ul", class_=cls)
    for text, target, count in entries:
        li = model.child(ul, "li")
        frame.a(li, text, target)
        model.child(li, "span", f" ({count:,})", class_="count")
