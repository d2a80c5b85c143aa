"""The dateline grammar: "PARIS, Aug. 20, 2008 (EIRNS)—" found in a line, as a `Dateline`.

The patterns' group names stay in this module: `find_dateline` returns a plain record.
"""

from __future__ import annotations

import re

from ..transforms import MONTH_PATTERN, iso_date, month_number
from .records import Dateline

_DATE = (
    rf"(?P<date>(?P<month>{MONTH_PATTERN})\s+(?P<day>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?"
    r"(?:(?P<comma>\s*,)(?P<gap>\s*)(?P<year>\d{4})(?:\s*,\s*(?P<year2>\d{4}))?)?)"
)
_AFTER_DATE = (
    r"(?P<dash1>\s*(?:—|–|--)\s*)?"
    r"(?:\s*\((?P<agency>[A-Z][A-Za-z/]{1,15})\))?"
    r"(?P<dash2>\s*(?:—|–|--|-)\s*)?"
)
#: The place's words are possessive (`*+`, `{0,3}+`): giving one back cannot make a place
#: (what follows them must be a comma), and trying to made a line that is no dateline cost
#: twice as much to refuse.
_PLACE = r"(?:(?P<place>[A-Z][\w.'’\-]*+(?: [\w.'’\-]++){0,3}+(?:, [A-Z][\w.]{0,12})?),\s+)?"
_START = re.compile(rf"^\s*{_PLACE}{_DATE}{_AFTER_DATE}")
_INLINE = re.compile(rf"(?<=\s){_PLACE}{_DATE}{_AFTER_DATE}")
#: A city is a few capitalised words ("MILAN", "Buenos Aires").
_PLACE_WORDS = 4

_PUBLISHED = re.compile(rf"^(?P<month>{MONTH_PATTERN})\s+(?P<day>\d{{1,2}}),\s*(?P<year>\d{{4}})$")


def _valid(m: re.Match[str]) -> bool:
    """A date is a dateline only when a dash or an agency follows it ("June 3 in Paris" is
    not one)."""
    dash2 = m.group("dash2")
    return bool(m.group("agency") or m.group("dash1") or (dash2 and dash2.strip() != "-"))


def _plausible_place(place: str | None) -> bool:
    if place is None:
        return True
    words = place.replace(",", " ").split()
    return len(words) <= _PLACE_WORDS and all(w[0].isupper() for w in words)


def _record(m: re.Match[str]) -> Dateline:
    base = m.start()
    place, agency, comma, gap = m.group("place", "agency", "comma", "gap")
    return Dateline(
        text=m.group(0).rstrip(), start=base, end=m.end(),
        date=(m.start("date") - base, m.end("date") - base),
        place=None if place is None else (m.start("place") - base, m.end("place") - base),
        agency=None if agency is None else (m.start("agency") - base, m.end("agency") - base),
        month=month_number(m.group("month")), day=int(m.group("day")),
        year=int(m.group("year")) if m.group("year") else None,
        second_year=int(m.group("year2")) if m.group("year2") else None,
        spaced_comma=bool(comma and comma != ","),
        tight_comma=bool(comma) and not gap,
    )


def find_dateline(text: str, inline: bool = False) -> Dateline | None:
    """The dateline that starts `text`, or with `inline` the first one after a space in it."""
    if not inline:
        m = _START.match(text)
        return _record(m) if m and _valid(m) and _plausible_place(m.group("place")) else None
    for m in _INLINE.finditer(text):
        if _valid(m) and _plausible_place(m.group("place")):
            return _record(m)
    return None


def published_date(text: str | None) -> str | None:
    """The ISO date of an issue's "Published" text ("March 20, 2012", "Jan. 12, 2010")."""
    if not text:
        return None
    m = _PUBLISHED.match(text.strip())
    if not m:
        return None
    return iso_date(int(m["year"]), month_number(m["month"]), int(m["day"]))
