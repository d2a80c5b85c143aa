"""`bulletin verify`: is this package still what was archived?

bagit-python's full validation (every file re-hashed, not just Payload-Oxum) gives the verdict.
When it fails, bagit stops at the first failing stage (a deleted file fails the Oxum check
before any hash is compared), so the package is then examined file by file to name every
missing, extra and altered file. In every case the provenance is checked against the
manifests: each item's PREMIS file must record exactly the files of its folder, with the
sizes and SHA-256 digests the manifest has.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from ..messages import InputError, Message, display_path, error
from ..walk import BAGIT_DECLARATION
from . import layout, provenance
from .bag import ALGORITHMS, is_package

_BLOCK = 1 << 20


def verify(dest: str | os.PathLike[str],
           progress: Callable[[int, int], None] | None = None) -> list[Message]:
    """Every problem with the package at `dest`, one message per file; empty when it is sound.
    `progress(done, total)` is told of each file re-hashed. A `dest` that does not exist is
    no package to judge: InputError, as `archive` and `build_site` raise for it."""
    import bagit

    path = Path(dest)
    if not os.path.lexists(path):
        raise InputError("no such file or folder", display_path(path))
    if not path.is_dir():  # a file: bagit would say "bagit.txt" is missing beside it
        return [error("not a BagIt bag: a file, not a folder", str(path),
                      hint=layout.GIVE_PACKAGE)]
    if not (path / BAGIT_DECLARATION).is_file():  # before walking all it holds
        return [error(f"not a BagIt bag: it holds no {BAGIT_DECLARATION}", str(path),
                      hint=layout.GIVE_PACKAGE)]
    if odd := _not_regular(path):  # reading a FIFO or a device would never end
        return odd
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        return [error(f"not a BagIt bag: {exc}", str(path))]
    except ValueError as exc:  # a tag file that is not UTF-8 (UnicodeDecodeError)
        return [error(f"not a BagIt bag: a tag file cannot be read: {exc}", str(path))]
    problems: list[Message] = []
    try:
        with _counting_hashes(progress, len(bag.entries)):
            bag.validate(fast=False)
    except bagit.BagValidationError as exc:
        problems = _examine(bag, path) or [error(f"invalid bag: {exc}", str(path))]
    except (bagit.BagError, ValueError) as exc:
        problems = [error(f"invalid bag: {exc}", str(path))]
    else:
        problems = _unlisted_tag_files(bag, path)
    if is_package(path):
        problems += _required_files(path)
    problems += _provenance(bag, path)
    unique = {(m.source, m.text): m for m in problems}
    return sorted(unique.values(), key=lambda m: (m.source or "", m.text))


def _not_regular(path: Path) -> list[Message]:
    """Every entry of the package that is neither a folder nor a regular file (a FIFO, a
    device, a symbolic link): a package holds only files."""
    found = []
    for folder, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            entry = os.path.join(folder, name)
            mode = os.lstat(entry).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append(error("not a regular file (a link, a pipe or a device): a package "
                                   "holds only files; nothing was read", os.path.relpath(
                                       entry, path)))
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
    return found


@contextlib.contextmanager
def _counting_hashes(progress: Callable[[int, int], None] | None,
                     total: int) -> Iterator[None]:
    """Tell `progress` of each file bagit re-hashes, from the log record it writes for each
    (bagit's validation has no progress hook; without that record the count just stays 0)."""
    if progress is None:
        yield
        return
    tell = progress
    done = 0

    class Counter(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            nonlocal done
            if record.funcName == "_calculate_file_hashes":
                done += 1
                tell(done, total)

    logger = logging.getLogger("bagit")
    handler, level = Counter(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _manifest_name(rel: str, alg: str) -> str:
    prefix = "manifest" if rel.startswith("data" + os.sep) else "tagmanifest"
    return f"{prefix}-{alg}.txt"


def _examine(bag: Any, path: Path) -> list[Message]:
    """Name every missing, extra and altered file."""
    missing, extra = bag.compare_manifests_with_fs()
    problems = [error("missing: listed in the manifest, not in the package", p) for p in missing]
    problems += [error("extra: in the package, not listed in any manifest", p) for p in extra]
    problems += _unlisted_tag_files(bag, path)
    gone = set(missing)
    for rel, expected in bag.entries.items():
        if rel in gone or not (path / rel).is_file():
            continue
        digests = {alg: hashlib.new(alg) for alg in expected}
        with open(path / rel, "rb") as f:
            while block := f.read(_BLOCK):
                for h in digests.values():
                    h.update(block)
        wrong = sorted((alg for alg, h in digests.items()
                        if h.hexdigest() != expected[alg].lower()),
                       key=lambda a: (a != "sha256", a))  # the digest PREMIS records first
        if wrong:
            alg = wrong[0]
            problems.append(error(f"altered: its {alg} is {digests[alg].hexdigest()}, "
                                  f"{_manifest_name(rel, alg)} says {expected[alg]}", rel))
    return problems


def _unlisted_tag_files(bag: Any, path: Path) -> list[Message]:
    """Files beside data/ that no tag manifest lists (bagit itself lets them pass)."""
    if not list(bag.tagmanifest_files()):
        return []
    found = []
    for folder, dirs, files in os.walk(path):
        rel_folder = os.path.relpath(folder, path)
        if rel_folder == "data" or rel_folder.startswith("data" + os.sep):
            dirs[:] = []
            continue
        for name in files:
            rel = os.path.normpath(os.path.join(rel_folder, name))
            if not rel.startswith("tagmanifest-") and rel not in bag.entries:
                found.append(error("extra: in the package, not listed in any tag manifest", rel))
    return found


def _required_files(path: Path) -> list[Message]:
    names = ["bag-info.txt"] + [f"{kind}-{alg}.txt" for kind in ("manifest", "tagmanifest")
                                for alg in ALGORITHMS]
    return [error("missing: every package of this tool has it", n)
            for n in names if not (path / n).is_file()]


def _provenance(bag: Any, path: Path) -> list[Message]:
    """Each PREMIS file must describe exactly its folder's files, as the manifest has them."""
    payload: dict[str, dict[str, str]] = {
        p: h for p, h in bag.entries.items() if p.startswith("data" + os.sep)
    }
    problems = []
    described: set[str] = set()
    unreadable: set[str] = set()
    for rel in sorted(p for p in payload if os.path.basename(p) == layout.PREMIS_NAME):
        try:
            records = provenance.objects((path / rel).read_bytes())
        except (OSError, ValueError, etree.XMLSyntaxError) as exc:
            problems.append(error(f"provenance: cannot be read: {exc}", rel))
            unreadable.add(os.path.dirname(rel))  # one message for the folder, not one a file
            continue
        folder = os.path.dirname(rel)
        for name, size, sha in records:
            obj = os.path.join(folder, name)
            described.add(obj)
            if not name or os.sep in name or name in (".", ".."):
                problems.append(error(f"provenance: records {name!r}, not a file of its folder",
                                      rel))
            elif obj not in payload:
                problems.append(error(f"provenance: {rel} records it, no manifest lists it", obj))
            elif sha != payload[obj].get("sha256"):
                problems.append(error(f"provenance: {rel} records sha256 {sha}, "
                                      f"manifest-sha256.txt says {payload[obj].get('sha256')}",
                                      obj))
            elif (path / obj).is_file() and (path / obj).stat().st_size != size:
                problems.append(error(f"provenance: {rel} records {size} bytes, the file has "
                                      f"{(path / obj).stat().st_size}", obj))
    for rel in sorted(payload):
        if (os.path.basename(rel) != layout.PREMIS_NAME and rel not in described
                and os.path.dirname(rel) not in unreadable):
            problems.append(error("provenance: no PREMIS file describes it", rel))
    return problems
