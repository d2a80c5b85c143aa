"""`bulletin archive` / `bulletin verify`: a real BagIt package, checked by bagit-python's full
validation and by our verify; faults reported precisely; resumable after kill -9; hostile names.

Most tests archive with `--to tei` (the package is the subject, not the renditions); one test
makes all four renditions. Helpers here are shared with test_archive_workers.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from conftest import BAD as BAD_INPUTS
from conftest import BULLETINS, CORPUS, FIXTURES, YEAR_LESS, on_terminal
from lxml import etree

import convert
from convert import parse_file
from convert.archiving import archive, verify
from convert.archiving.journal import Journal, JournalError
from convert.archiving.layout import folder_candidates, unique_stems
from convert.archiving.provenance import PREMIS_NS
from convert.cli import cli
from convert.files import TEMP_PREFIX
from convert.messages import ExitCode, OutputExistsError, display_path

COLLECTION = FIXTURES / "collection"
TEI_ALL = Path(__file__).parent / "data" / "tei" / "tei_all.rng"
BAD = ("empty.txt", "binary.bin", "whitespace-only.txt")  # binary.bin is copied as binary.txt
PAYLOAD_PATH = re.compile(r"data/(\d{4}|undated)/[a-z0-9][a-z0-9-]*/"
                          r"(original\.(txt|xml)|premis\.xml|[a-z0-9-]+(\.[a-z0-9]+)+)"
                          r"|data/quarantine/[0-9a-f]{64}/(original\.[a-z0-9]+|premis\.xml)")
P = {"p": PREMIS_NS}


# --- helpers ---------------------------------------------------------------------------------


def make_collection(folder: Path, *, copies: int = 0) -> Path:
    """Corpus bulletins, our own fixtures, three bad inputs, an identical copy, canonical XML.

    `copies` adds that many distinct generated bulletins (corpus texts with a numbered line).
    """
    folder.mkdir(parents=True)
    for src in BULLETINS:
        shutil.copyfile(src, folder / src.name)
    for src in sorted(COLLECTION.glob("*.txt")):
        shutil.copyfile(src, folder / src.name)
    bad = folder / "bad"
    bad.mkdir()
    for name in BAD:  # a binary file named .txt: a corrupted download, say
        shutil.copyfile(BAD_INPUTS / name, bad / name.replace(".bin", ".txt"))
    (folder / "copies").mkdir()
    shutil.copyfile(COLLECTION / "tram-depot.txt", folder / "copies" / "tram-depot-again.txt")
    doc = parse_file(COLLECTION / "lock-keepers-a.txt").documents[0]
    (folder / "masters").mkdir()  # beside its text, a master is an earlier output: not taken
    (folder / "masters" / "lock-keepers-a.xml").write_bytes(convert.model.dump(doc))
    texts = BULLETINS
    for n in range(copies):
        src = texts[n % len(texts)]
        extra = f"\n\nGenerated copy {n} of this bulletin for the archive tests.\n"
        (folder / "generated").mkdir(exist_ok=True)
        (folder / "generated" / f"{n:04d}-{src.name}").write_text(src.read_text("utf-8") + extra,
                                                                   "utf-8")
    return folder


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` (to prove inputs are untouched)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


_EVENT_TIME = re.compile(rb"<premis:eventDateTime>[^<]*</premis:eventDateTime>")


def comparable(bag: Path) -> dict[str, bytes]:
    """A package's files with everything allowed to differ between runs taken out:
    PREMIS event times, Bagging-Date, and the manifest lines of the files holding them."""
    timed = {"bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"}
    out = {}
    for path in sorted(bag.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(bag).as_posix()
        data = path.read_bytes()
        if rel.endswith("/premis.xml"):
            data = _EVENT_TIME.sub(b"<premis:eventDateTime/>", data)
        elif rel == "bag-info.txt":
            data = re.sub(rb"Bagging-Date: .*\n", b"", data)
        elif rel.startswith("manifest-"):
            data = b"\n".join(x for x in data.splitlines() if not x.endswith(b"/premis.xml"))
        elif rel.startswith("tagmanifest-"):
            data = b"\n".join(x for x in data.splitlines() if x.split(b" ", 1)[1].decode()
                              not in timed)
        out[rel] = data
    return out


def assert_same_package(a: Path, b: Path) -> None:
    left, right = comparable(a), comparable(b)
    assert sorted(left) == sorted(right), set(left) ^ set(right)
    differ = [k for k in left if left[k] != right[k]]
    assert not differ, f"files that differ beyond event times: {differ[:5]}"


def catalog_rows(bag: Path, name: str = "catalog.csv") -> list[dict[str, str]]:
    with open(bag / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def run_cli(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "convert", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300, check=False)


# --- a package built once for the module -----------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str], object]:
    """(collection, package, input digests before, report) for the --to tei archive."""
    root = tmp_path_factory.mktemp("archive")
    src = make_collection(root / "collection")
    before = digests(src)
    report = archive([src], root / "package", to="tei", jobs=2,
                     source_organization="Weirmoor Canal Archive")
    return src, root / "package", before, report


def test_package_passes_bagit_full_validation_and_verify(built) -> None:
    src, bag, before, _ = built
    assert bagit.Bag(str(bag)).validate(fast=False)
    assert verify(bag) == []
    assert not (bag.parent / "package.partial").exists()
    assert not list(bag.rglob(f"{TEMP_PREFIX}*"))
    assert digests(src) == before, "the inputs were changed"


def test_every_input_is_archived_or_quarantined_with_a_reason(built) -> None:
    src, bag, _, report = built
    # the source is the path relative to the folder archived: no machine's folders in it
    inputs = sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file())
    rows = catalog_rows(bag)
    assert sorted({r["source"] for r in rows}) == inputs
    assert str(src) not in (bag / "catalog.csv").read_text("utf-8")
    assert not [p for p in bag.rglob("premis.xml") if str(src).encode() in p.read_bytes()]
    quarantined = {Path(r["source"]).name: r["note"] for r in rows if r["status"] == "quarantined"}
    assert sorted(quarantined) == sorted(n.replace(".bin", ".txt") for n in BAD)
    assert all(quarantined.values())
    report_rows = catalog_rows(bag, "quarantine.csv")
    assert sorted(Path(r["source"]).name for r in report_rows) == sorted(quarantined)
    assert "NUL" in next(r["reason"] for r in report_rows if r["source"].endswith("binary.txt"))
    assert report.exit_code == ExitCode.FAILED  # "finished with failures"
    assert report.totals.quarantined == 3 and report.run.quarantined == 3


def test_originals_are_kept_byte_for_byte(built) -> None:
    src, bag, _, _ = built
    rows = [r for r in catalog_rows(bag) if r["status"] == "archived"]
    assert rows
    for row in rows:
        original = next((bag / row["folder"]).glob("original.*"))
        assert original.read_bytes() == (src / row["source"]).read_bytes(), row["source"]
    xml_input = next(r for r in rows if r["source"].endswith("lock-keepers-a.xml"))
    assert (bag / xml_input["folder"] / "original.xml").is_file()


def test_quarantined_inputs_are_kept_with_the_reason_in_their_premis(built) -> None:
    src, bag, _, _ = built
    rows = catalog_rows(bag, "quarantine.csv")
    assert len(rows) == len(BAD)
    for row in rows:
        assert row["folder"] == f"data/quarantine/{row['sha256']}"
        [original] = (bag / row["folder"]).glob("original.*")
        assert original.read_bytes() == (src / row["source"]).read_bytes()
        premis = etree.parse(str(bag / row["folder"] / "premis.xml"))
        outcomes = {e.findtext("p:eventType", namespaces=P): e for e in
                    premis.iterfind("p:event", namespaces=P)}
        failed = outcomes["normalization"]
        assert failed.findtext(".//p:eventOutcome", namespaces=P) == "failure"
        assert row["reason"] in [n.text for n in failed.iterfind(".//p:eventOutcomeDetailNote",
                                                                namespaces=P)]
        assert set(outcomes) == {"ingestion", "message digest calculation", "normalization"}


def test_layout_groups_each_inputs_files(built) -> None:
    _, bag, _, _ = built
    payload = [p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()]
    assert payload and all(PAYLOAD_PATH.fullmatch(p) for p in payload), \
        [p for p in payload if not PAYLOAD_PATH.fullmatch(p)]
    for folder in {p.rsplit("/", 1)[0] for p in payload}:
        names = sorted(f.name for f in (bag / folder).iterdir())
        assert "premis.xml" in names and any(n.startswith("original.") for n in names)
        stems = [n[:-len(".tei.xml")] for n in names if n.endswith(".tei.xml")]
        if folder.startswith("data/quarantine/"):
            assert len(names) == 2, names  # the original and why it was not converted
        else:
            assert stems and all(f"{s}.xml" in names for s in stems)
    assert (bag / "data" / "undated").is_dir()  # the year-less tram depot bulletin


def test_same_id_kept_twice_and_identical_input_recorded_once(built) -> None:
    _, bag, _, _ = built
    rows = catalog_rows(bag)
    lock_id = parse_file(COLLECTION / "lock-keepers-a.txt").documents[0].get("id")
    lock = [r for r in rows if r["identifier"] == lock_id and r["status"] == "archived"]
    # two different texts and the canonical XML of one of them: three inputs, three folders
    assert len({r["folder"] for r in lock}) == 3
    assert sorted(Path(r["source"]).name for r in lock) == [
        "lock-keepers-a.txt", "lock-keepers-a.xml", "lock-keepers-b.txt"]
    assert min((r["folder"] for r in lock), key=len).endswith(lock_id)
    tram = [r for r in rows if "tram-depot" in r["source"]]
    assert {r["status"] for r in tram} == {"archived", "duplicate"}
    archived = next(r for r in tram if r["status"] == "archived")
    duplicate = next(r for r in tram if r["status"] == "duplicate")
    assert duplicate["folder"] == archived["folder"] and duplicate["sha256"] == archived["sha256"]
    assert duplicate["identifier"] == archived["identifier"] and "same bytes" in duplicate["note"]
    holders = [f for f in (bag / "data").rglob("original.*")
               if hashlib.sha256(f.read_bytes()).hexdigest() == archived["sha256"]]
    assert len(holders) == 1
    digest = [r for r in rows if r["source"].endswith("digest-page.txt")]
    assert len(digest) == 2 and len({r["folder"] for r in digest}) == 1


def test_bag_info_describes_the_package(built) -> None:
    _, bag, _, report = built
    info = bagit.Bag(str(bag)).info
    assert info["Source-Organization"] == "Weirmoor Canal Archive"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", info["Bagging-Date"])
    assert info["Bag-Software-Agent"].startswith(f"bulletin-convert {convert.__version__} ")
    files = [p for p in (bag / "data").rglob("*") if p.is_file()]
    assert info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in files)}.{len(files)}"
    assert "PREMIS" in info["External-Description"]
    rows = catalog_rows(bag)
    assert int(info["Input-Count"]) == len({r["source"] for r in rows}) == report.totals.inputs
    assert int(info["Quarantined-Input-Count"]) == 3
    assert int(info["Duplicate-Input-Count"]) == 1
    assert int(info["Document-Count"]) == sum(r["status"] == "archived" for r in rows)
    assert (bag / "bagit.txt").read_text() == ("BagIt-Version: 1.0\n"
                                               "Tag-File-Character-Encoding: UTF-8\n")
    for alg in ("sha256", "sha512"):
        listed = {line.split(" ", 1)[1] for line in
                  (bag / f"tagmanifest-{alg}.txt").read_text().splitlines()}
        assert {"bag-info.txt", "bagit.txt", "catalog.csv", "quarantine.csv", "left-out.csv",
                "corpus.tei.xml", "datapackage.json", "manifest-sha256.txt",
                "manifest-sha512.txt"} == listed


def test_provenance_records_objects_events_and_derivations(built) -> None:
    _, bag, _, _ = built
    row = next(r for r in catalog_rows(bag) if "tram-depot" in r["source"]
               and r["status"] == "archived")
    folder = bag / row["folder"]
    premis = etree.parse(str(folder / "premis.xml")).getroot()
    objects = {o.findtext("p:objectIdentifier/p:objectIdentifierValue", namespaces=P): o
               for o in premis.iterfind("p:object", P)}
    assert sorted(objects) == sorted(f.name for f in folder.iterdir() if f.name != "premis.xml")
    for name, obj in objects.items():
        data = (folder / name).read_bytes()
        assert obj.findtext(".//p:messageDigest", namespaces=P) == hashlib.sha256(data).hexdigest()
        assert obj.findtext(".//p:size", namespaces=P) == str(len(data))
    puid = {k.split(".", 1)[1]: o.findtext(".//p:formatRegistryKey", namespaces=P)
            for k, o in objects.items()}
    assert puid == {"txt": "x-fmt/111", "xml": "fmt/101", "tei.xml": "fmt/1476"}
    assert objects["original.txt"].findtext("p:originalName", namespaces=P) == row["source"]

    def source_of(name: str) -> str:
        return objects[name].findtext("p:relationship/p:relatedObjectIdentifier/"
                                      "p:relatedObjectIdentifierValue", namespaces=P)

    stem = folder.name
    assert source_of(f"{stem}.tei.xml") == f"{stem}.xml"
    assert source_of(f"{stem}.xml") == "original.txt"
    events = [e.findtext("p:eventType", namespaces=P) for e in premis.iterfind("p:event", P)]
    assert events == ["ingestion", "message digest calculation", "normalization", "validation",
                      "creation", "message digest calculation"]
    for event in premis.iterfind("p:event", P):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
                            event.findtext("p:eventDateTime", namespaces=P))
        assert event.findtext(".//p:eventOutcome", namespaces=P) in ("success", "warning")
        agent = event.findtext(".//p:linkingAgentIdentifierValue", namespaces=P)
        assert premis.xpath("p:agent[p:agentIdentifier/p:agentIdentifierValue = $a]",
                            namespaces=P, a=agent)


def test_tei_corpus_holds_every_document_and_validates(built) -> None:
    _, bag, _, report = built
    corpus = etree.parse(str(bag / "corpus.tei.xml")).getroot()
    tei = "{http://www.tei-c.org/ns/1.0}"
    assert corpus.tag == f"{tei}teiCorpus"
    texts = corpus.findall(f"{tei}TEI")
    assert len(texts) == report.totals.documents
    jing = shutil.which("jing")
    assert jing, "jing is needed to validate TEI (Debian package 'jing')"
    run = subprocess.run([jing, str(TEI_ALL), str(bag / "corpus.tei.xml")], capture_output=True,
                         text=True, check=False)
    assert run.returncode == 0, run.stdout[:2000]


# --- verify names each fault -----------------------------------------------------------------


@pytest.fixture
def damaged(built, tmp_path: Path) -> Path:
    """A fresh copy of the package to damage."""
    copy = tmp_path / "copy"
    shutil.copytree(built[1], copy)
    return copy


def _problems(bag: Path) -> list[tuple[str | None, str]]:
    result = CliRunner().invoke(cli, ["verify", str(bag)])
    assert result.exit_code == ExitCode.INVALID, result.output
    assert not bagit.Bag(str(bag)).is_valid(fast=False)
    return [(m.source, m.text) for m in verify(bag)]


def _a_rendition(bag: Path) -> str:
    return next(p.relative_to(bag).as_posix() for p in sorted((bag / "data").rglob("*.tei.xml")))


def test_verify_names_a_flipped_byte(damaged: Path) -> None:
    rel = _a_rendition(damaged)
    data = bytearray((damaged / rel).read_bytes())
    data[len(data) // 2] ^= 0x01
    (damaged / rel).write_bytes(bytes(data))
    problems = _problems(damaged)
    assert [p for p in problems if p[0] == rel and p[1].startswith("altered:")]
    assert all(p[0] == rel for p in problems), problems


def test_verify_names_a_deleted_file(damaged: Path) -> None:
    rel = _a_rendition(damaged)
    (damaged / rel).unlink()
    assert _problems(damaged) == [(rel, "missing: listed in the manifest, not in the package")]


def test_verify_names_added_files(damaged: Path) -> None:
    folder = next((damaged / "data").rglob("premis.xml")).parent.relative_to(damaged)
    (damaged / folder / "notes.txt").write_text("added later")
    (damaged / "README.txt").write_text("added later")
    problems = _problems(damaged)
    assert sorted(p[0] for p in problems) == sorted([f"{folder.as_posix()}/notes.txt",
                                                     "README.txt"])
    assert all(p[1].startswith("extra:") for p in problems)


def test_verify_names_an_edited_manifest(damaged: Path) -> None:
    rel = _a_rendition(damaged)
    manifest = damaged / "manifest-sha256.txt"
    lines = manifest.read_text().splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if line.rstrip("\n").endswith(f"  {rel}"))
    lines[i] = "0" * 64 + lines[i][64:]
    manifest.write_text("".join(lines))
    by_file: dict[str | None, list[str]] = {}
    for source, text in _problems(damaged):
        by_file.setdefault(source, []).append(text)
    assert set(by_file) == {"manifest-sha256.txt", rel}
    [manifest_problem] = by_file["manifest-sha256.txt"]
    assert manifest_problem.startswith("altered: its sha256 is")
    assert "tagmanifest-sha256.txt says" in manifest_problem
    assert any(t.startswith("altered: its sha256") and "manifest-sha256.txt says 000" in t
               for t in by_file[rel])
    assert any(t.startswith("provenance:") for t in by_file[rel])


def test_verify_catches_provenance_that_disagrees(damaged: Path) -> None:
    """A consistent bag (manifests remade) whose PREMIS no longer matches its files."""
    premis = next((damaged / "data").rglob("premis.xml"))
    tree = etree.parse(str(premis))
    tree.find(".//p:messageDigest", P).text = "f" * 64
    tree.write(str(premis), xml_declaration=True, encoding="UTF-8")
    bag = bagit.Bag(str(damaged))
    bag.save(manifests=True)
    assert bag.is_valid(fast=False)
    problems = verify(damaged)
    assert len(problems) == 1 and problems[0].text.startswith("provenance:")
    assert problems[0].source.endswith("/original.txt")


def test_verify_reports_an_unreadable_premis_once(damaged: Path) -> None:
    premis = next((damaged / "data").rglob("premis.xml"))
    premis.write_bytes(b"<premis")
    bag = bagit.Bag(str(damaged))
    bag.save(manifests=True)
    [problem] = verify(damaged)
    assert problem.text.startswith("provenance: cannot be read")
    assert problem.source == premis.relative_to(damaged).as_posix()


def test_verify_refuses_what_is_not_a_bag(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", str(tmp_path)])
    assert result.exit_code == ExitCode.INVALID
    assert "not a BagIt bag" in result.output
    # a plain folder holding links is still "not a bag", not a list of links it should not hold
    (tmp_path / "notes.txt").write_text("notes\n")
    (tmp_path / "link.txt").symlink_to("notes.txt")
    result = CliRunner().invoke(cli, ["verify", str(tmp_path)])
    assert result.exit_code == ExitCode.INVALID
    assert "not a BagIt bag: it holds no bagit.txt" in result.output
    assert "not a regular file" not in result.output
    # a file is refused the same way (it was click's usage error, exit 2; field test)
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "notes.txt")])
    assert result.exit_code == ExitCode.INVALID
    assert "not a BagIt bag: a file, not a folder" in result.output
    assert "give the folder `bulletin archive -o` made" in result.output


def test_sources_without_a_bulletin_make_no_package(tmp_path: Path) -> None:
    # Field test: an empty folder, or one of notes and photos, gave an empty package and exit 0.
    notes, empty = tmp_path / "notes", tmp_path / "empty"
    notes.mkdir()
    empty.mkdir()
    (notes / "readme.md").write_text("notes\n")
    (notes / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    for src, left_out in ((notes, "; 2 file(s) were left out"), (empty, "")):
        result = CliRunner().invoke(cli, ["archive", str(src), "-o", str(tmp_path / "package")])
        assert result.exit_code == ExitCode.FAILED
        assert f"nothing to archive: no bulletin file in {src}{left_out}" in result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "notes"]  # no package


# --- resuming ---------------------------------------------------------------------------------


def test_resume_of_a_finished_package_converts_nothing(built, tmp_path: Path) -> None:
    src, bag, _, _ = built
    copy = tmp_path / "package"
    shutil.copytree(bag, copy)
    before = digests(copy)
    report = archive([src], copy, to="tei", resume=True)
    assert (report.run.converted, report.run.skipped) == (0, report.totals.inputs)
    assert digests(copy) == before
    (src / "late-arrival.txt").write_bytes((COLLECTION / "tram-depot.txt").read_bytes() + b"!")
    try:
        with pytest.raises(OutputExistsError, match=r"late-arrival\.txt"):
            archive([src], copy, resume=True)
    finally:
        (src / "late-arrival.txt").unlink()
    assert digests(copy) == before


def test_existing_outputs_are_never_overwritten_silently(built, tmp_path: Path) -> None:
    src, bag, _, _ = built
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious")
    result = run_cli("archive", src, "-o", mine, "--to", "tei", "--force")
    assert result.returncode == ExitCode.EXISTS
    assert "not a package made by this tool" in result.stderr
    # without --force, the same answer at once: no hint to try --force (field test)
    result = run_cli("archive", src, "-o", mine, "--to", "tei")
    assert result.returncode == ExitCode.EXISTS
    assert "not a package made by this tool" in result.stderr and "--force" not in result.stderr
    assert (mine / "thesis.txt").read_text() == "precious"
    result = run_cli("archive", src, "-o", bag, "--to", "tei")
    assert result.returncode == ExitCode.EXISTS and "--force" in result.stderr
    (tmp_path / "x.partial").mkdir()
    (tmp_path / "x.partial" / "keep.txt").write_text("not ours")
    result = run_cli("archive", src, "-o", tmp_path / "x", "--to", "tei", "--force")
    assert result.returncode == ExitCode.EXISTS and "not an unfinished archive" in result.stderr


def test_kill_9_three_times_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    src = make_collection(tmp_path / "collection", copies=300)
    before = digests(src)
    reference = tmp_path / "reference"
    result = run_cli("archive", src, "-o", reference, "--to", "tei", "--jobs", "1", "--quiet")
    assert result.returncode == ExitCode.FAILED, result.stderr  # the three bad inputs
    dest = tmp_path / "package"
    command = [sys.executable, "-m", "convert", "archive", str(src), "-o", str(dest),
               "--to", "tei", "--jobs", "1", "--quiet", "--resume"]
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    total = len(before)
    # Kill when the journal holds a random number of records, a random few ms later (so the
    # kill can land anywhere: in a write, between files, in the journal): twice during the
    # conversions, once when every record is in (the bag is being finished and moved).
    targets = [*sorted(rng.sample(range(1, total * 9 // 10), 2)), total]
    journal = dest.with_name("package.partial") / "journal.jsonl"
    seen = []
    for target in targets:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and _records(journal) < target:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.01))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        seen.append(_records(journal))
    print(f"journal records after each kill: {seen} of {total} (targets {targets}, seed {seed})")
    assert sum(0 < n < total for n in seen) >= 2, f"kills did not land mid-run: {seen} ({seed})"
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == ExitCode.FAILED, result.stderr
    assert bagit.Bag(str(dest)).validate(fast=False)
    assert verify(dest) == []
    assert_same_package(reference, dest)
    assert not dest.with_name("package.partial").exists()
    assert not [p for p in tmp_path.rglob(f"{TEMP_PREFIX}*")], f"temp files left (seed {seed})"
    assert digests(src) == before


def _records(journal: Path) -> int:
    try:
        return journal.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_resume_refuses_other_formats(tmp_path: Path) -> None:
    work = tmp_path / "p.partial"
    work.mkdir()
    (work / "state.json").write_text(
        '{"tool": "bulletin-convert", "formats": ["tei"], "source_organization": null, '
        '"reading": {"year": 2017, "lang": "en", "encoding": null}}')
    result = run_cli("archive", COLLECTION, "-o", tmp_path / "p", "--to", "epub", "--resume")
    assert result.returncode == ExitCode.USAGE and "--to tei" in result.stderr
    result = run_cli("archive", COLLECTION, "-o", tmp_path / "p", "--year", "2018", "--resume")
    assert result.returncode == ExitCode.USAGE and "--year 2017" in result.stderr
    result = run_cli("archive", COLLECTION, "-o", tmp_path / "p", "--encoding", "cp1252",
                     "--resume")
    assert result.returncode == ExitCode.USAGE and "without --encoding" in result.stderr
    result = run_cli("archive", COLLECTION, "-o", tmp_path / "p", "--profile", "plain",
                     "--resume")  # the state predates profiles: it was read with the default
    assert result.returncode == ExitCode.USAGE and "--profile eir" in result.stderr
    result = run_cli("archive", COLLECTION, "-o", tmp_path / "p", "--to", "tei")
    assert result.returncode == ExitCode.EXISTS and "--resume" in result.stderr


def test_year_option_and_warnings_reach_the_catalog(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    yearless = YEAR_LESS
    assert b"Jan. 27 (EIRNS)" in yearless.read_bytes()
    shutil.copyfile(yearless, src / "yearless.txt")
    stray = (COLLECTION / "tram-depot.txt").read_bytes().replace(b"depot", b"d\xe9p\xf4t", 1)
    (src / "stray.txt").write_bytes(stray)
    result = run_cli("archive", src, "-o", tmp_path / "p", "--to", "tei", "--year", "2017")
    assert result.returncode == 0, result.stderr
    assert "1 input(s) converted with warnings" in result.stderr
    rows = {Path(r["source"]).name: r for r in catalog_rows(tmp_path / "p")}
    assert rows["yearless.txt"]["date"] == "2017-01-27"
    assert rows["yearless.txt"]["folder"].startswith("data/2017/")
    assert rows["yearless.txt"]["warnings"] == ""
    assert "as cp1252" in rows["stray.txt"]["warnings"]
    row = rows["stray.txt"]
    master = tmp_path / "p" / row["folder"] / f"{row['identifier']}.xml"
    assert "dépôt" in master.read_text("utf-8")
    info = (tmp_path / "p" / "bag-info.txt").read_text()
    assert "Input-With-Warnings-Count: 1\n" in info


def test_journal_cuts_a_torn_last_line_and_refuses_damage(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    a = b'{"source": "a.txt", "status": "duplicate"}\n'
    b = b'{"source": "b.txt", "status": "quarantined", "reason": "empty"}\n'
    path.write_bytes(a + b + b'{"source": ')
    assert [r["source"] for r in Journal(path).records()] == ["a.txt", "b.txt"]
    assert path.read_bytes() == a + b
    path.write_bytes(a + b"not json\n" + b)
    with pytest.raises(JournalError, match=":2:"):
        list(Journal(path).records())
    path.write_bytes(a + b + b'{"source": "c.txt"}\n')  # edited: no status
    with pytest.raises(JournalError, match=r":3: .*lacks its source or status"):
        list(Journal(path).records())


# --- hostile names ----------------------------------------------------------------------------


def test_hostile_names_never_escape_the_package(tmp_path: Path) -> None:
    text = (COLLECTION / "tram-depot.txt").read_text("utf-8")
    outside = tmp_path / "outside"
    src = outside / "src"
    deep = src / ("d" * 100) / ("e" * 100) / ("f" * 100)
    deep.mkdir(parents=True)
    names = ["-rf.txt", "--to=all.txt", "new\nline.txt", "x" * 251 + ".txt", "a..b.txt",
             "tab\there.txt"]
    for n, name in enumerate(names):
        (src / name).write_text(f"{text}\nVariant {n}.\n", "utf-8")
    with open(os.path.join(os.fsencode(src), b"\xff\xfe-latin1.txt"), "wb") as f:
        f.write(f"{text}\nVariant bytes.\n".encode())
    (deep / "long-path.txt").write_text(f"{text}\nVariant deep.\n", "utf-8")
    hostile = convert.model.load(convert.model.dump(
        parse_file(COLLECTION / "lock-keepers-b.txt").documents[0]))
    hostile.set("id", "../../../../escaped")
    (src / "hostile-id.xml").write_bytes(convert.model.dump(hostile))
    (src / ".hidden.txt").write_text(text, "utf-8")  # left out, and said so
    (src / "notes.md").write_text(text, "utf-8")
    work = outside / "cwd"
    work.mkdir()
    before = sorted(p for p in tmp_path.rglob("*"))
    result = run_cli("archive", "--to", "tei", "-o", "pkg", "--", "../src", cwd=work)
    assert result.returncode == ExitCode.FAILED, result.stderr  # the hostile id
    assert "2 file(s) in the source folders were left out" in result.stderr
    bag = work / "pkg"
    created = sorted(set(tmp_path.rglob("*")) - set(before))
    assert created and all(p == bag or bag in p.parents for p in created), created
    assert bagit.Bag(str(bag)).validate(fast=False) and verify(bag) == []
    payload = [p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()]
    assert all(PAYLOAD_PATH.fullmatch(p) for p in payload), payload
    rows = catalog_rows(bag)
    sources = {r["source"] for r in rows}
    assert "new\\x0aline.txt" in sources and "\\xff\\xfe-latin1.txt" in sources
    assert "tab\\x09here.txt" in sources
    assert all("\n" not in s and "\t" not in s for s in sources)
    archived = {r["source"] for r in rows if r["status"] == "archived"}
    assert len(archived) == len(names) + 2  # the hostile id is refused by the schema
    assert not [s for s in sources if "hidden" in s or "notes.md" in s]
    hostile_row = next(r for r in rows if r["source"].endswith("hostile-id.xml"))
    assert hostile_row["status"] == "quarantined"


def test_display_path_and_names() -> None:
    assert display_path(b"a\xffb\nc") == "a\\xffb\\x0ac"
    assert display_path("caf\u00e9.txt") == "caf\u00e9.txt"
    assert folder_candidates("2016", "x", "ab" * 32) == [
        "data/2016/x", "data/2016/x-abababab", "data/2016/x-" + "ab" * 8,
        "data/2016/x-" + "ab" * 32]
    assert unique_stems(["a", "a", "original", "premis"]) == ["a", "a-2", "original-2", "premis-2"]


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Our four fixture bulletins (five documents), nothing else."""
    folder = tmp_path / "small"
    folder.mkdir()
    for src in COLLECTION.glob("*.txt"):
        shutil.copyfile(src, folder / src.name)
    return folder


