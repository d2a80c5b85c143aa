"""The supervised batch: list, read, dispatch, commit in order, journal.

The driver streams the input listing (sorted within each folder, so every run sees the same
order), reads and hashes each input, and sends inputs that still need converting to the
executor in chunks. Results come back in any order; the driver commits them in listing order,
which makes every decision that depends on order (which of two inputs with the same id keeps
the bare folder name, which of two identical files is the original) the same in every run,
whether interrupted or not, local or distributed. Only a bounded window of inputs is in flight,
so memory stays flat however large the collection.

Committing an input means choosing its folder (the only decision the workers cannot make),
putting its files there (named by the worker, PREMIS file included: local workers have already
written them to a spool folder, which is renamed into place; a Dask worker's bytes are written
here), then appending its journal record; the journal is fsynced at most once a second.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..files import MAX_INPUT_BYTES, open_input, write_in_place
from ..messages import (
    BulletinError,
    InputError,
    Level,
    Message,
    ReaderError,
    error,
    info,
    warning,
)
from ..pool import next_chunk
from ..reader.base import SNIFF_BYTES, Member, Tally
from ..walk import Found
from . import layout, provenance
from .journal import ARCHIVED, DOC_FIELDS, DUPLICATE, QUARANTINED, Index, Journal, Record
from .provenance import PremisObject
from .worker import ItemResult, WorkItem, now

#: Seconds of committed work a power cut may lose (a kill loses none: the page cache survives).
#: An fsync makes ext4 write every file written since the last one (data=ordered) and stalls
#: the driver's next file creations: once per batch of commits it took up to a tenth of the
#: driver's time on 500 inputs.
SYNC_INTERVAL = 1.0
_READ_BLOCK = 1 << 20


class Executor(Protocol):
    capacity: int  # chunks it runs at once

    def free_slots(self) -> int: ...
    def submit(self, items: list[WorkItem]) -> None: ...
    def collect(self, timeout: float) -> tuple[list[ItemResult], list[WorkItem]]: ...
    def close(self) -> None: ...


@dataclass
class Entry:
    """An input read by the driver, waiting for its result."""

    source: Found
    sha256: str | None
    size: int | None
    data: bytes | None = None
    error: str | None = None
    read_time: str = ""
    hash_time: str = ""


@dataclass
class Counts:
    """What this run did."""

    seen: int = 0
    converted: int = 0
    skipped: int = 0  # already recorded by an earlier run
    duplicates: int = 0
    quarantined: int = 0
    warned: int = 0  # converted with warnings (listed in the catalogue)
    ignored: int = 0  # files in the source folders that are not inputs (see convert.walk)
    unread: int = 0  # source folders that could not be read (see convert.walk)
    messages: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class Captured(Found):
    """An input held by a container file (a WARC record's payload, a revisit, or the damaged
    rest of the file): `path` is the container's, `display` names the record (FILE#OFFSET)."""

    member: Member | None = None

    @property
    def relative(self) -> str:
        """The container's path relative to the folder archived, and the record's place in
        it (FILE#OFFSET), as the package records the input's source."""
        base = super().relative
        return base if self.member is None else f"{base}#{self.member.offset}"


def expand(sources: Iterator[Found], messages: list[Message],
           override: str | None = None) -> Iterator[Found]:
    """The inputs, with each container file (a WARC file) replaced by the inputs it holds,
    streamed one record at a time; a summary of each container goes to `messages`."""
    from ..reader import formats

    for found in sources:
        try:
            with open_input(found.path) as f:
                head = f.read(SNIFF_BYTES)
            reader = formats.choose(head, found.path, override)
        except (BulletinError, OSError):
            yield found  # reading it will say why
            continue
        if not formats.is_container(reader):
            yield found
            continue
        tally, given = Tally(), 0
        try:
            digest, size = _hash_file(found.path)
            with open_input(found.path) as f:
                for member in reader.members(f, found.display, tally, sha256=digest):
                    if member.capture is not None:
                        member = _with_size(member, size)
                    given += 1
                    yield Captured(found.path, member.source, found.root, member)
        except (BulletinError, OSError) as exc:
            if given:
                raise
            if not isinstance(exc, ReaderError):  # a reader not installed: quarantine says so
                text = exc.text if isinstance(exc, BulletinError) else str(exc)
                messages.append(error(f"not read as a WARC file: {text}", found.display))
            yield found  # its conversion quarantines it, with the reason
            continue
        messages.append(info(tally.summary(), found.display, kind="container-summary"))


