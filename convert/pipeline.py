"""The convert stage as a library function: bulletin files in, rendition files out.

`convert(sources, to, dest)` parses each input (bulletin text or canonical XML; a folder is
walked), validates every document against the schema, and writes one file per document and
format. It never stops at the first problem: each input that fails is reported in the result's
messages and the others go on. Every file is written atomically, so a failed or interrupted
run leaves no half-written output behind.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from . import model, writers
from .files import atomic_output
from .messages import (
    BulletinError,
    ExitCode,
    Level,
    Message,
    WriterError,
    error,
    info,
    warning,
)
from .reader import parse_file
from .schema import check

#: What a folder walk picks up: bulletin text and canonical XML.
INPUT_SUFFIXES = (".txt", ".xml")

#: `dest` value meaning "standard output".
STDOUT = "-"

_NUMBERED = re.compile(r"(?P<stem>.+)-[0-9]+")

Source = str | os.PathLike[str]


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
    to: str | list[str],
    dest: Source | BinaryIO | None = None,
    *,
    force: bool = False,
    skip_existing: bool = False,
    validate: bool = True,
    year: int | None = None,
    source_url: str | None = None,
    lang: str = "en",
    encoding: str | None = None,
    options: writers.WriteOptions | None = None,
) -> ConvertResult:
    """Convert bulletin files and folders to the formats `to` ("tei,epub", "all", ["pdf"]).

    Outputs are named `<stem>.<extension>` (`<stem>-<n>.<extension>` for the items of a
    digest page), next to each input when `dest` is None, else in the folder `dest`
    (mirroring the subfolders of a walked folder). `dest` may also be "-" (standard output)
    or a binary stream: then the inputs must give exactly one document, and `to` must name
    one format (else ValueError). Existing files are only replaced with `force`, or left
    alone without a word with `skip_existing` (to finish an interrupted run). Unknown
    formats, and writers that cannot be loaded, raise WriterError; every other problem is
    reported in the result. `year`, `source_url`, `lang` and `encoding` are given to the
    parser (see `convert.reader`).
    """
    reading = {"year": year, "source_url": source_url, "lang": lang, "encoding": encoding}
    formats = writers.resolve(to)
    chosen = {name: writers.get(name) for name in formats}  # one instance per run
    opts = options or writers.WriteOptions()
    result = ConvertResult()
    inputs = _inputs([sources] if isinstance(sources, str | os.PathLike) else sources, result)
    if not inputs and result.ok:
        result.messages.append(warning("no bulletin files (.txt, .xml) to convert"))

    if dest == STDOUT or (dest is not None and not isinstance(dest, str | os.PathLike)):
        if len(formats) != 1:
            raise ValueError("writing to a stream takes exactly one format")
        stream = sys.stdout.buffer if dest == STDOUT else dest
        _to_stream(inputs, chosen[formats[0]], stream, result, validate=validate,
                   reading=reading, options=opts)
        return result

    folder = Path(dest) if dest is not None else None
    protected = {i.path.resolve() for i in inputs}  # never overwrite an input
    written: set[Path] = set()  # nor a file this run already wrote
    for item in inputs:
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
    return result


def _inputs(sources: Iterable[Source], result: ConvertResult) -> list[_Input]:
    """The files to convert, in order, each once: files as given, folders walked (sorted)."""
    found: list[_Input] = []
    seen: set[Path] = set()
    for raw in sources:
        path = Path(raw)
        if path.is_dir():
            candidates = [_Input(p, path) for p in _walk(path, result)]
        elif path.exists():
            candidates = [_Input(path, None)]
        else:
            result.fail(BulletinError("no such file or folder", str(path)))
            continue
        for candidate in candidates:
            key = candidate.path.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _walk(folder: Path, result: ConvertResult) -> list[Path]:
    """Bulletin files under `folder`, sorted, leaving out what earlier runs wrote there.

    Hidden files and folders (and so our temporary files) are skipped, as are TEI outputs
    (`*.tei.xml`) and canonical masters written next to their text (`story.xml` or
    `story-2.xml` beside `story.txt`): converting them again would clash with the text's own
    outputs. Name such a file explicitly to convert it.
    """
    files = sorted(
        p for p in folder.rglob("*")
        if p.suffix.lower() in INPUT_SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    texts = {(p.parent, p.stem) for p in files if p.suffix.lower() == ".txt"}
    kept = []
    for p in files:
        if p.suffix.lower() == ".xml":
            numbered = _NUMBERED.fullmatch(p.stem)
            if (p.name.lower().endswith(".tei.xml") or (p.parent, p.stem) in texts
                    or (numbered and (p.parent, numbered["stem"]) in texts)):
                result.messages.append(info("skipped: an output of an earlier conversion "
                                            "(name it explicitly to convert it)", str(p)))
                continue
        kept.append(p)
    return kept


def _target(item: _Input, folder: Path | None, name: str) -> Path:
    if folder is None:
        return item.path.parent / name
    if item.root is None:
        return folder / name
    return folder / item.path.parent.relative_to(item.root) / name


def _documents(path: Path, result: ConvertResult, *, validate: bool,
               reading: dict[str, Any]) -> list[model.Element]:
    """The valid documents of one input; problems go to `result`."""
    try:
        parsed = parse_file(path, **reading)
    except BulletinError as exc:
        result.fail(exc)
        return []
    result.messages.extend(parsed.messages)
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
    exception: a third-party writer's bug must not stop the other inputs.
    """
    try:
        if target is not None:
            with atomic_output(target, force=force) as out:
                messages = writer.write(doc, out, options)
        else:
            assert stream is not None
            messages = writer.write(doc, stream, options)
    except BulletinError as exc:
        result.fail(exc)
        return False
    except OSError as exc:
        result.fail(WriterError(f"cannot write {target or 'the output'}: {exc.strerror or exc}",
                                str(source)))
        return False
    except Exception as exc:
        result.fail(WriterError(f"the {writer.name} writer failed: {type(exc).__name__}: {exc}",
                                str(source)))
        return False
    result.messages.extend(m if m.source else m.at(str(source)) for m in messages)
    if any(m.level is Level.ERROR for m in messages):
        result.failures.append(ExitCode.FAILED)
    return True


def _to_stream(inputs: list[_Input], writer: writers.Writer, stream: BinaryIO,
               result: ConvertResult, *, validate: bool, reading: dict[str, Any],
               options: writers.WriteOptions) -> None:
    """Write the single document of the inputs to `stream`, all at once or not at all."""
    found = [(item.path, doc) for item in inputs
             for doc in _documents(item.path, result, validate=validate, reading=reading)]
    if not result.ok:
        return
    if len(found) != 1:
        source = str(inputs[0].path) if len(inputs) == 1 else None
        result.messages.append(error(
            f"writing to a stream (-o -) takes exactly one document; the input gives "
            f"{len(found)}: write to a folder with -o DIR", source))
        result.failures.append(ExitCode.USAGE)
        return
    path, doc = found[0]
    buffer = io.BytesIO()
    if _write(doc, writer, path, result, options, stream=buffer):
        stream.write(buffer.getvalue())
        stream.flush()
        result.outputs.append(Output(str(path), writer.name, None))
