"""What an adversary or bad luck brings: characters XML cannot hold, full and read-only disks,
two runs racing for one package, workers dying at start, processing instructions, formula
cells, long inputs. Each test failed before its fix."""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convert
from convert import model
from convert.archiving import verify
from convert.archiving import worker as worker_module
from convert.archiving.worker import FAULTS_ENV, Job
from convert.files import TEMP_PREFIX
from convert.messages import ExitCode, InputError
from convert.schema import validate

STORY = EXAMPLES / "harbor-cranes.txt"
TEXTS = sorted(EXAMPLES.glob("*.txt"))


def run(*args: str | Path, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "convert", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env=None if env is None else {**os.environ, **env})


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(f"{TEMP_PREFIX}*")]


# --- characters XML cannot hold --------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\ud800"])
def test_characters_xml_cannot_hold_are_replaced_and_recorded(bad: str) -> None:
    text = f"Harbour Board Meets\n\nMay 4, 2021 (EIRNS)—The board met{bad} today at noon.\n"
    result = convert.parse(text)
    doc = result.documents[0]
    assert validate(doc) == []
    assert "met\ufffd today" in model.content_text(doc)
    repairs = [r for r in doc.iter(model.q("repair")) if r.get("kind") == "xml-characters"]
    assert len(repairs) == 1 and f"U+{ord(bad):04X}" in (repairs[0].text or "")
    assert any("XML cannot hold" in m.text for m in result.messages)


@pytest.mark.parametrize("good", ["\U0001f6a2", "\U00020000", "\U0010fffd", "\U0002fffd"])
def test_characters_beyond_the_bmp_are_kept(good: str) -> None:
    text = f"Harbour Board Meets\n\nMay 4, 2021 (EIRNS)—The board met{good} today at noon.\n"
    doc = convert.parse(text).documents[0]
    assert f"met{good} today" in model.content_text(doc)
    assert not [r for r in doc.iter(model.q("repair")) if r.get("kind") == "xml-characters"]


def test_a_batch_goes_on_past_an_input_with_a_noncharacter(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a-bad.txt").write_text("Title\n\nMay 4, 2021 (EIRNS)—Text \uffff here.\n", "utf-8")
    for path in TEXTS:
        shutil.copy(path, src / path.name)
    done = run("convert", src, "--to", "tei", "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    documents = sum(len(convert.parse_file(p).documents) for p in TEXTS)
    assert len(list((tmp_path / "out").glob("*.tei.xml"))) == documents + 1
    assert "Traceback" not in done.stderr


_HOSTILE = st.sampled_from(["\ufffe", "\uffff", "\ud800", "\udfff", "\x00", "\x07", "\x1b",
                            "\x85", "\ufdd0", "\U0010ffff", "\u200b", "\r", "—", "“"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(min_size=0, max_size=30), _HOSTILE), max_size=40))
def test_any_text_with_noncharacters_and_controls_parses_or_is_refused(parts: list[str]) -> None:
    text = "Title Of A Bulletin\n\nMay 4, 2021 (EIRNS)—" + "".join(parts)
    try:
        result = convert.parse(text)
    except InputError:
        return
    for doc in result.documents:
        assert validate(doc) == [], model.dump(doc)


# --- full and read-only disks ----------------------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """A real tmpfs of `size` at `path` (skips where mounting is not allowed)."""
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the injected-error "
                    "tests below cover the same paths")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_is_a_message_not_an_abort(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "256k") as disk:
        src = tmp_path / "src"
        src.mkdir()
        for i in range(8):
            shutil.copy(STORY, src / f"story-{i}.txt")
        done = run("convert", src, "--to", "all", "-o", disk / "out")
        assert done.returncode == ExitCode.FAILED, done.stderr
        assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
        assert leftovers(disk) == []
        for pdf in (disk / "out").glob("*.pdf"):  # what was written is whole
            assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
        archived = run("archive", src, "-o", disk / "bag", "--to", "pdf")
        assert archived.returncode == ExitCode.FAILED
        assert "No space left on device" in archived.stderr and "--resume" in archived.stderr
        assert "Traceback" not in archived.stderr


