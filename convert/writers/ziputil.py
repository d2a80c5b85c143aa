"""Reproducible ZIP archives for the zip-based renditions (EPUB, DOCX).

The same entries must give the same bytes whatever the clock, time zone, umask or machine, so
every entry gets a fixed time, mode and host system, entries keep the order the caller gives,
and an OCF `mimetype` entry (EPUB) goes first, uncompressed, with no extra field. Archives are
assembled in memory and written in one piece, so the bytes do not depend on whether the
destination can seek (a file, or a pipe to stdout).

`write_zip(stream, entries, mimetype=..., date_time=..., base=...)` builds an archive from
`(name, bytes)` pairs: the EPUB writer hands it what ebooklib would have packed, the DOCX
writer the parts python-docx made for the document, after its template's other parts,
packed once per process (`base`). An entry's bytes may also be given as a function that
writes them to the file it is handed: the DOCX writer serializes a long document's body
straight into the compressor, never holding its XML whole.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from typing import IO, BinaryIO

DateTime = tuple[int, int, int, int, int, int]
#: An entry's bytes, or a function writing them to the entry.
Data = bytes | Callable[[IO[bytes]], None]

#: The earliest time a ZIP entry can carry; used when a document has no full date.
DOS_EPOCH: DateTime = (1980, 1, 1, 0, 0, 0)

MIMETYPE = "mimetype"

_UNIX = 3  # ZipInfo.create_system: the value zipfile uses on POSIX, pinned for every platform
_FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_LEVEL = 6  # zlib's default, which zipfile also takes for an entry written through open()


def date_time(full_date: str | None) -> DateTime:
    """The entry time for a document of `full_date` (YYYY-MM-DD, see model.full_date), midnight.

    No date, and dates outside what ZIP can store (1980-2107), give the fixed DOS epoch.
    """
    if full_date:
        year, month, day = int(full_date[:4]), int(full_date[5:7]), int(full_date[8:10])
        if 1980 <= year <= 2107:
            return (year, month, day, 0, 0, 0)
    return DOS_EPOCH


def _info(name: str, when: DateTime, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when)
    info.create_system = _UNIX
    info.external_attr = _FILE_MODE
    info.compress_type = compress
    return info


def write_zip(
    stream: BinaryIO,
    entries: Iterable[tuple[str, Data]],
    *,
    mimetype: str | None = None,
    date_time: DateTime = DOS_EPOCH,
    base: bytes = b"",
) -> None:
    """Write a reproducible archive of `entries` (in the given order) to `stream`.

    With `mimetype`, an uncompressed `mimetype` entry holding that text comes first, as the
    EPUB container format requires; entries named `mimetype` in `entries` are then refused.
    `base`, an archive this function made, comes first as it is: entries every archive of a
    kind shares (a template's styles) are compressed once, not once per archive.
    """
    buffer = io.BytesIO(base)
    with zipfile.ZipFile(buffer, "a" if base else "w") as archive:
        if mimetype is not None:
            archive.writestr(_info(MIMETYPE, date_time, zipfile.ZIP_STORED),
                             mimetype.encode("ascii"))
        for name, data in entries:
            if mimetype is not None and name == MIMETYPE:
                raise ValueError("the mimetype entry is written from the mimetype argument")
            info = _info(name, date_time, zipfile.ZIP_DEFLATED)
            if callable(data):
                with archive.open(info, "w") as entry:
                    data(entry)
            else:
                archive.writestr(info, data, compresslevel=_LEVEL)
    stream.write(buffer.getbuffer())

