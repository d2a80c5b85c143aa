"""Named rules with a priority, kept in order: the grammar's order is data, not an if-chain.

The shape of Python-Markdown's `util.Registry` of block processors: each rule has a unique
name and a priority, the rules are tried from the highest priority down, and the first whose
test passes builds. A new variant of a bulletin is one more rule at the priority where it
must be tried; `bulletin parse --explain` prints the order and names the rule behind each
block.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, Protocol, TypeVar


class Rule(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def priority(self) -> int: ...

    @property
    def about(self) -> str: ...


R = TypeVar("R", bound=Rule)


class Registry(Generic[R]):
    """Rules of one kind (page rules, block rules), highest priority first."""

    def __init__(self, kind: str, rules: Iterable[R] = ()) -> None:
        self.kind = kind
        self.rules: tuple[R, ...] = ()
        for rule in rules:
            self.register(rule)

    def register(self, rule: R) -> None:
        """Add a rule; a name or a priority already taken is an error (two rules at one
        priority would be tried in an order nobody chose)."""
        for other in self.rules:
            if other.name == rule.name:
                raise ValueError(f"{self.kind} rule {rule.name!r} is registered twice")
            if other.priority == rule.priority:
                raise ValueError(f"{self.kind} rules {other.name!r} and {rule.name!r} have the "
                                 f"same priority {rule.priority}")
        self.rules = tuple(sorted((*self.rules, rule), key=lambda r: -r.priority))

    def __iter__(self) -> Iterator[R]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def names(self) -> list[str]:
        return [rule.name for rule in self.rules]

    def describe(self) -> list[str]:
        """One line per rule, in the order they are tried."""
        width = max((len(r.name) for r in self.rules), default=0)
        return [f"{r.priority:>4}  {r.name:<{width}}  {r.about}" for r in self.rules]
