"""The `bulletin` command: a thin layer over the library API.

Messages are printed as `path:line: level: text` on stderr (or as JSON Lines with `--json`);
outcomes map to the exit codes documented in `convert.messages.ExitCode` and the README.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .messages import ExitCode, Level, Message


class Reporter:
    """Prints messages the way the user asked (text or JSON Lines, quiet or not)."""

    def __init__(self, *, quiet: bool = False, as_json: bool = False) -> None:
        self.quiet = quiet
        self.as_json = as_json
        self.errors = 0
        self.warnings = 0

    def report(self, messages: Iterable[Message]) -> None:
        for m in messages:
            if m.level is Level.ERROR:
                self.errors += 1
            elif m.level is Level.WARNING:
                self.warnings += 1
            if self.quiet and m.level is not Level.ERROR:
                continue
            if self.as_json:
                click.echo(json.dumps(m.to_dict(), ensure_ascii=False), err=True)
            else:
                click.echo(str(m), err=True)


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
    """


# --- parse and validate (Core) -------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


def metadata_options(f: F) -> F:
    """--year, --source-url, --lang: what a bulletin's text may lack (shared by the commands)."""
    f = click.option("--lang", default="en", show_default=True, metavar="BCP47",
                     help="Language of the bulletins (xml:lang).")(f)
    f = click.option("--source-url", metavar="URL",
                     help="Where the input was published; recorded, and a year in it dates "
                          "year-less datelines.")(f)
    f = click.option("--year", type=click.IntRange(1000, 9999), metavar="YYYY",
                     help="Year for datelines without one (e.g. 'Feb. 16 (EIRNS)').")(f)
    return f


def report_options(f: F) -> F:
    """--quiet, --json, --strict: how messages are shown and judged."""
    f = click.option("--strict", is_flag=True,
                     help="Treat warnings as failures (exit code 5).")(f)
    f = click.option("--json", "as_json", is_flag=True,
                     help="Print messages as JSON Lines on stderr.")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="Print errors only.")(f)
    return f


def finish(reporter: Reporter, failed: int, strict: bool) -> None:
    """Exit with the documented code for what happened."""
    if failed:
        sys.exit(ExitCode.FAILED)
    if strict and reporter.warnings:
        sys.exit(ExitCode.WARNINGS)


def expand_inputs(inputs: Iterable[str], suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files as given, and folders walked recursively (sorted) for files with `suffixes`."""
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and p.suffix.lower() in suffixes
                              and not p.name.startswith("."))
        else:
            yield path


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", metavar="OUT",
              help="A file (one input), or a folder (several inputs, or OUT ending in '/'); "
                   "default: standard output.")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@metadata_options
@report_options
def parse(inputs: tuple[str, ...], output: str | None, force: bool, year: int | None,
          source_url: str | None, lang: str, quiet: bool, as_json: bool, strict: bool) -> None:
    """Parse bulletins (text or canonical XML) into canonical XML.

    INPUT is a file, a folder (walked for .txt and .xml files) or '-' for standard input.
    Each document is checked against the schema before it is written. A digest page gives one
    document per item, written as STEM-1.xml, STEM-2.xml, ...

    \b
    Examples:
      bulletin parse story.txt > story.xml
      bulletin parse --year 2017 story.txt -o story.xml
      bulletin parse scraped/ -o masters/
    """
    from . import model
    from .files import write_atomic
    from .messages import BulletinError
    from .parse import parse as parse_bytes
    from .parse import parse_file
    from .schema import check

    reporter = Reporter(quiet=quiet, as_json=as_json)
    paths = list(expand_inputs(inputs, (".txt", ".xml")))
    to_folder = output is not None and (len(paths) > 1 or output.endswith(("/", "\\"))
                                        or Path(output).is_dir())
    failed = 0
    for path in paths:
        try:
            if str(path) == "-":
                result = parse_bytes(sys.stdin.buffer.read(), source="<stdin>", year=year,
                                     source_url=source_url, lang=lang)
            else:
                result = parse_file(path, year=year, source_url=source_url, lang=lang)
            reporter.report(result.messages)
            docs = result.documents
            for doc in docs:
                check(doc, str(path))
            if output is None:
                if len(docs) > 1:
                    raise BulletinError(f"a digest page gives {len(docs)} documents; write them "
                                        "to a folder with -o FOLDER/", str(path))
                sys.stdout.buffer.write(model.dump(docs[0]))
                continue
            for n, doc in enumerate(docs, start=1):
                stem = path.stem if str(path) != "-" else "stdin"
                name = f"{stem}-{n}.xml" if len(docs) > 1 else f"{stem}.xml"
                target = Path(output) / name if to_folder else Path(output)
                write_atomic(target, model.dump(doc), force=force)
        except BulletinError as exc:
            reporter.report(exc.messages)
            failed += 1
    finish(reporter, failed, strict)


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@report_options
def validate(files: tuple[str, ...], quiet: bool, as_json: bool, strict: bool) -> None:
    """Check canonical XML files against the schema (XSD and Schematron rules).

    Every problem is printed as FILE:LINE: error: MESSAGE. Exit code 0 when every file is
    valid, 3 when any is not.

    \b
    Example:
      bulletin validate masters/*.xml
    """
    from .schema import validate as validate_bytes

    reporter = Reporter(quiet=quiet, as_json=as_json)
    invalid = 0
    paths = list(expand_inputs(files, (".xml",)))
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            reporter.report([Message(Level.ERROR, f"cannot read: {exc.strerror}", str(path))])
            invalid += 1
            continue
        problems = validate_bytes(data, str(path))
        reporter.report(problems)
        invalid += bool(problems)
    if not quiet and not as_json:
        click.echo(f"{len(paths) - invalid} valid, {invalid} invalid", err=True)
    if invalid:
        sys.exit(ExitCode.INVALID)
    finish(reporter, 0, strict)


# --- formats and convert (Writers) ---------------------------------------------------------


# --- archive and verify (Archive) ----------------------------------------------------------


def main() -> None:
    try:
        cli.main(prog_name="bulletin", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("bulletin: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
