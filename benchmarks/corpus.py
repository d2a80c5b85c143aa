"""Benchmark inputs: the project's test corpus (tests/corpus), and distinct bulletins
generated from it.

Timing one file in a loop measures warm caches, not the code, so every generated bulletin is
different: its words, dates and title vary, deterministically from a seed, so that two runs
time the same inputs. Each generated bulletin is checked to parse into the same shape as the
corpus bulletin it came from (same number of documents, same kinds of blocks) and to validate,
so the mix of parser paths the benchmark exercises is the corpus's own.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from convert import model

ROOT = Path(__file__).resolve().parent.parent
#: The project's own corpus: bulletins/*.txt and expected/*.json (see its README).
CORPUS = ROOT / "tests" / "corpus"

#: Words a parser rule may key on (dateline months, resolution clauses, chrome): never varied.
_KEYWORDS = frozenset((
    "january", "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "sept", "whereas", "resolved", "therefore", "section", "further",
    "issue", "volume", "number", "published", "subscribe", "online", "executive", "intelligence",
    "review", "press", "release", "daily", "alert", "archive", "webcast", "rights", "reserved",
    "copyright", "digest", "weekly", "electronic", "indepth",
))
#: A candidate for variation: an ASCII word of five letters or more, all lower case or Title.
_VARIABLE = re.compile(r"\b[A-Za-z][a-z]{4,}\b")
_YEAR = re.compile(r"(?<![\d,.])(19[5-9]\d|20[0-4]\d)(?![\d,])")
_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?")
#: A dateline date: the day is varied only where a dateline follows it (agency or dash).
_DATELINE_DAY = re.compile(
    rf"(?P<month>\b{_MONTH}\s+)(?P<day>\d{{1,2}})(?P<rest>\s*(?:,\s*\d{{4}}\s*)*(?:\(|—|–|--))"
)

#: How a parsed input looks, for comparing a generated bulletin with its template.
Shape = Hashable
ShapeOf = Callable[[bytes, str], Shape]


@dataclass(frozen=True)
class Template:
    stem: str
    text: str


def corpus_files(corpus: Path = CORPUS) -> list[Path]:
    """The corpus bulletins, sorted by name."""
    files = sorted((corpus / "bulletins").glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no bulletins in {corpus / 'bulletins'}")
    return files


def _protected_words(corpus: Path) -> frozenset[str]:
    """Keywords plus every word of the corpus's chrome lines and speaker labels."""
    words = set(_KEYWORDS)
    for path in sorted((corpus / "expected").glob("*.json")):
        facts = json.loads(path.read_text(encoding="utf-8"))
        for text in [*facts.get("boilerplate", []), *facts.get("speakers", [])]:
            words.update(w.lower() for w in re.findall(r"[A-Za-z]+", text))
    return frozenset(words)


