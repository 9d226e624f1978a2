"""The ``dask`` executor: tasks go to a Dask cluster (``pip install 'gladier[dask]'``).

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
from gladier.runtime.compute.worker import execute


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise ConfigException(
            "Dask endpoints need Dask's distributed scheduler: pip install 'gladier[dask]'"
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
        future = self._client.submit(
            execute,
            task.function.blob(),
            task.payload,
            key=f"gladier-task-{task.task_id}",
            pure=False,
        )
        with self._lock:
            self._futures[task.task_id] = (future, done)
        future.add_done_callback(lambda f: self._finished(task.task_id, f))

    def _send_many(self, tasks: list[tuple[Task, Done]]) -> None:
        """One ``client.map`` for many tasks: one message to the scheduler, not one each."""
        if len(tasks) == 1:
            self._send_or_fail(*tasks[0])
            return
        try:
            futures = self._client.map(
                execute,
                [task.function.blob() for task, _ in tasks],
                [task.payload for task, _ in tasks],
                key=[f"gladier-task-{task.task_id}" for task, _ in tasks],
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
        for (task, _), future in zip(tasks, futures, strict=True):
            future.add_done_callback(lambda f, task_id=task.task_id: self._finished(task_id, f))

    def _finished(self, task_id: str, future: Any) -> None:
        with self._lock:
            entry = self._futures.pop(task_id, None)
        if entry is None:
            return
        done = entry[1]
        if future.cancelled():
            outcome = TaskOutcome.failed(task_id, "Cancelled", "Dask cancelled the task")
        else:
            error = future.exception()
            if error is None:
                outcome = TaskOutcome.from_answer(task_id, future.result())
            elif type(error).__name__ == "KilledWorker":
                outcome = TaskOutcome.failed(
                    task_id,
                    "WorkerDied",
                    f"Dask workers died while running this task ({error}); Dask gave up on it",
                    kind="KilledWorker",
                )
            else:
                outcome = TaskOutcome.failed(
                    task_id,
                    "ExecutorError",
                    f"Dask could not run the task: {type(error).__name__}: {error}",
                    kind=type(error).__name__,
                )
        report(done, outcome)

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
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
