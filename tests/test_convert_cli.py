"""`bulletin convert` and `convert.convert`: inputs, naming, refusals, atomic writes, exit codes,
and byte-identical output under another clock, time zone and locale."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import BAD, CORPUS, DIGEST, FIXTURES, NO_TITLE, ORDINARY, YEAR_LESS, on_terminal
from lxml import etree

import convert
from convert import model
from convert.cli import cli
from convert.files import TEMP_PREFIX
from convert.messages import ExitCode

BULLETINS = CORPUS / "bulletins"
SEED = ORDINARY  # any ordinary bulletin: header, title, full dateline (2016-03-03)


def bulletin(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["convert", *map(str, args)], catch_exceptions=False)


def tree(folder: Path) -> list[str]:
    """Every file under `folder`, relative, sorted (temporary files included)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def scraped(tmp_path: Path) -> Path:
    """A folder as a user has it: bulletins in subfolders, and what earlier runs left there."""
    root = tmp_path / "scraped"
    (root / "2018").mkdir(parents=True)
    shutil.copy(SEED, root / "seed.txt")
    shutil.copy(DIGEST, root / "2018" / "digest.txt")
    shutil.copy(FIXTURES / "everything.xml", root / "2018" / "ferry.xml")  # a canonical master
    (root / "seed.xml").write_bytes(b"<not-read/>")  # the master of seed.txt: skipped
    (root / "2018" / "digest-2.xml").write_bytes(b"<not-read/>")  # a digest item's master
    (root / "old.tei.xml").write_bytes(b"<not-read/>")  # an earlier TEI output: skipped
    (root / ".draft.txt").write_text("hidden files are skipped")
    (root / "notes.md").write_text("not a bulletin")
    return root


def test_folder_walk_names_outputs_and_mirrors_subfolders(scraped: Path, tmp_path: Path) -> None:
    run = bulletin(scraped, "--to", "tei,epub", "-o", tmp_path / "out")
    assert run.exit_code == 0, run.output
    assert tree(tmp_path / "out") == [
        "2018/digest-1.epub", "2018/digest-1.tei.xml", "2018/digest-2.epub",
        "2018/digest-2.tei.xml", "2018/digest-3.epub", "2018/digest-3.tei.xml",
        "2018/ferry.epub", "2018/ferry.tei.xml", "seed.epub", "seed.tei.xml"]
    assert "old.tei.xml: info: skipped" in run.stderr
    assert "10 file(s) written, 0 failure(s)" in run.stderr


def test_a_folder_named_by_a_relative_path_mirrors_its_subfolders_too(
        scraped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the walk's root was once the real path, the inputs relative
    run = bulletin("scraped", "--to", "tei", "-o", "out")
    assert run.exit_code == 0, run.output
    assert tree(tmp_path / "out") == ["2018/digest-1.tei.xml", "2018/digest-2.tei.xml",
                                      "2018/digest-3.tei.xml", "2018/ferry.tei.xml",
                                      "seed.tei.xml"]


def test_outputs_go_next_to_the_input_by_default(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "seed.txt")
    run = bulletin(tmp_path / "seed.txt", "--to", "xml,tei")
    assert run.exit_code == 0, run.output
    assert tree(tmp_path) == ["seed.tei.xml", "seed.txt", "seed.xml"]
    assert model.load((tmp_path / "seed.xml").read_bytes()).get("id").startswith("2016-03-03-")


def test_existing_outputs_are_refused_unless_forced(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "seed.tei.xml").write_bytes(b"keep me")
    run = bulletin(tmp_path / "seed.txt", "--to", "tei,epub")
    assert run.exit_code == ExitCode.EXISTS
    assert "seed.tei.xml: error: exists; not overwritten; --force overwrites" in run.stderr
    assert (tmp_path / "seed.tei.xml").read_bytes() == b"keep me"
    assert (tmp_path / "seed.epub").is_file()  # the other output is still written

    run = bulletin(tmp_path / "seed.txt", "--to", "tei", "--force")
    assert run.exit_code == 0, run.output
    assert (tmp_path / "seed.tei.xml").read_bytes().startswith(b"<?xml")
    assert not [n for n in tree(tmp_path) if TEMP_PREFIX in n]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "out" / "seed.epub").mkdir(parents=True)  # cannot be replaced by a file
    run = bulletin(tmp_path / "seed.txt", "--to", "epub,tei", "-o", tmp_path / "out", "--force")
    assert run.exit_code == ExitCode.FAILED
    assert "cannot write" in run.stderr and "seed.epub" in run.stderr
    assert tree(tmp_path / "out") == ["seed.tei.xml"]


