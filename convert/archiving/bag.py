"""The package on disk: the staging workspace, and the BagIt bag made from it.

Nothing is ever built in DEST itself. A run works in `DEST.partial/`: `bag/` is the bag being
filled (payload written by the driver as inputs are committed), next to the journal, its index
and `state.json` (the options the run started with, so a resumed run cannot mix formats).
When every input is committed, the bag is finished in place (orphans swept, collection files,
bagit.txt, bag-info.txt and the manifests, from the digests computed when each file was made),
checked against the journal, synced, and renamed to DEST; then the workspace is removed.
bagit-python checks packages (`bulletin verify`); it does not build them: `make_bag` moves a
folder's files in place, and `Bag.save` changes the working directory and reads every file
again (a third of the run's time on a 2-core machine).

bag-info.txt: every field is reproducible except Bagging-Date, the day the bag was finished
(UTC, or the day of SOURCE_DATE_EPOCH when that is set): like the PREMIS event times, it
records when something happened, and it is the only other thing two runs may differ in.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..files import TEMP_PREFIX, write_atomic
from ..messages import BulletinError, OutputExistsError, UsageError
from ..reader.profile import DEFAULT as DEFAULT_PROFILE
from . import catalog
from .journal import Index, Record

ALGORITHMS = ("sha256", "sha512")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
AGENT = "bulletin-convert"
STATE = "state.json"
JOURNAL = "journal.jsonl"
INDEX = "index.sqlite"
#: Tag files the finished bag may hold besides bagit's own.
TAG_FILES = (catalog.CATALOG, catalog.QUARANTINE, catalog.LEFT_OUT_CSV, catalog.CORPUS,
             catalog.DATAPACKAGE)
DESCRIPTION = (
    "News bulletins archived by bulletin-convert. data/<year>/<id>/ holds, for each input file, "
    "the original bytes (original.*), the canonical XML master of each bulletin in it (<id>.xml, "
    "urn:bulletin-convert:canonical:1), its renditions and a PREMIS 3 provenance file "
    "(premis.xml). catalog.csv lists the collection, quarantine.csv the inputs that could not "
    "be archived and why, left-out.csv the files and folders of the sources that were not "
    "taken and why (all three described by datapackage.json), corpus.tei.xml holds every TEI "
    "text in one teiCorpus."
)


class ArchiveError(BulletinError):
    """The package cannot be built as asked (options that contradict an interrupted run...)."""


class ResumeMismatch(ArchiveError, UsageError):
    """A resumed run asked for other settings than the interrupted one."""


@dataclass(frozen=True)
class Workspace:
    dest: Path
    work: Path
    resumed: bool = False  # made by an earlier run, which may have left stray files
    lock: int | None = None  # an open descriptor of `work`, flock-ed for this run

    def release(self) -> None:
        if self.lock is not None:
            os.close(self.lock)

    @property
    def bag(self) -> Path:
        return self.work / "bag"

    @property
    def journal(self) -> Path:
        return self.work / JOURNAL

    @property
    def index(self) -> Path:
        return self.work / INDEX

    @property
    def spool(self) -> Path:
        """Where local workers write each input's files before the driver renames them in."""
        return self.work / "spool"


def workspace_of(dest: Path) -> Path:
    return dest.with_name(dest.name + ".partial")


def is_package(path: Path) -> bool:
    """Whether `path` is a bag made by this tool (the only kind --force may replace)."""
    try:
        info = (path / "bag-info.txt").read_text("utf-8")
    except OSError:
        return False
    return (path / "bagit.txt").is_file() and f"Bag-Software-Agent: {AGENT} " in info


