"""Document building: the records of one item become a canonical document.

Only records come in (a `Frame` with a `Dateline`, an `Issue`, a `DigestPage`), so this
module knows nothing of the patterns that found them. The document is left for the pipeline's
transforms (whitespace, id, version): the reader does not run them.
"""

from __future__ import annotations

import re
from operator import itemgetter

from .. import model
from ..messages import InputError
from ..transforms import iso_date
from .blocks import run
from .explain import Trace
from .grammar import TERMINAL, sentences
from .page import Item
from .records import Context, Dateline, DigestPage, Frame, Options, Unit
from .units import units_of


def _dateline(head: model.Element, d: Dateline, ctx: Context, line: int | None) -> None:
    """The dateline as mixed content: its original text with place, date and agency marked."""
    el = model.sub(head, "dateline")
    date_text = d.part(d.date)
    when = iso_date(d.year, d.month, d.day)
    year_from = None
    if d.year is None and ctx.year is not None:
        when = iso_date(ctx.year, d.month, d.day)
        year_from = ctx.year_from
    if d.spaced_comma:
        ctx.warn(f"malformed dateline: space before the comma in {date_text!r}", line)
    if d.tight_comma:
        ctx.warn(f"malformed dateline: no space after the comma in {date_text!r}", line)
    if d.second_year:
        ctx.warn(f"dateline has two years: {date_text!r}; took {d.year}", line)
    if when is None:
        ctx.warn(f"dateline date {date_text!r} is not a calendar date; no date recorded", line)
    elif d.year is not None and not 1800 <= d.year <= 2200:
        ctx.warn(f"dateline year {d.year} looks wrong", line)
    text = d.text
    cursor = 0
    previous: model.Element | None = None
    for name, span in (("place", d.place), ("date", d.date), ("agency", d.agency)):
        if span is None or (name == "date" and when is None):
            continue
        a, b = span
        gap = text[cursor:a]
        if previous is None:
            el.text = (el.text or "") + gap
        else:
            previous.tail = (previous.tail or "") + gap
        child = model.sub(el, name, text[a:b])
        if name == "date":
            child.set("when", when or "")
            if year_from:
                child.set("year-from", year_from)
        previous = child
        cursor = b
    tail = text[cursor:]
    if previous is None:
        el.text = (el.text or "") + tail
    else:
        previous.tail = (previous.tail or "") + tail
    if ctx.meta_date and when and not when.startswith("--") and ctx.meta_date[1] != when:
        ctx.warn(f"page metadata date {ctx.meta_date[1]} differs from dateline date {when}; "
                 "the dateline is taken as the bulletin's date", ctx.meta_date[0])


_BYLINE_NAME = re.compile(r"^([Bb]y\s+)([^,]+)(.*)$")


def _byline(head: model.Element, byline: str) -> None:
    el = model.sub(head, "byline")
    m = _BYLINE_NAME.match(byline)
    if m:  # "by Henrik Sørby, EIR Economics Staff": the name ends at the comma
        el.text = m.group(1)
        model.sub(el, "name", m.group(2).strip()).tail = m.group(3) or None
    else:
        el.text = byline


def _digest(head: model.Element, digest: DigestPage, number: int) -> None:
    el = model.sub(head, "digest", item=str(number), items=str(digest.items))
    issue = digest.issue
    if issue is not None:
        for key, value in (("volume", issue.volume), ("issue", issue.number),
                           ("published", issue.published), ("publication", issue.publication)):
            if value is not None:
                el.set(key, str(value))
        model.sub(el, "header", issue.header)
    if digest.section:
        model.sub(el, "section", digest.section)
    if digest.toc:
        toc = model.sub(el, "toc")
        for entry in digest.toc:
            model.sub(toc, "entry", entry.text, line=str(entry.line))


def _warn_content(units: list[Unit], ctx: Context) -> None:
    """Warnings about the text itself: a cut-off page, a repeated sentence."""
    if units:
        last = units[-1]
        tail = last.text.rstrip()
        if tail and tail[-1] not in TERMINAL and not tail.endswith("__"):
            ctx.warn(f"text ends mid-sentence (truncated page?): '…{tail[-40:]}'", last.n)
    shown, min_chars = ctx.profile.repeats_shown, ctx.profile.repeated_sentence_chars
    seen: dict[str, int] = {}
    repeats: list[int] = []
    for u in units:
        if len(u.text) < min_chars:  # holds no sentence that long
            continue
        for sentence in sentences(u.text):
            if len(sentence) >= min_chars:
                if sentence not in seen:
                    seen[sentence] = u.n
                elif len(repeats) < shown:
                    ctx.warn(f"sentence repeated (first on line {seen[sentence]}): "
                             f"'{sentence[:60]}…'", u.n, "sentence-repeated")
                    repeats.append(u.n)
                else:
                    repeats.append(u.n)
    if len(repeats) > shown:
        ctx.warn(f"{len(repeats) - shown:,} more sentences repeated (lines "
                 f"{repeats[shown]}-{repeats[-1]})", repeats[shown], "sentence-repeated")


def _head(head: model.Element, frame: Frame, item: Item, opts: Options) -> None:
    ctx = item.ctx
    if frame.title:
        model.sub(head, "title", frame.title)
    if frame.byline:
        _byline(head, frame.byline)
    if frame.dateline is not None:
        _dateline(head, frame.dateline, ctx, frame.dateline_line)
    source: dict[str, str] = {"name": opts.name} if opts.name else {}
    source.update(media_type=opts.media_type, encoding=opts.encoding, sha256=opts.sha256,
                  size=str(opts.size))
    if opts.url:
        source["url"] = opts.url
    model.sub(head, "source", **source)
    if item.digest is not None:
        _digest(head, item.digest, item.number)
    if ctx.removed:
        removed = model.sub(head, "removed")
        for n, text, _ in sorted(ctx.removed, key=itemgetter(0)):
            model.sub(removed, "chrome", text, line=str(n))
    if opts.repairs:
        repairs = model.sub(head, "repairs")
        for kind, text in opts.repairs:
            model.sub(repairs, "repair", text, kind=kind)


def document(item: Item, opts: Options, page_rule: str) -> tuple[model.Element, Trace]:
    """The canonical document of one item, before the transforms; and how it was read."""
    frame, ctx = item.frame, item.ctx
    doc = model.new_document("pending", opts.lang)
    head, body = doc[0], doc[1]
    _head(head, frame, item, opts)
    units = units_of(frame.body, ctx.profile)
    if not units:
        raise InputError("the bulletin has a dateline but no text after it", ctx.source,
                         frame.dateline_line)
    _warn_content(units, ctx)
    steps = run(units, body, ctx)
    if ctx.inherited or ctx.messages:
        messages = model.sub(head, "messages")
        for m in [*ctx.inherited, *ctx.messages]:
            attrs = {"level": m.level.value}
            if m.line is not None:
                attrs["line"] = str(m.line)
            model.sub(messages, "message", " ".join(m.text.split()), **attrs)
    trace = Trace(ctx.profile.name, page_rule, item.number,
                  item.digest.items if item.digest else 1, ctx.rows, ctx.removed, steps, body)
    return doc, trace
