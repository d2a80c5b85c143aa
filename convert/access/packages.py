"""Reading the packages `bulletin archive` made: what a site is built from.

A package is read through its own records, never by guessing from file names: catalog.csv
lists the archived inputs and their folders (`archiving.catalog.read`), and each folder's
PREMIS file (`archiving.provenance.read`) names the original, the canonical master of each
bulletin and every rendition made from it, with sizes and SHA-256 digests. Nothing is written.

What is checked on the way is what costs little: the package's declaration and tag files (the
catalogue the site is read from hashes to what the tag manifest says), that
every file the PREMIS records is there at its recorded size, and that each master's bytes (read
anyway) hash to the recorded digest. Anything else wrong, and any of these, is for
`bulletin verify`, which re-hashes everything: the error says so.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..archiving import catalog, layout, provenance
from ..archiving.bag import workspace_of
from ..messages import BulletinError, ExitCode, InputError, display_path
from ..walk import BAGIT_DECLARATION

#: The payload manifest `bulletin archive` writes (with SHA-512's beside it).
MANIFEST = "manifest-sha256.txt"
#: Its manifest of the tag files (bag-info.txt, catalog.csv, the payload manifests, ...).
TAG_MANIFEST = "tagmanifest-sha256.txt"


class PackageError(BulletinError):
    """A folder given as a package is not one, or is damaged."""

    exit_code = ExitCode.INVALID


@dataclass(frozen=True)
class Master:
    """One bulletin of an item: its canonical master and the renditions made from it."""

    file: provenance.RecordedObject
    data: bytes  # the master's bytes, checked against the recorded SHA-256
    renditions: list[provenance.RecordedObject]


@dataclass(frozen=True)
class Item:
    """One archived input: its folder (data/<year>/<name>), its PREMIS record and bulletins."""

    folder: str
    source: str  # the input's path as catalog.csv records it
    premis: bytes
    recorded: provenance.Recorded
    masters: list[Master]

    @property
    def original(self) -> provenance.RecordedObject:
        return self.recorded.objects[0]


class Package:
    """A finished package of this tool, opened for reading (PackageError if it is not one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = display_path(path)
        if not path.exists():
            if (work := workspace_of(path)).is_dir():
                raise PackageError("not a package yet: the archive run making it is unfinished "
                                   f"({display_path(work)})", self.shown,
                                   hint="finish it with `bulletin archive ... --resume`")
            # an input that is not there, as convert and archive say it
            raise InputError("no such file or folder", self.shown)
        if not path.is_dir():
            raise PackageError("not a folder: a package made by `bulletin archive` is one",
                               self.shown)
        if not (path / BAGIT_DECLARATION).is_file():
            raise PackageError("not a package made by `bulletin archive` (it holds no "
                               "bagit.txt)", self.shown,
                               hint=layout.GIVE_PACKAGE)
        if not (path / catalog.CATALOG).is_file():
            raise PackageError(f"a BagIt package, but not one made by `bulletin archive` (it "
                               f"holds no {catalog.CATALOG})", self.shown)
        self._check_records()
        self.info = _bag_info(path)

    def _check_records(self) -> None:
        """The catalogue the site is built from hashes to what the tag manifest recorded: an
        edited catalogue is damage, not content."""
        try:
            lines = (self.path / TAG_MANIFEST).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise self.damaged(f"its tag manifest cannot be read: {exc}", TAG_MANIFEST) from None
        recorded: dict[str, str] = {}
        for line in lines:  # "<digest> <path>"
            if len(parts := line.split(maxsplit=1)) == 2:
                recorded[parts[1].strip()] = parts[0].lower()
        name = catalog.CATALOG
        try:
            with open(self.path / name, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as exc:
            raise self.damaged(f"cannot be read: {exc.strerror or exc}", name) from None
        if recorded.get(name) != digest:
            raise self.damaged(f"{name} is not what {TAG_MANIFEST} records of it", name)

    def contents(self) -> str | None:
        """SHA-256 of the package's own records of what it holds (bag-info.txt, catalog.csv and
        its SHA-256 manifest of every payload file), streamed: the same value says the same
        inputs with the same bytes, unless the package was damaged since (`bulletin verify`
        finds that). None if one cannot be read."""
        h = hashlib.sha256()
        try:
            for name in ("bag-info.txt", catalog.CATALOG, MANIFEST):
                with open(self.path / name, "rb") as f:
                    while block := f.read(1 << 20):
                        h.update(block)
                h.update(b"\0")
        except OSError:
            return None
        return h.hexdigest()

    def damaged(self, what: str, where: str | None = None) -> PackageError:
        return PackageError(f"the package is damaged: {what}",
                            f"{self.shown}/{where}" if where else self.shown,
                            hint=f"run `bulletin verify {self.shown}` to see everything that "
                                 "is wrong with it")

    def archived(self) -> Iterator[tuple[str, str]]:
        """(folder, source) of every archived input, in catalogue order (a digest page's rows
        are one input); a folder that is not data/<year>/<name> is refused. An earlier version
        of an edited source (superseded) stays in the package only: a reader is shown the file
        as it now is, not the same bulletin twice."""
        last = None
        try:
            rows = catalog.read(self.path)
            for number, row in enumerate(rows, start=2):
                if "status" not in row or "folder" not in row:
                    raise self.damaged(f"line {number} lacks a status or a folder",
                                       catalog.CATALOG)
                if row["status"] != "archived" or row["folder"] == last \
                        or row.get("superseded") == "true":
                    continue
                last = folder = row["folder"]
                parts = folder.split("/")
                if (len(parts) != 3 or parts[0] != "data" or any(p in ("", ".", "..")
                                                                 for p in parts)
                        or not layout.SAFE_ID.fullmatch(parts[2].lower())):
                    raise self.damaged(f"catalog.csv names the folder {folder!r}, which no "
                                       "package holds", catalog.CATALOG)
                yield folder, row.get("source", "")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            if isinstance(exc, BulletinError):
                raise
            raise self.damaged(f"cannot be read: {exc}", catalog.CATALOG) from None

    def unchanged(self, folder: str, premis_sha256: str, sizes: Iterable[tuple[str, int]],
                  masters: Iterable[tuple[str, str]]) -> bool:
        """Whether the input in `folder` is as an earlier reading found it: the same PREMIS
        bytes (so the same records), the files it recorded, (path in the package, size), at
        their sizes, and its masters, (name, SHA-256), with their bytes: what `item` checks,
        without parsing anything. False sends the caller to `item`, which says what is
        wrong, if anything."""
        where = self.path / folder
        try:
            return (hashlib.sha256((where / layout.PREMIS_NAME).read_bytes()).hexdigest()
                    == premis_sha256
                    and all(os.stat(self.path / path).st_size == size for path, size in sizes)
                    and all(hashlib.sha256((where / name).read_bytes()).hexdigest() == sha
                            for name, sha in masters))
        except OSError:
            return False

    def item(self, folder: str, source: str) -> Item:
        """The archived input in `folder` (as `archived` gives it), read and checked."""
        where = self.path / folder
        try:
            premis = (where / layout.PREMIS_NAME).read_bytes()
        except OSError as exc:
            raise self.damaged(f"its provenance file cannot be read ({exc.strerror})",
                               f"{folder}/{layout.PREMIS_NAME}") from None
        try:
            recorded = provenance.read(premis)
        except etree.XMLSyntaxError as exc:
            raise self.damaged(f"its provenance file is not XML ({exc})",
                               f"{folder}/{layout.PREMIS_NAME}") from None
        for obj in recorded.objects:
            if not obj.name or "/" in obj.name or obj.name in (".", ".."):
                raise self.damaged(f"the provenance records {obj.name!r}, not a file of its "
                                   "folder", f"{folder}/{layout.PREMIS_NAME}")
            try:
                size = os.stat(where / obj.name).st_size
            except OSError:
                raise self.damaged("missing: its provenance records it",
                                   f"{folder}/{obj.name}") from None
            if size != obj.size:
                raise self.damaged(f"{size} bytes; its provenance records {obj.size}",
                                   f"{folder}/{obj.name}")
        masters = []
        for obj in recorded.masters():
            data = (where / obj.name).read_bytes()
            if hashlib.sha256(data).hexdigest() != obj.sha256:
                raise self.damaged("altered: its SHA-256 is not the one its provenance "
                                   "records", f"{folder}/{obj.name}")
            masters.append(Master(obj, data, recorded.renditions(obj.name)))
        if not masters:
            raise self.damaged("catalog.csv says it was archived, its provenance records no "
                               "canonical master", f"{folder}/{layout.PREMIS_NAME}")
        return Item(folder, source, premis, recorded, masters)


def _bag_info(path: Path) -> dict[str, str]:
    info: dict[str, str] = {}
    try:
        lines = (path / "bag-info.txt").read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return info
    for line in lines:
        key, sep, value = line.partition(":")
        if sep and not key.startswith((" ", "\t")):
            info[key.strip()] = value.strip()
    return info
