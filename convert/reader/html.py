"""Saved news pages (HTML): the article by trafilatura, then the bulletin grammar or the page's
own structure.

1. **Decoding** (`page_encoding`): a byte order mark, then the charset of the HTTP header (a
   WARC record's Content-Type), then the page's own `<meta charset>` or `http-equiv` (looked
   for in its first 4 KiB), then a guess (charset-normalizer, as for text). The WHATWG
   encoding standard puts the BOM first too. A declared encoding that does not decode the page
   is replaced by the guess, and the repair recorded.
2. **Parsing** with lxml's HTML parser: no script runs, nothing is fetched (`no_network`), no
   entity is loaded; comments and processing instructions are dropped. Broken markup is
   repaired as browsers would. A page over `MAX_PAGE_BYTES`, with over `MAX_ELEMENTS`
   elements or nested too deeply, or without an article is refused with a message.
3. **Metadata** (`page_metadata`), each from the first source that gives it: the headline
   (JSON-LD `headline`, `og:title`, the first `h1`, `<title>`), the publication date
   (`article:published_time`, JSON-LD `datePublished`, a `<time datetime>`, then htmldate's
   guess), the authors (JSON-LD `author`, `<meta name="author">`, `article:author`, a byline
   element), the language (`<html lang>`, `Content-Language`, JSON-LD `inLanguage`, then a
   guess from the stop words of the text: jusText's lists), the site name (`og:site_name`,
   JSON-LD `publisher`), the canonical URL (`<link rel="canonical">`, `og:url`) and the
   description (`<meta name="description">`, `og:description`).
4. **Main content** by trafilatura (`EXTRACTION`: precision favoured, no comments, tables kept
   as text, no images, links or formatting), as blocks: paragraphs, headings, lists,
   quotations.
5. **A page in the bulletin format** (a dateline such as "RIGA, Sept. 14, 2016 (EIRNS)—" near
   the top of the extracted text, or a digest's issue header) is read by the bulletin grammar
   over the extracted blocks, as if its text had been scraped: title, byline, dateline,
   quotations, lists, digest items, and chrome recorded. **Any other article** keeps the
   page's structure: its headline as the title, its authors as the byline, its date as the
   dateline's date, and its paragraphs, headings, lists and quotations as blocks.
6. **What was removed** (navigation, header, footer, cookie notices, related links, comments,
   ...) is summarised in `head/removed`: one `chrome` per region of the page whose text did
   not reach the body, with its kind and its line in the HTML source.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from lxml import etree

from .. import model
from ..messages import InputError, Message, info, warning
from .base import Input, ParseResult
from .sniff import looks_like_html

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: Pages larger than this are refused: trafilatura's own download limit (MAX_FILE_SIZE,
#: 20 MB); a news page is rarely above 2 MB, and extraction time grows with the tree.
MAX_PAGE_BYTES = 20_000_000
#: Pages with more elements than this are refused (trafilatura's max_tree_size idea): a
#: generated page of half a million elements holds no single article.
MAX_ELEMENTS = 200_000
#: How deep the parser nests before giving up on a branch (libxml2's own limit is 256 without
#: XML_PARSE_HUGE); a page that reaches it is refused rather than read in part.
MAX_DEPTH = 255

#: The trafilatura settings, in one place (README: "Web pages and crawls").
#: - favor_precision: news pages carry teasers, related links and comment threads that look
#:   like prose; precision keeps them out (a boilerplate sentence in a preservation master is
#:   worse than a lost one-line caption, and the page itself is kept as the original);
#: - include_comments=False: reader comments are not the bulletin;
#: - include_tables=True: a table of figures is content (kept as rows of text);
#: - include_images/links/formatting=False: the canonical vocabulary has no images or links,
#:   and emphasis is not kept (the original keeps it);
#: - deduplicate=False: a sentence repeated in the article is the article's (the grammar
#:   warns of repeats), and deduplication's cache would make results depend on the order
#:   pages are read in;
#: - with_metadata=False: metadata is read here, in a documented order, with its origin.
EXTRACTION: dict[str, Any] = {
    "favor_precision": True, "include_comments": False, "include_tables": True,
    "include_images": False, "include_links": False, "include_formatting": False,
    "deduplicate": False, "with_metadata": False, "output_format": "python",
}

_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_SPACES = re.compile(r"\s+")


def _clean(text: str | None) -> str:
    """Text as the vocabulary holds it: single spaces, trimmed, NFC, no control characters."""
    if not text:
        return ""
    text = "".join(c for c in text if c in "\t\n" or unicodedata.category(c) != "Cc")
    text = _SPACES.sub(" ", text).strip()
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# --- 1. decoding ----------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
#: Labels a page may declare and the codec each means (the WHATWG maps latin-1 and ascii to
#: windows-1252: browsers read such pages so, and so do we).
_LABELS = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
           "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    try:
        return codecs.lookup(_LABELS.get(label, label)).name
    except LookupError:
        return None


@dataclass
class Decoded:
    text: str
    encoding: str
    origin: str  # bom, http, meta, guess, option
    repairs: list[tuple[str, str]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def page_encoding(data: bytes, http_charset: str | None, option: str | None,
                  source: str | None) -> Decoded:
    """Decode a page: BOM, HTTP charset, meta charset, then `option` (--encoding) or a guess."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom):].decode(name, "replace"), codecs.lookup(name).name,
                           "bom")
    declared: list[tuple[str, str]] = []
    if (http := _codec(http_charset)) is not None:
        declared.append((http, "http"))
    if (m := _META_CHARSET.search(data[:4096])) and (meta := _codec(m.group(1).decode())):
        declared.append(("utf-8" if meta.startswith("utf-16") else meta, "meta"))
    messages: list[Message] = []
    for name, origin in declared:
        try:
            return Decoded(data.decode(name), name, origin)
        except UnicodeDecodeError as exc:
            messages.append(warning(f"the page says it is {name} ({origin}) but byte "
                                    f"{exc.start:,} is not {name}: its encoding is guessed",
                                    source))
    if option:
        return Decoded(data.decode(option, "replace"), codecs.lookup(option).name, "option",
                       [("encoding", f"decoded as {option} (--encoding)")], messages)
    try:
        return Decoded(data.decode("utf-8"), "utf-8",
                       "guess" if messages or declared else "default", messages=messages)
    except UnicodeDecodeError:
        pass
    from .decode import _detect

    guess = _detect(data) or "cp1252"
    repairs = [("encoding", f"decoded as {guess}: the page declares no encoding that fits "
                            "and is not UTF-8")]
    messages.append(warning(f"the page's encoding was guessed: {guess}", source))
    return Decoded(data.decode(guess, "replace"), guess, "guess", repairs, messages)


