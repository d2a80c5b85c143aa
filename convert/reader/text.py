"""The bulletin grammar: plain text (already decoded) to canonical documents.

A bulletin page is read in three passes, each small enough to check against the corpus:
1. the frame: site chrome at the top and bottom, the title, the byline and the dateline;
2. the units: the body's lines (or paragraphs, when blank lines separate them);
3. the blocks: units grouped into paragraphs, quotations, lists, resolutions and Q&A.
A digest page is cut into items first, and each item goes through passes 1-3.
Every line removed as chrome is recorded with its line number; nothing else is dropped.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from .. import model, transforms
from ..messages import NOT_A_BULLETIN, InputError, Message, warning
from ..transforms import MONTH_PATTERN, iso_date, month_number

# --- site chrome ---------------------------------------------------------------------------

_CHROME_WORDS = r"(?:Back to top|Go to home page|clear)"
CHROME_LINE = re.compile(
    r"^(?:Subscribe to EIR(?: Online)?|Executive Intelligence Review|PRESS RELEASE"
    r"|FROM EIR DAILY ALERT|EIR Online|Media Archive of Webcast|Top of page|Home"
    r"|Print(?: this (?:page|article))?|Share(?: this (?:page|article))?"
    r"|E-?mail(?: this (?:page|article))?"
    rf"|{_CHROME_WORDS}(?:\s+{_CHROME_WORDS})*"
    r"|All rights reserved\b.*|(?:Copyright|©)\s.*\b(?:EIR|EIRNS)\b.*"
    r"|date \d{4}-\d{2}-\d{2}(?:\s*\|)?)$"
)
#: Pager links of an article saved page by page ("Page 1 of 2    Next page »").
_PAGER = r"(?:[«‹]\s*)?(?:Previous page|Next page|Page \d+ of \d+)(?:\s*[»›])?"
PAGER_LINE = re.compile(rf"^{_PAGER}(?:\s+{_PAGER})*$")
#: Chrome that is chrome wherever it stands, even between two pages of one article.
INNER_CHROME = re.compile(r"^(?:Subscribe to EIR(?: Online)?|Executive Intelligence Review"
                          rf"|{_CHROME_WORDS}(?:\s+{_CHROME_WORDS})*)$")
#: Chrome run into the first line of a collapsed page: " date 2018-03-21 PRESS RELEASE Title…".
INLINE_CHROME = re.compile(r"^(?:date (?P<meta>\d{4}-\d{2}-\d{2})(?:\s*\|)?|PRESS RELEASE)\s+")
META_DATE = re.compile(r"^date (\d{4}-\d{2}-\d{2})")

# --- dateline ------------------------------------------------------------------------------

_DATE = (
    rf"(?P<date>(?P<month>{MONTH_PATTERN})\s+(?P<day>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?"
    r"(?:(?P<comma>\s*,)\s*(?P<year>\d{4})(?:\s*,\s*(?P<year2>\d{4}))?)?)"
)
_AFTER_DATE = (
    r"(?P<dash1>\s*(?:—|–|--)\s*)?"
    r"(?:\s*\((?P<agency>[A-Z][A-Za-z/]{1,15})\))?"
    r"(?P<dash2>\s*(?:—|–|--|-)\s*)?"
)
_PLACE = r"(?:(?P<place>[A-Z][\w.'’\-]*(?: [\w.'’\-]+){0,3}(?:, [A-Z][\w.]{0,12})?),\s+)?"
DATELINE_START = re.compile(rf"^\s*{_PLACE}{_DATE}{_AFTER_DATE}")
DATELINE_INLINE = re.compile(rf"(?<=\s){_PLACE}{_DATE}{_AFTER_DATE}")

BYLINE = re.compile(r"^[Bb]y\s+(?P<name>[A-Z][\w.,'’\- ]{1,80})$")
INLINE_BYLINE = re.compile(r",\s+by\s+(?P<name>[A-Z][\w.'’\- ]{1,60}?):?$")

# --- digest pages --------------------------------------------------------------------------

DIGEST_HEADER = re.compile(
    r"^From (?:the )?Vol(?:ume)?\.?\s*(?P<volume>\d+)\s*,\s*(?:Issue(?:\s+Number)?|No\.)\s*"
    r"(?P<issue>\d+)\b(?:\s+issue)?\s+of\s+.+?(?:,\s*Published\s+(?P<published>.+))?$"
)
TOC_START = re.compile(r"^In this issue:?$", re.IGNORECASE)
PUBLISHED = re.compile(rf"^(?P<month>{MONTH_PATTERN})\s+(?P<day>\d{{1,2}}),\s*(?P<year>\d{{4}})$")

# --- blocks --------------------------------------------------------------------------------

BULLET = re.compile(r"^\s*(?P<marker>[•·▪◦‣*]|-(?=\s)|–(?=\s))\s*(?P<text>.+)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d{1,3})(?P<punct>[.)])\s+(?P<text>.+)$")
LABEL = re.compile(r"^(?P<label>[^\W\d_][\w'’.\-]*(?:[ ][\w'’.\-]+){0,3}?(?:[ ]\([^()]{1,60}\))?):"
                   r"(?:\s+(?P<rest>.*))?$")
CLAUSE_START = re.compile(
    r"^(?:(?P<whereas>Whereas|WHEREAS)\b"
    r"|(?P<resolved>(?:(?:Now|NOW),?\s+)?(?:Therefore|THEREFORE),?\s+(?:be|BE)\s+(?:it|IT)\s+"
    r"(?:(?:further|FURTHER)\s+)?(?:resolved|RESOLVED)|(?:Be|BE) (?:it|IT) (?:further |FURTHER )?"
    r"(?:resolved|RESOLVED)|(?:Resolved|RESOLVED)[,:])"
    r"|(?P<section>(?:Section|SECTION|Sec\.)\s+\d+\.))"
)
RESOLUTION_TITLE = re.compile(r"^RESOLUTION\b")
OPENERS = {'"': '"', "“": "”", "«": "»", "„": "“"}
#: The marks that open or close a quotation of each kind (a straight quote only closes).
_MARKS = {mark: re.compile(re.escape(close) if mark == close else f"[{mark}{close}]")
          for mark, close in OPENERS.items()}
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
TERMINAL = ".!?\"”’'):;…»"
LONG_PARAGRAPH = 100_000
#: Repeated sentences named one by one; more are counted in one warning (a 20 MB scrape of
#: one page saved many times repeats every sentence).
REPEATS_SHOWN = 5


@dataclass
class Line:
    n: int  # 1-based line number in the source
    text: str  # without the line end and trailing white space

    @property
    def stripped(self) -> str:
        return self.text.strip()


@dataclass
class Unit:
    """A paragraph-sized piece of the body: one source line, or wrapped lines joined."""

    n: int
    text: str


@dataclass
class Frame:
    """What pass 1 found around the body of one bulletin."""

    title: str | None = None
    title_line: int | None = None
    byline: str | None = None
    dateline: re.Match[str] | None = None
    dateline_line: int | None = None
    body: list[Line] = field(default_factory=list)


@dataclass
class Context:
    """Per-page state: where the text came from, what was removed, what was noticed."""

    source: str | None
    year: int | None = None
    year_from: str | None = None
    removed: list[tuple[int, str]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    meta_date: tuple[int, str] | None = None

    def warn(self, text: str, line: int | None = None, kind: str | None = None) -> None:
        self.messages.append(warning(text, self.source, line, kind=kind))

    def remove(self, n: int, text: str) -> None:
        self.removed.append((n, text.strip()))
        meta = META_DATE.match(text.strip())
        if meta and self.meta_date is None:
            self.meta_date = (n, meta.group(1))


# --- pass 1: the frame ---------------------------------------------------------------------


def _strip_header(lines: list[Line], ctx: Context) -> list[Line]:
    """Remove chrome lines (and chrome run into the first line) from the top of the page."""
    for i, line in enumerate(lines):
        s = line.stripped
        if not s:
            continue
        if CHROME_LINE.match(s):
            ctx.remove(line.n, s)
            continue
        rest = s
        while m := INLINE_CHROME.match(rest):
            ctx.remove(line.n, m.group(0))
            rest = rest[m.end():]
        if rest != s:
            return [Line(line.n, rest), *lines[i + 1:]]
        return lines[i:]
    return []


def _strip_footer(lines: list[Line], ctx: Context) -> list[Line]:
    """Remove chrome lines from the bottom of the page, recording them in page order."""
    end = len(lines)
    found: list[Line] = []
    while end > 0:
        s = lines[end - 1].stripped
        if s and not CHROME_LINE.match(s):
            break
        if s:
            found.append(lines[end - 1])
        end -= 1
    for line in reversed(found):
        ctx.remove(line.n, line.text)
    return lines[:end]


def _strip_inner_chrome(lines: list[Line], ctx: Context) -> list[Line]:
    """Remove chrome that is chrome anywhere: a page header repeated in the middle of an
    article saved page by page, and the pager lines between the pages."""
    kept = []
    for line in lines:
        s = line.stripped
        if s and (INNER_CHROME.match(s) or PAGER_LINE.match(s)):
            ctx.remove(line.n, line.text)
        else:
            kept.append(line)
    return kept


def _groups(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-blank lines."""
    groups: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.stripped:
            current.append(line)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _valid_dateline(m: re.Match[str]) -> bool:
    dash1, dash2 = m.group("dash1"), m.group("dash2")
    return bool(m.group("agency") or dash1 or (dash2 and dash2.strip() != "-"))


