"""Archive a collection of bulletins as a BagIt package with provenance; verify a package.

`archive(sources, dest)` converts every input (locally on worker processes, or on a Dask
cluster) and packs originals, canonical masters, renditions and PREMIS provenance into a bag;
`verify(dest)` re-hashes a package and checks its provenance. The layout of a package, and why,
is in `bag.py`, `provenance.py` and `catalog.py`; the batch machinery in `runner.py`,
`pool.py` and `cluster.py`. Importing this package loads neither Dask nor any writer.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import __version__, model
from ..files import write_failure
from ..messages import ExitCode, InputError, Message, OutputExistsError, one_line, warning
from ..reader import formats as readers
from ..reader.decode import text_encoding
from ..reader.profile import get as get_profile
from ..walk import LEFT_OUT, Walk, package_around
from .bag import (
    ArchiveError,
    catalog_inputs,
    finish,
    open_workspace,
    read_totals,
    remove_workspace,
    workspace_of,
)
from .catalog import LeftOutList, Totals
from .journal import Index, Journal, load
from .provenance import agent
from .runner import Counts, Driver, Executor, expand, read
from .verification import verify
from .worker import Job, faults_from_env

__all__ = ["ArchiveError", "ArchiveReport", "Counts", "archive", "verify"]

# bagit reports through logging; without this its warnings reach stderr via lastResort.
logging.getLogger("bagit").addHandler(logging.NullHandler())

DEFAULT_TIMEOUT = 120.0  # seconds per input: a very long bulletin to PDF takes seconds
DEFAULT_MEMORY_LIMIT = 4 << 30  # address space per local worker
DEFAULT_CHUNK_SIZE = 16


@dataclass
class ArchiveReport:
    """What a run did (this run's counts) and what the package holds (totals)."""

    dest: Path
    run: Counts
    totals: Totals
    seconds: float
    messages: list[Message] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        """FAILED when the package has quarantined inputs ("finished with failures"), or a
        source folder could not be read (its files are not in the package)."""
        return ExitCode.FAILED if self.totals.quarantined or self.run.unread else ExitCode.OK


def archive(
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    dest: str | os.PathLike[str],
    *,
    to: str | list[str] | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    scheduler_file: str | None = None,
    package: str = "bagit",
    source_organization: str | None = None,
    resume: bool = False,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[Counts], None] | None = None,
    year: int | None = None,
    lang: str | None = None,
    encoding: str | None = None,
    profile: str | None = None,
    reader: str | None = None,
    strict: bool = False,
    follow_symlinks: bool = False,
) -> ArchiveReport:
    """Archive every file under `sources` (a path, or several) into the BagIt package `dest`.

    `to` names the renditions ("all" by default; the canonical master is always kept).
    `resume` continues an interrupted run (or checks a finished package against the
    sources); `force` replaces an existing package of this tool. One input that cannot be
    converted (failing, crashing, hanging, too hungry) is quarantined with its reason and the
    run goes on. `year`, `lang` ("en" unless given), `encoding` and `profile` (a name) are
    given to the parser for every input, `reader` (a reader's name, `--from`) reads every
    input instead of one chosen by its content and name, and `strict` quarantines inputs
    that do not look like bulletins (no title, no dateline); a resumed run keeps the first
    run's. A container file (a WARC file) is archived record by record: each capture of a
    page is an input of its own, named FILE#OFFSET. Folders are
    walked as `convert.walk` says (packages, workspaces and links leaving a folder left out,
    unless `follow_symlinks`). Raises OutputExistsError, ArchiveError, InputError or
    WriterError when the run cannot start or finish, ReaderError for an unknown `reader`,
    ValueError for a `lang` that is no BCP 47 tag.
    """
    started = time.monotonic()
    if package != "bagit":
        raise ArchiveError(f"unknown package type {package!r}; the only one is 'bagit'")
    named = [sources] if isinstance(sources, str | os.PathLike) else sources
    paths = [os.fspath(s) for s in named]
    target = Path(os.path.abspath(dest))
    if lang is not None:
        lang = model.language(lang)  # ValueError for what is not a BCP 47 tag
    if source_organization is not None:
        one_line(source_organization, "the source organization")  # bag-info.txt is by line
    if encoding is not None:
        try:
            encoding = text_encoding(encoding)  # "CP1252", "windows-1252" -> "cp1252"
        except LookupError as exc:
            raise ArchiveError(f"encoding: {exc}") from None
    if profile is not None:
        try:
            profile = get_profile(profile).name
        except ValueError as exc:
            raise ArchiveError(f"profile: {exc}") from None
    reader = readers.check(reader)  # ReaderError for an unknown name
    _check_sources(paths, target)
    if not resume:
        _check_something_to_archive(paths, target, follow_symlinks)
    try:
        return _run(paths, target, started, to=to, jobs=jobs, scheduler=scheduler,
                    scheduler_file=scheduler_file, source_organization=source_organization,
                    resume=resume, force=force, timeout=timeout, memory_limit=memory_limit,
                    chunk_size=chunk_size, progress=progress, year=year, lang=lang,
                    encoding=encoding, profile=profile, reader=reader, strict=strict,
                    follow_symlinks=follow_symlinks)
    except (OSError, sqlite3.OperationalError) as exc:  # a full disk, a read-only folder
        where = getattr(exc, "filename", None) or target
        again = ("run the same command with --resume" if workspace_of(target).exists()
                 else "run the command again")
        raise ArchiveError(f"cannot write {where}: {write_failure(exc)}", str(target),
                           hint=f"free some space or make the folder writable, then "
                                f"{again}") from exc


