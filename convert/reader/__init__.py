"""The readers: bytes (bulletin text or canonical XML) to canonical documents.

`read` takes bytes, `read_file` a path; both return a `ParseResult` with the documents (a
digest page gives one per item), the messages about them and how each was read, or raise
`InputError` when the input cannot become a bulletin at all. The documents of text still need
the transforms (`ParseResult.transforms`): the pipeline runs them (`convert.parse`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, Unpack

from .. import model, transforms
from ..files import read_input
from ..messages import Message, display_path
from .decode import decode
from .explain import Trace
from .profile import Profile
from .profile import get as get_profile
from .records import Options
from .text import parse_text
from .xml import looks_like_xml, parse_xml


@dataclass
class ParseResult:
    documents: list[model.Element]
    messages: list[Message] = field(default_factory=list)
    #: how each document was read (`bulletin parse --explain`), one per document
    traces: list[Trace] = field(default_factory=list)
    #: the transforms the documents still need: every one for text, none for a canonical
    #: master (it is kept as it was written)
    transforms: tuple[Callable[[model.Element], None], ...] = ()


class Reading(TypedDict, total=False):
    """How to read an input: what its text may lack, and what its pages look like.

    `year` dates year-less datelines; `source_url` is where the input was published
    (recorded; a year in it dates year-less datelines); `lang` (a BCP 47 tag) is the language
    of text input; `encoding` is used for text that is not UTF-8 (else it is guessed);
    `profile` (a name or a `Profile`; ValueError for an unknown name) says what the news
    service's pages look like."""

    year: int | None
    source_url: str | None
    lang: str
    encoding: str | None
    profile: str | Profile | None


_YEAR_IN_NAME = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")


def _known_year(
    year: int | None, source_url: str | None, name: str | None
) -> tuple[int | None, str | None]:
    """A year for year-less datelines: an option wins, then the URL, then the file name."""
    if year is not None:
        return year, "option"
    for text, origin in ((source_url, "source-url"), (name, "file-name")):
        if text and (m := _YEAR_IN_NAME.search(text)):
            return int(m.group(1)), origin
    return None, None


def read(data: bytes | str, *, name: str | None = None, source: str | None = None,
         **reading: Unpack[Reading]) -> ParseResult:
    """Read one input (see `Reading`). `name` is the original file name recorded in the
    document; `source` is how messages name the input (a path), defaulting to `name`. Text a
    caller decoded already (a str) is only cleaned."""
    source = source or name
    lang = model.language(reading.get("lang") or "en")  # ValueError for no BCP 47 tag
    profile = get_profile(reading.get("profile"))
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if looks_like_xml(raw):
        doc, messages = parse_xml(raw, source)
        return ParseResult([doc], messages,
                           traces=[Trace(profile.name, "canonical-xml", 1, 1, [], [], [])])
    decoded = decode(data, source, reading.get("encoding"))  # a lone surrogate is repaired
    url = reading.get("source_url")
    known_year, year_from = _known_year(reading.get("year"), url, name)
    opts = Options(
        name=name, source=source, media_type="text/plain", encoding=decoded.encoding,
        sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), url=url, lang=lang,
        repairs=decoded.repairs, year=known_year, year_from=year_from, profile=profile,
    )
    documents, messages, traces = parse_text(decoded.text, opts)
    return ParseResult(documents, decoded.messages + messages, traces, transforms.TRANSFORMS)


def read_file(path: str | os.PathLike[str], **reading: Unpack[Reading]) -> ParseResult:
    """Read the file at `path` (see `read`); raises InputError when it cannot be read, is
    not a regular file (a pipe would hang, a device never end) or is too large."""
    path = Path(path)
    data = read_input(path)
    return read(data, name=display_path(path.name), source=display_path(path), **reading)
