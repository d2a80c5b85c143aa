"""In the field: messy folders that hold packages and earlier outputs, single output files,
exit codes that agree across commands, readable unique ids, checked languages, inputs that are
no bulletins, damaged journals, and big batches that talk like people."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from click.testing import CliRunner, Result
from conftest import EXAMPLES, FIXTURES
from lxml import etree

import convert
from convert import cli as cli_module
from convert import model
from convert.archiving import verify
from convert.messages import ExitCode, InputError, OutputExistsError, UsageError
from convert.reader import Reading, read
from convert.reader.profile import PLAIN

STORY = EXAMPLES / "harbor-cranes.txt"
DIGEST = EXAMPLES / "digest-europe.txt"  # two items
TEXTS = ("harbor-cranes.txt", "sofia-tram-cyrillic.txt")


def run(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The `bulletin` command as a user runs it, in its own process."""
    return subprocess.run([sys.executable, "-m", "convert", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, check=False)


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli_module.cli, [*map(str, args)], catch_exceptions=False)


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for name in TEXTS:
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def catalog_sources(bag: Path) -> list[str]:
    import csv

    with open(bag / "catalog.csv", encoding="utf-8", newline="") as f:
        return sorted(Path(row["source"]).name for row in csv.DictReader(f))


# --- never walk into packages or outputs ---------------------------------------------------


def test_convert_leaves_a_package_inside_its_folder_alone(src: Path) -> None:
    assert run("archive", src, "-o", src / "bag", "-q", "--to", "tei").returncode == 0
    package = files(src / "bag")
    done = run("convert", src, "--to", "tei")
    assert done.returncode == 0, done.stderr
    assert files(src / "bag") == package
    assert sorted(p.name for p in src.glob("*.tei.xml")) == [
        "harbor-cranes.tei.xml", "sofia-tram-cyrillic.tei.xml"]
    assert done.stderr.count("is a BagIt package") == 1  # reported once, not once a file
    assert run("verify", src / "bag").returncode == 0
    assert verify(src / "bag") == []


def test_archive_beside_an_older_package_takes_only_the_real_inputs(src: Path) -> None:
    assert run("archive", src, "-o", src / "bag", "-q", "--to", "tei").returncode == 0
    again = run("archive", src, "-o", src / "bag2", "--to", "tei")
    assert again.returncode == 0, again.stderr
    assert catalog_sources(src / "bag2") == sorted(TEXTS)  # no tag file, no copy, no duplicate
    assert "duplicate" not in (src / "bag2" / "catalog.csv").read_text("utf-8")


def test_nothing_is_ever_written_into_a_package(src: Path, tmp_path: Path) -> None:
    assert run("archive", src, "-o", tmp_path / "bag", "-q", "--to", "tei").returncode == 0
    bag = tmp_path / "bag"
    before = files(bag)
    original = next(bag.glob("data/*/*/original.txt"))
    inside = run("convert", original, "--to", "tei")
    assert inside.returncode == ExitCode.FAILED and "BagIt package" in inside.stderr
    into = run("convert", src, "--to", "tei", "-o", bag / "renditions")
    assert into.returncode == ExitCode.FAILED and "BagIt package" in into.stderr
    nested = run("archive", src, "-o", bag / "data" / "more")
    assert nested.returncode == ExitCode.FAILED and "never written into" in nested.stderr
    assert files(bag) == before
    assert verify(bag) == []


def test_the_output_folder_and_a_workspace_are_not_inputs(src: Path) -> None:
    work = src / "old.partial"  # what an interrupted archive run leaves
    work.mkdir()
    (work / "state.json").write_text('{"tool": "bulletin-convert"}')
    (work / "bag").mkdir()
    shutil.copy(STORY, work / "bag" / "staged.txt")
    first = run("convert", src, "--to", "xml", "-o", src / "masters")
    assert first.returncode == 0, first.stderr
    assert "workspace of an interrupted archive run" in first.stderr
    again = run("convert", src, "--to", "xml", "-o", src / "masters", "--force")
    assert again.returncode == 0, again.stderr
    assert "is the output folder of this command" in again.stderr
    assert files(src / "masters") == ["harbor-cranes.xml", "sofia-tram-cyrillic.xml"]
    assert "from 2 input(s)" in again.stderr


