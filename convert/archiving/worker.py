"""What a worker does: the bytes of one input in; its files and their hashes out.

The files are the canonical master of each document in the input, the renditions, and the
PREMIS record of them all (a worker knows every object and event; only the folder is left to
the driver, so PREMIS names files relative to it). Workers never touch the package or the
journal (the driver decides what enters the package), so the same function serves local
processes and Dask workers on other machines: `convert_item` is pure, and `convert_chunk` is
the Dask task, whose bytes the driver writes. `Job` is also the `convert.pool.Work` of a local
worker process, which adds what only a process of our own can do: a per-item alarm (the
pool's), a memory ceiling, and writing the files into a spool folder on the package's file
system (`spool`), which the driver renames into the package.

Test-only fault injection: the environment variable named by `FAULTS_ENV`, read by the
driver (never by workers) and shipped in the `Job`, lists `kind:sha256` pairs; the worker
then misbehaves on the input with that sha256: `crash` (os._exit, as a segfault would end it),
`hang` (sleeps until the item alarm), `stall` (blocks the alarm signal and sleeps, so only
the driver's hard deadline can stop it), `hog` (reserves memory until the ceiling without
touching it: filling 700 MB of fresh pages took over 2 s on a fresh machine, and the item alarm
fired first). One more, `start:FOLDER`, makes a local worker die while it starts, before it
takes any input, once for each file in FOLDER (it removes one). The test suite uses them to
prove that such items are quarantined, and that a worker's death at start blames no input;
nothing else sets them.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..files import write_in_place
from ..messages import NOT_A_BULLETIN, BulletinError, Level, Message, display_path
from ..pool import SECONDS_PER_MB, allowed
from . import layout
from .provenance import (
    FORMATS,
    ORIGINAL_FORMATS,
    FormatInfo,
    PremisObject,
    agent,
    build,
    capture_parts,
    intake_events,
)

if TYPE_CHECKING:

    from ..reader.base import Capture
    from ..writers import Writer

__all__ = ["SECONDS_PER_MB", "ItemResult", "Job", "WorkItem", "convert_chunk", "convert_item"]

FAULTS_ENV = "BULLETIN_ARCHIVE_FAULTS"
FAULT_KINDS = ("crash", "hang", "stall", "hog", "start")

#: The Dask event topic on which `convert_chunk` announces each input it starts.
PROGRESS_TOPIC = "bulletin-convert-archive"
#: The format name of the canonical master among a document's outputs.
MASTER = "xml"


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the inputs; sent once per worker or task."""

    formats: tuple[str, ...]  # renditions, in order; the canonical master is always made
    timeout: float  # seconds per input
    #: The driver's software that read and hashed the inputs: (name, version) twice
    reader: tuple[tuple[str, str], tuple[str, str]]
    memory_limit: int | None = None  # bytes of address space per local worker process
    faults: tuple[tuple[str, str], ...] = ()  # test-only, see the module docstring
    year: int | None = None  # for year-less datelines (see `convert.reader.Reading`)
    lang: str = "en"
    encoding: str | None = None  # of inputs that are not UTF-8, instead of a guess
    strict: bool = False  # quarantine inputs that do not look like bulletins
    profile: str | None = None  # what the news service's pages look like (None: the default)
    #: the reader of every input (`--from`) instead of one chosen by its content and name
    from_reader: str | None = None
    #: Local workers only: the folder (on the package's file system) where `serve` writes each
    #: converted input's files, so that the driver only renames a folder into the package.
    spool: str | None = None

    def allowed(self, size: int) -> float:
        """Seconds allowed for an input of `size` bytes (see `convert.pool.allowed`)."""
        return allowed(self.timeout, size)

    def timed_out(self, size: int) -> str:
        """Why an input of `size` bytes was stopped."""
        return (f"timed out after {self.allowed(size):.0f} s (allowed for an input of "
                f"{size:,} bytes; --timeout raises it)")

    # --- as the Work of a local worker process (see convert.pool) ---

    def setup(self) -> None:
        """The memory ceiling, and the `start` test fault."""
        if self.memory_limit:
            import resource

            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            limit = (self.memory_limit if hard == resource.RLIM_INFINITY
                     else min(self.memory_limit, hard))
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        _die_at_start(self.faults)

    def run(self, item: WorkItem) -> ItemResult:
        """Convert one input, and write its files into the spool folder."""
        result = convert_item(item, self)
        if result.ok and self.spool:
            try:
                result = spool(result, item, os.path.join(self.spool, item.sha256))
            except OSError as exc:
                result = ItemResult(item.seq, False, f"cannot write its files: {exc}")
        return result

    def failed(self, item: WorkItem, reason: str, retire: bool = False) -> ItemResult:
        return ItemResult(item.seq, False, reason, retire=retire)


