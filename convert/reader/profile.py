"""Profiles: what one news service's pages look like, apart from the grammar.

The grammar (the rules in `page.py`, `frame.py`, `units.py`, `blocks.py`) is the same for
every service; its judgement calls are thresholds, and a service wraps its text in site chrome
of its own. Both live in a `Profile`: another service is a new profile, not an edit to the
grammar. `bulletin parse --profile NAME` chooses one by name; the library also takes a
`Profile` object (`dataclasses.replace(EIR, name="mine", chrome_line=...)`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: A pattern that matches nothing: a profile without that kind of chrome.
NOTHING = re.compile(r"(?!)")


@dataclass(frozen=True)
class Profile:
    """Thresholds of the grammar and the site chrome of one news service.

    Every pattern is matched against a stripped line. The issue header's groups are a
    documented interface: `volume` and `number` (digits), `publication`, and `published`
    (optional, a date such as "March 20, 2012"); the inline chrome's optional group `meta`
    is the page's own date (YYYY-MM-DD).
    """

    name: str
    description: str

    # --- site chrome ---------------------------------------------------------------------
    #: A line of site chrome at the top or the bottom of a page (menus, subscribe links,
    #: copyright); also between a title and its dateline.
    chrome_line: re.Pattern[str]
    #: Chrome wherever it stands, even inside the text: the page header an article saved
    #: page by page repeats.
    inner_chrome: re.Pattern[str]
    #: Pager links between the pages of one article ("Page 1 of 2  Next page »").
    pager_line: re.Pattern[str]
    #: Chrome run into the first line of a page whose line ends were lost.
    inline_chrome: re.Pattern[str]
    #: Removed chrome that carries the page's own date ("date 2018-03-21"), compared with the
    #: dateline's; group 1 is the date.
    meta_date: re.Pattern[str]
    #: The page header of a periodical issue ("From Volume 9, Issue 12 of EIR Online,
    #: Published March 20, 2012"): the page is a digest of items.
    issue_header: re.Pattern[str]
    #: The line that opens a table of contents ("In this issue:").
    toc_start: re.Pattern[str]
    #: A digest's section heading ("Harbour News Digest") when it opens the page.
    digest_section: re.Pattern[str]

    # --- pass 1: the page and the frame ----------------------------------------------------
    #: A dateline further down than this many lines is a date in the text, not a dateline:
    #: the corpus's longest head (chrome, a three-line title, a byline, a link line) is 9.
    dateline_window: int = 12
    #: The issue header stands above the items; below this many lines it is a quotation of
    #: one (the longest table of contents seen above a header is 12 lines).
    issue_header_window: int = 40
    #: Without a dateline, a first group of lines is a title when it has at most this many
    #: lines (the corpus's longest title has 3) ...
    title_max_lines: int = 3
    #: ... and at most this many words: a longer group is a paragraph.
    title_max_words: int = 30
    #: A paragraph of at least this many words that ends like a sentence is prose; code,
    #: tables and lists of settings have shorter lines.
    prose_min_words: int = 8
    #: A text without a dateline is still a bulletin when at least this share of its
    #: paragraphs is prose.
    prose_share: float = 0.5
    #: A digest headline is a line of at most this many words: headlines run longer than
    #: body headings, and an inline byline (", by Ana Ruiz:") adds three or four.
    headline_max_words: int = 20

    # --- pass 2: units ----------------------------------------------------------------------
    #: Hard wrapping is judged on at least this many lines: fewer say nothing about a width.
    wrap_min_lines: int = 4
    #: A hard-wrapped text has no line longer than this (e-mail and text browsers wrap at
    #: 72-80 columns; 100 leaves room for indentation and wide characters) ...
    wrap_max_chars: int = 100
    #: ... and most of its lines are at least this long (a wrapped line is nearly full) ...
    wrap_long_chars: int = 50
    #: ... where "most" is this share of the lines (the last line of each paragraph is short).
    wrap_long_share: float = 0.6
    #: Without hard wrapping, a line that goes on in lower case continues the line before
    #: only when that one is at least this long (a short line is a title or a list item).
    continuation_min_chars: int = 40

    # --- pass 3: blocks ---------------------------------------------------------------------
    #: A heading is a line of at most this many characters (the longest corpus heading is 62;
    #: a one-sentence paragraph without a full stop is longer) ...
    heading_max_chars: int = 100
    #: ... and at most this many words ...
    heading_max_words: int = 14
    #: ... of which at least this share of the long words are capitalised (Title Case; a
    #: sentence-case line is prose that lost its full stop).
    heading_capitalised_share: float = 0.6
    #: Words of at least this many characters count for Title Case: "of", "the", "and" stay
    #: lower case in a title.
    heading_long_word: int = 4
    #: Lines of an unmarked list (after a line ending in ":") are at most this long when
    #: paragraphs are not separated by blank lines (the corpus's longest such item is 58) ...
    short_item_max_chars: int = 70
    #: ... and at most this many words.
    short_item_max_words: int = 10
    #: A Q&A speaker label ("KELLER (Foreign Minister):") names a person or a role in
    #: capitals; a longer label is a sentence that ends in a colon.
    speaker_max_chars: int = 40
    #: A paragraph longer than this is kept whole but named in a warning (a page that lost
    #: its line ends, or a log pasted into a bulletin).
    long_paragraph: int = 100_000
    #: A sentence this long or longer that occurs twice is a scraping fault; shorter ones
    #: ("He agreed.") repeat in real text.
    repeated_sentence_chars: int = 40
    #: Repeated sentences named one by one; more are counted in one warning (a 20 MB scrape
    #: of one page saved many times repeats every sentence).
    repeats_shown: int = 5

    @functools.cached_property
    def chrome_anywhere(self) -> re.Pattern[str]:
        """Inner chrome and pager lines as one pattern: one match per line of the text."""
        return re.compile(f"(?:{self.inner_chrome.pattern})|(?:{self.pager_line.pattern})",
                          self.inner_chrome.flags | self.pager_line.flags)


# --- the news service of the corpus (EIR) ---------------------------------------------------

_CHROME_WORDS = r"(?:Back to top|Go to home page|clear)"
_PAGER = r"(?:[«‹]\s*)?(?:Previous page|Next page|Page \d+ of \d+)(?:\s*[»›])?"

EIR = Profile(
    name="eir",
    description="Executive Intelligence Review (EIR Online, EIR Daily Alert, LPAC): the "
                "corpus's news service",
    chrome_line=re.compile(
        r"^(?:Subscribe to EIR(?: Online)?|Executive Intelligence Review|PRESS RELEASE"
        r"|FROM EIR DAILY ALERT|EIR Online|Media Archive of Webcast|Top of page|Home"
        r"|Print(?: this (?:page|article))?|Share(?: this (?:page|article))?"
        r"|E-?mail(?: this (?:page|article))?"
        rf"|{_CHROME_WORDS}(?:\s+{_CHROME_WORDS})*"
        r"|All rights reserved\b.*|(?:Copyright|©)\s.*\b(?:EIR|EIRNS)\b.*"
        r"|date \d{4}-\d{2}-\d{2}(?:\s*\|)?)$"),
    inner_chrome=re.compile(r"^(?:Subscribe to EIR(?: Online)?|Executive Intelligence Review"
                            rf"|{_CHROME_WORDS}(?:\s+{_CHROME_WORDS})*)$"),
    pager_line=re.compile(rf"^{_PAGER}(?:\s+{_PAGER})*$"),
    inline_chrome=re.compile(
        r"^(?:date (?P<meta>\d{4}-\d{2}-\d{2})(?:\s*\|)?|PRESS RELEASE)\s+"),
    meta_date=re.compile(r"^date (\d{4}-\d{2}-\d{2})"),
    issue_header=re.compile(
        r"^From (?:the )?Vol(?:ume)?\.?\s*(?P<volume>\d+)\s*,\s*(?:Issue(?:\s+Number)?|No\.)\s*"
        r"(?P<number>\d+)\b(?:\s+issue)?\s+of\s+(?P<publication>.+?)"
        r"(?:,\s*Published\s+(?P<published>.+))?$"),
    toc_start=re.compile(r"^In this issue:?$", re.IGNORECASE),
    digest_section=re.compile(r"^(?:[\w'’&.\-]+ ){1,4}News Digest$", re.IGNORECASE),
)

#: No site chrome at all: text from a source whose furniture is unknown keeps every line.
PLAIN = Profile(
    name="plain",
    description="no site chrome and no digest pages: every line is content",
    chrome_line=NOTHING, inner_chrome=NOTHING, pager_line=NOTHING, inline_chrome=NOTHING,
    meta_date=NOTHING, issue_header=NOTHING, toc_start=NOTHING, digest_section=NOTHING,
)

#: The profiles `--profile` offers, by name; the first is the default.
PROFILES: dict[str, Profile] = {p.name: p for p in (EIR, PLAIN)}
DEFAULT = EIR.name


def get(profile: str | Profile | None) -> Profile:
    """The profile of that name (or the object itself; None gives the default); ValueError
    naming the profiles there are for an unknown name."""
    if isinstance(profile, Profile):
        return profile
    found = PROFILES.get(profile or DEFAULT)
    if found is None:
        raise ValueError(f"unknown profile {profile!r}; the profiles are: "
                         f"{', '.join(PROFILES)}")
    return found
