"""What every reader shares: the input it is given, what it returns, and its protocol.

A reader is a small class, like a writer: `name`, `extensions`, `media_type`, `description`,
a `sniff(head)` that says from an input's first bytes whether the input is its format, and
`read(item) -> ParseResult`. A *container* reader (WARC: one file holding many inputs) also
has `members(stream, name)`, which streams the inputs it holds, each read in turn by the reader
its content calls for. The registry (`formats.py`) chooses a reader for each input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar, Protocol, TypedDict, runtime_checkable

from .. import model
from ..messages import Message
from .explain import Trace
from .profile import Profile


@dataclass
class ParseResult:
    documents: list[model.Element]
    messages: list[Message] = field(default_factory=list)
    #: how each document was read (`bulletin parse --explain`), one per document
    traces: list[Trace] = field(default_factory=list)
    #: the transforms the documents still need: every one for text, none for a canonical
    #: master (it is kept as it was written)
    transforms: tuple[Callable[[model.Element], None], ...] = ()
    #: the reader that made the documents ("text", "xml", "html", "warc", a third party's)
    reader: str = ""
    #: the media type of the input as read ("text/plain", "text/html", ...)
    media_type: str = ""


class Reading(TypedDict, total=False):
    """How to read an input: what its text may lack, and what its pages look like.

    `year` dates year-less datelines; `source_url` is where the input was published
    (recorded; a year in it dates year-less datelines); `lang` (a BCP 47 tag) is the language
    of text input, and of a web page that names none and whose language cannot be told;
    `encoding` is used for text that is not UTF-8 (else it is guessed); `profile` (a name or
    a `Profile`; ValueError for an unknown name) says what the news service's pages look
    like; `reader` names the reader to use (`--from`) instead of choosing one by the input's
    content, then its name (an unknown name is a ReaderError listing the readers)."""

    year: int | None
    source_url: str | None
    lang: str
    encoding: str | None
    profile: str | Profile | None
    reader: str | None


@dataclass(frozen=True)
class Capture:
    """Where a web capture came from: one record of a WARC file (ISO 28500), as its headers
    say. Recorded in the canonical `source/capture` and in the package's PREMIS file."""

    warc: str  # the WARC file's name
    offset: int  # where the record starts in the file (compressed offset for .warc.gz)
    record_id: str  # WARC-Record-ID, "<urn:uuid:...>" without the angle brackets
    date: str  # WARC-Date: when the page was captured (W3C ISO 8601, UTC)
    target: str  # WARC-Target-URI
    status: int | None = None  # the HTTP status of the response
    content_type: str | None = None  # the HTTP Content-Type, as sent
    payload_digest: str | None = None  # WARC-Payload-Digest, as written ("sha1:BASE32")
    #: whether the record's digests were checked against its bytes: "valid", "invalid",
    #: or None (the record carries no digest)
    digest_check: str | None = None
    software: str | None = None  # the crawler, from the file's warcinfo record
    warc_size: int | None = None  # size of the WARC file in bytes
    warc_sha256: str | None = None  # its SHA-256, when the caller hashed it

    @property
    def charset(self) -> str | None:
        """The charset the HTTP Content-Type names, if any."""
        for part in (self.content_type or "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == "charset" and value.strip(" \"'"):
                return value.strip(" \"'").lower()
        return None


@dataclass(frozen=True)
class Input:
    """One input as a reader receives it: its bytes and what is known of it besides."""

    data: bytes
    name: str | None = None  # the original file name, recorded in the document
    source: str | None = None  # how messages name the input (a path; "crawl.warc.gz#1234")
    reading: Reading = field(default_factory=lambda: Reading())
    #: what a container says the bytes are ("text/html" from an HTTP header); None for a file
    media_type: str | None = None
    capture: Capture | None = None  # where a web capture came from (a WARC record)


@dataclass(frozen=True)
class Member:
    """One input held by a container: a WARC record's payload, a revisit, or damage.

    `kind` is "input" (read it: `data` is the payload, `media_type` what the record says it
    is), "revisit" (a record saying the payload is that of an earlier capture: `refers_to`
    is the earlier payload's digest as the WARC writes it, `sha256` the payload's SHA-256
    when the earlier capture is in the same file), or "damage" (the file cannot be read
    from `offset` on: `data` holds the bytes from there to the end, `reason` says why)."""

    kind: str
    source: str  # "crawl.warc.gz#1234"
    offset: int
    data: bytes = b""
    media_type: str | None = None
    capture: Capture | None = None
    refers_to: str | None = None
    sha256: str | None = None
    reason: str | None = None


@dataclass
class Tally:
    """What a container held besides its inputs, counted by kind ("request", "metadata",
    "response image/jpeg", ...): a summary line says how many of each were skipped."""

    skipped: dict[str, int] = field(default_factory=dict)
    inputs: int = 0
    revisits: int = 0
    damaged: bool = False

    def skip(self, kind: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1

    def summary(self) -> str:
        parts = [f"{self.inputs:,} page(s) read"]
        if self.revisits:
            parts.append(f"{self.revisits:,} revisit(s)")
        skipped = ", ".join(f"{n:,} {kind}" for kind, n in sorted(self.skipped.items()))
        return "; ".join(parts) + (f"; skipped: {skipped}" if skipped else "; nothing skipped")


@runtime_checkable
class Reader(Protocol):
    name: ClassVar[str]
    #: file name endings this reader takes, lower case with the dot (".html", ".warc.gz")
    extensions: ClassVar[tuple[str, ...]]
    media_type: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, head: bytes) -> bool:
        """Whether an input whose first bytes (up to 4 KiB) are `head` is of this format."""
        ...

    def read(self, item: Input) -> ParseResult:
        """The documents of one input (before the transforms the result names)."""
        ...


@runtime_checkable
class Container(Reader, Protocol):
    def members(self, stream: BinaryIO, name: str, tally: Tally | None = None,
                sha256: str | None = None) -> Iterator[Member]:
        """The inputs the file open as `stream` holds, one at a time, in file order; `name`
        names the file in their sources (`name#offset`), `tally` counts what was skipped,
        `sha256` is the file's, when the caller hashed it (recorded in their provenance)."""
        ...


#: How many bytes of an input the readers sniff.
SNIFF_BYTES = 4096
