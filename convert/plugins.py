"""Named plug-ins of one kind (the writers, the readers): built-ins as import strings, third-party
ones from an entry-point group, each imported on first use.

Importing on first use keeps `import convert` cheap and lets a missing optional dependency break
only its own format. A name that two installed distributions (or one and a built-in) claim is
refused, whichever name is asked for; an unknown name gets the list of the known ones.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys

from .messages import BulletinError


@functools.cache
def _declared_groups() -> frozenset[str] | None:
    """The entry-point groups the distributions on sys.path declare, read from their
    entry_points.txt files where importlib.metadata finds them; None when the path holds
    what only it can look into (a zip file, an egg). A few reads, where importing
    importlib.metadata costs ~30 ms, a fifth of a one-file conversion."""
    groups: set[str] = set()
    for entry in sys.path:
        folder = entry or "."
        if folder.endswith(".egg"):
            return None
        try:
            names = os.listdir(folder)
        except NotADirectoryError:
            return None
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(folder, name, "entry_points.txt"),
                              encoding="utf-8", errors="replace") as f:
                        text = f.read()
                except OSError:
                    continue
                groups.update(line.strip()[1:-1] for line in text.splitlines()
                              if line.startswith("["))
    return frozenset(groups)


class Plugins:
    """The plug-ins of entry-point `group`: `builtin` maps a name to "module:attribute"; a
    name is called a `noun` in messages ("format", "reader"), a plug-in a `kind` ("writer")."""

    def __init__(self, group: str, builtin: dict[str, str], *, noun: str, kind: str,
                 error: type[BulletinError]) -> None:
        self.group = group
        self.builtin = builtin
        self.noun = noun
        self.kind = kind
        self.error = error
        self._third_party: dict[str, str] | None = None
        self._loaded: dict[str, object] = {}

    def third_party(self) -> dict[str, str]:
        """Name -> "module:attribute" of the installed third-party plug-ins."""
        if self._third_party is None:
            declared = _declared_groups()
            if declared is not None and self.group not in declared:
                self._third_party = {}
                return self._third_party
            from importlib.metadata import entry_points  # ~30 ms: only when plug-ins matter

            found: dict[str, str] = {}
            for ep in entry_points(group=self.group):
                if ep.name in self.builtin or ep.name in found:
                    raise self.error(
                        f"two {self.kind}s are named {ep.name!r} (one from entry point "
                        f"{ep.value!r}); uninstall or rename one of them")
                found[ep.name] = ep.value
            self._third_party = found
        return self._third_party

    def available(self) -> list[str]:
        """Every known name: built-ins first, then third-party ones, sorted."""
        return list(self.builtin) + sorted(self.third_party())

    def known(self, name: str) -> bool:
        return name in self.builtin or name in self.third_party()

    def unknown(self, name: str) -> BulletinError:
        return self.error(f"unknown {self.noun} {name!r}; known {self.noun}s: "
                          f"{', '.join(self.available())}")

    def load(self, name: str) -> object:
        """The attribute the spec of `name` names (a class), imported once."""
        found = self._loaded.get(name)
        if found is None:
            spec = self.builtin.get(name) or self.third_party().get(name)
            if spec is None:
                raise self.unknown(name)
            module_name, _, attr = spec.partition(":")
            try:
                found = getattr(importlib.import_module(module_name), attr)
            except ImportError as exc:
                raise self.error(f"{self.noun} {name!r} needs {exc.name or 'a module'} which "
                                 f"is not installed: {exc}") from exc
            self._loaded[name] = found
        return found