# --- 2. parsing -----------------------------------------------------------------------------


def parse_page(text: str, source: str | None) -> etree._Element:
    """The page as an lxml HTML tree (nothing fetched, no script run, no entity loaded)."""
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  huge_tree=False, default_doctype=False)
    text = text.replace("\x00", "\ufffd")
    try:
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"not an HTML page that can be read: {exc}", source) from exc
    for count, _ in enumerate(tree.iter(), start=1):
        if count > MAX_ELEMENTS:
            raise InputError(f"the page has more than {MAX_ELEMENTS:,} elements: too large "
                             "to hold one article", source,
                             hint="save the article alone, or its text")
    return tree


def _depth(tree: etree._Element) -> int:
    deepest = 0
    for el in tree.iter():
        if len(el) == 0:
            deepest = max(deepest, sum(1 for _ in el.iterancestors()))
    return deepest


# --- 3. metadata ----------------------------------------------------------------------------


@dataclass
class Meta:
    """What the page says about itself, and where each value came from."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None  # YYYY-MM-DD
    date_text: str | None = None  # the date as the page shows it, when it shows it
    published: str | None = None  # the value as the metadata wrote it
    date_from: str | None = None  # meta, json-ld, time, htmldate
    lang: str | None = None
    lang_from: str | None = None  # html, content-language, json-ld, detected, option
    site: str | None = None
    canonical: str | None = None
    description: str | None = None
    byline: str | None = None  # the page's byline element, as it reads


def _json_ld(tree: etree._Element) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page (graphs flattened); broken JSON is passed over."""
    for script in tree.iterfind(".//script[@type]"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack[:0] = graph
                yield item


_ARTICLE_TYPES = ("article", "newsarticle", "reportage", "blogposting", "report",
                  "analysisnewsarticle", "opinionnewsarticle", "backgroundnewsarticle")


def _is_article(item: dict[str, Any]) -> bool:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds)


def _names(value: Any) -> list[str]:
    """Author names from a JSON-LD value: a string, a Person, or a list of either."""
    out: list[str] = []
    for v in value if isinstance(value, list) else [value]:
        name = v.get("name") if isinstance(v, dict) else v
        if isinstance(name, str) and (name := _clean(name)) and not name.startswith("http"):
            out.append(name)
    return out


