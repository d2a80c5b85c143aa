"""The archive's executors: bad inputs quarantined while the rest completes (local processes),
and the same package from a Dask cluster, in-process and as separate processes on loopback."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from conftest import BAD, CORPUS
from test_archive import COLLECTION, assert_same_package, catalog_rows

from convert import pool
from convert.archiving import archive, verify
from convert.archiving.worker import FAULTS_ENV
from convert.cli import cli
from convert.messages import ExitCode


def _bulletin(folder: Path, name: str, variant: str) -> str:
    """A distinct bulletin (the tram depot story with one more line); returns its sha256."""
    data = (COLLECTION / "tram-depot.txt").read_bytes() + f"\n{variant}\n".encode()
    (folder / name).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_failing_crashing_hanging_and_hungry_inputs_are_quarantined(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for path in COLLECTION.glob("*.txt"):
        shutil.copyfile(path, src / path.name)
    shutil.copyfile(BAD / "empty.txt", src / "empty.txt")
    shutil.copyfile(BAD / "binary.bin", src / "binary.txt")
    faults = {kind: _bulletin(src, f"{kind}.txt", f"This one is made to {kind}.")
              for kind in ("crash", "hang", "stall", "hog")}
    monkeypatch.setenv(FAULTS_ENV, ",".join(f"{k}:{sha}" for k, sha in faults.items()))
    monkeypatch.setattr(pool, "GRACE", 1.0)  # the driver's hard deadline: timeout + 1 s
    report = archive([src], tmp_path / "package", to="tei", jobs=2, timeout=2,
                     memory_limit=768 << 20)
    bag = tmp_path / "package"
    notes = {Path(r["source"]).name: (r["status"], r["note"]) for r in catalog_rows(bag)}
    assert notes["crash.txt"] == ("quarantined", "worker crashed (exit code 70)")
    timed_out = "timed out after 2 s (allowed for an input of {} bytes; --timeout raises it)"
    size = {name: len((src / name).read_bytes()) for name in ("hang.txt", "stall.txt")}
    assert notes["hang.txt"] == ("quarantined", timed_out.format(size["hang.txt"]))
    assert notes["stall.txt"] == ("quarantined", timed_out.format(size["stall.txt"])
                                  + "; the worker was killed")
    assert notes["hog.txt"] == ("quarantined", "out of memory")
    assert notes["empty.txt"][0] == notes["binary.txt"][0] == "quarantined"
    assert all(notes[p.name][0] == "archived" for p in COLLECTION.glob("*.txt"))
    assert report.exit_code == ExitCode.FAILED and report.run.quarantined == 6
    assert bagit.Bag(str(bag)).validate(fast=False) and verify(bag) == []
    reported = {Path(r["source"]).name for r in catalog_rows(bag, "quarantine.csv")}
    assert reported == {"crash.txt", "hang.txt", "stall.txt", "hog.txt", "empty.txt",
                        "binary.txt"}


def test_importing_the_archive_loads_neither_dask_nor_writers() -> None:
    code = ("import sys, convert.archiving; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'dask', 'distributed', 'reportlab', 'ebooklib', 'docx', 'pikepdf', 'rich'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_without_dask_the_scheduler_option_says_how_to_install_it(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['distributed'] = None; from convert.cli import main; "
            f"sys.argv = ['bulletin', 'archive', {str(COLLECTION)!r}, '-o', "
            f"{str(tmp_path / 'p')!r}, '--to', 'tei', '--scheduler', 'tcp://127.0.0.1:9']; main()")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert run.returncode == ExitCode.FAILED
    assert "pip install 'bulletin-convert[dask]'" in run.stderr
    assert list(tmp_path.iterdir()) == []  # no workspace left behind


# --- Dask -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small collection and its package made by local worker processes."""
    root = tmp_path_factory.mktemp("dask")
    src = root / "src"
    src.mkdir()
    for path in [*COLLECTION.glob("*.txt"), *sorted((CORPUS / "bulletins").glob("blind1-3*.txt"))]:
        shutil.copyfile(path, src / path.name)
    shutil.copyfile(BAD / "empty.txt", src / "empty.txt")
    shutil.copyfile(COLLECTION / "tram-depot.txt", src / "tram-depot-copy.txt")
    archive([src], root / "local", to="tei", jobs=2, chunk_size=4)
    return src, root / "local"


