"""Safe file output: every file this package writes appears whole or not at all.

Outputs are written to a temporary file in the destination folder, then renamed over the final
name (an atomic step on POSIX), so an interrupted run never leaves a half-written file behind,
and a leftover temporary file is recognisable by its prefix. A single file is fsynced before
its rename (`atomic_output`); a batch writes its temporary files unsynced and makes them all
durable at once when it is done (`temporary_output`, then `make_durable`): one fsync per
file cost more than the conversions themselves. The one exception, `write_in_place`, is for a
package's payload, which counts only once a journal records it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .messages import InputError, OutputExistsError, display_path

TEMP_PREFIX = ".bulletin-tmp-"
#: Inputs larger than this are refused unread (an archive quarantines them): no bulletin is
#: this big, and a named /dev/zero or a huge log must not fill the memory.
MAX_INPUT_BYTES = 64 << 20


def write_failure(exc: Exception) -> str:
    """Why a write failed, in the system's words. SQLite says "database or disk is full" where
    every other write says "No space left on device": one message is what people search for,
    whichever write met the full disk first."""
    if getattr(exc, "sqlite_errorname", None) == "SQLITE_FULL":
        return f"{os.strerror(errno.ENOSPC)} ({exc})"
    return str(getattr(exc, "strerror", None) or exc)


# mkstemp creates files readable by their owner only; finished outputs get the usual mode.
_UMASK = os.umask(0)
os.umask(_UMASK)


def exists_error(path: Path) -> OutputExistsError:
    """What refusing to replace the existing output `path` says."""
    return OutputExistsError("exists; not overwritten", str(path), hint="--force overwrites it",
                             kind="exists")


@contextlib.contextmanager
def _temporary(folder: Path, tag: str) -> Iterator[tuple[BinaryIO, str]]:
    """A new temporary file in `folder` (made if needed), with the usual mode: the stream and
    its path. The file is removed if the block fails."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX + tag, dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as stream:
            yield stream, tmp
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_output(path: Path, *, force: bool = False, fsync: bool = True) -> Iterator[BinaryIO]:
    """Open a binary stream whose content replaces `path` only if the block finishes.

    Raises OutputExistsError when `path` exists and `force` is false.
    """
    path = Path(path)
    if path.exists() and not force:
        raise exists_error(path)
    with _temporary(path.parent, "") as (stream, tmp):
        yield stream
        stream.flush()
        if fsync:
            os.fsync(stream.fileno())
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def temporary_output(folder: Path, tag: str = "") -> Iterator[tuple[BinaryIO, Path]]:
    """A new temporary file in `folder` to write an output into, unsynced, for a batch that
    renames it over its final name once it has decided to, and syncs once at its end (the
    stream and its path; the file is removed if the block fails). `tag` goes into the name,
    so that the batch can find what it leaves behind (see `remove_temporary`)."""
    with _temporary(folder, tag) as (stream, tmp):
        yield stream, Path(tmp)