def test_progress_bar_on_a_terminal_only(small: Path, tmp_path: Path) -> None:
    code, seen = on_terminal("archive", small, "-o", tmp_path / "tty", "--to", "tei")
    assert code == ExitCode.OK, seen.decode(errors="replace")
    assert b"archiving" in seen and b"converted" in seen
    plain = run_cli("archive", small, "-o", tmp_path / "plain", "--to", "tei")
    assert "archiving" not in plain.stderr and "4 converted" in plain.stderr
    quiet = run_cli("archive", small, "-o", tmp_path / "quiet", "--to", "tei", "--quiet")
    assert quiet.returncode == ExitCode.OK and quiet.stderr == ""


def test_all_four_renditions(small: Path, tmp_path: Path) -> None:
    result = run_cli("archive", small, "-o", tmp_path / "all", "--json")
    assert result.returncode == ExitCode.OK, result.stderr
    bag = tmp_path / "all"
    folder = next(p.parent for p in (bag / "data").rglob("original.txt")
                  if "tram-depot" in p.parent.name)
    names = sorted(p.name for p in folder.iterdir())
    stem = folder.name
    assert names == sorted(["original.txt", "premis.xml", f"{stem}.xml", f"{stem}.tei.xml",
                            f"{stem}.epub", f"{stem}.docx", f"{stem}.pdf"])
    premis = etree.parse(str(folder / "premis.xml")).getroot()
    puids = sorted(k.text for k in premis.iterfind(".//p:formatRegistryKey", P))
    assert puids == sorted(["x-fmt/111", "fmt/101", "fmt/1476", "fmt/483", "fmt/412", "fmt/477"])
    assert bagit.Bag(str(bag)).validate(fast=False) and verify(bag) == []
    assert bagit.Bag(str(bag)).info["Renditions"] == "tei, epub, docx, pdf"