@dataclass(frozen=True)
class WorkItem:
    seq: int  # position in the input listing: results are committed in this order
    sha256: str
    source: str  # the input's path as given (display form)
    data: bytes
    read_time: str  # when the driver read it (the ingestion event)
    hash_time: str  # when the driver hashed it
    attempt: int = 1
    #: of a page captured in a WARC record: where it came from, and its HTTP Content-Type
    capture: Capture | None = None
    media_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def retried(self) -> WorkItem:
        return replace(self, attempt=self.attempt + 1)


@dataclass(frozen=True)
class Output:
    """One file of the input's folder: the original, a master, a rendition, the PREMIS file."""

    name: str  # file name within the input's folder
    data: bytes  # empty once written to the spool
    size: int
    sha256: str
    sha512: str  # the bag's second manifest algorithm, computed where the bytes are made


@dataclass(frozen=True)
class DocSummary:
    id: str
    date: str | None
    title: str | None
    agency: str | None
    files: dict[str, str]  # format ("xml" for the master) -> file name
    #: Of a canonical master given as input: the sha256 of the text it was made from
    derived_from: str | None = None
    #: The Dublin Core fields catalog.csv adds (`model.metadata`): the date as YYYY-MM-DD when
    #: the year is known (a digest item without a dateline: its issue's), else as the dateline
    #: has it (--MM-DD); the language; the byline's name; the dateline's place; the issue.
    issued: str | None = None
    language: str | None = None
    creator: str | None = None
    coverage: str | None = None
    relation: str | None = None


@dataclass
class ItemResult:
    seq: int
    ok: bool
    reason: str | None = None  # why the input was quarantined
    docs: list[DocSummary] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)  # the original's copy excepted
    original: str = ""  # file name of the original's copy
    messages: list[dict[str, Any]] = field(default_factory=list)  # why it was quarantined
    warnings: list[str] = field(default_factory=list)  # of an archived input, for the catalogue
    retire: bool = False  # the worker process ends after this item (its state is suspect)
    spooled: str | None = None  # the folder holding the original's copy and every output