def _plausible_place(place: str | None) -> bool:
    """A dateline place is a city: a few capitalised words ("MILAN", "Buenos Aires")."""
    if place is None:
        return True
    words = place.replace(",", " ").split()
    return len(words) <= 4 and all(w[0].isupper() for w in words)


def find_dateline(text: str, inline: bool = False) -> re.Match[str] | None:
    pattern = DATELINE_INLINE if inline else DATELINE_START
    for m in pattern.finditer(text):
        if _valid_dateline(m) and _plausible_place(m.group("place")):
            return m
        if not inline:
            break
    return None


def _frame(lines: list[Line], ctx: Context) -> Frame:
    """Find title, byline and dateline; the rest is the body."""
    frame = Frame()
    head: list[Line] = []
    for i, line in enumerate(lines):
        m = find_dateline(line.text)
        if m:
            frame.dateline, frame.dateline_line = m, line.n
            frame.body = [Line(line.n, line.text[m.end():]), *lines[i + 1:]]
            break
        head.append(line)
        if len(head) > 12:  # a dateline this far down is not a dateline
            break
    if frame.dateline is None:
        head = []
        first = next((ln for ln in lines if ln.stripped), None)
        if first is not None and (m := find_dateline(first.text, inline=True)):
            frame.dateline, frame.dateline_line = m, first.n
            title = first.text[:m.start()].strip()
            if title:
                head = [Line(first.n, title)]
            frame.body = [Line(first.n, first.text[m.end():]),
                          *lines[lines.index(first) + 1:]]
            ctx.warn("title and dateline share one line: title boundary inferred from the "
                     "dateline", first.n)
    if frame.dateline is None:
        return _frame_without_dateline(lines, ctx)
    _title_and_byline(head, frame, ctx)
    return frame


