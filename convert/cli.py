"""The `bulletin` command: a thin layer over the library API.

Messages are printed as `path:line: level: text` on stderr (or as JSON Lines with `--json`);
outcomes map to the exit codes documented in `convert.messages.ExitCode` and the README.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

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


# --- formats and convert (Writers) ---------------------------------------------------------


# --- archive and verify (Archive) ----------------------------------------------------------


def main() -> None:
    try:
        cli.main(prog_name="bulletin", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("bulletin: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