def _metas(tree: etree._Element) -> dict[str, str]:
    """`<meta>` values by lower-case name or property (the first of each)."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop")
               or meta.get("http-equiv") or "").strip().lower()
        content = meta.get("content")
        if key and content and _clean(content):
            found.setdefault(key, _clean(content))
    return found


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BYLINE_CLASS = re.compile(r"\b(?:byline|author|writer)\b", re.I)
_BY = re.compile(r"^(?:by|von|par|por|di|door|av|af|od|от|από)\s+", re.I)
_AND = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bog\b|\bi\b|\bи\b"
                  r"|\bκαι\b|&)\s*", re.I)


def _iso(value: str | None) -> str | None:
    """The calendar date a metadata value starts with ("2024-03-05T08:30:00Z" gives
    2024-03-05), if it is a real one."""
    m = _ISO_DATE.match((value or "").strip())
    if not m:
        return None
    from ..transforms import iso_date

    return iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _byline_names(text: str) -> list[str]:
    """"By Mara Quillfeather and Tobias Renwick" gives both names."""
    text = _BY.sub("", _clean(text))
    return [n for n in _AND.split(text) if n and len(n.split()) <= 5]


def page_metadata(tree: etree._Element, url: str | None) -> Meta:
    meta = Meta()
    metas = _metas(tree)
    ld = list(_json_ld(tree))
    articles = [item for item in ld if _is_article(item)] or ld

    def from_ld(key: str) -> Any:
        return next((item[key] for item in articles if item.get(key)), None)

    headline = from_ld("headline")
    h1 = tree.find(".//h1")
    title = tree.find(".//title")
    for value in (headline if isinstance(headline, str) else None, metas.get("og:title"),
                  None if h1 is None else "".join(h1.itertext()),
                  None if title is None else "".join(title.itertext())):
        if value and (value := _clean(value)):
            meta.title = value
            break

    meta.authors = _names(from_ld("author"))
    if not meta.authors and metas.get("author"):
        meta.authors = _byline_names(metas["author"])
    if not meta.authors and metas.get("article:author") and \
            not metas["article:author"].startswith("http"):
        meta.authors = _byline_names(metas["article:author"])
    for el in tree.iter("span", "p", "div", "a", "address"):
        if _BYLINE_CLASS.search(el.get("class") or "") or el.get("rel") == "author":
            text = _clean("".join(el.itertext()))
            if text and len(text) <= 120:
                meta.byline = text
                if not meta.authors:
                    meta.authors = _byline_names(text)
                break

    for value, origin in ((metas.get("article:published_time"), "meta"),
                          (from_ld("datePublished"), "json-ld"),
                          (metas.get("datepublished"), "meta")):
        if isinstance(value, str) and (day := _iso(value)):
            meta.date, meta.published, meta.date_from = day, _clean(value), origin
            break
    for time_el in tree.iter("time"):
        value = time_el.get("datetime") or ""
        day = _iso(value)
        shown = _clean("".join(time_el.itertext()))
        if day and (meta.date is None or meta.date == day):
            if meta.date is None:
                meta.date, meta.published, meta.date_from = day, _clean(value), "time"
            meta.date_text = shown or None
            break

    lang = (tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
    for value, origin in ((lang, "html"), (metas.get("content-language"), "content-language"),
                          (from_ld("inLanguage"), "json-ld")):
        if isinstance(value, str) and (tag := _language(value.split(",")[0])):
            meta.lang, meta.lang_from = tag, origin
            break

    publisher = from_ld("publisher")
    for value in (metas.get("og:site_name"),
                  publisher.get("name") if isinstance(publisher, dict) else publisher):
        if isinstance(value, str) and (value := _clean(value)):
            meta.site = value
            break
    for link in tree.iterfind(".//link[@rel]"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            meta.canonical = _url(link.get("href"), url)
            break
    if meta.canonical is None and metas.get("og:url"):
        meta.canonical = _url(metas["og:url"], url)
    meta.description = metas.get("description") or metas.get("og:description")
    return meta


def _url(href: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL, or None (a relative one resolved against the page's URL)."""
    from urllib.parse import urljoin

    href = (href or "").strip()
    if base:
        href = urljoin(base, href)
    return href if re.match(r"https?://[^\s]+$", href) else None


def _language(value: str) -> str | None:
    try:
        return model.language(value.strip().replace("_", "-"))
    except ValueError:
        return None


