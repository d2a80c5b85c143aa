"""The dependency floors and the lock files agree with pyproject.toml, and the venv holds the lock.

- pyproject.toml gives every runtime dependency (and the dask extra) one floor (`>=`);
  requirements/lowest.txt pins exactly those floors (a post-release such as 10.13.0.post1 counts
  as 10.13, when only that was published), and requirements/lowest-lock.txt installs them.
- requirements/lock.txt and test-lock.txt pin a version of every dependency that pyproject.toml
  allows: a floor raised or a dependency added without `make lock` fails here.
- With BULLETIN_LOCK set (`make test` and `make test-lowest` set it), every package that lock
  pins for this platform is installed at that version: the suite ran with what the lock says.
"""

from __future__ import annotations

import importlib.metadata
import os
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
EXTRAS = {name: [Requirement(r) for r in reqs]
          for name, reqs in PROJECT["optional-dependencies"].items()}


def pins(path: Path) -> dict[str, Version]:
    """name -> pinned version of a requirements file, for this platform's markers."""
    found: dict[str, Version] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        [spec] = req.specifier
        assert spec.operator == "==", f"{path.name}: {line} is not a pin"
        name = canonicalize_name(req.name)
        assert name not in found, f"{path.name}: {req.name} pinned twice for this platform"
        found[name] = Version(spec.version)
    return found


def floors() -> dict[str, Version]:
    """name -> floor of every runtime dependency and of the dask extra."""
    out: dict[str, Version] = {}
    for req in [*RUNTIME, *EXTRAS["dask"]]:
        [spec] = req.specifier
        assert spec.operator == ">=", f"pyproject.toml: {req} has no single floor (>=)"
        out[canonicalize_name(req.name)] = Version(spec.version)
    return out


def test_lowest_pins_exactly_the_floors() -> None:
    lowest = pins(REQUIREMENTS / "lowest.txt")
    assert set(lowest) == set(floors())
    for name, floor in floors().items():
        assert Version(lowest[name].base_version) == floor, (name, str(lowest[name]), str(floor))


def test_lowest_lock_installs_the_floors() -> None:
    locked = pins(REQUIREMENTS / "lowest-lock.txt")
    for name, version in pins(REQUIREMENTS / "lowest.txt").items():
        assert locked.get(name) == version, (name, locked.get(name), version)


@pytest.mark.parametrize(("lock", "extras"),
                         [("lock.txt", []), ("test-lock.txt", ["test", "dask", "web"])])
def test_lock_allows_what_pyproject_asks(lock: str, extras: list[str]) -> None:
    locked = pins(REQUIREMENTS / lock)
    for req in [*RUNTIME, *(r for extra in extras for r in EXTRAS[extra])]:
        name = canonicalize_name(req.name)
        assert name in locked, f"{lock} lacks {req.name}: run make lock"
        assert locked[name] in req.specifier, f"{lock}: {name}=={locked[name]} is not {req}"


@pytest.mark.skipif(not os.environ.get("BULLETIN_LOCK"), reason="BULLETIN_LOCK is not set")
def test_the_venv_holds_what_the_lock_pins() -> None:
    lock = ROOT / os.environ["BULLETIN_LOCK"]
    wrong = {}
    for name, version in pins(lock).items():
        try:
            installed = Version(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (str(version), str(installed))
    assert wrong == {}, f"installed differs from {lock.name} (pinned, installed)"
