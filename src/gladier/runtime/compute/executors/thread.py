"""The ``thread`` executor: functions run in threads of the runtime process.

Cheap and fast for I/O-bound functions (calls to web services, file copies). A thread cannot
be stopped: a cancelled task that is already running is reported ``Cancelled`` at once, and
the function runs on until it returns; its result is discarded.

Example::

    rt.create_endpoint("io", executor="thread", config={"workers": 16})
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gladier.exc import ConfigException
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors.base import Done, Executor, Task, TaskOutcome, report
from gladier.runtime.compute.worker import execute

DEFAULT_THREADS = 32


class ThreadExecutor(Executor):
    """Runs tasks on a thread pool inside the runtime process."""

    kind = "thread"

    def __init__(self, endpoint: Endpoint, *, home: Path) -> None:
        super().__init__(endpoint, home=home)
        self.size = int(self.config.get("workers") or DEFAULT_THREADS)
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[str, tuple[Future[dict[str, Any]], Done]] = {}
        self._closed = False

    @property
    def started(self) -> bool:
        return self._pool is not None

    def submit(self, task: Task, done: Done) -> None:
        with self._lock:
            if self._closed:
                raise ConfigException(f"The {self.describe()} is closed")
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.size, thread_name_prefix=f"gladier-compute-{self.endpoint.name}"
                )
            future = self._pool.submit(execute, task.function.blob(), task.payload)
            self._running[task.task_id] = (future, done)
        future.add_done_callback(lambda f: self._finished(task.task_id, f))

    def _finished(self, task_id: str, future: Future[dict[str, Any]]) -> None:
        with self._lock:
            entry = self._running.pop(task_id, None)
        if entry is None or future.cancelled():
            return  # cancelled (already reported) or closed
        error = future.exception()
        if error is not None:
            outcome = TaskOutcome.failed(
                task_id, "ExecutorError", f"{type(error).__name__}: {error}"
            )
        else:
            outcome = TaskOutcome.from_answer(task_id, future.result())
        report(entry[1], outcome)

    def cancel(self, task_id: str) -> None:
        with self._lock:
            entry = self._running.pop(task_id, None)
        if entry is None:
            return
        future, done = entry
        if future.cancel():
            message = "The task was cancelled before it started"
        else:
            message = (
                "The task was cancelled; a thread cannot be stopped, so the function runs on "
                "until it returns and its result is discarded"
            )
        report(done, TaskOutcome.failed(task_id, "Cancelled", message))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
            self._running.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
