"""The parse stage: bytes (bulletin text or canonical XML) to canonical documents.

`parse` takes bytes, `parse_file` a path; both return a `ParseResult` with the documents (a
digest page gives one per item) and the messages about them, or raise `InputError` when the
input cannot become a bulletin at all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import model
from ..files import read_input
from ..messages import Message, display_path
from .decode import decode
from .text import Options, parse_text
from .xml import looks_like_xml, parse_xml


@dataclass
class ParseResult:
    documents: list[model.Element]
    messages: list[Message] = field(default_factory=list)


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


def parse(data: bytes | str, *, name: str | None = None, source: str | None = None,
          year: int | None = None, source_url: str | None = None, lang: str = "en",
          encoding: str | None = None) -> ParseResult:
    """Parse one input. `name` is the original file name recorded in the document; `source`
    is how messages name the input (a path), defaulting to `name`. `year` dates year-less
    datelines; `lang` (a BCP 47 tag) is the language of text input; `encoding` is used for
    text that is not UTF-8 (else it is guessed)."""
    source = source or name
    lang = model.language(lang)  # ValueError for what is not a BCP 47 tag
    # Text a caller decoded already is only cleaned (a lone surrogate is repaired there).
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if looks_like_xml(raw):
        root, messages = parse_xml(raw, source)
        return ParseResult([root], messages)
    decoded = decode(data, source, encoding)
    known_year, year_from = _known_year(year, source_url, name)
    opts = Options(
        name=name, source=source, media_type="text/plain", encoding=decoded.encoding,
        sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), url=source_url, lang=lang,
        repairs=decoded.repairs, year=known_year, year_from=year_from,
    )
    documents, messages = parse_text(decoded.text, opts)
    return ParseResult(documents, decoded.messages + messages)


def parse_file(path: str | Path, *, year: int | None = None, source_url: str | None = None,
               lang: str = "en", encoding: str | None = None) -> ParseResult:
    """Parse the file at `path` (see `parse`); raises InputError when it cannot be read, is
    not a regular file (a pipe would hang, a device never end) or is too large."""
    path = Path(path)
    data = read_input(path)
    return parse(data, name=display_path(path.name), source=display_path(path), year=year,
                 source_url=source_url, lang=lang, encoding=encoding)
