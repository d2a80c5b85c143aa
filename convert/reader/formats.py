"""The reader registry: which reader reads an input, chosen by its content first, its name second.

It mirrors the writers' registry (`convert/writers/__init__.py`): the built-in readers are
import strings, imported when first used (the HTML and WARC readers import trafilatura and
warcio only when they read, so `import convert` stays cheap and a missing optional dependency
breaks only its own format); third-party readers register in the entry-point group
`bulletin.readers`; a name given twice is refused; an unknown name lists the known ones.

Choosing a reader for an input (`choose`):
1. `--from NAME` (`reader=` in the library) wins;
2. else the first reader whose `sniff` recognises the input's first bytes: WARC (`WARC/1.x`,
   plain or gzip), HTML (a doctype or an HTML element first), canonical XML (an XML
   declaration, a `bulletin` element, a comment or a DOCTYPE first), then third-party readers;
3. else the reader whose extension ends the file name (the longest: `.warc.gz` before `.gz`),
   but for a `.html` file without a single tag, which is text;
4. else bulletin text, which takes whatever is left.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeGuard, cast

from ..messages import ReaderError
from ..plugins import Plugins
from . import sniff
from .base import Container, Reader

__all__ = ["Container", "Reader", "available", "by_extension", "check", "choose", "get"]

ENTRY_POINT_GROUP = "bulletin.readers"

#: The built-in readers: name -> "module:Class", imported on first use.
BUILTIN: dict[str, str] = {
    "text": "convert.reader.text:TextReader",
    "xml": "convert.reader.xml:XmlReader",
    "html": "convert.reader.html:HtmlReader",
    "warc": "convert.reader.warc:WarcReader",
}

#: The file name endings of each built-in reader (its `extensions`), known without importing it.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "text": (".txt",),
    "xml": (".xml",),
    "html": (".html", ".htm", ".xhtml"),
    "warc": (".warc", ".warc.gz"),
}

#: The built-in readers' sniff tests, in the order they are tried (text sniffs nothing: it takes
#: the rest); asked without importing the readers.
SNIFF_ORDER: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("warc", sniff.looks_like_warc), ("html", sniff.looks_like_html),
    ("xml", sniff.looks_like_xml))
#: The reader of last resort.
FALLBACK = "text"

_instances: dict[str, Reader] = {}
_containers: dict[type, bool] = {}
PLUGINS = Plugins(ENTRY_POINT_GROUP, BUILTIN, noun="reader", kind="reader", error=ReaderError)


def available() -> list[str]:
    """Every known reader name: built-ins first, then third-party ones, sorted."""
    return PLUGINS.available()


def is_container(reader: Reader) -> TypeGuard[Container]:
    """Whether `reader` reads files that hold several inputs (a WARC file), by its class: it
    is asked of every input, and a protocol's isinstance test costs 18 us."""
    kind = type(reader)
    if kind not in _containers:
        _containers[kind] = isinstance(reader, Container)
    return _containers[kind]


def get(name: str) -> Reader:
    """The reader called `name` (one instance per process); an unknown name lists the known
    ones."""
    reader = _instances.get(name)
    if reader is None:
        reader = _instances[name] = cast(type[Reader], PLUGINS.load(name))()
    return reader


def check(name: str | None) -> str | None:
    """`name` if it names a reader (None stays None); ReaderError listing them otherwise."""
    if name is None:
        return None
    name = name.strip().lower()
    if not PLUGINS.known(name):
        raise PLUGINS.unknown(name)
    return name


def by_extension(filename: str | os.PathLike[str] | None) -> str | None:
    """The reader whose extension ends `filename` (the longest that does), or None."""
    if filename is None:
        return None
    lower = os.fspath(filename).lower()
    best: tuple[int, str] | None = None
    for name in available():
        extensions = EXTENSIONS.get(name)
        if extensions is None:
            extensions = get(name).extensions
        for ext in extensions:
            if lower.endswith(ext) and (best is None or len(ext) > best[0]):
                best = (len(ext), name)
    return None if best is None else best[1]


def sniffed(head: bytes) -> str | None:
    """The first reader whose `sniff` recognises `head` (built-ins first), or None."""
    for name, test in SNIFF_ORDER:
        if test(head):
            return name
    return next((name for name in sorted(PLUGINS.third_party()) if get(name).sniff(head)), None)


def choose(head: bytes, filename: str | os.PathLike[str] | None = None,
           override: str | None = None) -> Reader:
    """The reader for an input whose first bytes are `head` (see the module's rules)."""
    if override:
        return get(check(override) or FALLBACK)
    found, named = sniffed(head), by_extension(filename)
    if found == "html" and named == FALLBACK and not sniff.looks_like_html_document(head):
        found = None  # a .txt bulletin may open with a tag ("<b>Title</b>"): a text
    if found is None and named == "html" and b"<" not in head:
        named = FALLBACK  # not one tag: a bulletin's text saved under a page's name
    return get(found or named or FALLBACK)