def test_force_replaces_a_package_of_this_tool(small: Path, tmp_path: Path) -> None:
    dest = tmp_path / "pkg"
    assert archive([small], dest, to="tei").exit_code == ExitCode.OK
    report = archive([small], dest, to="xml", force=True)
    assert report.run.converted == 4 and bagit.Bag(str(dest)).info["Renditions"].startswith("none")
    assert not list(dest.rglob("*.tei.xml")) and not (dest / "corpus.tei.xml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "small"]
    assert verify(dest) == []


def test_finish_writes_manifests_only_for_what_the_journal_claims(tmp_path: Path) -> None:
    from convert.archiving.bag import ArchiveError, _write_manifests
    from convert.archiving.journal import ARCHIVED, Index

    bag = tmp_path / "bag"
    (bag / "data" / "2017" / "x").mkdir(parents=True)
    (bag / "data" / "2017" / "x" / "a.txt").write_bytes(b"abc")
    index = Index(tmp_path / "index.sqlite")
    index.add({"source": "a.txt", "sha256": "s" * 64, "status": ARCHIVED,
               "folder": "data/2017/x", "docs": [],
               "files": [["data/2017/x/a.txt", 3, "1" * 64, "2" * 128]]})
    assert _write_manifests(bag, index) == (1, 3)
    assert (bag / "manifest-sha256.txt").read_text() == f"{'1' * 64}  data/2017/x/a.txt\n"
    (bag / "data" / "2017" / "x" / "stray.txt").write_bytes(b"")
    with pytest.raises(ArchiveError, match=r"stray\.txt: in the payload but in no journal"):
        _write_manifests(bag, index)
    (bag / "data" / "2017" / "x" / "stray.txt").unlink()
    (bag / "data" / "2017" / "x" / "a.txt").write_bytes(b"abcd")
    with pytest.raises(ArchiveError, match=r"a\.txt: not the size"):
        _write_manifests(bag, index)
    (bag / "data" / "2017" / "x" / "a.txt").unlink()
    with pytest.raises(ArchiveError, match=r"a\.txt: recorded in the journal but missing"):
        _write_manifests(bag, index)
    index.close()


def test_a_spooled_folder_replaces_what_an_interrupted_run_left(tmp_path: Path) -> None:
    """A kill between the rename and the journal record leaves the folder without a record;
    converting the input again must put the new files in its place."""
    from convert.archiving.runner import Driver

    bag = tmp_path / "bag"
    stale = bag / "data" / "2017" / "x"
    stale.mkdir(parents=True)
    (stale / "torn.pdf").write_bytes(b"%PDF-")
    spooled = tmp_path / "spool" / ("a" * 64)
    spooled.mkdir(parents=True)
    (spooled / "original.txt").write_bytes(b"text")
    driver = Driver(bag, None, None, None, chunk_size=1, window=1)  # type: ignore[arg-type]
    driver._move(str(spooled), "data/2017/x")
    driver._move(str(tmp_path / "spool"), "data/2018/y")  # a year folder made on the way
    assert sorted(p.name for p in stale.iterdir()) == ["original.txt"]
    assert not spooled.exists() and (bag / "data" / "2018" / "y").is_dir()


def test_resume_says_which_inputs_changed_or_went_away(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i, path in enumerate(sorted((CORPUS / "bulletins").glob("blind1-0[1-8]-*.txt"))):
        shutil.copyfile(path, src / f"{i}.txt")

    def interrupt(counts: object) -> None:
        if counts.converted >= 3:  # type: ignore[attr-defined]
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        convert.archive([src], tmp_path / "p", to="tei", jobs=1, chunk_size=1,
                        progress=interrupt)
    done = [Path(r["source"]).name for r in
            Journal(tmp_path / "p.partial" / "journal.jsonl").records()]
    assert len(done) >= 3
    edited, deleted = src / done[0], src / done[1]
    edited.write_text(edited.read_text("utf-8") + "\nA corrected paragraph.\n", "utf-8")
    deleted.unlink()
    report = convert.archive([src], tmp_path / "p", resume=True)
    texts = [str(m) for m in report.messages]
    assert any(t.startswith(f"{edited}: warning: changed since the interrupted run")
               for t in texts), texts
    assert any("no longer among the sources" in t and deleted.name in t for t in texts), texts
    rows = catalog_rows(tmp_path / "p")
    assert [r["source"] for r in rows].count(edited.name) == 2  # both versions kept
    assert deleted.name in [r["source"] for r in rows]
    # which of the two is the file as it is now: the other is marked superseded
    now = hashlib.sha256(edited.read_bytes()).hexdigest()
    versions = {r["sha256"]: r["superseded"] for r in rows if r["source"] == edited.name}
    assert versions.pop(now) == "false" and list(versions.values()) == ["true"]
    assert {r["superseded"] for r in rows if r["source"] != edited.name} == {"false"}


def test_a_second_run_on_a_busy_workspace_is_refused(small: Path, tmp_path: Path) -> None:
    """Two runs filling one workspace would corrupt it: the workspace folder is locked."""
    import fcntl

    from convert.archiving.bag import open_workspace

    dest = tmp_path / "p"
    ws, _ = open_workspace(dest, resume=False, force=False, formats=["tei"],
                           default_formats=["tei"], organization=None)
    assert ws is not None and ws.lock is not None
    result = run_cli("archive", small, "-o", dest, "--to", "tei", "--resume")
    assert result.returncode == ExitCode.EXISTS and "another `bulletin archive`" in result.stderr
    ws.release()
    fd = os.open(ws.work, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: anyone may take it now
    os.close(fd)
    result = run_cli("archive", small, "-o", dest, "--to", "tei", "--resume", "--encoding",
                     "CP1252")
    assert result.returncode == ExitCode.USAGE and "without --encoding" in result.stderr


def test_what_a_kill_during_cleanup_leaves_is_swept(small: Path, tmp_path: Path) -> None:
    dest = tmp_path / "p"
    assert run_cli("archive", small, "-o", dest, "--to", "tei").returncode == 0
    work = tmp_path / "p.partial"  # the state file goes last: a leftover always has it
    (work / "spool").mkdir(parents=True)
    (work / "state.json").write_text('{"tool": "bulletin-convert", "formats": ["tei"], '
                                     '"source_organization": null}')
    result = run_cli("archive", small, "-o", dest, "--resume")
    assert result.returncode == 0, result.stderr
    assert not work.exists()


def test_a_workspace_without_reading_settings_resumes(small: Path, tmp_path: Path) -> None:
    """A run interrupted by a version before --year/--lang/--encoding."""
    work = tmp_path / "p.partial"
    (work / "bag" / "data").mkdir(parents=True)
    (work / "state.json").write_text('{"tool": "bulletin-convert", "formats": ["tei"], '
                                     '"source_organization": null}')
    result = run_cli("archive", small, "-o", tmp_path / "p", "--resume")
    assert result.returncode == 0, result.stderr
    assert run_cli("verify", tmp_path / "p").returncode == 0


def test_a_crawl_archived_without_the_web_extra_is_told_once_with_what_to_install(
        small: Path, tmp_path: Path) -> None:
    """Field review: without warcio, a WARC file was reported twice ("not read as a WARC
    file", then "quarantined"), and neither line said what to install."""
    blocked = tmp_path / "blocked"
    (blocked / "warcio").mkdir(parents=True)
    (blocked / "warcio" / "__init__.py").write_text('raise ImportError("warcio blocked")\n')
    sources = tmp_path / "sources"
    shutil.copytree(small, sources)
    (sources / "crawl.warc").write_bytes(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n\r\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocked), *sys.path])}
    result = run_cli("archive", sources, "-o", tmp_path / "p", "--to", "tei", env=env)
    assert result.returncode == ExitCode.FAILED, result.stderr
    about = [line for line in result.stderr.splitlines() if "crawl.warc:" in line]
    assert len(about) == 1, result.stderr
    assert "quarantined: reading WARC files needs warcio, which is not installed" in about[0]
    assert "pip install 'bulletin-convert[web]'" in result.stderr


