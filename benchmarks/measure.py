"""Timing helpers: in-process passes over many inputs, and whole processes with their memory.

Every figure keeps wall-clock and CPU time side by side: on a machine shared with other work
the CPU time of a single-threaded stage is the steadier of the two, while the wall clock is
what a user waits for.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

T = TypeVar("T")

#: Why a stage could not be measured; the report prints it as "n/a (reason)".
NA = "n/a"


@dataclass(frozen=True)
class Timing:
    """One timed pass over `count` items."""

    count: int
    wall_s: float
    cpu_s: float

    @property
    def ms_each(self) -> float:
        return 1000 * self.wall_s / self.count

    @property
    def cpu_ms_each(self) -> float:
        return 1000 * self.cpu_s / self.count

    @property
    def per_s(self) -> float:
        return self.count / self.wall_s

    def as_dict(self) -> dict[str, float]:
        return {"count": self.count, "wall_s": round(self.wall_s, 4), "cpu_s": round(self.cpu_s, 4),
                "ms_each": round(self.ms_each, 4), "cpu_ms_each": round(self.cpu_ms_each, 4),
                "per_s": round(self.per_s, 1)}


def time_pass(fn: Callable[[T], Any], items: Sequence[T]) -> Timing:
    """Call `fn` on every item once, in this process; one Timing for the whole pass."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for item in items:
        fn(item)
    return Timing(len(items), time.perf_counter() - wall0, time.process_time() - cpu0)


def median_pass(fn: Callable[[T], Any], items: Sequence[T], repeats: int) -> Timing:
    """The pass with the median wall time out of `repeats` (noise on a shared machine)."""
    passes = sorted((time_pass(fn, items) for _ in range(repeats)), key=lambda t: t.wall_s)
    return passes[len(passes) // 2]


@dataclass(frozen=True)
class ProcessRun:
    """One finished child process: its exit code, times and memory."""

    argv: list[str]
    returncode: int
    wall_s: float
    cpu_s: float  # user + system of the child and the descendants it waited for
    max_rss_mb: float  # the largest single process of the tree (see GNU_TIME)
    tree: TreeSample | None  # the whole process tree, when sampled
    stderr_tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


_TICK = os.sysconf("SC_CLK_TCK")
#: GNU time (Debian's `time`), through which a command whose memory is measured runs: the
#: kernel's ru_maxrss of a process this benchmark starts includes the benchmark's own size
#: (Linux keeps the high-water mark of the image a process replaces at exec, and a child starts
#: as a copy of the benchmark), where GNU time's child starts as a copy of GNU time.
GNU_TIME = "/usr/bin/time"
#: Seconds between two samples of a process tree. One sample reads all of /proc (~1.5 ms of
#: CPU here): every 50 ms, that took 3 % of a core from the processes being measured.
SAMPLE_INTERVAL = 0.25


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used so far) of a live process, from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK  # ppid, utime + stime


def _run_queue_s(pid: int) -> float | None:
    """Seconds a process spent runnable but waiting for a CPU (/proc/PID/schedstat)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def _pss_mb(pid: int) -> float:
    """Proportional set size of one process (shared pages split between their users)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


@dataclass
class TreeSample:
    """What a process and all its descendants use, sampled while they run (Linux /proc).

    Memory is the peak of the summed PSS (shared pages split between the processes that
    share them, so forked workers are not counted twice). CPU is the last CPU time seen of
    every process that lived long enough to be sampled: a worker pool's CPU time reaches
    the parent's rusage only if the parent waits for its workers, so rusage alone misses it.
    """

    root: int
    wrapper: bool = False  # the root is GNU time, whose child is the command (see GNU_TIME)
    command: int | None = None  # the command's process, once seen
    peak_pss_mb: float = 0.0
    cpu: dict[int, float] = field(default_factory=dict)
    waiting: dict[int, float] = field(default_factory=dict)  # runnable, but no CPU free
    peak_processes: int = 0

    def sample(self) -> None:
        stats = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
                stats[int(entry.name)] = st
        tree: list[int] = []
        todo = [self.root] if self.root in stats else []  # gone: the run has just ended
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(p for p, (ppid, _) in stats.items() if ppid == pid)
        if self.wrapper:
            if self.command is None:
                self.command = next((p for p in tree if stats[p][0] == self.root), None)
            tree = [p for p in tree if p != self.root]
        self.peak_pss_mb = max(self.peak_pss_mb, sum(_pss_mb(p) for p in tree))
        self.peak_processes = max(self.peak_processes, len(tree))
        for pid in tree:
            self.cpu[pid] = stats[pid][1]
            if (wait := _run_queue_s(pid)) is not None:
                self.waiting[pid] = wait

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu.values())

    @property
    def waiting_s(self) -> float:
        """Time the tree's processes were ready to run but waited for a CPU (contention)."""
        return sum(self.waiting.values())

    @property
    def root_cpu_s(self) -> float:
        """The CPU time of the command's own process (e.g. a batch driver, without workers)."""
        return self.cpu.get(self.command or self.root, 0.0)


