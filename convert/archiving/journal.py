"""The resume journal and its index.

The journal is the one durable record of progress: an append-only JSON Lines file with one
record per finished input (archived, duplicate or quarantined), written by the driver after the
input's files are in place, and fsynced once per batch of commits. A run killed at any moment
leaves at worst a torn last line, which the next run cuts off; files written for an input whose
record never made it to the journal are orphans, swept away before the bag is made.

The index answers the driver's questions (is this input done? which folder holds this sha256?
is this folder taken?) from an SQLite file next to the journal, so memory stays flat however
large the collection. It is a cache: rebuilt from the journal at the start of every run, never
trusted across a crash.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..messages import BulletinError

Record = dict[str, Any]

ARCHIVED = "archived"
DUPLICATE = "duplicate"
QUARANTINED = "quarantined"


class JournalError(BulletinError):
    """The journal is damaged beyond its last line: the run cannot be resumed safely."""

    def __init__(self, path: Path, line: int, detail: str) -> None:
        super().__init__(f"the journal of the interrupted archive run is damaged: {detail}",
                         str(path), line,
                         hint="start again with --force, which rebuilds the package from the "
                              "sources (the damaged journal is left as it is until then)")


_STATUSES = frozenset({ARCHIVED, DUPLICATE, QUARANTINED})


_HEX = re.compile(r"[0-9a-f]+")
#: The fields of a record's document summary (`worker.DocSummary`'s, by the same names), in
#: the order the runner writes them; besides them a summary holds `derived_from` and the paths
#: of its files. The catalogue reads them.
DOC_FIELDS = ("id", "date", "title", "agency", "issued", "language", "creator", "coverage",
              "relation")
_NOT_PATHS = frozenset({*DOC_FIELDS, "derived_from"})


def _payload_path(value: Any) -> bool:
    """A path inside the bag's payload: relative, under data/, never climbing out."""
    return (isinstance(value, str) and value.startswith("data/")
            and ".." not in value.split("/") and "\0" not in value)