@pytest.mark.parametrize("began", ["0.1.0", None, "current"])
def test_a_run_resumed_by_another_version_says_so(began: str | None, small: Path,
                                                  tmp_path: Path) -> None:
    """Renditions made by two versions in one package are told of (field review: the
    version was recorded in the workspace, and never compared)."""
    from convert import __version__

    work = tmp_path / "p.partial"
    (work / "bag" / "data").mkdir(parents=True)
    state = {"tool": "bulletin-convert", "formats": ["tei"], "source_organization": None}
    if began is not None:
        state["version"] = __version__ if began == "current" else began
    (work / "state.json").write_text(json.dumps(state))
    result = run_cli("archive", small, "-o", tmp_path / "p", "--resume")
    assert result.returncode == 0, result.stderr
    told = f"converted by version {__version__}, whose renditions may differ"
    if began == "current":
        assert told not in result.stderr
    else:
        assert told in result.stderr
        assert ("by version 0.1.0 of" if began else "by an earlier version of") in result.stderr
        assert "archive again with --force" in result.stderr


def test_catalog_has_dublin_core_columns_and_a_datapackage(built, tmp_path: Path) -> None:
    """catalog.csv's columns are Dublin Core's names where one fits, with a language column;
    datapackage.json describes both CSV files, and `frictionless validate` accepts them and
    rejects a catalogue whose cells break the description."""
    import shutil as sh

    from convert.archiving.catalog import CATALOG_FIELDS, read

    _, bag, _, _ = built
    rows = catalog_rows(bag)
    assert list(rows[0]) == CATALOG_FIELDS
    assert CATALOG_FIELDS[:9] == ["identifier", "title", "date", "creator", "publisher",
                                  "coverage", "language", "relation", "source"]
    archived = [r for r in rows if r["status"] == "archived"]
    assert {r["language"] for r in archived} == {"en"}
    assert any(r["publisher"] == "EIRNS" for r in archived)
    assert [r["identifier"] for r in read(bag)] == [r["identifier"] for r in rows]
    frictionless = Path(sys.executable).with_name("frictionless")
    run = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"],
                         cwd=bag, capture_output=True, text=True, check=False)
    assert json.loads(run.stdout)["valid"] is True, run.stdout[-2000:]
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("datapackage.json", "quarantine.csv", "left-out.csv"):
        sh.copyfile(bag / name, broken / name)
    text = (bag / "catalog.csv").read_text("utf-8")
    (broken / "catalog.csv").write_text(text.replace(archived[0]["sha256"], "not-a-digest", 1),
                                        "utf-8")
    run = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"],
                         cwd=broken, capture_output=True, text=True, check=False)
    report = json.loads(run.stdout)
    assert report["valid"] is False
    assert "constraint-error" in json.dumps(report)