def _tail(handle: IO[bytes], size: int = 600) -> str:
    """The end of a child's stderr, for the report when it failed."""
    handle.seek(0, os.SEEK_END)
    handle.seek(max(0, handle.tell() - size))
    return handle.read().decode("utf-8", "replace").strip()


def run_process(argv: Sequence[str], *, cwd: Path | None = None, timeout: float = 900,
                sample_tree: bool = False, env: dict[str, str] | None = None) -> ProcessRun:
    """Run one command to completion and measure it.

    The parent blocks in wait4, so short runs (a `--version`) are timed exactly; with
    `sample_tree` a thread reads the tree's memory and CPU every SAMPLE_INTERVAL meanwhile,
    and the command runs through GNU time when it is installed, for an exact peak.
    The child gets its own session, so a timeout can end it together with its workers.
    """
    argv = [str(a) for a in argv]
    peak_file = None
    if sample_tree and os.access(GNU_TIME, os.X_OK):
        fd, peak_file = tempfile.mkstemp(prefix="peak-", suffix=".txt")
        os.close(fd)
    run = argv if peak_file is None else [GNU_TIME, "-f", "%M", "-o", peak_file, *argv]
    # stderr goes to a file: a pipe nobody reads could fill up and block the child.
    with open(os.devnull, "wb") as devnull, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(run, cwd=cwd, env=env, stdout=devnull, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        stop = threading.Event()
        tree = TreeSample(proc.pid, wrapper=peak_file is not None) if sample_tree else None

        def sample() -> None:
            while tree is not None and not stop.wait(SAMPLE_INTERVAL):
                tree.sample()

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            stop.set()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        tail = _tail(err)
    max_rss_kb = usage.ru_maxrss
    if peak_file is not None:
        reported = Path(peak_file).read_text().split()
        os.unlink(peak_file)
        if reported and reported[-1].isdigit():  # a run killed by a signal says so first
            max_rss_kb = int(reported[-1])
    return ProcessRun(argv, proc.returncode, wall, usage.ru_utime + usage.ru_stime,
                      max_rss_kb / 1024, tree, tail)


def creation_cost_us(folder: Path, count: int = 1000) -> float:
    """CPU microseconds to create one empty file in `folder` (the files are kept).

    On an ext4 file system without a journal (this VM's) a new file skips every inode
    deleted in the last minutes, one look-up each: after a large deletion, creating a file
    costs 10 to 30 times more for a few minutes (on this VM, 30 µs to over 1 ms from one
    minute to the next), and `convert` creates a file per rendition, the archive's driver 7
    per bulletin. The whole-command and archive runs print this figure so such a state shows.
    """
    probe = Path(tempfile.mkdtemp(prefix="probe-", dir=folder))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    start = time.process_time()
    for i in range(count):
        os.close(os.open(probe / str(i), flags, 0o644))
    return 1e6 * (time.process_time() - start) / count


def _reference_work() -> int:
    """A fixed pure-Python workload, independent of this project's code."""
    seen: dict[str, int] = {}
    total = 0
    for i in range(50_000):
        key = str(i)
        seen[key] = i
        total += len(key) * (i & 7)
    return total + len(seen)


def reference_ms(runs: int = 5) -> float:
    """Milliseconds of a fixed pure-Python workload (the median of `runs`): how fast this
    machine runs Python at the moment. The same code gives the same figure on a quiet host;
    on this VM it moves by up to half from one quarter of an hour to the next, with no other
    process visible, and every in-process figure of a section moves with it."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        _reference_work()
        times.append(1000 * (time.process_time() - start))
    return statistics.median(times)


def machine_cpu() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


def busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How many cores the whole machine kept busy, on average, between two readings."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return (os.cpu_count() or 1) * busy / total if total else 0.0


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


@contextmanager
def work_folder(given: Path | None, prefix: str) -> Iterator[Path]:
    """The folder a benchmark works in: `given` (made if needed, and kept), or a temporary one
    removed at the end."""
    work = given or Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    try:
        yield work
    finally:
        if given is None:
            shutil.rmtree(work, ignore_errors=True)
