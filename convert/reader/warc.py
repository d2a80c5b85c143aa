"""Web archives (WARC, ISO 28500): one file holding many captures, each an input of its own.

A WARC file is read as a stream, one record at a time (warcio), so its size does not matter:
- a `response` (or `resource`) record whose payload is HTML or text, captured with a 2xx
  status, is an input: its payload (the page as the server sent it, transfer and content
  encodings undone) is read by the reader its Content-Type calls for (HTML, text), and its
  WARC headers become the document's `source/capture` (target URI, WARC-Record-ID, WARC-Date,
  HTTP status and Content-Type, WARC-Payload-Digest, the file's name and the record's offset);
- a `revisit` record says a later capture had the payload of an earlier one: it makes no new
  document, and points to the earlier capture's (by its payload digest);
- a payload seen before in the same file is a duplicate: read once;
- everything else (requests, metadata, warcinfo, images, scripts, style sheets, redirects and
  error pages) is counted and skipped: the summary says how many of each;
- a truncated or corrupt file: every record up to the damage is read, then the damage is
  reported with its offset, and the bytes from there to the end of the file are handed on
  (the archive keeps them in quarantine: nothing is lost).

Each record's payload digest is checked against its bytes when the record has one (warcio's
`check_digests`); a mismatch is recorded (`capture/@digest-check="invalid"`) and warned of.
An input inside a WARC is named `FILE#OFFSET` in messages, catalogues and journals: the offset
is where the record starts in the file (in the compressed file for `.warc.gz`), as CDX indexes
name it, so it is the same in every run.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from ..files import MAX_INPUT_BYTES, open_input
from ..messages import (
    InputError,
    Level,
    Message,
    ReaderError,
    display_path,
    error,
    info,
    warning,
)
from .base import SNIFF_BYTES, Capture, Container, Input, Member, ParseResult, Reading, Tally
from .sniff import looks_like_warc

#: Media types of payloads read as inputs (the rest is counted and skipped).
PAGE_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}


def media_type_of(content_type: str | None) -> str | None:
    """"text/html; charset=utf-8" gives "text/html"."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _warcinfo_software(payload: bytes) -> str | None:
    for line in payload.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "software" and value.strip():
            return value.strip()
    return None


def _record_id(value: str | None) -> str:
    return (value or "").strip().strip("<>") or "unknown"