def test_a_site_on_a_full_or_read_only_disk_is_a_message_and_a_second_run_ends_it(
        tmp_path: Path) -> None:
    package = tmp_path / "bag"
    assert run("archive", *TEXTS, "-o", package, "--to", "tei").returncode == ExitCode.OK
    with small_disk(tmp_path / "disk", "192k") as disk:
        full = run("site", package, "-o", disk / "site")
        assert full.returncode == ExitCode.FAILED, full.stderr
        assert "No space left on device" in full.stderr and "Traceback" not in full.stderr
        assert leftovers(disk) == [] and not (disk / "site" / "catalog.sqlite").exists()
        subprocess.run(["mount", "-o", "remount,size=8m", str(disk)], check=True)
        assert run("site", package, "-o", disk / "site").returncode == ExitCode.OK
        assert (disk / "site" / "catalog.sqlite").is_file() and leftovers(disk) == []
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        denied = run("site", package, "-o", disk / "other")
        assert denied.returncode == ExitCode.FAILED
        assert "Read-only file system" in denied.stderr and "Traceback" not in denied.stderr


def test_sqlite_running_out_of_room_is_told_in_the_system_s_words() -> None:
    """Which write meets a full disk first varies: the archive's journal says it as files do."""
    import sqlite3

    from convert.files import write_failure

    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA max_page_count = 2")  # a real SQLITE_FULL, as on a full disk
    with pytest.raises(sqlite3.OperationalError) as full:
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 50)
    assert write_failure(full.value).startswith("No space left on device")
    assert write_failure(OSError(errno.EROFS, os.strerror(errno.EROFS))) == "Read-only file system"