#: jusText's stop word lists used to tell the language of a page that names none, with the
#: BCP 47 tag of each (jusText names its lists after the language).
STOPLISTS = {
    "English": "en", "German": "de", "French": "fr", "Spanish": "es", "Italian": "it",
    "Portuguese": "pt", "Dutch": "nl", "Swedish": "sv", "Danish": "da",
    "Norwegian_Bokmal": "nb", "Finnish": "fi", "Polish": "pl", "Czech": "cs",
    "Slovak": "sk", "Slovenian": "sl", "Croatian": "hr", "Serbian": "sr", "Bosnian": "bs",
    "Hungarian": "hu", "Romanian": "ro", "Bulgarian": "bg", "Russian": "ru",
    "Ukrainian": "uk", "Greek": "el", "Turkish": "tr", "Latvian": "lv", "Lithuanian": "lt",
    "Estonian": "et", "Icelandic": "is", "Irish": "ga", "Welsh": "cy", "Catalan": "ca",
    "Basque": "eu", "Galician": "gl", "Albanian": "sq", "Macedonian": "mk",
    "Indonesian": "id", "Malay": "ms", "Vietnamese": "vi", "Afrikaans": "af",
}
_stopwords: dict[str, frozenset[str]] | None = None
_WORDS = re.compile(r"\w+")


def detect_language(text: str) -> str | None:
    """The language whose stop words make up most of `text` (at least 15 % of its first 1,000
    words, and clearly more than the runner-up's), or None."""
    global _stopwords
    if _stopwords is None:
        import justext

        _stopwords = {}
        for name, tag in STOPLISTS.items():
            try:
                _stopwords[tag] = frozenset(justext.get_stoplist(name))
            except ValueError:  # a list this jusText lacks
                continue
    words = [w.lower() for w in _WORDS.findall(text)[:1000]]
    if len(words) < 20:
        return None
    scores = sorted(((sum(w in stop for w in words) / len(words), tag)
                     for tag, stop in _stopwords.items()), reverse=True)
    (best, tag), (second, _) = scores[0], scores[1]
    return tag if best >= 0.15 and best - second >= 0.03 else None


# --- 4. main content ------------------------------------------------------------------------


@dataclass
class Block:
    """One block of the extracted article: kind p, heading, list, quote (with paragraphs in
    `items`), kept as text."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    start: int = 1
    origin: str = ""  # what it was in trafilatura's output, for --explain


def _inline(el: etree._Element) -> str:
    """The text of an element of trafilatura's output, line breaks as spaces."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append(" ")
        elif child.tag not in ("list", "table", "quote", "graphic"):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return _clean("".join(parts))


def blocks_of(body: etree._Element) -> list[Block]:
    """trafilatura's XML body (`p`, `head`, `list`/`item`, `quote`, `table`, `code`) as
    blocks; nested lists are flattened, table rows become paragraphs of their cells."""
    out: list[Block] = []
    for el in body:
        tag = el.tag
        if tag == "head":
            if text := _inline(el):
                out.append(Block("heading", text, origin=f"head {el.get('rend', '')}".strip()))
        elif tag == "list":
            items = [t for t in (_inline(item) for item in el.iter("item")) if t]
            if items:
                rend = el.get("rend", "ul")
                out.append(Block("list", items=items, ordered=rend == "ol", origin=f"list {rend}"))
        elif tag == "quote":
            paragraphs = [t for t in (_inline(p) for p in el if p.tag == "p") if t]
            if not paragraphs and (t := _inline(el)):
                paragraphs = [t]
            if paragraphs:
                out.append(Block("quote", items=paragraphs, origin="quote"))
        elif tag == "table":
            for row in el.iter("row"):
                cells = [t for t in (_inline(c) for c in row.iter("cell")) if t]
                if cells:
                    out.append(Block("p", " | ".join(cells), origin="table row"))
        elif tag in ("p", "code", "div", "ab") and (text := _inline(el)):
            out.append(Block("p", text, origin=tag))
    return out


def extract(tree: etree._Element, url: str | None, source: str | None) -> list[Block]:
    """The article's blocks, by trafilatura (see EXTRACTION)."""
    import trafilatura

    try:
        found = trafilatura.bare_extraction(cast("HtmlElement", tree), url=url, **EXTRACTION)
    except RecursionError as exc:
        raise InputError("the page is nested too deeply to be read", source) from exc
    body = getattr(found, "body", None)
    blocks = blocks_of(body) if body is not None else []
    if not blocks:
        raise InputError("no article found in the page: trafilatura found no main text "
                         "(a page of links, a form, or an empty page)", source,
                         hint="if the page is an article, save its text and parse that")
    return blocks


# --- 6. what was removed --------------------------------------------------------------------