def _title_and_byline(head: list[Line], frame: Frame, ctx: Context) -> None:
    groups = []
    for group in _groups(head):
        rest = []
        for line in group:
            s = line.stripped
            if BYLINE.match(s) and frame.byline is None:
                frame.byline = s
                continue
            if CHROME_LINE.match(s):
                ctx.remove(line.n, s)
                continue
            rest.append(line)
        if rest:
            groups.append(rest)
    if not groups and frame.byline:  # "By Barge Across Europe" is a title, not a byline
        groups, frame.byline = [[Line(frame.dateline_line or 0, frame.byline)]], None
    if not groups:
        ctx.warn("no title: the text starts with the dateline", frame.dateline_line)
        return
    # Link text and menus around a title are short; the title is the longest group.
    title_group = max(groups, key=lambda g: sum(len(ln.text.split()) for ln in g))
    for extra in (g for g in groups if g is not title_group):
        for line in extra:
            ctx.remove(line.n, line.stripped)
            ctx.warn(f"line between the title and the dateline treated as site chrome: "
                     f"{line.stripped!r}", line.n)
    frame.title = " ".join(line.stripped for line in title_group)
    frame.title_line = title_group[0].n
    if frame.byline is None and (b := INLINE_BYLINE.search(frame.title)):
        frame.byline = "by " + b.group("name").strip()
        frame.title = frame.title[:b.start()].strip()


