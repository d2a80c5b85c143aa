"""Small pure steps over the canonical tree, run in a declared order after the text reader.

The reader builds the structure; these steps settle what is the same for every document:
whitespace in text elements, the document id derived from date, agency and title, and the
vocabulary version the document needs. The pipeline runs them (`convert.pipeline.parse`).
Dates live here too, since both the parser and the id need them.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import re
from collections.abc import Callable

from . import model

# --- dates ---------------------------------------------------------------------------------

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name[1:], start=1):
    MONTHS[_name.lower()] = _number
    MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9

#: Month names as they appear in datelines: "June", "Sept.", "Feb.", "Jun".
MONTH_PATTERN = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?\.?|July?\.?"
    r"|Aug(?:ust|\.)?|Sep(?:tember|t\.?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)


def month_number(token: str) -> int:
    """1-12 for a month name or abbreviation ("Sept.", "March", "Jun")."""
    return MONTHS[token.rstrip(".").lower()]


def iso_date(year: int | None, month: int, day: int) -> str | None:
    """ISO 8601 `YYYY-MM-DD`, or `--MM-DD` without a year; None if no such calendar day."""
    leap_year = 2000  # a year-less 29 February is a real day in some year
    if year is not None and not 1 <= year <= 9999:  # no year 0 in ISO 8601's common form
        return None
    try:
        datetime.date(year or leap_year, month, day)  # what calendar.weekday asks, in C
    except ValueError:
        return None
    if year is None:
        return f"--{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


# --- ids -----------------------------------------------------------------------------------

_SLUG_WORDS = re.compile(r"[a-z0-9]+")
#: Longest slug; a longer title is cut at a word boundary and keeps a digest of the whole.
SLUG_MAX = 48
_DIGEST_CHARS = 6


def _ascii(text: str) -> str:
    """`text` transliterated to ASCII. anyascii is imported only for a text that needs it: its
    import (importlib.resources) is 5 ms of a process, and ASCII maps to itself."""
    if text.isascii():
        return text
    from anyascii import anyascii

    return anyascii(text)


def slug(text: str) -> str:
    """ASCII, lower-case, hyphen-joined words of `text` (any script, transliterated:
    "ТАСС" gives "tass"), at most SLUG_MAX characters.

    A slug cut short ends with `-` and a short digest of the whole slug, so two titles that
    differ only after the cut still get different ids. A text with nothing to transliterate
    (only symbols) gets a short hash instead, so the id stays a safe file name and stays stable.
    """
    words = _SLUG_WORDS.findall(_ascii(text).lower().replace("'", ""))
    whole = "-".join(words)
    if not whole:
        return "t" + hashlib.sha256(text.encode()).hexdigest()[:10]
    if len(whole) <= SLUG_MAX:
        return whole
    digest = hashlib.sha256(whole.encode()).hexdigest()[:_DIGEST_CHARS]
    room = SLUG_MAX - _DIGEST_CHARS - 1
    # The whole words that fit: up to the last hyphen within room + 1 characters (a hyphen
    # right after the room ends the last word that fits).
    cut = whole[:room + 1].rpartition("-")[0]
    return f"{cut or whole[:room]}-{digest}"


def make_id(when: str | None, agency: str | None, text: str) -> str:
    """`{date}-{agency}-{slug}`: same bulletin, same id (see schemas/README.md)."""
    if when is None:
        date_part = "undated"
    elif when.startswith("--"):
        date_part = "xxxx" + when[1:]
    else:
        date_part = when
    parts = [date_part]
    if agency:
        parts.append(slug(agency))
    parts.append(slug(text))
    return "-".join(parts)


# --- tree steps ----------------------------------------------------------------------------

#: Text-only elements whose whitespace runs are layout, not content.
_COLLAPSIBLE = frozenset(model.q(n) for n in ("title", "p", "item", "heading", "clause",
                                              "speaker", "name", "entry", "section", "header",
                                              "description"))


def normalize_whitespace(doc: model.Element) -> None:
    """Collapse runs of white space to one space and trim, in every text-only element.

    Every node is visited and its name asked only when its text needs the change: an
    iterator that filters by the eleven names costs more to set up, per document, than the
    walk of a whole bulletin."""
    for el in doc.iter():
        t = el.text
        # isprintable() is false for every white space but " ": a cheap exact test
        if t and not (t.isprintable() and "  " not in t and t[0] != " " and t[-1] != " ") \
                and el.tag in _COLLAPSIBLE:
            el.text = " ".join(t.split())


_TITLE, _DATELINE = model.q("title"), model.q("dateline")
_ID_DATELINE_PARTS = frozenset(model.q(n) for n in ("date", "agency"))


def _id_parts(doc: model.Element) -> dict[str, model.Element]:
    """The head's title and the dateline's date and agency (the first of each) by their
    qualified names, found in one walk of the head: this runs once per document parsed, and
    a head has a few children (lxml's tag-filtered iterators cost more to set up)."""
    found: dict[str, model.Element] = {}
    head = model.find(doc, "head")
    for el in () if head is None else head:
        if el.tag == _TITLE:
            found.setdefault(_TITLE, el)
        elif el.tag == _DATELINE:
            for part in el:
                if part.tag in _ID_DATELINE_PARTS:
                    found.setdefault(part.tag, part)
    return found


def assign_id(doc: model.Element) -> None:
    """Set the root id from the dateline's date and agency and the title (or first words)."""
    parts = _id_parts(doc)
    basis = model.text(parts.get(model.q("title")))
    if not basis:
        first = next(model.body(doc), None)
        basis = " ".join((model.text(first) or "").split()[:10]) if first is not None else ""
    date = parts.get(model.q("date"))
    doc.set("id", make_id(date.get("when") if date is not None else None,
                          model.text(parts.get(model.q("agency"))), basis or "bulletin"))


def declare_version(doc: model.Element) -> None:
    """Set the root version to the oldest vocabulary version that holds the document."""
    doc.set("version", model.lowest_version(doc))


Transform = Callable[[model.Element], None]

#: The steps every parsed text document goes through, in this order.
TRANSFORMS: tuple[Transform, ...] = (normalize_whitespace, assign_id, declare_version)


def apply(doc: model.Element, steps: tuple[Transform, ...] = TRANSFORMS) -> model.Element:
    for step in steps:
        step(doc)
    return doc
