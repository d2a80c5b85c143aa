"""The plain typed records the passes hand each other.

Pass 1 finds things with regular expressions, but no match object leaves it: what it found is
written into these records (a dateline's parts and their offsets, an issue's volume and
number), so document building depends on named fields, not on the group names of a pattern.

The records that never change once made are named tuples, not frozen dataclasses: a dataclass
compiles its methods when its module is imported, about ten times the cost of a named tuple,
and every command pays for it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ..messages import Message, warning
from .profile import Profile


class Line:
    """One source line: its 1-based number, its text without the line end and trailing white
    space, and that text stripped (asked for at every step, so made once)."""

    __slots__ = ("n", "stripped", "text")

    def __init__(self, n: int, text: str) -> None:
        self.n = n
        self.text = text
        self.stripped = text.strip()

    def __repr__(self) -> str:
        return f"Line({self.n}, {self.text!r})"


@dataclass(slots=True)
class Unit:
    """A paragraph-sized piece of the body: one source line, or wrapped lines joined."""

    n: int  # its first source line
    text: str
    end: int  # its last source line


def lines_of(text: str) -> list[Line]:
    return [Line(n, raw.rstrip()) for n, raw in enumerate(text.split("\n"), start=1)]


def groups(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-blank lines."""
    found: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.stripped:
            current.append(line)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


Span = tuple[int, int]


class Dateline(NamedTuple):
    """A dateline as found in a line: "PARIS, Aug. 20 (EIRNS)—"."""

    text: str  # as written, trailing white space removed
    start: int  # where it starts and ends in its line (the body goes on at `end`)
    end: int
    date: Span  # offsets of the parts in `text`
    place: Span | None
    agency: Span | None
    month: int
    day: int
    year: int | None  # None when the dateline gives none ("Feb. 16 (EIRNS)—")
    second_year: int | None  # a doubled year: "June 2, 2023, 2022"
    spaced_comma: bool  # "Feb. 22 , 2021"
    tight_comma: bool  # "April 19,2021"

    def part(self, span: Span | None) -> str | None:
        return None if span is None else self.text[span[0]:span[1]]


class Issue(NamedTuple):
    """The periodical issue a page belongs to, from its header line."""

    header: str  # the line as written
    line: int
    publication: str | None
    volume: int | None
    number: int | None
    published: str | None  # ISO date, when the header gives one


class TocEntry(NamedTuple):
    line: int
    text: str


class DigestPage(NamedTuple):
    """What a digest page says about all its items."""

    issue: Issue | None
    section: str | None
    toc: tuple[TocEntry, ...]
    items: int


@dataclass(slots=True)
class Frame:
    """What pass 1 found around the body of one bulletin."""

    title: str | None = None
    title_line: int | None = None
    byline: str | None = None
    dateline: Dateline | None = None
    dateline_line: int | None = None
    body: list[Line] = field(default_factory=list)


#: One row of an explanation: first and last source line, what was made, the rule that made
#: it, and the start of its text.
Row = tuple[int, int, str, str, str]


@dataclass
class Context:
    """Per-document state: where the text came from, what was removed and noticed, and the
    profile it is read with."""

    source: str | None
    profile: Profile
    year: int | None = None
    year_from: str | None = None
    removed: list[tuple[int, str, str]] = field(default_factory=list)  # line, text, rule
    messages: list[Message] = field(default_factory=list)
    meta_date: tuple[int, str] | None = None
    rows: list[Row] = field(default_factory=list)  # what pass 1 decided, for --explain
    #: the page's messages, for an item of a digest page: they belong to every item
    inherited: list[Message] = field(default_factory=list)

    def warn(self, text: str, line: int | None = None, kind: str | None = None) -> None:
        self.messages.append(warning(text, self.source, line, kind=kind))

    def remove(self, n: int, text: str, rule: str = "chrome") -> None:
        """Record a line (or the start of one) removed from the text, and the rule why."""
        text = text.strip()
        self.removed.append((n, text, rule))
        if self.meta_date is None and (meta := self.profile.meta_date.match(text)):
            self.meta_date = (n, meta.group(1))

    def note(self, first: int | None, what: str, rule: str, text: str = "",
             last: int | None = None) -> None:
        """Record a decision of pass 1 for --explain."""
        if first is not None:
            self.rows.append((first, last or first, what, rule, text))

    def fork(self) -> Context:
        """A context for one item of a page: the page's removals and notes so far, and its
        messages (even those still to come), belong to every item. Not its metadata date:
        the items of a digest have dates of their own."""
        return Context(self.source, self.profile, self.year, self.year_from,
                       list(self.removed), [], None, list(self.rows), self.messages)


class Options(NamedTuple):
    """What is known of the input besides its text: where it came from, its bytes, and how
    to read it."""

    name: str | None
    source: str | None
    media_type: str
    encoding: str
    sha256: str
    size: int
    url: str | None
    lang: str
    repairs: list[tuple[str, str]]
    year: int | None
    year_from: str | None
    profile: Profile