def _looks_like_title(group: list[Line]) -> bool:
    text = " ".join(line.stripped for line in group)
    return len(group) <= 3 and len(text.split()) <= 30 and not text.endswith((".", ":", ","))


_SENTENCE_END = re.compile(r"[.!?…][\"”’»)]*$")


def _prose(groups: list[list[Line]]) -> bool:
    """Whether most paragraphs are sentences (a bulletin) rather than code, tables or lists
    of settings: a paragraph of eight words or more that ends like a sentence."""
    sentences = sum(1 for g in groups if _SENTENCE_END.search(g[-1].stripped)
                    and sum(len(line.stripped.split()) for line in g) >= 8)
    return sentences * 2 >= len(groups)


def _frame_without_dateline(lines: list[Line], ctx: Context) -> Frame:
    groups = _groups(lines)
    frame = Frame()
    if groups and _looks_like_title(groups[0]):
        frame.title = " ".join(line.stripped for line in groups[0])
        frame.title_line = groups[0][0].n
        last = groups[0][-1].n
        frame.body = [ln for ln in lines if ln.n > last]
    else:
        frame.body = lines
    if not any(ln.stripped for ln in frame.body):
        shown = f" (the only text is the title {frame.title!r})" if frame.title else ""
        raise InputError(f"no dateline and no body: this does not look like a bulletin{shown}",
                         ctx.source, frame.title_line)
    if frame.title is None or not _prose(_groups(frame.body)):
        missing = "no title" if frame.title is None else "no sentences"
        ctx.warn(f"no dateline and {missing} found: this does not look like a bulletin; its "
                 "text is kept as paragraphs", None, NOT_A_BULLETIN)
    else:
        ctx.warn("no dateline (such as 'June 23, 2017 (EIRNS)—'): date, place and agency are "
                 "unknown", frame.title_line)
    return frame


# --- pass 2: units -------------------------------------------------------------------------


def _hard_wrapped(body: list[Line]) -> bool:
    """A text-browser dump or an e-mail: every line cut at a fixed width (no line over 100
    characters, most of them 50 or more), so paragraphs span several lines."""
    lengths = [len(line.stripped) for line in body if line.stripped]
    return (len(lengths) >= 4 and max(lengths) <= 100
            and sum(n >= 50 for n in lengths) >= 0.6 * len(lengths))


def _units(body: list[Line]) -> list[Unit]:
    """One unit per line; lines that continue the one before are joined to it: in a
    hard-wrapped text every line up to a blank one or a list marker, elsewhere a line that
    goes on in lower case after a long line without closing punctuation."""
    wrapped = _hard_wrapped(body)
    units: list[Unit] = []
    previous_blank = True
    for line in body:
        s = line.stripped
        if not s:
            previous_blank = True
            continue
        continues = units and not previous_blank and not _is_structural(s)
        if continues and not wrapped:
            last = units[-1].text
            continues = (s[0].islower() and len(last) >= 40 and last[-1] not in TERMINAL
                         and not _is_structural(last))
        if continues:
            units[-1].text += " " + s
        else:
            units.append(Unit(line.n, s))
        previous_blank = False
    return units


def _is_structural(s: str) -> bool:
    return bool(BULLET.match(s) or NUMBERED.match(s) or CLAUSE_START.match(s))


# --- pass 3: blocks ------------------------------------------------------------------------


def _opener(text: str) -> str | None:
    """The quote mark that opens a displayed quotation, if the text starts with one."""
    if len(text) > 1 and text[0] in OPENERS and not text[1].isspace():
        return text[0]
    return None


def _quote_end(text: str, mark: str) -> str:
    """How a paragraph that opens with `mark` ends: "closed", "open" or "mixed".

    "closed": the quotation closes at the very end; "open": it does not close (a quotation
    that goes on in the next paragraph); "mixed": it closes and narrative follows, so the
    paragraph is prose with an inline quotation.
    """
    close = OPENERS[mark]
    depth = 1
    for m in _MARKS[mark].finditer(text, 1):  # only the marks, not every character
        if m.group() == close:
            depth -= 1
            if depth == 0:
                return "closed" if not text[m.end():].strip() else "mixed"
        else:
            depth += 1
    return "open"


