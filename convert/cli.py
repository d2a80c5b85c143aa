"""The `bulletin` command: a thin layer over the library API.

Messages are printed as `path:line: level: text` on stderr (or as JSON Lines with `--json`);
outcomes map to the exit codes documented in `convert.messages.ExitCode` and the README.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from . import __version__
from .messages import ExitCode, Level, Message, printable

if TYPE_CHECKING:
    from .walk import Walk


class Reporter:
    """Prints messages the way the user asked (text or JSON Lines, quiet or not).

    In text, each message is one line (control characters escaped) followed by its hint, and
    a big batch does not bury its summary: of messages of one sort (one `kind`, or one text),
    the first SHOWN are printed and the rest counted, then named once by `close()`.
    """

    SHOWN = 5

    def __init__(self, *, quiet: bool = False, as_json: bool = False,
                 hints: dict[str, str] | None = None) -> None:
        self.quiet = quiet
        self.as_json = as_json
        self.hints = hints or {}  # kind -> what this command offers for it
        self.errors = 0
        self.warnings = 0
        self.groups: dict[tuple[Level, str], list[Any]] = {}  # sort -> [count, first message]

    def report(self, messages: Iterable[Message]) -> None:
        for m in messages:
            if m.level is Level.ERROR:
                self.errors += 1
            elif m.level is Level.WARNING:
                self.warnings += 1
            if self.quiet and m.level is not Level.ERROR:
                continue
            if m.kind in self.hints:
                m = replace(m, hint=self.hints[m.kind])
            if self.as_json:
                click.echo(json.dumps(m.to_dict(), ensure_ascii=False), err=True)
                continue
            group = self.groups.setdefault((m.level, m.kind or m.text), [0, m])
            group[0] += 1
            if group[0] <= self.SHOWN:
                click.echo(self.line(m), err=True)

    @staticmethod
    def line(m: Message) -> str:
        return printable(str(m) + (f"; {m.hint}" if m.hint else ""))

    def close(self) -> None:
        """Name the messages that were counted but not shown."""
        for count, first in self.groups.values():
            if count > self.SHOWN:
                more = count - self.SHOWN
                hint = f"; {first.hint}" if first.hint else ""
                kind = first.level.value + ("s" if more > 1 else "")
                click.echo(printable(f"bulletin: {more:,} more {kind} like '{first.text}'"
                                     f"{hint}"), err=True)
        self.groups.clear()


#: Inputs of this many bytes or more show how far each writer is (on a terminal): one such
#: input takes seconds per format.
LONG_INPUT = 1_000_000


class Progress:
    """How far a long command is, on stderr: a live bar on a terminal, and, when stderr is
    not one (a cron job's log), a plain line every PLAIN_EVERY seconds.

    The bar is redrawn when the command reports progress (at most every BAR_EVERY seconds),
    not by a thread of its own: `convert` starts its workers as forks of this process, which
    is safe only while it runs a single thread.
    """

    PLAIN_EVERY = 5.0
    BAR_EVERY = 0.1

    def __init__(self, verb: str, total: int | None, *, enabled: bool = True) -> None:
        self.verb = verb
        self.total = total
        self.enabled = enabled
        self.started = time.monotonic()
        self.last_line = self.started
        self.bar: Any = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                           TextColumn("eta"), TimeRemainingColumn(),
                           console=Console(stderr=True), transient=True, auto_refresh=False)
            # The task is added once its total is known: rich 12.0, the oldest taken, cannot
            # draw a bar without one.
            self.task: Any = None if total is None else self.bar.add_task(verb, total=total,
                                                                           rate="")
            self.part_task: Any = None

    def __enter__(self) -> Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def part(self, what: str, done: int, total: int) -> None:
        """A writer's progress within one long document (`WriteOptions.progress`): a second
        line under the bar, on a terminal only."""
        if self.bar is None:
            return
        if self.part_task is None:
            self.part_task = self.bar.add_task(what, total=total, rate="")
        elif done < self.bar.tasks[1].completed:  # the next writer: its own speed and time
            self.bar.reset(self.part_task)
        now = time.monotonic()
        redraw = now - self.last_line >= self.BAR_EVERY
        self.last_line = now if redraw else self.last_line
        self.bar.update(self.part_task, description=what, completed=done, total=total,
                        refresh=redraw)

    def __call__(self, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        total = self.total = total if total is not None else self.total
        now = time.monotonic()
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task(self.verb, total=total, rate="")
            speed = self.bar.tasks[0].speed
            redraw = now - self.last_line >= self.BAR_EVERY or done == total
            self.last_line = now if redraw else self.last_line
            self.bar.update(self.task, completed=done, total=total,
                            rate=f"{speed:.1f}/s" if speed else "", refresh=redraw)
            return
        if now - self.last_line < self.PLAIN_EVERY:
            return
        self.last_line = now
        rate = done / (now - self.started)
        of = f" of {total:,}" if total else ""
        left = (f", about {(total - done) / rate:.0f} s left" if total and rate else "")
        click.echo(f"bulletin: {self.verb}: {done:,}{of} done, {rate:.1f}/s{left}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="bulletin")
def cli() -> None:
    """Parse, convert, validate and archive news bulletins.

    \b
    Examples:
      bulletin parse story.txt                   canonical XML on stdout
      bulletin parse scraped/*.txt -o masters/   one XML file per input
      bulletin validate masters/*.xml            check against the schema
      bulletin convert scraped/ --to all -o out/ PDF/A, EPUB 3, DOCX, TEI P5
      bulletin archive scraped/ -o collection    a BagIt package with provenance
      bulletin verify collection                 re-hash and check a package
      bulletin site collection -o site           a site to browse and search it
    """


# --- parse and validate (Core) -------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


def _encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from .reader.decode import text_encoding

    try:
        return text_encoding(value)
    except LookupError:
        raise click.BadParameter(f"{value!r} is not a text encoding (e.g. cp1252, koi8-r, "
                                 "latin-1)") from None


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .model import language

    try:
        return None if value is None else language(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _profile(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from .reader.profile import get

    try:
        return get(value).name
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _one_line(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .messages import one_line

    try:
        return None if value is None else one_line(value, f"--{param.name}".replace("_", "-"))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _regular_file(value: str | None) -> str | None:
    """A file named by an option, refused unless it is a regular file (a FIFO would hang
    the run, a device never end)."""
    from .files import open_input
    from .messages import InputError

    if value is not None:
        try:
            open_input(value).close()
        except InputError as exc:
            raise click.BadParameter(exc.text) from None
    return value


def _reader(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .messages import ReaderError
    from .reader import formats

    try:
        return formats.check(value)
    except ReaderError as exc:
        raise click.BadParameter(exc.text) from None


def encoding_option(f: F) -> F:
    return click.option("--encoding", metavar="NAME", callback=_encoding,
                        help="Encoding of inputs that are not UTF-8 (e.g. cp1252, koi8-r), "
                             "instead of guessing it; a byte order mark or valid UTF-8 "
                             "still wins.")(f)


def reading_options(f: F, default_lang: str | None = "en") -> F:
    """--year, --lang, --encoding: what the text of any bulletin may lack; --profile: what
    its news service's pages look like; --from: which reader reads the inputs."""
    f = click.option("--from", "reader", metavar="READER", callback=_reader,
                     help="Read every input with this reader (text, xml, html, warc, or an "
                          "installed one; see 'bulletin formats') instead of choosing one by "
                          "its content, then its name.")(f)
    f = click.option("--profile", metavar="NAME", callback=_profile,
                     help="What the news service's pages look like: its site chrome and the "
                          "parser's thresholds (default: eir; an unknown name lists the "
                          "others; parse --explain shows the rules).")(f)
    f = encoding_option(f)
    f = click.option("--lang", default=default_lang, show_default=default_lang is not None,
                     callback=_language,
                     metavar="BCP47", help="Language of the bulletins (xml:lang)"
                     + ("." if default_lang else "; default: en, or the interrupted run's."))(f)
    return click.option("--year", type=click.IntRange(1000, 9999), metavar="YYYY",
                        help="Year for datelines without one (e.g. 'Feb. 16 (EIRNS)').")(f)


def metadata_options(f: F) -> F:
    """The reading options, and --source-url: what one bulletin's text may lack."""
    f = reading_options(f)
    return click.option("--source-url", metavar="URL", callback=_one_line,
                        help="Where the input was published; recorded, and a year in it dates "
                             "year-less datelines.")(f)


def report_options(f: F) -> F:
    """--quiet, --json, --strict: how messages are shown and judged."""
    f = click.option("--strict", is_flag=True,
                     help="Treat warnings as failures (exit code 5); convert also leaves "
                          "out inputs that do not look like bulletins (no title, no "
                          "dateline).")(f)
    f = click.option("--json", "as_json", is_flag=True,
                     help="Print messages as JSON Lines on stderr.")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="Print errors only.")(f)
    return f


def overwrite_options(f: F) -> F:
    """--force and --skip-existing, for the commands that write a file per input."""
    f = click.option("--skip-existing", is_flag=True,
                     help="Leave outputs that are already there and write only the missing "
                          "ones (to finish an interrupted run).")(f)
    return click.option("--force", is_flag=True, help="Overwrite existing output files.")(f)


#: What to do about an output that is already there, for the commands that take both options.
_EXISTS_HINT = {"exists": "--force overwrites existing outputs; --skip-existing keeps them and "
                          "writes only the missing ones"}


def _one_of(force: bool, skip_existing: bool) -> None:
    if force and skip_existing:
        raise click.UsageError("--force replaces existing outputs, --skip-existing keeps them: "
                               "give one of them")


def _interrupted(reporter: Reporter) -> NoReturn:
    click.echo("bulletin: interrupted; no output is left half-written: run the same command "
               "with --skip-existing to finish", err=True)
    finish(reporter, ExitCode.INTERRUPTED)


def finish(reporter: Reporter, code: int = ExitCode.OK, strict: bool = False) -> NoReturn:
    """Name the messages counted but not shown, then exit with `code`, or with the code of
    warnings under --strict when nothing worse happened."""
    reporter.close()
    if code == ExitCode.OK and strict and reporter.warnings:
        code = ExitCode.WARNINGS
    sys.exit(code)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", metavar="OUT",
              help="A file whose name ends in .xml (one document), or a folder (one STEM.xml "
                   "per document); default: standard output.")
@overwrite_options
@click.option("--explain", is_flag=True,
              help="Instead of the XML, print the parser's rules in the order they are tried, "
                   "then for each document the rule behind each part, with its source lines.")
@metadata_options
@report_options
def parse(inputs: tuple[str, ...], output: str | None, force: bool, skip_existing: bool,
          explain: bool, year: int | None, source_url: str | None, lang: str, encoding: str | None,
          profile: str | None, reader: str | None, quiet: bool, as_json: bool,
          strict: bool) -> None:
    """Parse bulletins (text or canonical XML) into canonical XML.

    INPUT is a file, a folder (walked for .txt, .xml, .html and .warc(.gz) files; BagIt
    packages, hidden files and earlier outputs left out) or '-' for standard input. Each
    document is checked against the schema before it is written. A digest page gives one
    document per item: written one after another on standard output, or as STEM-1.xml,
    STEM-2.xml, ... in a folder.

    With --explain, nothing is written: the profile and the rules are listed, then each
    document with the page rule that cut it and, line by line, what was removed as chrome,
    where title, byline and dateline came from and which block rule made each block.

    \b
    Examples:
      bulletin parse story.txt > story.xml
      bulletin parse --year 2017 story.txt -o story.xml
      bulletin parse scraped/ -o masters/
      bulletin parse scraped/ -o masters/ --skip-existing   after an interruption
      bulletin parse --explain story.txt          why it came out as it did
    """
    from .messages import BulletinError
    from .pipeline import STDOUT, convert

    reporter = Reporter(quiet=quiet, as_json=as_json, hints=_EXISTS_HINT)
    _one_of(force, skip_existing)
    metadata: dict[str, Any] = {"year": year, "source_url": source_url, "lang": lang,
                                "encoding": encoding, "profile": profile, "reader": reader}
    if explain:
        if output is not None:
            raise click.UsageError("--explain prints an explanation instead of the XML: "
                                   "leave out -o")
        _explain(inputs, reporter, metadata)
        finish(reporter, ExitCode.FAILED if reporter.errors else ExitCode.OK, strict)
    try:
        result = convert(list(inputs), "xml", output or STDOUT, force=force,
                         skip_existing=skip_existing, **metadata)
    except BulletinError as exc:
        reporter.report(exc.messages)
        finish(reporter, exc.exit_code)
    except ValueError as exc:  # -o story.pdf: a file name that says another format
        raise click.UsageError(str(exc)) from exc
    except KeyboardInterrupt:
        _interrupted(reporter)
    reporter.report(result.messages)
    finish(reporter, result.exit_code, strict)


def _named(inputs: tuple[str, ...], **walking: Any
           ) -> tuple[Walk, Iterable[tuple[str, str | None]]]:
    """The walk of `inputs` and (shown name, path) of each input it finds, as it finds them;
    for '-' alone, standard input (its path None)."""
    from .pipeline import STDIN, STDIN_NAME
    from .walk import Walk

    walk = Walk([] if inputs == (STDIN,) else inputs, skip_outputs=True, **walking)
    if inputs == (STDIN,):
        return walk, [(STDIN_NAME, None)]
    return walk, ((found.display, found.path) for found in walk)


def _explain(inputs: tuple[str, ...], reporter: Reporter, metadata: dict[str, Any]) -> None:
    """`bulletin parse --explain`: the rules, then how each input's documents were read."""
    from .files import read_stdin
    from .messages import BulletinError
    from .pipeline import parse as parse_bytes
    from .pipeline import parse_file
    from .reader import explain
    from .reader.profile import get

    click.echo("\n".join(explain.rules(get(metadata["profile"]))))
    walk, named = _named(inputs)
    for display, path in named:
        try:
            result = (parse_bytes(read_stdin(), source=display, **metadata)
                      if path is None else parse_file(path, **metadata))
        except BulletinError as exc:
            reporter.report(exc.messages)
            continue
        click.echo(f"\n{display}: {len(result.documents)} document"
                   f"{'s' if len(result.documents) != 1 else ''}")
        for doc, trace in zip(result.documents, result.traces, strict=True):
            click.echo("\n".join(trace.lines(doc.get("id", ""))))
        reporter.report(result.messages)
    reporter.report(walk.skipped)


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@report_options
def validate(files: tuple[str, ...], quiet: bool, as_json: bool, strict: bool) -> None:
    """Check canonical XML files against the schema (XSD and Schematron rules).

    FILE is a file, a folder, walked for .xml files (BagIt packages, hidden files and TEI
    renditions, *.tei.xml, left out), or '-' for standard input. Every problem is printed as
    FILE:LINE: error: MESSAGE. Exit code 0 when every file is valid, 3 when any is not, 1
    when a file cannot be read.

    \b
    Examples:
      bulletin validate masters/*.xml
      bulletin parse story.txt | bulletin validate -
    """
    from .files import read_input, read_stdin
    from .messages import BulletinError, warning
    from .schema import validate as validate_bytes

    reporter = Reporter(quiet=quiet, as_json=as_json)
    valid = invalid = unreadable = 0
    walk, named = _named(files, suffixes=(".xml",))  # *.tei.xml: renditions, left out
    for display, path in named:
        try:
            data = read_stdin() if path is None else read_input(path)
        except BulletinError as exc:
            reporter.report(exc.messages)
            unreadable += 1
            continue
        problems = validate_bytes(data, display)
        reporter.report(problems)
        invalid += bool(problems)
        valid += not problems
    reporter.report(walk.skipped)
    unreadable += walk.unread
    if not valid + invalid + unreadable:
        reporter.report([warning("no canonical XML files (.xml) to validate")])
    if not quiet and not as_json:
        cannot = f", {unreadable:,} unreadable" if unreadable else ""
        click.echo(f"{valid:,} valid, {invalid:,} invalid{cannot}", err=True)
    finish(reporter, ExitCode.FAILED if unreadable else
           ExitCode.INVALID if invalid else ExitCode.OK, strict)


# --- formats and convert (Writers) ---------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as a JSON array.")
def formats(as_json: bool) -> None:
    """List the output formats (writers) and the input formats (readers), built-in and
    installed.

    A format whose writer or reader cannot be loaded (a missing optional dependency) is listed
    with the reason. Third-party writers register in the entry-point group 'bulletin.writers',
    readers in 'bulletin.readers'. With --json, one row per writer and reader, its "kind"
    saying which.

    \b
    Examples:
      bulletin formats
      bulletin formats --json | jq -r '.[] | select(.kind == "writer") | .name'
    """
    from . import writers
    from .messages import BulletinError, WriterError
    from .reader import formats as readers

    try:
        names = writers.available()
        reader_names = readers.available()
    except BulletinError as exc:  # e.g. two installed writers claim one name
        Reporter(as_json=as_json).report(exc.messages)
        sys.exit(exc.exit_code)
    rows: list[dict[str, Any]] = []
    for name in names:
        try:
            w = writers.get(name)
            rows.append({"kind": "writer", "name": name, "extension": w.extension,
                         "media_type": w.media_type, "available": True})
        except WriterError as exc:
            rows.append({"kind": "writer", "name": name, "extension": None,
                         "media_type": None, "available": False, "error": exc.text})
    rows += [_reader_row(readers, name) for name in reader_names]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for kind, title in (("writer", "WRITER"), ("reader", "READER")):
        table = [(title, "EXTENSION", "MEDIA TYPE")] + [
            (r["name"], r["extension"] if kind == "reader" else f".{r['extension']}",
             r["media_type"]) if r["available"]
            else (r["name"], r["extension"] if kind == "reader" else "-",
                  f"unavailable: {r['error']}")
            for r in rows if r["kind"] == kind]
        widths = [max(len(row[i]) for row in table) for i in range(2)]
        if kind == "reader":
            click.echo()
        for row in table:
            click.echo(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}")


def _reader_row(readers: Any, name: str) -> dict[str, Any]:
    """A reader for `bulletin formats`: unavailable when a module it needs is missing."""
    import importlib.util

    from .messages import ReaderError

    try:
        r = readers.get(name)
    except ReaderError as exc:
        return {"kind": "reader", "name": name, "extension": "-", "media_type": None,
                "available": False, "error": exc.text}
    row = {"kind": "reader", "name": name, "extension": " ".join(r.extensions),
           "media_type": r.media_type, "available": True, "description": r.description}
    missing = [m for m in getattr(r, "requires", ()) if importlib.util.find_spec(m) is None]
    if missing:
        row.update(available=False, error=f"needs {', '.join(missing)}: pip install "
                                          "'bulletin-convert[web]'")
    return row


@cli.command("convert")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-t", "--to", "to", metavar="FORMAT[,FORMAT...]",
              help="Formats to write: tei, epub, docx, pdf, html (the access copy), xml (the "
                   "canonical master), a third-party one, or 'all' (tei, epub, docx, pdf). "
                   "See 'bulletin formats'. Optional when -o names a file (story.epub).")
@click.option("-o", "--output", metavar="DIR|FILE|-",
              help="Folder for the outputs (created if needed; a walked folder's subfolders "
                   "are mirrored); a file whose extension names its format (story.epub, "
                   "story.tei.xml) for one document; '-' writes one rendition to standard "
                   "output. Default: next to each input.")
@overwrite_options
@click.option("--no-validate", is_flag=True,
              help="Write documents even when they fail the canonical schema.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="Page size of the PDF, and of the DOCX when no --reference-docx is given.")
@click.option("--reference-docx", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              callback=lambda ctx, param, value: _regular_file(value),
              help="A DOCX whose styles the DOCX output uses (like pandoc's --reference-doc).")
@click.option("-j", "--jobs", type=click.IntRange(1), metavar="N",
              help="Worker processes for a folder's inputs (default: one per CPU; 1 converts "
                   "in this process).")
@metadata_options
@report_options
def convert_command(inputs: tuple[str, ...], to: str | None, output: str | None, force: bool,
                    skip_existing: bool, no_validate: bool, paper: str,
                    reference_docx: str | None, jobs: int | None, year: int | None,
                    source_url: str | None, lang: str, encoding: str | None,
                    profile: str | None, reader: str | None, quiet: bool, as_json: bool,
                    strict: bool) -> None:
    """Convert bulletins (text or canonical XML) to TEI P5, EPUB 3, DOCX, PDF/A, HTML.

    INPUT is a bulletin text file, a canonical XML file or a folder, walked recursively for
    .txt, .xml, .html and .warc(.gz) files (leaving out hidden files, BagIt packages, archive
    workspaces, the output folder, *.tei.xml and masters saved next to their text, STEM.xml
    or STEM-N.xml beside STEM.txt). Each output is named after its input: STEM.tei.xml, STEM.epub,
    STEM.docx, STEM.pdf, STEM.html, STEM.xml (--to xml); a digest page gives STEM-1.epub,
    STEM-2.epub, ..., and so does a crawl (crawl.warc.gz gives crawl-1.epub, ...). Every
    document is checked against the canonical schema first. An
    existing file is an error (exit 4) unless --force replaces it or --skip-existing keeps it
    quietly; each file is written to a temporary name and renamed when complete, so an
    interrupted run leaves no partial file, and --skip-existing finishes it; the outputs are
    synced to disk once, before the command ends. One bad input does not stop the others,
    even one that crashes its worker process. Nothing is ever written into a BagIt package.

    With --json, a summary of the outputs is also printed on standard output as JSON (not
    with -o -). Exit codes: 0 done, 1 an input or output failed, 2 bad command line, 3 a
    document is not valid, 4 an output exists (no --force), 5 warnings with --strict; mixed
    failures give 1.

    \b
    Examples:
      bulletin convert story.txt --to tei,epub       story.tei.xml, story.epub beside it
      bulletin convert story.txt -o story.epub       one file, its format from its name
      bulletin convert scraped/ --to all -o out/     the four renditions, for a whole folder
      bulletin convert story.txt --to all,html       and the HTML page to read first
      bulletin convert story.txt --to epub -o - > s.epub
      bulletin convert masters/*.xml --to pdf --paper letter --force -o pdf/
      bulletin convert scraped/ --to all -o out/ --skip-existing   after an interruption
      bulletin convert scraped/ --to all -o out/ --jobs 1   in one process
      bulletin convert page.txt --to tei --year 2008 (a digest: page-1.tei.xml, ...)
    """
    from . import writers
    from .messages import WriterError
    from .pipeline import STDOUT
    from .pipeline import convert as run

    reporter = Reporter(quiet=quiet, as_json=as_json, hints=_EXISTS_HINT)
    try:
        writers.available()  # two installed writers of one name: a broken setup, not usage
    except WriterError as exc:
        reporter.report(exc.messages)
        finish(reporter, exc.exit_code)
    formats = _formats(to)
    if formats is None and (output in (None, STDOUT) or writers.format_of(output) is None):
        raise click.UsageError("give the formats with --to (e.g. --to epub), or name one output "
                               "file whose extension says its format (-o story.epub)")
    _one_of(force, skip_existing)
    if output == STDOUT and formats is not None and len(formats) != 1:
        raise click.UsageError("'-o -' writes a single rendition: give one format with --to")
    asked = formats if formats is not None else [writers.format_of(output or "")]
    if reference_docx is not None and "docx" in asked:
        from .writers.docx import check_reference

        try:  # once, before any input is read: not once for every input
            check_reference(reference_docx)
        except WriterError as exc:
            raise click.BadParameter(exc.text, param_hint="'--reference-docx'") from exc
    options = writers.WriteOptions(paper=paper, reference_docx=reference_docx)
    show = not quiet and not as_json and output != STDOUT
    try:
        with Progress("converting", None, enabled=show) as progress:
            if len(inputs) == 1 and os.path.isfile(inputs[0]) \
                    and os.path.getsize(inputs[0]) >= LONG_INPUT:  # converted in this process
                options = replace(options, progress=progress.part)
            result = run(list(inputs), formats, output, force=force,
                         skip_existing=skip_existing, validate=not no_validate,
                         year=year, source_url=source_url, lang=lang, encoding=encoding,
                         profile=profile, reader=reader, options=options, strict=strict,
                         progress=progress, jobs=jobs)
    except WriterError as exc:  # a writer that cannot be loaded fails the whole run
        reporter.report(exc.messages)
        finish(reporter, exc.exit_code)
    except ValueError as exc:  # one file or stream for several formats
        raise click.UsageError(str(exc)) from exc
    except KeyboardInterrupt:
        _interrupted(reporter)
    reporter.report(result.messages)
    reporter.close()
    if as_json and output != STDOUT:
        click.echo(json.dumps({
            "outputs": [{"source": o.source, "format": o.format, "path": str(o.path)}
                        for o in result.outputs],
            "already_there": [str(p) for p in result.kept],
            "failures": len(result.failures),
            "exit_code": int(result.exit_code),
        }, indent=2, ensure_ascii=False))
    elif show:
        kept = f", {len(result.kept):,} already there" if result.kept else ""
        click.echo(f"{len(result.outputs):,} file(s) written{kept}, {len(result.failures):,} "
                   f"failure(s), from {result.inputs:,} input(s)", err=True)
    finish(reporter, result.exit_code, strict)


def _formats(to: str | None) -> list[str] | None:
    """The --to value as a checked list of format names (an unknown one is a usage error)."""
    from . import writers
    from .messages import WriterError

    if to is None:
        return None
    try:
        return writers.resolve(to)
    except WriterError as exc:
        raise click.BadParameter(exc.text, param_hint="'--to'") from exc


# --- archive and verify (Archive) ----------------------------------------------------------


def _summary(report: Any, as_json: bool) -> None:
    from .walk import LEFT_OUT

    run, totals = report.run, report.totals
    if as_json:
        click.echo(json.dumps({
            "dest": str(report.dest), "seconds": round(report.seconds, 3),
            "converted": run.converted, "skipped": run.skipped, "duplicates": run.duplicates,
            "failed": run.quarantined, "with_warnings": run.warned, "ignored": run.ignored,
            "package": {"inputs": totals.inputs, "archived": totals.archived,
                        "duplicates": totals.duplicates, "quarantined": totals.quarantined,
                        "with_warnings": totals.warned, "documents": totals.documents,
                        "left_out": totals.left_out},
        }))
        return
    click.echo(f"{report.dest}: {run.converted} converted, {run.skipped} skipped, "
               f"{run.duplicates} duplicates, {run.quarantined} failed, in "
               f"{report.seconds:.1f} s; the package holds {totals.documents} bulletins from "
               f"{totals.archived} files" + (f", {totals.quarantined} quarantined (see "
                                             "quarantine.csv)" if totals.quarantined else ""),
               err=True)
    if run.warned:
        click.echo(f"{report.dest}: {run.warned} input(s) converted with warnings (a guessed "
                   "encoding, a repaired text, ...): see the warnings column of catalog.csv",
                   err=True)
    if run.ignored:
        click.echo(f"{report.dest}: {run.ignored} file(s) in the source folders were left out "
                   f"({LEFT_OUT}), listed in left-out.csv; name a file to archive it anyway",
                   err=True)


@cli.command("archive")
@click.argument("sources", nargs=-1, required=True, metavar="SRC...")
@click.option("-o", "--output", "dest", required=True, metavar="DEST",
              help="The package to make (built in DEST.partial, renamed when complete).")
@click.option("-t", "--to", "to", metavar="FORMAT[,FORMAT...]",
              help="Renditions to make, or 'all' (the default); the canonical master is "
                   "always kept.")
@click.option("-j", "--jobs", type=click.IntRange(1), metavar="N",
              help="Local worker processes (default: one per CPU).")
@click.option("--scheduler", envvar="DASK_SCHEDULER_ADDRESS", metavar="ADDR",
              help="Run the conversions on this Dask scheduler (tcp://HOST:PORT; default: "
                   "$DASK_SCHEDULER_ADDRESS). Needs: pip install 'bulletin-convert[dask]'.")
@click.option("--scheduler-file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Run on the Dask scheduler described by this file.")
@click.option("--package", type=click.Choice(["bagit"]), default="bagit", show_default=True,
              help="Package format.")
@click.option("--source-organization", metavar="ORG", callback=_one_line,
              help="Recorded as Source-Organization in bag-info.txt.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run (converting only what is missing), or check "
                   "that a finished package holds every input.")
@click.option("--force", is_flag=True,
              help="Replace an existing package made by this tool, or restart an interrupted "
                   "run from scratch.")
@click.option("--timeout", type=click.FloatRange(min=1), default=120, show_default=True,
              metavar="SECONDS", help="Time allowed per input before it is quarantined.")
@click.option("--memory-limit", type=click.IntRange(256), default=4096, show_default=True,
              metavar="MB", help="Address space allowed per local worker process.")
@click.option("--strict", is_flag=True,
              help="Quarantine inputs that do not look like bulletins (no title and no "
                   "dateline) instead of archiving them with a warning.")
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symbolic links in the source folders, also to files outside them.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary; errors only.")
@click.option("--json", "as_json", is_flag=True,
              help="Messages as JSON Lines on stderr, the summary as JSON on stdout.")
@click.option("--site", metavar="SITE",
              help="Then build (or bring up to date) the static site SITE from the package, "
                   "as `bulletin site DEST -o SITE` does.")
@functools.partial(reading_options, default_lang=None)
def archive_command(sources: tuple[str, ...], dest: str, to: str | None, jobs: int | None,
                    scheduler: str | None, scheduler_file: str | None, package: str,
                    source_organization: str | None, resume: bool, force: bool, timeout: float,
                    memory_limit: int, strict: bool, follow_symlinks: bool, quiet: bool,
                    as_json: bool, year: int | None, lang: str | None,
                    encoding: str | None, profile: str | None, reader: str | None,
                    site: str | None) -> None:
    """Archive a collection as a BagIt package with provenance.

    Every .txt, .xml, .html and .warc(.gz) file under SRC (hidden files, BagIt packages and
    symbolic links that leave SRC left out; a file named on the command line is always
    taken) is archived: its original bytes, the canonical XML master of each bulletin in it,
    the renditions asked for, and a PREMIS provenance file, under DEST/data/<year>/<id>/. An
    input that cannot be converted is quarantined with its reason (quarantine.csv) and the
    rest goes on; the exit code is then 1. Every file and folder of SRC not taken is listed,
    with why, in DEST/left-out.csv.

    \b
    Examples:
      bulletin archive scraped/ -o collection
      bulletin archive scraped/ -o collection --to tei,pdf --jobs 2
      bulletin archive scraped/ -o collection --resume      after an interruption
      bulletin archive scraped/ -o collection --scheduler tcp://sched.example.org:8786
      bulletin archive scraped/ -o collection --site collection-site
    """
    from .archiving import archive
    from .messages import BulletinError
    from .walk import Walk

    reporter = Reporter(quiet=quiet, as_json=as_json)
    _formats(to)  # an unknown format is a usage error, before anything starts
    if resume and force:
        raise click.UsageError("--resume goes on with an interrupted run, --force starts it "
                               "again: give one of them")
    show = not quiet and not as_json
    total = sum(1 for _ in Walk(sources, exclude=[dest], skip_outputs=True)) if show else None
    try:
        with Progress("archiving", total, enabled=show) as progress:
            report = archive(
                sources, dest, to=to, jobs=jobs, scheduler=scheduler,
                scheduler_file=scheduler_file, package=package,
                source_organization=source_organization, resume=resume, force=force,
                timeout=timeout, memory_limit=memory_limit << 20,
                progress=lambda counts: progress(counts.seen), strict=strict,
                follow_symlinks=follow_symlinks, year=year, lang=lang, encoding=encoding,
                profile=profile, reader=reader,
            )
    except BulletinError as exc:
        reporter.report(exc.messages)
        finish(reporter, exc.exit_code)
    except KeyboardInterrupt:
        click.echo("bulletin: interrupted; run the same command with --resume to continue",
                   err=True)
        finish(reporter, ExitCode.INTERRUPTED)
    reporter.report(report.messages)
    if as_json or not quiet:
        _summary(report, as_json)
    code = int(report.exit_code)
    if site is not None:
        code = max(code, _site_after_archive(str(report.dest), site, reporter, quiet, as_json))
    finish(reporter, code)


@cli.command("verify")
@click.argument("dest", metavar="DEST", type=click.Path())
@click.option("-q", "--quiet", is_flag=True, help="Print problems only.")
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON Lines on stderr.")
def verify_command(dest: str, quiet: bool, as_json: bool) -> None:
    """Check a package: re-hash every file and compare the provenance with the manifests.

    Each missing, extra or altered file is named; the exit code is 3 when anything is wrong,
    1 when there is nothing at DEST.

    \b
    Examples:
      bulletin verify collection
      bulletin verify collection --json 2> problems.jsonl
    """
    from .archiving import verify
    from .messages import BulletinError

    reporter = Reporter(quiet=quiet, as_json=as_json)
    try:
        with Progress("verifying", None, enabled=not quiet and not as_json) as progress:
            problems = verify(dest, progress=progress)
    except BulletinError as exc:  # no package there: exit 1, as for any missing input
        reporter.report(exc.messages)
        finish(reporter, exc.exit_code)
    reporter.report(problems)
    if not quiet and not as_json:
        click.echo(f"{dest}: " + (f"{len(problems)} problem(s)" if problems else
                                  "valid (every file re-hashed, provenance matches)"), err=True)
    finish(reporter, ExitCode.INVALID if problems else ExitCode.OK)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (`timeout`, `docker stop`, systemd) ends a run as Ctrl-C does: files being
    written are removed, an archive run can go on with --resume."""
    raise KeyboardInterrupt


# --- site (Access) -------------------------------------------------------------------------


def _build_site(packages: list[str], output: str, title: str | None, reporter: Reporter,
                quiet: bool, as_json: bool) -> int:
    """Build the site; report and return the exit code (the summary goes to stderr, or to
    stdout as JSON)."""
    from .access import build_site
    from .messages import BulletinError

    show = not quiet and not as_json
    try:
        with Progress("reading packages", None, enabled=show) as progress:
            report = build_site(packages, output, title=title, progress=progress)
    except BulletinError as exc:
        reporter.report(exc.messages)
        return int(exc.exit_code)
    reporter.report(report.messages)
    if as_json:
        click.echo(json.dumps({
            "site": str(report.dest), "packages": report.packages,
            "bulletins": report.bulletins, "written": report.written,
            "unchanged": report.unchanged, "removed": report.removed,
            "seconds": round(report.seconds, 3)}))
    elif not quiet:
        click.echo(f"{report.dest}: {report.bulletins:,} bulletins from {report.packages} "
                   f"package(s); {report.written:,} file(s) written, {report.unchanged:,} "
                   f"unchanged, {report.removed:,} removed, in {report.seconds:.1f} s; open "
                   f"{report.dest / 'index.html'}", err=True)
    return int(ExitCode.OK)


def _site_after_archive(dest: str, site: str, reporter: Reporter, quiet: bool,
                        as_json: bool) -> int:
    """`bulletin archive ... --site SITE`: the site of the package just finished."""
    return _build_site([dest], site, None, reporter, quiet, as_json)


@cli.command("site")
@click.argument("packages", nargs=-1, required=True, metavar="PACKAGE...")
@click.option("-o", "--output", required=True, metavar="SITE",
              help="The site's folder: made, or brought up to date when it holds a site made "
                   "by this command.")
@click.option("--title", metavar="TEXT",
              help="The site's title (default: from the packages' Source-Organization).")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; errors only.")
@click.option("--json", "as_json", is_flag=True,
              help="Messages as JSON Lines on stderr, the summary as JSON on stdout.")
def site_command(packages: tuple[str, ...], output: str, title: str | None, quiet: bool,
                 as_json: bool) -> None:
    """Build a static site to browse and search packages made by `bulletin archive`.

    The site opens from disk (file://) or any web server, with nothing to install and no
    network: SITE/index.html has the collection at a glance, a search box (JavaScript) and
    lists by date, agency, place and language (no JavaScript needed); each bulletin has a page
    with its text, metadata, files, fixity and provenance, linking to the files in its package
    by relative links (keep the site and the packages side by side when moving them).
    SITE/catalog.sqlite holds every bulletin with an FTS5 index (datasette
    SITE/catalog.sqlite). The packages are only read. Run again after the packages change: only
    what changed is written. A folder that is not a package, or a damaged package (run
    `bulletin verify` on it), stops the build (exit 3).

    \b
    Examples:
      bulletin site collection -o collection-site
      bulletin site collection-2011 collection-2012 -o site --title "Harbour News"
    """
    reporter = Reporter(quiet=quiet, as_json=as_json)
    finish(reporter, _build_site(list(packages), output, title, reporter, quiet, as_json))


def main() -> None:
    # Not click's standalone mode: it turns Ctrl-C into "Aborted!" and exit code 1.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        try:
            code = cli.main(prog_name="bulletin", standalone_mode=False)
        finally:
            # The process is ending: the collector need not go through every object once more
            # at exit (5 % of a one-file `convert`). Every output is closed by now (written
            # and renamed in `with` blocks); the standard streams are flushed at exit anyway.
            gc.freeze()
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("bulletin: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
