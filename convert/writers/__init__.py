"""Writers: one canonical document in, one rendition out.

A writer is a small class with `name`, `extension` and `media_type` attributes and one method,
`write(doc, stream, options) -> list[Message]`, which writes the rendition of the canonical tree
`doc` to the binary `stream` and reports anything it could not render. A writer never changes
the tree. The built-in ones render the tree on one visitor (`visitor.Visitor`, named by their
`visitor` attribute): one method per canonical element, one fallback for the rest.

Built-in writers are listed below as import strings and imported only when first used, so a
missing optional dependency breaks only its own format and `import convert` stays cheap.
Third-party writers register themselves in the entry-point group `bulletin.writers`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import BinaryIO, ClassVar, Protocol, runtime_checkable

from lxml import etree

from ..messages import Message, WriterError, warning
from ..model import Element

ENTRY_POINT_GROUP = "bulletin.writers"

#: The built-in writers: format name -> "module:Class", imported on first use.
BUILTIN: dict[str, str] = {
    "xml": "convert.writers.canonical:CanonicalWriter",
    "tei": "convert.writers.tei:TeiWriter",
    "epub": "convert.writers.epub:EpubWriter",
    "docx": "convert.writers.docx:DocxWriter",
    "pdf": "convert.writers.pdf:PdfWriter",
    "html": "convert.writers.html:HtmlWriter",
}

#: The file extension of each built-in format (its writer's `extension`), known without
#: importing the writer, so that a file name can choose the format: `-o story.epub`.
EXTENSIONS: dict[str, str] = {
    "xml": "xml", "tei": "tei.xml", "epub": "epub", "docx": "docx", "pdf": "pdf",
    "html": "html",
}

#: What `--to all` means: the preservation renditions, in this order (the canonical master is
#: separate, and so is the HTML access copy: `--to all,html`).
ALL = ("tei", "epub", "docx", "pdf")


@dataclass(frozen=True)
class WriteOptions:
    """Options every writer receives; a writer ignores those that do not concern it."""

    paper: str = "a4"  # "a4" or "letter": the PDF page, and the DOCX page without a template
    reference_docx: str | None = None  # a user's DOCX template (pandoc's --reference-doc)
    extra: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class Writer(Protocol):
    name: ClassVar[str]
    extension: ClassVar[str]  # without the leading dot, e.g. "tei.xml"
    media_type: ClassVar[str]

    def write(self, doc: Element, stream: BinaryIO, options: WriteOptions) -> list[Message]: ...


def unrendered(writer: str, element: Element) -> Message:
    """What a writer says when it meets an element it has no rendering for (possible only in
    a document written with --no-validate): it keeps the element's text as plain text."""
    name = etree.QName(element).localname
    return warning(f"{writer}: no rendering for canonical element <{name}>; its text was kept "
                   "as plain text")


_loaded: dict[str, type[Writer]] = {}
_third_party: dict[str, str] | None = None


def _entry_point_specs() -> dict[str, str]:
    """Third-party writers from installed distributions; a name clash with another is an error."""
    global _third_party
    if _third_party is None:
        found: dict[str, str] = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in BUILTIN or ep.name in found:
                raise WriterError(
                    f"two writers are named {ep.name!r} (one from entry point {ep.value!r}); "
                    "uninstall or rename one of them"
                )
            found[ep.name] = ep.value
        _third_party = found
    return _third_party


def available() -> list[str]:
    """Every known format name: built-ins first, then third-party ones, sorted."""
    return list(BUILTIN) + sorted(_entry_point_specs())


def get(name: str) -> Writer:
    """A new instance of the writer called `name`; an unknown name lists the known ones."""
    cls = _loaded.get(name)
    if cls is None:
        spec = BUILTIN.get(name) or _entry_point_specs().get(name)
        if spec is None:
            raise WriterError(f"unknown format {name!r}; known formats: {', '.join(available())}")
        module_name, _, attr = spec.partition(":")
        try:
            cls = getattr(importlib.import_module(module_name), attr)
        except ImportError as exc:
            raise WriterError(
                f"format {name!r} needs {exc.name or 'a module'} which is not installed: {exc}"
            ) from exc
        _loaded[name] = cls
    return cls()


def format_of(path: str | os.PathLike[str]) -> str | None:
    """The built-in format whose extension ends the file name `path` ("a.tei.xml" -> "tei")."""
    name = os.fspath(path).lower()
    matches = [f for f, ext in EXTENSIONS.items() if name.endswith("." + ext)]
    return max(matches, key=lambda f: len(EXTENSIONS[f]), default=None)


def resolve(formats: str | list[str]) -> list[str]:
    """Expand a `--to` value ("tei,epub", "all", ["pdf"]) into a checked list of names."""
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    third_party = _entry_point_specs()  # refuses duplicate names, whichever format is asked for
    result: list[str] = []
    for raw in names:
        n = raw.strip().lower()
        expanded = ALL if n == "all" else (n,)
        for e in expanded:
            if e and e not in result:
                if e not in BUILTIN and e not in third_party:
                    raise WriterError(
                        f"unknown format {e!r}; known formats: {', '.join(available())}"
                    )
                result.append(e)
    if not result:
        raise WriterError(f"no format given; known formats: {', '.join(available())}")
    return result
