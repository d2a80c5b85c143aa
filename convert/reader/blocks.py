"""Pass 3: units become body blocks, by block rules tried in priority order.

Each rule has a name, a priority, a test (does a block of its kind start at this unit?) and a
build step (append the block, consume its units). `BLOCK_RULES` is the order; the first rule
whose test passes builds, and `Cursor.steps` records which rule made which block from which
lines (`bulletin parse --explain`). To add a construct, write a test and a build function and
register a `BlockRule` at the priority where it must be tried (see the README).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import NamedTuple

from .. import model
from .grammar import (
    BULLET,
    CLAUSE_START,
    LABEL,
    LIST_MARKER,
    NUMBERED,
    OPENERS,
    QUOTE_OPENING,
    RESOLUTION_TITLE,
    is_structural,
    opener,
    quote_end,
    speaker_label,
    strip_close,
    title_case,
)
from .records import Context, Unit
from .registry import Registry

#: A block step: rule name, first and last source line, and the index of the first body
#: element the rule appended.
Step = tuple[str, int, int, int]


class Cursor:
    """Where pass 3 is in the units of one body, and what it has learnt about them."""

    def __init__(self, units: list[Unit], body: model.Element, ctx: Context) -> None:
        self.units = units
        self.body = body
        self.ctx = ctx
        self.profile = ctx.profile
        self.k = 0
        self.steps: list[Step] = []

    @functools.cached_property
    def blank_lines_separate(self) -> bool:
        """Blank lines separate the paragraphs: lines that follow each other without one are
        then a list (after an announcing colon), however long they are. Worked out when an
        unmarked list is looked for, which most bodies never need."""
        gaps = sum(b.n - a.n > 1 for a, b in itertools.pairwise(self.units))
        return gaps >= 2

    def peek(self, offset: int = 0) -> Unit | None:
        i = self.k + offset
        return self.units[i] if i < len(self.units) else None

    def p(self, u: Unit, parent: model.Element | None = None) -> None:
        if len(u.text) > self.profile.long_paragraph:
            self.ctx.warn(f"very long paragraph ({len(u.text)} characters); kept whole", u.n)
        model.sub(self.body if parent is None else parent, "p", u.text)

    def item(self, u: Unit) -> bool:
        """Whether `u` can be an item of an unmarked list."""
        if self.blank_lines_separate:
            return (not opener(u.text) and not is_structural(u.text)
                    and not speaker_label(u.text, self.profile))
        return (len(u.text) <= self.profile.short_item_max_chars
                and len(u.text.split()) <= self.profile.short_item_max_words
                and u.text[-1] not in ".:" and not opener(u.text) and not is_structural(u.text))


Test = Callable[[Cursor, Unit], bool]
Build = Callable[[Cursor, Unit], None]


class BlockRule(NamedTuple):
    """A block rule. `build` appends its block and moves the cursor past the block's units;
    the rule builds at a unit when `start` (a pattern every such unit matches: a cheap filter)
    matches its text and `test` passes (None: no such condition). `applies`, when given, is
    asked once per body whether the rule can make any block of it (a Q&A needs two labels);
    a `first_only` rule is tried on the first unit only."""

    name: str
    priority: int
    build: Build
    test: Test | None = None
    start: re.Pattern[str] | None = None
    applies: Callable[[Cursor], bool] | None = None
    first_only: bool = False

    @property
    def about(self) -> str:
        return (self.build.__doc__ or "").strip().split("\n")[0]


def run(units: list[Unit], body: model.Element, ctx: Context,
        rules: Registry[BlockRule] | None = None) -> list[Step]:
    """Append the blocks of `units` to `body`; returns which rule made which block."""
    c = Cursor(units, body, ctx)
    chosen = BLOCK_RULES if rules is None else rules
    usable = [r for r in chosen.rules if r.applies is None or r.applies(c)]
    tried = [(r.name, r.start.match if r.start else None, r.test, r.build) for r in usable]
    later = [rule for rule, r in zip(tried, usable, strict=True) if not r.first_only]
    steps = c.steps
    size = len(body)  # counted as blocks are added: len() of an lxml element walks its children
    last = body[-1] if size else None
    while c.k < len(units):
        u = units[c.k]
        for name, start, test, build in tried:
            if (start is None or start(u.text)) and (test is None or test(c, u)):
                k, first = c.k, size
                build(c, u)
                added = last.getnext() if last is not None else (body[0] if len(body) else None)
                while added is not None:
                    size, last, added = size + 1, added, added.getnext()
                assert c.k > k, f"block rule {name!r} consumed nothing"
                steps.append((name, u.n, units[c.k - 1].end, first))
                break
        else:
            raise ValueError(f"no block rule takes the unit on line {u.n}: a registry needs "
                             "a last rule without a test")
        tried = later
    return steps


# --- the rules: a test and a build step each ------------------------------------------------


def paragraph(c: Cursor, u: Unit) -> None:
    """a paragraph: what no other rule takes"""
    c.p(u)
    c.k += 1


def lead(c: Cursor, u: Unit) -> None:
    """the first paragraph (the dateline's), whatever it looks like"""
    paragraph(c, u)


def _not_section(c: Cursor, u: Unit) -> bool:
    """A resolution starts with a Whereas or a be-it-resolved clause: "Section 1." alone is
    a numbered paragraph."""
    m = CLAUSE_START.match(u.text)
    return bool(m and not m.group("section"))


def resolution(c: Cursor, u: Unit) -> None:
    """a resolution: Whereas / be it resolved / Section N. clauses"""
    res = model.sub(c.body, "resolution")
    clause: model.Element | None = None
    while (v := c.peek()) is not None:
        m = CLAUSE_START.match(v.text)
        if m:
            kind = next(k for k in ("whereas", "resolved", "section") if m.group(k))
            clause = model.sub(res, "clause", v.text, kind=kind)
        elif clause is not None and (v.text[0].islower() or v.text[0] == "_") and \
                (clause.text or "")[-1:] not in ".;":
            clause.text = f"{clause.text} {v.text}"
        else:
            break
        c.k += 1


def _marked_list_starts(c: Cursor, u: Unit) -> bool:
    """A bullet starts a list; a numbered line only when the next numbered line follows on."""
    if BULLET.match(u.text):
        return True
    first = NUMBERED.match(u.text)
    if first is None:
        return False
    nxt = c.peek(1)
    second = NUMBERED.match(nxt.text) if nxt else None
    return bool(second and int(second["number"]) == int(first["number"]) + 1)


def marked_list(c: Cursor, u: Unit) -> None:
    """a list with markers: bullets of one kind, or numbers that follow on"""
    lst = model.sub(c.body, "list")
    bullet = BULLET.match(u.text)
    if bullet:
        marker = bullet["marker"]
        lst.set("type", "bullet")
        lst.set("marker", marker)
        while (v := c.peek()) and (m := BULLET.match(v.text)) and m["marker"] == marker:
            model.sub(lst, "item", m["text"])
            c.k += 1
        return
    numbered = NUMBERED.match(u.text)
    assert numbered is not None
    lst.set("type", "number")
    lst.set("marker", numbered["number"] + numbered["punct"])  # "1." or "3)": the start
    expected = int(numbered["number"])
    while (v := c.peek()) and (m := NUMBERED.match(v.text)) and int(m["number"]) == expected:
        model.sub(lst, "item", m["text"])
        c.k += 1
        expected += 1


def _transcript(c: Cursor) -> bool:
    """A body is a transcript when two of its units after the first open with a label."""
    return sum(1 for u in c.units[1:]  # most units hold no colon: no label to look for
               if ":" in u.text and LABEL.match(u.text) and speaker_label(u.text, c.profile)) >= 2


def _speaker(c: Cursor, u: Unit) -> bool:
    return speaker_label(u.text, c.profile) is not None


def speeches(c: Cursor, u: Unit) -> None:
    """a Q&A transcript: speaker labels in capitals, each with what was said"""
    qa = model.sub(c.body, "qa")
    speech: model.Element | None = None
    while (v := c.peek()) is not None:
        m = speaker_label(v.text, c.profile)
        if m:
            speech = model.sub(qa, "speech")
            model.sub(speech, "speaker", m["label"])
            if m["rest"]:
                c.p(Unit(v.n, m["rest"], v.end), speech)
        elif speech is not None and not (BULLET.match(v.text) or CLAUSE_START.match(v.text)):
            c.p(v, speech)
        else:
            break
        c.k += 1
    for s in [s for s in qa if len(s) == 1]:
        # A label with no words after it: keep the label as a paragraph after the Q&A.
        label = model.text(s[0])
        qa.remove(s)
        model.sub(c.body, "p", f"{label}:")
        c.ctx.warn(f"speaker label {label!r} has no words after it", None)
    if len(qa) == 0:
        c.body.remove(qa)


def _quote_only(c: Cursor, u: Unit) -> bool:
    """Quoted matter only: a quotation that closes before narrative goes on is prose."""
    return quote_end(u.text, u.text[0]) != "mixed"


def quote(c: Cursor, u: Unit) -> None:
    """a displayed quotation: paragraphs that open with a quote mark, until one closes"""
    mark = opener(u.text)
    assert mark is not None
    paragraphs: list[str] = []
    closed = False
    while (v := c.peek()) is not None and opener(v.text) == mark:
        end = quote_end(v.text, mark)
        if end == "mixed":
            break
        paragraphs.append(v.text[1:])
        c.k += 1
        if end == "closed":
            closed = True
            break
    block = model.sub(c.body, "quote", open=mark)
    if closed:
        block.set("close", OPENERS[mark])
        paragraphs[-1] = strip_close(paragraphs[-1], mark)
    else:
        c.ctx.warn("quotation opened here does not close", u.n)
    for text in paragraphs:
        model.sub(block, "p", text.strip() or mark)


def _announced(c: Cursor) -> bool:
    """An unmarked list follows a unit that ends with a colon."""
    return any(u.text[-1] == ":" for u in c.units)


def _after_colon(c: Cursor, u: Unit) -> bool:
    previous = c.units[c.k - 1].text if c.k else ""
    b = c.peek(1)
    return bool(previous.endswith(":") and b and b.n == u.n + 1 and c.item(u) and c.item(b))


def unmarked_list(c: Cursor, u: Unit) -> None:
    """a list without markers: one item per line after a line that ends with a colon"""
    lst = model.sub(c.body, "list", type="plain")
    last_n = None
    while (v := c.peek()) and c.item(v) and (last_n is None or v.n == last_n + 1):
        model.sub(lst, "item", v.text)
        last_n = v.n
        c.k += 1


def _over_clauses(c: Cursor, u: Unit) -> bool:
    nxt = c.peek(1)
    return bool(nxt and CLAUSE_START.match(nxt.text))


def _is_heading(c: Cursor, u: Unit) -> bool:
    return c.k + 1 < len(c.units) and title_case(u.text, c.profile)


def heading(c: Cursor, u: Unit) -> None:
    """a heading: a short Title Case line, or "RESOLUTION ..." over its clauses"""
    model.sub(c.body, "heading", u.text)
    c.k += 1


BLOCK_RULES: Registry[BlockRule] = Registry("block", [
    BlockRule("lead", 100, lead, first_only=True),
    BlockRule("resolution", 90, resolution, _not_section, start=CLAUSE_START),
    BlockRule("marked-list", 80, marked_list, _marked_list_starts, start=LIST_MARKER),
    BlockRule("qa", 70, speeches, _speaker, start=LABEL, applies=_transcript),
    BlockRule("quote", 60, quote, _quote_only, start=QUOTE_OPENING),
    BlockRule("unmarked-list", 50, unmarked_list, _after_colon, applies=_announced),
    BlockRule("resolution-title", 45, heading, _over_clauses, start=RESOLUTION_TITLE),
    BlockRule("heading", 40, heading, _is_heading),
    BlockRule("paragraph", 0, paragraph),
])