def test_stdout_takes_exactly_one_rendition(tmp_path: Path) -> None:
    run = bulletin(SEED, "--to", "epub", "-o", "-")
    assert run.exit_code == 0, run.stderr
    assert run.stdout_bytes[30:58] == b"mimetypeapplication/epub+zip"
    assert convert.convert(SEED, "epub", tmp_path).ok
    assert (tmp_path / f"{SEED.stem}.epub").read_bytes() == run.stdout_bytes

    run = bulletin(SEED, "--to", "tei,epub", "-o", "-")
    assert run.exit_code == ExitCode.USAGE and run.stdout_bytes == b""
    run = bulletin(DIGEST, "--to", "tei", "-o", "-")
    assert run.exit_code == ExitCode.USAGE and run.stdout_bytes == b""
    assert "the input gives 3 documents" in run.stderr and "-o DIR/" in run.stderr


def test_an_unreadable_input_costs_only_itself_when_one_file_is_asked_for(tmp_path: Path
                                                                         ) -> None:
    """A folder sent to one file: its one good bulletin is written even though another input
    cannot be read (reported, exit 1); with two good ones, the count is what is reported."""
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(SEED, one / "good.txt")
    shutil.copy(BAD / "empty.txt", one / "empty.txt")
    run = bulletin(one, "-o", tmp_path / "one.tei.xml")
    assert run.exit_code == ExitCode.FAILED
    assert "empty.txt" in run.stderr and "empty input" in run.stderr
    tei = (tmp_path / "one.tei.xml").read_bytes()
    title = model.head(convert.parse_file(SEED).documents[0]).title
    assert title and title in etree.fromstring(tei).findtext(".//{*}titleStmt/{*}title")
    run = bulletin(one, "--to", "tei", "-o", "-")
    assert run.exit_code == ExitCode.FAILED and run.stdout_bytes == tei

    shutil.copy(YEAR_LESS, one / "second.txt")
    run = bulletin(one, "-o", tmp_path / "two.epub")
    assert (f"2 inputs give 2 documents ({one / 'good.txt'}, {one / 'second.txt'})"
            in run.stderr and "empty.txt" in run.stderr)
    assert run.exit_code == ExitCode.FAILED  # two kinds of failure: see "Exit codes"
    assert not (tmp_path / "two.epub").exists()


def test_what_cannot_work_for_any_input_is_said_once_before_any_is_read(tmp_path: Path
                                                                        ) -> None:
    """An output "folder" that is a file, or a reference DOCX that is no DOCX, would fail
    every input in turn: it is one usage error (exit 2), and nothing is written."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        shutil.copy(SEED, folder / name)
    (tmp_path / "afile").write_text("notes\n")
    run = bulletin(folder, "--to", "tei", "-o", tmp_path / "afile")
    assert run.exit_code == ExitCode.USAGE and run.stderr.count("is a file, not a folder") == 1
    assert (tmp_path / "afile").read_text() == "notes\n"

    not_docx = tmp_path / "style.docx"
    not_docx.write_text("not a zip\n")
    for to in (["--to", "docx,tei"], ["--to", "all"]):
        run = bulletin(folder, *to, "--reference-docx", not_docx, "-o", tmp_path / "out")
        assert run.exit_code == ExitCode.USAGE, run.stderr
        assert run.stderr.count("as a reference DOCX") == 1 and "--reference-docx" in run.stderr
    run = bulletin(folder / "a.txt", "--reference-docx", not_docx, "-o", tmp_path / "a.docx")
    assert run.exit_code == ExitCode.USAGE and not (tmp_path / "a.docx").exists()
    assert not (tmp_path / "out").exists()
    run = bulletin(folder, "--to", "tei", "--reference-docx", not_docx, "-o", tmp_path / "out")
    assert run.exit_code == 0, run.stderr  # no DOCX asked for: the option has no use


def test_a_file_reached_through_a_link_too_is_converted_once_under_its_own_name(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "sub" / "real.txt")
    (folder / "alias.txt").symlink_to(Path("sub", "real.txt"))  # walked first
    run = bulletin(folder, "--to", "tei", "-o", tmp_path / "out")
    assert run.exit_code == 0, run.stderr
    assert tree(tmp_path / "out") == ["sub/real.tei.xml"]
    assert "alias.txt: info: the same file as" in run.stderr and "real.txt" in run.stderr


def test_files_a_walk_leaves_out_are_counted(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / ".drafts").mkdir(parents=True)
    shutil.copy(SEED, folder / "story.txt")
    for name in (".draft.txt", ".drafts/a.txt", "scan.pdf"):
        shutil.copy(SEED, folder / name)
    run = bulletin(folder, "--to", "tei", "-o", tmp_path / "out")
    assert run.exit_code == 0, run.stderr
    assert tree(tmp_path / "out") == ["story.tei.xml"]
    # .draft.txt, scan.pdf and the hidden folder, left out whole
    assert "info: 3 file(s) in the folders walked were left out (hidden, or not .txt" \
        in run.stderr


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    run = bulletin(SEED, "--to", "tei,odt", "-o", tmp_path)
    assert run.exit_code == ExitCode.USAGE
    assert "unknown format 'odt'; known formats: xml, tei, epub" in run.stderr
    assert tree(tmp_path) == []


def test_one_bad_input_does_not_stop_the_others(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / "a.txt")
    shutil.copy(BAD / "empty.txt", inputs / "b.txt")
    shutil.copy(YEAR_LESS, inputs / "c.txt")
    run = bulletin(inputs, tmp_path / "missing.txt", "--to", "tei", "-o", tmp_path / "out")
    assert run.exit_code == ExitCode.FAILED
    assert f"{inputs / 'b.txt'}: error: empty input" in run.stderr
    assert f"{tmp_path / 'missing.txt'}: error: no such file or folder" in run.stderr
    assert tree(tmp_path / "out") == ["a.tei.xml", "c.tei.xml"]


def invalid_master(folder: Path) -> Path:
    """The fixture with an id that breaks the schema's pattern (upper case, a space)."""
    doc = model.load((FIXTURES / "everything.xml").read_bytes())
    doc.set("id", "Not An Id")
    path = folder / "invalid.xml"
    path.write_bytes(model.dump(doc))
    return path


