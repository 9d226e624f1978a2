"""The floors: what the workload costs with no engine at all.

* ``InlineCalls``: the five functions called one after another in this process.
* ``BarePool``: five chained round trips to a bare ``ProcessPoolExecutor`` (the same
  number of worker processes as every other system): submit a step, wait for its result,
  submit the next. Runs started at once chain their next step from the done callback.
* ``DurablePool``: the same, plus one durable SQLite commit per step with the runtime's
  settings (WAL, ``synchronous=NORMAL``, a ``BEGIN IMMEDIATE`` transaction per row). No
  batching: this is the naive durable engine the runtime should stay close to.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from peerbench.systems.base import Deadline, RunsFailed, System
from peerbench.workload import STEP_FUNCTIONS, check


class InlineCalls(System):
    name = "inline"

    def run_one(self, x: int, timeout: float) -> int:
        value = x
        for fn in STEP_FUNCTIONS:
            value = fn(value)
        return check(x, value)

    def run_many(self, xs: Sequence[int], timeout: float) -> list[int]:
        return [self.run_one(x, timeout) for x in xs]


class BarePool(System):
    name = "pool"

    def setup(self) -> None:
        self.pool = ProcessPoolExecutor(max_workers=self.workers)

    def record(self, run: int, step: int, value: int) -> None:
        """Called after each step; the durable floor commits here."""

    def run_one(self, x: int, timeout: float) -> int:
        deadline = Deadline(timeout)
        value = x
        for step, fn in enumerate(STEP_FUNCTIONS):
            value = self.pool.submit(fn, value).result(timeout=deadline.remaining())
            self.record(x, step, value)
        return check(x, value)

    def run_many(self, xs: Sequence[int], timeout: float) -> list[int]:
        chains = [_Chain(self.pool, x, self.record) for x in xs]
        for chain in chains:
            chain.start()
        deadline = Deadline(timeout)
        errors: list[BaseException] = []
        results = []
        for chain in chains:
            if not chain.finished.wait(deadline.remaining()):
                raise TimeoutError(f"runs still going after {timeout:g} s")
            if chain.error is not None:
                errors.append(chain.error)
            else:
                results.append(chain.value)
        RunsFailed.check(errors, len(xs))
        return [check(x, value) for x, value in zip(xs, results, strict=True)]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Chain:
    """One run of the pool floors: each step is submitted from the previous one's callback."""

    def __init__(
        self, pool: ProcessPoolExecutor, x: int, record: Callable[[int, int, int], None]
    ) -> None:
        self.pool = pool
        self.x = x
        self.record = record
        self.value = x
        self.step = 0
        self.error: BaseException | None = None
        self.finished = threading.Event()

    def start(self) -> None:
        self._submit()

    def _submit(self) -> None:
        future = self.pool.submit(STEP_FUNCTIONS[self.step], self.value)
        future.add_done_callback(self._done)

    def _done(self, future: Future[Any]) -> None:
        try:
            self.value = future.result()
            self.record(self.x, self.step, self.value)
            self.step += 1
            if self.step < len(STEP_FUNCTIONS):
                self._submit()
                return
        except BaseException as err:  # reported by run_many
            self.error = err
        self.finished.set()


class DurablePool(BarePool):
    name = "pool-sqlite"

    def setup(self) -> None:
        super().setup()
        self.lock = threading.Lock()
        self.db = sqlite3.connect(
            self.scratch / "floor.db", isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("CREATE TABLE steps (id INTEGER PRIMARY KEY, run INT, step INT, value INT)")

    def record(self, run: int, step: int, value: int) -> None:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO steps (run, step, value) VALUES (?, ?, ?)", (run, step, value)
            )
            self.db.execute("COMMIT")

    def close(self) -> None:
        super().close()
        self.db.close()