def now() -> str:
    """An event time: UTC, fixed width, microseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def faults_from_env(environ: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    spec = (os.environ if environ is None else environ).get(FAULTS_ENV, "")
    pairs = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kind, _, sha = part.partition(":")
        if kind not in FAULT_KINDS or not sha:
            raise ValueError(f"{FAULTS_ENV}: expected kind:sha256 with kind in {FAULT_KINDS}")
        pairs.append((kind, sha if kind == "start" else sha.lower()))
    return tuple(pairs)


def _die_at_start(faults: tuple[tuple[str, str], ...]) -> None:
    """The `start` fault: die before taking any input, once for each file of the folder."""
    for kind, folder in faults:
        for name in sorted(os.listdir(folder)) if kind == "start" else ():
            try:
                os.unlink(os.path.join(folder, name))  # only one worker wins each file
            except FileNotFoundError:
                continue
            os._exit(71)


def _inject_fault(sha256: str, faults: tuple[tuple[str, str], ...]) -> None:
    for kind, sha in faults:
        if sha != sha256:
            continue
        if kind == "crash":
            os._exit(70)
        if kind == "stall":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        if kind in ("hang", "stall"):
            while True:
                time.sleep(1)
        if kind == "hog":
            import resource

            if resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY:
                raise RuntimeError("the hog fault needs a worker memory limit")
            hoard = []
            while True:
                hoard.append(bytes(64 << 20))  # calloc'd pages: address space, untouched


_writers: dict[str, Writer] = {}


def _writer(name: str) -> Writer:
    from ..writers import get

    if name not in _writers:
        _writers[name] = get(name)
    return _writers[name]


def _texts(messages: list[Message]) -> list[str]:
    return [str(m) for m in messages]


def _outcome(messages: list[Message]) -> str:
    if any(m.level is Level.ERROR for m in messages):
        return "failure"
    return "warning" if any(m.level is Level.WARNING for m in messages) else "success"


def convert_item(item: WorkItem, job: Job) -> ItemResult:
    """Parse, validate and render one input; any failure quarantines the whole input."""
    try:
        _inject_fault(item.sha256, job.faults)
        return _convert(item, job)
    except BulletinError as exc:
        return ItemResult(item.seq, False, exc.text, messages=[m.to_dict() for m in exc.messages])
    except MemoryError:
        return ItemResult(item.seq, False, "out of memory", retire=True)
    except Exception as exc:  # a bug must quarantine one input, not stop the collection
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = (f"internal error: {type(exc).__name__}: {exc} "
                  f"({os.path.basename(where.filename)}:{where.lineno})")
        return ItemResult(item.seq, False, reason)


def _convert(item: WorkItem, job: Job) -> ItemResult:
    from .. import model, schema
    from ..pipeline import parse
    from ..reader.sniff import looks_like_xml
    from ..reader.warc import PAGE_TYPES
    from ..writers import WriteOptions

    started = now()
    reader = job.from_reader if item.capture is None else PAGE_TYPES.get(item.media_type or "")
    parsed = parse(item.data, name=display_path(os.path.basename(item.source)),
                   media_type=item.media_type, capture=item.capture, year=job.year,
                   lang=job.lang, encoding=job.encoding, profile=job.profile, reader=reader)
    warned = [m for m in parsed.messages if m.level is Level.WARNING]
    if job.strict and any(m.kind == NOT_A_BULLETIN for m in parsed.messages):
        return ItemResult(item.seq, False, "not a bulletin (no title, no dateline): quarantined "
                          "in strict mode", messages=[m.to_dict() for m in parsed.messages])
    if not parsed.documents:
        return ItemResult(item.seq, False, "no bulletin found in the input",
                          messages=[m.to_dict() for m in parsed.messages])
    heads = [model.head(doc) for doc in parsed.documents]
    stems = layout.unique_stems([layout.safe_id(h.id, item.sha256) for h in heads])
    media_type = parsed.media_type or (
        "application/xml" if looks_like_xml(item.data) else "text/plain")
    original = layout.original_name(media_type)
    objects = [PremisObject("original", original, len(item.data), item.sha256, media_type,
                            ORIGINAL_FORMATS.get(media_type), item.source)]
    container: list[PremisObject] = []
    events: list[dict[str, Any]] = []
    if item.capture is not None:
        warc, objects[0], events = capture_parts(item.capture, objects[0])
        container.append(warc)
    masters = [f"{MASTER}:{i}" for i in range(len(parsed.documents))]
    events += intake_events(item.read_time, item.hash_time, job.reader,
                            extracted=item.capture is not None)
    events.append({
        "type": "normalization", "time": started, "agent": agent("tool"),
        "outcome": _outcome(parsed.messages), "notes": _texts(parsed.messages),
        "detail": "parsed into the canonical bulletin XML (urn:bulletin-convert:canonical:1)",
        "sources": ["original"], "outcomes": masters})
    docs: list[DocSummary] = []
    outputs: list[Output] = []
    used = {original, layout.PREMIS_NAME}
    options = WriteOptions()
    for i, (doc, h, stem) in enumerate(zip(parsed.documents, heads, stems, strict=True)):
        checked = now()
        findings = schema.validate(doc)
        events.append({
            "type": "validation", "time": checked, "agent": agent("validator"),
            "outcome": _outcome(findings), "notes": _texts(findings),
            "detail": "canonical XML checked against bulletin.xsd and bulletin.sch",
            "sources": [masters[i]], "outcomes": [],
        })
        warned += [m for m in findings if m.level is Level.WARNING]
        errors = [m for m in findings if m.level is Level.ERROR]
        if errors:
            reason = f"the canonical document is invalid: {errors[0].text}"
            return ItemResult(item.seq, False, reason, messages=[m.to_dict() for m in findings])
        files = {MASTER: _add(outputs, objects, used, f"{stem}.xml", model.dump(doc),
                              masters[i], "application/xml", FORMATS[MASTER], "original")}
        for fmt in job.formats:
            writer = _writer(fmt)
            made = now()
            buffer = io.BytesIO()
            notes = writer.write(doc, buffer, options)
            warned += [m for m in notes if m.level is Level.WARNING]
            failures = [m for m in notes if m.level is Level.ERROR]
            if failures:
                return ItemResult(item.seq, False, f"the {fmt} rendition failed: "
                                  f"{failures[0].text}", messages=[m.to_dict() for m in notes])
            extension = layout.safe_extension(writer.extension, "bin")
            name = f"{stem}.{extension}"
            if name in used:  # a third-party writer's extension clashing with another file
                name = f"{stem}.{layout.safe_extension(fmt, 'out')}.{extension}"
            files[fmt] = _add(outputs, objects, used, name, buffer.getvalue(), f"{fmt}:{i}",
                              writer.media_type, FORMATS.get(fmt), masters[i])
            events.append({
                "type": "creation", "time": made, "agent": agent("tool"),
                "outcome": _outcome(notes), "notes": _texts(notes),
                "detail": f"rendition made from the canonical master by {type(writer).__module__}",
                "sources": [masters[i]], "outcomes": [f"{fmt}:{i}"],
            })
        derived = h.source_sha256 if h.source_sha256 != item.sha256 else None
        meta = model.metadata(doc, h)
        docs.append(DocSummary(h.id, h.date, h.title, h.agency, files, derived,
                               meta.date or h.date, meta.language, meta.creator, meta.coverage,
                               meta.relation))
    events.append({
        "type": "message digest calculation", "time": now(), "agent": agent("digest"),
        "outcome": "success", "notes": [], "detail": "SHA-256 of every file made from the input",
        "sources": [o.key for o in objects[1:]], "outcomes": [],
    })
    premis = build(item.sha256, [*container, *objects], events)
    outputs.append(_output(layout.PREMIS_NAME, premis))
    return ItemResult(item.seq, True, docs=docs, outputs=outputs, original=original,
                      warnings=[m.text if m.line is None else f"line {m.line}: {m.text}"
                                for m in warned])


def _output(name: str, data: bytes) -> Output:
    return Output(name, data, len(data), hashlib.sha256(data).hexdigest(),
                  hashlib.sha512(data).hexdigest())


def _add(outputs: list[Output], objects: list[PremisObject], used: set[str], name: str,
         data: bytes, key: str, media_type: str, fmt: FormatInfo | None, source: str) -> str:
    """Record one file made from the input (output and PREMIS object); returns its name."""
    output = _output(name, data)
    outputs.append(output)
    objects.append(PremisObject(key, name, len(data), output.sha256, media_type, fmt,
                                derived_from=source))
    used.add(name)
    return name


def convert_chunk(items: list[WorkItem], job: Job) -> list[ItemResult]:
    """The Dask task: a chunk of inputs converted one after the other.

    Before each input it tells the driver (a Dask event on PROGRESS_TOPIC) which input it
    starts, so a hang is timed per input and pinned on the right one.
    """
    from distributed import get_worker

    worker = get_worker()
    key = worker.get_current_task()
    results = []
    for item in items:
        worker.log_event(PROGRESS_TOPIC, {"key": key, "seq": item.seq})
        results.append(convert_item(item, job))
    return results


def spool(result: ItemResult, item: WorkItem, folder: str) -> ItemResult:
    """Write an archived input's files (its original's copy too) into `folder`, and keep
    only their names, sizes and hashes in the result.

    Creating files costs the kernel more than anything else the driver does (and up to 30
    times its usual cost on ext4 without a journal, for minutes after many files were
    deleted): here it runs in every worker at once. A folder left by a worker that died
    while writing is written again from scratch when the input is retried.
    """
    shutil.rmtree(folder, ignore_errors=True)
    os.mkdir(folder)
    files = [(result.original, item.data)] + [(out.name, out.data) for out in result.outputs]
    for name, data in files:
        write_in_place(os.path.join(folder, name), data, exclusive=True)
    return replace(result, spooled=folder,
                   outputs=[replace(out, data=b"") for out in result.outputs])
