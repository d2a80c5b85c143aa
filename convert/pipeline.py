"""The pipeline as library functions: reader, then transforms; and inputs to renditions.

`parse(data)` and `parse_file(path)` are the parse stage: a reader (bulletin text or canonical
XML) makes the documents, then the transforms they need run over them. `convert(sources, to,
dest)` parses each input (bulletin text or canonical XML; a folder is
walked), validates every document against the schema, and writes one file per document and
format. It never stops at the first problem: each input that fails is reported in the result's
messages and the others go on. Every file is written atomically, so a failed or interrupted
run leaves no half-written output behind.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Unpack

from . import model, transforms, writers
from .files import atomic_output
from .messages import (
    NOT_A_BULLETIN,
    BulletinError,
    ExitCode,
    Level,
    Message,
    UsageError,
    WriterError,
    display_path,
    printable,
    warning,
)
from .reader import Capture, ParseResult, Reading, read, read_file
from .reader import formats as readers
from .reader.profile import get as get_profile
from .schema import check
from .walk import Walk, package_around

#: `dest` value meaning "standard output".
STDOUT = "-"

Source = str | os.PathLike[str]


def _transformed(result: ParseResult) -> ParseResult:
    for doc in result.documents:
        transforms.apply(doc, result.transforms)
    result.transforms = ()
    return result


def parse(data: bytes, *, name: str | None = None, source: str | None = None,
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
    profile: str | None = None,
    reader: str | None = None,
    options: writers.WriteOptions | None = None,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ConvertResult:
    """Convert bulletin files and folders to the formats `to` ("tei,epub", "all", ["pdf"]).

    Outputs are named `<stem>.<extension>` (`<stem>-<n>.<extension>` for the items of a
    digest page), next to each input when `dest` is None, else in the folder `dest`
    (mirroring the subfolders of a walked folder). `dest` may instead name one file with a
    format's extension ("story.epub", "story.tei.xml": `to` may then be left out), or be "-"
    (standard output) or a binary stream: the inputs must then give one document (canonical
    XML, the "xml" format, may give several, written one after another), and `to` must name
    one format (else ValueError). Existing files are only replaced with `force`, or left
    alone without a word with `skip_existing` (to finish an interrupted run). Nothing is
    written into a BagIt package or an archive workspace. Unknown formats, and writers that
    cannot be loaded, raise WriterError; every other problem is reported in the result.
    `year`, `source_url`, `lang`, `encoding`, `profile` and `reader` (`--from`: a reader's
    name, instead of choosing one by each input's content and name) are given to the parser
    (see `convert.reader.Reading`); an unknown reader raises ReaderError; with `strict`, an
    input that does not look like a bulletin (no title, no dateline) is not converted.
    `progress(done, total)` is called after each input.
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
        else:
            stream = sys.stdout.buffer if dest == STDOUT else dest
            assert stream is not None and not isinstance(stream, str | os.PathLike)
            _to_stream(inputs, writer, stream, result, validate=validate, reading=reading,
                       options=opts)
        return result

    protected = {i.path.resolve() for i in inputs}  # never overwrite an input
    written: set[Path] = set()  # nor a file this run already wrote
    for done, item in enumerate(inputs, start=1):
        if progress is not None:
            progress(done - 1, len(inputs))
        if folder is None and not _outside_packages(item.path.parent, result):
            continue
        documents = _documents(item.path, result, validate=validate, reading=reading)
        for n, doc in enumerate(documents, start=1):
            suffix = f"-{n}" if len(documents) > 1 else ""
            for name, writer in chosen.items():
                target = _target(item, folder, f"{item.path.stem}{suffix}.{writer.extension}")
                resolved = target.resolve()
                if resolved in protected or resolved in written:
                    what = "an input" if resolved in protected else "an output of this run"
                    result.fail(BulletinError(f"{target} would overwrite {what}; not written",
                                              str(item.path)))
                    continue
                if skip_existing and target.exists():
                    result.kept.append(target)
                    continue
                if _write(doc, writer, item.path, result, opts, target=target, force=force):
                    written.add(resolved)
                    result.outputs.append(Output(str(item.path), name, target))
    if progress is not None:
        progress(len(inputs), len(inputs))
    return result


def _single_file(dest: Source | BinaryIO | None, to: str | list[str] | None) -> Path | None:
    """`dest` as one output file: a path that is not a folder, whose name ends with the
    extension of a built-in format, or of the one format `to` names."""
    if not isinstance(dest, str | os.PathLike) or dest == STDOUT:
        return None
    raw = os.fspath(dest)
    if raw.endswith(("/", os.sep)) or os.path.isdir(raw):
        return None
    if writers.format_of(raw) is not None:
        return Path(raw)
    if to is not None:
        names = writers.resolve(to)
        if len(names) == 1 and raw.lower().endswith("." + writers.get(names[0]).extension):
            return Path(raw)
    return None


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
    seen: set[Path] = set()
    named = []
    for raw in sources:
        if os.path.lexists(raw):
            named.append(raw)
        else:
            result.fail(BulletinError("no such file or folder", display_path(raw)))
    walk = Walk(named, exclude=exclude, skip_outputs=True)
    for item in walk:
        candidate = _Input(Path(item.path), None if item.root is None else Path(item.root))
        key = candidate.path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(candidate)
    result.messages.extend(walk.skipped)
    return found


def _target(item: _Input, folder: Path | None, name: str) -> Path:
    if folder is None:
        return item.path.parent / name
    if item.root is None:
        return folder / name
    return folder / item.path.parent.relative_to(item.root) / name


def _documents(path: Path, result: ConvertResult, *, validate: bool,
               reading: dict[str, Any]) -> list[model.Element]:
    """The valid documents of one input; problems go to `result`."""
    strict = reading.get("strict", False)
    try:
        parsed = parse_file(path, **{k: v for k, v in reading.items() if k != "strict"})
    except BulletinError as exc:
        result.fail(exc)
        return []
    except Exception as exc:  # a bug must cost this input only, never the batch
        result.fail(BulletinError(f"unexpected failure while reading: {type(exc).__name__}: "
                                  f"{printable(str(exc))}", str(path),
                                  hint="please report this, with the input if you can"))
        return []
    result.messages.extend(parsed.messages)
    if any(m.level is Level.ERROR for m in parsed.messages):  # a damaged WARC, read in part
        result.failures.append(ExitCode.FAILED)
    if strict and any(m.kind == NOT_A_BULLETIN for m in parsed.messages):
        result.fail(BulletinError("not converted: no title and no dateline, this does not look "
                                  "like a bulletin", str(path),
                                  hint="without --strict it is converted as plain paragraphs"))
        return []
    documents = []
    for doc in parsed.documents:
        if validate:
            try:
                check(doc, str(path))
            except BulletinError as exc:
                result.fail(exc)
                continue
        documents.append(doc)
    return documents


def _write(doc: model.Element, writer: writers.Writer, source: Path, result: ConvertResult,
           options: writers.WriteOptions, *, target: Path | None = None, force: bool = False,
           stream: BinaryIO | None = None) -> bool:
    """Write one rendition to `target` (atomically) or `stream`; True when it was written.

    A writer that raises is reported as a failure of this document only, whatever the
    exception: a third-party writer's bug must not stop the other inputs. A writer renders
    into memory, and only this function writes files: a full disk or a read-only folder is
    then an OSError here, never a failure inside a writer's library (qpdf aborts the whole
    process when its output stream fails).
    """
    try:
        if target is not None:
            with atomic_output(target, force=force) as out:
                buffer = io.BytesIO()
                messages = writer.write(doc, buffer, options)
                out.write(buffer.getbuffer())
        else:
            assert stream is not None
            messages = writer.write(doc, stream, options)
    except BulletinError as exc:
        result.fail(exc)
        return False
    except OSError as exc:
        where = target or exc.filename or "the output"
        result.fail(WriterError(f"cannot write {where}: {exc.strerror or exc}", str(source),
                                hint="free some space or choose another output folder, then "
                                     "run the same command with --skip-existing"))
        return False
    except Exception as exc:
        result.fail(WriterError(f"the {writer.name} writer failed: {type(exc).__name__}: {exc}",
                                str(source)))
        return False
    result.messages.extend(m if m.source else m.at(str(source)) for m in messages)
    if any(m.level is Level.ERROR for m in messages):
        result.failures.append(ExitCode.FAILED)
    return True


def _single_document(inputs: list[_Input], result: ConvertResult, *, validate: bool,
                     reading: dict[str, Any], many: bool = False
                     ) -> list[tuple[Path, model.Element]]:
    """The documents of the inputs for one file or stream: one (or, with `many`, at least
    one), else nothing, and the reason in `result`."""
    found = [(item.path, doc) for item in inputs
             for doc in _documents(item.path, result, validate=validate, reading=reading)]
    if not result.ok or len(found) == 1 or (many and found):
        return found if result.ok else []
    source = str(inputs[0].path) if len(inputs) == 1 else None
    why = (" (a digest page gives one per item)" if len(inputs) == 1 and found else "")
    result.fail(UsageError(
        f"the input gives {len(found)} documents{why}; a single file or stream takes one",
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
    if skip_existing and target.exists():
        result.kept.append(target)
    elif path.resolve() == target.resolve():
        result.fail(BulletinError(f"{target} would overwrite an input; not written", str(path)))
    elif _write(doc, writer, path, result, options, target=target, force=force):
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
        if not _write(doc, writer, path, result, options, stream=buffer):
            return
    if found:
        stream.write(buffer.getvalue())
        stream.flush()
        result.outputs.extend(Output(str(path), writer.name, None) for path, _ in found)
