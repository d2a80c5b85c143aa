"""The pipeline as library functions: reader, then transforms; and inputs to renditions.

`parse(data)` and `parse_file(path)` are the parse stage: a reader (bulletin text or canonical
XML) makes the documents, then the transforms they need run over them. `convert(sources, to,
dest)` parses each input (bulletin text or canonical XML; a folder is
walked), validates every document against the schema, and writes one file per document and
format. It never stops at the first problem: each input that fails is reported in the result's
messages and the others go on. Every file is written atomically, so a failed or interrupted
run leaves no half-written output behind.

A batch runs in two halves. `_render` reads one input and writes each of its renditions to a
temporary file beside its final name; the driver then takes the inputs in order (`_commit`)
and decides, for each rendition, whether it is renamed into place (it would overwrite an
input, an output of this run, or an existing file), so that every decision that depends on
order is the same however the inputs were rendered: one after the other in this process, or
by a pool of worker processes (`jobs`), where a worker that crashes or hangs costs only the
input it was on. The batch is made durable once, at its end (`files.make_durable`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Unpack, cast

from . import model, schema, transforms, writers
from .files import (
    atomic_output,
    batch_tag,
    exists_error,
    make_durable,
    read_stdin,
    remove_temporary,
    temporary_output,
    write_failure,
)
from .messages import (
    NOT_A_BULLETIN,
    BulletinError,
    ExitCode,
    Level,
    Message,
    UsageError,
    WriterError,
    display_path,
    info,
    printable,
    warning,
)
from .reader import Capture, ParseResult, Reading, read, read_file
from .reader import formats as readers
from .reader.profile import Profile
from .reader.profile import get as get_profile
from .schema import check
from .walk import LEFT_OUT, Walk, output_stem, package_around

#: `dest` value meaning "standard output", and source meaning "standard input".
STDOUT = STDIN = "-"
#: How messages name standard input, and the stem of its outputs in a folder.
STDIN_NAME = "<stdin>"
#: Inputs a worker process must have to be worth starting (below, the batch runs in-process).
INPUTS_PER_WORKER = 4
#: Inputs sent to a worker at a time, at most.
CHUNK_SIZE = 16
#: Seconds a worker may spend on one input (and SECONDS_PER_MB more per megabyte, see
#: `convert.pool.allowed`) before it is killed and the input fails.
TIMEOUT = 120.0

Source = str | os.PathLike[str]


def _transformed(result: ParseResult) -> ParseResult:
    for doc in result.documents:
        transforms.apply(doc, result.transforms)
    result.transforms = ()
    return result


def parse(data: bytes | str, *, name: str | None = None, source: str | None = None,
          media_type: str | None = None, capture: Capture | None = None,
          **reading: Unpack[Reading]) -> ParseResult:
    """Parse one input: `convert.reader.read` (same arguments), then the transforms."""
    return _transformed(read(data, name=name, source=source, media_type=media_type,
                             capture=capture, **reading))


def parse_file(path: str | os.PathLike[str], **reading: Unpack[Reading]) -> ParseResult:
    """Parse the file at `path`: `convert.reader.read_file`, then the transforms."""
    return _transformed(read_file(path, **reading))


@dataclass(frozen=True)
class Output:
    """One rendition written: which input it came from, its format, and where it went."""

    source: str
    format: str
    path: Path | None  # None when written to a stream


@dataclass
class ConvertResult:
    """What a run did: the outputs written, every message, and why inputs failed."""

    outputs: list[Output] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    failures: list[ExitCode] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # existing outputs left alone (skip_existing)
    inputs: int = 0  # files read

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> ExitCode:
        """OK; the code of the failures when they are all of one kind; FAILED when mixed."""
        kinds = set(self.failures)
        if not kinds:
            return ExitCode.OK
        return kinds.pop() if len(kinds) == 1 else ExitCode.FAILED

    def fail(self, exc: BulletinError) -> None:
        self.messages.extend(exc.messages)
        self.failures.append(exc.exit_code)


@dataclass(frozen=True)
class _Input:
    path: Path
    root: Path | None  # the folder it was found in by a walk (outputs mirror the subfolders)


def convert(
    sources: Source | Iterable[Source],
    to: str | list[str] | None = None,
    dest: Source | BinaryIO | None = None,
    *,
    force: bool = False,
    skip_existing: bool = False,
    validate: bool = True,
    year: int | None = None,
    source_url: str | None = None,
    lang: str = "en",
    encoding: str | None = None,
    profile: str | Profile | None = None,
    reader: str | None = None,
    options: writers.WriteOptions | None = None,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> ConvertResult:
    """Convert bulletin files and folders to the formats `to` ("tei,epub", "all", ["pdf"]).

    Outputs are named `<stem>.<extension>` (`<stem>-<n>.<extension>` for the items of a
    digest page), next to each input when `dest` is None, else in the folder `dest`
    (mirroring the subfolders of a walked folder; a `dest` that is a file is a ValueError).
    `dest` may instead name one file with a format's extension ("story.epub",
    "story.tei.xml": `to` may then be left out), or be "-" (standard output) or a binary
    stream: the inputs that can be read must then give one document (canonical XML, the
    "xml" format, may give several, written one after another), and `to` must name one format
    (else ValueError). Existing files are only replaced with `force`, or left
    alone without a word with `skip_existing` (to finish an interrupted run). Nothing is
    written into a BagIt package or an archive workspace. Unknown formats, and writers that
    cannot be loaded, raise WriterError; every other problem is reported in the result.
    `year`, `source_url`, `lang`, `encoding`, `profile` and `reader` (`--from`: a reader's
    name, instead of choosing one by each input's content and name) are given to the parser
    (see `convert.reader.Reading`: `profile` may be a `Profile`); an unknown reader raises
    ReaderError, an unknown profile or a `lang` that is no BCP 47 tag ValueError; with
    `strict`, an input that does not look like a bulletin (no title, no dateline) is not
    converted.
    `progress(done, total)` is called before the first input and after each one.

    `jobs` worker processes convert a folder's inputs (default: one per usable CPU; with 1,
    or few inputs, they are converted in this process); the outputs, their names and the
    messages are the same whatever the number, in input order. With workers, an input that
    crashes its worker (a library's segfault) or takes longer than TIMEOUT fails alone. The
    outputs are durable (synced to disk) when the function returns.
    """
    get_profile(profile)  # ValueError for an unknown name, before anything is read
    reading = {"year": year, "source_url": source_url, "lang": model.language(lang),
               "encoding": encoding, "profile": profile, "reader": readers.check(reader),
               "strict": strict}
    file = _single_file(dest, to)
    if to is None:
        if file is None:
            raise ValueError("no format given, and the destination names no file of a known "
                             "format")
        to = writers.format_of(file)
    if to is None:
        raise ValueError(f"{file} names no known format")
    formats = writers.resolve(to)
    chosen = {name: writers.get(name) for name in formats}  # one instance per run
    opts = options or writers.WriteOptions()
    result = ConvertResult()
    folder = Path(dest) if file is None and isinstance(dest, str | os.PathLike) \
        and dest != STDOUT else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder: name a folder for the outputs, or "
                         "one output file by its format's extension (story.epub)")
    if (target := file or folder) is not None and not _outside_packages(target, result):
        return result
    names = [sources] if isinstance(sources, str | os.PathLike) else sources
    inputs = _inputs(names, result, exclude=[folder] if folder else [])
    result.inputs = len(inputs)
    if not inputs and result.ok:
        result.messages.append(warning("no bulletin files (.txt, .xml, .html, .warc) to "
                                       "convert"))

    if file is not None or dest == STDOUT or (dest is not None and folder is None):
        if len(formats) != 1:
            raise ValueError("a single file or stream takes exactly one format")
        writer = chosen[formats[0]]
        if file is not None:
            _to_file(inputs, writer, file, result, validate=validate, reading=reading,
                     options=opts, force=force, skip_existing=skip_existing)
        elif dest == STDOUT and sys.stdout is None:
            result.fail(BulletinError("standard output is closed", hint="write to a file with "
                                      "-o FILE"))
        else:
            stream = sys.stdout.buffer if dest == STDOUT else dest
            assert stream is not None and not isinstance(stream, str | os.PathLike)
            _to_stream(inputs, writer, stream, result, validate=validate, reading=reading,
                       options=opts)
        return result

    _batch(inputs, _Job(tuple(chosen), folder, reading, validate, opts, force, skip_existing),
           chosen, result, jobs=jobs, progress=progress)
    return result


def _batch(inputs: list[_Input], job: _Job, chosen: dict[str, writers.Writer],
           result: ConvertResult, *, jobs: int | None,
           progress: Callable[[int, int], None] | None) -> None:
    """Convert `inputs` into files: rendered by workers (or here), committed in order, then
    synced once."""
    tasks = [_Task(seq, item, _size(item.path)) for seq, item in enumerate(inputs)]
    workers = min(jobs or _cpus(), len(tasks) // INPUTS_PER_WORKER)
    committed = _Commit(job, result, protected={_real(i.path) for i in inputs})
    if progress is not None:
        progress(0, len(tasks))
    try:
        with contextlib.closing(_rendered(tasks, job, chosen, workers)) as rendered:
            for task, outcome in zip(tasks, rendered, strict=True):
                committed.add(task.input, outcome)
                if progress is not None:
                    progress(task.seq + 1, len(tasks))
    finally:  # the workers are gone: what they wrote and nobody renamed can go
        remove_temporary({_folder_of(t.input, job.folder) for t in tasks}, job.tag)
    if committed.folders:
        try:
            make_durable(committed.written, committed.folders)
        except OSError as exc:
            result.fail(WriterError(f"the outputs were written but could not be synced to disk: "
                                    f"{write_failure(exc)}", display_path(exc.filename or ""),
                                    hint="check the disk, then run the same command with "
                                         "--force"))


def _cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it will say why


# --- the batch: inputs rendered (here or by workers), then committed in order ---------------


@dataclass(frozen=True)
class _Task:
    """One input of a batch, as a worker gets it (see `convert.pool.Task`)."""

    seq: int
    input: _Input
    size: int
    attempt: int = 1

    def retried(self) -> _Task:
        return replace(self, attempt=self.attempt + 1)


@dataclass
class _Rendition:
    """One document of an input in one format, rendered to a temporary file beside its final
    name (`temp`), unless its final name was taken already (`existed`)."""

    format: str
    target: Path
    temp: Path | None
    existed: bool
    outcome: ConvertResult  # what writing it said, or why it could not be written


@dataclass
class _Rendered:
    """What rendering one input gave (see `convert.pool.Result`)."""

    seq: int
    reading: ConvertResult  # what reading and validating the input said
    renditions: list[_Rendition] = field(default_factory=list)
    lost: str | None = None  # why it has no result: its worker crashed, or ran out of time
    retire: bool = False
    #: The sha256 of the text its documents were read from, and whether the input is a
    #: canonical master of that text rather than the text (see `_Commit.pair`).
    origin: tuple[str, bool] | None = None


@dataclass(frozen=True)
class _Job:
    """What every input of a batch is rendered with; the workers' `convert.pool.Work`."""

    formats: tuple[str, ...]
    folder: Path | None
    reading: dict[str, Any]
    validate: bool
    options: writers.WriteOptions
    force: bool
    skip_existing: bool
    #: In the names of the batch's temporary files: what it leaves is found and removed.
    tag: str = field(default_factory=batch_tag)

    def setup(self) -> None:
        pass

    def run(self, task: _Task) -> _Rendered:
        return _render(task, self, _worker_writers(self.formats))

    def failed(self, task: _Task, reason: str, retire: bool = False) -> _Rendered:
        return _Rendered(task.seq, ConvertResult(), lost=reason, retire=retire)

    def allowed(self, size: int) -> float:
        from .pool import allowed

        return allowed(TIMEOUT, size)

    def timed_out(self, size: int) -> str:
        return (f"timed out after {self.allowed(size):.0f} s (allowed for an input of "
                f"{size:,} bytes)")


_instances: dict[str, writers.Writer] = {}


def _worker_writers(formats: Iterable[str]) -> dict[str, writers.Writer]:
    """One instance of each writer for the life of a worker process."""
    for name in formats:
        if name not in _instances:
            _instances[name] = writers.get(name)
    return {name: _instances[name] for name in formats}


def _rendered(tasks: list[_Task], job: _Job, chosen: dict[str, writers.Writer],
              workers: int) -> Generator[_Rendered, None, None]:
    """What each task gave, in task order: rendered here, or by `workers` processes."""
    if workers <= 1:
        for task in tasks:
            yield _render(task, job, chosen)
        return
    from .pool import LocalPool, next_chunk, share

    pool = LocalPool(workers, job, fork=True, preload=[
        "convert.pipeline", *(type(w).__module__ for w in chosen.values())])
    if pool.forks:  # what every worker would load on its first input, loaded once for all
        readers.get(readers.FALLBACK)
        if job.validate:
            schema.load()
    queue = deque(tasks)
    ready: dict[int, _Rendered] = {}
    try:
        for seq in range(len(tasks)):
            while seq not in ready:
                while queue and pool.free_slots() > 0:
                    pool.submit(next_chunk(queue, share(len(queue), workers, CHUNK_SIZE)))
                results, retry = pool.collect(timeout=0.25)
                ready.update((r.seq, r) for r in results)
                queue.extendleft(reversed(retry))
            yield ready.pop(seq)
    finally:
        pool.close()


def _render(task: _Task, job: _Job, chosen: dict[str, writers.Writer]) -> _Rendered:
    """Read one input and write each rendition of each of its documents to a temporary file;
    what the driver must decide (see `_Commit`) is left to it."""
    item = task.input
    rendered = _Rendered(task.seq, ConvertResult())
    if job.folder is None and not _outside_packages(item.path.parent, rendered.reading):
        return rendered
    documents, master = _documents(item.path, rendered.reading, validate=job.validate,
                                   reading=job.reading)
    source = model.find(documents[0], "head/source") if documents else None
    if source is not None and (sha := source.get("sha256")):
        rendered.origin = (sha, master)
    long_input = task.size >= GIVE_BACK_FROM
    if long_input:
        _give_back_memory()
    for n, doc in enumerate(documents, start=1):
        suffix = f"-{n}" if len(documents) > 1 else ""
        for name, writer in chosen.items():
            stem = "stdin" if str(item.path) == STDIN else output_stem(item.path.name)
            target = _target(item, job.folder, f"{stem}{suffix}.{writer.extension}")
            outcome = ConvertResult()
            existed = _exists(target) and (job.skip_existing or not job.force)
            temp = None
            if not existed:
                try:
                    with temporary_output(target.parent, job.tag) as (stream, path):
                        messages = _rendition(doc, writer, item.path, job.options, target,
                                              stream)
                except BulletinError as exc:
                    outcome.fail(exc)
                except OSError as exc:
                    outcome.fail(_cannot_write(target, exc, item.path))
                else:
                    temp = path
                    _noted(outcome, messages, item.path)
                if long_input:
                    _give_back_memory()
            rendered.renditions.append(_Rendition(name, target, temp, existed, outcome))
    return rendered


#: Inputs of this size or more give the memory each stage freed back to the system.
GIVE_BACK_FROM = 1 << 20


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        return cast(Callable[[int], int], ctypes.CDLL(None).malloc_trim)
    except (OSError, AttributeError):  # a C library without it (not glibc)
        return None


def _give_back_memory() -> None:
    """Return what the last stage freed to the system (glibc's malloc_trim), so that the next
    one does not stack its peak on top: a writer of a long document frees hundreds of
    megabytes, part in the C heap (lxml, zlib), part in Python's arenas, and the next writer
    could reuse little of it (20 MB input to all formats: 424 -> 344 MB at the peak)."""
    if (trim := _malloc_trim()) is not None:
        trim(0)


class _Commit:
    """The driver's half of a batch: the inputs' renditions renamed into place, in order."""

    def __init__(self, job: _Job, result: ConvertResult, protected: set[Path]) -> None:
        self.job = job
        self.result = result
        self.protected = protected  # never overwrite an input
        self.written: set[Path] = set()  # nor a file this run already wrote
        self.folders: set[Path] = set()  # where outputs were renamed into place
        self.real_folders: dict[Path, Path] = {}  # output folder -> where it really is
        #: The inputs by the text they were read from (`_Rendered.origin`): texts, masters.
        self.origins: tuple[dict[str, str], dict[str, str]] = ({}, {})

    def add(self, item: _Input, rendered: _Rendered) -> None:
        result = self.result
        if rendered.lost is not None:
            result.fail(BulletinError(f"not converted: {rendered.lost}", str(item.path),
                                      hint="please report this, with the input if you can"))
            return
        result.messages.extend(rendered.reading.messages)
        result.failures.extend(rendered.reading.failures)
        if rendered.origin is not None:
            self.pair(display_path(item.path), *rendered.origin)
        for rendition in rendered.renditions:
            if not self._place(item, rendition) and rendition.temp is not None:
                rendition.temp.unlink(missing_ok=True)

    def pair(self, shown: str, sha: str, master: bool) -> None:
        """Warn of a canonical master converted in the same batch as the text it was made
        from: the same bulletin twice (`bulletin parse in -o in/masters`, then `convert in`;
        field test). `archive` warns alike."""
        texts, masters = self.origins
        (masters if master else texts).setdefault(sha, shown)
        other = (texts if master else masters).get(sha)
        if other is not None:
            text, copy = (other, shown) if master else (shown, other)
            self.result.messages.append(warning(
                f"a canonical master of {text}, which is converted too: the same bulletin is "
                "converted twice", copy, hint="convert the texts alone (leave the folder of "
                "masters out), or the masters alone", kind="master-and-text"))

    def _resolved(self, target: Path) -> Path:
        """Where `target` really is (see `_real`): its folder's real path, looked up once per
        folder, and its name, unless the name itself is a link."""
        if os.path.islink(target):
            return _real(target)
        folder = self.real_folders.get(target.parent)
        if folder is None:
            folder = self.real_folders[target.parent] = _real(target.parent)
        return folder / target.name

    def _place(self, item: _Input, r: _Rendition) -> bool:
        """Rename one rendition into place, or say why not; True when it was."""
        result, target = self.result, r.target
        resolved = self._resolved(target)
        if resolved in self.protected:
            result.fail(BulletinError(f"{target} would overwrite an input; not written",
                                      str(item.path), hint=_OVERWRITES_INPUT))
            return False
        if resolved in self.written:
            result.fail(BulletinError(
                f"{target} would overwrite an output of this run; not written", str(item.path),
                hint="two inputs give this name (story.txt and story.TXT, a digest page's "
                     "items and a file named like one of them, or files of two folders sent "
                     "to one): convert them into separate folders, or rename one"))
            return False
        if self.job.skip_existing and (r.existed or _exists(target)):
            result.kept.append(target)
            return False
        if r.existed or (not self.job.force and _exists(target)):
            result.fail(exists_error(target))
            return False
        if r.temp is None:  # it could not be rendered: the outcome says why
            result.messages.extend(r.outcome.messages)
            result.failures.extend(r.outcome.failures)
            return False
        try:
            os.replace(r.temp, target)
        except OSError as exc:
            result.fail(_cannot_write(target, exc, item.path))
            return False
        self.written.add(resolved)
        self.folders.add(target.parent)
        result.messages.extend(r.outcome.messages)
        result.failures.extend(r.outcome.failures)
        result.outputs.append(Output(str(item.path), r.format, target))
        return True


def _single_file(dest: Source | BinaryIO | None, to: str | list[str] | None) -> Path | None:
    """`dest` as one output file: a path that is not a folder, whose name ends with the
    extension of a built-in format, or of the one format `to` names."""
    if not isinstance(dest, str | os.PathLike) or dest == STDOUT:
        return None
    raw = os.fspath(dest)
    if raw.endswith(("/", os.sep)) or os.path.isdir(raw):
        return None
    named = writers.format_of(raw)
    if named is not None:
        if to is not None and len(asked := writers.resolve(to)) == 1 and not _same_kind(
                writers.EXTENSIONS[named], writers.get(asked[0]).extension):
            raise ValueError(f"{raw} names a {named} file, but the format asked for is "
                             f"{asked[0]}: name the file .{writers.get(asked[0]).extension}")
        return Path(raw)
    if to is not None:
        names = writers.resolve(to)
        if len(names) == 1 and raw.lower().endswith("." + writers.get(names[0]).extension):
            return Path(raw)
    return None


_OVERWRITES_INPUT = "write the outputs to another folder with -o DIR"


def _same_kind(a: str, b: str) -> bool:
    """Whether a file named .`a` may hold format .`b`: "xml" and "tei.xml" are both XML."""
    return a.endswith(b) or b.endswith(a)


def _outside_packages(path: Path, result: ConvertResult) -> bool:
    """False (and a failure in `result`) when `path` lies in a BagIt package or an archive
    workspace: only the archive run that made a package writes into it."""
    package = package_around(path)
    if package is None:
        return True
    result.fail(BulletinError(
        f"is inside {package}, a BagIt package or archive workspace; writing there would "
        "break its fixity, so nothing was written", display_path(path),
        hint="write the outputs elsewhere with -o DIR"))
    return False


def _inputs(sources: Iterable[Source], result: ConvertResult,
            exclude: Iterable[Source] = ()) -> list[_Input]:
    """The files to convert, in order, each once: files as given, folders walked (see
    `convert.walk`: packages, workspaces, the output folder and earlier outputs left out)."""
    found: list[_Input] = []
    seen: dict[Path, int] = {}  # where each file really is -> its place in `found`
    named = []
    for raw in sources:
        if os.fspath(raw) == STDIN:
            found.append(_Input(Path(STDIN), None))
            continue
        try:
            os.lstat(raw)
            named.append(raw)
        except FileNotFoundError:
            result.fail(BulletinError("no such file or folder", display_path(raw)))
        except OSError as exc:  # a folder on the way that cannot be read, a name too long
            result.fail(BulletinError(f"cannot read: {exc.strerror or exc}", display_path(raw)))
    walk = Walk(named, exclude=exclude, skip_outputs=True)
    for item in walk:
        candidate = _Input(Path(item.path), None if item.root is None else Path(item.root))
        key = _real(candidate.path)
        if key not in seen:
            seen[key] = len(found)
            found.append(candidate)
            continue
        # One file reached twice (a link to it, a folder given twice) is converted once:
        # under its own name rather than a link's, and the other name is told where it went.
        kept = found[seen[key]]
        if kept.path.is_symlink() and not candidate.path.is_symlink():
            found[seen[key]], candidate = candidate, kept
        result.messages.append(info(f"the same file as {display_path(found[seen[key]].path)}, "
                                    "converted under that name", display_path(candidate.path)))
    result.messages.extend(walk.skipped)
    if walk.unread:
        result.failures.append(ExitCode.FAILED)
    if walk.ignored:
        result.messages.append(info(f"{walk.ignored} file(s) in the folders walked were left out "
                                    f"({LEFT_OUT}); name a file to convert it anyway"))
    return found


def _real(path: Path) -> Path:
    """Where `path` really is (links followed; a link loop gives the path itself, where
    Path.resolve raises): what tells two names of one file apart."""
    return Path(os.path.realpath(path))


def _folder_of(item: _Input, folder: Path | None) -> Path:
    """Where the outputs of `item` go: beside it, or in `folder` (mirroring a walked
    folder's subfolders)."""
    if folder is None:
        return item.path.parent
    if item.root is None:
        return folder
    return folder / item.path.parent.relative_to(item.root)


def _target(item: _Input, folder: Path | None, name: str) -> Path:
    return _folder_of(item, folder) / name


def _documents(path: Path, result: ConvertResult, *, validate: bool,
               reading: dict[str, Any]) -> tuple[list[model.Element], bool]:
    """The valid documents of one input (standard input for "-"), and whether the input is
    canonical XML (a master); problems go to `result`."""
    strict = reading.get("strict", False)
    how = {k: v for k, v in reading.items() if k != "strict"}
    try:
        parsed = (parse(read_stdin(), source=STDIN_NAME, **how) if str(path) == STDIN
                  else parse_file(path, **how))
    except BulletinError as exc:
        result.fail(exc)
        return [], False
    except Exception as exc:  # a bug must cost this input only, never the batch
        result.fail(BulletinError(f"unexpected failure while reading: {type(exc).__name__}: "
                                  f"{printable(str(exc))}", str(path),
                                  hint="please report this, with the input if you can"))
        return [], False
    result.messages.extend(parsed.messages)
    if any(m.level is Level.ERROR for m in parsed.messages):  # a damaged WARC, read in part
        result.failures.append(ExitCode.FAILED)
    if strict and any(m.kind == NOT_A_BULLETIN for m in parsed.messages):
        result.fail(BulletinError("not converted: no title and no dateline, this does not look "
                                  "like a bulletin", str(path),
                                  hint="without --strict it is converted as plain paragraphs"))
        return [], False
    documents = []
    for doc in parsed.documents:
        if validate:
            try:
                check(doc, str(path))
            except BulletinError as exc:
                result.fail(exc)
                continue
        documents.append(doc)
    return documents, parsed.reader == "xml"  # the canonical XML reader: a master


def _rendition(doc: model.Element, writer: writers.Writer, source: Path,
               options: writers.WriteOptions, target: Path | None, stream: BinaryIO
               ) -> list[Message]:
    """Write one rendition into `stream` (the output's temporary file, so that a long
    bulletin's rendition is never held in memory besides what its writer builds); what the
    writer said. Raises BulletinError, saying why, when it fails.

    A writer that raises is reported as a failure of this document only, whatever the
    exception: a third-party writer's bug must not stop the other inputs. An OSError (the
    stream's full disk or read-only folder) says what could not be written.
    """
    try:
        return writer.write(doc, stream, options)
    except BulletinError:
        raise
    except OSError as exc:
        raise _cannot_write(target or exc.filename or "the output", exc, source) from exc
    except Exception as exc:
        raise WriterError(f"the {writer.name} writer failed: {type(exc).__name__}: {exc}",
                          str(source)) from exc


def _noted(result: ConvertResult, messages: list[Message], source: Path) -> None:
    """What a writer said of a rendition that was written; an error fails the run."""
    result.messages.extend(m if m.source else m.at(str(source)) for m in messages)
    if any(m.level is Level.ERROR for m in messages):
        result.failures.append(ExitCode.FAILED)


def _exists(target: Path) -> bool:
    """Whether the output `target` exists. A name its file system cannot hold (over 255
    bytes) does not: renaming into it says so, with the file and what to do (Path.exists
    raises for it on Python 3.11, which stopped the batch with a traceback; field test)."""
    try:
        return target.exists()
    except OSError:
        return False


def _cannot_write(where: object, exc: OSError, source: Path) -> WriterError:
    hint = ("free some space or choose another output folder" if exc.errno != errno.ENAMETOOLONG
            else "the file name is too long for the file system (most take 255 bytes): "
                 "shorten the input's name, or the output's")
    return WriterError(f"cannot write {where}: {write_failure(exc)}", str(source),
                       hint=f"{hint}, then run the same command with --skip-existing",
                       kind=f"cannot-write-{exc.errno}")


def _single_document(inputs: list[_Input], result: ConvertResult, *, validate: bool,
                     reading: dict[str, Any], many: bool = False
                     ) -> list[tuple[Path, model.Element]]:
    """The documents of the inputs for one file or stream: one (or, with `many`, any number),
    else nothing, and the reason in `result`. An input that cannot be read is reported and
    costs only itself, as in a batch: the one document of the others is still written."""
    found = [(item.path, doc) for item in inputs
             for doc in _documents(item.path, result, validate=validate, reading=reading)[0]]
    if len(found) <= 1 or many:
        return found
    givers = list(dict.fromkeys(str(path) for path, _ in found))
    if len(givers) == 1:
        source, what = givers[0], "the input gives"
        why = " (a digest page gives one per item)"
    else:  # several inputs: name them, not "the input" (field test)
        source, what = None, f"{len(givers)} inputs give"
        why = f" ({', '.join(givers[:3])}{', ...' if len(givers) > 3 else ''})"
    result.fail(UsageError(
        f"{what} {len(found)} documents{why}; a single file or stream takes one",
        source, hint="write them to a folder: -o DIR/ gives STEM-1, STEM-2, ..."))
    return []


def _to_file(inputs: list[_Input], writer: writers.Writer, target: Path,
             result: ConvertResult, *, validate: bool, reading: dict[str, Any],
             options: writers.WriteOptions, force: bool, skip_existing: bool) -> None:
    """Write the single document of the inputs to the file `target`."""
    found = _single_document(inputs, result, validate=validate, reading=reading)
    if not found:
        return
    path, doc = found[0]
    if skip_existing and _exists(target):
        result.kept.append(target)
    elif _real(path) == _real(target):
        result.fail(BulletinError(f"{target} would overwrite an input; not written", str(path),
                                  hint=_OVERWRITES_INPUT))
    elif not force and _exists(target):
        result.fail(exists_error(target))
    else:
        try:
            with atomic_output(target, force=force) as stream:
                messages = _rendition(doc, writer, path, options, target, stream)
        except BulletinError as exc:
            result.fail(exc)
        except OSError as exc:
            result.fail(_cannot_write(target, exc, path))
        else:
            _noted(result, messages, path)
            result.outputs.append(Output(str(path), writer.name, target))


def _to_stream(inputs: list[_Input], writer: writers.Writer, stream: BinaryIO,
               result: ConvertResult, *, validate: bool, reading: dict[str, Any],
               options: writers.WriteOptions) -> None:
    """Write the document of the inputs to `stream`, all at once or not at all; canonical
    XML may hold several documents, one after another."""
    found = _single_document(inputs, result, validate=validate, reading=reading,
                             many=writer.name == "xml")
    buffer = io.BytesIO()
    for path, doc in found:
        try:
            messages = _rendition(doc, writer, path, options, None, buffer)
        except BulletinError as exc:
            result.fail(exc)
            return
        _noted(result, messages, path)
    if found:
        stream.write(buffer.getvalue())
        stream.flush()
        result.outputs.extend(Output(str(path), writer.name, None) for path, _ in found)