def test_invalid_document_is_refused_unless_no_validate(tmp_path: Path) -> None:
    source = invalid_master(tmp_path)
    run = bulletin(source, "--to", "tei", "-o", tmp_path / "out")
    assert run.exit_code == ExitCode.INVALID
    assert f"{source}:2: error:" in run.stderr
    assert not (tmp_path / "out").exists()

    run = bulletin(source, "--to", "tei", "-o", tmp_path / "out", "--no-validate")
    assert run.exit_code == 0, run.output
    assert b"<idno type=\"bulletin-id\">Not An Id</idno>" in (
        tmp_path / "out" / "invalid.tei.xml").read_bytes()


def test_mixed_failures_exit_with_the_generic_code(tmp_path: Path) -> None:
    source = invalid_master(tmp_path)
    run = bulletin(source, BAD / "empty.txt", "--to", "tei", "-o", tmp_path / "out")
    assert run.exit_code == ExitCode.FAILED


def test_an_output_never_overwrites_an_input_or_another_output(tmp_path: Path) -> None:
    master = tmp_path / "ferry.xml"
    shutil.copy(FIXTURES / "everything.xml", master)
    run = bulletin(master, "--to", "xml", "--force")
    assert run.exit_code == ExitCode.FAILED
    assert "would overwrite an input" in run.stderr and "another folder with -o DIR" in run.stderr
    assert master.read_bytes() == (FIXTURES / "everything.xml").read_bytes()

    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(SEED, tmp_path / sub / "seed.txt")
    run = bulletin(tmp_path / "a" / "seed.txt", tmp_path / "b" / "seed.txt", "--to", "tei",
                   "-o", tmp_path / "out", "--force")
    assert run.exit_code == ExitCode.FAILED
    assert "would overwrite an output of this run" in run.stderr
    assert "convert them into separate folders, or rename one" in run.stderr
    assert tree(tmp_path / "out") == ["seed.tei.xml"]


def test_an_output_reached_through_a_link_never_overwrites_an_input(tmp_path: Path) -> None:
    master = tmp_path / "in" / "ferry.xml"
    master.parent.mkdir()
    shutil.copy(FIXTURES / "everything.xml", master)
    (tmp_path / "linked").symlink_to(tmp_path / "in")  # the output folder is the input's
    run = bulletin(master, "--to", "xml", "-o", tmp_path / "linked", "--force")
    assert run.exit_code == ExitCode.FAILED and "would overwrite an input" in run.stderr
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ferry.xml").symlink_to(master)  # the output's name is a link to it
    run = bulletin(master, "--to", "xml", "-o", tmp_path / "out", "--force")
    assert run.exit_code == ExitCode.FAILED and "would overwrite an input" in run.stderr
    assert master.read_bytes() == (FIXTURES / "everything.xml").read_bytes()