#: The kinds of page furniture, by the words of an element's tag, class or id.
_KINDS = (
    ("cookie-notice", re.compile(r"cookie|consent|gdpr|privacy-banner", re.I)),
    ("comments", re.compile(r"comment|disqus|discussion|replies", re.I)),
    ("related", re.compile(r"related|recommend|more-stories|read-more|readmore|trending"
                           r"|popular|teaser|most-read", re.I)),
    ("sharing", re.compile(r"share|social|follow", re.I)),
    ("subscription", re.compile(r"subscri|newsletter|signup|sign-up|paywall|register", re.I)),
    ("advertising", re.compile(r"\bad\b|\bads\b|advert|sponsor|promo", re.I)),
    ("navigation", re.compile(r"\bnav|menu|breadcrumb|pagination|pager|skip", re.I)),
    ("footer", re.compile(r"footer|colophon|copyright", re.I)),
    ("header", re.compile(r"header|masthead|banner|topbar", re.I)),
)
_TAG_KINDS = {"nav": "navigation", "footer": "footer", "header": "header", "aside": "aside",
              "form": "form", "menu": "navigation"}
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "title", "meta",
                      "link", "svg", "iframe", "object", "select", "option"})
#: Removed text longer than this is summarised: its first words and its length.
CHROME_SHOWN = 300


def _kind(el: etree._Element) -> str | None:
    tag = el.tag if isinstance(el.tag, str) else ""
    words = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('role') or ''}"
    for kind, pattern in _KINDS:
        if pattern.search(words):
            return kind
    return _TAG_KINDS.get(tag)


#: Elements whose text is one unit of the page (when no such element is inside them).
_LEAF = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt",
                   "figcaption", "pre", "address", "button", "label", "caption", "summary",
                   "legend", "blockquote"})
#: Inline elements whose text outside any leaf block is one unit (a link in a menu).
_INLINE = frozenset({"a", "span", "time", "strong", "em", "b", "i", "small", "cite"})


def _units(tree: etree._Element) -> list[tuple[etree._Element, str]]:
    """The page's text as units: each leaf block's text, each loose inline element's text,
    and the text standing directly in other elements, each with the element it stands in."""
    body = tree.find("body")
    if body is None:
        return []
    holders: set[etree._Element] = set()  # elements with a leaf block inside
    for el in body.iter(*_LEAF):
        holders.update(el.iterancestors())
    out: list[tuple[etree._Element, str]] = []
    stack: list[tuple[etree._Element, str | None]] = [(body, None)]
    while stack:
        el, tail = stack.pop()
        if tail is not None:
            out.append((el, tail))
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIPPED or not tag:
            continue
        if (tag in _LEAF or tag in _INLINE) and el not in holders:
            out.append((el, "".join(el.itertext())))
            continue
        if el.text and el.text.strip():
            out.append((el, el.text))
        for child in reversed(el):
            if child.tail and child.tail.strip():
                stack.append((el, child.tail))
            stack.append((child, None))
    return out


def _region(el: etree._Element, body: etree._Element) -> tuple[etree._Element, str]:
    """The region of the page an element belongs to: its outermost ancestor of a known kind
    of furniture, else the body's child it stands in; and that kind."""
    region, kind = None, None
    node: etree._Element | None = el
    while node is not None and node is not body:
        if (k := _kind(node)) is not None:
            region, kind = node, k
        parent = node.getparent()
        if parent is body and region is None:
            region = node
        node = parent
    return (region if region is not None else el), (kind or "other")


#: A unit of text at least this long that stands inside the body's text was kept (a short
#: one must be a whole block of the body: "News" in a menu is no sentence of the article).
_KEPT_INSIDE = 25


def removed_regions(tree: etree._Element, blocks: set[str], kept: str, shown: set[str]
                    ) -> list[tuple[int, str, str]]:
    """(HTML source line, kind, text) of each region of the page whose text reached neither
    the body (`blocks`, each block's text; `kept`, all of it) nor the head (`shown`)."""
    body = tree.find("body")
    if body is None:
        return []
    regions: dict[int, tuple[etree._Element, str, list[str]]] = {}
    order: list[int] = []
    for owner, raw in _units(tree):
        text = _clean(raw)
        if not text or text in blocks or text in shown or not any(c.isalnum() for c in text):
            continue
        if len(text) >= _KEPT_INSIDE and text in kept:
            continue
        region, kind = _region(owner, body)
        key = id(region)
        if key not in regions:
            regions[key] = (region, kind, [])
            order.append(key)
        regions[key][2].append(text)
    out = []
    for key in order:
        region, kind, texts = regions[key]
        text = _clean(" · ".join(texts))
        if len(text) > CHROME_SHOWN:
            cut = text[:CHROME_SHOWN].rsplit(" ", 1)[0]
            text = f"{cut} … ({len(text):,} characters)"
        out.append((region.sourceline or 1, kind, text))
    return sorted(out, key=lambda r: r[0])