def _host_name() -> str:
    """This machine's name: uname's node name, which is what gethostname() returns on POSIX
    (the socket module, 3-6 ms of every command's start, is imported only elsewhere)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


#: This machine, in a batch's tag: a batch of another machine writing into a shared folder
#: is never judged by this machine's processes.
_HOST = hashlib.sha256(_host_name().encode()).hexdigest()[:4]


def batch_tag() -> str:
    """A tag for the names of a batch's temporary files: this machine, the process that
    renames them into place, and a random part (see `remove_temporary`)."""
    return f"{_HOST}{os.getpid()}-{os.urandom(3).hex()}-"


def remove_temporary(folders: Iterable[Path], tag: str) -> None:
    """Remove the temporary files of the batch `tag` from `folders`: what its workers wrote
    for outputs the batch never renamed into place (it was interrupted, a worker was killed);
    and those of earlier batches of this machine whose process is gone (killed with -9, it
    could not remove its own), so that a run that finishes an interrupted one cleans up."""
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.startswith(TEMP_PREFIX + tag) or _orphan(name):
                with contextlib.suppress(OSError):
                    os.unlink(folder / name)


def _orphan(name: str) -> bool:
    """Whether `name` is a temporary file of a batch of this machine whose process is gone."""
    mine = TEMP_PREFIX + _HOST
    pid = name[len(mine):].partition("-")[0] if name.startswith(mine) else ""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def sync_file_systems(folders: Iterable[Path]) -> None:
    """Make everything written to the file systems holding `folders` durable: one syncfs(2)
    per file system (os.sync() where there is no syncfs), which writes back every file and
    folder changed there (renames included) with one flush of the disk's cache, where an
    fsync of each file flushes it once per file. Raises OSError."""
    devices: dict[int, Path] = {}
    for folder in folders:
        with contextlib.suppress(OSError):
            devices.setdefault(os.stat(folder).st_dev, folder)
    if not devices:
        return
    syncfs = _syncfs()
    if syncfs is None:
        os.sync()
        return
    for folder in devices.values():
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
        try:
            if syncfs(fd) != 0:
                import ctypes

                code = ctypes.get_errno()
                raise OSError(code, os.strerror(code), str(folder))
        finally:
            os.close(fd)


#: Up to this many files, a batch is made durable by an fsync of each file and folder: a sync of
#: their file system also waits for all that other programs have not yet written there (a
#: download, a copy: seconds), where a few fsyncs take a few milliseconds.
FSYNC_EACH_MAX = 16


def make_durable(files: Collection[Path], folders: Iterable[Path]) -> None:
    """Make `files`, renamed into `folders`, durable: each file and folder fsynced when they
    are few (FSYNC_EACH_MAX), else their file systems synced once. Raises OSError."""
    if len(files) > FSYNC_EACH_MAX:
        sync_file_systems(folders)
        return
    for path in [*files, *folders]:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _syncfs() -> Any:
    """libc's syncfs (Linux), or None."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError, ImportError):
        return None


def write_atomic(path: Path, data: bytes | memoryview, *, force: bool = False,
                 fsync: bool = True) -> None:
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


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """Open an input for reading, refusing what is not a regular file (a FIFO would hang the
    run, a device would never end) with InputError."""
    shown = display_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _cannot_open(path, exc) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError("not a regular file (a device, a pipe or a socket); only files are "
                         "read", shown)
    return os.fdopen(fd, "rb")


def _cannot_open(path: str | os.PathLike[str], exc: OSError) -> InputError:
    """Why an input cannot be opened, and what to do. A link to nothing is named as one:
    `ls` lists it, so "No such file or directory" alone puzzles (field test)."""
    shown = display_path(path)
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return InputError(f"cannot read: a symbolic link to "
                              f"{display_path(os.readlink(path))}, which does not exist", shown,
                              hint="remove the link, or restore the file it points to")
        return InputError("no such file or folder", shown)  # as every command words it
    return InputError(f"cannot read: {exc.strerror or exc}", shown,
                      hint="make it readable (chmod u+r)" if exc.errno == errno.EACCES
                      else None)


def read_stdin(limit: int = MAX_INPUT_BYTES) -> bytes:
    """Standard input's bytes, with the same limit as a file's (`bulletin parse - <
    /dev/zero` must not fill the memory); InputError when it is closed or too long."""
    if sys.stdin is None:
        raise InputError("standard input is closed", "<stdin>")
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"too large for a bulletin (over {limit:,} bytes)", "<stdin>")
    return data


def read_input(path: str | os.PathLike[str], limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the input file `path`; InputError when it is not a regular file, cannot
    be read, or is larger than `limit`."""
    with open_input(path) as f:
        return read_rest(f, b"", path, limit)


def read_rest(f: BinaryIO, head: bytes, path: str | os.PathLike[str],
              limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the input `f` (opened by `open_input` at `path`) whose first bytes,
    `head`, were read already; InputError as `read_input` says."""
    size = os.fstat(f.fileno()).st_size
    try:
        data = head + f.read(limit + 1 - len(head)) if size <= limit else b""
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", display_path(path)) from exc
    if size > limit or len(data) > limit:
        raise InputError(f"too large for a bulletin ({max(size, len(data)):,} bytes; the "
                         f"limit is {limit:,})", display_path(path),
                         hint="a bulletin is a few kilobytes: split a file that holds many, "
                              "or leave this one out")
    return data
