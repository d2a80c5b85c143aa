"""The bulletin grammar: plain text (already decoded) to canonical documents.

A page is read in passes, each small enough to check against the corpus:
0. the page (`page.py`): its digest cues, then the first page rule whose test passes cuts it
   into items, each with its frame;
1. the frame (`frame.py`): site chrome, the title, the byline and the dateline of one item;
2. the units (`units.py`): the body's lines, joined where one continues the other;
3. the blocks (`blocks.py`): units grouped into paragraphs, quotations, lists, headings,
   resolutions and Q&A by the block rules, in priority order.
`build.py` turns each item's records into a canonical document. The thresholds and the site
chrome come from a profile (`profile.py`). Every line removed as chrome is recorded with its
line number; nothing else is dropped.
"""

from __future__ import annotations

import hashlib
import re
from typing import ClassVar

from .. import model
from ..messages import InputError, Message, one_line
from .base import Input, ParseResult
from .build import document
from .decode import decode
from .explain import Trace
from .page import PAGE_RULES, Page
from .profile import get as get_profile
from .records import Context, Line, Options, lines_of


def parse_text(text: str, opts: Options
               ) -> tuple[list[model.Element], list[Message], list[Trace]]:
    """Documents (before the transforms), the messages about them, and how each was read."""
    return parse_lines(lines_of(text), opts)


def parse_lines(lines: list[Line], opts: Options
                ) -> tuple[list[model.Element], list[Message], list[Trace]]:
    """`parse_text` of a text already split into lines."""
    if not any(line.stripped for line in lines):
        raise InputError("no text: the input holds only white space", opts.source)
    page = Page(lines, Context(opts.source, opts.profile, opts.year, opts.year_from))
    rule = next(r for r in PAGE_RULES if r.test(page))
    items = rule.build(page)
    built = [document(item, opts, rule.name) for item in items]
    messages = list(page.ctx.messages)
    for item in items:
        if item.ctx is not page.ctx:
            messages.extend(item.ctx.messages)
    return [doc for doc, _ in built], messages, [trace for _, trace in built]


class TextReader:
    """Bulletin text: decoded (encodings, mojibake), then read by the grammar's passes."""

    name: ClassVar[str] = "text"
    extensions: ClassVar[tuple[str, ...]] = (".txt",)
    media_type: ClassVar[str] = "text/plain"
    description: ClassVar[str] = (
        "bulletin text (UTF-8, UTF-16 or a legacy code page): the bulletin grammar")

    def sniff(self, head: bytes) -> bool:
        return False  # the reader of last resort: it takes what no other reader claims

    def read(self, item: Input) -> ParseResult:
        return self.read_decoded(item.data, item)

    def read_decoded(self, data: bytes | str, item: Input) -> ParseResult:
        """Read `data` (the input's bytes, or text a caller decoded already) as `item`."""
        from .. import transforms

        reading = item.reading
        decoded = decode(data, item.source, reading.get("encoding"))
        lines = lines_of(decoded.text)
        # The lines hold the text now: a long one is not kept twice while it is read (a str
        # takes 2 bytes a character as soon as one character is beyond Latin-1).
        decoded.text = ""
        documents, messages, traces = parse_lines(lines, options(item, decoded.encoding,
                                                                 decoded.repairs))
        return ParseResult(documents, decoded.messages + messages, traces,
                           transforms.TRANSFORMS, self.name, self.media_type)


_YEAR_IN_NAME = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")


def known_year(year: int | None, source_url: str | None, name: str | None
               ) -> tuple[int | None, str | None]:
    """A year for year-less datelines: an option wins, then the URL, then the file name."""
    if year is not None:
        return year, "option"
    for text, origin in ((source_url, "source-url"), (name, "file-name")):
        if text and (m := _YEAR_IN_NAME.search(text)):
            return int(m.group(1)), origin
    return None, None


def options(item: Input, encoding: str, repairs: list[tuple[str, str]],
            media_type: str = "text/plain", url: str | None = None,
            lang: str | None = None) -> Options:
    """What the grammar is told of an input besides its text."""
    reading = item.reading
    if url is None and (url := reading.get("source_url")) is not None:
        one_line(url, "the source URL")
    year, year_from = known_year(reading.get("year"), url, item.name)
    raw = item.data
    return Options(
        name=item.name, source=item.source, media_type=media_type, encoding=encoding,
        sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), url=url,
        lang=lang or model.language(reading.get("lang") or "en"), repairs=repairs, year=year,
        year_from=year_from, profile=get_profile(reading.get("profile")),
    )
