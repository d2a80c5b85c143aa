"""A supervised pool of worker processes, for `convert` and `archive` alike.

A bare `ProcessPoolExecutor` loses every queued item when one worker dies. Here each worker has
its own pipe and runs one chunk at a time, sending a result per item, so the driver always
knows which item a worker was on: when a worker dies (segfault, `os._exit`, out of memory) or
overstays its hard deadline (it is killed), only that item is blamed, the rest of its chunk
goes back to the queue, and a fresh worker takes its place. A crash is retried once alone
before the item is failed, so an item is never blamed for damage its neighbours did.

What the workers do is a `Work`, sent to each worker once: it converts one `Task` at a time
(`run`), and makes the result of a task that ended for a reason outside it (`failed`: its time
ran out, its worker died). Workers start either from a fork server that has imported
`preload` (the archive: a crash costs a fork, not a Python start-up), or, with `fork`, as forks
of the driver itself when it runs a single thread (convert: the driver has already loaded the
writers asked for, so a worker costs a fork, and nothing is imported twice).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, Protocol, TypeVar

from .messages import BulletinError, display_path

#: What a worker sends once it is set up, before it takes any input.
READY = "ready"
#: Extra time the driver grants past the worker's own alarm before it kills the worker.
GRACE = 5.0
#: Attempts before a crashing item is failed (the second one runs alone).
MAX_ATTEMPTS = 2
#: Seconds per megabyte an input is allowed beyond the timeout: a long text takes longer to
#: lay out, and must not fail for being long.
SECONDS_PER_MB = 10.0


class Task(Protocol):
    """One input of the batch, as sent to a worker."""

    @property
    def seq(self) -> int: ...  # its place in the batch
    @property
    def attempt(self) -> int: ...
    @property
    def size(self) -> int: ...  # bytes: the time it is allowed grows with it

    def retried(self) -> Any: ...  # the same task, for its next attempt


class Result(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def retire(self) -> bool: ...  # the worker ends after it (its state is suspect)


TaskT = TypeVar("TaskT", bound=Task)
ResultT = TypeVar("ResultT", bound=Result)
_TaskIn = TypeVar("_TaskIn", bound=Task, contravariant=True)
_ResultOut = TypeVar("_ResultOut", bound=Result, covariant=True)


class Work(Protocol[_TaskIn, _ResultOut]):
    """What every worker does; picklable (a fork server's workers receive it pickled)."""

    def setup(self) -> None: ...  # in the worker, before it says it is READY
    def run(self, task: _TaskIn) -> _ResultOut: ...
    def failed(self, task: _TaskIn, reason: str, retire: bool = False) -> _ResultOut: ...
    def allowed(self, size: int) -> float: ...  # seconds for an input of `size` bytes
    def timed_out(self, size: int) -> str: ...  # why such an input was stopped


def allowed(timeout: float, size: int) -> float:
    """Seconds allowed for an input of `size` bytes: the timeout, and SECONDS_PER_MB more
    for each megabyte."""
    return timeout + SECONDS_PER_MB * size / (1 << 20)


@dataclass
class _Worker(Generic[TaskT]):
    process: Any
    conn: Connection
    items: list[TaskT] = field(default_factory=list)  # sent, no result yet
    started: float = 0.0  # when the item in progress started
    retiring: bool = False
    fruitful: bool = False  # has sent a result
    ready: bool = False  # has said it is set up (see `serve`)


class WorkerStartError(BulletinError):
    """Workers die as soon as they start: the environment is broken, not an input."""


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _context(fork: bool) -> Any:
    """A fork of the driver when asked and safe (one thread: a fork copies no lock another
    thread holds); else the fork server, unless the main script cannot be imported again by a
    new process (a script read from stdin): multiprocessing's fork server and spawn both
    re-run it there."""
    if fork and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(main, "__spec__", None) is None and path and not os.path.exists(path):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")


def share(remaining: int, workers: int, most: int) -> int:
    """The size of the next chunk: at most `most`, and half a worker's even share of what is
    left, so chunks shrink as the queue does and the workers run out of work together (the
    last chunks hold one input each; with fixed chunks of 15, one worker of two sat idle for
    a tenth of a 120-input batch while the other finished its chunk)."""
    return max(1, min(most, remaining // (2 * workers)))


def next_chunk(queue: deque[TaskT], size: int) -> list[TaskT]:
    """Up to `size` tasks from the queue; a task being retried after a failure goes alone."""
    if queue[0].attempt > 1:
        return [queue.popleft()]
    chunk: list[TaskT] = []
    while queue and len(chunk) < size and queue[0].attempt == 1:
        chunk.append(queue.popleft())
    return chunk


class LocalPool(Generic[TaskT, ResultT]):
    def __init__(self, jobs: int, work: Work[TaskT, ResultT], *, preload: Sequence[str] = (),
                 fork: bool = False) -> None:
        self.jobs = self.capacity = max(1, jobs)
        self.job = work
        self.ctx = _context(fork)
        self.forks = self.ctx.get_start_method() == "fork"
        if not self.forks:
            self.ctx.set_forkserver_preload(list(preload))
        self.workers: list[_Worker[TaskT]] = []
        self.barren = 0  # workers in a row that died without sending a single result

    def free_slots(self) -> int:
        return self.jobs - sum(1 for w in self.workers if w.items)

    def submit(self, items: list[TaskT]) -> None:
        self._reap()
        worker = next((w for w in self.workers if not w.items), None) or self._spawn()
        try:
            worker.conn.send(items)
        except OSError:  # it died idle: nobody to blame, start another
            self._discard(worker)
            worker = self._spawn()
            worker.conn.send(items)
        worker.items = list(items)
        worker.started = time.monotonic()

    def _reap(self) -> None:
        """Forget idle workers that retired after their last item."""
        for worker in [w for w in self.workers if w.retiring and not w.items]:
            self._discard(worker)

    def _discard(self, worker: _Worker[TaskT]) -> None:
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        self.workers.remove(worker)

    def _spawn(self) -> _Worker[TaskT]:
        parent, child = self.ctx.Pipe(duplex=True)
        # A fork inherits the driver's ends of every pipe, its own included: it closes them,
        # or a worker would not see its pipe close when the driver dies. And what the
        # driver has buffered for stdout or stderr would be written again by the fork.
        inherited = [parent, *(w.conn for w in self.workers)] if self.forks else []
        if self.forks:
            sys.stdout.flush()
            sys.stderr.flush()
        process = self.ctx.Process(target=serve, args=(child, self.job, inherited), daemon=True)
        process.start()
        child.close()
        worker: _Worker[TaskT] = _Worker(process, parent)
        self.workers.append(worker)
        return worker

    def collect(self, timeout: float) -> tuple[list[ResultT], list[TaskT]]:
        """Results that arrived (any order), and items to send again (after a worker died)."""
        busy = [w for w in self.workers if w.items]
        if not busy:
            return [], []
        next_deadline = min(w.started + self._limit(w) for w in busy) - time.monotonic()
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                     timeout=max(0.0, min(timeout, next_deadline)))
        results: list[ResultT] = []
        retry: list[TaskT] = []
        for worker in busy:
            dead = worker.process.sentinel in ready
            if worker.conn in ready or dead:
                dead = self._drain(worker, results) or dead
            if dead:
                worker.process.join()
                self._lost(worker, _exit_reason(worker.process.exitcode), results, retry)
            elif worker.items and time.monotonic() - worker.started > self._limit(worker):
                size = worker.items[0].size
                worker.process.kill()
                worker.process.join()
                self._lost(worker, f"{self.job.timed_out(size)}; the worker was killed",
                           results, retry, hang=True)
        return results, retry

    def _limit(self, worker: _Worker[TaskT]) -> float:
        """How long the item in progress may take before its worker is killed: past the
        worker's own alarm (see `serve`)."""
        return self.job.allowed(worker.items[0].size) + GRACE

    def _drain(self, worker: _Worker[TaskT], results: list[ResultT]) -> bool:
        """Receive every result waiting in the pipe; True when the pipe is closed."""
        try:
            while worker.items and worker.conn.poll():
                result: ResultT | str = worker.conn.recv()
                if isinstance(result, str):
                    assert result == READY
                    worker.ready = True
                    continue
                worker.items.pop(0)
                worker.fruitful = True
                worker.started = time.monotonic()
                worker.retiring = worker.retiring or result.retire
                results.append(result)
        except (EOFError, OSError):
            return True
        return False

    def _lost(self, worker: _Worker[TaskT], why: str, results: list[ResultT],
              retry: list[TaskT], hang: bool = False) -> None:
        """A worker is gone: blame the item it was on (unless it left on purpose)."""
        self.workers.remove(worker)
        worker.conn.close()
        self.barren = 0 if worker.fruitful or hang else self.barren + 1
        if self.barren > 10 + 2 * self.jobs:
            raise WorkerStartError(f"worker processes keep dying before converting anything "
                                   f"(the last: {why}){self._start_hint()}")
        pending = worker.items
        if pending and not worker.retiring and worker.ready:  # else it never took an item
            culprit, pending = pending[0], pending[1:]
            if hang or culprit.attempt >= MAX_ATTEMPTS:
                reason = why if hang else f"worker crashed ({why})"
                results.append(self.job.failed(culprit, reason))
            else:
                retry.append(culprit.retried())
        retry.extend(pending)

    def _start_hint(self) -> str:
        """The likeliest cause when workers started from the fork server keep dying: each
        imports the caller's script again (as multiprocessing's spawn does), so a script that
        calls the library at its top level runs again in every worker, which ends there. Said
        in the text, not as a hint: it speaks to a program's author, not to a command's user."""
        script = getattr(sys.modules.get("__main__"), "__file__", None) or ""
        ours = os.path.dirname(os.path.abspath(__file__))
        if self.forks or not script.endswith(".py") or \
                os.path.dirname(os.path.abspath(script)) == ours:  # `python -m convert`
            return ""
        return (f"; each worker imports {display_path(script)} again: put its calls to "
                f"convert.archive and convert.convert under `if __name__ == \"__main__\":`")

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError):
                if worker.items:
                    worker.process.kill()
                else:
                    worker.conn.send(None)
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self.workers = []


# --- the worker process ------------------------------------------------------------------


class ItemTimeout(BaseException):
    """Raised in a worker by the per-item alarm (not an Exception: nothing may catch it)."""


def _alarm(signum: int, frame: object) -> None:
    raise ItemTimeout


def serve(conn: Connection, work: Work[Any, Any], inherited: Sequence[Connection] = ()) -> None:
    """Loop of a worker process: receive chunks, send one result per item.

    A result per item (not per chunk) lets the driver know which item was in progress when a
    worker died, so only that one is blamed. After a timeout or a result that says so (a
    memory error) the worker retires: whatever it was doing may have left its libraries in a
    bad state.
    """
    for other in inherited:
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's business
    signal.signal(signal.SIGALRM, _alarm)
    work.setup()
    conn.send(READY)  # from here on, a death is the fault of the item in progress
    while True:
        try:
            items: list[Any] | None = conn.recv()
        except (EOFError, OSError):
            return  # the driver is gone
        if items is None:
            return
        for item in items:
            signal.setitimer(signal.ITIMER_REAL, work.allowed(item.size))
            try:
                result = work.run(item)
            except ItemTimeout:
                result = work.failed(item, work.timed_out(item.size), retire=True)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            try:
                conn.send(result)
            except (BrokenPipeError, OSError):
                return
            if result.retire:
                conn.close()
                sys.exit(0)
