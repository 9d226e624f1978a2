"""The ``globus-compute`` executor: tasks are forwarded to a real Globus Compute endpoint.

For hybrid runs: the flow runs on the embedded runtime while some functions run on an HPC
system that has a Globus Compute endpoint (``pip install globus-sdk globus-compute-sdk``).
The function is loaded from the store in the runtime process and registered with the Globus
Compute service once per process (the SDK serializes it), each task is submitted with
``Client.run`` and its result polled with ``Client.get_task`` every ``poll_interval`` seconds
(default 2). All service calls happen on one background thread, never on the scheduler's.

Configuration: ``endpoint_id`` (the cloud endpoint, required), ``poll_interval``, and
``client_factory`` (``"package.module:function"`` returning a ``globus_compute_sdk.Client``;
by default ``Client()``, which logs in with the SDK's own login flow).

Globus Compute cannot stop a task once submitted: a cancelled task is reported ``Cancelled``
at once and its remote result is ignored.

Example::

    rt.create_endpoint("polaris", executor="globus-compute",
                       config={"endpoint_id": "4b116d3c-1703-4f8f-9f6f-39921e5864df"})
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gladier.exc import ConfigException
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors.base import (
    Done,
    Executor,
    Task,
    TaskOutcome,
    load_callable,
    log,
    report,
)
from gladier.runtime.compute.worker import decode_payload, finish, load_function

DEFAULT_POLL_INTERVAL = 2.0


@dataclass
class _Remote:
    task: Task
    done: Done
    remote_id: str | None = None


def remote_error(text: str) -> tuple[str, str]:
    """``(type, message)`` from the last line of a remote traceback."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "Error"
    kind, _, message = last.partition(":")
    if not message or " " in kind:
        return "RemoteError", last
    return kind.rsplit(".", 1)[-1], message.strip()


class GlobusComputeExecutor(Executor):
    """Forwards tasks to a Globus Compute endpoint; see the module docstring."""

    kind = "globus-compute"

    def __init__(self, endpoint: Endpoint, *, home: Path) -> None:
        super().__init__(endpoint, home=home)
        self.remote_endpoint = str(self.config["endpoint_id"])
        self.poll_interval = float(self.config.get("poll_interval", DEFAULT_POLL_INTERVAL))
        self._cond = threading.Condition()
        self._inbox: deque[_Remote] = deque()
        self._pending: dict[str, _Remote] = {}
        self._functions: dict[str, str] = {}
        self._client: Any = None
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def started(self) -> bool:
        return self._thread is not None

    def submit(self, task: Task, done: Done) -> None:
        with self._cond:
            if self._closed:
                raise ConfigException(f"The {self.describe()} is closed")
            item = _Remote(task, done)
            self._pending[task.task_id] = item
            self._inbox.append(item)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name=f"gladier-compute-{self.endpoint.name}", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def cancel(self, task_id: str) -> None:
        with self._cond:
            item = self._pending.pop(task_id, None)
        if item is not None:
            message = (
                "The task was cancelled; Globus Compute cannot stop a submitted task, so its "
                "remote result is ignored"
            )
            report(item.done, TaskOutcome.failed(task_id, "Cancelled", message))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._inbox.clear()
            thread = self._thread
            self._cond.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    # ------------------------------------------------------------------ background thread
    def _connect(self) -> Any:
        if self._client is None:
            factory = self.config.get("client_factory")
            if factory:
                self._client = load_callable(str(factory))()
            else:
                try:
                    from globus_compute_sdk import Client
                except ImportError as err:
                    raise ConfigException(
                        "globus-compute endpoints need the Globus Compute SDK: "
                        "pip install globus-sdk globus-compute-sdk"
                    ) from err
                self._client = Client()
        return self._client

    def _loop(self) -> None:
        next_poll = time.monotonic()
        while True:
            with self._cond:
                while not self._closed and not self._inbox:
                    waiting = any(r.remote_id for r in self._pending.values())
                    timeout = max(0.0, next_poll - time.monotonic()) if waiting else None
                    if timeout == 0.0:
                        break
                    self._cond.wait(timeout)
                if self._closed:
                    return
                new = list(self._inbox)
                self._inbox.clear()
            for item in new:
                self._send(item)
            if time.monotonic() >= next_poll:
                self._poll()
                next_poll = time.monotonic() + self.poll_interval

    def _send(self, item: _Remote) -> None:
        fn = item.task.function
        try:
            client = self._connect()
            key = f"{fn.function_id}:{fn.checksum}"
            remote_function = self._functions.get(key)
            if remote_function is None:
                remote_function = str(client.register_function(load_function(fn.blob())))
                self._functions[key] = remote_function
            args, kwargs = decode_payload(item.task.payload)
            remote_id = client.run(
                *args, endpoint_id=self.remote_endpoint, function_id=remote_function, **kwargs
            )
        except Exception as err:
            self._finish(
                item,
                TaskOutcome.failed(
                    item.task.task_id,
                    "ExecutorError",
                    f"Globus Compute refused the task: {type(err).__name__}: {err}",
                    kind=type(err).__name__,
                ),
            )
            return
        with self._cond:
            item.remote_id = str(remote_id)

    def _poll(self) -> None:
        with self._cond:
            waiting = [r for r in self._pending.values() if r.remote_id]
        if not waiting:
            return
        client = self._connect()
        for item in waiting:
            try:
                info = client.get_task(item.remote_id)
            except Exception as err:
                if type(err).__name__ != "TaskExecutionFailed":
                    log.warning("polling Globus Compute task %s failed: %s", item.remote_id, err)
                    continue
                text = str(getattr(err, "remote_data", err))
                kind, message = remote_error(text)
                error = {"code": "TaskFailed", "type": kind, "message": message, "traceback": text}
                self._finish(item, TaskOutcome(item.task.task_id, False, error=error))
                continue
            if info.get("pending", True):
                continue
            if "result" in info:
                answer = finish(item.task.function.blob(), info["result"])
                self._finish(item, TaskOutcome.from_answer(item.task.task_id, answer))
            else:
                reason = info.get("reason", info.get("status", "unknown"))
                self._finish(
                    item,
                    TaskOutcome.failed(
                        item.task.task_id,
                        "ExecutorError",
                        f"Globus Compute ended the task without a result: {reason}",
                    ),
                )

    def _finish(self, item: _Remote, outcome: TaskOutcome) -> None:
        with self._cond:
            if self._pending.pop(item.task.task_id, None) is None:
                return  # cancelled or closed meanwhile
        report(item.done, outcome)
