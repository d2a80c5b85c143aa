"""Pass 2: the body's lines become units, one per paragraph-sized piece of text.

One unit per line; lines that continue the one before are joined to it: in a hard-wrapped
text every line up to a blank one or a list marker, elsewhere a line that goes on in lower
case after a long line without closing punctuation.
"""

from __future__ import annotations

from .grammar import TERMINAL, is_structural
from .profile import Profile
from .records import Line, Unit


def hard_wrapped(body: list[Line], profile: Profile) -> bool:
    """A text-browser dump or an e-mail: every line cut at a fixed width, so paragraphs span
    several lines (see the profile's wrap_* thresholds)."""
    lengths = [len(line.stripped) for line in body if line.stripped]
    return (len(lengths) >= profile.wrap_min_lines and max(lengths) <= profile.wrap_max_chars
            and sum(n >= profile.wrap_long_chars for n in lengths)
            >= profile.wrap_long_share * len(lengths))


def units_of(body: list[Line], profile: Profile) -> list[Unit]:
    wrapped = hard_wrapped(body, profile)
    min_chars = profile.continuation_min_chars
    units: list[Unit] = []
    previous_blank = True
    for line in body:
        s = line.stripped
        if not s:
            previous_blank = True
            continue
        continues = bool(units) and not previous_blank
        if continues and not wrapped:  # the cheap tests first: this runs for every line
            last = units[-1].text
            continues = (s[0].islower() and len(last) >= min_chars and last[-1] not in TERMINAL
                         and not is_structural(last))
        continues = continues and not is_structural(s)
        if continues:
            unit = units[-1]
            unit.text += " " + s
            unit.end = line.n
        else:
            units.append(Unit(line.n, s, line.n))
        previous_blank = False
    return units