def test_the_package_lists_what_of_the_sources_it_left_out(tmp_path: Path) -> None:
    """Every file and folder of the sources the archive did not take is a row of left-out.csv
    (a tag file: the manifests cover it), with its path relative to the folder archived, its
    type, its size and why; bag-info.txt counts them. The collection's edge is then on
    record in the package, not only on the terminal of the run that made it."""
    text = (COLLECTION / "tram-depot.txt").read_text("utf-8")
    src = tmp_path / "src"
    (src / "sub" / ".cache").mkdir(parents=True)
    (src / "story.txt").write_text(text, "utf-8")
    (src / "sub" / "other.txt").write_text(text + "\nA second version.\n", "utf-8")
    (src / "sub" / "scan.pdf").write_bytes(b"%PDF-1.4 12345")
    (src / ".DS_Store").write_bytes(b"12")
    (src / "nested").mkdir()
    (src / "nested" / "bagit.txt").write_text("BagIt-Version: 1.0\n", "utf-8")
    (src / "nested" / "inside.txt").write_text(text, "utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text(text, "utf-8")
    (src / "sub" / "link.txt").symlink_to(secret)
    result = run_cli("archive", "--to", "tei", "-o", tmp_path / "pkg", src)
    assert result.returncode == 0, result.stderr
    assert "listed in left-out.csv" in result.stderr
    bag = tmp_path / "pkg"
    rows = catalog_rows(bag, "left-out.csv")
    assert [(r["source"], r["type"], r["size"]) for r in rows] == [
        (".DS_Store", "file", "2"), ("nested", "folder", ""), ("sub/.cache", "folder", ""),
        ("sub/link.txt", "link", ""), ("sub/scan.pdf", "file", "14")]
    reasons = {r["source"]: r["reason"] for r in rows}
    assert reasons[".DS_Store"].startswith("hidden")
    assert "BagIt package" in reasons["nested"]
    assert "symbolic link to a file outside the folder" in reasons["sub/link.txt"]
    assert reasons["sub/scan.pdf"].startswith("not an input") and ".txt" in reasons["sub/scan.pdf"]
    assert bagit.Bag(str(bag)).info["Left-Out-Count"] == "5"
    assert verify(bag) == []
    assert bagit.Bag(str(bag)).validate(fast=False)
    resources = json.loads((bag / "datapackage.json").read_text("utf-8"))["resources"]
    assert [r["path"] for r in resources] == ["catalog.csv", "quarantine.csv", "left-out.csv"]


def test_a_left_out_list_is_in_place_only_when_the_walk_ended(tmp_path: Path) -> None:
    """A run stopped during the walk leaves no left-out.csv that looks whole (nor its
    temporary file); one that ends writes every row."""
    from convert.archiving.catalog import LeftOutList

    (tmp_path / "a.jpg").write_bytes(b"123")
    with pytest.raises(KeyboardInterrupt), LeftOutList(tmp_path) as stopped:
        stopped(str(tmp_path / "a.jpg"), str(tmp_path), "not an input")
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg"]
    with LeftOutList(tmp_path) as ended:
        ended(str(tmp_path / "a.jpg"), str(tmp_path), "not an input")
    assert ended.count == 1
    assert catalog_rows(tmp_path, "left-out.csv") == [
        {"source": "a.jpg", "type": "file", "size": "3", "reason": "not an input"}]


def test_catalog_of_an_older_package_reads_with_the_new_names(tmp_path: Path) -> None:
    from convert.archiving.catalog import read

    (tmp_path / "catalog.csv").write_text(
        "id,date,title,agency,source,sha256,folder,status,note,warnings\r\n"
        "x,2011-03-04,'=A title,EIRNS,/old/abs/x.txt,ab,data/2011/x,archived,,\r\n", "utf-8")
    [row] = read(tmp_path)
    assert row["identifier"] == "x" and row["publisher"] == "EIRNS"
    assert row["title"] == "=A title" and row["source"] == "/old/abs/x.txt"
