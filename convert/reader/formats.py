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
3. else the reader whose extension ends the file name (the longest: `.warc.gz` before `.gz`);
4. else bulletin text, which takes whatever is left.
"""

from __future__ import annotations

import importlib
import os
from importlib.metadata import entry_points

from ..messages import ReaderError
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

#: The order in which built-in readers sniff an input; text sniffs nothing (it takes the rest).
SNIFF_ORDER = ("warc", "html", "xml")
#: The reader of last resort.
FALLBACK = "text"

_loaded: dict[str, Reader] = {}
_third_party: dict[str, str] | None = None


def _entry_point_specs() -> dict[str, str]:
    """Third-party readers from installed distributions; a name clash with another is an error."""
    global _third_party
    if _third_party is None:
        found: dict[str, str] = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in BUILTIN or ep.name in found:
                raise ReaderError(
                    f"two readers are named {ep.name!r} (one from entry point {ep.value!r}); "
                    "uninstall or rename one of them")
            found[ep.name] = ep.value
        _third_party = found
    return _third_party


def available() -> list[str]:
    """Every known reader name: built-ins first, then third-party ones, sorted."""
    return list(BUILTIN) + sorted(_entry_point_specs())


def get(name: str) -> Reader:
    """The reader called `name` (one instance per process); an unknown name lists the known
    ones."""
    reader = _loaded.get(name)
    if reader is None:
        spec = BUILTIN.get(name) or _entry_point_specs().get(name)
        if spec is None:
            raise ReaderError(f"unknown reader {name!r}; known readers: "
                              f"{', '.join(available())}")
        module_name, _, attr = spec.partition(":")
        try:
            cls = getattr(importlib.import_module(module_name), attr)
        except ImportError as exc:
            raise ReaderError(f"reader {name!r} needs {exc.name or 'a module'} which is not "
                              f"installed: {exc}") from exc
        reader = _loaded[name] = cls()
    return reader


def check(name: str | None) -> str | None:
    """`name` if it names a reader (None stays None); ReaderError listing them otherwise."""
    if name is None:
        return None
    name = name.strip().lower()
    if name not in BUILTIN and name not in _entry_point_specs():
        raise ReaderError(f"unknown reader {name!r}; known readers: {', '.join(available())}")
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
    for name in (*SNIFF_ORDER, *sorted(_entry_point_specs())):
        if get(name).sniff(head):
            return name
    return None


def choose(head: bytes, filename: str | os.PathLike[str] | None = None,
           override: str | None = None) -> Reader:
    """The reader for an input whose first bytes are `head` (see the module's rules)."""
    if override:
        return get(check(override) or FALLBACK)
    found, named = sniffed(head), by_extension(filename)
    if found == "html" and named == FALLBACK:
        from .xml import looks_like_html_document

        if not looks_like_html_document(head):
            found = None  # a .txt bulletin may open with a tag ("<b>Title</b>"): a text
    return get(found or named or FALLBACK)
