"""Pass 0: what kind of page this is, and the items it holds.

A page is surveyed once: the digest cues at its top (an issue header such as "From Volume 9,
Issue 12 of EIR Online, Published March 20, 2012", a table of contents, a section heading such
as "Harbour News Digest"), as the profile spells them. Then the page rules are tried in
priority order; the first whose test passes cuts the page into items, each with its frame
(title, byline, dateline, body lines). A page that holds text always gives a document: the
last rule takes whatever no other rule recognised, with a warning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from ..messages import NOT_A_BULLETIN, InputError
from .dateline import find_dateline, published_date
from .frame import (
    dateline_frame,
    strip_footer,
    strip_header,
    strip_inner_chrome,
    titled,
    undated_frame,
)
from .grammar import BULLET, NUMBERED, OPENERS, byline, capitalised, split_byline
from .records import Context, DigestPage, Frame, Issue, Line, TocEntry
from .registry import Registry


@dataclass
class Item:
    """One document's worth of a page: its frame and context, and the page facts it shares."""

    frame: Frame
    ctx: Context
    digest: DigestPage | None = None  # the page facts, when the page has digest cues
    number: int = 1  # its place among the page's items


def unmarked(text: str) -> str:
    """A line without its list marker ("• Mekong Ministers Agree" gives the headline)."""
    m = BULLET.match(text) or NUMBERED.match(text)
    return m["text"] if m else text


def headline(text: str, ctx: Context) -> bool:
    """A digest item's headline: a short Title Case line that does not end like a sentence;
    an inline byline (", by Ana Ruiz:") may end it."""
    title, byline = split_byline(text)
    if not title or (byline is None and text[-1] in ".,;:") or title[-1] in ".,;":
        return False
    words = title.split()
    first = title[0]
    if len(words) > ctx.profile.headline_max_words or not (
            first.isupper() or first.isdigit() or first in OPENERS or first in "‘'"):
        return False
    return capitalised(words, ctx.profile)


def toc_key(text: str) -> str:
    """A headline as a table of contents and the item itself both give it: without a list
    marker, an inline byline, a closing colon, case and spacing."""
    return " ".join(split_byline(unmarked(text))[0].casefold().split()).rstrip(":")


def _next_text(lines: list[Line], i: int) -> int | None:
    """The index of the first non-blank line from `i` on."""
    for j in range(i, len(lines)):
        if lines[j].stripped:
            return j
    return None