class Generator:
    """Distinct bulletins from corpus templates: bulletin i is a function of (seed, i) only."""

    def __init__(self, corpus: Path = CORPUS, seed: int = 1) -> None:
        self.seed = seed
        self.templates = [
            Template(p.stem, p.read_text(encoding="utf-8")) for p in corpus_files(corpus)
        ]
        self.protected = _protected_words(corpus)
        found = {m.group().lower() for t in self.templates for m in _VARIABLE.finditer(t.text)}
        self.pool = sorted(found - self.protected)

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, *key))))

    def vary_words(self, text: str, rng: random.Random, rate: float) -> str:
        """Replace about `rate` of the variable words by words of the corpus, keeping case."""

        def swap(m: re.Match[str]) -> str:
            word = m.group()
            if word.lower() in self.protected or rng.random() >= rate:
                return word
            new = self.pool[rng.randrange(len(self.pool))]
            return new.capitalize() if word[0].isupper() else new

        return _VARIABLE.sub(swap, text)

    def vary_dates(self, text: str, rng: random.Random) -> str:
        """Shift every year by one offset (doubled years stay doubled); new dateline days."""
        offset = rng.randint(-9, 5)
        text = _YEAR.sub(lambda m: str(int(m.group()) + offset), text)
        return _DATELINE_DAY.sub(
            lambda m: f"{m['month']}{rng.randint(1, 28)}{m['rest']}", text
        )

    def variant(self, i: int, template: Template, attempt: int) -> str:
        """Bulletin i from `template`; later attempts vary less (see `bulletin`)."""
        rng = self.rng(i, template.stem, attempt)
        rate = (0.3, 0.15, 0.05, 0.0)[min(attempt, 3)]
        return self.vary_words(self.vary_dates(template.text, rng), rng, rate)

    def bulletin(self, i: int, shape_of: ShapeOf | None,
                 shapes: dict[str, Shape]) -> tuple[str, str]:
        """(file name, text) of bulletin i, checked against its template's shape when asked."""
        for k in range(len(self.templates)):
            template = self.templates[(i + k) % len(self.templates)]
            name = f"gen-{i:05d}-{template.stem}.txt"
            for attempt in range(4):
                text = self.variant(i, template, attempt)
                if shape_of is None:
                    return name, text
                if template.stem not in shapes:
                    shapes[template.stem] = shape_of(template.text.encode(), template.stem + ".txt")
                if shape_of(text.encode(), name) == shapes[template.stem]:
                    return name, text
        raise RuntimeError(f"no template gives a bulletin of the expected shape for #{i}")

    def write(self, dest: Path, count: int, shape_of: ShapeOf | None) -> list[Path]:
        """Write `count` distinct bulletins into `dest`; their bytes are all different."""
        dest.mkdir(parents=True, exist_ok=True)
        shapes: dict[str, Shape] = {}
        paths: list[Path] = []
        digests: set[str] = set()
        for i in range(count):
            name, text = self.bulletin(i, shape_of, shapes)
            data = text.encode("utf-8")
            digest = hashlib.sha256(data).hexdigest()
            if digest in digests:
                raise RuntimeError(f"generated bulletin #{i} repeats an earlier one")
            digests.add(digest)
            path = dest / name
            path.write_bytes(data)
            paths.append(path)
        return paths

    # --- longer bulletins, for the scaling measurement ------------------------------------

    def paragraphs(self) -> tuple[list[str], list[str]]:
        """Prose paragraphs and short list items from the corpus, as the parser reads them."""
        from convert import parse

        prose: list[str] = []
        items: list[str] = []
        for t in self.templates:
            for doc in parse(t.text.encode(), name=t.stem + ".txt").documents:
                for block in model.body(doc):
                    kind = model.local(block)
                    text = model.text(block) or ""
                    if kind == "p" and len(text) > 200 and text[0].isalpha() and text.isascii():
                        prose.append(text)
                    elif kind == "list":
                        items.extend(model.text(item) or "" for item in block)
        short = [i for i in items if len(i) < 120 and i.isascii() and i[:1].isalpha()]
        return prose, short

    def long_bulletin(self, i: int, units: int, prose: Sequence[str], items: Sequence[str]) -> str:
        """A bulletin of `units` units, each three paragraphs and a three-item bulleted list
        (one unit is about the length of a corpus bulletin)."""
        rng = self.rng("long", units, i)
        title = " ".join(w.capitalize() for w in rng.sample(self.pool, 6))
        date = f"June {rng.randint(1, 28)}, {rng.randint(2001, 2024)} (EIRNS)—"
        blocks: list[str] = []
        for _ in range(units):
            blocks.extend(self.vary_words(rng.choice(prose), rng, 0.3) for _ in range(3))
            blocks.append("\n".join(f"• {self.vary_words(rng.choice(items), rng, 0.3)}"
                                    for _ in range(3)))
        blocks[0] = date + blocks[0]
        return "\n\n".join(["Subscribe to EIR Online\n", title, *blocks, "Back to top"]) + "\n"

    def write_long(self, dest: Path, count: int, units: int) -> list[Path]:
        """Write `count` distinct bulletins of `units` units each; checks how they parse."""
        from convert import parse

        prose, items = self.paragraphs()
        dest.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        for i in range(count):
            data = self.long_bulletin(i, units, prose, items).encode("utf-8")
            kinds = [model.local(b) for b in model.body(parse(data).documents[0])]
            if kinds.count("p") != 3 * units or kinds.count("list") != units:
                raise RuntimeError(f"a generated long bulletin parses as {kinds}")
            path = dest / f"long{units:02d}-{i:04d}.txt"
            path.write_bytes(data)
            paths.append(path)
        return paths


def parsed_shape(data: bytes, name: str) -> Shape:
    """Documents, head fields present and block kinds of one input; None when invalid."""
    from convert import parse
    from convert.schema import validate

    shape = []
    for doc in parse(data, name=name).documents:
        if validate(doc):
            return None
        head = tuple(model.find(doc, p) is None for p in
                     ("head/title", "head/byline", "head/dateline/place", "head/dateline/agency"))
        shape.append((head, tuple((model.local(b), len(b)) for b in model.body(doc))))
    return tuple(shape)
