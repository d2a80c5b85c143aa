"""Which files of a folder tree are inputs: one rule for every command that walks folders.

`parse`, `convert`, `validate` and `archive` all walk their folders with `Walk`, so they agree
on what they take and what they leave alone:

- hidden files and folders are left out (and counted), as are files without an input suffix;
- a BagIt package (a folder holding `bagit.txt`), a workspace of an interrupted archive run
  (`DEST.partial` holding `state.json`) and the running command's own output folder are never
  entered: converting a package's files would write into it and break its fixity, and
  archiving it would take its tag files for bulletins;
- symbolic links to folders are not followed, and links to files are taken only when the file
  lies inside the folder being walked (a link to `/etc/shadow` is not an input), unless the
  user asks for `follow_symlinks`;
- with `skip_outputs`, files an earlier conversion wrote beside its inputs (`*.tei.xml`,
  `story.xml` or `story-2.xml` beside `story.txt`) are left out, so a second run does not
  convert its own outputs.

Each folder's entries are sorted by name and the walk streams, so every run sees the same order
and memory stays flat however large the collection. Every skip is reported once, as a message
naming the folder or file and how to take it anyway; a file named on the command line is always
an input.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .messages import Message, display_path, error, info, warning

#: What a folder walk picks up: the file name endings of the built-in readers (bulletin text,
#: canonical XML, saved web pages, web archives; `convert.reader.formats.EXTENSIONS`).
INPUT_SUFFIXES = (".txt", ".xml", ".html", ".htm", ".xhtml", ".warc", ".warc.gz")
#: The files a walk leaves out without a message of their own (it counts them).
LEFT_OUT = "hidden, or not .txt, .xml, .html or .warc"
#: Why a hidden file or folder is left out (see `LeftOut`).
HIDDEN = "hidden: its name starts with a dot"
#: What the HTML writer writes into every page it makes: such a page is an output, not an input.
HTML_OUTPUT_MARK = b'<meta name="generator" content="bulletin-convert'
#: The file that makes a folder a BagIt package (RFC 8493).
BAGIT_DECLARATION = "bagit.txt"
#: An archive run works in DEST.partial/ and keeps its settings there in this file.
WORKSPACE_SUFFIX = ".partial"
WORKSPACE_STATE = "state.json"

#: Told of every file or folder a walk leaves out: (its path, the folder given on the command
#: line it was met in, or None for a path named there, and why). The archive lists them.
LeftOut = Callable[[str, str | None, str], None]

_NUMBERED = re.compile(r"(?P<stem>.+)-[0-9]+")


@dataclass(frozen=True)
class Found:
    """One input: its path as the OS wants it, as one printable line, and the folder given on
    the command line it was found in, as it was given (None for a file named there)."""

    path: str
    display: str
    root: str | None = None

    @property
    def relative(self) -> str:
        """The input's path relative to the folder given on the command line (see
        `relative_path`)."""
        return relative_path(self.path, self.root)


def relative_path(path: str, root: str | None) -> str:
    """`path` relative to `root`, the folder given on the command line it was found in, as one
    printable line (a path named there: its name). What a package records as an input's
    source: where the file was in the collection, without the archiving machine's folders."""
    if root is None:
        return display_path(os.path.basename(os.path.normpath(path)))
    return display_path(os.path.relpath(path, root))


def is_package(folder: str | os.PathLike[str]) -> bool:
    """Whether `folder` is a BagIt package (made by this tool or any other)."""
    return os.path.isfile(os.path.join(folder, BAGIT_DECLARATION))


def is_workspace(folder: str | os.PathLike[str]) -> bool:
    """Whether `folder` is the workspace of an archive run (finished or interrupted)."""
    return (os.fspath(folder).endswith(WORKSPACE_SUFFIX)
            and os.path.isfile(os.path.join(folder, WORKSPACE_STATE)))