# --- 5. documents ---------------------------------------------------------------------------


def _rendered(blocks: list[Block]) -> tuple[str, list[int]]:
    """The blocks as bulletin text (blank lines between blocks, list items marked), and for
    each of its lines the block it came from."""
    lines: list[str] = []
    owner: list[int] = []
    for i, block in enumerate(blocks):
        if lines:
            lines.append("")
            owner.append(i)
        if block.kind == "list":
            for n, item in enumerate(block.items, start=block.start):
                lines.append(f"{n}. {item}" if block.ordered else f"• {item}")
                owner.append(i)
        elif block.kind == "quote":
            for j, p in enumerate(block.items):
                if j:
                    lines.append("")
                    owner.append(i)
                lines.append(p)
                owner.append(i)
        else:
            lines.append(block.text)
            owner.append(i)
    return "\n".join(lines), owner


def _bulletin_format(text: str, profile: Any) -> bool:
    """Whether the extracted text reads as a bulletin: a dateline within the profile's window
    of lines, or a digest's issue header within its window."""
    from .dateline import find_dateline

    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if any(find_dateline(ln) for ln in lines[:profile.dateline_window]):
        return True
    return any(profile.issue_header.match(ln) for ln in lines[:profile.issue_header_window])


def _source(head: model.Element, item: Input, decoded: Decoded, meta: Meta,
            url: str | None) -> model.Element:
    """The head's `source`, with the page's metadata and the capture it came from."""
    import hashlib

    from .. import __version__

    attrs: dict[str, str | None] = {
        "name": item.name, "media_type": "text/html", "encoding": decoded.encoding,
        "sha256": hashlib.sha256(item.data).hexdigest(), "size": str(len(item.data)),
        "url": url}
    existing = model.find(head, "source")
    if existing is not None:
        source = existing
        for key in list(source.attrib):
            del source.attrib[key]
        for k, v in attrs.items():
            if v is not None:
                source.set(k.replace("_", "-"), v)
    else:
        source = model.sub(head, "source", **attrs)
    page = model.sub(source, "page", site=meta.site, canonical=meta.canonical,
                     published=meta.published, date_from=meta.date_from,
                     lang_from=meta.lang_from, encoding_from=decoded.origin,
                     extractor=f"trafilatura {_trafilatura_version()}",
                     reader=f"bulletin-convert {__version__}")
    if meta.description:
        model.sub(page, "description", meta.description)
    if item.capture is not None:
        c = item.capture
        model.sub(source, "capture", warc=c.warc, offset=str(c.offset), record_id=c.record_id,
                  date=c.date, target=c.target,
                  status=None if c.status is None else str(c.status),
                  content_type=_clean(c.content_type) or None,
                  payload_digest=c.payload_digest, digest_check=c.digest_check)
    return source


def _trafilatura_version() -> str:
    from importlib.metadata import version

    return version("trafilatura")


def _removed(head: model.Element, regions: list[tuple[int, str, str]]) -> None:
    """Add the page's removed regions to `head/removed` (after the source, in line order)."""
    if not regions:
        return
    removed = model.find(head, "removed")
    if removed is None:
        removed = etree.Element(model.q("removed"))
        anchor = _last(head, "source", "digest")
        anchor.addnext(removed)
    for line, kind, text in regions:
        model.sub(removed, "chrome", text, line=str(line), kind=kind)


def _last(head: model.Element, *names: str) -> model.Element:
    """The last of the head's children named `names` (the head always has a source)."""
    found = [el for name in names if (el := model.find(head, name)) is not None]
    assert found, "a canonical head always has a source"
    return max(found, key=lambda el: head.index(el))


def _messages(head: model.Element, messages: list[Message]) -> None:
    """Record page-level messages in the head (the grammar's are there already)."""
    if not messages:
        return
    el = model.find(head, "messages")
    if el is None:
        el = model.sub(head, "messages")
    for m in messages:
        if m.level.value in ("info", "warning"):
            model.sub(el, "message", " ".join(m.text.split()), level=m.level.value)


def _byline(head: model.Element, meta: Meta) -> None:
    """The byline as the page writes it, each author's name marked; without a byline on the
    page (names from metadata only), the names alone, separated by commas."""
    byline = model.sub(head, "byline", "")  # "": no indentation in mixed content
    written = meta.byline or ""
    at = 0
    spans: list[tuple[int, int]] = []
    for name in meta.authors:
        i = written.find(name, at)
        if i < 0:
            spans = []
            break
        spans.append((i, i + len(name)))
        at = i + len(name)
    if not spans:
        written = ", ".join(meta.authors)
        at, spans = 0, []
        for name in meta.authors:
            i = written.index(name, at)
            spans.append((i, i + len(name)))
            at = i + len(name)
    byline.text = written[:spans[0][0]]
    for n, (a, b) in enumerate(spans):
        end = spans[n + 1][0] if n + 1 < len(spans) else len(written)
        model.sub(byline, "name", written[a:b]).tail = written[b:end] or None


