"""The Dask executor: the same chunks, run by a dask.distributed cluster.

Workers run `worker.convert_chunk` and send back bytes, hashes and messages; the driver alone
writes the package. A chunk whose worker died (`KilledWorker`) or that overstayed its deadline
is split and its inputs sent again one by one ("suspects"), one at a time with nothing new
started beside them, so that a worker's death can be pinned on the input it was running. A
suspect that still dies after three tries is quarantined (three, because a task queued on a
worker dies with the input that kills it). Tasks announce each input they start (a Dask
event), so a hang is timed per input and pinned on it; the worker that hung is restarted
through its nanny so its thread is not lost for the rest of the run. Dask is an optional
extra: this module is imported only when a scheduler is given.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, replace
from typing import Any

from ..messages import BulletinError
from ..pool import GRACE
from .worker import PROGRESS_TOPIC, ItemResult, Job, WorkItem, convert_chunk

INSTALL_HINT = "pip install 'bulletin-convert[dask]'"
#: Tries before an input whose worker keeps dying is quarantined.
MAX_ATTEMPTS = 3


class ClusterError(BulletinError):
    """The cluster cannot be reached, or its workers cannot run bulletin-convert."""


@dataclass
class _Task:
    items: list[WorkItem]
    deadline: float  # for a task that never says it started


class DaskPool:
    def __init__(self, job: Job, address: str | None = None,
                 scheduler_file: str | None = None) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ClusterError(f"--scheduler needs Dask, which is not installed: {INSTALL_HINT}"
                               ) from exc
        self.job = job
        try:
            if scheduler_file:
                self.client = Client(scheduler_file=scheduler_file, timeout="20s")
            else:
                self.client = Client(address, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler {address or scheduler_file}: "
                               f"{exc}") from exc
        threads = sum(self.client.nthreads().values())
        if not threads:
            self.client.wait_for_workers(1, timeout=60)
            threads = sum(self.client.nthreads().values())
        self.capacity: int = max(2, 2 * threads)  # one chunk running and one waiting per thread
        self.tasks: dict[Any, _Task] = {}
        self.current: dict[Any, tuple[int, float]] = {}  # task key -> (seq, since when)
        self.client.subscribe_topic(PROGRESS_TOPIC, self._progress)

    def _progress(self, event: tuple[float, dict[str, Any]]) -> None:
        """Called on the client's thread for each input a task starts."""
        message = event[1]
        self.current[message["key"]] = (message["seq"], time.monotonic())

    def free_slots(self) -> int:
        if any(task.items[0].attempt > 1 for task in self.tasks.values()):
            return 0  # a suspect runs alone
        return self.capacity - len(self.tasks)

    def submit(self, items: list[WorkItem]) -> None:
        future = self.client.submit(convert_chunk, items, self.job, pure=False)
        # Only a task that never reports its start falls back on this: it may wait behind
        # one chunk per thread, so allow twice the items' time.
        deadline = time.monotonic() + 2 * sum(self.job.allowed(i.size) + GRACE
                                              for i in items)
        self.tasks[future] = _Task(list(items), deadline)

    def collect(self, timeout: float) -> tuple[list[ItemResult], list[WorkItem]]:
        from distributed import KilledWorker, wait

        results: list[ItemResult] = []
        retry: list[WorkItem] = []
        if not self.tasks:
            return results, retry
        with contextlib.suppress(TimeoutError):
            wait(list(self.tasks), timeout=timeout, return_when="FIRST_COMPLETED")
        now = time.monotonic()
        for future, task in list(self.tasks.items()):
            running = self.current.get(future.key)
            if future.status == "finished":
                self._forget(future)
                results.extend(future.result())
            elif future.status == "error":
                self._forget(future)
                exc = future.exception()
                if not isinstance(exc, KilledWorker):
                    raise ClusterError(f"the Dask workers cannot convert: "
                                       f"{type(exc).__name__}: {exc}")
                self._failed(task, "worker died (Dask KilledWorker)", results, retry,
                             MAX_ATTEMPTS)
            elif running is not None and now - running[1] > self.job.allowed(
                    size := _size(task, running[0])) + GRACE:
                self._forget(future)
                self._restart_holders(future)
                results.append(ItemResult(running[0], False, self.job.timed_out(size)))
                retry.extend(item for item in task.items if item.seq != running[0])
            elif running is None and now > task.deadline:
                self._forget(future)
                self._restart_holders(future)
                self._failed(task, self.job.timed_out(max(i.size for i in task.items)),
                             results, retry, 2)
        return results, retry

    def _forget(self, future: Any) -> None:
        del self.tasks[future]
        self.current.pop(future.key, None)

    @staticmethod
    def _failed(task: _Task, reason: str, results: list[ItemResult], retry: list[WorkItem],
                attempts: int) -> None:
        """Quarantine a lone input that has had its `attempts`; else send every input again."""
        if len(task.items) == 1 and task.items[0].attempt >= attempts:
            results.append(ItemResult(task.items[0].seq, False, reason))
        else:  # isolate the culprit: every input again, alone
            retry.extend(replace(item, attempt=item.attempt + 1) for item in task.items)

    def _restart_holders(self, future: Any) -> None:
        """Restart the workers stuck on a cancelled task (needs a nanny; best effort)."""
        holders = [w for w, keys in self.client.processing().items() if future.key in keys]
        future.cancel()
        if holders:
            with contextlib.suppress(Exception):
                self.client.restart_workers(holders, raise_for_error=False)

    def close(self) -> None:
        for future in self.tasks:
            future.cancel()
        self.tasks.clear()
        self.client.close()


def _size(task: _Task, seq: int) -> int:
    """The size of the input `seq` of a task."""
    return next(item.size for item in task.items if item.seq == seq)