def _strip_close(text: str, mark: str) -> str:
    close = OPENERS[mark]
    body = text.rstrip()
    if body.endswith(close):
        body = body[: -len(close)].rstrip()
    return body


def _is_short_item(u: Unit) -> bool:
    return (len(u.text) <= 70 and len(u.text.split()) <= 10 and u.text[-1] not in ".:"
            and not _opener(u.text) and not _is_structural(u.text))


def _is_heading(u: Unit, nxt: Unit | None) -> bool:
    if nxt is None:
        return False
    text = u.text
    if RESOLUTION_TITLE.match(text) and CLAUSE_START.match(nxt.text):
        return True
    if len(text) > 100 or text[-1] in ".,;:" or _opener(text):
        return False
    words = text.split()
    if len(words) > 14:
        return False
    if not text[0].isupper():
        return False
    long_words = [w for w in words if len(w) > 3]
    capitalised = [w for w in long_words if not w[0].isalpha() or w[0].isupper()]
    return not long_words or len(capitalised) / len(long_words) >= 0.6


def _label(u: Unit) -> re.Match[str] | None:
    m = LABEL.match(u.text)
    if not m:
        return None
    name = m.group("label").split(" (")[0]
    return m if name.isupper() and len(name) <= 40 else None


class _Blocks:
    """Turns units into body blocks, appending them to `body`."""

    def __init__(self, units: list[Unit], body: model.Element, ctx: Context) -> None:
        self.units = units
        self.body = body
        self.ctx = ctx
        self.k = 0
        self.qa = sum(1 for u in units[1:] if _label(u)) >= 2
        # Blank lines separate the paragraphs: lines that follow each other without one are
        # then a list (after an announcing colon), however long they are.
        gaps = sum(b.n - a.n > 1 for a, b in itertools.pairwise(units))
        self.blank_lines_separate = gaps >= 2

    def peek(self, offset: int = 0) -> Unit | None:
        i = self.k + offset
        return self.units[i] if i < len(self.units) else None

    def run(self) -> None:
        if self.units:
            self.p(self.units[0])
            self.k = 1
        while (u := self.peek()) is not None:
            if CLAUSE_START.match(u.text) and not CLAUSE_START.match(u.text).group("section"):
                self.resolution()
            elif BULLET.match(u.text) or (NUMBERED.match(u.text) and self.numbered_run()):
                self.marked_list()
            elif self.qa and _label(u):
                self.speeches()
            elif _opener(u.text) and _quote_end(u.text, _opener(u.text) or "") != "mixed":
                self.quote()
            elif self.unmarked_list_ahead():
                self.unmarked_list()
            elif _is_heading(u, self.peek(1)):
                model.sub(self.body, "heading", u.text)
                self.k += 1
            else:
                self.p(u)
                self.k += 1

    def p(self, u: Unit, parent: model.Element | None = None) -> None:
        if len(u.text) > LONG_PARAGRAPH:
            self.ctx.warn(f"very long paragraph ({len(u.text)} characters); kept whole", u.n)
        model.sub(self.body if parent is None else parent, "p", u.text)

    def numbered_run(self) -> bool:
        """A numbered line starts a list only when the next numbered line follows on."""
        first = NUMBERED.match(self.units[self.k].text)
        nxt = self.peek(1)
        second = NUMBERED.match(nxt.text) if nxt else None
        return bool(first and second and int(second["number"]) == int(first["number"]) + 1)

    def marked_list(self) -> None:
        u = self.units[self.k]
        bullet = BULLET.match(u.text)
        numbered = NUMBERED.match(u.text)
        lst = model.sub(self.body, "list")
        if bullet:
            marker = bullet["marker"]
            lst.set("type", "bullet")
            lst.set("marker", marker)
            while (u := self.peek()) and (m := BULLET.match(u.text)) and m["marker"] == marker:
                model.sub(lst, "item", m["text"])
                self.k += 1
        else:
            assert numbered is not None
            lst.set("type", "number")
            lst.set("marker", numbered["number"] + numbered["punct"])  # "1." or "3)": the start
            expected = int(numbered["number"])
            while ((u := self.peek()) and (m := NUMBERED.match(u.text))
                   and int(m["number"]) == expected):
                model.sub(lst, "item", m["text"])
                self.k += 1
                expected += 1

    def _item(self, u: Unit) -> bool:
        """Whether `u` can be an item of an unmarked list."""
        if self.blank_lines_separate:
            return not _opener(u.text) and not _is_structural(u.text) and not _label(u)
        return _is_short_item(u)

    def unmarked_list_ahead(self) -> bool:
        previous = self.units[self.k - 1].text if self.k else ""
        a, b = self.peek(), self.peek(1)
        return bool(previous.endswith(":") and a and b and b.n == a.n + 1
                    and self._item(a) and self._item(b))

    def unmarked_list(self) -> None:
        lst = model.sub(self.body, "list", type="plain")
        last_n = None
        while (u := self.peek()) and self._item(u) and (last_n is None or u.n == last_n + 1):
            model.sub(lst, "item", u.text)
            last_n = u.n
            self.k += 1

    def resolution(self) -> None:
        res = model.sub(self.body, "resolution")
        clause: model.Element | None = None
        while (u := self.peek()) is not None:
            m = CLAUSE_START.match(u.text)
            if m:
                kind = next(k for k in ("whereas", "resolved", "section") if m.group(k))
                clause = model.sub(res, "clause", u.text, kind=kind)
            elif clause is not None and (u.text[0].islower() or u.text[0] == "_") and \
                    (clause.text or "")[-1:] not in ".;":
                clause.text = f"{clause.text} {u.text}"
            else:
                break
            self.k += 1

    def speeches(self) -> None:
        qa = model.sub(self.body, "qa")
        speech: model.Element | None = None
        while (u := self.peek()) is not None:
            m = _label(u)
            if m:
                speech = model.sub(qa, "speech")
                model.sub(speech, "speaker", m["label"])
                if m["rest"]:
                    self.p(Unit(u.n, m["rest"]), speech)
            elif speech is not None and not (BULLET.match(u.text) or CLAUSE_START.match(u.text)):
                self.p(u, speech)
            else:
                break
            self.k += 1
        for s in [s for s in qa if len(s) == 1]:
            # A label with no words after it: keep the label as a paragraph after the Q&A.
            label = model.text(s[0])
            qa.remove(s)
            model.sub(self.body, "p", f"{label}:")
            self.ctx.warn(f"speaker label {label!r} has no words after it", None)
        if len(qa) == 0:
            self.body.remove(qa)

    def quote(self) -> None:
        first = self.units[self.k]
        mark = _opener(first.text)
        assert mark is not None
        paragraphs: list[str] = []
        closed = False
        while (u := self.peek()) is not None and _opener(u.text) == mark:
            end = _quote_end(u.text, mark)
            if end == "mixed":
                break
            paragraphs.append(u.text[1:])
            self.k += 1
            if end == "closed":
                closed = True
                break
        quote = model.sub(self.body, "quote", open=mark)
        if closed:
            quote.set("close", OPENERS[mark])
            paragraphs[-1] = _strip_close(paragraphs[-1], mark)
        else:
            self.ctx.warn("quotation opened here does not close", first.n)
        for text in paragraphs:
            model.sub(quote, "p", text.strip() or mark)


