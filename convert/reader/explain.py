"""How a document was read: the rule behind each part of it, with its source lines.

When a bulletin comes out wrong, `bulletin parse --explain` shows which page rule cut the page,
which lines were removed as chrome and why, where the title, byline and dateline came from, and
which block rule made each body block. The rules themselves are listed in the order they are
tried.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import model
from .blocks import BLOCK_RULES
from .page import PAGE_RULES
from .profile import Profile
from .records import Row

#: Text shown of each part.
_SHOWN = 48


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def _kind(el: model.Element) -> str:
    name = model.local(el)
    return name if name in ("p", "heading") else f"{name}({len(el)})"


@dataclass
class Trace:
    """The record of one document's reading; its rows are made only when asked for."""

    profile: str
    page_rule: str
    item: int
    items: int
    notes: list[Row]  # pass 1: issue, table of contents, title, byline, dateline
    removed: list[tuple[int, str, str]]  # line, text, rule
    steps: list[tuple[str, int, int, int]]  # block rule, first and last line, first element
    body: model.Element | None = None

    def rows(self) -> list[Row]:
        """Every decision, in source line order."""
        rows: list[Row] = [(n, n, "chrome", rule, text) for n, text, rule in self.removed]
        rows.extend(self.notes)
        if self.body is not None:
            blocks = list(self.body)
            ends = [s[3] for s in self.steps[1:]] + [len(blocks)]
            for (rule, first, last, start), end in zip(self.steps, ends, strict=True):
                made = blocks[start:end]
                what = " + ".join(_kind(el) for el in made) or "(nothing)"
                text = " ".join(made[0].itertext()) if made else ""
                rows.append((first, last, what, rule, text or ""))
        return sorted(rows, key=lambda r: (r[0], r[1]))

    def lines(self, document_id: str) -> list[str]:
        of = f" (item {self.item} of {self.items})" if self.items > 1 else ""
        out = [f"document {document_id}{of}: page rule {self.page_rule}, profile {self.profile}"]
        for first, last, what, rule, text in self.rows():
            where = f"{first}" if first == last else f"{first}-{last}"
            out.append(f"  {where:>9}  {what:<14} {rule:<17} {_short(text)}")
        return out


def rules(profile: Profile) -> list[str]:
    """The profile and the rules, in the order they are tried (highest priority first)."""
    return [f"profile {profile.name}: {profile.description}",
            "page rules (the first whose test passes cuts the page):",
            *(f"  {line}" for line in PAGE_RULES.describe()),
            "block rules (the first whose test passes makes the next block):",
            *(f"  {line}" for line in BLOCK_RULES.describe())]