def _other_version(started: str | None, target: Path) -> Message:
    """A resumed run converting with another version than the one that began the package:
    its renditions may differ from the earlier ones (each PREMIS event names its version)."""
    by = f"version {started}" if started else "an earlier version"
    return warning(f"the interrupted run was begun by {by} of bulletin-convert; the inputs "
                   f"archived now are converted by version {__version__}, whose renditions "
                   "may differ (each rendition's PREMIS event names the version that made it)",
                   str(target), hint="for a package made by one version throughout, archive "
                   "again with --force")


def _run(paths: list[str], target: Path, started: float, *, to: str | list[str] | None,
         jobs: int | None, scheduler: str | None, scheduler_file: str | None,
         source_organization: str | None, resume: bool, force: bool, timeout: float,
         memory_limit: int | None, chunk_size: int, progress: Callable[[Counts], None] | None,
         year: int | None, lang: str | None, encoding: str | None, profile: str | None,
         reader: str | None, strict: bool, follow_symlinks: bool) -> ArchiveReport:
    """The run itself, once the arguments are checked (see `archive`)."""
    from ..writers import get, resolve

    formats = None if to is None else [f for f in resolve(to) if f != "xml"]
    ws, settings = open_workspace(target, resume=resume, force=force, formats=formats,
                                  default_formats=[f for f in resolve("all") if f != "xml"],
                                  organization=source_organization,
                                  reading={"year": year, "lang": lang, "encoding": encoding,
                                           "profile": profile, "strict": strict or None,
                                           "from": reader})
    if ws is None:
        return _check_finished(target, paths, started, reader)
    try:
        reading = dict(settings["reading"])
        job = Job(tuple(settings["formats"]), timeout, (agent("tool"), agent("digest")),
                  memory_limit, faults_from_env(), from_reader=reading.pop("from", None),
                  **reading)
        for name in job.formats:
            get(name)  # a missing dependency fails now, not once per input
        # What an interrupted run left in the spool was never committed. This run spools into
        # a folder of its own: a worker of a killed run that has not noticed yet writes into
        # its run's folder, never over this run's files.
        shutil.rmtree(ws.spool, ignore_errors=True)
        spool = ws.spool / secrets.token_hex(8)
        spool.mkdir(parents=True)
        executor = _executor(job, jobs, scheduler, scheduler_file, spool)
    except BaseException:
        if not ws.journal.exists():  # nothing done yet: leave no workspace behind
            remove_workspace(ws.work)
        ws.release()
        raise
    journal = Journal(ws.journal)
    index = Index(ws.index)
    try:
        try:
            load(journal, index)
            driver = Driver(ws.bag, journal, index, executor, chunk_size=chunk_size,
                            window=max(4 * chunk_size * executor.capacity, 64),
                            progress=progress, resumed=ws.resumed)
            found: list[Message] = []
            with LeftOutList(ws.bag) as left_out:
                inputs = Walk(paths, exclude=[target, ws.work],
                              follow_symlinks=follow_symlinks,
                              follow_option="--follow-symlinks", skip_outputs=True,
                              left_out=left_out)
                counts = driver.run(expand(iter(inputs), found, job.from_reader))
            counts.messages.extend(found)
            counts.ignored, counts.unread = inputs.ignored, inputs.unread
            counts.messages[:0] = inputs.skipped
            if ws.resumed and settings.get("version") != __version__:
                counts.messages.insert(0, _other_version(settings.get("version"), target))
        finally:
            executor.close()
            journal.close()
        totals = finish(ws, Journal(ws.journal).records(), index, settings, left_out.count)
    finally:
        index.close()
        ws.release()
    return ArchiveReport(target, counts, totals, time.monotonic() - started,
                         messages=counts.messages)


