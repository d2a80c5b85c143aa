"""SITE/catalog.sqlite: every bulletin of the site with its metadata, files, provenance and
text, and an FTS5 index, for server-side search (`datasette SITE/catalog.sqlite`, `sqlite3`).

The site is built from this database: bulletins go in as the packages are read, then the
pages, the browsing lists and the search index are made from queries over it, so memory does
not grow with the collection. It is written anew on every build, into a temporary file
renamed into place at the end (the same packages give the same bytes); the rows of a package
or an input that is as the previous build read it are copied from the previous database.
`site_files` records every file the build made with the hash of what it was made from: the
next build compares with it to write only what changed, and to remove what no longer belongs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA page_size = 4096;
CREATE TABLE packages (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,            -- the package's folder name, as the site's pages name it
    path TEXT NOT NULL,            -- the package's folder, relative to the site's
    source_organization TEXT,
    bagging_date TEXT,
    software TEXT,                 -- Bag-Software-Agent
    documents INTEGER,             -- bulletins the site holds from it
    contents TEXT                  -- hash of its records and how the site reads them (site.py)
);
CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY,
    identifier TEXT NOT NULL,      -- Dublin Core names where one fits
    title TEXT NOT NULL,           -- a supplied title is in [square brackets]
    date TEXT,                     -- YYYY-MM-DD, when the year is known
    date_as_written TEXT,          -- as the dateline has it ("Feb. 18")
    coverage TEXT,                 -- the dateline's place
    publisher TEXT,                -- the agency
    creator TEXT,                  -- the byline's name
    byline TEXT,
    language TEXT NOT NULL,
    relation TEXT,                 -- the digest issue
    description TEXT,              -- the dateline
    source TEXT,                   -- the input's path, relative to the folder archived
    package INTEGER NOT NULL REFERENCES packages(id),
    folder TEXT NOT NULL,          -- in the package: data/<year>/<name>
    master TEXT NOT NULL,          -- the canonical master's file name in the folder
    master_sha256 TEXT NOT NULL,
    premis_sha256 TEXT NOT NULL,
    page TEXT NOT NULL,            -- the bulletin's page in the site
    position INTEGER,              -- in the site's order: by date, then package and folder
    text TEXT NOT NULL,            -- the body, a paragraph a line
    folded TEXT NOT NULL,          -- its words that have accents, without them (see FTS below)
    publisher_key TEXT,            -- publisher and coverage folded (case, accents), to group
    coverage_key TEXT
);
CREATE TABLE files (
    bulletin INTEGER NOT NULL REFERENCES bulletins(id),
    role TEXT NOT NULL,            -- original, master, or the rendition's format
    path TEXT NOT NULL,            -- in the package
    media_type TEXT,
    format TEXT,                   -- PRONOM's name, and version
    puid TEXT,                     -- PRONOM's id
    size INTEGER,
    sha256 TEXT
);
CREATE TABLE events (
    bulletin INTEGER NOT NULL REFERENCES bulletins(id),
    type TEXT NOT NULL,            -- PREMIS event type
    time TEXT NOT NULL,
    agent TEXT NOT NULL,
    outcome TEXT,
    detail TEXT,
    notes TEXT                     -- separated by newlines
);
-- FTS5's unicode61 folds the accents of Latin letters only: `folded` holds the words whose
-- accents it would keep (Greek tonos, ...) without them, so "θεσσαλονικη" and
-- "ΘΕΣΣΑΛΟΝΙΚΗ" find "Θεσσαλονίκη" as "gdansk" finds "Gdańsk".
CREATE VIRTUAL TABLE bulletins_fts USING fts5(
    title, byline, description, text, folded,
    content="bulletins", content_rowid='id',  -- quoted so, Datasette finds it
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE site_segments (
    id TEXT PRIMARY KEY,           -- a segment of the search index (search/<id>/)
    position INTEGER NOT NULL,     -- its place in search/manifest.js
    documents INTEGER NOT NULL,
    shards TEXT NOT NULL           -- the first term of each shard, as JSON
) WITHOUT ROWID;
CREATE TABLE site_format (
    format TEXT NOT NULL           -- what made it (release, schema): another's rows are not reused
);
CREATE TABLE site_files (
    path TEXT PRIMARY KEY,         -- in the site
    key TEXT,                      -- hash of what it was made from (NULL: made every build)
    size INTEGER
) WITHOUT ROWID;
"""

#: Columns of `bulletins` a caller fills (id, position are the database's).
COLUMNS = ("identifier", "title", "date", "date_as_written", "coverage", "publisher", "creator",
           "byline", "language", "relation", "description", "source", "package", "folder",
           "master", "master_sha256", "premis_sha256", "page", "text", "folded", "publisher_key",
           "coverage_key")

