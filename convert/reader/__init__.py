"""The readers: inputs (bulletin text, canonical XML, web pages, web archives) to canonical
documents.

`read` takes bytes, `read_file` a path; both choose a reader (`formats.choose`: `reader=` wins,
then the input's content, then its name) and return a `ParseResult` with the documents (a
digest page gives one per item, a WARC file one per page it holds), the messages about them
and how each was read, or raise `InputError` when the input cannot become a bulletin at all.
The documents of text and web pages still need the transforms (`ParseResult.transforms`): the
pipeline runs them (`convert.parse`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Unpack

from .. import model
from ..files import open_input, read_rest
from ..messages import display_path
from . import formats
from .base import SNIFF_BYTES, Capture, Input, ParseResult, Reader, Reading
from .profile import get as get_profile

__all__ = ["Capture", "Input", "ParseResult", "Reader", "Reading", "read", "read_file"]


def _checked(reading: Reading) -> None:
    """Refuse what no input could be read with, before anything is read."""
    model.language(reading.get("lang") or "en")  # ValueError for no BCP 47 tag
    get_profile(reading.get("profile"))  # ValueError for an unknown profile
    formats.check(reading.get("reader"))  # ReaderError for an unknown reader


def read(data: bytes | str, *, name: str | None = None, source: str | None = None,
         media_type: str | None = None, capture: Capture | None = None,
         **reading: Unpack[Reading]) -> ParseResult:
    """Read one input (see `Reading`). `name` is the original file name recorded in the
    document; `source` is how messages name the input (a path), defaulting to `name`;
    `media_type` and `capture` are what a container knew of it (a WARC record's HTTP
    Content-Type and headers). Text a caller decoded already (a str) is only cleaned."""
    _checked(reading)
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    reader = formats.choose(raw[:SNIFF_BYTES], name, reading.get("reader"))
    item = Input(raw, name, source or name, reading, media_type, capture)
    if isinstance(data, str) and reader.name == formats.FALLBACK:
        from .text import TextReader

        return TextReader().read_decoded(data, item)
    return reader.read(item)


def read_file(path: str | os.PathLike[str], **reading: Unpack[Reading]) -> ParseResult:
    """Read the file at `path` (see `read`); raises InputError when it cannot be read, is
    not a regular file (a pipe would hang, a device never end) or is too large. A container
    (a WARC file) is streamed, record by record, whatever its size."""
    _checked(reading)
    path = Path(path)
    with open_input(path) as f:
        head = f.read(SNIFF_BYTES)
        reader = formats.choose(head, path.name, reading.get("reader"))
        data = b"" if formats.is_container(reader) else read_rest(f, head, path)
    if formats.is_container(reader):
        from .warc import read_container

        return read_container(reader, path, reading)
    return reader.read(Input(data, display_path(path.name), display_path(path), reading))
