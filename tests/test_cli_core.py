"""`bulletin parse` and `bulletin validate` as a user runs them: files, folders, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import (
    BULLETINS,
    CORPUS,
    DIGEST,
    EXAMPLES,
    FIXTURES,
    MALFORMED_DATE,
    YEAR_LESS,
    documents_expected,
)

from convert import model
from convert.messages import ExitCode


def bulletin(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "convert", *args], input=stdin,
                          capture_output=True, timeout=120)


def test_version_and_help() -> None:
    from convert import __version__

    assert bulletin("--version").stdout.decode().strip().endswith(__version__)
    help_text = bulletin("parse", "--help").stdout.decode()
    assert "Examples:" in help_text and "--year" in help_text


def test_parse_one_file_to_stdout() -> None:
    proc = bulletin("parse", str(EXAMPLES / "harbor-cranes.txt"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (EXAMPLES / "canonical" / "harbor-cranes.xml").read_bytes()


def test_parse_standard_input() -> None:
    data = (EXAMPLES / "harbor-cranes.txt").read_bytes()
    proc = bulletin("parse", "-", stdin=data)
    assert proc.returncode == 0
    doc = model.load(proc.stdout)
    assert model.head(doc).title and model.head(doc).source_name is None


def test_parse_folder_writes_one_file_per_document(tmp_path: Path) -> None:
    proc = bulletin("parse", str(CORPUS / "bulletins"), "-o", str(tmp_path / "out") + "/")
    assert proc.returncode == 0, proc.stderr.decode()
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert f"{DIGEST.stem}-3.xml" in written
    assert len(written) == sum(map(documents_expected, BULLETINS))  # a digest gives its items
    proc = bulletin("validate", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr.decode()
    assert f"{len(written)} valid, 0 invalid" in proc.stderr.decode()


def test_parse_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "story.xml"
    target.write_bytes(b"keep me")
    src = str(EXAMPLES / "harbor-cranes.txt")
    proc = bulletin("parse", src, "-o", str(target))
    assert proc.returncode == ExitCode.EXISTS
    assert b"--force" in proc.stderr
    assert target.read_bytes() == b"keep me"
    assert bulletin("parse", src, "-o", str(target), "--force").returncode == 0
    assert model.load(target.read_bytes()) is not None
    assert [p.name for p in tmp_path.iterdir()] == ["story.xml"]  # no temporary file left


def test_parse_finishes_an_interrupted_folder_with_skip_existing(tmp_path: Path) -> None:
    """A folder of 50,000 texts parsed into masters and interrupted is finished as convert's
    outputs are: --skip-existing writes only what is missing (field test: parse's own advice
    on a full disk named the option, which parse refused)."""
    out = tmp_path / "masters"
    assert bulletin("parse", str(CORPUS / "bulletins"), "-o", str(out) + "/").returncode == 0
    written = sorted(out.iterdir())
    lost, kept = written[0], written[1]
    lost.unlink()
    kept.write_bytes(b"an earlier run's bytes")  # kept as it is, not compared
    proc = bulletin("parse", str(CORPUS / "bulletins"), "-o", str(out) + "/",
                    "--skip-existing")
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(out.iterdir()) == written and model.load(lost.read_bytes()) is not None
    assert kept.read_bytes() == b"an earlier run's bytes"
    both = bulletin("parse", str(CORPUS / "bulletins"), "-o", str(out) + "/", "--force",
                    "--skip-existing")
    assert both.returncode == ExitCode.USAGE and b"give one of them" in both.stderr


def test_validate_reads_standard_input() -> None:
    """`bulletin parse story.txt | bulletin validate -`, as parse and convert read '-'."""
    good = (FIXTURES / "everything.xml").read_bytes()
    proc = bulletin("validate", "-", stdin=good)
    assert proc.returncode == 0 and b"1 valid, 0 invalid" in proc.stderr, proc.stderr
    bad = good.replace(b'when="2016-09-14"', b'when="2016-02-30"')
    proc = bulletin("validate", "-", stdin=bad)
    assert proc.returncode == ExitCode.INVALID
    problems = [ln for ln in proc.stderr.decode().splitlines() if ": error: " in ln]
    assert problems and all(ln.startswith("<stdin>:") for ln in problems)
    assert problems[0].split(":")[1].isdigit()


def test_parse_year_option_dates_a_yearless_dateline() -> None:
    assert b"Jan. 27 (EIRNS)" in YEAR_LESS.read_bytes()
    doc = model.load(bulletin("parse", str(YEAR_LESS), "--year", "2016").stdout)
    date = model.find(doc, "head/dateline/date")
    assert date is not None
    assert (date.get("when"), date.get("year-from")) == ("2016-01-27", "option")
    assert doc.get("id", "").startswith("2016-01-27-eirns-")


def test_parse_json_messages_and_strict() -> None:
    src = str(MALFORMED_DATE)
    proc = bulletin("parse", src, "--json", "--strict")
    assert proc.returncode == ExitCode.WARNINGS
    record = json.loads(proc.stderr.decode().splitlines()[0])
    assert record["level"] == "warning" and record["line"] == 3 and record["source"] == src


def test_validate_reports_file_line_and_exit_code(tmp_path: Path) -> None:
    good = FIXTURES / "everything.xml"
    bad = tmp_path / "bad.xml"
    bad.write_bytes(good.read_bytes().replace(b'when="2016-09-14"', b'when="2016-02-30"'))
    proc = bulletin("validate", str(good), str(bad))
    assert proc.returncode == ExitCode.INVALID
    lines = proc.stderr.decode().splitlines()
    problems = [ln for ln in lines if ": error: " in ln]
    assert problems and all(ln.startswith(f"{bad}:") for ln in problems)
    assert problems[0].split(":")[1].isdigit()
    assert bulletin("validate", str(good)).returncode == 0


def test_validate_malformed_xml(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<?xml version='1.0'?>\n<bulletin>\n<head>\n")
    proc = bulletin("validate", str(broken))
    assert proc.returncode == ExitCode.INVALID
    assert f"{broken}:" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


def test_validate_says_what_a_file_is_when_it_is_no_bulletin(tmp_path: Path) -> None:
    """A folder of convert's outputs: the masters are checked, the TEI renditions left out
    (named, one is "not a canonical bulletin", not the XSD's "no matching global
    declaration"); an empty file is called empty; a folder with nothing to check says so."""
    outputs = tmp_path / "out"
    outputs.mkdir()
    master = outputs / "story.xml"
    master.write_bytes((FIXTURES / "everything.xml").read_bytes())
    tei = outputs / "story.tei.xml"
    tei.write_bytes(b'<?xml version="1.0"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0"/>\n')
    proc = bulletin("validate", str(outputs))
    assert proc.returncode == 0, proc.stderr
    assert "1 valid, 0 invalid" in proc.stderr.decode() and "story.tei.xml: info: skipped" \
        in proc.stderr.decode()
    proc = bulletin("validate", str(tei))
    assert proc.returncode == ExitCode.INVALID
    assert f"{tei}:2: error: not a canonical bulletin: the root element is " \
           "'{http://www.tei-c.org/ns/1.0}TEI'" in proc.stderr.decode()
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    proc = bulletin("validate", str(empty))
    assert proc.returncode == ExitCode.INVALID
    assert f"{empty}: error: empty file" in proc.stderr.decode()
    (tmp_path / "nothing").mkdir()
    proc = bulletin("validate", str(tmp_path / "nothing"), "--strict")
    assert proc.returncode == ExitCode.WARNINGS
    assert "no canonical XML files (.xml) to validate" in proc.stderr.decode()
