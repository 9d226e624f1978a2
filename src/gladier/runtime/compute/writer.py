"""Task outcomes are stored in the background, many per transaction.

The runtime is told of a finished action at once, from memory; storing its outcome is off
that path. The scheduler takes what is pending into each of its own transactions
(:meth:`OutcomeWriter.take`), so the outcome of an action that just finished is stored in the
very commit that records the run moving on. What the scheduler does not take is stored by
this writer's thread: outcomes that arrive within :data:`BATCH_WINDOW` of each other (the
tasks of a fan-out) in one transaction, and outcomes handed to the scheduler (``handed``:
their run was told the action finished) after :data:`HANDED_WINDOW` if it has not taken them
by then, so the two do not contend for the store's write lock on every step. Should the
process die before an outcome is stored, the run has either not moved on (the next runtime
process re-runs the task and says so) or moved on in the commit that stored it.

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
#: Seconds it leaves outcomes handed to the scheduler for the scheduler's next commit.
HANDED_WINDOW = 2.0


class OutcomeWriter:
    """A background thread that stores task outcomes (started on the first one)."""

    def __init__(self, store: ActionStore) -> None:
        self.store = store
        self._cond = threading.Condition()
        self._pending: dict[str, tuple[ComputeAction, dict[int, TaskState]]] = {}
        self._thread: threading.Thread | None = None
        self._closed = False
        #: Whether something pending was not handed to the scheduler (stored sooner).
        self._urgent = False

    def add(self, action: ComputeAction, task: TaskState, *, handed: bool = False) -> None:
        """Store ``task``'s outcome and ``action``'s status soon; ``handed``: the scheduler
        was told the action finished, and stores it with its next commit (see the module
        docstring)."""
        with self._cond:
            if self._closed:
                return
            wake = not self._pending or (not handed and not self._urgent)
            entry = self._pending.setdefault(action.action_id, (action, {}))
            entry[1][task.index] = task
            if not handed:
                self._urgent = True
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="gladier-compute-store", daemon=True
                )
                self._thread.start()
            if wake:
                self._cond.notify()

    def take(self) -> list[tuple[ComputeAction, list[TaskState]]]:
        """Hand over what is pending, for a caller that stores it in its own transaction."""
        with self._cond:
            if not self._pending:
                return []
            batch = list(self._pending.values())
            self._pending.clear()
            self._urgent = False
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
                # that get in the way of the scheduler's own commits less often. Should the
                # scheduler take everything meanwhile, there is nothing left to write.
                since = time.monotonic()
                while not self._closed and self._pending:
                    window = BATCH_WINDOW if self._urgent else HANDED_WINDOW
                    remaining = since + window - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                if self._closed:
                    return
            self._write()

    def _write(self) -> None:
        with self._cond:
            batch = list(self._pending.values())
            self._pending.clear()
            self._urgent = False
        if not batch:
            return
        try:
            self.store.save_many(
                [(action, list(tasks.values())) for action, tasks in batch], time.time()
            )
        except (sqlite3.Error, RuntimeError) as err:
            log.warning("could not store the outcomes of %d compute action(s): %s", len(batch), err)
