"""One walk over the canonical tree for every writer, one method per element kind.

Like docutils' `NodeVisitor` (and pandoc's `blockToX` functions), a writer says how it renders
each kind of canonical element and nothing else: it subclasses `Visitor[T]` and defines
`visit_p`, `visit_quote`, `visit_list`, `visit_item`, `visit_speech`, ... , where `T` is what
it renders into (a TEI or HTML parent element, a PDF structure node, a DOCX paragraph style).
The walk is the same for all of them: `visit(el, into)` calls the method named after the
element, and an element a writer has no method for goes to `unknown()`, which reports it (only
a document written with --no-validate can hold one) and keeps its text: as a paragraph of the
writer's own among blocks, as plain text inside a byline or dateline. Because the fallback is
generic, a writer that lacks an element of the vocabulary says so for every document that has
it, and the test that renders tests/fixtures/everything.xml fails for exactly that writer.

The head's metadata (source, digest, removed lines, repairs, messages) is not text to render:
the walk passes over it, and writers read it through `model.head()` and `model.metadata()`,
which a visitor has at hand as `head` and `meta`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar, Generic, TypeVar

from lxml import etree

from .. import model
from ..messages import Message
from . import Progress, unrendered

T = TypeVar("T")

#: Children of `head` that describe the document rather than belong to its text.
METADATA = frozenset({"source", "digest", "removed", "repairs", "messages"})


class Visitor(Generic[T]):
    """Walks one canonical document; subclasses define visit_<element>(el, into) and text()."""

    #: The format as messages name it ("TEI", "EPUB").
    label: ClassVar[str]
    #: Told of each body block rendered (`WriteOptions.progress`), when the writer passes it on.
    progress: Progress | None = None

    def __init__(self, doc: model.Element) -> None:
        self.doc = doc
        self.head = model.head(doc)
        self.meta = model.metadata(doc, self.head)
        self.messages: list[Message] = []
        #: The level of a body heading: 2 under the bulletin's title (level 1), 1 without one,
        #: so that no format skips a level (PDF/UA, WCAG).
        self.heading_level = 2 if self.head.title else 1
        self._inline = 0

    def walk(self, into: T) -> None:
        """Render the head's text, then the body."""
        for part in ("head", "body"):
            found = model.find(self.doc, part)
            assert found is not None, "a canonical document has a head and a body"
            self.visit(found, into)

    def visit(self, el: model.Element, into: T) -> None:
        method = _method(type(self), str(el.tag))
        if method is None:
            self.unknown(el, into)
        else:
            method(self, el, into)

    def blocks(self, parent: model.Element, into: T) -> None:
        """Visit the element children of `parent` in order."""
        for child in parent.iterchildren(model.q("*")):
            self.visit(child, into)

    def inline(self, parent: model.Element, into: T) -> None:
        """Visit mixed content: text(), each child element, text() of what follows it (also
        after a comment, which itself is not content)."""
        self._inline += 1
        self.text(parent.text, into)
        for child in parent:
            if isinstance(child.tag, str):
                self.visit(child, into)
            self.text(child.tail, into)
        self._inline -= 1

    def text(self, text: str | None, into: T) -> None:
        """Add plain text inside mixed content (a byline, a dateline)."""
        raise NotImplementedError(f"{type(self).__name__} renders no inline text")

    def unknown(self, el: model.Element, into: T) -> None:
        """Report an element this writer has no method for and keep its text."""
        self.messages.append(unrendered(self.label, el))
        if self._inline:
            self.text(model.text(el), into)
            return
        stand_in = etree.Element(model.q("p"))
        stand_in.text = " ".join((model.text(el) or "").split())
        self.visit_p(stand_in, into)

    def visit_p(self, el: model.Element, into: T) -> None:
        raise NotImplementedError(f"{type(self).__name__} renders no paragraph")

    def visit_head(self, el: model.Element, into: T) -> None:
        """The title, byline and dateline; the metadata children are passed over."""
        for child in el.iterchildren(model.q("*")):
            if model.local(child) not in METADATA:
                self.visit(child, into)

    def visit_body(self, el: model.Element, into: T) -> None:
        for block in self.body_blocks(el):
            self.visit(block, into)

    def body_blocks(self, body: model.Element) -> Iterator[model.Element]:
        """The body's blocks in order, each reported to `progress` once rendered."""
        blocks = list(body.iterchildren(model.q("*")))
        for done, block in enumerate(blocks, start=1):
            yield block
            if self.progress is not None:
                self.progress(f"{self.label}: blocks", done, len(blocks))


_methods: dict[tuple[type, str], Callable[..., None] | None] = {}


def _method(cls: type, tag: str) -> Callable[..., None] | None:
    """The visit_ method of a writer for an element (by its qualified name), looked up once."""
    key = (cls, tag)
    if key not in _methods:
        _methods[key] = getattr(cls, f"visit_{etree.QName(tag).localname}", None)
    return _methods[key]