class Page:
    """A page of text, surveyed for digest cues; the page rules read it."""

    def __init__(self, lines: list[Line], ctx: Context) -> None:
        self.lines = lines
        self.ctx = ctx
        self.issue: Issue | None = None
        self.section: str | None = None
        self.toc: list[TocEntry] = []
        #: the lines under the digest cues, footer removed; None when the page has none
        self.rest: list[Line] | None = None
        #: without an issue header: the page from its first line that is not chrome
        self.top: list[Line] = []
        self._single: list[Line] | None = None
        self._dated: Frame | None = None
        self._dated_tried = False
        self._survey()

    # --- the survey: digest cues at the top ------------------------------------------------

    def _survey(self) -> None:
        profile = self.ctx.profile
        for i, line in enumerate(self.lines[:profile.issue_header_window]):
            if m := profile.issue_header.match(line.stripped):
                self._preamble(self.lines[:i])
                self.issue = Issue(
                    header=line.stripped, line=line.n, publication=m["publication"],
                    volume=int(m["volume"]), number=int(m["number"]),
                    published=published_date(m["published"]))
                self.ctx.remove(line.n, line.stripped, "issue-header")
                rest = self._section(self.lines[i + 1:], under_header=True)
                break
        else:
            self.top = strip_header(self.lines, self.ctx)
            first = self.top[0].stripped if self.top else ""
            if not (profile.toc_start.match(first) or profile.digest_section.match(first)):
                return
            rest = self._section(self.top, under_header=False)
        if not self.toc:
            rest = self._toc(rest)
            if self.section is None:
                rest = self._section(rest, under_header=False)
        self.rest = strip_footer(rest, self.ctx)

    def _preamble(self, lines: list[Line]) -> None:
        """Above an issue header: a table of contents, or chrome."""
        in_toc = False
        for line in lines:
            s = line.stripped
            if not s:
                continue
            if self.ctx.profile.toc_start.match(s):
                in_toc = True
                self.ctx.remove(line.n, s, "toc")
            elif in_toc:
                self.toc.append(TocEntry(line.n, s))
                self.ctx.note(line.n, "toc entry", "toc", s)
            else:
                self.ctx.remove(line.n, s, "preamble")

    def _section(self, rest: list[Line], under_header: bool) -> list[Line]:
        """The section heading on the first line of `rest`: right under an issue header any
        line that is neither a dateline nor a table of contents, elsewhere a line the profile
        names a digest section."""
        profile = self.ctx.profile
        if not rest or not (s := rest[0].stripped):
            return rest
        if under_header:
            section = find_dateline(rest[0].text) is None and not profile.toc_start.match(s)
        else:
            section = bool(profile.digest_section.match(s))
        if not section:
            return rest
        self.section = s
        self.ctx.remove(rest[0].n, s, "section")
        return rest[1:]

    def _toc(self, rest: list[Line]) -> list[Line]:
        """A table of contents opening `rest`: its start line, then headlines up to the first
        that has paragraphs under it (the first item) or repeats an entry."""
        profile = self.ctx.profile
        first = _next_text(rest, 0)
        if first is None or not profile.toc_start.match(rest[first].stripped):
            return rest
        self.ctx.remove(rest[first].n, rest[first].stripped, "toc")

        def entry(i: int | None) -> bool:
            if i is None:
                return False
            s = rest[i].stripped
            return headline(unmarked(s), self.ctx) and not profile.digest_section.match(s)

        seen: set[str] = set()
        i = _next_text(rest, first + 1)
        while i is not None and entry(i) and toc_key(rest[i].stripped) not in seen:
            after = _next_text(rest, i + 1)
            if not entry(after) and not (after is not None
                                         and profile.digest_section.match(rest[after].stripped)):
                break  # text under it: the first item's headline
            seen.add(toc_key(rest[i].stripped))
            self.toc.append(TocEntry(rest[i].n, rest[i].stripped))
            self.ctx.note(rest[i].n, "toc entry", "toc", rest[i].stripped)
            i = after
        return [] if i is None else rest[i:]

    # --- what the rules ask -----------------------------------------------------------------

    @functools.cached_property
    def dateline_starts(self) -> list[int]:
        """Lines of `rest` that open with a dateline."""
        return [i for i, ln in enumerate(self.rest or []) if find_dateline(ln.text)]

    @functools.cached_property
    def headline_starts(self) -> list[int]:
        """Lines of `rest` that are item headlines: the table of contents' entries when it
        names any, else Title Case lines that open a group and have text under them."""
        rest = self.rest or []
        keys = {toc_key(e.text) for e in self.toc}
        if keys:
            found = self._headlines(rest, lambda s: toc_key(s) in keys)
            if found:
                return found
            self.ctx.warn("the table of contents names no headline of the page: items are "
                          "found by their headline lines", self.toc[0].line)
        return self._headlines(rest, lambda s: headline(s, self.ctx))

    @staticmethod
    def _headlines(rest: list[Line], test: Callable[[str], bool]) -> list[int]:
        """Lines that pass `test`, open a group of lines, and have text under them (after a
        byline line, if one follows) that does not pass it."""
        starts = []
        for i, line in enumerate(rest):
            s = line.stripped
            if not s or (i and rest[i - 1].stripped) or not test(s):
                continue
            under = _next_text(rest, i + 1)
            if under is not None and byline(rest[under].stripped):
                under = _next_text(rest, under + 1)
            if under is not None and not test(rest[under].stripped):
                starts.append(i)
        return starts

    def single(self) -> list[Line]:
        """The page as one bulletin: without its chrome (or under its digest cues)."""
        if self._single is None:
            self._single = self._as_one()
        return self._single

    def _as_one(self) -> list[Line]:
        if self.rest is not None:
            lines = strip_inner_chrome(self.rest, self.ctx)
            what = (f"the issue header on line {self.issue.line}" if self.issue
                    else "a digest section or table of contents")
            self.ctx.warn(f"the page looks like a digest ({what}) but no item was recognised "
                          "(no dateline, no headline with text under it): its text is kept "
                          "as one document", self.issue.line if self.issue else None,
                          NOT_A_BULLETIN)
        else:
            lines = strip_inner_chrome(strip_footer(self.top, self.ctx), self.ctx)
        if not any(ln.stripped for ln in lines):
            raise InputError("no content: the input holds only site chrome "
                             f"({'; '.join(t for _, t, _ in self.ctx.removed)})",
                             self.ctx.source)
        return lines

    def dated(self) -> Frame | None:
        """The page as one bulletin with a dateline (None without one)."""
        if not self._dated_tried:
            self._dated_tried = True
            self._dated = dateline_frame(self.single(), self.ctx, "bulletin")
        return self._dated

    def digest(self, items: int) -> DigestPage:
        return DigestPage(self.issue, self.section, tuple(self.toc), items)

    def whole(self) -> DigestPage | None:
        """The page facts of a page with digest cues read as one document (item 1 of 1)."""
        return None if self.rest is None else self.digest(1)

    def confirm_toc(self, items: list[Item]) -> None:
        """Warn of table of contents entries that name no item, and of items it omits."""
        if not self.toc:
            return
        keys = {toc_key(item.frame.title) for item in items if item.frame.title}
        for entry in self.toc:
            if toc_key(entry.text) not in keys:
                self.ctx.warn(f"table of contents entry {entry.text!r} names no item of the "
                              "page", entry.line)
        listed = {toc_key(e.text) for e in self.toc}
        for item in items:
            title = item.frame.title
            if title and toc_key(title) not in listed:
                self.ctx.warn(f"item {title!r} is not in the table of contents",
                              item.frame.title_line)