def _check_sources(sources: list[str], dest: Path) -> None:
    if not sources:
        raise InputError("no input given")
    around = package_around(dest.parent)
    if around is not None:
        raise ArchiveError(f"{dest} would be inside {around}, a BagIt package or archive "
                           "workspace: a package is never written into", str(dest),
                           hint="choose a destination outside it")
    own = [os.path.realpath(p) for p in (dest, f"{dest}.partial")]
    for src in sources:
        if not os.path.lexists(src):
            raise InputError("no such file or folder", src)
        real = os.path.realpath(src)
        if any(real == p or real.startswith(p + os.sep) for p in own):
            raise InputError(f"is inside the package being built ({dest})", src)


def _check_something_to_archive(sources: list[str], dest: Path, follow_symlinks: bool) -> None:
    """Refuse, before any package is made, sources that hold no input at all: an empty
    package would pass `verify` and look like a job done (field test)."""
    walk = Walk(sources, exclude=[dest, workspace_of(dest)], follow_symlinks=follow_symlinks,
                skip_outputs=True)
    if next(iter(walk), None) is not None:
        return
    left_out = (f"; {walk.ignored} file(s) were left out ({LEFT_OUT})" if walk.ignored
                else "")
    raise InputError(f"nothing to archive: no bulletin file in {', '.join(sources)}{left_out}; "
                     "no package was made", hint="name a file to archive it anyway, or check "
                                                 "that the folder is the right one")


def _executor(job: Job, jobs: int | None, scheduler: str | None,
              scheduler_file: str | None, spool: Path) -> Executor:
    if scheduler or scheduler_file:
        from .cluster import DaskPool

        return DaskPool(job, scheduler, scheduler_file)  # workers elsewhere return bytes
    from ..pool import LocalPool
    from ..writers import BUILTIN

    preload = ["convert.archiving.worker", "convert.reader", "convert.schema",
               *(spec.partition(":")[0] for spec in BUILTIN.values())]
    return LocalPool(jobs or os.cpu_count() or 1, replace(job, spool=os.fspath(spool)),
                     preload=preload)


def _check_finished(dest: Path, sources: list[str], started: float,
                    reader: str | None = None) -> ArchiveReport:
    """--resume on a finished package: every input must already be in it; nothing changes."""
    counts = Counts()
    with tempfile.TemporaryDirectory(prefix="bulletin-check-") as tmp:
        index = Index(Path(tmp) / "index.sqlite")
        try:
            for sha, name in catalog_inputs(dest):
                index.mark(sha, name)
            missing = []
            inputs = Walk(sources, exclude=[dest], skip_outputs=True)
            for found in expand(iter(inputs), [], reader):
                entry = read(found)
                if entry.sha256 is None and entry.size == 0:
                    counts.seen += 1  # a revisit of a capture not in the package
                    counts.skipped += 1
                    continue
                counts.seen += 1
                if index.done(entry.sha256, found.relative):
                    counts.skipped += 1
                else:
                    missing.append(found.display)
            counts.ignored = inputs.ignored
        finally:
            index.close()
    if missing:
        raise OutputExistsError(
            f"{dest} is a finished package and {len(missing)} input(s) are not in it "
            f"(the first: {missing[0]}); archive them into a new package, or rebuild this one "
            "with --force", str(dest))
    return ArchiveReport(dest, counts, read_totals(dest), time.monotonic() - started)