def package_around(path: str | os.PathLike[str]) -> Path | None:
    """The BagIt package or archive workspace that `path` (a file or folder, existing or not)
    lies in, if any: no command but `archive --resume` writes there. Links are followed: a
    link into a package leads into the package."""
    folder = Path(os.path.realpath(path))
    for candidate in (folder, *folder.parents):
        if _is_package_or_workspace(str(candidate)):
            return candidate
    return None


@functools.lru_cache(maxsize=1024)
def _is_package_or_workspace(folder: str) -> bool:
    return is_package(folder) or is_workspace(folder)


@dataclass
class Walk:
    """The inputs under `sources`, in a stable order (see the module's rules).

    `skipped` holds one message per package, workspace, output folder or link left out;
    `ignored` counts the hidden files and the files without an input suffix; `unread` counts
    the folders that could not be read, an error of the run (their files may be bulletins:
    a run that leaves them out must not look complete); `left_out`, when given, is told of
    every file and folder left out, one by one. `follow_option` is the command's option that
    sets `follow_symlinks`, if it has one: a skipped link's hint names it, and only then
    (parse and convert have none; naming the target takes it).
    """

    sources: Iterable[str | os.PathLike[str]]
    suffixes: tuple[str, ...] = INPUT_SUFFIXES
    exclude: Iterable[str | os.PathLike[str]] = ()
    follow_symlinks: bool = False
    follow_option: str | None = None
    skip_outputs: bool = False
    left_out: LeftOut | None = None
    skipped: list[Message] = field(default_factory=list)
    ignored: int = 0
    unread: int = 0

    def __post_init__(self) -> None:
        #: Why a file without an input suffix is left out (told of each: made once).
        self._not_an_input = f"not an input: its name ends in none of {', '.join(self.suffixes)}"
        self._excluded = set()
        for path in self.exclude:
            try:
                st = os.stat(path)
            except OSError:
                continue
            self._excluded.add((st.st_dev, st.st_ino))

    def __iter__(self) -> Iterator[Found]:
        for raw in self.sources:
            top = os.fspath(raw)
            if not os.path.isdir(top):
                yield Found(top, display_path(top))  # named: always an input
            elif self._enter(top, None):
                yield from self._walk(top, top, os.path.realpath(top), set())

    def _skip(self, message: Message, path: str, top: str | None) -> None:
        """Report a file or folder left out, met in a walk of `top` (None: named)."""
        self.skipped.append(message)
        if self.left_out is not None:
            self.left_out(path, top, message.text.removeprefix("skipped: "))

    def _ignore(self, path: str, top: str, why: str) -> None:
        """Count a file (or hidden folder) left out without a message of its own."""
        self.ignored += 1
        if self.left_out is not None:
            self.left_out(path, top, why)

    def _enter(self, folder: str, top: str | None) -> bool:
        """Whether to walk `folder`, met in a walk of `top` (None: the folder was named on the
        command line); a folder left out is reported once."""
        why = None
        try:
            st = os.stat(folder)
        except OSError:
            return True  # reading it will say why
        if (st.st_dev, st.st_ino) in self._excluded:
            if top is None:
                return True  # the user asked for this very folder
            why = "is the output folder of this command"
        elif is_package(folder):
            why = ("is a BagIt package (it holds bagit.txt): its files are not bulletins to "
                   "convert or archive again; name a file inside it to take that file")
        elif is_workspace(folder):
            why = ("is the workspace of an interrupted archive run; finish it with 'bulletin "
                   "archive ... --resume' or remove it")
        if why:
            self._skip(info(f"skipped: {why}", display_path(folder)), folder, top)
        return why is None

    def _walk(self, folder: str, top: str, root: str,
              seen: set[tuple[int, int]]) -> Iterator[Found]:
        """The inputs under `folder`, found in a walk of `top` (as given; `root` is where it
        really is, for telling the links that leave it)."""
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
            st = os.stat(folder)
        except OSError as exc:
            self._unreadable(folder, None if folder == top else top, exc)
            return
        seen = seen | {(st.st_dev, st.st_ino)}  # a linked folder may lead back up
        texts = {output_stem(e.name) for e in entries
                 if e.name.lower().endswith(self.suffixes)
                 and not e.name.lower().endswith(".xml")} if self.skip_outputs else set()
        for entry in entries:
            if entry.name.startswith("."):
                self._ignore(entry.path, top, HIDDEN)
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()  # follows a link
            except OSError:
                is_link, is_dir = False, False
            if is_link and not self._follow(entry.path, top, root, is_dir):
                continue
            if is_dir:
                try:
                    target = os.stat(entry.path)
                except OSError as exc:  # a path too long, a folder gone meanwhile
                    self._unreadable(entry.path, top, exc)
                    continue
                if (target.st_dev, target.st_ino) not in seen and self._enter(entry.path, top):
                    yield from self._walk(entry.path, top, root, seen)
            elif not entry.name.lower().endswith(self.suffixes):
                self._ignore(entry.path, top, self._not_an_input)
            elif self.skip_outputs and (_earlier_output(entry.name, texts)
                                        or _html_output(entry.path)):
                self._skip(info(
                    "skipped: an output of an earlier conversion (*.tei.xml, STEM.xml beside "
                    "STEM.txt or STEM.html, or a page the HTML writer made)",
                    display_path(entry.path),
                    hint="name such a file to read it", kind="earlier-output"), entry.path, top)
            else:
                yield Found(entry.path, display_path(entry.path), top)

    def _unreadable(self, folder: str, top: str | None, exc: OSError) -> None:
        self.unread += 1
        self._skip(error(f"cannot read the folder ({exc.strerror or exc}); its files were not "
                         "taken", display_path(folder),
                         hint="make it readable (chmod u+rx), then run again on it",
                         kind="unreadable-folder"), folder, top)

    def _follow(self, link: str, top: str, root: str, is_dir: bool) -> bool:
        """Whether to follow a symbolic link met in a walk of `top` (really at `root`)."""
        if self.follow_symlinks:
            return True
        if is_dir:
            why = "a symbolic link to a folder is not followed"
            hint = "name the folder it points to, to take it"
        else:
            real = os.path.realpath(link)
            if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
                return True
            why = "a symbolic link to a file outside the folder is not followed"
            hint = "name the link or its file, to take it"
        if self.follow_option:
            hint = f"{self.follow_option} follows it"
        self._skip(warning(f"skipped: {why}", display_path(link), hint=hint), link, top)
        return False


