"""Reproducible ZIP archives for the zip-based renditions (EPUB, DOCX).

The same entries must give the same bytes whatever the clock, time zone, umask or machine, so
every entry gets a fixed time, mode and host system, entries keep the order the caller gives,
and an OCF `mimetype` entry (EPUB) goes first, uncompressed, with no extra field. Archives are
assembled in memory and written in one piece, so the bytes do not depend on whether the
destination can seek (a file, or a pipe to stdout).

`write_zip(stream, entries, mimetype=..., date_time=..., base=...)` builds an archive from
`(name, bytes)` pairs: the EPUB writer hands it what ebooklib would have packed, the DOCX
writer the parts python-docx made for the document, after its template's other parts,
packed once per process (`pack`, given as `base`). An entry's bytes may also be given as a
function that writes them to the file it is handed: the DOCX writer serializes a long
document's body straight into the compressor, never holding its XML whole.

The records are written here (APPNOTE 6.3: local headers, central directory, end record, no
Zip64, as zipfile writes them) rather than by zipfile, for one reason: zipfile deflates every
entry with zlib's full 32 KB window, whose 256 KB of state is allocated and its 64 KB hash
table cleared for each entry; a bulletin's entries are 0.2-3 KB, and that clearing was most of
their compression (a third of an EPUB's writing). An entry that fits in a smaller window is
deflated with a window and hash table its size; a longer one exactly as zipfile did.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Iterable
from typing import IO, BinaryIO, NamedTuple, cast

DateTime = tuple[int, int, int, int, int, int]
#: An entry's bytes, or a function writing them to the entry.
Data = bytes | Callable[[IO[bytes]], None]

#: The earliest time a ZIP entry can carry; used when a document has no full date.
DOS_EPOCH: DateTime = (1980, 1, 1, 0, 0, 0)

MIMETYPE = "mimetype"

_STORED, _DEFLATED = 0, 8
_VERSION = 20  # ZIP 2.0: deflate; what zipfile writes as "version needed" and "made by"
_UNIX = 3  # the host system zipfile records on POSIX, pinned for every platform
_FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_UTF8 = 0x800  # general purpose flag: the name is UTF-8 (set only for a name that is not ASCII)
_LEVEL = 6  # zlib's default, which zipfile also uses
_FULL_WINDOW = 15  # zlib's largest window (32 KB), zipfile's for every entry
_LOOKAHEAD = 262  # zlib's MIN_LOOKAHEAD: a window reaches back this much less than its size
#: Entries up to this size get a window of at most half zlib's (`_deflater`).
_SMALL = (1 << (_FULL_WINDOW - 1)) - _LOOKAHEAD
_LIMIT = 0xFFFFFFFF  # sizes and offsets beyond this need Zip64, which no rendition comes near

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


class Packed(NamedTuple):
    """Entries packed once for many archives (a template's parts, see `pack`): their local
    records and their central directory records, whose offsets count from the first."""

    records: bytes
    directory: bytes
    members: int


def date_time(full_date: str | None) -> DateTime:
    """The entry time for a document of `full_date` (YYYY-MM-DD, see model.full_date), midnight.

    No date, and dates outside what ZIP can store (1980-2107), give the fixed DOS epoch.
    """
    if full_date:
        year, month, day = int(full_date[:4]), int(full_date[5:7]), int(full_date[8:10])
        if 1980 <= year <= 2107:
            return (year, month, day, 0, 0, 0)
    return DOS_EPOCH


def _deflater(size: int) -> zlib._Compress:
    """A raw deflate stream for an entry of `size` bytes: zipfile's (the full window, zlib's
    default memory level), unless a window of at most half that reaches back over the whole
    entry; the entry is then deflated with that window, a hash table twice its size and a
    symbol buffer that holds the whole entry, and comes out as the same bytes (no match is
    out of reach, no block is cut short: checked on 5,654 EPUBs and DOCXs)."""
    if size > _SMALL:
        return zlib.compressobj(_LEVEL, zlib.DEFLATED, -_FULL_WINDOW)
    bits = max(9, (size + _LOOKAHEAD - 1).bit_length())
    return zlib.compressobj(_LEVEL, zlib.DEFLATED, -bits, bits - 6)


class _Entry(io.RawIOBase):
    """The file an entry's bytes are written to: checksummed and deflated as they come. The
    first _SMALL bytes are held until more come or the entry ends, so that the window is
    chosen by the entry's size, whether its bytes come whole or in pieces."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.crc = 0
        self.size = 0
        self.held: list[bytes] = []
        self.deflate: zlib._Compress | None = None  # once the entry is longer than _SMALL

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        data = bytes(data)
        written = len(data)
        self.crc = zlib.crc32(data, self.crc)
        self.size += written
        if self.deflate is None:
            self.held.append(data)
            if self.size <= _SMALL:
                return written
            self.deflate = _deflater(self.size)
            data = b"".join(self.held)
            self.held = []
        self.out.write(self.deflate.compress(data))
        return written

    def finish(self) -> None:
        if self.deflate is None:
            self.deflate = _deflater(self.size)
            self.out.write(self.deflate.compress(b"".join(self.held)))
        self.out.write(self.deflate.flush())


