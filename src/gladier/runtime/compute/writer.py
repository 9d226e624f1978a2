"""Task outcomes are stored in the background, many per transaction.

The runtime is told of a finished action at once, from memory; storing its outcome is off
that path. Outcomes that arrive within :data:`BATCH_WINDOW` of each other (a fan-out, the
steps of a quick flow, hundreds of runs at once) are stored in one transaction, which gets in
the way of the scheduler's own commits far less often than one transaction per outcome.
Should the process die before an outcome is stored, the run has either moved on already, or
the next runtime process re-runs the task and says so.

Example::

    writer = OutcomeWriter(store)
    writer.add(action, task)   # returns at once
    writer.close()             # stores whatever is pending
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from gladier.runtime.compute.actions import ActionStore, ComputeAction, TaskState

log = logging.getLogger("gladier.runtime.compute")

#: Seconds the writer waits after the first pending outcome before it stores the batch.
BATCH_WINDOW = 0.01


class OutcomeWriter:
    """A background thread that stores task outcomes (started on the first one)."""

    def __init__(self, store: ActionStore) -> None:
        self.store = store
        self._cond = threading.Condition()
        self._pending: dict[str, tuple[ComputeAction, dict[int, TaskState]]] = {}
        self._thread: threading.Thread | None = None
        self._closed = False

    def add(self, action: ComputeAction, task: TaskState) -> None:
        """Store ``task``'s outcome and ``action``'s status soon."""
        with self._cond:
            if self._closed:
                return
            first = not self._pending
            entry = self._pending.setdefault(action.action_id, (action, {}))
            entry[1][task.index] = task
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="gladier-compute-store", daemon=True
                )
                self._thread.start()
            if first:
                self._cond.notify()

    def take(self) -> list[tuple[ComputeAction, list[TaskState]]]:
        """Hand over what is pending, for a caller that stores it in its own transaction."""
        with self._cond:
            batch = list(self._pending.values())
            self._pending.clear()
        return [(action, list(tasks.values())) for action, tasks in batch]

    def give_back(self, items: list[tuple[ComputeAction, list[TaskState]]]) -> None:
        """Keep outcomes that :meth:`take` handed over and the caller could not store."""
        for action, tasks in items:
            for task in tasks:
                self.add(action, task)

    def close(self) -> None:
        """Store what is pending and stop the thread."""
        with self._cond:
            self._closed = True
            thread = self._thread
            self._cond.notify()
        if thread is not None:
            thread.join(timeout=30)
        self._write()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                # Gather what else finishes within the window: fewer, larger transactions
                # that get in the way of the scheduler's own commits less often.
                deadline = time.monotonic() + BATCH_WINDOW
                while not self._closed and (remaining := deadline - time.monotonic()) > 0:
                    self._cond.wait(remaining)
                if self._closed:
                    return
            self._write()

    def _write(self) -> None:
        with self._cond:
            batch = list(self._pending.values())
            self._pending.clear()
        if not batch:
            return
        try:
            self.store.save_many(
                [(action, list(tasks.values())) for action, tasks in batch], time.time()
            )
        except (sqlite3.Error, RuntimeError) as err:
            log.warning("could not store the outcomes of %d compute action(s): %s", len(batch), err)
