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

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar, Protocol, cast, runtime_checkable

from lxml import etree

from ..messages import Message, WriterError, warning
from ..model import Element
from ..plugins import Plugins

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


#: How far a writer is with one document, for a long one's progress bar: called as
#: progress(what, done, total), e.g. ("DOCX: blocks", 120, 5000), ("PDF: page 12", 340, 5000).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class WriteOptions:
    """Options every writer receives; a writer ignores those that do not concern it."""

    paper: str = "a4"  # "a4" or "letter": the PDF page, and the DOCX page without a template
    reference_docx: str | None = None  # a user's DOCX template (pandoc's --reference-doc)
    extra: Mapping[str, str] = field(default_factory=dict)
    progress: Progress | None = field(default=None, compare=False)  # the caller's, if any


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


PLUGINS = Plugins(ENTRY_POINT_GROUP, BUILTIN, noun="format", kind="writer", error=WriterError)


def available() -> list[str]:
    """Every known format name: built-ins first, then third-party ones, sorted."""
    return PLUGINS.available()


def get(name: str) -> Writer:
    """A new instance of the writer called `name`; an unknown name lists the known ones."""
    cls = cast(type[Writer], PLUGINS.load(name))
    return cls()


def format_of(path: str | os.PathLike[str]) -> str | None:
    """The built-in format whose extension ends the file name `path` ("a.tei.xml" -> "tei")."""
    name = os.fspath(path).lower()
    matches = [f for f, ext in EXTENSIONS.items() if name.endswith("." + ext)]
    return max(matches, key=lambda f: len(EXTENSIONS[f]), default=None)


def resolve(formats: str | list[str]) -> list[str]:
    """Expand a `--to` value ("tei,epub", "all", ["pdf"]) into a checked list of names."""
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    PLUGINS.third_party()  # refuses duplicate names, whichever format is asked for
    result: list[str] = []
    for raw in names:
        n = raw.strip().lower()
        expanded = ALL if n == "all" else (n,)
        for e in expanded:
            if e and e not in result:
                if not PLUGINS.known(e):
                    raise PLUGINS.unknown(e)
                result.append(e)
    if not result:
        raise WriterError(f"no format given; known formats: {', '.join(available())}")
    return result
