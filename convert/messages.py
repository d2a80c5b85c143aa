"""Messages and typed errors.

Every stage (parse, validate, write, archive) reports what it noticed as `Message` objects rather
than printing, so the CLI, the archive's provenance and library callers can each present them in
their own way. Errors that stop a document are raised as `BulletinError` subclasses, each with
the exit code the CLI maps it to.
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import asdict, dataclass, replace


class Level(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class ExitCode(enum.IntEnum):
    """The documented exit codes of the `bulletin` command."""

    OK = 0
    FAILED = 1  # at least one input could not be processed (parse or write error)
    USAGE = 2  # bad command line (click's own code)
    INVALID = 3  # a document failed schema validation; a package failed verification or is none
    EXISTS = 4  # an output exists and --force was not given
    WARNINGS = 5  # finished, but --strict turned warnings into a failure
    INTERRUPTED = 130  # stopped by Ctrl-C; a resumable run can go on with --resume


@dataclass(frozen=True, slots=True)
class Message:
    """Something a stage noticed. `text` speaks of the input, never of command-line options;
    `hint` says what a user of the `bulletin` command can do about it (the CLI prints it
    after the text); `kind` names messages of one sort, so a long run can group them."""

    level: Level
    text: str
    source: str | None = None
    line: int | None = None
    hint: str | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        # One line each, wherever a message goes (a terminal, a CSV cell, a PREMIS note):
        # libxml2 and python-docx errors carry newlines.
        if _CONTROL.search(self.text):
            object.__setattr__(self, "text", printable(self.text))

    def __str__(self) -> str:
        where = self.source or "bulletin"  # about no file: the command speaks
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.level.value}: {self.text}"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["level"] = self.level.value
        return data

    def at(self, source: str | None) -> Message:
        """The same message, attributed to `source` (used when a caller knows the file name)."""
        return replace(self, source=source)


#: The `kind` of the warning about an input with neither title nor dateline: archived as text
#: by default, refused by `convert` and `archive` in strict mode.
NOT_A_BULLETIN = "not-a-bulletin"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with its control characters (newlines too) shown as \\xNN: one safe line for a
    terminal, a CSV cell or an XML attribute."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def one_line(value: str, what: str) -> str:
    """`value` if it can stand as a field of a document or a package (one line of text, no
    control character, nothing that is not UTF-8); ValueError saying what is wrong."""
    if _CONTROL.search(value):
        raise ValueError(f"{what} holds a control character or a line break: "
                         f"{printable(value)[:80]!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} holds bytes that are not UTF-8: "
                         f"{value.encode('utf-8', 'surrogateescape')[:80]!r}") from None
    return value


def display_path(path: str | bytes | os.PathLike[str]) -> str:
    """A path as one printable line, for documents, catalogues, provenance and messages.

    Bytes that are not UTF-8 become `\\xNN` (a file name need not be UTF-8 on POSIX), and so
    do control characters, so the result is valid in XML, CSV and a terminal, and differs for
    different names; it is never used to build a path.
    """
    return printable(os.fsencode(path).decode("utf-8", "backslashreplace"))


def warning(text: str, source: str | None = None, line: int | None = None, *,
            hint: str | None = None, kind: str | None = None) -> Message:
    return Message(Level.WARNING, text, source, line, hint, kind)


def info(text: str, source: str | None = None, line: int | None = None, *,
         hint: str | None = None, kind: str | None = None) -> Message:
    return Message(Level.INFO, text, source, line, hint, kind)


def error(text: str, source: str | None = None, line: int | None = None, *,
          hint: str | None = None, kind: str | None = None) -> Message:
    return Message(Level.ERROR, text, source, line, hint, kind)


class BulletinError(Exception):
    """Base of every error this package raises on purpose; carries its messages."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, text: str, source: str | None = None, line: int | None = None,
                 messages: list[Message] | None = None, *, hint: str | None = None,
                 kind: str | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.source = source
        self.line = line
        self.hint = hint
        self.messages = messages or [error(text, source, line, hint=hint, kind=kind)]

    def __str__(self) -> str:
        return "\n".join(str(m) for m in self.messages)


class InputError(BulletinError):
    """The input cannot become a bulletin: empty, not text, no content, unreadable."""


class ValidationError(BulletinError):
    """A canonical document does not satisfy the schema; `messages` lists every problem."""

    exit_code = ExitCode.INVALID


class UsageError(BulletinError):
    """What was asked cannot be done as asked (one file for several documents, options that
    contradict an interrupted run): the same exit code as a bad command line."""

    exit_code = ExitCode.USAGE


class ReaderError(BulletinError):
    """No reader can be had for an input: an unknown reader name, two readers of one name,
    or a reader whose optional dependency is not installed."""


class WriterError(BulletinError):
    """A writer could not produce its rendition (unknown format, missing dependency, failure)."""


class OutputExistsError(BulletinError):
    """An output file exists and overwriting was not allowed."""

    exit_code = ExitCode.EXISTS