def _article(blocks: list[Block], meta: Meta, lang: str) -> model.Element:
    """The canonical document of an ordinary article: the page's own structure."""
    doc = model.new_document("pending", lang)
    head, body = doc[0], doc[1]
    if meta.title:
        model.sub(head, "title", meta.title)
    if meta.authors:
        _byline(head, meta)
    if meta.date:
        dateline = model.sub(head, "dateline", "")  # "": no indentation in mixed content
        model.sub(dateline, "date", meta.date_text or meta.date, when=meta.date)
    skip_title = bool(blocks and meta.title and blocks[0].kind == "heading"
                      and _clean(blocks[0].text).casefold() == meta.title.casefold())
    for block in blocks[1:] if skip_title else blocks:
        if block.kind == "p":
            model.sub(body, "p", block.text)
        elif block.kind == "heading":
            model.sub(body, "heading", block.text)
        elif block.kind == "list":
            lst = model.sub(body, "list", type="number" if block.ordered else "bullet",
                            marker=f"{block.start}." if block.ordered else "•")
            for item in block.items:
                model.sub(lst, "item", item)
        elif block.kind == "quote":
            quote = model.sub(body, "quote")
            for p in block.items:
                model.sub(quote, "p", p)
    return doc


def read_page(item: Input) -> ParseResult:
    """The canonical documents of one saved page (see the module's steps)."""
    from .. import transforms
    from .explain import Trace
    from .profile import get as get_profile

    source, reading = item.source, item.reading
    if not item.data.strip():
        raise InputError("empty input: the page has no content", source)
    if len(item.data) > MAX_PAGE_BYTES:
        raise InputError(f"page too large: {len(item.data):,} bytes (the limit is "
                         f"{MAX_PAGE_BYTES:,}, trafilatura's own); no news page is this big",
                         source, hint="save the article alone, or its text")
    try:
        import trafilatura  # noqa: F401
    except ImportError as exc:
        raise InputError("reading web pages needs trafilatura, which is not installed", source,
                         hint="pip install 'bulletin-convert[web]'") from exc
    http_charset = item.capture.charset if item.capture else None
    decoded = page_encoding(item.data, http_charset, reading.get("encoding"), source)
    tree = parse_page(decoded.text, source)
    if _depth(tree) >= MAX_DEPTH:
        raise InputError(f"the page is nested more than {MAX_DEPTH} elements deep: the parser "
                         "cannot read it whole", source)
    url = reading.get("source_url") or (item.capture.target if item.capture else None)
    meta = page_metadata(tree, url)
    blocks = extract(tree, url or meta.canonical, source)
    page_messages = list(decoded.messages)
    profile = get_profile(reading.get("profile"))
    texts = [t for b in blocks for t in ([b.text] if b.text else b.items)]
    kept = " ".join(texts)
    if meta.lang is None:
        if (found := detect_language(kept)) is not None:
            meta.lang, meta.lang_from = found, "detected"
        else:
            meta.lang, meta.lang_from = model.language(reading.get("lang") or "en"), "option"
            page_messages.append(info(f"the page names no language and its text does not "
                                      f"tell: taken as {meta.lang} (--lang)", source))
    text, owner = _rendered(blocks)
    messages: list[Message] = []
    if _bulletin_format(text, profile):
        documents, messages, traces = _as_bulletin(text, item, decoded, meta, url)
        quoted = [i if blocks[i].kind == "quote" else None for i in owner]
        for doc, trace in zip(documents, traces, strict=True):
            _keep_quotes(doc[1], trace.steps, quoted)
    else:
        if meta.date is None:
            meta.date, meta.published, meta.date_from = _htmldate(tree)
        documents = [_article(blocks, meta, meta.lang)]
        body = documents[0][1]
        if len(body) == 0:  # refused, as a text file holding only a title is
            only = f": nothing but its headline {meta.title!r}" if meta.title else ""
            raise InputError(f"no article text in the page{only}", source)
        traces = [Trace(profile.name, "web-article", 1, 1, [], [], [])]
        if meta.title is None:
            page_messages.append(warning("the page names no headline", source))
        if meta.date is None:
            page_messages.append(warning("the page gives no publication date (no metadata, "
                                         "no <time>, nothing htmldate could find)", source))
    shown = {t for t in (meta.title, meta.date_text, meta.description, meta.byline) if t}
    regions = removed_regions(tree, set(texts), kept, shown | set(meta.authors))
    for doc in documents:
        head = doc[0]
        _source(head, item, decoded, meta, url)
        _removed(head, regions)
        if decoded.repairs:
            _repairs(head, decoded.repairs)
        _messages(head, page_messages)
    kinds: dict[str, int] = {}
    for _, kind, _ in regions:
        kinds[kind] = kinds.get(kind, 0) + 1
    if kinds:
        summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        page_messages.append(info(f"removed from the page: {summary} (recorded in the head)",
                                  source))
    return ParseResult(documents, page_messages + messages, traces, transforms.TRANSFORMS,
                       "html", "text/html")