class WarcReader:
    """WARC files (.warc, .warc.gz): every HTML or text capture in them, with its provenance."""

    name: ClassVar[str] = "warc"
    extensions: ClassVar[tuple[str, ...]] = (".warc", ".warc.gz")
    media_type: ClassVar[str] = "application/warc"
    description: ClassVar[str] = (
        "a web archive (WARC 1.0/1.1, gzip or not): each HTML or text capture is an "
        "input, with its WARC provenance")
    requires: ClassVar[tuple[str, ...]] = ("warcio",)

    def sniff(self, head: bytes) -> bool:
        return looks_like_warc(head)

    def read(self, item: Input) -> ParseResult:
        return read_stream(self, io.BytesIO(item.data), item.name or "warc", item.reading,
                           item.source or item.name or "warc")

    def members(self, stream: BinaryIO, name: str, tally: Tally | None = None,
                sha256: str | None = None) -> Iterator[Member]:
        """The inputs of the WARC file open as `stream` (see the module), in file order."""
        try:
            from warcio.archiveiterator import ArchiveIterator
            from warcio.exceptions import ArchiveLoadFailed
        except ImportError as exc:
            raise ReaderError("reading WARC files needs warcio, which is not installed",
                              name, hint="pip install 'bulletin-convert[web]'") from exc
        tally = tally if tally is not None else Tally()
        try:
            size: int | None = os.fstat(stream.fileno()).st_size
        except (OSError, AttributeError, io.UnsupportedOperation):
            size = len(stream.getbuffer()) if isinstance(stream, io.BytesIO) else None
        software: str | None = None
        seen: dict[str, tuple[int, str]] = {}  # payload digest or record id -> offset, sha256
        iterator = ArchiveIterator(stream, check_digests=True)
        offset = 0
        while True:
            try:
                record = next(iterator, None)
                if record is None:
                    return
                # warcio knows a record's offset only once the record is read to its end
                # (get_record_offset reads the rest): `_member` asks after reading it
                member = self._member(record, name, iterator.get_record_offset, tally, seen,
                                      software, size, sha256)
                offset = iterator.get_record_offset()
            except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as exc:
                damaged = _resume_point(iterator, offset)
                tally.damaged = True
                yield _damage(stream, name, damaged, f"cannot read a record: {exc}")
                return
            if isinstance(member, str):  # the warcinfo record's software
                software = member
                continue
            if member is None:
                continue
            if member.kind == "damage":
                tally.damaged = True
                member = _with_tail(stream, member)
                yield member
                return
            yield member

    def _member(self, record: Any, name: str, where: Callable[[], int], tally: Tally,
                seen: dict[str, tuple[int, str]], software: str | None, size: int | None,
                warc_sha256: str | None) -> Member | str | None:
        """What one record is; `where()` gives its offset once its payload has been read."""
        import hashlib

        kind = record.rec_type
        headers = record.rec_headers
        if kind == "warcinfo":
            payload = record.content_stream().read(1 << 20)
            tally.skip("warcinfo")
            return _warcinfo_software(payload)
        if kind not in ("response", "resource", "revisit"):
            tally.skip(kind)
            return None  # the iterator skips the rest of the record
        http = record.http_headers
        status = http.get_statuscode() if http is not None and kind != "resource" else None
        content_type = http.get_header("Content-Type") if http is not None else \
            headers.get_header("Content-Type")
        if kind == "resource" and content_type is None:
            content_type = headers.get_header("Content-Type")
        capture = Capture(
            warc=os.path.basename(name), offset=0,
            record_id=_record_id(headers.get_header("WARC-Record-ID")),
            date=(headers.get_header("WARC-Date") or "").strip(),
            target=(headers.get_header("WARC-Target-URI") or "").strip().strip("<>"),
            status=int(status) if status and str(status).isdigit() else None,
            content_type=content_type, payload_digest=headers.get_header("WARC-Payload-Digest"),
            software=software, warc_size=size, warc_sha256=warc_sha256)
        if kind == "revisit":
            offset = where()
            source, capture = f"{name}#{offset}", _replace(capture, offset=offset)
            tally.revisits += 1
            refers = capture.payload_digest or _record_id(headers.get_header("WARC-Refers-To"))
            earlier = seen.get(refers or "") or seen.get(
                _record_id(headers.get_header("WARC-Refers-To")))
            return Member("revisit", source, offset, capture=capture, refers_to=refers,
                          sha256=earlier[1] if earlier else None,
                          reason=None if earlier is None else f"{name}#{earlier[0]}")
        media_type = media_type_of(content_type)
        if media_type not in PAGE_TYPES:
            tally.skip(f"{kind} {media_type or 'without a type'}")
            return None
        if status is not None and not 200 <= int(status) < 300:
            tally.skip(f"{kind} HTTP {status}")
            return None
        data = record.content_stream().read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            tally.skip(f"{kind} over {MAX_INPUT_BYTES >> 20} MB")
            return None
        offset = where()
        source, capture = f"{name}#{offset}", _replace(capture, offset=offset)
        if record.raw_stream.limit:  # the file ended inside the record
            return Member("damage", source, offset, reason=(
                f"the record at offset {offset:,} is cut short: {record.raw_stream.limit:,} of "
                f"its bytes are missing (truncated file)"))
        checker = getattr(record, "digest_checker", None)
        passed = getattr(checker, "passed", None)
        capture = _replace(capture, digest_check=None if passed is None else
                           ("valid" if passed else "invalid"))
        sha = hashlib.sha256(data).hexdigest()
        for key in (capture.payload_digest, capture.record_id):
            if key and key not in seen:
                seen[key] = (offset, sha)
        tally.inputs += 1
        return Member("input", source, offset, data, media_type, capture, sha256=sha)


def _replace(capture: Capture, **changes: Any) -> Capture:
    from dataclasses import replace

    return replace(capture, **changes)