# --- assembling a document -----------------------------------------------------------------


@dataclass
class Options:
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


def _dateline(head: model.Element, m: re.Match[str], ctx: Context, line: int | None) -> None:
    """The dateline as mixed content: its original text with place, date and agency marked."""
    text = m.group(0).rstrip()
    el = model.sub(head, "dateline")
    base = m.start()
    spans: list[tuple[str, int, int]] = []
    for name in ("place", "date", "agency"):
        if m.group(name):
            spans.append((name, m.start(name) - base, m.end(name) - base))
    year = int(m["year"]) if m["year"] else None
    day = int(m["day"])
    month = month_number(m["month"])
    when = iso_date(year, month, day)
    year_from = None
    if year is None and ctx.year is not None:
        when = iso_date(ctx.year, month, day)
        year_from = ctx.year_from
    if m["comma"] and m["comma"] != ",":
        ctx.warn(f"malformed dateline: space before the comma in {m['date']!r}", line)
    if m["year2"]:
        ctx.warn(f"dateline has two years: {m['date']!r}; took {m['year']}", line)
    if when is None:
        ctx.warn(f"dateline date {m['date']!r} is not a calendar date; no date recorded", line)
    elif year is not None and not 1800 <= year <= 2200:
        ctx.warn(f"dateline year {year} looks wrong", line)
    cursor = 0
    previous: model.Element | None = None
    for name, a, b in spans:
        gap = text[cursor:a]
        if name == "date" and when is None:
            continue
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