def test_year_and_source_url_reach_the_renditions(tmp_path: Path) -> None:
    year_less = YEAR_LESS  # "Jan. 27 (EIRNS)—"
    url = "https://news.example.org/2019/airports"
    run = bulletin(year_less, "--to", "tei", "-o", tmp_path, "--year", "2019",
                   "--source-url", url)
    assert run.exit_code == 0, run.output
    tei = (tmp_path / f"{YEAR_LESS.stem}.tei.xml").read_text()
    assert '<date when="2019-01-27" cert="medium" evidence="external">Jan. 27</date>' in tei
    assert f'<ref target="{url}">{url}</ref>' in tei


def test_strict_turns_warnings_into_a_failure(tmp_path: Path) -> None:
    no_dateline = BAD / "no-dateline.txt"
    run = bulletin(no_dateline, "--to", "tei", "-o", tmp_path / "a")
    assert run.exit_code == 0 and ": warning: " in run.stderr
    run = bulletin(no_dateline, "--to", "tei", "-o", tmp_path / "b", "--strict")
    assert run.exit_code == ExitCode.WARNINGS
    assert tree(tmp_path / "b") == ["no-dateline.tei.xml"]
    run = bulletin(no_dateline, "--to", "tei", "-o", tmp_path / "c", "--quiet")
    assert run.exit_code == 0 and run.stderr == ""


def test_json_lists_the_outputs(tmp_path: Path) -> None:
    run = bulletin(SEED, "--to", "tei", "-o", tmp_path, "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report == {"outputs": [{"source": str(SEED), "format": "tei",
                                   "path": str(tmp_path / f"{SEED.stem}.tei.xml")}],
                      "already_there": [], "failures": 0, "exit_code": 0}


def test_help_shows_examples() -> None:
    run = CliRunner().invoke(cli, ["convert", "--help"])
    assert run.exit_code == 0
    assert "bulletin convert scraped/ --to all -o out/" in run.output
    assert "--no-validate" in run.output and "--reference-docx" in run.output


@pytest.mark.parametrize("command", ["parse", "convert", "archive"])
def test_help_names_every_kind_of_file_a_folder_walk_takes(command: str) -> None:
    # Field test: the three said "walked for .txt and .xml files", and a folder's saved pages
    # and crawls were taken too (README, "What a folder walk takes")
    run = CliRunner().invoke(cli, [command, "--help"], terminal_width=200)
    assert ".txt, .xml, .html and .warc(.gz)" in run.output


def test_library_call_returns_what_it_did(tmp_path: Path) -> None:
    result = convert.convert([SEED, DIGEST], to="tei,epub", dest=tmp_path, year=2012)
    assert result.ok and result.exit_code is ExitCode.OK
    assert [(Path(o.source).name, o.format, o.path.name) for o in result.outputs][:3] == [
        (SEED.name, "tei", f"{SEED.stem}.tei.xml"),
        (SEED.name, "epub", f"{SEED.stem}.epub"),
        (DIGEST.name, "tei", f"{DIGEST.stem}-1.tei.xml")]
    assert len(result.outputs) == 8
    stream = io.BytesIO()
    assert convert.convert(SEED, "tei", stream).ok
    assert stream.getvalue() == (tmp_path / f"{SEED.stem}.tei.xml").read_bytes()
    with pytest.raises(ValueError, match="exactly one format"):
        convert.convert(SEED, "tei,epub", io.BytesIO())


