"""The ``dask`` executor: tasks go to a Dask cluster (``pip install 'dask[distributed]'``).

Configuration: ``address`` of a running scheduler (``tcp://host:8786``), or ``local_cluster``
with keyword arguments of ``distributed.LocalCluster``, which the runtime starts on the first
task and stops when it closes (the default when neither is given: a LocalCluster with one
worker process per core, one thread each, no dashboard).

Dask workers run :func:`gladier.runtime.compute.worker.execute` on the function's stored bytes
and the JSON payload, so gladier must be installed where the workers run. A worker that dies is
Dask's to handle: it retries the task elsewhere and finally reports ``KilledWorker``, which
fails the task with code ``WorkerDied``.

Example::

    rt.create_endpoint("dask-local", executor="dask",
                       config={"local_cluster": {"n_workers": 2, "threads_per_worker": 1}})
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from gladier.exc import ConfigException
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors.base import (
    Done,
    StartsInBackground,
    Task,
    TaskOutcome,
    log,
    report,
)
from gladier.runtime.compute.worker import FunctionCall

#: Dask keys of gladier tasks: this prefix and the task id.
KEY_PREFIX = "gladier-task-"


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise ConfigException(
            "Dask endpoints need Dask's distributed scheduler: pip install 'dask[distributed]'"
        ) from err
    return distributed


class DaskExecutor(StartsInBackground):
    """Submits tasks to a Dask scheduler; see the module docstring."""

    kind = "dask"

    def __init__(self, endpoint: Endpoint, *, home: Path) -> None:
        super().__init__(endpoint, home=home)
        self._client: Any = None
        self._cluster: Any = None
        self._futures: dict[str, tuple[Any, Done]] = {}
        #: One :class:`FunctionCall` per function (id and checksum), made on first use.
        self._calls: dict[str, FunctionCall] = {}
        #: ``distributed.as_completed`` over the tasks in flight, read by a collector thread.
        self._completed: Any = None

    def _start(self) -> None:
        """Connect to the scheduler, or start the LocalCluster (on the starter thread)."""
        distributed = _import_distributed()
        address = self.config.get("address")
        if address:
            self._client = distributed.Client(address, set_as_default=False)
            return
        options: dict[str, Any] = {
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",
        }
        options.update(self.config.get("local_cluster") or {})
        self._cluster = distributed.LocalCluster(**options)
        try:
            self._client = distributed.Client(self._cluster, set_as_default=False)
        except BaseException:
            self._cluster.close()
            self._cluster = None
            raise

    def _send(self, task: Task, done: Done) -> None:
        self._send_many([(task, done)])

    def _send_many(self, tasks: list[tuple[Task, Done]]) -> None:
        """One ``client.map`` per function for many tasks: one message to the scheduler, not
        one each, with the function's bytes sent once."""
        by_function: dict[str, list[tuple[Task, Done]]] = {}
        for entry in tasks:
            fn = entry[0].function
            by_function.setdefault(f"{fn.function_id}:{fn.checksum}", []).append(entry)
        for key, group in by_function.items():
            call = self._calls.get(key)
            if call is None:
                call = self._calls[key] = FunctionCall(group[0][0].function.blob())
            self._map(call, group)

    def _map(self, call: FunctionCall, tasks: list[tuple[Task, Done]]) -> None:
        try:
            futures = self._client.map(
                call,
                [task.payload for task, _ in tasks],
                key=[f"{KEY_PREFIX}{task.task_id}" for task, _ in tasks],
                pure=False,
            )
        except Exception as err:
            message = f"The {self.describe()} refused the tasks: {type(err).__name__}: {err}"
            for task, done in tasks:
                report(done, TaskOutcome.failed(task.task_id, "ExecutorError", message))
            return
        with self._lock:
            for (task, done), future in zip(tasks, futures, strict=True):
                self._futures[task.task_id] = (future, done)
            if self._completed is None:
                self._completed = _import_distributed().as_completed(
                    futures, loop=self._client.loop
                )
                threading.Thread(
                    target=self._collect,
                    args=(self._completed,),
                    name=f"gladier-dask-results-{self.endpoint.name}",
                    daemon=True,
                ).start()
            else:
                self._completed.update(futures)

    def _collect(self, completed: Any) -> None:
        """Report outcomes as tasks finish, fetching the results of each batch at once."""
        while True:
            for batch in completed.batches():
                self._report_batch(batch)
            with self._lock:
                if completed.is_empty() or self._completed is not completed:
                    if self._completed is completed:
                        self._completed = None
                    return

    def _report_batch(self, batch: list[Any]) -> None:
        finished = [f for f in batch if f.status == "finished"]
        values: dict[str, Any] = {}
        client = self._client
        if finished and client is not None:
            try:
                values = dict(zip((f.key for f in finished), client.gather(finished), strict=True))
            except Exception as err:  # each future is asked on its own below
                log.info("gathering %d Dask results failed: %s", len(finished), err)
        for future in batch:
            self._finished(str(future.key)[len(KEY_PREFIX) :], future, values.get(future.key))

    def _finished(self, task_id: str, future: Any, answer: Any = None) -> None:
        with self._lock:
            entry = self._futures.pop(task_id, None)
        if entry is None:
            return
        done = entry[1]
        try:
            outcome = self._outcome(task_id, future, answer)
        except Exception as err:  # the cluster went away while the result was fetched
            outcome = TaskOutcome.failed(
                task_id, "ExecutorError", f"Dask lost the task: {type(err).__name__}: {err}"
            )
        report(done, outcome)

    @staticmethod
    def _outcome(task_id: str, future: Any, answer: Any) -> TaskOutcome:
        if future.cancelled():
            return TaskOutcome.failed(task_id, "Cancelled", "Dask cancelled the task")
        if future.status == "finished":
            return TaskOutcome.from_answer(
                task_id, answer if answer is not None else future.result()
            )
        error = future.exception()
        if type(error).__name__ == "KilledWorker":
            return TaskOutcome.failed(
                task_id,
                "WorkerDied",
                f"Dask workers died while running this task ({error}); Dask gave up on it",
                kind="KilledWorker",
            )
        return TaskOutcome.failed(
            task_id,
            "ExecutorError",
            f"Dask could not run the task: {type(error).__name__}: {error}",
            kind=type(error).__name__,
        )

    def _cancel_sent(self, task_id: str) -> None:
        with self._lock:
            entry = self._futures.pop(task_id, None)
        if entry is None:
            return
        future, done = entry
        try:
            future.cancel()
        except Exception as err:  # the scheduler may be gone; the task is reported anyway
            log.warning("cancelling Dask task %s failed: %s", task_id, err)
        report(done, TaskOutcome.failed(task_id, "Cancelled", "The task was cancelled"))

    def _stop(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            cluster, self._cluster = self._cluster, None
            self._futures.clear()
            self._completed = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