def test_dask_local_cluster_makes_the_same_package(local_package, tmp_path: Path) -> None:
    from distributed import LocalCluster

    src, local = local_package
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        result = CliRunner().invoke(
            cli, ["archive", str(src), "-o", str(tmp_path / "dask"), "--to", "tei", "--quiet"],
            env={"DASK_SCHEDULER_ADDRESS": cluster.scheduler_address})
        assert "convert_chunk" in cluster.scheduler.task_prefixes  # the cluster did the work
    assert result.exit_code == ExitCode.FAILED, result.output  # empty.txt is quarantined
    assert verify(tmp_path / "dask") == []
    assert_same_package(local, tmp_path / "dask")


def _scheduler_address(scheduler_file: Path) -> str:
    """The address the scheduler writes to its file once it listens (the file appears first)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            return json.loads(scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    raise AssertionError("the Dask scheduler did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_dask_scheduler_and_two_workers_as_processes(local_package, tmp_path: Path) -> None:
    src, local = local_package
    # the dask command of this Python (a virtual environment's), not whichever is on PATH
    beside = Path(sys.executable).parent / "dask"
    dask = str(beside) if beside.exists() else shutil.which("dask")
    if dask is None:
        pytest.fail("the dask command is not installed (pip install 'bulletin-convert[dask]')")
    scheduler_file = tmp_path / "scheduler.json"
    # A task whose worker dies is not retried on another worker: our driver isolates it.
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    processes = [subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        address = _scheduler_address(scheduler_file)
        assert address.startswith("tcp://127.0.0.1:")
        for n in range(2):
            processes.append(subprocess.Popen(
                [dask, "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                 "--host", "127.0.0.1", "--no-dashboard", "--name", f"worker-{n}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        run = subprocess.run(
            [sys.executable, "-m", "convert", "archive", str(src), "-o", str(tmp_path / "dask"),
             "--to", "tei", "--scheduler-file", str(scheduler_file)],
            capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == ExitCode.FAILED, run.stderr
        assert "1 failed" in run.stderr
        with Client(address, timeout=60) as client:
            prefixes = client.run_on_scheduler(lambda dask_scheduler: list(
                dask_scheduler.task_prefixes))
            ran = client.run(lambda: "convert.archiving.worker" in sys.modules)
        assert "convert_chunk" in prefixes and any(ran.values())
        # an input that kills its Dask worker and one that hangs are quarantined, the rest
        # completes
        crash = _bulletin(src, "crash.txt", "This one kills its worker.")
        hang = _bulletin(src, "hang.txt", "This one never ends.")
        hang_size = (src / "hang.txt").stat().st_size
        try:
            run = subprocess.run(
                [sys.executable, "-m", "convert", "archive", str(src), "-o",
                 str(tmp_path / "faults"), "--to", "tei", "--scheduler", address,
                 "--timeout", "2"],
                capture_output=True, text=True, timeout=300, check=False,
                env={**os.environ, FAULTS_ENV: f"crash:{crash},hang:{hang}"})
        finally:
            (src / "crash.txt").unlink()
            (src / "hang.txt").unlink()
        assert run.returncode == ExitCode.FAILED, run.stderr
        notes = {Path(r["source"]).name: r["note"] for r in catalog_rows(tmp_path / "faults")
                 if r["status"] == "quarantined"}
        assert notes == {"crash.txt": "worker died (Dask KilledWorker)",
                         "hang.txt": f"timed out after 2 s (allowed for an input of "
                                     f"{hang_size} bytes; --timeout raises it)",
                         "empty.txt": notes.get("empty.txt")}
        assert verify(tmp_path / "faults") == []
    finally:
        for process in reversed(processes):
            _stop(process)
    assert verify(tmp_path / "dask") == []
    assert_same_package(local, tmp_path / "dask")