def test_same_input_same_bytes_under_another_clock_zone_and_locale(tmp_path: Path) -> None:
    """Two runs in fresh processes, a second apart, with different TZ, locale and
    SOURCE_DATE_EPOCH: every output is byte-identical."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in (SEED, YEAR_LESS, NO_TITLE, DIGEST):
        shutil.copy(path, inputs / path.name)
    shutil.copy(FIXTURES / "everything.xml", inputs / "ferry.xml")
    settings = [{"TZ": "UTC", "LC_ALL": "C", "SOURCE_DATE_EPOCH": "0"},
                {"TZ": "Asia/Kathmandu", "LC_ALL": "C.UTF-8", "SOURCE_DATE_EPOCH": "1700000000"}]
    digests = []
    for n, extra in enumerate(settings):
        if n:
            time.sleep(1.1)  # ZIP times have two-second resolution; the clock moves on anyway
        out = tmp_path / f"out{n}"
        run = subprocess.run([sys.executable, "-m", "convert", "convert", str(inputs), "--to",
                              "xml,tei,epub", "-o", str(out)], env=dict(os.environ, **extra),
                             capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr
        digests.append({name: hashlib.sha256((out / name).read_bytes()).hexdigest()
                        for name in tree(out)})
    assert len(digests[0]) >= 15
    assert digests[0] == digests[1]


def test_ctrl_c_stops_a_conversion_with_exit_code_130_and_no_partial_file(tmp_path: Path) -> None:
    """Click's own handling would print "Aborted!" and exit 1."""
    src = tmp_path / "src"
    src.mkdir()
    for i, path in enumerate(sorted(BULLETINS.glob("*.txt")) * 3):
        shutil.copyfile(path, src / f"{i:03d}-{path.name}")
    out = tmp_path / "out"
    # As a job in the foreground of a terminal has it, SIGINT at its default whatever this
    # runner inherited (a job a shell starts in the background ignores it, and so would the
    # command: Python keeps an ignored SIGINT ignored).
    argv = [sys.executable, "-m", "convert", "convert", str(src), "--to", "all", "-o", str(out),
            "-q"]
    foreground = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                  "os.execv(sys.argv[1], sys.argv[1:])")
    proc = subprocess.Popen([sys.executable, "-c", foreground, *argv], stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while not (out.exists() and any(out.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(2)  # SIGINT, as Ctrl-C sends it
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert "interrupted" in err and "Traceback" not in err and "Aborted" not in err
    assert "run the same command with --skip-existing to finish" in err
    assert not [p for p in out.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert len(list(out.iterdir())) < 4 * len(list(src.iterdir()))


def test_the_library_functions_stay_callable_once_their_modules_are_loaded() -> None:
    """A subpackage named like a function would replace it on the package once imported."""
    code = ("import convert; convert.parse_file; convert.verify; "
            "print(all(callable(getattr(convert, n)) for n in convert.__all__ if n[0] != '_'), "
            "sorted(n for n in convert.__all__ if n in dir(convert)) == sorted(convert.__all__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True", "True"], out.stderr


def test_skip_existing_finishes_an_interrupted_run_without_touching_what_is_there(
        tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for path in sorted(BULLETINS.glob("blind1-0[1-4]-*.txt")):
        shutil.copyfile(path, src / path.name)
    out = tmp_path / "out"
    assert bulletin(src, "--to", "tei,epub", "-o", out).exit_code == 0
    done = sorted(out.iterdir())
    first, gone = done[0], done[1]
    before = first.stat().st_mtime_ns
    again = bulletin(src, "--to", "tei,epub", "-o", out)
    assert again.exit_code == ExitCode.EXISTS
    gone.unlink()  # as if the run had been interrupted before writing it
    result = bulletin(src, "--to", "tei,epub", "-o", out, "--skip-existing")
    assert result.exit_code == 0, result.output
    assert f"1 file(s) written, {len(done) - 1} already there" in result.output
    assert sorted(out.iterdir()) == done and first.stat().st_mtime_ns == before
    both = bulletin(src, "--to", "tei", "-o", out, "--skip-existing", "--force")
    assert both.exit_code == ExitCode.USAGE


def test_a_long_input_shows_each_writers_progress_on_a_terminal(tmp_path: Path) -> None:
    """One input of LONG_INPUT bytes or more: under the bar, how far each writer is (on a
    terminal only: a log gets no bar)."""
    from convert.cli import LONG_INPUT

    paragraphs = [f"Gate {n} of the Weirmoor flight was opened {n % 7 + 2} times on the day of "
                  f"the inspection, reading {n * 37 % 1000} on the gauge of keeper {n}."
                  for n in range(LONG_INPUT // 100)]
    source = tmp_path / "long.txt"
    source.write_text("Lock Keepers Publish a Year of Gate Readings\n\nMarch 2, 2021 (EIRNS)—"
                      + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    assert source.stat().st_size >= LONG_INPUT
    code, seen = on_terminal("convert", source, "--to", "tei,docx", "-o", tmp_path / "tty")
    assert code == ExitCode.OK, seen.decode(errors="replace")
    assert b"TEI: blocks" in seen and b"DOCX: blocks" in seen
    plain = bulletin(source, "--to", "docx", "-o", tmp_path / "plain")
    assert plain.exit_code == ExitCode.OK and "blocks" not in plain.stderr
