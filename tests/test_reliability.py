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
