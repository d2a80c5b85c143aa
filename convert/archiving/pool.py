"""The local executor: a supervised pool of worker processes.

A bare `ProcessPoolExecutor` loses every queued item when one worker dies. Here each worker has
its own pipe and runs one chunk at a time, sending a result per item, so the driver always
knows which item a worker was on: when a worker dies (segfault, `os._exit`, out of memory) or
overstays its hard deadline (it is killed), only that item is blamed, the rest of its chunk
goes back to the queue, and a fresh worker takes its place. A crash is retried once alone
before the item is quarantined, so an item is never blamed for damage its neighbours did.

Workers start from a fork server that has already imported the parser and writers: a crash
costs a fork, not a Python start-up.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from typing import Any

from ..messages import BulletinError
from ..writers import BUILTIN
from .worker import READY, ItemResult, Job, WorkItem, serve

#: Extra time the driver grants past the worker's own alarm before it kills the worker.
GRACE = 5.0
#: Attempts before a crashing item is quarantined (the second one runs alone).
MAX_ATTEMPTS = 2


@dataclass
class _Worker:
    process: Any
    conn: Connection
    items: list[WorkItem] = field(default_factory=list)  # sent, no result yet
    started: float = 0.0  # when the item in progress started
    retiring: bool = False
    fruitful: bool = False  # has sent a result
    ready: bool = False  # has said it is set up (see `worker.serve`)


class WorkerStartError(BulletinError):
    """Workers die as soon as they start: the environment is broken, not an input."""


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _context() -> Any:
    """The fork server, unless the main script cannot be imported again by a new process (a
    script read from stdin): multiprocessing's fork server and spawn both re-run it there."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(main, "__spec__", None) is None and path and not os.path.exists(path):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")


class LocalPool:
    def __init__(self, jobs: int, job: Job) -> None:
        self.jobs = self.capacity = max(1, jobs)
        self.job = job
        self.ctx = _context()
        self.ctx.set_forkserver_preload(
            ["convert.archiving.worker", "convert.reader", "convert.schema"]
            + [spec.partition(":")[0] for spec in BUILTIN.values()]
        )
        self.workers: list[_Worker] = []
        self.barren = 0  # workers in a row that died without sending a single result

    def free_slots(self) -> int:
        return self.jobs - sum(1 for w in self.workers if w.items)

    def submit(self, items: list[WorkItem]) -> None:
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

    def _discard(self, worker: _Worker) -> None:
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        self.workers.remove(worker)

    def _spawn(self) -> _Worker:
        parent, child = self.ctx.Pipe(duplex=True)
        process = self.ctx.Process(target=serve, args=(child, self.job), daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self.workers.append(worker)
        return worker

    def collect(self, timeout: float) -> tuple[list[ItemResult], list[WorkItem]]:
        """Results that arrived (any order), and items to send again (after a worker died)."""
        busy = [w for w in self.workers if w.items]
        if not busy:
            return [], []
        next_deadline = min(w.started + self._limit(w) for w in busy) - time.monotonic()
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                     timeout=max(0.0, min(timeout, next_deadline)))
        results: list[ItemResult] = []
        retry: list[WorkItem] = []
        for worker in busy:
            dead = worker.process.sentinel in ready
            if worker.conn in ready or dead:
                dead = self._drain(worker, results) or dead
            if dead:
                worker.process.join()
                self._lost(worker, _exit_reason(worker.process.exitcode), results, retry)
            elif worker.items and time.monotonic() - worker.started > self._limit(worker):
                size = len(worker.items[0].data)
                worker.process.kill()
                worker.process.join()
                self._lost(worker, f"{self.job.timed_out(size)}; the worker was killed",
                           results, retry, hang=True)
        return results, retry

    def _limit(self, worker: _Worker) -> float:
        """How long the item in progress may take before its worker is killed: past the
        worker's own alarm (see `worker.serve`)."""
        return self.job.allowed(len(worker.items[0].data)) + GRACE

    def _drain(self, worker: _Worker, results: list[ItemResult]) -> bool:
        """Receive every result waiting in the pipe; True when the pipe is closed."""
        try:
            while worker.items and worker.conn.poll():
                result: ItemResult | str = worker.conn.recv()
                if result == READY:
                    worker.ready = True
                    continue
                assert isinstance(result, ItemResult)
                worker.items.pop(0)
                worker.fruitful = True
                worker.started = time.monotonic()
                worker.retiring = worker.retiring or result.retire
                results.append(result)
        except (EOFError, OSError):
            return True
        return False

    def _lost(self, worker: _Worker, why: str, results: list[ItemResult],
              retry: list[WorkItem], hang: bool = False) -> None:
        """A worker is gone: blame the item it was on (unless it left on purpose)."""
        self.workers.remove(worker)
        worker.conn.close()
        self.barren = 0 if worker.fruitful or hang else self.barren + 1
        if self.barren > 10 + 2 * self.jobs:
            raise WorkerStartError(f"worker processes keep dying before converting anything "
                                   f"(the last: {why})")
        pending = worker.items
        if pending and not worker.retiring and worker.ready:  # else it never took an item
            culprit, pending = pending[0], pending[1:]
            if hang or culprit.attempt >= MAX_ATTEMPTS:
                reason = why if hang else f"worker crashed ({why})"
                results.append(ItemResult(culprit.seq, False, reason))
            else:
                retry.append(replace(culprit, attempt=culprit.attempt + 1))
        retry.extend(pending)

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
