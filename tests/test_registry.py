"""The writer registry: lazy built-ins, third-party writers through entry points, clear refusals.

Third-party writers come from the throwaway distributions in fixtures/plugin/, copied into a
temporary folder and put on PYTHONPATH of a subprocess: the environment is never changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from convert import writers
from convert.messages import WriterError

PLUGINS = FIXTURES / "plugin"
HEAVY = ("ebooklib", "docx", "reportlab", "pikepdf", "convert.writers.tei",
         "convert.writers.epub", "convert.writers.docx", "convert.writers.pdf", "convert.pipeline")


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)


def bulletin(*args: str, site: list[Path], cwd: Path) -> subprocess.CompletedProcess:
    """Run the command with the given folders of installed distributions on the path."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(s) for s in site))
    return subprocess.run([sys.executable, "-m", "convert", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, check=False)


@pytest.fixture
def installed(tmp_path: Path) -> dict[str, Path]:
    """The fixture distributions, each copied as its own site folder."""
    out = {}
    for dist in ("shout", "clash"):
        out[dist] = tmp_path / "site" / dist
        shutil.copytree(PLUGINS / dist, out[dist])
    return out


def test_importing_the_package_loads_no_writer() -> None:
    code = (
        "import sys, json, convert, convert.cli\n"
        "from convert import writers\n"
        "writers.available(); writers.resolve('tei,epub,all')\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    run = run_python(code)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []


def test_a_writer_is_imported_on_first_use_only() -> None:
    run = run_python("import sys, convert.writers as w\n"
                     "w.get('tei'); print('ebooklib' in sys.modules, "
                     "'convert.writers.tei' in sys.modules)")
    assert run.stdout.split() == ["False", "True"]


def test_no_plugin_installed_costs_no_entry_point_machinery(installed: dict[str, Path]) -> None:
    # importlib.metadata takes ~30 ms to import: looked into only when a distribution on the
    # path declares a group of ours, and then every plug-in it declares is found.
    code = ("import sys, convert.writers as w, convert.reader.formats as r\n"
            "w.resolve('tei'); r.check('text'); print(w.PLUGINS.third_party(), "
            "'importlib.metadata' in sys.modules)")
    assert run_python(code).stdout.split() == ["{}", "False"]
    env = dict(os.environ, PYTHONPATH=str(installed["shout"]))
    found = run_python(code, env).stdout
    assert "'shout'" in found and found.split()[-1] == "True"


def test_choosing_the_text_reader_imports_no_other_reader() -> None:
    # The built-in sniff tests live in convert.reader.sniff: a bulletin's text is told from
    # a page, a crawl and a master without importing their readers.
    code = ("import sys\nfrom convert.reader import formats\n"
            "print(formats.choose(b'Ferry service resumes\\n', 'ferry.txt').name, [m for m in "
            "('convert.reader.html', 'convert.reader.warc', 'convert.reader.xml') "
            "if m in sys.modules])")
    assert run_python(code).stdout.split() == ["text", "[]"]


def test_builtin_writers_follow_the_protocol() -> None:
    expected = {"xml": ("xml", "application/xml"), "tei": ("tei.xml", "application/tei+xml"),
                "epub": ("epub", "application/epub+zip")}
    for name, (extension, media_type) in expected.items():
        w = writers.get(name)
        assert isinstance(w, writers.Writer)
        assert (w.name, w.extension, w.media_type) == (name, extension, media_type)


def test_unknown_name_lists_the_known_ones() -> None:
    for call in (lambda: writers.get("odt"), lambda: writers.resolve("tei,odt")):
        with pytest.raises(WriterError) as caught:
            call()
        assert "'odt'" in caught.value.text
        assert "known formats: xml, tei, epub, docx, pdf" in caught.value.text


def test_resolve_expands_all_and_normalizes() -> None:
    assert writers.resolve("all") == list(writers.ALL)
    assert writers.resolve(" TEI, epub ,tei") == ["tei", "epub"]
    assert writers.resolve(["epub", "all"]) == ["epub", "tei", "docx", "pdf"]
    with pytest.raises(WriterError, match="no format given"):
        writers.resolve(" , ")


def test_third_party_writer_is_listed_and_converts(installed: dict[str, Path],
                                                   tmp_path: Path) -> None:
    listed = bulletin("formats", "--json", site=[installed["shout"]], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {(r["kind"], r["name"]): r for r in json.loads(listed.stdout)}
    assert rows["writer", "shout"] == {"kind": "writer", "name": "shout",
                                       "extension": "shout.txt", "media_type": "text/plain",
                                       "available": True}
    assert rows["writer", "tei"]["available"]
    assert rows["reader", "html"]["extension"] == ".html .htm .xhtml"

    source = tmp_path / "ferry.xml"
    shutil.copy(FIXTURES / "everything.xml", source)
    run = bulletin("convert", str(source), "--to", "shout", "-o", "out",
                   site=[installed["shout"]], cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "ferry.shout.txt").read_text().startswith(
        "FERRY CREWS AND RIVER PILOTS AGREE")
    assert f"{source}: info: shouted 2016-09-14-eirns-" in run.stderr


def test_a_failing_third_party_writer_leaves_no_trace_and_others_go_on(
        installed: dict[str, Path], tmp_path: Path) -> None:
    source = tmp_path / "ferry.xml"
    shutil.copy(FIXTURES / "everything.xml", source)
    run = bulletin("convert", str(source), "--to", "broken,shout", "-o", "out",
                   site=[installed["shout"]], cwd=tmp_path)
    assert run.returncode == 1
    assert "the broken writer failed: RuntimeError: the broken writer always fails" in run.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ferry.shout.txt"]
    # one output file: what the writer wrote into its temporary file goes with it
    one = bulletin("convert", str(source), "--to", "broken", "-o", "single/ferry.broken.txt",
                   site=[installed["shout"]], cwd=tmp_path)
    assert one.returncode == 1 and "the broken writer failed" in one.stderr
    assert list((tmp_path / "single").iterdir()) == []


def test_a_name_taken_by_a_builtin_is_refused(installed: dict[str, Path],
                                             tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "everything.xml", tmp_path / "ferry.xml")
    for args in (("formats",), ("convert", "ferry.xml", "--to", "tei", "-o", "out")):
        run = bulletin(*args, site=[installed["clash"]], cwd=tmp_path)
        assert run.returncode == 1, args
        assert "two writers are named 'tei'" in run.stderr
        assert "bulletin_clash:ClashWriter" in run.stderr
    assert not (tmp_path / "out").exists()


def test_two_distributions_with_one_writer_name_are_refused(installed: dict[str, Path],
                                                            tmp_path: Path) -> None:
    twin = tmp_path / "site" / "twin"
    shutil.copytree(installed["shout"], twin)
    info = twin / "bulletin_shout-0.1.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bulletin-twin\nVersion: 0.1\n")
    info.rename(twin / "bulletin_twin-0.1.dist-info")
    run = bulletin("formats", site=[installed["shout"], twin], cwd=tmp_path)
    assert run.returncode == 1
    assert "two writers are named" in run.stderr