# --- page rules -----------------------------------------------------------------------------


class PageRule(NamedTuple):
    name: str
    priority: int
    test: Callable[[Page], bool]
    build: Callable[[Page], list[Item]]

    @property
    def about(self) -> str:
        return (self.build.__doc__ or "").strip().split("\n")[0]


def _item_year(published: str | None, frame: Frame) -> int | None:
    """The year of a year-less item dateline from its issue's date: the issue's year, or
    the year before for a month after the issue's (Dec. 30 in a January issue)."""
    if not published or frame.dateline is None or frame.dateline.year:
        return None
    year, month = int(published[:4]), int(published[5:7])
    return year - 1 if frame.dateline.month > month else year


def _cut(page: Page, starts: list[int], back: bool) -> list[list[Line]]:
    """The items of the page that start at `starts` (or, `back`, at the group of lines above
    each start: a headline over its dateline). Lines above the first item are chrome."""
    rest = page.rest or []
    tops = []
    for t in starts:
        if back:
            while t > 0 and not rest[t - 1].stripped:
                t -= 1
            while t > 0 and rest[t - 1].stripped:
                t -= 1
        tops.append(t)
    for line in rest[:tops[0]]:
        if line.stripped:
            page.ctx.remove(line.n, line.stripped, "preamble")
    return [rest[t:end] for t, end in zip(tops, [*tops[1:], len(rest)], strict=True)]


