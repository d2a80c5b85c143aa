"""convert.writers.ziputil: the archives of the EPUB and DOCX writers.

ziputil writes the ZIP records itself so that a short entry is deflated with a window its size
(zipfile clears 256 KB of zlib state per entry); the archives must still be what zipfile would
have written, byte for byte, and read back by zipfile as written.
"""

from __future__ import annotations

import io
import random
import zipfile
from typing import IO

import pytest

from convert.writers import ziputil

WHEN = (2019, 5, 4, 0, 0, 0)


def _text(size: int, seed: int) -> bytes:
    """Markup-like bytes of `size`: the repetitive kind an EPUB's or a DOCX's parts are."""
    pick = random.Random(seed)
    words = ["<w:p>", "<w:r><w:t>", "harbour", "council", "Pirăeus", "—", "ferry", "</w:t>",
             "2019", "«toll»", "</w:r></w:p>", "quay", 'w:val="Quote"']
    out = bytearray()
    while len(out) < size:
        out += (pick.choice(words) + pick.choice(" \n")).encode()
    return bytes(out[:size])


def _zipfile_archive(entries: list[tuple[str, bytes]], mimetype: str | None = None) -> bytes:
    """The archive zipfile writes for `entries`, with ziputil's fixed times and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in ([(ziputil.MIMETYPE, mimetype.encode())] if mimetype else []) + entries:
            info = zipfile.ZipInfo(name, date_time=WHEN)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == ziputil.MIMETYPE \
                else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


SIZES = [0, 1, 40, 249, 250, 251, 511, 1000, 2300, 3834, 3835, 4096, 7900, 8000, 12_227,
         16_122, 16_123, 16_384, 30_000, 32_506, 32_507, 70_000, 400_000]


@pytest.mark.parametrize("size", SIZES)
def test_an_entry_is_deflated_to_the_bytes_zipfile_writes(size: int) -> None:
    """Whatever the window an entry of its size gets, its bytes are zipfile's: the same data
    gives the same package whatever the version of this tool made it."""
    entries = [(f"part-{seed}.xml", _text(size, seed)) for seed in range(4)]
    entries.append(("noise.bin", random.Random(size).randbytes(size)))
    ours = io.BytesIO()
    ziputil.write_zip(ours, entries, date_time=WHEN)
    assert ours.getvalue() == _zipfile_archive(entries)


def test_the_epub_layout_is_zipfiles() -> None:
    """The uncompressed `mimetype` first, then the entries in order, read back as written (a
    name that is not ASCII is flagged as UTF-8)."""
    entries = [("META-INF/container.xml", _text(251, 1)), ("EPUB/Ağaç.xhtml", _text(2457, 2))]
    ours = io.BytesIO()
    ziputil.write_zip(ours, entries, mimetype="application/epub+zip", date_time=WHEN)
    assert ours.getvalue() == _zipfile_archive(entries, "application/epub+zip")
    assert ours.getvalue()[30:38] == b"mimetype"  # the OCF's first entry, no extra field
    with zipfile.ZipFile(ours) as archive:
        assert archive.testzip() is None
        assert [(i.filename, i.date_time) for i in archive.infolist()] == [
            (ziputil.MIMETYPE, WHEN), ("META-INF/container.xml", WHEN),
            ("EPUB/Ağaç.xhtml", WHEN)]
        assert archive.read("EPUB/Ağaç.xhtml") == entries[1][1]


@pytest.mark.parametrize("size", [0, 300, 5000, 16_122, 16_123, 90_000])
def test_an_entry_written_in_pieces_is_the_entry_given_whole(size: int) -> None:
    """An entry handed over by a function, in pieces, gives the bytes of the same entry given
    whole: its window is chosen by its whole size either way."""
    data = _text(size, 5)

    def in_pieces(out: IO[bytes]) -> None:
        for start in range(0, len(data), 997):
            out.write(data[start:start + 997])

    packed = {}
    for how, given in (("whole", data), ("pieces", in_pieces)):
        buffer = io.BytesIO()
        ziputil.write_zip(buffer, [("a.xml", b"<a/>"), ("b.xml", given)], date_time=WHEN)
        packed[how] = buffer.getvalue()
    assert packed["whole"] == packed["pieces"]


def test_a_base_packed_once_begins_each_archive() -> None:
    """A DOCX template's parts, packed once: an archive of them and its own entries is the
    archive of all its entries written at once."""
    shared = [("word/styles.xml", _text(38_457, 7)), ("word/theme/theme1.xml", _text(10_939, 8))]
    own = [("word/document.xml", _text(3882, 9)), ("docProps/core.xml", _text(787, 10))]
    base = ziputil.pack(shared, date_time=WHEN)
    with_base, at_once = io.BytesIO(), io.BytesIO()
    ziputil.write_zip(with_base, own, date_time=WHEN, base=base)
    ziputil.write_zip(at_once, shared + own, date_time=WHEN)
    assert with_base.getvalue() == at_once.getvalue()
    with pytest.raises(ValueError, match="first"):
        ziputil.write_zip(io.BytesIO(), own, mimetype="application/epub+zip", base=base)

