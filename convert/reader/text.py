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

from .. import model
from ..messages import InputError, Message
from .build import document
from .explain import Trace
from .page import PAGE_RULES, Page
from .records import Context, Options, lines_of


def parse_text(text: str, opts: Options
               ) -> tuple[list[model.Element], list[Message], list[Trace]]:
    """Documents (before the transforms), the messages about them, and how each was read."""
    lines = lines_of(text)
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