def digest_datelines(page: Page) -> list[Item]:
    """a digest: items that each open with a headline over a dateline"""
    pieces = _cut(page, page.dateline_starts, back=True)
    published = page.issue.published if page.issue else None
    items = []
    for lines in pieces:
        ctx = page.ctx.fork()
        body = strip_inner_chrome(lines, ctx)
        frame = dateline_frame(body, ctx, "digest-datelines") or \
            undated_frame(body, ctx, "digest-datelines", title=titled(body, ctx))
        year = _item_year(published, frame)
        if year is not None and ctx.year_from != "option":
            ctx.year, ctx.year_from = year, "digest"
        items.append(Item(frame, ctx))
    items = _without_empty(page, items, pieces)
    digest = page.digest(len(items))
    for number, item in enumerate(items, start=1):
        item.digest, item.number = digest, number
    page.confirm_toc(items)
    return items


def _without_empty(page: Page, items: list[Item], pieces: list[list[Line]]) -> list[Item]:
    """Leave out items with nothing under their dateline, so that one empty item does not
    cost the page: their lines are recorded as removed in the others, and warned of. A page
    of empty items is left whole (and refused: it has no text of its own)."""
    empty = [i for i, item in enumerate(items) if not any(ln.stripped for ln in item.frame.body)]
    if not empty or len(empty) == len(items):
        return items
    kept = [item for i, item in enumerate(items) if i not in empty]
    for i in empty:
        lines = [ln for ln in pieces[i] if ln.stripped]
        page.ctx.warn(f"item {items[i].frame.title or lines[0].stripped!r} has a dateline but "
                      "no text: left out, its lines recorded as removed", lines[0].n)
        for item in kept:
            item.ctx.removed.extend((ln.n, ln.stripped, "empty-item") for ln in lines)
    return kept


def digest_headlines(page: Page) -> list[Item]:
    """a digest: items that each open with a headline line, without datelines"""
    pieces = _cut(page, page.headline_starts, back=False)
    digest = page.digest(len(pieces))
    items = []
    for number, lines in enumerate(pieces, start=1):
        ctx = page.ctx.fork()
        head, body = lines[0], strip_inner_chrome(lines[1:], ctx)
        title, inline = split_byline(head.stripped)
        frame = Frame(title=title, title_line=head.n, byline=inline, body=body)
        ctx.note(head.n, "title", "digest-headlines", title)
        first = next((ln for ln in body if ln.stripped), None)
        if inline is None and first is not None and byline(first.stripped):
            frame.byline, frame.body = first.stripped, [ln for ln in body if ln is not first]
            ctx.note(first.n, "byline", "digest-headlines", first.stripped)
        elif inline is not None:
            ctx.note(head.n, "byline", "digest-headlines", inline)
        items.append(Item(frame, ctx, digest, number))
    page.confirm_toc(items)
    return items


def _dated(page: Page) -> bool:
    return page.dated() is not None


def bulletin(page: Page) -> list[Item]:
    """one bulletin: a title (and byline) over a dateline"""
    frame = page.dated()
    assert frame is not None
    return [Item(frame, page.ctx, page.whole())]


def _titled(page: Page) -> bool:
    return titled(page.single(), page.ctx)


def undated(page: Page) -> list[Item]:
    """one bulletin without a dateline: a title over paragraphs (warned of)"""
    return [Item(undated_frame(page.single(), page.ctx, "undated", title=True), page.ctx,
                 page.whole())]


def text(page: Page) -> list[Item]:
    """whatever holds text: one document of paragraphs, with a warning"""
    return [Item(undated_frame(page.single(), page.ctx, "text", title=False), page.ctx,
                 page.whole())]


PAGE_RULES: Registry[PageRule] = Registry("page", [
    PageRule("digest-datelines", 90, lambda p: p.rest is not None and bool(p.dateline_starts),
             digest_datelines),
    PageRule("digest-headlines", 80, lambda p: p.rest is not None and bool(p.headline_starts),
             digest_headlines),
    PageRule("bulletin", 50, _dated, bulletin),
    PageRule("undated", 20, _titled, undated),
    PageRule("text", 0, lambda p: True, text),
])