def _hash_file(path: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open_input(path) as f:
        while block := f.read(_READ_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _with_size(member: Member, size: int) -> Member:
    from dataclasses import replace

    assert member.capture is not None
    return replace(member, capture=replace(member.capture, warc_size=size))


def read(source: Found, limit: int = MAX_INPUT_BYTES) -> Entry:
    """Read and hash one input; a problem becomes the entry's error, never an exception."""
    read_time = now()
    if isinstance(source, Captured) and source.member is not None:
        member = source.member
        if member.kind == "revisit":
            return Entry(source, member.sha256, 0)
        data = member.data
        sha = hashlib.sha256(data).hexdigest()
        if member.kind == "damage":
            return Entry(source, sha if data else None, len(data), data or None,
                         member.reason or "damaged", read_time, now())
        return Entry(source, sha, len(data), data, None, read_time, now())
    try:
        f = open_input(source.path)
    except InputError as exc:
        return Entry(source, None, None, error=exc.text)
    with f:
        try:
            st = os.fstat(f.fileno())
            if st.st_size > limit:
                digest = hashlib.sha256()
                while block := f.read(_READ_BLOCK):
                    digest.update(block)
                return Entry(source, digest.hexdigest(), st.st_size,
                             error=f"too large for a bulletin ({st.st_size} bytes; "
                                   f"the limit is {limit})")
            data = f.read()
        except OSError as exc:
            return Entry(source, None, None, error=f"cannot read: {exc.strerror or exc}")
    return Entry(source, hashlib.sha256(data).hexdigest(), len(data), data, None,
                 read_time, now())


@dataclass
class _Skip:
    entry: Entry


@dataclass
class _Duplicate:
    entry: Entry


@dataclass
class _Revisit:
    entry: Entry


Outcome = ItemResult | _Skip | _Duplicate | _Revisit | Entry  # an Entry: one that failed to read


class Driver:
    def __init__(self, bag: Path, journal: Journal, index: Index, executor: Executor,
                 *, chunk_size: int, window: int,
                 progress: Callable[[Counts], None] | None = None,
                 resumed: bool = False) -> None:
        self.bag = bag
        #: The software that read and hashed the inputs, for a quarantined input's PREMIS
        self.reader = (provenance.agent("tool"), provenance.agent("digest"))
        #: Continuing an interrupted run: say which inputs changed or went away since
        self.resumed = resumed
        self.journal = journal
        self.index = index
        self.executor = executor
        self.chunk_size = chunk_size
        self.window = window
        self.progress = progress
        self.counts = Counts()

    def run(self, sources: Iterator[Found]) -> Counts:
        ready: dict[int, Outcome] = {}
        waiting: dict[int, Entry] = {}  # sent to the executor, in listing order
        first_seen: set[str] = set()  # sha256 of inputs sent, not yet committed
        queue: deque[WorkItem] = deque()
        next_seq = seq = 0
        next_sync = 0.0
        exhausted = False
        while True:
            while not exhausted and seq - next_seq < self.window:
                source = next(sources, None)
                if source is None:
                    exhausted = True
                    break
                entry = read(source)
                if self.resumed:
                    self._compare(entry)
                member = source.member if isinstance(source, Captured) else None
                if entry.error is not None:
                    ready[seq] = entry
                elif self.index.done(entry.sha256, source.relative):
                    ready[seq] = _Skip(entry)
                elif member is not None and member.kind == "revisit":
                    ready[seq] = _Revisit(entry)
                elif entry.sha256 in first_seen or self.index.first(entry.sha256 or ""):
                    ready[seq] = _Duplicate(entry)
                else:
                    assert entry.sha256 is not None and entry.data is not None
                    first_seen.add(entry.sha256)
                    waiting[seq] = entry
                    queue.append(WorkItem(seq, entry.sha256, source.relative, entry.data,
                                          entry.read_time, entry.hash_time,
                                          capture=member.capture if member else None,
                                          media_type=member.media_type if member else None))
                seq += 1
            while queue and self.executor.free_slots() > 0:
                self.executor.submit(next_chunk(queue, self.chunk_size))
            committed = False
            while next_seq in ready:
                outcome = ready.pop(next_seq)
                if isinstance(outcome, ItemResult):
                    entry = waiting.pop(next_seq)
                    first_seen.discard(entry.sha256 or "")
                    self._commit_result(entry, outcome)
                else:
                    self._commit_other(outcome)
                next_seq += 1
                committed = True
            if committed:
                if time.monotonic() >= next_sync:  # durable at least every SYNC_INTERVAL
                    self.journal.sync()
                    self.index.commit()  # a cache: its transaction only bounds its memory
                    next_sync = time.monotonic() + SYNC_INTERVAL
                if self.progress:
                    self.progress(self.counts)
            if exhausted and next_seq == seq:
                if self.resumed:
                    self._report_gone()
                self._report_masters()
                self.index.commit()
                return self.counts
            results, retry = self.executor.collect(timeout=0.25)
            for result in results:
                ready[result.seq] = result
            queue.extendleft(reversed(retry))

    def _compare(self, entry: Entry) -> None:
        """An input of a resumed run, against what the interrupted run recorded."""
        self.index.listed(entry.sha256, entry.source.relative)
        if entry.sha256 and not self.index.done(entry.sha256, entry.source.relative) \
                and self.index.changed(entry.sha256, entry.source.relative):
            self.counts.messages.append(warning(
                "changed since the interrupted run archived it: both versions are kept",
                entry.source.display))

    def _report_gone(self) -> None:
        gone = list(itertools.islice(self.index.gone(), 11))
        if gone:
            shown = ", ".join(gone[:10]) + (", ..." if len(gone) > 10 else "")
            self.counts.messages.append(warning(
                f"archived by the interrupted run but no longer among the sources (kept in "
                f"the package): {shown}"))

    def _report_masters(self) -> None:
        """Canonical masters archived beside the text they were made from: one bulletin twice
        (`bulletin archive examples/` takes examples/*.txt and examples/canonical/*.xml)."""
        for master, text in self.index.masters_with_texts():
            self.counts.messages.append(warning(
                f"a canonical master of {text}, which is archived too: the same bulletin is in "
                "the package twice (catalog.csv notes both)", master,
                hint="archive the texts alone (leave the folder of masters out), or the "
                     "masters alone", kind="master-and-text"))

    def _record(self, record: Record) -> None:
        self.journal.append(record)
        self.index.add(record)
        self.counts.seen += 1

    def _commit_other(self, outcome: Outcome) -> None:
        if isinstance(outcome, _Revisit):
            self._revisit(outcome.entry)
        elif isinstance(outcome, _Skip):
            self.counts.skipped += 1
            self.counts.seen += 1
        elif isinstance(outcome, _Duplicate):
            entry = outcome.entry
            if self.index.done(entry.sha256, entry.source.relative):
                self.counts.skipped += 1  # the very same file listed twice
                self.counts.seen += 1
                return
            first = self.index.first(entry.sha256 or "")
            assert first is not None, "the first copy is committed before its duplicates"
            self._record({"source": entry.source.relative, "sha256": entry.sha256,
                          "size": entry.size, "status": DUPLICATE, "folder": first[1],
                          **_capture_fields(entry)})
            self.counts.duplicates += 1
        elif isinstance(outcome, Entry):
            self._quarantine(outcome, outcome.error or "unreadable", [])

    def _revisit(self, entry: Entry) -> None:
        """A WARC revisit record: a later capture of a payload captured before. Recorded as a
        duplicate of that capture's input, with its own capture date; a revisit of a capture
        that is not among the inputs is only warned of."""
        member = entry.source.member if isinstance(entry.source, Captured) else None
        assert member is not None and member.capture is not None
        first = self.index.first(entry.sha256 or "") if entry.sha256 else None
        self.counts.seen += 1
        if first is None:
            self.counts.skipped += 1
            self.counts.messages.append(warning(
                f"revisit of {member.capture.target} ({member.refers_to or 'no digest'}): the "
                "earlier capture is not among the inputs, so there is nothing to point to",
                entry.source.display, kind="revisit-unresolved"))
            return
        self.counts.seen -= 1  # _record counts it
        self._record({"source": entry.source.relative, "sha256": entry.sha256, "size": 0,
                      "status": DUPLICATE, "folder": first[1], "revisit": member.reason,
                      **_capture_fields(entry)})
        self.counts.duplicates += 1

    def _quarantine(self, entry: Entry, reason: str, messages: list[dict[str, Any]]) -> None:
        """Record an input that could not be converted, and keep its bytes in the package
        with a PREMIS file saying why (not those the driver could not or would not read)."""
        notes = [str(_message(m)) for m in messages]
        record: Record = {"source": entry.source.relative, "sha256": entry.sha256,
                          "size": entry.size, "status": QUARANTINED, "reason": reason,
                          "messages": notes}
        record.update(_capture_fields(entry))
        if entry.data is not None and entry.sha256 is not None:
            folder = layout.quarantine_folder(entry.sha256)
            member = entry.source.member if isinstance(entry.source, Captured) else None
            name = layout.quarantined_name(entry.source.relative, _extension(member))
            original = PremisObject("original", name, len(entry.data), entry.sha256,
                                    None, None, entry.source.relative)
            intake = provenance.intake_events(entry.read_time, entry.hash_time, self.reader,
                                              extracted=member is not None
                                              and member.capture is not None)
            container: list[PremisObject] = []
            if member is not None and member.capture is not None:
                warc, original, capture_events = provenance.capture_parts(member.capture,
                                                                          original)
                container, intake = [warc], capture_events + intake
            premis = provenance.quarantined(original, intake, now(), reason, notes,
                                            container)
            self._mkdir(folder)
            self._write(f"{folder}/{name}", entry.data)
            self._write(f"{folder}/{layout.PREMIS_NAME}", premis)
            record["folder"] = folder
            record["files"] = [
                [f"{folder}/{name}", len(entry.data), entry.sha256,
                 hashlib.sha512(entry.data).hexdigest()],
                [f"{folder}/{layout.PREMIS_NAME}", len(premis),
                 hashlib.sha256(premis).hexdigest(), hashlib.sha512(premis).hexdigest()]]
        self._record(record)
        self.counts.quarantined += 1
        hint = next((m.get("hint") for m in messages if m.get("text") == reason), None)
        self.counts.messages.append(error(f"quarantined: {reason}", entry.source.display,
                                          hint=hint))

    def _commit_result(self, entry: Entry, result: ItemResult) -> None:
        """Place the input's files (named by the worker) in the folder chosen here."""
        if not result.ok:
            self._quarantine(entry, result.reason or "failed", result.messages)
            return
        sha = entry.sha256 or ""
        assert entry.data is not None and entry.size is not None
        first = result.docs[0]
        folder = self._folder(layout.year_of(first.date), layout.safe_id(first.id, sha), sha)
        files: list[list[str | int]] = [[f"{folder}/{result.original}", entry.size, sha,
                                         hashlib.sha512(entry.data).hexdigest()]]
        files += [[f"{folder}/{out.name}", out.size, out.sha256, out.sha512]
                  for out in result.outputs]
        if result.spooled:
            self._move(result.spooled, folder)
        else:
            self._mkdir(folder)
            self._write(f"{folder}/{result.original}", entry.data)
            for out in result.outputs:
                self._write(f"{folder}/{out.name}", out.data)
        docs = [{**{name: getattr(d, name) for name in DOC_FIELDS},
                 **({"derived_from": d.derived_from} if d.derived_from else {}),
                 **{fmt: f"{folder}/{name}" for fmt, name in d.files.items()}}
                for d in result.docs]
        record = {"source": entry.source.relative, "sha256": sha, "size": entry.size,
                  "status": ARCHIVED, "folder": folder, "files": files, "docs": docs,
                  **_capture_fields(entry)}
        if result.warnings:
            record["warnings"] = result.warnings
            self.counts.warned += 1
        self._record(record)
        self.counts.converted += 1

    def _folder(self, year: str, doc_id: str, sha: str) -> str:
        for candidate in layout.folder_candidates(year, doc_id, sha):
            if self.index.folder_owner(candidate) in (None, sha):
                return candidate
        raise AssertionError("the full sha256 makes a folder name nobody else holds")

    def _write(self, bag_path: str, data: bytes) -> None:
        """Write a payload file in place: no temporary file, no fsync.

        The journal makes it safe: a file counts only once its input's record is in the
        journal, which is appended after every file of the input is written; a file torn by a
        kill belongs to an input without a record, and is rewritten when the input is converted
        again, or swept away before the bag is made.
        """
        write_in_place(os.path.join(self.bag, bag_path), data)

    def _move(self, spooled: str, folder: str) -> None:
        """Rename a folder a local worker filled into place (one rename, not 7 new files).

        A folder already there belongs to no journal record (`_folder` chose it): what an
        interrupted run left of this same input. It is replaced.
        """
        path = os.path.join(self.bag, folder)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            os.rename(spooled, path)
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            shutil.rmtree(path)
            os.rename(spooled, path)

    def _mkdir(self, folder: str) -> None:
        """Make an input's folder (its year folder too, the first time)."""
        path = os.path.join(self.bag, folder)
        try:
            os.mkdir(path)
        except FileNotFoundError:
            os.makedirs(path)
        except FileExistsError:  # an input converted again after a kill
            pass


def _capture_fields(entry: Entry) -> dict[str, Any]:
    """What the journal (and so the catalogue) keeps of a captured input: its URL and date."""
    member = entry.source.member if isinstance(entry.source, Captured) else None
    if member is None or member.capture is None:
        return {}
    return {"url": member.capture.target, "captured": member.capture.date}


def _extension(member: Member | None) -> str | None:
    """The kept original's extension for an input inside a container: what the payload is
    ("html", "txt"), or the container's own for its damaged rest."""
    if member is None:
        return None
    if member.kind == "damage":
        return "warc.gz" if member.source.split("#")[0].lower().endswith(".gz") else "warc"
    return {"text/html": "html", "application/xhtml+xml": "html",
            "text/plain": "txt"}.get(member.media_type or "", "bin")


def _message(data: dict[str, Any]) -> Message:
    return Message(Level(data["level"]), data["text"], data.get("source"), data.get("line"))
