"""What lines of a bulletin look like, whatever the news service: list markers, resolution
clauses, speaker labels, quotation marks, bylines, headings.

These are the shapes the rules test; the thresholds of the judgement calls come from the
profile, and no service's chrome is written here.
"""

from __future__ import annotations

import re

from .profile import Profile

BULLET = re.compile(r"^\s*(?P<marker>[•·▪◦‣*]|-(?=\s)|–(?=\s))\s*(?P<text>.+)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d{1,3})(?P<punct>[.)])\s+(?P<text>.+)$")
#: What every list item line starts with: a bullet or a number (BULLET or NUMBERED, cheaply).
LIST_MARKER = re.compile(r"^\s*(?:[•·▪◦‣*]|[-–]\s|\d{1,3}[.)]\s)")
#: A speaker's label: its words are possessive, as the dateline's place words are (what
#: follows a word is no word character, so giving one back never helps).
LABEL = re.compile(r"^(?P<label>[^\W\d_][\w'’.\-]*+(?:[ ][\w'’.\-]++){0,3}?"
                   r"(?:[ ]\([^()]{1,60}\))?):(?:\s+(?P<rest>.*))?$")
CLAUSE_START = re.compile(
    r"^(?:(?P<whereas>Whereas|WHEREAS)\b"
    r"|(?P<resolved>(?:(?:Now|NOW),?\s+)?(?:Therefore|THEREFORE),?\s+(?:be|BE)\s+(?:it|IT)\s+"
    r"(?:(?:further|FURTHER)\s+)?(?:resolved|RESOLVED)|(?:Be|BE) (?:it|IT) (?:further |FURTHER )?"
    r"(?:resolved|RESOLVED)|(?:Resolved|RESOLVED)[,:])"
    r"|(?P<section>(?:Section|SECTION|Sec\.)\s+\d+\.))"
)
RESOLUTION_TITLE = re.compile(r"^RESOLUTION\b")
#: A byline: "by" and a name whose first letter is a capital of any script (see `byline`).
_BYLINE = re.compile(r"^[Bb]y\s+(?P<name>[^\W\d_][\w.,'’\- ]{1,80})$")
#: A byline at the end of a headline: "Port Authority Delays the Dredging Plan, by Ana Ruiz:".
INLINE_BYLINE = re.compile(r",\s+by\s+(?P<name>[^\W\d_][\w.'’\- ]{1,60}?):?$")

OPENERS = {'"': '"', "“": "”", "«": "»", "„": "“"}
#: A displayed quotation opens with a quote mark right before its first word (`opener`).
QUOTE_OPENING = re.compile(r'^["“«„](?=\S)')
#: The marks that open or close a quotation of each kind (a straight quote only closes).
_MARKS = {mark: re.compile(re.escape(close) if mark == close else f"[{mark}{close}]")
          for mark, close in OPENERS.items()}
#: What a finished sentence (or a quotation closing one) ends with.
TERMINAL = ".!?\"”’'):;…»"
#: The space between two sentences (group 1), after the full stop that ends the first.
_SENTENCE_BREAK = re.compile(r"[.!?](\s+)(?=[A-Z\"“])")
SENTENCE_END = re.compile(r"[.!?…][\"”’»)]*$")


def is_structural(s: str) -> bool:
    """A line that starts a list item or a resolution clause: never a continuation."""
    return bool(BULLET.match(s) or NUMBERED.match(s) or CLAUSE_START.match(s))


def opener(text: str) -> str | None:
    """The quote mark that opens a displayed quotation, if the text starts with one."""
    if len(text) > 1 and text[0] in OPENERS and not text[1].isspace():
        return text[0]
    return None


def quote_end(text: str, mark: str) -> str:
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


def strip_close(text: str, mark: str) -> str:
    close = OPENERS[mark]
    body = text.rstrip()
    if body.endswith(close):
        body = body[: -len(close)].rstrip()
    return body


def capitalised(words: list[str], profile: Profile) -> bool:
    """Whether enough of the long words are capitalised for Title Case (the profile's
    heading_long_word and heading_capitalised_share)."""
    long_words = [w for w in words if len(w) >= profile.heading_long_word]
    upper = [w for w in long_words if not w[0].isalpha() or w[0].isupper()]
    return not long_words or len(upper) / len(long_words) >= profile.heading_capitalised_share


def title_case(text: str, profile: Profile) -> bool:
    """A short line in Title Case that does not end like a sentence part: a heading's shape
    (the profile's heading_* thresholds)."""
    if len(text) > profile.heading_max_chars or text[-1] in ".,;:" or opener(text):
        return False
    words = text.split()
    if len(words) > profile.heading_max_words or not text[0].isupper():
        return False
    return capitalised(words, profile)


def speaker_label(text: str, profile: Profile) -> re.Match[str] | None:
    """A Q&A label in capitals ("MODERATOR:", "KELLER (Foreign Minister):")."""
    m = LABEL.match(text)
    if not m:
        return None
    name = m.group("label").split(" (")[0]
    return m if name.isupper() and len(name) <= profile.speaker_max_chars else None


def byline(text: str) -> re.Match[str] | None:
    """`text` as a byline line: "by Ana Ruiz", "by Élise Martin", "by Мария Петрова" (a capital
    of any script: "[A-Z]" made "by Élise Martin" part of the title above it)."""
    m = _BYLINE.match(text)
    return m if m is not None and m.group("name")[0].isupper() else None


def split_byline(title: str) -> tuple[str, str | None]:
    """A headline without its inline byline, and the byline ("by Ana Ruiz") if it has one."""
    b = INLINE_BYLINE.search(title)
    if b is None or not b.group("name")[0].isupper():
        return title, None
    return title[:b.start()].strip(), "by " + b.group("name").strip()


def sentences(text: str) -> list[str]:
    """`text` cut into sentences, at a space after a full stop, ! or ? before a capital or
    an opening quote. (A search for the stop, then a cut, is twice as fast as a split on a
    look-behind, which `re` tries at every character.)"""
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        parts.append(text[start:m.start(1)])
        start = m.end(1)
    parts.append(text[start:])
    return parts