class _Archive:
    """An archive being assembled in memory: its local records, then its central directory."""

    def __init__(self, base: Packed | None) -> None:
        self.out = io.BytesIO()
        self.directory = io.BytesIO()
        self.members = 0
        if base is not None:
            self.out.write(base.records)
            self.directory.write(base.directory)
            self.members = base.members

    def add(self, name: str, data: Data, when: DateTime, method: int = _DEFLATED) -> None:
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8
        dos_time = when[3] << 11 | when[4] << 5 | when[5] // 2
        dos_date = (when[0] - 1980) << 9 | when[1] << 5 | when[2]
        offset = self.out.tell()
        self.out.write(_LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, method, dos_time,
                                   dos_date, 0, 0, 0, len(encoded), 0))
        self.out.write(encoded)
        start = self.out.tell()
        if method == _STORED:
            assert isinstance(data, bytes)
            self.out.write(data)
            crc, size = zlib.crc32(data), len(data)
        else:
            entry = _Entry(self.out)
            if callable(data):
                data(cast(IO[bytes], entry))  # a file that can only be written
            else:
                entry.write(data)
            entry.finish()
            crc, size = entry.crc, entry.size
        end = self.out.tell()
        packed = end - start
        if max(size, packed, end) > _LIMIT or self.members == 0xFFFF:
            raise ValueError(f"{name}: too large for a ZIP archive without Zip64")
        self.out.seek(offset + 14)  # the local header's checksum and sizes, known now
        self.out.write(struct.pack("<3L", crc, packed, size))
        self.out.seek(end)
        self.directory.write(_CENTRAL.pack(
            b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags, method, dos_time, dos_date,
            crc, packed, size, len(encoded), 0, 0, 0, 0, _FILE_MODE, offset))
        self.directory.write(encoded)
        self.members += 1

    def packed(self) -> Packed:
        return Packed(self.out.getvalue(), self.directory.getvalue(), self.members)

    def write_to(self, stream: BinaryIO) -> None:
        directory = self.directory.getbuffer()
        at = self.out.tell()
        if at + len(directory) > _LIMIT:
            raise ValueError("too large for a ZIP archive without Zip64")
        self.out.write(directory)
        self.out.write(_END.pack(b"PK\x05\x06", 0, 0, self.members, self.members, len(directory),
                                 at, 0))
        stream.write(self.out.getbuffer())


def _assembled(entries: Iterable[tuple[str, Data]], mimetype: str | None, when: DateTime,
               base: Packed | None) -> _Archive:
    if mimetype is not None and base is not None:
        raise ValueError("the mimetype entry must come first: it cannot follow a base")
    archive = _Archive(base)
    if mimetype is not None:
        archive.add(MIMETYPE, mimetype.encode("ascii"), when, _STORED)
    for name, data in entries:
        if mimetype is not None and name == MIMETYPE:
            raise ValueError("the mimetype entry is written from the mimetype argument")
        archive.add(name, data, when)
    return archive


def pack(entries: Iterable[tuple[str, Data]], *, date_time: DateTime = DOS_EPOCH) -> Packed:
    """`entries` packed once, to begin many archives with (`write_zip`'s `base`)."""
    return _assembled(entries, None, date_time, None).packed()


def write_zip(
    stream: BinaryIO,
    entries: Iterable[tuple[str, Data]],
    *,
    mimetype: str | None = None,
    date_time: DateTime = DOS_EPOCH,
    base: Packed | None = None,
) -> None:
    """Write a reproducible archive of `entries` (in the given order) to `stream`.

    With `mimetype`, an uncompressed `mimetype` entry holding that text comes first, as the
    EPUB container format requires; entries named `mimetype` in `entries` are then refused.
    `base` (see `pack`) comes first as it is: entries every archive of a kind shares (a
    template's styles) are compressed once, not once per archive.
    """
    _assembled(entries, mimetype, date_time, base).write_to(stream)
