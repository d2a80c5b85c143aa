"""`bulletin site`: packages in, a static site out (see the package's docstring).

The build reads every package (`packages.Package`), fills a new catalog.sqlite, then makes each
file of the site from it. What the previous build read is copied from its catalog.sqlite, not
read again: a whole package when its records (bag-info, catalogue, manifest) are the same, else
each input that is as it was read (`Builder.read`). Each file is made only when what it is
made from changed (a bulletin's page: its master, its provenance, its neighbours, the site's
title and this version; a list's page: the rows it lists; a segment of the search index: its
bulletins) and written only when its bytes changed; files of the previous build that no
longer belong are removed. Files the build did not make (a README someone put there) are left
alone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import importlib.resources
import json
import os
import posixpath
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import model, transforms
from ..archiving.bag import totals_of
from ..files import TEMP_PREFIX, write_atomic, write_failure
from ..messages import BulletinError, Message, OutputExistsError, UsageError, display_path
from ..walk import package_around
from ..writers.html import CSS as ARTICLE_CSS
from . import browse, pages, search
from .catalog import Catalog
from .packages import Item, Package, PackageError

CATALOG = "catalog.sqlite"
#: Part of every page's key: a new release rebuilds every page.
FORMAT = f"{pages.GENERATOR} site {search.FORMAT}"
#: Labels of the files a bulletin's page links to, by role (the format's name).
LABELS = {"original": "The original text, as it was archived", "xml": "Canonical XML master",
          "tei": "TEI P5", "epub": "EPUB 3", "docx": "DOCX (Word)", "pdf": "PDF/A-2b",
          "html": "HTML page"}
_EXTENSION_ROLES = {".tei.xml": "tei", ".epub": "epub", ".docx": "docx", ".pdf": "pdf",
                    ".html": "html", ".xml": "xml"}


class SiteError(BulletinError):
    """The site cannot be built where or from what was asked."""


@dataclass
class SiteReport:
    dest: Path
    packages: int = 0
    bulletins: int = 0
    written: int = 0  # files written (new or changed)
    unchanged: int = 0  # files already as they must be
    removed: int = 0  # files of the previous build that no longer belong
    seconds: float = 0.0
    messages: list[Message] = field(default_factory=list)


def build(packages: Sequence[str | os.PathLike[str]], dest: str | os.PathLike[str], *,
          title: str | None = None, progress: Callable[[int], None] | None = None
          ) -> SiteReport:
    """Build (or bring up to date) the static site `dest` from finished packages made by
    `bulletin archive`. Raises PackageError (not a package, or damaged: run `bulletin
    verify`), OutputExistsError (dest is something else) or SiteError."""
    started = time.monotonic()
    if not packages:
        raise UsageError("no package given")
    target = Path(os.path.abspath(dest))
    opened = _open_packages(packages, target)
    _check_dest(target)
    report = SiteReport(target, packages=len(opened))
    try:
        target.mkdir(parents=True, exist_ok=True)
        with _locked(target):
            Builder(opened, target, title or _title(opened), report, progress).run()
    except (OSError, sqlite3.OperationalError) as exc:  # a full disk, a read-only folder
        where = getattr(exc, "filename", None) or target
        raise SiteError(f"cannot write {display_path(where)}: {write_failure(exc)}",
                        display_path(target),
                        hint="free some space or make the folder writable, then run the "
                             "command again: the pages already written are kept") from exc
    report.seconds = time.monotonic() - started
    return report


def _open_packages(paths: Sequence[str | os.PathLike[str]], dest: Path) -> list[Package]:
    opened: list[Package] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(os.path.abspath(raw))
        real = os.path.realpath(path)
        if real in seen:
            raise UsageError("the same package is given twice", display_path(raw))
        seen.add(real)
        if dest == path or path in dest.parents:
            raise SiteError("the site would be written into this package: a package is never "
                            "written into", display_path(raw),
                            hint="choose a site folder outside it (beside it, for example)")
        if dest in path.parents:
            raise SiteError(f"the package is inside the site folder {display_path(dest)}",
                            display_path(raw), hint="choose a site folder beside it")
        opened.append(Package(path))
    return opened


def _check_dest(dest: Path) -> None:
    around = package_around(dest)
    if around is not None:
        raise SiteError(f"{display_path(dest)} would be inside {display_path(around)}, a "
                        "BagIt package or archive workspace: a package is never written into",
                        display_path(dest), hint="choose a site folder outside it")
    if dest.exists() and not dest.is_dir():
        raise OutputExistsError("exists and is not a folder", display_path(dest))
    if dest.is_dir() and any(dest.iterdir()) and not is_site(dest):
        raise OutputExistsError("exists and is not a site made by `bulletin site`: it is never "
                                "written into", display_path(dest),
                                hint="choose a new or empty folder")


def is_site(folder: Path) -> bool:
    """Whether `folder` holds a site made by this command (its index names the generator)."""
    try:
        with open(folder / "index.html", "rb") as f:
            start = f.read(4096)
    except OSError:
        return False
    return b'<meta name="generator" content="bulletin-convert ' in start and \
        b"(bulletin site)" in start


@contextlib.contextmanager
def _locked(dest: Path) -> Iterator[None]:
    fd = os.open(dest, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SiteError("another `bulletin site` is building this site; wait for it to "
                            "end", display_path(dest)) from None
        yield
    finally:
        os.close(fd)


def _title(opened: list[Package]) -> str:
    organizations = sorted({p.info["Source-Organization"] for p in opened
                            if p.info.get("Source-Organization")})
    if len(organizations) == 1:
        return f"Bulletins of the {organizations[0]}" if not organizations[0].lower(
        ).startswith("the ") else f"Bulletins of {organizations[0]}"
    return "News bulletins"


def _body_text(doc: model.Element) -> str:
    """The body, a block a line; the texts of a block's elements (a speaker and the words
    spoken, clauses, items: the vocabulary has no inline elements) are separate words."""
    return "\n".join(" ".join(" ".join(b.itertext()).split()) for b in model.body(doc))


def _role(name: str, obj_puid: str | None) -> str:
    for ext, role in _EXTENSION_ROLES.items():
        if name.endswith(ext):
            return role
    return obj_puid or "file"


class Builder:
    def __init__(self, opened: list[Package], dest: Path, title: str, report: SiteReport,
                 progress: Callable[[int], None] | None) -> None:
        self.opened = opened
        self.dest = dest
        self.title = title
        self.report = report
        self.progress = progress
        self.db = Catalog(dest / f"{TEMP_PREFIX}{CATALOG}", dest / CATALOG, FORMAT)
        self.names: list[str] = []  # site name of each package (its folder under bulletins/)
        self.paths: list[str] = []  # each package's folder, relative to the site's

    def run(self) -> None:
        try:
            self.mark()
            self.read()
            self.db.order()
            self.bulletin_pages()
            years = browse.dates(self.db, self.make, self.title)
            agencies = browse.grouped(self.db, self.make, self.title, "agency", "publisher",
                                      "publisher_key", "agencies")
            places = browse.grouped(self.db, self.make, self.title, "place", "coverage",
                                    "coverage_key", "places")
            languages = browse.grouped(self.db, self.make, self.title, "language", "language",
                                       "language", "languages")
            self.search_index()
            self.assets()
            packages = [(name, path, count, org, totals_of(package.info))
                        for name, path, package, (count, org) in zip(
                            self.names, self.paths, self.opened, self.db.query(
                                "SELECT documents, source_organization FROM packages "
                                "ORDER BY id"), strict=True)]
            browse.index(self.db, self.make, self.title, years, agencies, places, languages,
                         packages)
            self.sweep()
            self.db.finish(self.dest / CATALOG)
        except BaseException:
            self.db.close()
            (self.dest / f"{TEMP_PREFIX}{CATALOG}").unlink(missing_ok=True)
            raise

    def mark(self) -> None:
        """A first build puts a page saying so where the index will be, so that a folder left by
        a build that was stopped (a full disk, Ctrl-C) is known as a site and the next run
        finishes it; the index replaces the page at the end."""
        if not (self.dest / "index.html").exists():
            frame = pages.Frame("index.html", self.title, self.title)
            model.child(frame.main, "h1", self.title)
            model.child(frame.main, "p", "This site is being built by the bulletin site "
                        "command. If no build is running, the last one was stopped: run the "
                        "same command again to finish it.")
            write_atomic(self.dest / "index.html", frame.bytes(), force=True, fsync=False)

    # --- reading the packages ---------------------------------------------------------------

    def read(self) -> None:
        """Fill the catalogue from the packages, copying from the previous build's what it
        read from a package whose records (`Package.contents`) are the same, or else from an
        input that is as it was read (the same PREMIS, files and masters: `Package.unchanged`);
        everything else is read."""
        used: set[str] = set()
        for package in self.opened:
            name = transforms.slug(package.path.name)[:60].strip("-") or "package"
            base, n = name, 2
            while name in used:
                name, n = f"{base}-{n}", n + 1
            used.add(name)
            rel = posixpath.normpath(os.path.relpath(package.path, self.dest).replace(os.sep,
                                                                                        "/"))
            self.names.append(name)
            self.paths.append(rel)
            contents = package.contents()
            key = pages.key(FORMAT, name, contents) if contents else None
            pid = self.db.add_package(package.path.name, rel, package.info, key)
            previous = self.db.previous_package(rel)
            if previous is not None and key is not None and previous[1] == key:
                self._count(self.db.copy_package(previous[0], pid))
                continue
            for folder, source in package.archived():
                if previous is None or not self._copied(package, folder, source, name,
                                                        previous[0], pid):
                    for bulletin in self._bulletins(package.item(folder, source), pid, name):
                        self.db.add_bulletin(*bulletin)
                        self._count(1)

    def _count(self, bulletins: int) -> None:
        self.report.bulletins += bulletins
        if self.progress:
            self.progress(self.report.bulletins)

    def _copied(self, package: Package, folder: str, source: str, name: str, old_pid: int,
                pid: int) -> bool:
        """Copy an input's bulletins from the previous build if it is as that build read it
        (and named alike); whether it was."""
        before = self.db.previous_item(old_pid, folder)
        if not before or not all(source == row[1] and row[2].startswith(f"bulletins/{name}/")
                                 for row in before):
            return False
        sizes = [f for row in before for f in self.db.previous_sizes(row[0])]
        if not package.unchanged(folder, before[0][5], sizes,
                                 [(row[3], row[4]) for row in before]):
            return False
        for row in before:
            self.db.copy_bulletin(row[0], pid)
        self._count(len(before))
        return True

    def _bulletins(self, item: Item, pid: int, name: str
                   ) -> Iterator[tuple[dict[str, Any], list[tuple[Any, ...]],
                                       list[tuple[Any, ...]]]]:
        premis_sha = hashlib.sha256(item.premis).hexdigest()
        events = [(e.type, e.time, e.agent, e.outcome, e.detail, "\n".join(e.notes))
                  for e in item.recorded.events]
        original = item.original
        for master in item.masters:
            try:
                doc = model.load(master.data)
            except Exception as exc:  # lxml's syntax error: the bytes match the record
                raise PackageError(f"the package holds a canonical master that is not XML "
                                   f"({exc})", f"{display_path(item.folder)}/{master.file.name}"
                                   ) from None
            h = model.head(doc)
            meta = model.metadata(doc, h)
            text = _body_text(doc)
            stem = master.file.name.removesuffix(".xml")
            page = f"bulletins/{name}/{item.folder.removeprefix('data/')}/{stem}.html"
            values = {
                "identifier": meta.identifier, "title": meta.title, "date": meta.date,
                "date_as_written": h.date_text, "coverage": meta.coverage,
                "publisher": meta.publisher, "creator": meta.creator, "byline": h.byline,
                "language": meta.language, "relation": meta.relation,
                "description": meta.description, "source": item.source or
                original.original_name, "package": pid, "folder": item.folder,
                "master": master.file.name, "master_sha256": master.file.sha256,
                "premis_sha256": premis_sha, "page": page, "text": text,
                "folded": search.folded_words("\n".join(
                    filter(None, (meta.title, h.byline, meta.description, text)))),
                "publisher_key": search.fold(meta.publisher).strip() if meta.publisher else None,
                "coverage_key": search.fold(meta.coverage).strip() if meta.coverage else None,
            }
            files = [("original", f"{item.folder}/{original.name}", original.media_type,
                      original.note, original.puid, original.size, original.sha256),
                     ("xml", f"{item.folder}/{master.file.name}", master.file.media_type,
                      master.file.note, master.file.puid, master.file.size, master.file.sha256)]
            files += [(_role(r.name, r.puid), f"{item.folder}/{r.name}", r.media_type, r.note,
                       r.puid, r.size, r.sha256) for r in master.renditions]
            yield values, files, events

    # --- writing -------------------------------------------------------------------------------

    def put(self, path: str, data: bytes, key: str | None = None) -> None:
        """Make the site file `path` hold `data` (written only if it differs)."""
        full = self.dest / path
        try:
            same = full.stat().st_size == len(data) and full.read_bytes() == data
        except OSError:
            same = False
        if same:
            self.report.unchanged += 1
        else:
            write_atomic(full, data, force=True, fsync=False)
            self.report.written += 1
        self.db.made(path, key, len(data))

    def make(self, path: str, key: str | None, render: Callable[[], bytes]) -> None:
        """Make the site file `path` hold `render()`, unless the previous build made it from
        the same `key` (None: made every time) and it is still as it was made."""
        if key is None or not self.kept(path, key):
            self.put(path, render(), key)

    def kept(self, path: str, key: str) -> bool:
        """Whether the previous build made `path` from the same inputs, and it is still there
        as it was made (then it is recorded again, not made)."""
        previous = self.db.previous(path)
        if previous is None or previous[0] != key:
            return False
        try:
            if (self.dest / path).stat().st_size != previous[1]:
                return False
        except OSError:
            return False
        self.db.made(path, key, previous[1])
        self.report.unchanged += 1
        return True

    def bulletin_pages(self) -> None:
        """Each bulletin's page, and its text for the search's snippets."""
        rows = self.db.query("""
            SELECT b.id, b.page, b.master_sha256, b.premis_sha256, b.folder, b.master,
                   b.source, b.package, b.date,
                   lag(b.page) OVER w, lag(b.title) OVER w, lag(b.date) OVER w,
                   lag(b.language) OVER w,
                   lead(b.page) OVER w, lead(b.title) OVER w, lead(b.date) OVER w,
                   lead(b.language) OVER w
            FROM bulletins b WINDOW w AS (ORDER BY b.position) ORDER BY b.position""")
        for row in rows:
            (rowid, page, master_sha, premis_sha, folder, master, source, pid, date,
             *around) = row
            previous = pages.Neighbour(*around[:4]) if around[0] else None
            following = pages.Neighbour(*around[4:]) if around[4] else None
            package = self.opened[pid - 1]
            key = pages.key(FORMAT, self.title, page, master_sha, premis_sha, self.paths[pid - 1],
                        package.path.name, folder, source, around)
            info = pages.BulletinInfo(page=page, package=package.path.name, folder=folder,
                                      source=source, files=[], events=[], previous=previous,
                                      next=following, crumbs=self._crumbs(date))
            self.make(page, key, functools.partial(self._bulletin_page, rowid, pid, master,
                                                   info))
            text_path = "search/text/" + page.removeprefix("bulletins/").removesuffix(
                ".html") + ".js"
            self.make(text_path, pages.key(search.FORMAT, page, master_sha),
                      functools.partial(self._text_script, rowid, page))

    def _text_script(self, rowid: int, page: str) -> bytes:
        """A bulletin's text for the search's snippets (read only when it is to be made)."""
        return search.script("text", page, self.db.one(
            "SELECT text FROM bulletins WHERE id = ?", (rowid,))[0])

    def _bulletin_page(self, rowid: int, pid: int, master: str, info: pages.BulletinInfo
                       ) -> bytes:
        """A bulletin's page: its master read from the package, its files and events from
        the catalogue."""
        doc = model.load((self.opened[pid - 1].path / info.folder / master).read_bytes())
        info = dataclasses.replace(info, files=self._files(rowid, pid),
                                   events=self._events(rowid))
        return pages.bulletin_page(doc, info, self.title)

    def _files(self, rowid: int, pid: int) -> list[pages.FileLink]:
        links = []
        for role, path, media_type, note, size, sha in self.db.query(
                "SELECT role, path, media_type, format, size, sha256 FROM files "
                "WHERE bulletin = ? ORDER BY rowid", (rowid,)):
            label = LABELS.get(role, note or role)
            links.append(pages.FileLink(role, f"{self.paths[pid - 1]}/{path}", media_type,
                                        label, size, sha))
        return links

    def _events(self, rowid: int) -> list[pages.Event]:
        return [pages.Event(t, time_, agent, outcome, notes.split("\n") if notes else [])
                for t, time_, agent, outcome, notes in self.db.query(
                    "SELECT type, time, agent, outcome, notes FROM events WHERE bulletin = ? "
                    "ORDER BY rowid", (rowid,))]

    @staticmethod
    def _crumbs(date: str | None) -> list[pages.Crumb]:
        crumbs = [browse.HOME]
        if date:
            year, month = date[:4], date[5:7]
            crumbs += [pages.Crumb(year, f"browse/{year}.html"),
                       pages.Crumb(pages.MONTHS[int(month) - 1],
                                   f"browse/{year}-{month}.html")]
        else:
            crumbs.append(pages.Crumb("Undated", "browse/undated.html"))
        return crumbs

    def search_index(self) -> None:
        segments = []
        rows = self.db.query("SELECT id, page, master_sha256, package FROM bulletins "
                             "ORDER BY id")
        for n, (seg, first, last) in enumerate(search.segments(rows)):
            seg_id = seg.id
            before = self.db.previous_segment(seg_id)
            if before is not None and all(
                    (self.dest / p).is_file() and (self.dest / p).stat().st_size == size
                    for p, _, size in before[2]):
                documents, shards, files = before
                for path, key, size in files:
                    self.db.made(path, key, size)
                    self.report.unchanged += 1
            else:
                entries = (search.Entry(page, title, date or (written or ""), agency or "",
                                        language, "\n".join(filter(None, (byline, dateline,
                                                                          text))))
                           for page, title, date, written, agency, language, byline, dateline,
                           text in self.db.query(
                               "SELECT page, title, date, date_as_written, publisher, "
                               "language, byline, description, text FROM bulletins "
                               "WHERE id BETWEEN ? AND ? ORDER BY id",
                               (first, last)))
                firsts: list[str] = []
                for path, data in search.build_segment(seg_id, entries, firsts):
                    self.put(f"search/{path}", data, seg_id)
                documents, shards = last - first + 1, json.dumps(firsts, ensure_ascii=True)
            self.db.segment(seg_id, n, documents, shards)
            segments.append({"id": seg_id, "documents": documents,
                             "shards": json.loads(shards)})
        total = self.db.one("SELECT count(*) FROM bulletins")[0]
        self.put("search/manifest.js", search.script("manifest", {
            "format": search.FORMAT, "documents": total, "block": search.BLOCK,
            "segments": segments}))

    def assets(self) -> None:
        folder = importlib.resources.files(__package__) / "assets"
        css = ARTICLE_CSS + "\n/* the site around the bulletins */\n" + (
            folder / "site.css").read_text("utf-8")
        self.put("assets/site.css", css.encode("utf-8"))
        self.put("assets/search.js", (folder / "search.js").read_bytes())

    def sweep(self) -> None:
        """Remove the previous build's files that this build did not make."""
        for path in self.db.stale():
            full = self.dest / path
            with contextlib.suppress(FileNotFoundError):
                full.unlink()
                self.report.removed += 1
            parent = full.parent
            while parent != self.dest:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent
