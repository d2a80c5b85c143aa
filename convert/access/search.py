"""The site's full-text index: an inverted index cut in small JavaScript files.

A page opened from disk (`file://`) may not `fetch` files nor instantiate WebAssembly, but it
may load classic scripts: every part of the index is a `.js` file that hands its data to
`bulletinSearch` (assets/search.js), loaded with a `<script>` tag when a query needs it.

Layout (under SITE/search/):

- `manifest.js`: the number of bulletins, and the segments in order, each with its id, its
  number of bulletins and the first term of each of its term shards;
- `<segment>/t<N>.js`: term shard N of a segment, `{term: postings}` for the terms from its
  first term up to the next shard's; a term's postings list the segment's bulletins that hold
  it, in order, with how often (see `encode`);
- `<segment>/d<N>.js`: bulletins N*BLOCK to N*BLOCK+BLOCK-1 of a segment, as
  [page, title, date, agency, language] for the list of results;
- `text/<page>.js`: a bulletin's text, loaded for the results shown, to cut their snippets.

A segment is a run of bulletins in the order they arrived (package by package, each in its
catalogue's order, not by date: bulletins added to a collection, whatever their dates, then
fall in new segments and leave the others as they were), cut where a package begins and where
the hash of a bulletin's page path says so (content-defined chunking, as rsync and backup
tools cut files): adding bulletins changes the segments they fall in and no other, and a
segment is named by the hash of what it holds, so an unchanged segment keeps its files and a
rebuild writes only the new ones. Results that score alike are listed in that order too. A
query loads, for each of its words, one shard per segment: a few dozen small files for
100,000 bulletins.

Words are what `tokens` says: runs of letters and digits, NFKD-decomposed with their marks
dropped (accents folded: "Thessaloníki" and "Thessaloniki" are one word, as are "Θεσσαλονίκη"
and "ΘΕΣΣΑΛΟΝΙΚΗ"), lower-cased, final sigma as sigma; scripts are not transliterated.
assets/search.js folds queries the same way, and a test checks both on the corpus in Chromium.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

#: Bumped when the files' format changes: part of every segment's name.
FORMAT = 2
#: Bulletins per block of result metadata (d<N>.js).
BLOCK = 64
#: Segments: at least MIN_SEGMENT bulletins, cut where a page path's hash is 0 modulo
#: AVERAGE_CUT, at most MAX_SEGMENT (which bounds the memory a segment's index takes: close
#: bounds keep it the same whatever the size of the collection).
MIN_SEGMENT = 1024
AVERAGE_CUT = 2048
MAX_SEGMENT = 4096
#: A term shard is closed once it holds this many bytes: a query loads one per segment for
#: each of its words, so the smaller they are, the fewer bytes the browser parses.
SHARD_BYTES = 16 * 1024
#: Longer runs of letters and digits (base64 in a text, a URL's hash) are not words to find.
MAX_WORD = 40
#: A count of occurrences is kept up to this (ranking needs no more).
MAX_TF = 255



@functools.cache
def _marks() -> dict[int, None]:
    """Every combining mark (general category M*), for str.translate to drop."""
    return {cp: None for cp in range(sys.maxunicode + 1)
            if unicodedata.category(chr(cp)).startswith("M")}

_WORD = re.compile(r"[^\W_]+")

#: The digits of the postings code: 5 bits each, FINAL ends a number, MORE goes on.
FINAL = "0123456789abcdefghijklmnopqrstuv"
MORE = "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/"


def fold(text: str) -> str:
    """Text as the index compares it: NFKD, no combining marks, lower case, σ for ς."""
    return unicodedata.normalize("NFKD", text).translate(_marks()).lower().replace("ς", "σ")


def tokens(text: str) -> list[str]:
    """The words of `text` as the index holds them (see the module's docstring)."""
    return [w for w in _WORD.findall(fold(text)) if len(w) <= MAX_WORD]


def folded_words(text: str) -> str:
    """The distinct words of `text` that `fold` changes beyond lower case (accents, final
    sigma), folded, in order of first appearance: what catalog.sqlite's FTS5 index needs
    besides the text, since its tokenizer removes the accents of Latin letters only."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text):
        if len(word) <= MAX_WORD and not word.isascii():  # fold leaves ASCII as lower() does
            folded = fold(word)
            if folded != word.lower():
                seen.setdefault(folded, None)
    return " ".join(seen)


def encode_number(n: int, out: list[str]) -> None:
    digits = [n & 31]
    n >>= 5
    while n:
        digits.append(n & 31)
        n >>= 5
    out.extend(MORE[d] for d in reversed(digits[1:]))
    out.append(FINAL[digits[0]])


def encode(postings: array[int]) -> str:
    """Postings (document, count, document, count, ...; documents ascending) as text: for each,
    the gap from the previous document less one, then the count less one, each number in
    base 32, most significant digit first, the last digit from FINAL, the others from MORE."""
    out: list[str] = []
    previous = -1
    for i in range(0, len(postings), 2):
        doc, count = postings[i], postings[i + 1]
        encode_number(doc - previous - 1, out)
        encode_number(min(count, MAX_TF) - 1, out)
        previous = doc
    return "".join(out)


def decode(code: str) -> list[tuple[int, int]]:
    """The inverse of `encode` (the tests' check of the JavaScript decoder's twin)."""
    numbers: list[int] = []
    value = 0
    for ch in code:
        if ch in MORE:
            value = value * 32 + MORE.index(ch)
        else:
            numbers.append(value * 32 + FINAL.index(ch))
            value = 0
    found, previous = [], -1
    for i in range(0, len(numbers), 2):
        previous += numbers[i] + 1
        found.append((previous, numbers[i + 1] + 1))
    return found


def js_order(term: str) -> bytes:
    """The sort key of JavaScript's string comparison (UTF-16 code units), which the browser
    uses to find a term's shard."""
    return term.encode("utf-16-be")


def script(call: str, *args: object) -> bytes:
    """A JavaScript file that is one call with JSON arguments (ASCII only, `<` escaped)."""
    body = ",".join(json.dumps(a, ensure_ascii=True, separators=(",", ":")) for a in args)
    body = body.replace("<", "\\u003c")
    return ("bulletinSearch." + call + "(" + body + ");\n").encode("ascii")


def cuts_after(page: str, size: int) -> bool:
    """Whether a segment of `size` bulletins ending with the one at `page` ends there."""
    if size >= MAX_SEGMENT:
        return True
    if size < MIN_SEGMENT:
        return False
    digest = hashlib.sha256(page.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % AVERAGE_CUT == 0


@dataclass
class Segment:
    """Bulletins of one segment, as (page, master sha256) in order; `id` names its files."""

    pages: list[str] = field(default_factory=list)
    hasher: Any = field(default_factory=lambda: hashlib.sha256(f"segment {FORMAT}\n".encode()))

    def add(self, page: str, key: str) -> None:
        self.pages.append(page)
        self.hasher.update(f"{page}\t{key}\n".encode())

    @property
    def id(self) -> str:
        return str(self.hasher.hexdigest())[:16]


def segments(rows: Iterable[tuple[int, str, str, int]]) -> Iterator[tuple[Segment, int, int]]:
    """Cut (number, page, key, package) rows, in the order bulletins arrived, into segments
    (a package's first bulletin begins one): yields each segment with the numbers of its
    first and last bulletins."""
    seg, first, last, package = Segment(), -1, -1, None
    for number, page, key, group in rows:
        if seg.pages and group != package:
            yield seg, first, last
            seg = Segment()
        if not seg.pages:
            first, package = number, group
        seg.add(page, key)
        last = number
        if cuts_after(page, len(seg.pages)):
            yield seg, first, last
            seg = Segment()
    if seg.pages:
        yield seg, first, last


@dataclass(frozen=True)
class Entry:
    """What a result shows of a bulletin, and its words."""

    page: str
    title: str
    date: str
    agency: str
    language: str
    text: str


def build_segment(seg_id: str, entries: Iterable[Entry], firsts: list[str]
                  ) -> Iterator[tuple[str, bytes]]:
    """The files of one segment, as (path under search/, bytes), each yielded when made; the
    first term of each of its shards is appended to `firsts`. Memory: the segment's postings
    (bounded by MAX_SEGMENT bulletins), never its files."""
    postings: dict[str, array[int]] = {}
    block: list[list[str]] = []
    n = 0
    for n, entry in enumerate(entries):
        counts: dict[str, int] = {}
        for word in tokens(entry.title + "\n" + entry.text):
            counts[word] = counts.get(word, 0) + 1
        for word, count in counts.items():
            found = postings.get(word)
            if found is None:
                postings[word] = found = array("I")
            found.append(n)
            found.append(count)
        block.append([entry.page, entry.title, entry.date, entry.agency, entry.language])
        if len(block) == BLOCK:
            yield f"{seg_id}/d{n // BLOCK}.js", script("docs", seg_id, n // BLOCK, block)
            block = []
    if block:
        yield f"{seg_id}/d{n // BLOCK}.js", script("docs", seg_id, n // BLOCK, block)
    shard: dict[str, str] = {}
    size = 0
    for term in sorted(postings, key=js_order):
        code = encode(postings.pop(term))
        if shard and size >= SHARD_BYTES:
            yield f"{seg_id}/t{len(firsts) - 1}.js", script("shard", seg_id, len(firsts) - 1,
                                                            shard)
            shard, size = {}, 0
        if not shard:
            firsts.append(term)
        shard[term] = code
        size += len(term) + len(code) + 6
    if shard:
        yield f"{seg_id}/t{len(firsts) - 1}.js", script("shard", seg_id, len(firsts) - 1, shard)