def _html_output(path: str) -> bool:
    """A page the HTML writer made (`convert --to html`): its generator mark in its head."""
    if not path.lower().endswith((".html", ".htm", ".xhtml")):
        return False
    try:
        with open(path, "rb") as f:
            return HTML_OUTPUT_MARK in f.read(4096)
    except OSError:
        return False  # reading it will say why


_LONGEST_FIRST = sorted(INPUT_SUFFIXES, key=len, reverse=True)


def output_stem(name: str) -> str:
    """What the outputs of the input file `name` are named after: its name without its input
    suffix, the whole of it (crawl.warc.gz gives crawl-1.xml, not crawl.warc-1.xml)."""
    lower = name.lower()
    for suffix in _LONGEST_FIRST:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return os.path.splitext(name)[0]  # a file named on the command line: any suffix


def _earlier_output(name: str, texts: set[str]) -> bool:
    """`*.tei.xml`, or `STEM.xml` / `STEM-N.xml` beside `STEM.txt` (or another input that
    is not XML: `STEM.html`, `STEM.warc.gz`; see `output_stem`): what `convert` wrote."""
    lower = name.lower()
    if not lower.endswith(".xml"):
        return False
    if lower.endswith(".tei.xml"):
        return True
    stem = name[:-4]
    numbered = _NUMBERED.fullmatch(stem)
    return stem in texts or bool(numbered and numbered["stem"] in texts)