def test_a_read_only_output_folder_is_a_message(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        (disk / "out").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        parsed = run("parse", STORY, "-o", disk / "out/")
        assert parsed.returncode == ExitCode.FAILED
        assert "Read-only file system" in parsed.stderr and "Traceback" not in parsed.stderr
        archived = run("archive", STORY, "-o", disk / "out" / "bag")
        assert archived.returncode == ExitCode.FAILED
        assert "Read-only file system" in archived.stderr and "Traceback" not in archived.stderr


def test_an_output_name_too_long_for_the_disk_fails_that_input_only(tmp_path: Path) -> None:
    """STEM.txt of 255 bytes makes STEM.tei.xml of 259, which no file system takes: the
    batch stopped there with a traceback (Path.exists raises on Python 3.11), and on 3.12
    the hint was to free some space (field test)."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(STORY, src / ("N" * 251 + ".txt"))
    shutil.copy(STORY, src / "short.txt")
    for options in ({}, {"skip_existing": True}, {"force": True}):
        result = convert.convert([src], "tei", tmp_path / "out", jobs=1, **options)
        assert result.exit_code == ExitCode.FAILED
        assert {p.name for p in (tmp_path / "out").iterdir()} == {"short.tei.xml"}
        [failed] = [m for m in result.messages if m.level == "error"]
        assert failed.source == str(src / ("N" * 251 + ".txt"))
        assert "File name too long" in failed.text
        assert "shorten the input's name" in (failed.hint or "")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_an_injected_write_error_fails_one_output_and_leaves_no_temporary_file(
        code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import convert.files as files

    real = files.tempfile.mkstemp
    calls = {"n": 0}

    def failing(*args: object, **kwargs: object) -> tuple[int, str]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(code, os.strerror(code), str(tmp_path / "out"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files.tempfile, "mkstemp", failing)
    result = convert.convert([STORY, EXAMPLES / "sofia-tram-cyrillic.txt"], "tei",
                             tmp_path / "out")
    assert result.exit_code == ExitCode.FAILED and len(result.outputs) == 1
    assert any(os.strerror(code) in m.text and m.hint for m in result.messages)
    assert leftovers(tmp_path / "out") == []


def test_archive_reports_a_write_error_and_resumes_after_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from convert.archiving import runner

    real = runner.write_in_place
    calls = {"n": 0}

    def failing(path: str, data: bytes, **kw: bool) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        real(path, data, **kw)

    src = tmp_path / "src"
    src.mkdir()
    for path in TEXTS:
        shutil.copy(path, src / path.name)
    (src / "empty.txt").write_bytes(b"")  # quarantined: its bytes are written by the driver
    (src / "zz-empty.txt").write_bytes(b"\n")
    monkeypatch.setattr(runner, "write_in_place", failing)
    with pytest.raises(convert.archiving.ArchiveError) as info:
        convert.archive(src, tmp_path / "bag", to="tei", jobs=1)
    assert "No space left on device" in info.value.text
    assert "--resume" in (info.value.hint or "")
    monkeypatch.setattr(runner, "write_in_place", real)
    report = convert.archive(src, tmp_path / "bag", to="tei", jobs=1, resume=True)
    assert report.totals.archived == len(TEXTS) and verify(tmp_path / "bag") == []


# --- races and workers -----------------------------------------------------------------------


def test_two_runs_started_at_once_into_one_package(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for path in TEXTS:
        shutil.copy(path, src / path.name)
    for attempt in range(4):
        dest = tmp_path / f"bag{attempt}"
        runs = [subprocess.Popen([sys.executable, "-m", "convert", "archive", str(src), "-o",
                                  str(dest), "--to", "tei", "-q"], stderr=subprocess.PIPE,
                                 text=True) for _ in range(2)]
        outcomes = sorted((p.wait(timeout=300), p.stderr.read() if p.stderr else "")
                          for p in runs)
        assert [code for code, _ in outcomes] in ([0, ExitCode.EXISTS], [0, 0]), outcomes
        for code, err in outcomes:
            assert "Traceback" not in err
            if code:
                assert "another `bulletin archive` is using" in err or "exists" in err
        assert verify(dest) == []


def test_a_worker_dying_at_start_blames_no_input(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for path in TEXTS:
        shutil.copy(path, src / path.name)
    deaths = tmp_path / "deaths"
    deaths.mkdir()
    for n in range(3):  # more than an input's allowed attempts
        (deaths / f"{n}").touch()
    done = run("archive", src, "-o", tmp_path / "bag", "--to", "tei", "--jobs", "1",
               env={FAULTS_ENV: f"start:{deaths}"})
    assert done.returncode == 0, done.stderr
    assert list(deaths.iterdir()) == []  # every planned death happened
    with open(tmp_path / "bag" / "catalog.csv", encoding="utf-8") as f:
        assert {row["status"] for row in csv.DictReader(f)} == {"archived"}


def test_the_time_allowed_grows_with_the_input_and_names_the_option() -> None:
    job = Job(("tei",), 120.0, (("t", "1"), ("d", "1")))
    assert job.allowed(0) == 120.0
    assert job.allowed(20 << 20) == 120.0 + 20 * worker_module.SECONDS_PER_MB
    assert "--timeout" in job.timed_out(50 << 20)


# --- content that must not pass through ------------------------------------------------------


def test_processing_instructions_are_invalid_and_dropped_from_input(tmp_path: Path) -> None:
    text = (FIXTURES / "everything.xml").read_text("utf-8")
    hostile = text.replace("?>\n", '?>\n<?xml-stylesheet href="http://example.org/x.xsl"?>\n', 1)
    hostile = hostile.replace("<p>", "<p><?php system('id'); ?>", 1)
    path = tmp_path / "hostile.xml"
    path.write_text(hostile, "utf-8")
    problems = validate(path.read_bytes(), str(path))
    assert len([m for m in problems if "processing instruction" in m.text]) == 2
    assert run("validate", path).returncode == ExitCode.INVALID
    result = convert.parse_file(path)
    assert sum("dropped a processing instruction" in m.text for m in result.messages) == 2
    dumped = model.dump(result.documents[0])
    assert b"<?php" not in dumped and b"xml-stylesheet" not in dumped
    assert validate(result.documents[0]) == []
    assert model.content_text(result.documents[0]) == model.content_text(
        model.load((FIXTURES / "everything.xml").read_bytes()))


def test_catalog_cells_that_a_spreadsheet_would_run_are_quoted(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "formula.txt").write_text(
        '=HYPERLINK("http://example.org/","Harbour Board")\n\n'
        "May 4, 2021 (EIRNS)—The board met today and agreed on the dredging calendar.\n",
        "utf-8")
    (src / "-dash.txt").write_text(
        "Harbour Board Meets\n\nMay 5, 2021 (EIRNS)—The board met again and agreed.\n", "utf-8")
    report = convert.archive(src, tmp_path / "bag", to="tei")
    assert report.totals.archived == 2
    with open(tmp_path / "bag" / "catalog.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    titles = [r["title"] for r in rows if r["title"].startswith("'")]
    assert titles == ["'=HYPERLINK(\"http://example.org/\",\"Harbour Board\")"]
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    master = next(p for p in (tmp_path / "bag").glob("data/*/*/*hyperlink*.xml")
                  if not p.name.endswith(".tei.xml"))
    assert model.head(model.load(master.read_bytes())).title.startswith("=HYPERLINK")
    again = convert.archive(src, tmp_path / "bag", resume=True)  # the catalog reads back
    assert again.run.skipped == 2


def test_long_quiet_runs_are_quick_to_stop(tmp_path: Path) -> None:
    """A named FIFO is refused at once instead of waiting for a writer (it used to hang)."""
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    done = run("convert", fifo, "--to", "tei", "-o", tmp_path / "out", timeout=60)
    assert done.returncode == ExitCode.FAILED and time.monotonic() - started < 30


def test_a_title_longer_than_a_docx_property_takes_is_cut_there_only(tmp_path: Path) -> None:
    import zipfile

    title = " ".join(f"Harbour{n}" for n in range(40))  # 359 characters
    (tmp_path / "long.txt").write_text(
        f"{title}\n\nMay 4, 2021 (EIRNS)—The board met today and agreed on the calendar.\n",
        "utf-8")
    result = convert.convert(tmp_path / "long.txt", "all,html", tmp_path / "out")
    assert result.ok and len(result.outputs) == 5
    assert [m.text for m in result.messages] == [
        "docx: the title is cut to 255 characters in the document properties (their limit); "
        "the text shows it whole"]
    with zipfile.ZipFile(tmp_path / "out" / "long.docx") as z:
        core = z.read("docProps/core.xml").decode()
        body = z.read("word/document.xml").decode()
    assert f"<dc:title>{title[:254]}…</dc:title>" in core
    assert title.split()[-1] in body
    report = convert.archive(tmp_path / "long.txt", tmp_path / "bag")
    assert report.totals.archived == 1 and report.totals.quarantined == 0


# --- what the attack run found (one test each) ------------------------------------------------


def test_relative_folders_in_and_out(tmp_path: Path) -> None:
    (tmp_path / "src" / "sub").mkdir(parents=True)
    shutil.copy(STORY, tmp_path / "src" / "sub" / "story.txt")
    for args, made in ((["convert", "src/", "--to", "tei", "-o", "out/"], "out/sub/story.tei.xml"),
                       (["parse", "src", "-o", "masters/"], "masters/sub/story.xml")):
        done = subprocess.run([sys.executable, "-m", "convert", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / made).is_file()


def test_a_symlink_loop_costs_only_itself(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(STORY, src / "story.txt")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    result = convert.convert(src, "tei", tmp_path / "out")
    assert [o.path.name for o in result.outputs if o.path] == ["story.tei.xml"]
    assert any("loop.txt" in (m.source or "") for m in result.messages)


@pytest.mark.parametrize("option", [["--encoding", "undefined"],
                                    ["--source-url", "http://example.org/\nInjected: yes"]])
def test_options_that_cannot_be_used_are_usage_errors(option: list[str]) -> None:
    done = run("parse", *option, STORY)
    assert done.returncode == ExitCode.USAGE and "Traceback" not in done.stderr


def test_a_source_organization_cannot_inject_a_bag_info_field(tmp_path: Path) -> None:
    done = run("archive", STORY, "-o", tmp_path / "bag", "--source-organization",
               "Acme\nPayload-Oxum: 1.1")
    assert done.returncode == ExitCode.USAGE and not (tmp_path / "bag").exists()
    with pytest.raises(ValueError, match="line break"):
        convert.archive(STORY, tmp_path / "bag", source_organization="Acme\nX: y")
    with pytest.raises(ValueError, match="line break"):
        convert.parse(STORY.read_bytes(), source_url="http://a\r\nb")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    convert.archive(STORY, tmp_path / "bag", to="tei")
    return tmp_path / "bag"


def test_verify_names_what_it_cannot_read(package: Path) -> None:
    (package / "bagit.txt").write_bytes(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: "
                                        b"UTF-8\n\xff\xfe\n")
    done = run("verify", package)
    assert done.returncode == ExitCode.INVALID and "Traceback" not in done.stderr


def test_verify_reports_an_odd_premis_size(package: Path) -> None:
    premis = next(package.glob("data/*/*/premis.xml"))
    premis.write_bytes(premis.read_bytes().replace(b":size>", b":size>\xc2\xb2", 1))
    problems = verify(package)
    assert problems and all("Traceback" not in m.text for m in problems)


@pytest.mark.parametrize("name", ["bag-info.txt", "payload"])
def test_verify_never_reads_a_pipe(name: str, package: Path) -> None:
    target = package / "bag-info.txt" if name == "bag-info.txt" else next(
        package.glob("data/*/*/original.txt"))
    target.unlink()
    os.mkfifo(target)
    done = run("verify", package, timeout=60)
    assert done.returncode == ExitCode.INVALID and "not a regular file" in done.stderr
    assert str(target.relative_to(package)) in done.stderr


@pytest.mark.parametrize("record", [
    b'{"source": "a.txt", "status": "archived", "sha256": "' + b"a" * 64 + b'", "folder": '
    b'"data/x", "files": [["../../etc/passwd", 1, "' + b"a" * 64 + b'", "' + b"b" * 128
    + b'"]], "docs": [{"id": "x"}]}\n',
    b'{"source": "a.txt", "status": "archived", "sha256": "' + b"a" * 64 + b'", "folder": '
    b'"data/x", "files": [], "docs": [{"id": "x", "tei": "/etc/passwd"}]}\n',
    b'{"source": "a.txt", "status": "quarantined"}\n',
    b"[" * 100_000 + b"]" * 100_000 + b"\n",
])
def test_a_journal_record_cannot_reach_outside_the_package(record: bytes, tmp_path: Path) -> None:
    from convert.archiving.journal import Journal, JournalError

    path = tmp_path / "journal.jsonl"
    path.write_bytes(record)
    with pytest.raises(JournalError):
        list(Journal(path).records())


def test_nothing_is_written_into_a_package_through_a_link(package: Path, tmp_path: Path) -> None:
    (tmp_path / "into").symlink_to(package / "data", target_is_directory=True)
    done = run("convert", EXAMPLES / "sofia-tram-cyrillic.txt", "--to", "tei", "-o",
               tmp_path / "into")
    assert done.returncode == ExitCode.FAILED and "BagIt package" in done.stderr
    nested = run("archive", STORY, "-o", tmp_path / "into" / "inner")
    assert nested.returncode == ExitCode.FAILED
    assert verify(package) == []


def test_standard_input_has_the_size_limit_and_the_checks_of_a_file(
        package: Path, tmp_path: Path) -> None:
    big = subprocess.run(f"head -c 70000000 /dev/zero | {sys.executable} -m convert parse -",
                         shell=True, capture_output=True, text=True, timeout=120, check=False)
    assert big.returncode == ExitCode.FAILED and "too large" in big.stderr
    into = subprocess.run([sys.executable, "-m", "convert", "parse", "-", "-o",
                           str(package / "data" / "x.xml")], input=STORY.read_bytes(),
                          capture_output=True, timeout=120, check=False)
    assert into.returncode == ExitCode.FAILED and b"BagIt package" in into.stderr
    folder = subprocess.run([sys.executable, "-m", "convert", "parse", "-", "-o",
                             str(tmp_path / "masters") + "/"],
                            input=(EXAMPLES / "digest-europe.txt").read_bytes(),
                            capture_output=True, timeout=120, check=False)
    assert folder.returncode == 0, folder.stderr
    assert sorted(p.name for p in (tmp_path / "masters").iterdir()) == [
        "stdin-1.xml", "stdin-2.xml"]


def test_a_closed_standard_output_is_a_message() -> None:
    done = subprocess.run(f"{sys.executable} -m convert parse {STORY} >&-", shell=True,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == ExitCode.FAILED and "standard output is closed" in done.stderr


def test_sigterm_leaves_no_temporary_file(tmp_path: Path) -> None:
    import signal

    src = tmp_path / "src"
    src.mkdir()
    for i in range(60):
        shutil.copy(STORY, src / f"story-{i:02d}.txt")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "convert", "convert", str(src), "--to",
                             "pdf", "-o", str(out), "-q"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out.exists() and any(out.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED and "Traceback" not in err
    assert leftovers(out) == []


def test_resume_and_force_together_are_a_usage_error(tmp_path: Path) -> None:
    done = run("archive", STORY, "-o", tmp_path / "bag", "--resume", "--force")
    assert done.returncode == ExitCode.USAGE


def test_an_output_name_must_agree_with_the_format(tmp_path: Path) -> None:
    assert run("convert", STORY, "--to", "epub", "-o", tmp_path / "s.tei.xml").returncode == 2
    assert run("parse", STORY, "-o", tmp_path / "s.pdf").returncode == 2
    assert run("convert", STORY, "--to", "tei", "-o", tmp_path / "s.xml").returncode == 0
    assert not (tmp_path / "s.tei.xml").exists() and not (tmp_path / "s.pdf").exists()


def test_a_reference_docx_must_be_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "ref.docx")
    done = run("convert", STORY, "--to", "docx", "-o", tmp_path / "out",
               "--reference-docx", tmp_path / "ref.docx", timeout=60)
    assert done.returncode == ExitCode.USAGE and "not a regular file" in done.stderr


def test_a_year_zero_is_no_date(tmp_path: Path) -> None:
    result = convert.parse("Harbour Board Meets\n\nROTTERDAM, June 1, 0000 (EIRNS)—The board "
                           "met today and agreed on the dredging calendar.\n")
    doc = result.documents[0]
    assert model.head(doc).date is None and validate(doc) == []
    (tmp_path / "zero.xml").write_bytes(model.dump(doc))
    done = convert.convert(tmp_path / "zero.xml", "all,html", tmp_path / "out")
    assert done.ok and len(done.outputs) == 5


def test_a_comment_inside_a_dateline_is_no_content(tmp_path: Path) -> None:
    text = (FIXTURES / "everything.xml").read_text("utf-8")
    start = text.index("<dateline>") + len("<dateline>")
    (tmp_path / "c.xml").write_text(text[:start] + "<!-- checked -->" + text[start:], "utf-8")
    result = convert.convert(tmp_path / "c.xml", "all,html", tmp_path / "out")
    assert result.ok and len(result.outputs) == 5


def test_a_utf16_master_is_read_as_xml(tmp_path: Path) -> None:
    text = (FIXTURES / "everything.xml").read_text("utf-8")
    text = text.replace("encoding='UTF-8'", "encoding='UTF-16'")
    (tmp_path / "m.xml").write_bytes(text.encode("utf-16"))
    result = convert.parse_file(tmp_path / "m.xml")
    assert result.messages == [] and result.documents[0].get("id") == model.load(
        (FIXTURES / "everything.xml").read_bytes()).get("id")