def _resume_point(iterator: Any, last: int) -> int:
    """Where the damage starts: the end of the last record read whole, else `last`."""
    try:
        offset, length = iterator.get_record_offset(), iterator.get_record_length()
        if offset is not None and length:
            return int(offset) + int(length)
    except Exception:  # the iterator's state after a failure is its own business
        pass
    return last


def _damage(stream: BinaryIO, name: str, offset: int, reason: str) -> Member:
    return _with_tail(stream, Member("damage", f"{name}#{offset}", offset, reason=(
        f"the WARC file is damaged at offset {offset:,}: {reason}")))


def _with_tail(stream: BinaryIO, member: Member) -> Member:
    """The damage, with the file's bytes from its offset to the end (up to the input limit:
    a larger rest stays in the source file, whose offset the message names)."""
    from dataclasses import replace

    try:
        stream.seek(member.offset)
        tail = stream.read(MAX_INPUT_BYTES + 1)
    except (OSError, ValueError, io.UnsupportedOperation):
        tail = b""
    if len(tail) > MAX_INPUT_BYTES:
        return replace(member, data=b"", reason=f"{member.reason}; the rest of the file is "
                       f"over {MAX_INPUT_BYTES >> 20} MB and is not copied")
    return replace(member, data=tail)


def read_stream(reader: Container, stream: BinaryIO, name: str, reading: Reading,
                shown: str) -> ParseResult:
    """Every document of the captures in a WARC stream, with a summary of what was skipped;
    damage is an error message (the documents read before it are kept)."""
    from . import read

    tally = Tally()
    result = ParseResult([], reader=reader.name, media_type=reader.media_type)
    member_reading = Reading(**reading)
    first: dict[str, str] = {}  # payload sha256 -> the input it was read from
    for member in reader.members(stream, name, tally):
        if member.kind == "damage":
            result.messages.append(error(member.reason or "damaged", member.source,
                                         hint="the records before it were read"))
            continue
        if member.kind == "revisit":
            assert member.capture is not None
            where = f"the capture at {member.reason}" if member.reason else \
                "a capture not in this file"
            result.messages.append(info(f"revisit of {member.capture.target} on "
                                        f"{member.capture.date}: same page as {where}; no new "
                                        "document", member.source))
            continue
        if member.sha256 in first:
            result.messages.append(info(f"same payload as {first[member.sha256]}: a duplicate, "
                                        "read once", member.source))
            continue
        first[member.sha256 or ""] = member.source
        # --from names the container's reader; a page's is chosen by its Content-Type
        member_reading["reader"] = PAGE_TYPES.get(member.media_type or "")
        try:
            parsed = read(member.data, name=member.source, source=member.source,
                          media_type=member.media_type, capture=member.capture,
                          **member_reading)
        except InputError as exc:
            result.messages.extend(_as_warnings(exc.messages))
            continue
        result.documents.extend(parsed.documents)
        result.messages.extend(parsed.messages)
        result.traces.extend(parsed.traces)
        result.transforms = parsed.transforms or result.transforms
    result.messages.append(info(f"{tally.summary()}", shown))
    if not result.documents:  # damaged before its first page, or holding none: say why
        errors = [m for m in result.messages if m.level is Level.ERROR] or [
            error(f"no page in the WARC file became a bulletin ({tally.summary()})", shown)]
        raise InputError(errors[0].text, errors[0].source, messages=[
            *errors, *(m for m in result.messages if m.level is not Level.ERROR)])
    return result


def _as_warnings(messages: list[Message]) -> list[Message]:
    """A capture that is not a bulletin costs only itself: its error becomes a warning."""
    from dataclasses import replace

    return [replace(m, level=Level.WARNING) if m.level is Level.ERROR else m for m in messages]


def read_container(reader: Container, path: Path, reading: Reading) -> ParseResult:
    """Read a container file from disk, streamed (see `read_stream`)."""
    with open_input(path) as f:
        return read_stream(reader, f, display_path(path.name), reading, display_path(path))


__all__ = ["SNIFF_BYTES", "WarcReader", "media_type_of", "read_container",
           "read_stream", "warning"]
