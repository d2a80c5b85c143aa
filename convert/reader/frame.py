"""Pass 1 for one bulletin: site chrome around it, then its title, byline and dateline.

Every line removed as chrome is recorded in the context with its line number; nothing else is
dropped. What is found is written into a `Frame` (plain fields and a `Dateline` record).
"""

from __future__ import annotations

from ..messages import NOT_A_BULLETIN, InputError
from .dateline import find_dateline
from .grammar import SENTENCE_END, byline, split_byline
from .records import Context, Frame, Line, groups

# --- site chrome ----------------------------------------------------------------------------


def strip_header(lines: list[Line], ctx: Context) -> list[Line]:
    """Remove chrome lines (and chrome run into the first line) from the top of the page."""
    chrome, inline = ctx.profile.chrome_line, ctx.profile.inline_chrome
    for i, line in enumerate(lines):
        s = line.stripped
        if not s:
            continue
        if chrome.match(s):
            ctx.remove(line.n, s)
            continue
        rest = s
        while m := inline.match(rest):
            ctx.remove(line.n, m.group(0), "inline-chrome")
            rest = rest[m.end():]
        if rest != s:
            return [Line(line.n, rest), *lines[i + 1:]]
        return lines[i:]
    return []


def strip_footer(lines: list[Line], ctx: Context) -> list[Line]:
    """Remove chrome lines from the bottom of the page, recording them in page order."""
    chrome = ctx.profile.chrome_line
    end = len(lines)
    found: list[Line] = []
    while end > 0:
        s = lines[end - 1].stripped
        if s and not chrome.match(s):
            break
        if s:
            found.append(lines[end - 1])
        end -= 1
    for line in reversed(found):
        ctx.remove(line.n, line.text)
    return lines[:end]


def strip_inner_chrome(lines: list[Line], ctx: Context) -> list[Line]:
    """Remove chrome that is chrome anywhere: a page header repeated in the middle of an
    article saved page by page, and the pager lines between the pages."""
    anywhere = ctx.profile.chrome_anywhere
    kept = []
    for line in lines:
        s = line.stripped
        if s and anywhere.match(s):
            ctx.remove(line.n, line.text, "inner-chrome")
        else:
            kept.append(line)
    return kept


# --- title, byline, dateline ----------------------------------------------------------------


def dateline_frame(lines: list[Line], ctx: Context, rule: str) -> Frame | None:
    """The frame of a bulletin with a dateline: on a line of its own within the profile's
    window, or run into the first line after the title; None without one."""
    frame = Frame()
    head: list[Line] = []
    window = ctx.profile.dateline_window
    for i, line in enumerate(lines):
        d = find_dateline(line.text)
        if d:
            frame.dateline, frame.dateline_line = d, line.n
            frame.body = [Line(line.n, line.text[d.end:]), *lines[i + 1:]]
            break
        head.append(line)
        if len(head) > window:  # a dateline this far down is not a dateline
            break
    if frame.dateline is None:
        head = []
        first = next((ln for ln in lines if ln.stripped), None)
        if first is None or (d := find_dateline(first.text, inline=True)) is None:
            return None
        frame.dateline, frame.dateline_line = d, first.n
        title = first.text[:d.start].strip()
        if title:
            head = [Line(first.n, title)]
        frame.body = [Line(first.n, first.text[d.end:]), *lines[lines.index(first) + 1:]]
        ctx.warn("title and dateline share one line: title boundary inferred from the "
                 "dateline", first.n)
    ctx.note(frame.dateline_line, "dateline", rule, frame.dateline.text)
    title_and_byline(head, frame, ctx, rule)
    return frame


def title_and_byline(head: list[Line], frame: Frame, ctx: Context, rule: str) -> None:
    """The title and byline among the lines above the dateline: the longest group of lines
    is the title, shorter ones (link text, menus) are chrome."""
    chrome = ctx.profile.chrome_line
    byline_line = None
    found = []
    for group in groups(head):
        rest = []
        for line in group:
            s = line.stripped
            if byline(s) and frame.byline is None:
                frame.byline, byline_line = s, line.n
                continue
            if chrome.match(s):
                ctx.remove(line.n, s)
                continue
            rest.append(line)
        if rest:
            found.append(rest)
    if not found and frame.byline:  # "By Barge Across Europe" is a title, not a byline
        found, frame.byline = [[Line(byline_line or 0, frame.byline)]], None
    if not found:
        ctx.warn("no title: the text starts with the dateline", frame.dateline_line)
        return
    title_group = max(found, key=lambda g: sum(len(ln.text.split()) for ln in g))
    for extra in (g for g in found if g is not title_group):
        for line in extra:
            ctx.remove(line.n, line.stripped, "title-chrome")
            ctx.warn(f"line between the title and the dateline treated as site chrome: "
                     f"{line.stripped!r}", line.n)
    frame.title = " ".join(line.stripped for line in title_group)
    frame.title_line = title_group[0].n
    if frame.byline is None:
        frame.title, frame.byline = split_byline(frame.title)
        if frame.byline:
            byline_line = frame.title_line
    ctx.note(frame.title_line, "title", rule, frame.title, title_group[-1].n)
    ctx.note(byline_line, "byline", rule, frame.byline or "")


def titled(lines: list[Line], ctx: Context) -> bool:
    """Whether the first group of lines of a text without a dateline is a title: a few
    short lines that do not end like a sentence."""
    first = next(iter(groups(lines)), None)
    if first is None:
        return False
    text = " ".join(line.stripped for line in first)
    return (len(first) <= ctx.profile.title_max_lines
            and len(text.split()) <= ctx.profile.title_max_words
            and not text.endswith((".", ":", ",")))


def prose(paragraphs: list[list[Line]], ctx: Context) -> bool:
    """Whether enough paragraphs are sentences (a bulletin) rather than code, tables or lists
    of settings: a paragraph of the profile's prose_min_words or more that ends like one."""
    sentences = sum(1 for g in paragraphs if SENTENCE_END.search(g[-1].stripped)
                    and sum(len(line.stripped.split()) for line in g)
                    >= ctx.profile.prose_min_words)
    return sentences >= ctx.profile.prose_share * len(paragraphs)


def undated_frame(lines: list[Line], ctx: Context, rule: str, title: bool) -> Frame:
    """The frame of a text without a dateline: its first group of lines as the title (when
    `title`), the rest as the body; warned of, since date, place and agency are unknown."""
    paragraphs = groups(lines)
    frame = Frame(body=lines)
    if title and paragraphs:
        first = paragraphs[0]
        frame.title = " ".join(line.stripped for line in first)
        frame.title_line = first[0].n
        frame.body = [ln for ln in lines if ln.n > first[-1].n]
        ctx.note(frame.title_line, "title", rule, frame.title, first[-1].n)
    if not any(ln.stripped for ln in frame.body):
        shown = f" (the only text is the title {frame.title!r})" if frame.title else ""
        raise InputError(f"no dateline and no body: this does not look like a bulletin{shown}",
                         ctx.source, frame.title_line)
    if frame.title is None or not prose(groups(frame.body), ctx):
        missing = "no title" if frame.title is None else "no sentences"
        ctx.warn(f"no dateline and {missing} found: this does not look like a bulletin; its "
                 "text is kept as paragraphs", None, NOT_A_BULLETIN)
    else:
        ctx.warn("no dateline (such as 'June 23, 2017 (EIRNS)—'): date, place and agency are "
                 "unknown", frame.title_line)
    return frame