def _repairs(head: model.Element, repairs: list[tuple[str, str]]) -> None:
    el = model.find(head, "repairs")
    if el is None:
        el = etree.Element(model.q("repairs"))
        _last(head, "source", "digest", "removed").addnext(el)
    for kind, text in repairs:
        model.sub(el, "repair", text, kind=kind, line="0")


def _htmldate(tree: etree._Element) -> tuple[str | None, str | None, str | None]:
    """htmldate's guess at the publication date (the original date, without its extensive
    search, which turns a bare year in a headline into January 1st: a wrong date is worse
    than none in a master), offline."""
    try:
        from htmldate import find_date
    except ImportError:
        return None, None, None
    try:
        found = find_date(cast("HtmlElement", tree), original_date=True,
                          extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # htmldate's heuristics must not cost the page
        return None, None, None
    day = _iso(found) if isinstance(found, str) else None
    return (day, day, "htmldate") if day else (None, None, None)


def _as_bulletin(text: str, item: Input, decoded: Decoded, meta: Meta, url: str | None
                 ) -> tuple[list[model.Element], list[Message], list[Any]]:
    """A page in the bulletin format: the grammar over its extracted text."""
    from .text import options, parse_text

    lang = meta.lang if meta.lang_from != "option" else None
    opts = options(item, decoded.encoding, [], media_type="text/html", url=url, lang=lang)
    documents, messages, traces = parse_text(text, opts)
    for trace in traces:
        trace.page_rule = f"{trace.page_rule} (web page)"
    return documents, messages, traces


def _keep_quotes(body: model.Element, steps: list[tuple[str, int, int, int]],
                 quoted: list[int | None]) -> None:
    """Put back the page's block quotations the grammar read as plain paragraphs: the
    paragraphs made wholly from the lines of one <blockquote> (`quoted`: for each line of the
    text, the quotation it renders, or None) go into a `quote` (field test: a dated page lost
    its quotation, the same page without a dateline kept it)."""
    ends = [step[3] for step in steps[1:]] + [len(body)]
    groups: list[tuple[int, int, int]] = []  # quotation, first and end element
    for (_, first, last, at), end in zip(steps, ends, strict=True):
        owners = {quoted[n - 1] for n in range(first, last + 1) if n <= len(quoted)}
        made = body[at:end]
        block = owners.pop() if len(owners) == 1 else None
        if block is None or not made or any(el.tag != model.q("p") for el in made):
            continue
        if groups and groups[-1][0] == block and groups[-1][2] == at:
            groups[-1] = (block, groups[-1][1], end)
        else:
            groups.append((block, at, end))
    for _, at, end in reversed(groups):
        quote = etree.Element(model.q("quote"))
        body.insert(at, quote)
        quote.extend(body[at + 1:end + 1])
        gone = end - at - 1  # elements of the body that are now inside the quote
        steps[:] = [(rule, first, last, el if el <= at else at if el < end else el - gone)
                    for rule, first, last, el in steps]  # --explain names what each made


class HtmlReader:
    """Saved news pages: the article by trafilatura, then the bulletin grammar where the page
    follows the bulletin format, or the page's own structure."""

    name: ClassVar[str] = "html"
    extensions: ClassVar[tuple[str, ...]] = (".html", ".htm", ".xhtml")
    media_type: ClassVar[str] = "text/html"
    description: ClassVar[str] = (
        "a saved news page: its article (trafilatura), read by the bulletin grammar "
        "or kept in the page's structure")
    requires: ClassVar[tuple[str, ...]] = ("trafilatura",)

    def sniff(self, head: bytes) -> bool:
        return looks_like_html(head)

    def read(self, item: Input) -> ParseResult:
        return read_page(item)