def _byline(head: model.Element, byline: str) -> None:
    el = model.sub(head, "byline")
    m = re.match(r"^([Bb]y\s+)([^,]+)(.*)$", byline)
    if m:  # "by Henrik Sørby, EIR Economics Staff": the name ends at the comma
        el.text = m.group(1)
        model.sub(el, "name", m.group(2).strip()).tail = m.group(3) or None
    else:
        el.text = byline


def _warn_content(frame: Frame, units: list[Unit], ctx: Context) -> None:
    """Warnings about the text itself: a cut-off page, a repeated sentence."""
    if units:
        last = units[-1]
        tail = last.text.rstrip()
        if tail and tail[-1] not in TERMINAL and not tail.endswith("__"):
            ctx.warn(f"text ends mid-sentence (truncated page?): '…{tail[-40:]}'", last.n)
    seen: dict[str, int] = {}
    repeats: list[int] = []
    for u in units:
        for sentence in SENTENCE.split(u.text):
            if len(sentence) >= 40:
                if sentence not in seen:
                    seen[sentence] = u.n
                elif len(repeats) < REPEATS_SHOWN:
                    ctx.warn(f"sentence repeated (first on line {seen[sentence]}): "
                             f"'{sentence[:60]}…'", u.n, "sentence-repeated")
                    repeats.append(u.n)
                else:
                    repeats.append(u.n)
    if len(repeats) > REPEATS_SHOWN:
        ctx.warn(f"{len(repeats) - REPEATS_SHOWN:,} more sentences repeated (lines "
                 f"{repeats[REPEATS_SHOWN]}-{repeats[-1]})", repeats[REPEATS_SHOWN],
                 "sentence-repeated")


def _document(frame: Frame, ctx: Context, opts: Options,
              digest: dict[str, object] | None = None) -> model.Element:
    doc = model.new_document("pending", opts.lang)
    head = model.find(doc, "head")
    body = model.find(doc, "body")
    assert head is not None and body is not None
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
    if digest:
        _digest(head, digest)
    if ctx.removed:
        removed = model.sub(head, "removed")
        for n, text in sorted(ctx.removed, key=lambda item: item[0]):
            model.sub(removed, "chrome", text, line=str(n))
    if opts.repairs:
        repairs = model.sub(head, "repairs")
        for kind, text in opts.repairs:
            model.sub(repairs, "repair", text, kind=kind)
    units = _units(frame.body)
    if not units:
        raise InputError("the bulletin has a dateline but no text after it", ctx.source,
                         frame.dateline_line)
    _warn_content(frame, units, ctx)
    _Blocks(units, body, ctx).run()
    if ctx.messages:
        messages = model.sub(head, "messages")
        for m in ctx.messages:
            attrs = {"level": m.level.value}
            if m.line is not None:
                attrs["line"] = str(m.line)
            model.sub(messages, "message", " ".join(m.text.split()), **attrs)
    return transforms.apply(doc)


def _digest(head: model.Element, digest: dict[str, object]) -> None:
    el = model.sub(head, "digest")
    for key in ("item", "items", "volume", "issue", "published"):
        if digest.get(key) is not None:
            el.set(key, str(digest[key]))
    model.sub(el, "header", str(digest["header"]))
    if digest.get("section"):
        model.sub(el, "section", str(digest["section"]))
    toc = digest.get("toc")
    if toc:
        toc_el = model.sub(el, "toc")
        for entry in toc:  # type: ignore[union-attr]
            model.sub(toc_el, "entry", str(entry))


# --- digest pages --------------------------------------------------------------------------


def _digest_header(lines: list[Line]) -> int | None:
    for i, line in enumerate(lines[:40]):
        if DIGEST_HEADER.match(line.stripped):
            return i
    return None


def _published(text: str | None) -> str | None:
    if not text:
        return None
    m = PUBLISHED.match(text.strip())
    if not m:
        return None
    return iso_date(int(m["year"]), month_number(m["month"]), int(m["day"]))