#: A bulletin's columns as copied from the previous build's database (its package given anew),
#: and those of its files and events.
_COPIED = ", ".join("? AS package" if c == "package" else c for c in COLUMNS)
_FILE_COLUMNS = "role, path, media_type, format, puid, size, sha256"
_EVENT_COLUMNS = "type, time, agent, outcome, detail, notes"

#: The site's order of bulletins: dated first, by date; then by package, folder and master.
ORDER = "date IS NULL, date, package, folder, master"


class Catalog:
    """The database being built (at `path`), next to the previous build's (`old`, if any)."""

    def __init__(self, path: Path, old: Path | None, fmt: str) -> None:
        path.unlink(missing_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(SCHEMA)
        fmt = f"{fmt} schema {hashlib.sha256(SCHEMA.encode()).hexdigest()[:16]}"
        self.db.execute("INSERT INTO site_format VALUES (?)", (fmt,))
        self.old = False  # the previous build's site_files can be read
        self.same_format = False  # and its rows were made as this build makes them
        if old is not None and old.is_file():
            try:
                self.db.execute("ATTACH DATABASE ? AS old", (f"file:{old}?mode=ro",))
                self.db.execute("SELECT path, key, size FROM old.site_files LIMIT 1")
                self.old = True
            except sqlite3.DatabaseError:  # not ours, or damaged: build everything
                if self._attached():
                    self.db.execute("DETACH DATABASE old")
        if self.old:
            with contextlib.suppress(sqlite3.DatabaseError):  # an older release's: no table
                self.same_format = self.db.execute(
                    "SELECT format FROM old.site_format").fetchone() == (fmt,)
        self.db.execute("BEGIN")

    def _attached(self) -> bool:
        return any(row[1] == "old" for row in self.db.execute("PRAGMA database_list"))

    def add_package(self, name: str, path: str, info: dict[str, str], contents: str | None
                    ) -> int:
        cur = self.db.execute(
            "INSERT INTO packages (name, path, source_organization, bagging_date, software, "
            "contents) VALUES (?, ?, ?, ?, ?, ?)",
            (name, path, info.get("Source-Organization"), info.get("Bagging-Date"),
             info.get("Bag-Software-Agent"), contents))
        return int(cur.lastrowid or 0)

    def add_bulletin(self, values: dict[str, Any], files: list[tuple[Any, ...]],
                     events: list[tuple[Any, ...]]) -> int:
        cur = self.db.execute(
            f"INSERT INTO bulletins ({', '.join(COLUMNS)}) VALUES "
            f"({', '.join('?' * len(COLUMNS))})", [values[c] for c in COLUMNS])
        rowid = int(cur.lastrowid or 0)
        self.db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [(rowid, *f) for f in files])
        self.db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(rowid, *e) for e in events])
        return rowid

    def copy_bulletin(self, old_id: int, package: int) -> None:
        """Copy a bulletin the previous build read (its row, files and events), as package
        `package`'s next bulletin."""
        rowid = self.db.execute(f"INSERT INTO bulletins ({', '.join(COLUMNS)}) SELECT "
                                f"{_COPIED} FROM old.bulletins WHERE id = ?",
                                (package, old_id)).lastrowid
        self.db.execute(f"INSERT INTO files SELECT ?, {_FILE_COLUMNS} FROM old.files WHERE "
                        "bulletin = ? ORDER BY rowid", (rowid, old_id))
        self.db.execute(f"INSERT INTO events SELECT ?, {_EVENT_COLUMNS} FROM old.events WHERE "
                        "bulletin = ? ORDER BY rowid", (rowid, old_id))

    def copy_package(self, old_package: int, package: int) -> int:
        """Copy every bulletin the previous build read from a package (numbered in a row, as
        a package's bulletins are) as package `package`'s next ones; returns how many."""
        first, last = self.db.execute("SELECT min(id), max(id) FROM old.bulletins WHERE "
                                      "package = ?", (old_package,)).fetchone()
        if first is None:
            return 0
        shift = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM bulletins").fetchone(
        )[0] - first
        self.db.execute(f"INSERT INTO bulletins (id, {', '.join(COLUMNS)}) SELECT id + ?, "
                        f"{_COPIED} FROM old.bulletins WHERE package = ? ORDER BY id",
                        (shift, package, old_package))
        self.db.execute(f"INSERT INTO files SELECT bulletin + ?, {_FILE_COLUMNS} FROM old.files "
                        "WHERE bulletin BETWEEN ? AND ? ORDER BY rowid", (shift, first, last))
        self.db.execute(f"INSERT INTO events SELECT bulletin + ?, {_EVENT_COLUMNS} FROM "
                        "old.events WHERE bulletin BETWEEN ? AND ? ORDER BY rowid",
                        (shift, first, last))
        return int(last - first + 1)

    def order(self) -> None:
        """Number the bulletins in the site's order, count each package's, index the text."""
        self.db.execute(f"""UPDATE bulletins SET position = o.n FROM (
            SELECT id, row_number() OVER (ORDER BY {ORDER}) - 1 AS n FROM bulletins) AS o
            WHERE bulletins.id = o.id""")
        self.db.execute("UPDATE packages SET documents = (SELECT count(*) FROM bulletins "
                        "WHERE package = packages.id)")
        for statement in (
                "CREATE UNIQUE INDEX bulletins_by_position ON bulletins (position)",
                "CREATE INDEX bulletins_by_date ON bulletins (date)",
                "CREATE INDEX bulletins_by_publisher ON bulletins (publisher_key, position)",
                "CREATE INDEX bulletins_by_coverage ON bulletins (coverage_key, position)",
                "CREATE INDEX bulletins_by_language ON bulletins (language, position)",
                "CREATE INDEX bulletins_by_folder ON bulletins (package, folder)",
                "CREATE INDEX files_by_bulletin ON files (bulletin)",
                "CREATE INDEX events_by_bulletin ON events (bulletin)",
                "INSERT INTO bulletins_fts (bulletins_fts) VALUES ('rebuild')"):
            self.db.execute(statement)  # not executescript, which would commit first

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Any]:
        """Rows of a query, streamed (a second cursor: others may be open)."""
        yield from self.db.execute(sql, params)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.db.execute(sql, params).fetchone()

    # --- what the previous build made -------------------------------------------------------

    def previous(self, path: str) -> tuple[str | None, int] | None:
        """(key, size) the previous build recorded for a site file, if any."""
        if not self.old:
            return None
        row = self.db.execute("SELECT key, size FROM old.site_files WHERE path = ?",
                              (path,)).fetchone()
        return None if row is None else (row[0], row[1])

    def previous_package(self, path: str) -> tuple[int, str | None] | None:
        """The id and contents the previous build gave the package at `path` (relative to
        the site)."""
        if not self.same_format:
            return None
        row = self.db.execute("SELECT id, contents FROM old.packages WHERE path = ?",
                              (path,)).fetchone()
        return None if row is None else (int(row[0]), row[1])

    def previous_item(self, package: int, folder: str) -> list[tuple[int, str, str, str,
                                                                    str, str]]:
        """(id, source, page, master, master_sha256, premis_sha256) of each bulletin the
        previous build read from an input's folder (package: its id in that build)."""
        return self.db.execute(
            "SELECT id, source, page, master, master_sha256, premis_sha256 FROM old.bulletins "
            "WHERE package = ? AND folder = ? ORDER BY id", (package, folder)).fetchall()

    def previous_sizes(self, bulletin: int) -> list[tuple[str, int]]:
        """(path in its package, size) of each file of a bulletin of the previous build."""
        return self.db.execute("SELECT path, size FROM old.files WHERE bulletin = ? ORDER BY "
                               "rowid", (bulletin,)).fetchall()

    def previous_segment(self, seg_id: str) -> tuple[int, str, list[tuple[str, str | None, int]]
                                                     ] | None:
        """(documents, shards, files) of a segment the previous build made, if any."""
        if not self.old:
            return None
        row = self.db.execute("SELECT documents, shards FROM old.site_segments WHERE id = ?",
                              (seg_id,)).fetchone()
        if row is None:
            return None
        files = self.db.execute("SELECT path, key, size FROM old.site_files WHERE path >= ? "
                                "AND path < ? ORDER BY path",
                                (f"search/{seg_id}/", f"search/{seg_id}0")).fetchall()
        return row[0], row[1], files

    def segment(self, seg_id: str, position: int, documents: int, shards: str) -> None:
        self.db.execute("INSERT INTO site_segments VALUES (?, ?, ?, ?)",
                        (seg_id, position, documents, shards))

    def made(self, path: str, key: str | None, size: int) -> None:
        self.db.execute("INSERT INTO site_files VALUES (?, ?, ?)", (path, key, size))

    def stale(self) -> Iterator[str]:
        """Files the previous build made that this one did not."""
        if self.old:
            yield from (row[0] for row in self.db.execute(
                "SELECT path FROM old.site_files WHERE path NOT IN "
                "(SELECT path FROM main.site_files) ORDER BY path"))

    def finish(self, dest: Path) -> None:
        """Commit, and rename the database into place."""
        self.db.execute("COMMIT")
        if self._attached():
            self.db.execute("DETACH DATABASE old")
        self.db.execute("VACUUM")
        self.db.close()
        os.replace(self.path, dest)

    def close(self) -> None:
        self.db.close()
