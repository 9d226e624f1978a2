"""The Compute action provider: Globus Compute action bodies run on local endpoints.

One :class:`ComputeService` per runtime holds the function and endpoint registries, the
executors (started on first use) and the live actions. It is served at every Compute URL
(:data:`~gladier.runtime.compute.constants.COMPUTE_URLS`) by a thin
:class:`ComputeActionProvider` that knows the body dialect of its URL (V2 or V3).

What happens to an action:

1. ``run``: a repeated ``request_id`` returns the existing action. The body is read, each
   task's endpoint resolved (unknown ids run on the default endpoint, with a note, unless
   ``strict_endpoints``), its function looked up and its payload size checked
   (``max_compute_payload_bytes``, 5 MiB as on Globus). The action and its tasks are stored,
   then the tasks start, all at once, on their endpoints' executors.
2. When the last task ends the action is SUCCEEDED (every task returned JSON) or FAILED, and
   the runtime is notified at once; outcomes are stored in the background
   (:mod:`~gladier.runtime.compute.writer`), many per transaction.
3. ``cancel`` (WaitTime passed, or the run was cancelled) stops the unfinished tasks.
4. After a restart, ``status`` of an action whose runtime process is gone takes it over and
   submits its unfinished tasks again; the action's details and the run log say so.

Example::

    service = ComputeService(db=db, options=RuntimeOptions(), home=home)
    provider = ComputeActionProvider(service, "v2")
    doc = provider.run({"request_id": "r1", "body": {"tasks": [
        {"endpoint": DEFAULT_ENDPOINT_ID, "function": function_id, "kwargs": {"x": 1}}]}})
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import random
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gladier.exc import ActionProviderError, GladierException, NotFound, StateConflict
from gladier.runtime.compute.actions import (
    FAILED,
    RUNNING,
    SUCCEEDED,
    ActionStore,
    ComputeAction,
    StoredOwner,
    TaskState,
    footprint,
    request_fields,
)
from gladier.runtime.compute.bodies import parse_body
from gladier.runtime.compute.constants import COMPUTE_URLS, COMPUTE_V3_URL
from gladier.runtime.compute.endpoints import EndpointRegistry, UnknownEndpoint
from gladier.runtime.compute.executors import Executor, Task, TaskOutcome, create_executor
from gladier.runtime.compute.functions import FunctionCode, FunctionRegistry
from gladier.runtime.compute.writer import OutcomeWriter
from gladier.runtime.leases import Owner, process_alive
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.providers.base import ProviderHooks, ServiceProvider
from gladier.runtime.store.database import Database
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    from gladier.runtime.providers.registry import ProviderRegistry

log = logging.getLogger("gladier.runtime.compute")

#: Finished actions kept in memory for quick status answers (older ones are read back).
FINISHED_CACHE = 512
#: Finished actions are forgotten after this many seconds (the ``release_after`` P30D).
KEEP_FINISHED_SECONDS = 30 * 86400
#: More than the bytes one task adds to a finished action's document, output aside.
FOOTPRINT_BOUND = 200
#: Action ids are derived from request ids in this namespace.
ACTION_NAMESPACE = uuid.UUID("5d0c8e2a-3b8f-4b7e-9a55-6f3c2a1d9e47")
_random = random.Random()
_seeded_in: list[int] = [-1]  # the pid that seeded _random (a forked child seeds again)


def _uuid_text(value: int) -> str:
    """The canonical text of the UUID whose 128 bits are ``value``."""
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


#: The version and variant bits of UUIDs: clear ``_KEEP``'s complement, then set these.
_KEEP = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)
_VERSION_5 = (0x5000 << 64) | (0x8000 << 48)
_NAMESPACE_BYTES = ACTION_NAMESPACE.bytes


def new_id() -> str:
    """A random UUID (version 4) for a task or an unnamed request, cheaper than uuid4().

    Example::

        new_id()   # '1f0e2b9c-...-4...'
    """
    if _seeded_in[0] != os.getpid():
        _random.seed(random.SystemRandom().getrandbits(128))
        _seeded_in[0] = os.getpid()
    return _uuid_text((_random.getrandbits(128) & _KEEP) | _VERSION_4)


def action_id_for(request_id: str) -> str:
    """The action id of ``request_id``: ``tg_`` and its UUID version 5 in
    :data:`ACTION_NAMESPACE` (what ``uuid.uuid5`` gives, computed with less overhead).

    Example::

        action_id_for("r1") == f"tg_{uuid.uuid5(ACTION_NAMESPACE, 'r1')}"   # True
    """
    digest = hashlib.sha1(_NAMESPACE_BYTES + request_id.encode()).digest()
    value = int.from_bytes(digest[:16], "big")
    return "tg_" + _uuid_text((value & _KEEP) | _VERSION_5)


__all__ = ["ComputeActionProvider", "ComputeService", "install"]


class ComputeService:
    """Functions, endpoints, executors and actions of one runtime; see the module docstring."""

    def __init__(self, *, db: Database, options: RuntimeOptions, home: Path) -> None:
        self.db = db
        self.options = options
        self.home = home
        self.functions = FunctionRegistry(db)
        self.endpoints = EndpointRegistry(db)
        self.store = ActionStore(db)
        self._lock = threading.RLock()
        self._live: dict[str, ComputeAction] = {}
        self._finished: OrderedDict[str, ComputeAction] = OrderedDict()
        self._executors: dict[str, Executor] = {}
        self._notify: Callable[[str], None] | None = None
        self._owner: Owner | None = None
        self._writer = OutcomeWriter(self.store)
        self._closed = False
        #: Actions accepted on the scheduler's thread, stored in its next transaction
        #: (:meth:`write_accepted`) and started once that commits (:meth:`committed`).
        self._accepted: list[tuple[ComputeAction, dict[str, FunctionCode]]] = []
        self._writing: list[tuple[ComputeAction, dict[str, FunctionCode]]] = []
        self._writing_outcomes: list[tuple[ComputeAction, list[TaskState]]] = []
        self._duplicates: set[str] = set()

    # ------------------------------------------------------------------ wiring
    def attach(self, notify: Callable[[str], None]) -> None:
        """Use ``notify(action_id)`` to tell the runtime an action just ended."""
        self._notify = notify

    @property
    def owner(self) -> Owner:
        """This process as the owner of the actions it runs (created on first use)."""
        with self._lock:
            if self._owner is None:
                self._owner = Owner.for_this_process()
                with contextlib.suppress(sqlite3.Error):
                    self.store.prune(time.time() - KEEP_FINISHED_SECONDS)
            return self._owner

    def executor(self, endpoint_id: str) -> Executor:
        """The executor of ``endpoint_id`` (created, not started, on first use)."""
        with self._lock:
            if self._closed:
                raise GladierException("The compute service is closed")
            known = self._executors.get(endpoint_id)
            if known is not None:
                return known
            endpoint = self.endpoints.find(endpoint_id)
            if endpoint is None:
                raise NotFound(f"Compute endpoint {endpoint_id} no longer exists")
            executor = create_executor(endpoint, home=self.home)
            self._executors[endpoint_id] = executor
            return executor

    def reset_executor(self, endpoint_id: str) -> None:
        """Stop ``endpoint_id``'s executor (its configuration changed or it was deleted).

        Tasks still running on it fail with code ``EndpointChanged``.
        """
        with self._lock:
            executor = self._executors.pop(endpoint_id, None)
            stranded = [
                (action, task)
                for action in self._live.values()
                for task in action.tasks
                if task.endpoint_id == endpoint_id and task.status == RUNNING
            ]
        if executor is None:
            return
        executor.close()
        for action, task in stranded:
            self._task_done(
                action.action_id,
                TaskOutcome.failed(
                    task.task_id,
                    "EndpointChanged",
                    "The task's endpoint was changed or deleted while the task ran",
                ),
            )

    def endpoint_status(self, endpoint_id: str) -> dict[str, Any]:
        """``{"status", "details"}`` of an endpoint, like Globus ``get_endpoint_status``."""
        endpoint = self.endpoints.get(endpoint_id)
        with self._lock:
            executor = self._executors.get(endpoint.endpoint_id)
        return {
            "status": "online",
            "details": {
                "endpoint_id": endpoint.endpoint_id,
                "executor": endpoint.executor,
                "started": executor is not None and executor.started,
                "worker_pids": [] if executor is None else executor.pids,
            },
        }

    def close(self) -> None:
        """Stop every executor; unfinished actions are left for the next runtime process."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            executors = list(self._executors.values())
            self._executors.clear()
            owner = self._owner
            live = bool(self._live)
            self._live.clear()
        self._writer.close()
        if owner is not None and live:
            try:
                self.store.abandon(owner)
            except (sqlite3.Error, RuntimeError) as err:
                log.warning("could not release unfinished compute actions: %s", err)
        for executor in executors:
            try:
                executor.close()
            except Exception:
                log.exception("closing the %s failed", executor.describe())

    # ------------------------------------------------------------------ actions
    def run(
        self, request: Mapping[str, Any], dialect: str, *, defer: bool = False
    ) -> dict[str, Any]:
        """Start the action of ``request`` (see the module docstring); its status document.

        With ``defer`` (the scheduler calls, and commits its turn soon after) the action is
        stored in the scheduler's own transaction, the one that records its id, and its tasks
        start once that commits: one transaction per turn, however many actions it starts.
        """
        given = request.get("request_id")
        request_id = str(given) if given else new_id()
        # The action id follows from the request id, so a repeated request names the same
        # action wherever it is found: in memory here, or (by the store's UNIQUE constraint,
        # when the action is inserted) stored by this or an earlier process.
        action_id = action_id_for(request_id) if given else f"tg_{new_id()}"
        if defer:
            with self._lock:
                known = action_id in self._live or action_id in self._finished
            if known:
                return self.status(action_id)
        specs = parse_body(request.get("body"), dialect)
        run_id = _text(request.get("run_id"))
        state_name = _text(request.get("state_name"))
        fields = request_fields(request)
        start_time = iso()
        state_limit = self.options.max_run_state_bytes
        if run_id is not None and len(specs) * FOOTPRINT_BOUND > state_limit // 2:
            sample = ComputeAction(action_id, request_id, run_id, state_name, fields, [])
            sample.start_time = start_time
            self._check_footprint(sample, len(specs))
        notes: list[str] = []
        tasks: list[TaskState] = []
        codes: dict[str, FunctionCode] = {}
        limit = self.options.max_compute_payload_bytes
        for index, spec in enumerate(specs):
            payload = json.dumps([spec.args, spec.kwargs], separators=(",", ":"))
            size = len(payload) if len(payload) * 4 <= limit else len(payload.encode())
            if size > limit:
                raise _refused(
                    "PayloadTooLarge",
                    f"The payload of task {index + 1} is {size:,} bytes of JSON, over the "
                    f"limit of {limit:,} bytes (as on Globus Compute). Keep large data in "
                    "files and pass their paths, or raise the max_compute_payload_bytes option.",
                    http_status=413,
                )
            try:
                endpoint, note = self.endpoints.resolve(
                    spec.endpoint, strict=self.options.strict_endpoints
                )
            except UnknownEndpoint as err:
                raise _refused("UnknownEndpoint", err.message) from err
            if note and note not in notes:
                notes.append(note)
                log.warning("%s", note)
            try:
                code = codes.get(spec.function_id) or self.functions.code(spec.function_id)
            except NotFound as err:
                raise _refused("FunctionNotFound", err.message) from err
            codes[code.function_id] = code
            tasks.append(
                TaskState(
                    index=index,
                    task_id=new_id(),
                    endpoint_id=endpoint.endpoint_id,
                    requested_endpoint=spec.endpoint,
                    function_id=code.function_id,
                    function_name=code.name,
                    payload=payload,
                    status=RUNNING,
                    submissions=1,
                )
            )
        action = ComputeAction(
            action_id=action_id,
            request_id=request_id,
            run_id=run_id,
            state_name=state_name,
            request=fields,
            tasks=tasks,
            notes=notes,
            start_time=start_time,
        )
        if defer:
            self.owner  # noqa: B018 - created now, not inside the scheduler's transaction
            with self._lock:
                self._accepted.append((action, codes))
                self._live[action.action_id] = action
                return action.document()
        try:
            self.store.insert(action, self.owner)
        except sqlite3.IntegrityError:
            # Another process accepted the same request_id a moment ago.
            other = self.store.action_for_request(request_id)
            if other is None:
                raise
            return self.status(other)
        with self._lock:
            self._live[action.action_id] = action
        self._submit_all(action, action.tasks, codes)
        with self._lock:
            return action.document()

    # ------------------------------------------------------------------ the scheduler's commit
    def write_accepted(self, conn: sqlite3.Connection) -> None:
        """Store the actions accepted with ``defer`` in the scheduler's transaction ``conn``
        (with outcomes waiting for the background writer); :meth:`committed` starts them."""
        with self._lock:
            batch, self._accepted = self._accepted, []
        self._writing = batch
        # Every commit of the scheduler stores the outcomes that arrived since the last one:
        # an action that just ended is stored with the step that reads its result.
        self._writing_outcomes = self._writer.take()
        self._duplicates = set()
        try:
            # Those stored already were stored by a process that ended before its run
            # recorded them.
            self._duplicates = self.store.insert_new_many(
                conn, [action for action, _ in batch], self.owner
            )
            if self._writing_outcomes:
                self.store.save_outcomes(conn, self._writing_outcomes, time.time())
        except sqlite3.Error:
            raise
        except Exception as err:  # the transaction is rolled back; committed(False) follows
            raise sqlite3.OperationalError(f"storing compute actions failed: {err}") from err

    def committed(self, ok: bool) -> None:
        """The scheduler's transaction ended: start what it stored, or keep it for the next."""
        batch, self._writing = self._writing, []
        outcomes, self._writing_outcomes = self._writing_outcomes, []
        if not ok:
            with self._lock:
                self._accepted[:0] = batch
            self._writer.give_back(outcomes)
            return
        start: list[tuple[ComputeAction, list[TaskState], Mapping[str, FunctionCode]]] = []
        for action, codes in batch:
            if action.action_id in self._duplicates:
                # Forget this copy: the next status() reads the stored one and takes it over.
                with self._lock:
                    self._live.pop(action.action_id, None)
                if self._notify is not None:
                    self._notify(action.action_id)
            elif action.canceled:  # cancelled before it was stored
                with contextlib.suppress(sqlite3.Error):
                    self.store.cancel(action, time.time())
            else:
                start.append((action, action.tasks, codes))
        self._duplicates = set()
        self._submit_many(start)

    def _check_footprint(self, action: ComputeAction, count: int) -> None:
        """Refuse a fan-out whose bookkeeping alone would pass the run-state limit."""
        limit = self.options.max_run_state_bytes
        if count * FOOTPRINT_BOUND <= limit // 2:
            return  # far below the limit (a task takes about 75 bytes): not worth measuring
        space = footprint(action)
        need = space.bytes_for(count)
        if need <= limit:
            return
        fits = space.tasks_within(limit)
        raise _refused(
            "TooManyTasks",
            f"This action has {count:,} tasks. Its status document, which the run keeps in "
            f"its state, needs {need:,} bytes for the task ids and result lists alone (before "
            f"any task's output), over the run-state limit of {limit:,} bytes "
            "(max_run_state_bytes), so the run would fail after every task had run. At most "
            f"{fits:,} tasks fit in one action: split the tasks over several Action states, "
            "or raise the max_run_state_bytes option.",
            http_status=413,
        )

    def _submit_all(
        self, action: ComputeAction, tasks: list[TaskState], codes: Mapping[str, FunctionCode]
    ) -> None:
        """Start ``tasks``: the tasks of each endpoint handed to its executor at once."""
        if len(tasks) == 1:
            self._submit(action, tasks[0], codes[tasks[0].function_id])
            return
        self._submit_many([(action, tasks, codes)])

    def _submit_many(
        self, items: list[tuple[ComputeAction, list[TaskState], Mapping[str, FunctionCode]]]
    ) -> None:
        """Start the tasks of several actions: each endpoint's tasks handed to its executor in
        one call (the actions one scheduler commit stored start together)."""
        by_endpoint: dict[str, list[tuple[Task, Callable[[TaskOutcome], None]]]] = {}
        for action, tasks, codes in items:
            done = self._done_callback(action.action_id)
            for task in tasks:
                code = codes[task.function_id]
                by_endpoint.setdefault(task.endpoint_id, []).append(
                    (Task(task.task_id, code, task.payload), done)
                )
        for endpoint_id, group in by_endpoint.items():
            try:
                self.executor(endpoint_id).submit_many(group)
            except Exception as err:
                message = f"The task could not be started on endpoint {endpoint_id}: {err}"
                for task_obj, callback in group:
                    callback(TaskOutcome.failed(task_obj.task_id, "ExecutorUnavailable", message))

    def _submit(self, action: ComputeAction, task: TaskState, code: FunctionCode) -> None:
        done = self._done_callback(action.action_id)
        try:
            executor = self.executor(task.endpoint_id)
            executor.submit(Task(task.task_id, code, task.payload), done)
        except Exception as err:
            message = f"The task could not be started on endpoint {task.endpoint_id}: {err}"
            done(TaskOutcome.failed(task.task_id, "ExecutorUnavailable", message))

    def _done_callback(self, action_id: str) -> Callable[[TaskOutcome], None]:
        return lambda outcome: self._task_done(action_id, outcome)

    def _task_done(self, action_id: str, outcome: TaskOutcome) -> None:
        with self._lock:
            action = self._live.get(action_id)
            task = None if action is None else action.task(outcome.task_id)
            if action is None or task is None or task.status != RUNNING or action.finished:
                return  # cancelled, closed or already reported
            if outcome.ok:
                final = action.finish(
                    task,
                    SUCCEEDED,
                    result=outcome.result,
                    stdout=outcome.stdout,
                    stderr=outcome.stderr,
                )
            else:
                final = action.finish(
                    task,
                    FAILED,
                    error=outcome.error or {},
                    stdout=outcome.stdout,
                    stderr=outcome.stderr,
                )
            if final:
                action.completion_time = iso()
                self._retire(action)
        handed = final and self._notify is not None and action.run_id is not None
        if final and self._notify is not None:
            self._notify(action_id)  # the runtime reads the outcome from memory
        self._writer.add(action, task, handed=handed)

    def _retire(self, action: ComputeAction) -> None:
        """Move a finished action to the bounded cache (lock held)."""
        self._live.pop(action.action_id, None)
        self._finished[action.action_id] = action
        while len(self._finished) > FINISHED_CACHE:
            self._finished.popitem(last=False)

    def status(self, action_id: str) -> dict[str, Any]:
        """The status document of ``action_id``; takes over actions orphaned by a restart."""
        with self._lock:
            action = self._live.get(action_id) or self._finished.get(action_id)
            if action is not None:
                return action.document()
        loaded = self.store.load(action_id)
        if loaded is None:
            raise NotFound(f"Compute action {action_id} is not known to this runtime")
        action, stored = loaded
        if action.finished or self._runs_elsewhere(stored):
            return action.document()
        return self._take_over(action, stored)

    def _runs_elsewhere(self, stored: StoredOwner) -> bool:
        if stored.owner is None:
            return False
        if stored.owner == self.owner.id:
            return True
        if stored.host == self.owner.host and stored.pid is not None:
            if stored.pid == self.owner.pid:
                return True  # another Runtime of this process: it is still open
            return process_alive(stored.pid, stored.pid_start)
        return self.store.owner_alive_elsewhere(stored, time.time())

    def _take_over(self, action: ComputeAction, stored: StoredOwner) -> dict[str, Any]:
        if not self.store.claim(action.action_id, stored.owner, self.owner):
            reloaded = self.store.load(action.action_id)
            if reloaded is None:
                raise NotFound(f"Compute action {action.action_id} is not known to this runtime")
            return reloaded[0].document()
        unfinished = [t for t in action.tasks if not t.done]
        if not unfinished:  # every outcome was stored; only the final status was not
            action.settle()
            action.completion_time = action.completion_time or iso()
            self.store.save(action, [], time.time())
            return action.document()
        if stored.owner is None:
            who = "The runtime that started this action was closed"
        else:
            who = (
                f"The runtime process that started this action (pid {stored.pid} on "
                f"{stored.host}) ended"
            )
        numbers = ", ".join(str(t.index + 1) for t in unfinished)
        note = (
            f"{who} before task(s) {numbers} finished; they were re-run after a restart by "
            f"pid {self.owner.pid} at {iso()}. Work a task had done before may have been done "
            "twice."
        )
        action.notes.append(note)
        log.warning("compute action %s: %s", action.action_id, note)
        for task in unfinished:
            task.status = RUNNING
            task.submissions += 1
        with self._lock:
            self._live[action.action_id] = action
        self.store.save(action, unfinished, time.time())
        for task in unfinished:
            try:
                code = self.functions.code(task.function_id)
            except NotFound as err:
                self._task_done(
                    action.action_id,
                    TaskOutcome.failed(task.task_id, "FunctionNotFound", err.message),
                )
                continue
            self._submit(action, task, code)
        with self._lock:
            return action.document()

    def cancel(self, action_id: str) -> dict[str, Any]:
        """Stop the unfinished tasks of ``action_id``; the action ends FAILED (CANCELED)."""
        with self._lock:
            action = self._live.get(action_id)
            if action is None:
                doc = None
            else:
                stop = action.cancel_unfinished(
                    {
                        "code": "Canceled",
                        "type": "Canceled",
                        "message": "The task was cancelled before it finished",
                    }
                )
                action.completion_time = iso()
                self._retire(action)
                doc = action.document()
        if action is None:
            return self._cancel_stored(action_id)
        self.store.cancel(action, time.time())
        for task in stop:
            with contextlib.suppress(Exception):
                self.executor(task.endpoint_id).cancel(task.task_id)
        assert doc is not None
        return doc

    def _cancel_stored(self, action_id: str) -> dict[str, Any]:
        loaded = self.store.load(action_id)
        if loaded is None:
            raise NotFound(f"Compute action {action_id} is not known to this runtime")
        action, _ = loaded
        if action.finished:
            return action.document()
        action.cancel_unfinished()
        action.completion_time = iso()
        self.store.cancel(action, time.time())
        return action.document()

    def release(self, action_id: str) -> dict[str, Any]:
        """Forget a finished action; StateConflict while it runs."""
        doc = self.status(action_id)
        if doc["status"] not in ("SUCCEEDED", "FAILED"):
            raise StateConflict(f"Compute action {action_id} is still {doc['status']}")
        with self._lock:
            self._finished.pop(action_id, None)
        self.store.delete(action_id)
        return doc


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _refused(code: str, message: str, *, http_status: int = 400) -> ActionProviderError:
    return ActionProviderError(message, {"code": code, "description": message}, http_status)


class ComputeActionProvider(ServiceProvider):
    """Serves one Compute URL with the body dialect of that URL (``"v2"`` or ``"v3"``)."""

    service: ComputeService

    def __init__(self, service: ComputeService, dialect: str) -> None:
        super().__init__(service)
        self.dialect = dialect

    def bind(self, hooks: ProviderHooks) -> None:
        super().bind(hooks)
        hooks.add_commit_hook(self.service)

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        hooks = self.hooks
        defer = hooks is not None and hooks.on_scheduler_thread()
        return self.service.run(request, self.dialect, defer=defer)


def install(registry: ProviderRegistry) -> None:
    """Serve every Compute URL in ``registry`` on its compute service (nothing starts until
    the first task)."""
    service = registry.service_hub().compute()
    for url in COMPUTE_URLS:
        dialect = "v3" if url == COMPUTE_V3_URL else "v2"
        registry.add(url, ComputeActionProvider(service, dialect))