def _digest_items(
    lines: list[Line], start: int, ctx: Context
) -> tuple[dict[str, object], list[list[Line]]]:
    """Split a digest page into its items; returns the page facts and each item's lines."""
    toc: list[str] = []
    in_toc = False
    for line in lines[:start]:
        s = line.stripped
        if not s:
            continue
        if TOC_START.match(s):
            in_toc = True
            ctx.remove(line.n, s)
        elif in_toc:
            toc.append(s)
        else:
            ctx.remove(line.n, s)
    header_line = lines[start]
    m = DIGEST_HEADER.match(header_line.stripped)
    assert m is not None
    ctx.remove(header_line.n, header_line.stripped)
    rest = lines[start + 1:]
    section = None
    if rest and rest[0].stripped and find_dateline(rest[0].text) is None:
        section = rest[0].stripped
        ctx.remove(rest[0].n, section)
        rest = rest[1:]
    rest = _strip_footer(rest, ctx)
    starts = [i for i, ln in enumerate(rest) if find_dateline(ln.text)]
    items: list[list[Line]] = []
    for j, s in enumerate(starts):
        t = s
        while t > 0 and not rest[t - 1].stripped:
            t -= 1
        while t > 0 and rest[t - 1].stripped:
            t -= 1
        if j == 0:
            for line in rest[:t]:
                if line.stripped:
                    ctx.remove(line.n, line.stripped)
        end = len(rest)
        if j + 1 < len(starts):
            end = starts[j + 1]
            while end > 0 and not rest[end - 1].stripped:
                end -= 1
            while end > 0 and rest[end - 1].stripped:
                end -= 1
        items.append(rest[t:end])
    published = _published(m["published"])
    page: dict[str, object] = {
        "header": header_line.stripped, "volume": int(m["volume"]), "issue": int(m["issue"]),
        "published": published, "section": section, "toc": toc, "items": len(items),
    }
    return page, items


def _digest_year(published: str | None, dateline: re.Match[str] | None) -> int | None:
    if not published or dateline is None or dateline["year"]:
        return None
    year, month = int(published[:4]), int(published[5:7])
    return year - 1 if month_number(dateline["month"]) > month else year


# --- entry point ---------------------------------------------------------------------------


def lines_of(text: str) -> list[Line]:
    return [Line(n, raw.rstrip()) for n, raw in enumerate(text.split("\n"), start=1)]


def parse_text(text: str, opts: Options) -> tuple[list[model.Element], list[Message]]:
    """Parse decoded bulletin text into canonical documents and the messages about them."""
    lines = lines_of(text)
    if not any(line.stripped for line in lines):
        raise InputError("no text: the input holds only white space", opts.source)
    digest_at = _digest_header(lines)
    if digest_at is not None:
        return _parse_digest(lines, digest_at, opts)
    ctx = Context(opts.source, opts.year, opts.year_from)
    body = _strip_footer(_strip_header(lines, ctx), ctx)
    body = _strip_inner_chrome(body, ctx)
    if not body:
        raise InputError("no content: the input holds only site chrome "
                         f"({'; '.join(t for _, t in ctx.removed)})", opts.source)
    frame = _frame(body, ctx)
    doc = _document(frame, ctx, opts)
    return [doc], ctx.messages


def _parse_digest(
    lines: list[Line], at: int, opts: Options
) -> tuple[list[model.Element], list[Message]]:
    page_ctx = Context(opts.source)
    page, items = _digest_items(lines, at, page_ctx)
    if not items:
        raise InputError("digest page without items: no dateline found under the header",
                         opts.source, lines[at].n)
    docs: list[model.Element] = []
    messages: list[Message] = list(page_ctx.messages)
    for i, item_lines in enumerate(items, start=1):
        ctx = Context(opts.source, opts.year, opts.year_from, removed=list(page_ctx.removed))
        frame = _frame(_strip_inner_chrome(item_lines, ctx), ctx)
        year = _digest_year(page["published"], frame.dateline)  # type: ignore[arg-type]
        if year is not None and opts.year is None:
            ctx.year, ctx.year_from = year, "digest"
        docs.append(_document(frame, ctx, opts, {**page, "item": i}))
        messages.extend(ctx.messages)
    return docs, messages