def _digest(value: Any, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and bool(_HEX.fullmatch(value))


def _checked(record: Any) -> str | None:
    """What is wrong with a journal record's shape (an edited journal), or None. Everything
    the run reads back is checked here: a record must not send the run outside the package
    or into a crash."""
    if not isinstance(record, dict):
        return "a record is not a JSON object"
    status = record.get("status")
    if not isinstance(record.get("source"), str) or status not in _STATUSES:
        return "a record lacks its source or status"
    sha = record.get("sha256")
    if (status == ARCHIVED or sha is not None) and not _digest(sha, 64):
        return "a record's sha256 is not a SHA-256 digest"
    if status == QUARANTINED and not isinstance(record.get("reason"), str):
        return "a quarantined input's record gives no reason"
    for key in ("warnings", "messages"):
        if key in record and not (isinstance(record[key], list)
                                  and all(isinstance(w, str) for w in record[key])):
            return f"a record's {key} are not a list of texts"
    files = record.get("files", [])
    if not isinstance(files, list) or not all(
            isinstance(f, list) and len(f) == 4 and _payload_path(f[0])
            and isinstance(f[1], int) and f[1] >= 0 and _digest(f[2], 64) and _digest(f[3], 128)
            for f in files):
        return "a record's file list is malformed (or names a file outside the payload)"
    if (files or status == ARCHIVED) and not _payload_path(record.get("folder")):
        return "a record names no folder inside the payload"
    docs = record.get("docs", [] if status != ARCHIVED else None)
    if not isinstance(docs, list) or (status == ARCHIVED and not docs) or not all(
            isinstance(d, dict) and isinstance(d.get("id"), str)
            and all(v is None or isinstance(v, str) for v in d.values())
            and all(_payload_path(v) for k, v in d.items() if k not in _NOT_PATHS)
            for d in docs):
        return "a record's documents are malformed (or name a file outside the payload)"
    return None

class Journal:
    """Append-only JSON Lines, one record per finished input."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None
        self._dirty = False

    def records(self) -> Iterator[Record]:
        """Every complete record, in order; a torn last line (a kill mid-write) is cut off."""
        if not self.path.exists():
            return
        good = 0
        with open(self.path, "rb") as f:
            for number, line in enumerate(f, 1):
                if not line.endswith(b"\n"):
                    break
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    raise JournalError(self.path, number, f"not JSON ({exc})") from exc
                if (problem := _checked(record)) is not None:
                    raise JournalError(self.path, number, problem)
                good += len(line)
                yield record
        if good != self.path.stat().st_size:
            with open(self.path, "r+b") as f:
                f.truncate(good)
                os.fsync(f.fileno())

    def append(self, record: Record) -> None:
        if self._file is None:
            self._file = open(self.path, "ab")  # noqa: SIM115 (kept open for the run)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        self._file.write(line.encode("utf-8") + b"\n")
        self._file.flush()  # a kill loses at most the record being written
        self._dirty = True

    def sync(self) -> None:
        """Make every appended record durable (one fsync per batch, not per record)."""
        if self._file is not None and self._dirty:
            os.fsync(self._file.fileno())
            self._dirty = False

    def close(self) -> None:
        if self._file is not None:
            self.sync()
            self._file.close()
            self._file = None


class Index:
    """What the journal says, queryable without holding it in memory."""

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)  # a cache: never trusted across runs
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE inputs (sha TEXT, source TEXT, PRIMARY KEY (sha, source));
            CREATE TABLE firsts (sha TEXT PRIMARY KEY, status TEXT, folder TEXT, docs TEXT);
            CREATE TABLE folders (folder TEXT PRIMARY KEY, sha TEXT);
            CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, sha256 TEXT, sha512 TEXT);
            CREATE TABLE listed (source TEXT PRIMARY KEY, sha TEXT);
            CREATE TABLE derived (text_sha TEXT, source TEXT, folder TEXT);
            CREATE INDEX inputs_by_source ON inputs (source);
            BEGIN;
        """)

    def add(self, record: Record) -> None:
        sha = record.get("sha256") or ""
        self.db.execute("INSERT OR IGNORE INTO inputs VALUES (?, ?)", (sha, record["source"]))
        if record["status"] == DUPLICATE or not sha:
            return
        self.db.execute("INSERT OR IGNORE INTO firsts VALUES (?, ?, ?, ?)",
                        (sha, record["status"], record.get("folder"),
                         json.dumps(record.get("docs", []))))
        self.db.executemany("INSERT INTO derived VALUES (?, ?, ?)",
                            {(d["derived_from"], record["source"], record.get("folder"))
                             for d in record.get("docs", []) if d.get("derived_from")})
        if record.get("files"):  # archived, or quarantined with its bytes kept
            self.db.execute("INSERT INTO folders VALUES (?, ?)", (record["folder"], sha))
            self.db.executemany("INSERT INTO files VALUES (?, ?, ?, ?)",
                                [tuple(f) for f in record["files"]])

    def mark(self, sha: str | None, source: str) -> None:
        """Record an input as done without a journal record (checking a finished package)."""
        self.db.execute("INSERT OR IGNORE INTO inputs VALUES (?, ?)", (sha or "", source))

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def done(self, sha: str | None, source: str) -> bool:
        """Whether this input (these bytes at this path) already has its record."""
        row = self.db.execute("SELECT 1 FROM inputs WHERE sha = ? AND source = ?",
                              (sha or "", source)).fetchone()
        return row is not None

    def listed(self, sha: str | None, source: str) -> None:
        """Note that this run found `source` among its inputs, holding the bytes `sha` (see
        `gone` and `superseded`)."""
        self.db.execute("INSERT OR REPLACE INTO listed VALUES (?, ?)", (source, sha or ""))

    def changed(self, sha: str | None, source: str) -> bool:
        """Whether a record holds other bytes from this path (the file changed since)."""
        row = self.db.execute("SELECT 1 FROM inputs WHERE source = ? AND sha != ?",
                              (source, sha or "")).fetchone()
        return row is not None

    def superseded(self, sha: str | None, source: str) -> bool:
        """Whether these bytes are an earlier version of `source`: a resumed run found other
        bytes there (the file was edited after the interrupted run archived it)."""
        row = self.db.execute("SELECT sha FROM listed WHERE source = ?", (source,)).fetchone()
        return row is not None and row[0] != (sha or "")

    def gone(self) -> Iterator[str]:
        """Recorded inputs this run did not find among its sources, in order of path."""
        yield from (row[0] for row in self.db.execute(
            "SELECT DISTINCT source FROM inputs WHERE source NOT IN (SELECT source FROM listed) "
            "ORDER BY source"))

    def first(self, sha: str) -> tuple[str, str | None, list[dict[str, Any]]] | None:
        """(status, folder, docs) of the first input with these bytes, if any."""
        row = self.db.execute("SELECT status, folder, docs FROM firsts WHERE sha = ?",
                              (sha,)).fetchone()
        return None if row is None else (row[0], row[1], json.loads(row[2]))

    def masters_of(self, sha: str) -> list[str]:
        """Folders of canonical masters, given as inputs, made from the text `sha`."""
        return [row[0] for row in self.db.execute(
            "SELECT DISTINCT folder FROM derived WHERE text_sha = ? ORDER BY folder", (sha,))]

    def masters_with_texts(self) -> Iterator[tuple[str, str]]:
        """(master's source, text's source) for every master whose text is an input too."""
        yield from self.db.execute(
            "SELECT DISTINCT d.source, f.source FROM derived d JOIN inputs f "
            "ON f.sha = d.text_sha ORDER BY d.source, f.source")

    def folder_owner(self, folder: str) -> str | None:
        row = self.db.execute("SELECT sha FROM folders WHERE folder = ?", (folder,)).fetchone()
        return None if row is None else row[0]

    def claims(self, path: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE path = ?", (path,)).fetchone() is not None

    def files(self) -> Iterator[tuple[str, int, str, str]]:
        """Every payload file the journal claims: (bag path, size, sha256, sha512), by path."""
        yield from self.db.execute("SELECT path, size, sha256, sha512 FROM files ORDER BY path")

    def close(self) -> None:
        self.db.close()


def load(journal: Journal, index: Index) -> int:
    """Fill the index from the journal; returns the number of records."""
    count = 0
    for record in journal.records():
        try:
            index.add(record)
        except sqlite3.IntegrityError as exc:  # two records claim one folder or file
            raise JournalError(journal.path, count + 1, f"records contradict each other ({exc})"
                               ) from exc
        count += 1
    index.commit()
    return count