def _state(work: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((work / STATE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("tool") == AGENT else None


#: How inputs are read when the command line does not say (see `convert.reader.Reading`).
DEFAULT_READING: dict[str, Any] = {"year": None, "lang": "en", "encoding": None,
                                   "strict": False, "profile": DEFAULT_PROFILE, "from": None}


def open_workspace(dest: Path, *, resume: bool, force: bool, formats: list[str] | None,
                   default_formats: list[str], organization: str | None,
                   reading: dict[str, Any] | None = None,
                   ) -> tuple[Workspace | None, dict[str, Any]]:
    """The workspace to build in, and the run's settings (formats, source organization, how
    inputs are read: `reading` holds None for what the command line left out).

    Returns no workspace when `resume` is asked of a finished package: the caller checks the
    inputs against it. Raises OutputExistsError when something is in the way. The workspace
    is locked (`Workspace.release` unlocks it) before anything is decided: another run may be
    using it.
    """
    work = workspace_of(dest)
    with _opening(work.parent):
        held = _lock(work)
        try:
            ws, settings = _open(dest, work, held, resume=resume, force=force, formats=formats,
                                 default_formats=default_formats, organization=organization,
                                 reading=reading)
        except BaseException:
            if held is not None:
                os.close(held)
            raise
    if held is not None and (ws is None or ws.lock != held):
        os.close(held)
    return ws, settings


def _open(dest: Path, work: Path, held: int | None, *, resume: bool, force: bool,
          formats: list[str] | None, default_formats: list[str], organization: str | None,
          reading: dict[str, Any] | None) -> tuple[Workspace | None, dict[str, Any]]:
    state = _state(work) if work.exists() else None
    if work.exists() and state is None and _stillborn(work):
        shutil.rmtree(work)  # killed while it was being created
    elif work.exists() and state is None:
        raise OutputExistsError(f"{work} exists and is not an unfinished archive of this tool; "
                                "move it away first", str(work))
    if state is not None and not (work / "bag").exists() and is_package(dest):
        shutil.rmtree(work)  # a finished run was stopped just before cleaning up
        state = None
    if state is not None:
        if resume:
            (work / "bag" / "data").mkdir(parents=True, exist_ok=True)
            settings = _resumed(state, formats, organization, reading or {})
            return Workspace(dest, work, resumed=True, lock=held), settings
        if not force:
            raise OutputExistsError(f"an interrupted archive run is in {work}", str(work),
                                    hint="--resume continues it, --force starts again")
        shutil.rmtree(work)
    if dest.exists():
        if resume and is_package(dest):
            return None, {}
        if not (is_package(dest) or _empty_dir(dest)):  # --force would not help: say so now
            raise OutputExistsError(f"{dest} exists and is not a package made by this tool: "
                                    "it is never replaced", str(dest),
                                    hint="choose another destination, or move it away")
        if not force:
            raise OutputExistsError(f"{dest} exists", str(dest), hint="--force replaces it"
                                    + ("; --resume checks that it holds every input"
                                       if is_package(dest) else ""))
    settings = {"tool": AGENT, "version": __version__,
                "formats": default_formats if formats is None else formats,
                "source_organization": organization,
                "reading": {key: value if (value := (reading or {}).get(key)) is not None
                            else default for key, default in DEFAULT_READING.items()}}
    work.mkdir(parents=True)  # a new folder: the one `held` locks, if any, was removed
    lock = _lock(work)
    write_atomic(work / STATE, json.dumps(settings, indent=2).encode("utf-8"))
    (work / "bag" / "data").mkdir(parents=True)
    return Workspace(dest, work, lock=lock), settings


@contextlib.contextmanager
def _opening(parent: Path) -> Iterator[None]:
    """Runs that open workspaces in one folder do it one at a time (a lock on the folder, for
    the milliseconds it takes): two runs started at the same instant into one DEST must not
    both find no workspace and both create it."""
    parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(work: Path) -> int | None:
    """Lock the workspace folder for this run (None when it does not exist yet); raises
    OutputExistsError when another run holds it. The kernel drops the lock if we die."""
    try:
        fd = os.open(work, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputExistsError(f"another `bulletin archive` is using {work}; wait for it to "
                                "end (or stop it) first", str(work)) from None
    return fd


def _stillborn(work: Path) -> bool:
    """A workspace killed before its state file was written: nothing in it but a temp file."""
    return work.is_dir() and all(p.name.startswith(TEMP_PREFIX) for p in work.iterdir())


def _empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def _resumed(state: dict[str, Any], formats: list[str] | None, organization: str | None,
             reading: dict[str, Any]) -> dict[str, Any]:
    if formats is not None and formats != state["formats"]:
        made = ",".join(state["formats"]) or "xml"
        raise ResumeMismatch(f"the interrupted archive run makes the formats {made}",
                             hint=f"resume it with --to {made}, or start again with --force")
    if organization is not None and organization != state["source_organization"]:
        was = state["source_organization"]
        raise ResumeMismatch(f"the interrupted archive run records the source organization "
                             f"{was!r}", hint="resume it with the same --source-organization")
    state["reading"] = {**DEFAULT_READING, **state.get("reading", {})}  # older workspaces
    for key, value in reading.items():
        if value is not None and value != state["reading"][key]:
            was, flag = state["reading"][key], f"--{key.replace('_', '-')}"
            given = was not in (None, False)
            raise ResumeMismatch(
                "the interrupted archive run was started "
                + (f"with {key} {was}" if given else f"without the {key} setting"),
                hint=(f"resume it with {flag} {was}" if was is not True else f"resume it with "
                      f"{flag}") if given else f"resume it without {flag}"
                + ", or start again with --force")
    return state


def bagging_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    return datetime.now(UTC).date().isoformat()


def sweep(bag: Path, index: Index) -> None:
    """Remove what no journal record claims: files of inputs whose record was lost in a kill,
    temporary files, and tag files of an interrupted finish."""
    for entry in os.scandir(bag):
        if entry.name != "data" and entry.name not in TAG_FILES:
            _remove(entry)  # bagit.txt, manifests, bag-info.txt of an interrupted finish
    for folder, _dirs, files in os.walk(bag / "data", topdown=False):
        for name in files:
            rel = os.path.relpath(os.path.join(folder, name), bag)
            if name.startswith(TEMP_PREFIX) or not index.claims(rel):
                os.unlink(os.path.join(folder, name))
        if folder != str(bag / "data") and not os.listdir(folder):
            os.rmdir(folder)


def finish(ws: Workspace, records: Iterable[Record], index: Index,
           settings: dict[str, Any], left_out: int) -> catalog.Totals:
    """Turn the staging folder into a bag, check it, and move it to DEST.

    The payload manifests come from the digests the workers computed as they made each file
    (recorded in the journal), so the finished payload is not read again here; what is checked
    is that the folder holds exactly the journal's files, at their sizes. `left_out` is how
    many rows this run's walk of the sources wrote into left-out.csv. `bulletin verify` and
    bagit-python's full validation re-hash everything.
    """
    if ws.resumed:  # a run that is never interrupted writes only what its journal claims
        sweep(ws.bag, index)
    totals = catalog.write(ws.bag, records, index, corpus="tei" in settings["formats"],
                           organization=settings["source_organization"])
    totals.left_out = left_out
    files, octets = _write_manifests(ws.bag, index)
    info = {
        "Bag-Software-Agent": f"{AGENT} {__version__} (BagIt 1.0)",
        "Bagging-Date": bagging_date(),
        "External-Description": DESCRIPTION,
        "Payload-Oxum": f"{octets}.{files}",
        "Renditions": ", ".join(settings["formats"]) or "none (canonical masters only)",
        "Input-Count": str(totals.inputs),
        "Archived-Input-Count": str(totals.archived),
        "Duplicate-Input-Count": str(totals.duplicates),
        "Quarantined-Input-Count": str(totals.quarantined),
        "Input-With-Warnings-Count": str(totals.warned),
        "Document-Count": str(totals.documents),
        "Left-Out-Count": str(totals.left_out),
    }
    if settings["source_organization"]:
        info["Source-Organization"] = settings["source_organization"]
    (ws.bag / "bagit.txt").write_text(BAGIT_TXT, "utf-8")
    (ws.bag / "bag-info.txt").write_text(
        "".join(f"{key}: {info[key]}\n" for key in sorted(info)), "utf-8")
    tag_files = sorted(p.name for p in ws.bag.iterdir()
                       if p.is_file() and not p.name.startswith("tagmanifest-"))
    for alg in ALGORITHMS:
        lines = []
        for name in tag_files:  # the collection's teiCorpus can be large: hash it in blocks
            with open(ws.bag / name, "rb") as f:
                lines.append(f"{hashlib.file_digest(f, alg).hexdigest()} {name}\n")
        (ws.bag / f"tagmanifest-{alg}.txt").write_text("".join(lines), "utf-8")
    os.sync()
    _move_into_place(ws)
    return totals


def _write_manifests(bag: Path, index: Index) -> tuple[int, int]:
    """Write the payload manifests from the journal's digests, checking each file's size on
    disk; then make sure no file is there that the journal does not claim. Streams: memory does
    not grow with the collection. Returns (files, octets) for Payload-Oxum."""
    files = octets = 0
    root = os.fspath(bag)
    with (open(bag / "manifest-sha256.txt", "w", encoding="utf-8") as m256,
          open(bag / "manifest-sha512.txt", "w", encoding="utf-8") as m512):
        for path, size, sha256, sha512 in index.files():
            try:
                found = os.stat(os.path.join(root, path)).st_size
            except FileNotFoundError:
                raise ArchiveError(f"{path}: recorded in the journal but missing from the "
                                   "staging folder", hint="start again with --force") from None
            if found != size:
                raise ArchiveError(f"{path}: not the size that was written; the staging "
                                   "folder was damaged", hint="start again with --force")
            m256.write(f"{sha256}  {path}\n")
            m512.write(f"{sha512}  {path}\n")
            files += 1
            octets += size
    if sum(len(names) for _, _, names in os.walk(bag / "data")) != files:
        for folder, _dirs, names in os.walk(bag / "data"):
            for name in names:
                path = os.path.relpath(os.path.join(folder, name), bag).replace(os.sep, "/")
                if not index.claims(path):
                    raise ArchiveError(f"{path}: in the payload but in no journal record; the "
                                       "staging folder was changed",
                                       hint="start again with --force")
    return files, octets


def _move_into_place(ws: Workspace) -> None:
    """Rename the bag to DEST; a package it replaces (--force) is removed only afterwards."""
    aside = ws.dest.with_name(ws.dest.name + ".replaced")
    if aside.exists() and not is_package(aside):
        raise OutputExistsError(f"{aside} is in the way (the old package is moved there "
                                "while the new one takes its place)", str(aside))
    if ws.dest.exists() and not _empty_dir(ws.dest):
        if aside.exists():
            shutil.rmtree(aside)
        os.rename(ws.dest, aside)
    os.rename(ws.bag, ws.dest)
    fd = os.open(ws.dest.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if aside.exists():
        shutil.rmtree(aside)
    remove_workspace(ws.work)


def remove_workspace(work: Path) -> None:
    """Delete a workspace, its state file last: killed half-way, what is left is still
    recognised as ours (a state file and no bag beside a finished package) and swept."""
    for entry in os.scandir(work):
        if entry.name != STATE:
            _remove(entry)
    (work / STATE).unlink(missing_ok=True)
    work.rmdir()


def _remove(entry: os.DirEntry[str]) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def read_totals(dest: Path) -> catalog.Totals:
    """The counts a finished package's bag-info.txt records."""
    info: dict[str, str] = {}
    for line in (dest / "bag-info.txt").read_text("utf-8").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return totals_of(info)


def totals_of(info: dict[str, str]) -> catalog.Totals:
    """The counts of a package's bag-info fields (0 for a count it does not give)."""
    def count(key: str) -> int:
        value = info.get(key, "")
        return int(value) if value.isdigit() else 0

    return catalog.Totals(inputs=count("Input-Count"), archived=count("Archived-Input-Count"),
                          duplicates=count("Duplicate-Input-Count"),
                          quarantined=count("Quarantined-Input-Count"),
                          warned=count("Input-With-Warnings-Count"),
                          documents=count("Document-Count"),
                          left_out=count("Left-Out-Count"))


def catalog_inputs(dest: Path) -> Iterator[tuple[str, str]]:
    """(sha256, source) of every input a finished package records, from its catalog."""
    for row in catalog.read(dest):
        yield row["sha256"], row["source"]
