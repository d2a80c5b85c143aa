"""convert's worker processes: the same outputs, names, messages and progress whatever the
number of jobs; an input that crashes or hangs its worker costs only itself; a run killed at
any moment leaves every output it renamed into place whole; the batch is made durable once,
at its end (file by file when it is small, by a sync of its file system when it is large)."""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import BAD, CORPUS, DIGEST, FIXTURES, ORDINARY

import convert
from convert import files, pipeline, pool, writers
from convert.files import TEMP_PREFIX
from convert.messages import ExitCode, Message

BULLETINS = sorted((CORPUS / "bulletins").glob("*.txt"))
SOME = BULLETINS[::3]  # every sort of bulletin the corpus has, and a digest
CRASH = FIXTURES / "plugin" / "crash"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` but the temporary ones, relative path -> bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(TEMP_PREFIX)}


def temporary(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def living(group: int) -> list[int]:
    """The processes of a process group that have not ended (zombies left aside: an orphan
    is reaped by init, which here may never do it)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def bulletin_with(folder: Path, name: str, word: str) -> Path:
    """An ordinary bulletin with one more sentence holding `word`."""
    path = folder / name
    path.write_bytes(ORDINARY.read_bytes() + f"\nThis one is made to {word}.\n".encode())
    return path


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """A folder as runs meet it: the corpus in two subfolders, the bad inputs, and a digest
    whose second item's output takes the name of another input's."""
    root = tmp_path / "src"
    for i, path in enumerate(SOME):
        (root / "ab"[i % 2]).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, root / "ab"[i % 2] / path.name)
    for path in BAD.glob("*.*"):
        if path.suffix in (".txt", ".bin"):
            shutil.copyfile(path, root / "a" / f"bad-{path.stem}.txt")
    shutil.copyfile(DIGEST, root / "digest.txt")
    shutil.copyfile(ORDINARY, root / "digest-2.txt")  # listed first: digest.txt's item 2 clashes
    return root


def run(src: Path, dest: Path, jobs: int, **options: Any) -> tuple[Any, list[tuple[int, int]]]:
    """A library run, and the progress it reported; paths under `dest` read DEST."""
    calls: list[tuple[int, int]] = []
    result = convert.convert(src, options.pop("to", "tei,epub"), dest, jobs=jobs,
                             progress=lambda done, total: calls.append((done, total)), **options)

    def plain(m: Message) -> tuple[Any, ...]:
        return (m.level, m.text.replace(str(dest), "DEST"), (m.source or "").replace(
            str(dest), "DEST"), m.line, m.hint, m.kind)

    seen = {"messages": [plain(m) for m in result.messages], "failures": result.failures,
            "outputs": [(o.source, o.format, o.path.relative_to(dest)) for o in result.outputs],
            "kept": [p.relative_to(dest) for p in result.kept], "inputs": result.inputs,
            "exit": result.exit_code}
    return seen, calls


@pytest.mark.parametrize("options", [{}, {"force": True}, {"skip_existing": True},
                                     {"to": "xml,docx", "strict": True}])
def test_one_and_two_jobs_give_the_same_files_names_messages_and_progress(
        options: dict[str, Any], src: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    real = pool.LocalPool.__init__

    def spy(self: Any, jobs: int, *args: Any, **kwargs: Any) -> None:
        started.append(jobs)
        real(self, jobs, *args, **kwargs)

    monkeypatch.setattr(pool.LocalPool, "__init__", spy)
    results = {}
    for jobs in (1, 2):
        dest = tmp_path / f"out{jobs}"
        (dest / "b").mkdir(parents=True)  # an output already there: kept, replaced or refused
        (dest / "b" / f"{SOME[1].stem}.tei.xml").write_bytes(b"an earlier run's")
        results[jobs] = (*run(src, dest, jobs, **dict(options)), tree(dest))
        assert temporary(dest) == []
    assert started == [2]  # the second run had two workers; the first, none
    (one, one_progress, one_tree), (two, two_progress, two_tree) = results[1], results[2]
    assert one == two
    assert one_progress == two_progress == [(n, one["inputs"]) for n in
                                            range(one["inputs"] + 1)]
    assert one_tree == two_tree
    # the batch really met every case it must decide in order
    texts = " ".join(m[1] for m in one["messages"])
    assert "would overwrite an output of this run" in texts
    assert one["exit"] != ExitCode.OK and len(one["outputs"]) > 2 * len(SOME)
    if options.get("skip_existing"):
        assert one["kept"] == [Path("b") / f"{SOME[1].stem}.tei.xml"]
    elif not options.get("force") and "docx" not in options.get("to", ""):
        assert "exists; not overwritten" in texts


def test_a_few_inputs_are_converted_in_this_process(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "LocalPool", None)  # starting one would fail
    inputs = BULLETINS[:2 * pipeline.INPUTS_PER_WORKER - 1]
    result = convert.convert(inputs, "tei", tmp_path, jobs=8)
    assert result.ok and len(result.outputs) == len(inputs)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_master_converted_beside_its_text_is_warned_of(jobs: int, tmp_path: Path) -> None:
    """`bulletin parse in -o in/masters`, then `bulletin convert in`: each bulletin converted
    twice, said of each master (archive says it alike); other inputs are not named."""
    src = tmp_path / "in"
    src.mkdir()
    for path in BULLETINS[:10]:
        shutil.copyfile(path, src / path.name)
    assert convert.convert(src, "xml", src / "masters").ok
    result = convert.convert(src, "tei", tmp_path / "out", jobs=jobs)
    assert result.ok
    pairs = [m for m in result.messages if m.kind == "master-and-text"]
    masters = sorted(str(p) for p in (src / "masters").iterdir())
    assert sorted(m.source or "" for m in pairs) == masters
    for m in pairs:  # STEM.xml, or STEM-N.xml for a digest's items
        stem = Path(m.source or "").stem
        text = [p for p in BULLETINS[:10] if p.stem in (stem, stem.rsplit("-", 1)[0])]
        assert len(text) == 1, m
        assert m.text.startswith(f"a canonical master of {src / text[0].name}, which is "
                                 "converted too")
    alone = convert.convert(src / "masters", "tei", tmp_path / "out2", jobs=jobs)
    assert not [m for m in alone.messages if m.kind == "master-and-text"]


@pytest.mark.parametrize(("inputs", "workers"), [(120, 2), (2000, 2), (37, 3), (9, 2)])
def test_chunks_shrink_so_the_workers_run_out_of_work_together(inputs: int,
                                                               workers: int) -> None:
    """A batch is handed out in chunks of at most CHUNK_SIZE that shrink with the queue:
    the last ones, the work each worker may still be busy with when another is idle, hold
    one input each (fixed chunks of 15 over 120 inputs left one of two workers idle while
    the other ran up to 15 more)."""
    sizes, left = [], inputs
    while left:
        sizes.append(pool.share(left, workers, pipeline.CHUNK_SIZE))
        left -= min(sizes[-1], left)
    assert max(sizes) <= pipeline.CHUNK_SIZE and sizes == sorted(sizes, reverse=True)
    assert sizes[-2 * workers:] == [1] * (2 * workers)
    assert len(sizes) <= inputs // pipeline.CHUNK_SIZE + 8 * workers * 2  # few messages


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The `segfault` and `hang` writers of tests/fixtures/plugin/crash, as if installed
    (forked workers inherit the registry)."""
    monkeypatch.syspath_prepend(str(CRASH))
    for name in ("segfault", "hang"):
        monkeypatch.setitem(writers.BUILTIN, name, f"bulletin_crash:{name.title()}Writer")


def test_an_input_that_crashes_its_worker_costs_only_itself(crashing: None, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for path in BULLETINS[:12]:
        shutil.copyfile(path, src / path.name)
    bad = bulletin_with(src, "blind1-05x-crash.txt", "SEGFAULT")
    result = convert.convert(src, "tei,segfault", tmp_path / "out", jobs=2)
    assert result.exit_code == ExitCode.FAILED
    assert [str(m) for m in result.messages if m.level == "error"] == [
        f"{bad}: error: not converted: worker crashed (killed by SIGSEGV)"]
    bad.unlink()
    again = convert.convert(src, "tei,segfault", tmp_path / "again", jobs=2)
    assert again.ok and tree(tmp_path / "out") == tree(tmp_path / "again")
    assert len(tree(tmp_path / "out")) == 24 and temporary(tmp_path / "out") == []


def test_an_input_that_hangs_is_stopped_and_the_others_go_on(
        crashing: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "TIMEOUT", 1.0)
    monkeypatch.setattr(pool, "GRACE", 1.0)
    src = tmp_path / "src"
    src.mkdir()
    for path in BULLETINS[:9]:
        shutil.copyfile(path, src / path.name)
    bad = bulletin_with(src, "blind1-03x-hang.txt", "HANG")
    result = convert.convert(src, "tei,hang", tmp_path / "out", jobs=2)
    assert result.exit_code == ExitCode.FAILED
    size = bad.stat().st_size
    (error,) = [str(m) for m in result.messages if m.level == "error"]
    # the worker's own alarm says so; on a busy machine the driver may kill it first
    assert error in [f"{bad}: error: not converted: timed out after 1 s (allowed for an input "
                     f"of {size:,} bytes){killed}" for killed in ("", "; the worker was killed")]
    assert len(tree(tmp_path / "out")) == 18 and temporary(tmp_path / "out") == []


def test_a_crashing_third_party_writer_from_the_command_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(CRASH, site)
    src = tmp_path / "src"
    src.mkdir()
    for path in BULLETINS[:10]:
        shutil.copyfile(path, src / path.name)
    bad = bulletin_with(src, "crash.txt", "SEGFAULT")
    done = subprocess.run([sys.executable, "-m", "convert", "convert", str(src), "--to",
                           "tei,segfault", "-o", str(tmp_path / "out"), "--jobs", "2"],
                          env=dict(os.environ, PYTHONPATH=str(site)), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == ExitCode.FAILED
    assert f"{bad}: error: not converted: worker crashed (killed by SIGSEGV)" in done.stderr
    assert "20 file(s) written, 1 failure(s), from 11 input(s)" in done.stderr


@pytest.fixture(scope="module")
def killable(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, bytes]]:
    """A `bulletin convert` of 16 bulletins to every format (without -o), and what its
    finished output folder holds."""
    src = tmp_path_factory.mktemp("src")
    for path in BULLETINS[:16]:
        shutil.copyfile(path, src / path.name)
    command = [sys.executable, "-m", "convert", "convert", str(src), "--to", "all", "-q"]
    reference = tmp_path_factory.mktemp("reference")
    subprocess.run([*command, "-o", str(reference)], check=True, timeout=300)
    return command, tree(reference)


def finished_after_kill(command: list[str], out: Path, whole: dict[str, bytes],
                        group: int) -> None:
    """Once the killed run's processes are gone: every file under a final name is the
    finished one, and --skip-existing completes the run."""
    deadline = time.monotonic() + 30
    while living(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert living(group) == []  # its workers ended with it
    found = tree(out) if out.exists() else {}
    assert [name for name in found if found[name] != whole[name]] == []
    subprocess.run([*command, "-o", str(out), "--skip-existing"], check=True, timeout=300)
    assert tree(out) == whole
    assert temporary(out) == []  # what the killed run left, the run that finished removed


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_killed_at_random_moments_leaves_only_whole_outputs(
        jobs: str, killable: tuple[list[str], dict[str, bytes]], tmp_path: Path) -> None:
    """kill -9 of the command alone (its workers then stop by themselves), or of its whole
    process group, after a random time."""
    command, whole = killable
    rng = random.Random(14)
    for attempt in range(2):
        out = tmp_path / f"out{attempt}"
        proc = subprocess.Popen([*command, "-o", str(out), "--jobs", jobs],
                                start_new_session=True)
        time.sleep(rng.uniform(0.2, 1.5))
        if attempt % 2:
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        finished_after_kill([*command, "--jobs", jobs], out, whole, proc.pid)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_killed_at_a_write_leaves_only_whole_outputs(
        jobs: str, killable: tuple[list[str], dict[str, bytes]], tmp_path: Path) -> None:
    """kill -9 of a process of the run (the command, or a worker) just as it makes its N-th
    write(2), for random N: the moment a file's bytes are on their way to the disk."""
    command, whole = killable
    rng = random.Random(int(jobs))
    for attempt in range(3):
        out = tmp_path / f"out{attempt}"
        nth = rng.randint(1, 120)
        proc = subprocess.Popen(["strace", "-f", "-qq", "-o", os.devnull, "-e", "trace=write",
                                 "-e", f"inject=write:signal=KILL:when={nth}", *command, "-o",
                                 str(out), "--jobs", jobs], start_new_session=True,
                                stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=300)
        if b"ptrace" in err:
            pytest.skip("ptrace is not allowed here")
        finished_after_kill([*command, "--jobs", jobs], out, whole, proc.pid)


def test_a_batch_removes_the_temporary_files_of_runs_that_are_gone(tmp_path: Path) -> None:
    """kill -9 leaves a run's temporary files behind (hidden, under no final name); the next
    run into that folder removes those of this machine's runs whose process is gone, and only
    those: a run still going, or another machine's, keeps its own."""
    mine = files.batch_tag()  # this machine's hash, this process, a random part
    host, pid = mine[:4], str(os.getpid())
    assert mine[4:].startswith(pid + "-")
    rest = mine[4 + len(pid):]
    dead = f"{host}{_pid_of_ended()}{rest}"
    alive = f"{host}{os.getppid()}{rest}"
    elsewhere = ("0000" if host != "0000" else "1111") + dead[4:]
    out = tmp_path / "out"
    out.mkdir()
    names = [f"{TEMP_PREFIX}{dead}abcd1234", f"{TEMP_PREFIX}{alive}abcd1234",
             f"{TEMP_PREFIX}{elsewhere}abcd1234", f"{TEMP_PREFIX}k2x9"]
    for name in names:
        (out / name).write_bytes(b"half a rendition")
    result = convert.convert(BULLETINS[:2 * pipeline.INPUTS_PER_WORKER], "tei", out, jobs=2)
    assert result.ok
    assert sorted(p.name for p in temporary(out)) == sorted(names[1:])


def _pid_of_ended() -> int:
    """The process id of a process that has ended and been reaped."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_large_batch_is_synced_once_after_its_last_rename_and_no_file_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fsyncs: list[int] = []
    synced: list[tuple[set[Path], dict[str, bytes]]] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd)))
    monkeypatch.setattr(files, "sync_file_systems",
                        lambda folders: synced.append((set(folders), tree(tmp_path))))
    monkeypatch.setattr(files, "FSYNC_EACH_MAX", 7)
    result = convert.convert([ORDINARY, DIGEST], "tei,epub", tmp_path / "out", jobs=1)
    assert result.ok and fsyncs == []
    assert synced == [({tmp_path / "out"}, tree(tmp_path))]
    assert len(synced[0][1]) == len(result.outputs) == 8


def test_a_small_batch_fsyncs_each_file_and_folder_after_its_last_rename(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync of the file system would wait for other programs' unwritten data too."""
    fsynced: list[tuple[str, dict[str, bytes]]] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsynced.append(
        (os.readlink(f"/proc/self/fd/{fd}"), tree(tmp_path))), real_fsync(fd)))
    monkeypatch.setattr(files, "sync_file_systems", lambda folders: pytest.fail("synced"))
    result = convert.convert([ORDINARY, DIGEST], "tei,epub", tmp_path / "out", jobs=1)
    assert result.ok and len(result.outputs) == 8 <= files.FSYNC_EACH_MAX
    final = tree(tmp_path)
    assert all(seen == final for _, seen in fsynced)  # every fsync after the last rename
    assert sorted(path for path, _ in fsynced) == sorted(
        [str(o.path) for o in result.outputs] + [str(tmp_path / "out")])


def test_a_failed_sync_fails_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(written: object, folders: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(tmp_path / "out"))

    monkeypatch.setattr(pipeline, "make_durable", failing)
    result = convert.convert(ORDINARY, "tei", tmp_path / "out")
    assert result.exit_code == ExitCode.FAILED
    assert [str(m) for m in result.messages] == [
        f"{tmp_path / 'out'}: error: the outputs were written but could not be synced to disk: "
        f"{os.strerror(errno.EIO)}"]


def test_syncing_a_folder_really_calls_the_system(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    files.sync_file_systems([tmp_path, tmp_path / "a", tmp_path / "missing"])
    assert files._syncfs() is not None  # Linux: one syncfs per file system, not os.sync()
