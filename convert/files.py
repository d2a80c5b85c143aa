"""Safe file output: every file this package writes appears whole or not at all.

Outputs are written to a temporary file in the destination folder, flushed and fsynced, then
renamed over the final name (an atomic step on POSIX), so an interrupted run never leaves a
half-written file behind, and a leftover temporary file is recognisable by its prefix. The one
exception, `write_in_place`, is for a package's payload, which counts only once a journal
records it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .messages import OutputExistsError

TEMP_PREFIX = ".bulletin-tmp-"

# mkstemp creates files readable by their owner only; finished outputs get the usual mode.
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_output(path: Path, *, force: bool = False, fsync: bool = True) -> Iterator[BinaryIO]:
    """Open a binary stream whose content replaces `path` only if the block finishes.

    Raises OutputExistsError when `path` exists and `force` is false.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(f"{path} exists; use --force to overwrite it", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            if fsync:
                os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, data: bytes, *, force: bool = False, fsync: bool = True) -> None:
    """Write `data` to `path` atomically (see `atomic_output`)."""
    with atomic_output(path, force=force, fsync=fsync) as stream:
        stream.write(data)


def write_in_place(path: str | os.PathLike[str], data: bytes, *, exclusive: bool = False) -> None:
    """Write `data` to `path` directly: no temporary file, no fsync, for files whose commit
    point is elsewhere (an archive's journal). `exclusive` refuses an existing file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