def test_symlinks_that_leave_the_folder_are_not_followed(src: Path, tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    shutil.copy(EXAMPLES / "canal-council-briefing.txt", outside / "secret.txt")
    (src / "secret.txt").symlink_to(outside / "secret.txt")
    (src / "alias.txt").symlink_to(src / "harbor-cranes.txt")  # inside: an input like any
    (src / "private").symlink_to(outside, target_is_directory=True)
    done = run("archive", src, "-o", tmp_path / "bag", "--to", "tei")
    assert done.returncode == 0, done.stderr
    assert "secret.txt" not in catalog_sources(tmp_path / "bag")
    assert "alias.txt" in catalog_sources(tmp_path / "bag")
    assert done.stderr.count("symbolic link") == 2 and "--follow-symlinks" in done.stderr
    followed = run("archive", src, "-o", tmp_path / "bag2", "--to", "tei", "--follow-symlinks")
    assert followed.returncode == 0, followed.stderr
    assert "secret.txt" in catalog_sources(tmp_path / "bag2")


def test_a_skipped_link_names_an_option_only_the_command_has(src: Path, tmp_path: Path) -> None:
    """parse and convert have no --follow-symlinks: their hint once named it all the same,
    and the command the user then ran was refused (exit 2) (field test)."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (src / "away.txt").symlink_to(STORY)
    (src / "folder").symlink_to(outside, target_is_directory=True)
    for command in (("parse",), ("convert", "--to", "tei")):
        done = invoke(*command, src, "-o", tmp_path / command[0])
        assert done.exit_code == 0, done.stderr
        assert "--follow-symlinks" not in done.stderr
        assert "away.txt: warning: skipped: a symbolic link to a file outside the folder is " \
               "not followed; name the link or its file, to take it" in done.stderr
        assert "folder: warning: skipped: a symbolic link to a folder is not followed; name " \
               "the folder it points to, to take it" in done.stderr


def test_a_folder_that_cannot_be_read_fails_the_run(src: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Its files may be bulletins: parse, convert, validate and archive said so in a warning
    and ended with exit code 0, '0 failure(s)', as if the collection were done (field test:
    a subfolder chmod 000, run without root's rights)."""
    import convert.walk

    (src / "locked").mkdir()
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if isinstance(path, str) and os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(convert.walk.os, "scandir", scandir)
    said = f"{src / 'locked'}: error: cannot read the folder (Permission denied)"
    for done in (invoke("parse", src, "-o", tmp_path / "parse"),
                 invoke("convert", src, "--to", "xml", "-o", tmp_path / "convert"),
                 invoke("validate", tmp_path / "parse", src)):
        assert done.exit_code == ExitCode.FAILED, done.stderr
        assert said in done.stderr and "chmod" in done.stderr
    assert files(tmp_path / "convert") == ["harbor-cranes.xml", "sofia-tram-cyrillic.xml"]
    report = convert.archive(src, tmp_path / "bag", to="xml", jobs=1)
    assert report.exit_code == ExitCode.FAILED and report.run.unread == 1
    assert any(str(m).startswith(said) for m in report.messages)


def test_an_input_that_cannot_be_opened_says_why_and_what_to_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link to a file gone said only "No such file or directory" of a name `ls` lists, and
    a file without read permission gave no advice (field test)."""
    import convert.files

    (tmp_path / "gone.txt").symlink_to("moved-away.txt")
    with pytest.raises(convert.messages.InputError) as dangling:
        convert.parse_file(tmp_path / "gone.txt")
    assert dangling.value.text == ("cannot read: a symbolic link to moved-away.txt, which does "
                                   "not exist")
    assert dangling.value.hint == "remove the link, or restore the file it points to"

    def denied(path: Any, *args: Any) -> int:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(convert.files.os, "open", denied)
    with pytest.raises(convert.messages.InputError) as locked:
        convert.parse_file(STORY)
    assert locked.value.text == "cannot read: Permission denied"
    assert locked.value.hint == "make it readable (chmod u+r)"


def test_every_command_skips_hidden_files_alike(src: Path, tmp_path: Path) -> None:
    (src / ".cache").mkdir()
    shutil.copy(STORY, src / ".cache" / "copy.txt")
    shutil.copy(STORY, src / ".draft.txt")
    parsed = run("parse", src, "-o", tmp_path / "masters/")
    assert parsed.returncode == 0, parsed.stderr
    assert files(tmp_path / "masters") == ["harbor-cranes.xml", "sofia-tram-cyrillic.xml"]
    (tmp_path / "masters" / ".old.xml").write_text("<not-valid/>")
    assert run("validate", tmp_path / "masters").returncode == 0
    assert run("archive", src, "-o", tmp_path / "bag", "-q", "--to", "tei").returncode == 0
    assert catalog_sources(tmp_path / "bag") == sorted(TEXTS)


def test_a_master_archived_beside_its_text_is_named_as_the_same_bulletin(tmp_path: Path) -> None:
    done = run("archive", EXAMPLES, "-o", tmp_path / "bag", "--to", "tei")
    assert done.returncode == 0, done.stderr
    assert "the same bulletin is in the package twice" in done.stderr
    assert "archive the texts alone" in done.stderr
    catalog = (tmp_path / "bag" / "catalog.csv").read_text("utf-8")
    masters = len(list((EXAMPLES / "canonical").glob("*.xml")))
    assert catalog.count("the canonical master of the text archived in") == masters


# --- one file out ----------------------------------------------------------------------------


def test_an_output_file_name_chooses_its_format(tmp_path: Path) -> None:
    for name, start in (("story.epub", b"PK\x03\x04"), ("story.pdf", b"%PDF"),
                        ("story.tei.xml", b"<?xml"), ("story.docx", b"PK\x03\x04")):
        done = invoke("convert", STORY, "-o", tmp_path / name)
        assert done.exit_code == 0, done.output
        assert (tmp_path / name).is_file() and (tmp_path / name).read_bytes().startswith(start)
    assert b"tei-c.org" in (tmp_path / "story.tei.xml").read_bytes()
    assert invoke("convert", STORY, "-o", tmp_path / "x.epub", "--to", "tei,pdf").exit_code == 2
    assert invoke("convert", STORY, "-o", tmp_path / "plain").exit_code == 2  # no format known
    digest = invoke("convert", DIGEST, "-o", tmp_path / "digest.epub")
    assert digest.exit_code == ExitCode.USAGE and "-o DIR/" in digest.output
    assert not (tmp_path / "digest.epub").exists()


def test_the_library_writes_one_file_too(tmp_path: Path) -> None:
    result = convert.convert(STORY, dest=tmp_path / "one.epub")
    assert result.ok and [o.path for o in result.outputs] == [tmp_path / "one.epub"]
    with pytest.raises(ValueError):
        convert.convert(STORY, dest=tmp_path / "nothing")


def test_parse_writes_every_document_of_a_digest_to_standard_output() -> None:
    done = run("parse", DIGEST)
    assert done.returncode == 0, done.stderr
    parts = done.stdout.split("<?xml")[1:]
    assert len(parts) == 2
    titles = [model.head(model.load(("<?xml" + p).encode())).title for p in parts]
    assert titles == [model.head(d).title for d in convert.parse_file(DIGEST).documents]


# --- exit codes and the library ----------------------------------------------------------------


@pytest.mark.parametrize("command", [["parse"], ["convert", "--to", "tei"], ["validate"],
                                     ["archive", "-o", "{tmp}/bag"], ["verify"]])
def test_a_missing_input_is_exit_code_1_everywhere(command: list[str], tmp_path: Path) -> None:
    # verify gave click's usage error (exit 2), and the library "not a BagIt bag: Expected
    # bagit.txt does not exist" (field test)
    args = [a.format(tmp=tmp_path) for a in command]
    done = run(*args[:1], tmp_path / "no-such.txt", *args[1:])
    assert done.returncode == ExitCode.FAILED, done.stderr
    assert "no-such.txt" in done.stderr and "Traceback" not in done.stderr
    assert "no such file or folder" in done.stderr


def test_the_library_verify_of_no_package_raises_as_archive_does(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        verify(tmp_path / "gone")


@pytest.mark.parametrize("command", [["convert", "{story}", "-o", "{tmp}/out"],
                                     ["archive", "{story}", "-o", "{tmp}/bag"]])
def test_an_unknown_format_is_exit_code_2_everywhere(command: list[str], tmp_path: Path) -> None:
    done = run(*[a.format(tmp=tmp_path, story=STORY) for a in command], "--to", "pfd")
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "pfd" in done.stderr and "known formats" in done.stderr
    assert not (tmp_path / "bag").exists() and not (tmp_path / "bag.partial").exists()


def test_the_library_archive_takes_a_single_path(src: Path, tmp_path: Path) -> None:
    report = convert.archive(str(src), tmp_path / "bag", to="tei")
    assert report.totals.archived == len(TEXTS)
    report = convert.archive(src, tmp_path / "bag2", to="tei")
    assert report.totals.archived == len(TEXTS)


def test_library_errors_name_no_command_line_flags(src: Path, tmp_path: Path) -> None:
    result = convert.convert(STORY, "tei", tmp_path)
    result = convert.convert(STORY, "tei", tmp_path)
    assert result.exit_code == ExitCode.EXISTS
    assert not any("--" in m.text for m in result.messages)
    assert any(m.hint and "--force" in m.hint for m in result.messages)
    convert.archive(src, tmp_path / "bag", to="tei")
    with pytest.raises(OutputExistsError) as exists:
        convert.archive(src, tmp_path / "bag", to="tei")
    assert "--" not in exists.value.text and "--force" in (exists.value.hint or "")
    with pytest.raises(ValueError, match="BCP 47"):
        convert.parse(STORY.read_bytes(), lang="english")


def test_the_readme_library_example_runs_as_a_script(tmp_path: Path) -> None:
    # Field test: run as written, the example's archive(jobs=2) started fork-server workers,
    # each of which ran the unguarded script again: "worker processes keep dying" and no word
    # of why. The example guards its calls; a script that does not is told what to do.
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    library = readme[readme.index("## Library"):]
    code = library[library.index("```python\n") + 10:library.index("```\n", 10)]
    shutil.copy(STORY, tmp_path / "story.txt")
    (tmp_path / "scraped").mkdir()
    for name in TEXTS:
        shutil.copy(EXAMPLES / name, tmp_path / "scraped" / name)
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert verify(tmp_path / "collection") == []
    unguarded = "import convert\nconvert.archive(['scraped/'], 'again', jobs=2, to='tei')\n"
    (tmp_path / "unguarded.py").write_text(unguarded, encoding="utf-8")
    done = subprocess.run([sys.executable, "unguarded.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, check=False)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1 and "keep dying" in last, done.stderr
    assert "unguarded.py again" in last and 'if __name__ == "__main__":' in last


def test_the_library_is_typed_as_it_is_called(tmp_path: Path) -> None:
    # Field test: mypy --strict refused what the README and the docstrings offer, and what
    # runs: parse() of a str (`read` takes one) and convert(profile=) of a Profile object.
    reading, hints = get_type_hints(Reading), get_type_hints(convert.convert)
    assert {name: hints[name] for name in reading} == reading
    assert get_type_hints(convert.parse)["data"] == get_type_hints(read)["data"]
    text = STORY.read_text(encoding="utf-8")
    assert model.dump(convert.parse(text, name=STORY.name).documents[0]) == \
        model.dump(convert.parse(STORY.read_bytes(), name=STORY.name).documents[0])
    assert convert.convert(STORY, "xml", tmp_path / "plain.xml", profile=PLAIN).ok
    assert convert.convert(STORY, "xml", tmp_path / "eir.xml", profile="eir").ok
    assert (tmp_path / "plain.xml").read_bytes() != (tmp_path / "eir.xml").read_bytes()


def test_a_digest_into_one_file_is_a_usage_error_in_the_library(tmp_path: Path) -> None:
    result = convert.convert(DIGEST, dest=tmp_path / "d.tei.xml")
    assert result.exit_code == ExitCode.USAGE
    assert not any("--" in m.text for m in result.messages)
    assert isinstance(UsageError("x"), Exception)


# --- languages -------------------------------------------------------------------------------


def test_lang_must_be_a_bcp47_tag() -> None:
    wrong = run("parse", "--lang", "english", STORY)
    assert wrong.returncode == ExitCode.USAGE and "BCP 47" in wrong.stderr
    assert wrong.stdout == ""
    underscore = run("parse", "--lang", "en_US", STORY)
    assert underscore.returncode == ExitCode.USAGE and "did you mean en-US" in underscore.stderr
    fine = run("parse", "--lang", "EN-gb", STORY)
    assert fine.returncode == 0 and 'xml:lang="en-GB"' in fine.stdout
    assert run("archive", STORY, "-o", "/nonexistent/x", "--lang", "xx").returncode == 2


# --- inputs that are not bulletins -----------------------------------------------------------


NOT_BULLETINS = {
    "settings.py": "import os\nimport sys\n\n\ndef main():\n    return os.getcwd()\n\n\n"
                   "if __name__ == '__main__':\n    sys.exit(main())\n",
    "ports.txt": "# Port numbers of the harbour's radio services, one a line\n# name port/proto\n"
                 "# kept by the signal office\n# last changed by the night clerk\n\n"
                 "pilot 7001/udp\ntug 7002/udp\nferry 7003/tcp\nlock 7004/tcp\n",
}


@pytest.fixture
def mixed(src: Path) -> Path:
    for name, text in NOT_BULLETINS.items():
        (src / name.replace(".py", ".txt")).write_text(text, "utf-8")
    return src


def test_an_input_that_is_no_bulletin_is_warned_of(mixed: Path, tmp_path: Path) -> None:
    for name in NOT_BULLETINS:
        result = convert.parse_file(mixed / name.replace(".py", ".txt"))
        assert any(m.kind == "not-a-bulletin" for m in result.messages), name
    assert not any(m.kind == "not-a-bulletin" for m in convert.parse_file(STORY).messages)
    done = run("convert", mixed, "--to", "tei", "-o", tmp_path / "out")
    assert done.returncode == 0 and "does not look like a bulletin" in done.stderr
    assert len(list((tmp_path / "out").glob("*.tei.xml"))) == 4


def test_strict_refuses_inputs_that_are_no_bulletins(mixed: Path, tmp_path: Path) -> None:
    done = run("convert", mixed, "--to", "tei", "-o", tmp_path / "out", "--strict")
    assert done.returncode == ExitCode.FAILED, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.tei.xml")) == [
        "harbor-cranes.tei.xml", "sofia-tram-cyrillic.tei.xml"]
    archived = run("archive", mixed, "-o", tmp_path / "bag", "--to", "tei", "--strict")
    assert archived.returncode == ExitCode.FAILED, archived.stderr
    quarantine = (tmp_path / "bag" / "quarantine.csv").read_text("utf-8")
    assert "ports.txt" in quarantine and "settings.txt" in quarantine
    assert "not a bulletin" in quarantine
    lenient = run("archive", mixed, "-o", tmp_path / "bag2", "--to", "tei")
    assert lenient.returncode == 0 and len(catalog_sources(tmp_path / "bag2")) == 4


# --- a damaged journal -----------------------------------------------------------------------


@pytest.mark.parametrize("damage", [b"not json at all\n",
                                    b'{"source": "a.txt"}\n',
                                    b'["a list"]\n'])
def test_a_damaged_journal_gives_a_clear_message(damage: bytes, src: Path, tmp_path: Path) -> None:
    work = tmp_path / "bag.partial"
    (work / "bag" / "data").mkdir(parents=True)
    (work / "state.json").write_text(json.dumps({
        "tool": "bulletin-convert", "version": convert.__version__, "formats": ["tei"],
        "source_organization": None, "reading": {}}))
    good = b'{"source": "x.txt", "status": "quarantined", "reason": "empty"}\n'
    (work / "journal.jsonl").write_bytes(good + damage)
    done = run("archive", src, "-o", tmp_path / "bag", "--resume")
    assert done.returncode == ExitCode.FAILED
    assert "Traceback" not in done.stderr
    assert "journal.jsonl:2: error: the journal of the interrupted archive run is damaged" in (
        done.stderr)
    assert "--force" in done.stderr
    assert (work / "journal.jsonl").read_bytes() == good + damage  # left as it was


# --- big batches that talk like people -------------------------------------------------------


def test_repeated_messages_are_grouped_with_the_option_that_helps(tmp_path: Path) -> None:
    src = tmp_path / "many"
    src.mkdir()
    for i in range(12):
        shutil.copy(STORY, src / f"story-{i:02d}.txt")
    assert run("convert", src, "--to", "tei", "-o", tmp_path / "out").returncode == 0
    again = run("convert", src, "--to", "tei", "-o", tmp_path / "out")
    assert again.returncode == ExitCode.EXISTS
    lines = again.stderr.splitlines()
    assert sum(": error: exists; not overwritten" in line for line in lines) == 5
    assert any(line.startswith("bulletin: 7 more errors like 'exists; not overwritten'")
               and "--skip-existing" in line for line in lines)
    as_json = run("convert", src, "--to", "tei", "-o", tmp_path / "out", "--json")
    assert sum('"kind": "exists"' in line for line in as_json.stderr.splitlines()) == 12


def test_a_text_repeating_itself_gives_a_few_warnings_and_a_count() -> None:
    sentence = "The harbour board met again to discuss the dredging of the outer channel."
    text = ("Harbour Board Repeats Itself\n\nMay 4, 2021 (EIRNS)—" + " ".join([sentence] * 40)
            + "\n")
    result = convert.parse(text.encode())
    repeats = [m for m in result.messages if m.kind == "sentence-repeated"]
    assert len(repeats) == 6
    assert repeats[-1].text.startswith("34 more sentences repeated")


def test_every_message_is_one_line(tmp_path: Path) -> None:
    reporter = cli_module.Reporter()
    assert "\n" not in reporter.line(convert.messages.error("two\nlines", "a.txt", 3))


def test_progress_lines_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                                       src: Path, tmp_path: Path) -> None:
    monkeypatch.setattr(cli_module.Progress, "PLAIN_EVERY", 0.0)
    done = invoke("convert", src, "--to", "tei", "-o", tmp_path / "out")
    assert done.exit_code == 0, done.output
    assert "bulletin: converting: 2 of 2 done" in done.output
    assert invoke("archive", src, "-o", tmp_path / "bag", "--to", "tei").exit_code == 0
    checked = invoke("verify", tmp_path / "bag")
    assert checked.exit_code == 0 and "bulletin: verifying: " in checked.output


def test_verify_tells_of_every_file_it_rehashes(src: Path, tmp_path: Path) -> None:
    convert.archive(src, tmp_path / "bag", to="tei")
    seen: list[tuple[int, int]] = []
    assert verify(tmp_path / "bag", progress=lambda done, total: seen.append((done, total))) == []
    manifest = (tmp_path / "bag" / "manifest-sha256.txt").read_text().splitlines()
    tags = (tmp_path / "bag" / "tagmanifest-sha256.txt").read_text().splitlines()
    assert seen[-1] == (len(manifest) + len(tags),) * 2


# --- inputs that are not files ---------------------------------------------------------------


def test_named_inputs_must_be_regular_files(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    done = run("parse", fifo, timeout=60)
    assert done.returncode == ExitCode.FAILED and "not a regular file" in done.stderr
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    done = run("parse", tmp_path / "zero.txt", timeout=60)
    assert done.returncode == ExitCode.FAILED and "not a regular file" in done.stderr
    done = run("validate", "/dev/zero", timeout=60)
    assert done.returncode == ExitCode.FAILED and "not a regular file" in done.stderr


def test_an_everything_master_still_converts_by_name(tmp_path: Path) -> None:
    """A canonical master named on the command line is taken whatever its folder holds."""
    folder = tmp_path / "m"
    folder.mkdir()
    shutil.copy(FIXTURES / "everything.xml", folder / "ferry.xml")
    shutil.copy(STORY, folder / "ferry.txt")  # ferry.xml is 'an earlier output' in a walk
    walked = convert.convert(folder, "tei", tmp_path / "out1")
    assert [o.source for o in walked.outputs] == [str(folder / "ferry.txt")]
    named = convert.convert(folder / "ferry.xml", "tei", tmp_path / "out2")
    assert named.ok and etree.parse(str(tmp_path / "out2" / "ferry.tei.xml")).getroot() is not None
