"""The executor interface: run tasks of one endpoint and report each outcome once.

An executor receives :class:`Task` objects (a task id, the function as stored bytes and the
payload as JSON text) and calls ``done(outcome)`` exactly once per task, from any thread, when
the task succeeded, failed, was cancelled or was lost with its worker. Executors start their
machinery on the first ``submit`` and stop it in ``close``.

Example::

    executor = create_executor(endpoint, home=runtime_home)
    executor.submit(Task("t-1", code, '[[1, 2], {}]'), lambda outcome: print(outcome.result))
    executor.close()
"""

from __future__ import annotations

import abc
import importlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from gladier.exc import ConfigException
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.functions import FunctionCode

log = logging.getLogger("gladier.runtime.compute")


@dataclass(frozen=True)
class Task:
    """One function call to run: ids, stored bytes and JSON, never live objects."""

    task_id: str
    function: FunctionCode
    #: JSON text of ``[args, kwargs]``.
    payload: str


@dataclass(frozen=True)
class TaskOutcome:
    """How a task ended: ``result`` (JSON text) when ``ok``, else ``error``."""

    task_id: str
    ok: bool
    result: str | None = None
    #: ``{"code", "type", "message", "traceback"}``.
    error: Mapping[str, Any] | None = None
    #: The last 64 KB of what the function wrote to standard output and standard error.
    stdout: str = ""
    stderr: str = ""

    @classmethod
    def from_answer(cls, task_id: str, answer: Mapping[str, Any]) -> TaskOutcome:
        """Build from what :func:`gladier.runtime.compute.worker.execute` returned."""
        stdout = str(answer.get("stdout") or "")
        stderr = str(answer.get("stderr") or "")
        if answer.get("ok"):
            return cls(
                task_id, True, result=str(answer.get("result")), stdout=stdout, stderr=stderr
            )
        error = dict(answer.get("error") or {})
        return cls(task_id, False, error=error, stdout=stdout, stderr=stderr)

    @classmethod
    def failed(
        cls, task_id: str, code: str, message: str, *, kind: str | None = None, tb: str = ""
    ) -> TaskOutcome:
        """An outcome for a task that the executor itself could not finish."""
        error = {"code": code, "type": kind or code, "message": message, "traceback": tb}
        return cls(task_id, False, error=error)


Done = Callable[[TaskOutcome], None]


def load_callable(spec: str) -> Any:
    """The object named by ``"package.module:attribute"`` (for factories kept in configs)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigException(f"Expected 'package.module:function', not {spec!r}")
    target: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


def report(done: Done, outcome: TaskOutcome) -> None:
    """Call ``done``; a failing callback is logged, never raised into executor threads."""
    try:
        done(outcome)
    except Exception:
        log.exception("handling the outcome of compute task %s failed", outcome.task_id)


class Executor(abc.ABC):
    """Runs the tasks of one endpoint; see the module docstring."""

    kind: ClassVar[str] = ""

    def __init__(self, endpoint: Endpoint, *, home: Path) -> None:
        self.endpoint = endpoint
        self.config: Mapping[str, Any] = endpoint.config
        self.home = home

    @abc.abstractmethod
    def submit(self, task: Task, done: Done) -> None:
        """Start ``task``; ``done`` is called once with its outcome."""

    def submit_many(self, tasks: list[tuple[Task, Done]]) -> None:
        """:meth:`submit` each task; executors that can send many at once override it."""
        for task, done in tasks:
            self.submit(task, done)

    def cancel(self, task_id: str) -> None:  # noqa: B027 - optional for executors
        """Stop ``task_id`` if it is queued or running (its outcome is then ``Cancelled``)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop every worker; outcomes of unfinished tasks are no longer reported."""

    @property
    def started(self) -> bool:
        """Whether the executor's workers (or its connection) have been started."""
        return False

    @property
    def pids(self) -> list[int]:
        """Process ids of local worker processes this executor started (if it knows them)."""
        return []

    def describe(self) -> str:
        return f"{self.kind} executor of endpoint {self.endpoint.name!r}"


class StartsInBackground(Executor):
    """Base of executors whose start takes seconds (a Dask cluster, a Parsl DataFlowKernel).

    The first :meth:`submit` starts the machinery on a background thread, so the runtime's
    scheduler is never blocked; tasks submitted meanwhile wait and are sent once it is up.
    If the start fails, the waiting tasks fail with code ``ExecutorUnavailable`` and the next
    task tries again. Subclasses implement :meth:`_start`, :meth:`_send`, :meth:`_cancel_sent`
    and :meth:`_stop`.
    """

    def __init__(self, endpoint: Endpoint, *, home: Path) -> None:
        super().__init__(endpoint, home=home)
        self._lock = threading.Lock()
        self._ready = False
        self._starter: threading.Thread | None = None
        self._waiting: list[tuple[Task, Done]] = []
        self._closed = False

    @property
    def started(self) -> bool:
        return self._ready

    @abc.abstractmethod
    def _start(self) -> None:
        """Start the machinery (on the background thread)."""

    @abc.abstractmethod
    def _send(self, task: Task, done: Done) -> None:
        """Hand ``task`` to the started machinery."""

    def _send_many(self, tasks: list[tuple[Task, Done]]) -> None:
        """Hand several tasks over (each one by :meth:`_send` unless overridden)."""
        for task, done in tasks:
            self._send_or_fail(task, done)

    @abc.abstractmethod
    def _cancel_sent(self, task_id: str) -> None:
        """Cancel a task already handed over."""

    @abc.abstractmethod
    def _stop(self) -> None:
        """Stop the machinery (after the start finished, if it ran)."""

    def submit(self, task: Task, done: Done) -> None:
        self.submit_many([(task, done)])

    def submit_many(self, tasks: list[tuple[Task, Done]]) -> None:
        with self._lock:
            if self._closed:
                raise ConfigException(f"The {self.describe()} is closed")
            if not self._ready:
                self._waiting.extend(tasks)
                if self._starter is None:
                    self._starter = threading.Thread(
                        target=self._start_then_send,
                        name=f"gladier-compute-start-{self.endpoint.name}",
                        daemon=True,
                    )
                    self._starter.start()
                return
        self._send_many(tasks)

    def _start_then_send(self) -> None:
        try:
            self._start()
        except Exception as err:
            log.exception("starting the %s failed", self.describe())
            with self._lock:
                waiting, self._waiting = self._waiting, []
                self._starter = None
            message = f"The {self.describe()} could not start: {type(err).__name__}: {err}"
            for task, done in waiting:
                report(done, TaskOutcome.failed(task.task_id, "ExecutorUnavailable", message))
            return
        with self._lock:
            self._ready = not self._closed
            waiting, self._waiting = self._waiting, []
        if waiting:
            self._send_many(waiting)

    def _send_or_fail(self, task: Task, done: Done) -> None:
        try:
            self._send(task, done)
        except Exception as err:
            message = f"The {self.describe()} refused the task: {type(err).__name__}: {err}"
            report(done, TaskOutcome.failed(task.task_id, "ExecutorError", message))

    def cancel(self, task_id: str) -> None:
        with self._lock:
            waiting = [entry for entry in self._waiting if entry[0].task_id == task_id]
            self._waiting = [entry for entry in self._waiting if entry[0].task_id != task_id]
        for _, done in waiting:
            report(done, TaskOutcome.failed(task_id, "Cancelled", "The task was cancelled"))
        if not waiting:
            self._cancel_sent(task_id)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._ready = False
            self._waiting.clear()
            starter = self._starter
        if starter is not None and starter is not threading.current_thread():
            starter.join(timeout=120)
        self._stop()
