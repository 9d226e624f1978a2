"""The transfer service: runs transfer and delete tasks in the background, durably.

Every task is a row of ``transfer_tasks`` in the runtime store, written when the task starts
and when it ends, so that:

* ``request_id`` is honoured across processes: the same request never starts a second task;
* a task whose process died (``kill -9``) is started again by the next process that asks for
  its status — the run that waits on it is taken over by that process too (see engine.py).
  Files are renamed into place only when complete, so starting again is always safe.

Tasks run on a thread pool; while one is ACTIVE its status details carry its progress
(``files``, ``files_transferred``, ``bytes_transferred``, ``bytes_expected``). When it ends the
runtime is notified and polls it at once. ``subscribe`` gives live progress events to a UI.

Example::

    service = TransferService(db, home)
    doc = service.submit({"request_id": "r1", "body": {...}}, spec)
    service.status(doc["action_id"])["details"]["bytes_transferred"]
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import sqlite3
import string
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gladier.exc import ActionProviderError, ConfigException, NotFound
from gladier.runtime.leases import process_alive, process_start_time
from gladier.runtime.providers.base import action_status
from gladier.runtime.timeutil import iso
from gladier.runtime.transfer.collections import CollectionRegistry
from gladier.runtime.transfer.copy import CopyStopped
from gladier.runtime.transfer.fileops import DeleteJob
from gladier.runtime.transfer.paths import resolve
from gladier.runtime.transfer.requests import DeleteSpec, TransferSpec, spec_from_json
from gladier.runtime.transfer.tasks import Fatal, StopSignal, TransferJob

if TYPE_CHECKING:
    from gladier.runtime.store import Database

log = logging.getLogger("gladier.runtime.transfer")

TERMINAL = frozenset({"SUCCEEDED", "FAILED"})
#: Seconds between two progress events of one task.
PROGRESS_INTERVAL = 0.2
#: Finished tasks are forgotten after this many seconds (the providers' ``release_after``).
KEEP_FINISHED = 30 * 24 * 3600
_ID_ALPHABET = string.ascii_letters + string.digits

#: Tokens of the services open in this process (a task stored with another token of this
#: process belongs to a closed service and may be resumed).
_LIVE_TOKENS: set[str] = set()


class Job(Protocol):
    kind: str
    state: str
    fatal_error: dict[str, str] | None

    def run(self, stop: StopSignal) -> None: ...

    def document(
        self,
        task_id: str,
        *,
        label: str,
        owner_id: str | None,
        request_time: str,
        completion_time: str | None,
        elapsed: float,
    ) -> dict[str, Any]: ...


def new_action_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def identity_id(urn: Any) -> str | None:
    """The identity UUID of an identity URN (Transfer documents carry the bare id)."""
    if not isinstance(urn, str):
        return None
    return urn.rsplit(":", 1)[-1] if urn.startswith("urn:globus:auth:identity:") else urn


def iso_seconds(epoch: float) -> str:
    moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return moment.isoformat()


@dataclass
class _Task:
    action_id: str
    task_id: str
    meta: dict[str, Any]
    label: str
    started: float
    job: Job | None = None
    stop: StopSignal = field(default_factory=StopSignal)
    completed: float | None = None
    doc: dict[str, Any] | None = None
    last_event: float = 0.0


class TransferService:
    """Background transfer/delete tasks and synchronous mkdir/ls, over one runtime store."""

    def __init__(
        self,
        db: Database,
        home: Path,
        *,
        max_workers: int = 4,
        chunk_size: int | None = None,
    ) -> None:
        self.db = db
        self.collections = CollectionRegistry(db, home)
        self.max_workers = max_workers
        self.chunk_size = chunk_size
        self.token = secrets.token_hex(8)
        self._host = socket.gethostname()
        self._pid = os.getpid()
        self._lock = threading.RLock()
        self._tasks: dict[str, _Task] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._notify: Callable[[str], None] | None = None
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._pruned = False
        self._closed = False
        _LIVE_TOKENS.add(self.token)

    # ------------------------------------------------------------------ wiring
    def attach(self, notify: Callable[[str], None]) -> None:
        """Call ``notify(action_id)`` whenever a task ends (the runtime polls it at once)."""
        if self._notify is None:
            self._notify = notify

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call ``listener(event)`` with progress of every task (at most 5 times a second).

        Events are ``{"action_id", "type", "status", "files", "files_transferred",
        "files_skipped", "bytes_transferred", "bytes_expected"}``; keep listeners quick.
        """
        self._listeners.append(listener)

    # ------------------------------------------------------------------ starting
    def submit(self, request: Mapping[str, Any], spec: TransferSpec | DeleteSpec) -> dict[str, Any]:
        """Start a transfer or delete task for ``request`` (returns its status document).

        Bad collection ids and paths that climb out of a collection are refused here, with
        ActionProviderError (the action is then ActionUnableToRun).
        """
        known = self._known_request(request)
        if known is not None:
            return known
        job = self._build(spec)
        task = self._new_task(request, spec)
        task.job = job
        self._attach_progress(task)
        self._store(task, spec.to_json(), request)
        self._start(task)
        return self._document(task)

    def run_sync(
        self, request: Mapping[str, Any], kind: str, work: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """Run a quick operation (mkdir, ls) now; its result or Fatal error is the details."""
        known = self._known_request(request)
        if known is not None:
            return known
        task = self._new_task(request, None)
        try:
            details = work()
            status = "SUCCEEDED"
        except Fatal as err:
            details = {"code": err.code, "description": err.description}
            status = "FAILED"
        task.completed = time.time()
        task.doc = action_status(
            task.action_id,
            status,
            details,
            task.meta,
            start_time=iso(task.started),
            now=task.completed,
        )
        self._store(task, {"kind": kind}, request)
        return dict(task.doc)

    def _new_task(self, request: Mapping[str, Any], spec: Any) -> _Task:
        meta = {
            key: request.get(key)
            for key in ("request_id", "creator_id", "manage_by", "monitor_by", "release_after")
        }
        meta["release_after"] = meta["release_after"] or "P30D"
        action_id = new_action_id()
        label = getattr(spec, "label", None) or f"For Action id {action_id}"
        meta["label"] = request.get("label") or label
        return _Task(action_id, str(uuid.uuid4()), meta, label, time.time())

    def _build(self, spec: TransferSpec | DeleteSpec) -> Job:
        try:
            if isinstance(spec, DeleteSpec):
                collection = self.collections.resolve(spec.endpoint)
                for path in spec.paths:
                    resolve(collection, path)
                return DeleteJob(spec, collection)
            source = self.collections.resolve(spec.source_endpoint)
            destination = self.collections.resolve(spec.destination_endpoint)
        except ConfigException as err:
            raise ActionProviderError(str(err)) from None
        for item in spec.items:
            resolve(source, item.source_path)
            resolve(destination, item.destination_path)
        return TransferJob(spec, source, destination, chunk_size=self.chunk_size)

    def _attach_progress(self, task: _Task) -> None:
        if isinstance(task.job, TransferJob):
            task.job.on_progress = lambda: self._progress(task)

    def _start(self, task: _Task) -> None:
        with self._lock:
            if self._closed:
                raise ActionProviderError("the transfer service is closed")
            self._tasks[task.action_id] = task
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.max_workers, thread_name_prefix="gladier-transfer"
                )
            self._pool.submit(self._work, task)

    def _work(self, task: _Task) -> None:
        assert task.job is not None
        try:
            task.job.run(task.stop)
        except CopyStopped:
            log.info("transfer task %s stopped; it will resume later", task.action_id)
            return
        except Exception as err:  # a bug or an unexpected OS state: fail the task, clearly
            log.exception("transfer task %s failed unexpectedly", task.action_id)
            task.job.state = "FAILED"
            task.job.fatal_error = {
                "code": "ENDPOINT_ERROR",
                "description": f"{type(err).__name__}: {err}",
            }
        task.completed = time.time()
        doc = self._document(task)
        task.doc = doc
        try:
            with self.db.write() as conn:
                conn.execute(
                    "UPDATE transfer_tasks SET status = ?, doc = ?, updated_at = ? "
                    "WHERE action_id = ?",
                    (doc["status"], json.dumps(doc), task.completed, task.action_id),
                )
        except (sqlite3.Error, RuntimeError):
            log.exception("could not store the end of transfer task %s", task.action_id)
        self._emit(task, force=True)
        if self._notify is not None:
            self._notify(task.action_id)

    # ------------------------------------------------------------------ documents
    def _document(self, task: _Task) -> dict[str, Any]:
        if task.doc is not None:
            return dict(task.doc)
        assert task.job is not None
        now = time.time()
        completion = iso(task.completed) if task.completed is not None else None
        details = task.job.document(
            task.task_id,
            label=task.label,
            owner_id=identity_id(task.meta.get("creator_id")),
            request_time=iso_seconds(task.started),
            completion_time=completion,
            elapsed=(task.completed or now) - task.started,
        )
        status = task.job.state
        fatal = task.job.fatal_error or {}
        display = "CANCELED" if fatal.get("code") == "CANCELED" else status
        return action_status(
            task.action_id,
            status,
            details,
            task.meta,
            start_time=iso(task.started),
            completion_time=completion,
            display_status=display,
            now=now,
        )

    def _progress(self, task: _Task) -> None:
        if self._listeners:
            self._emit(task)

    def _emit(self, task: _Task, *, force: bool = False) -> None:
        if not self._listeners or task.job is None:
            return
        now = time.monotonic()
        if not force and now - task.last_event < PROGRESS_INTERVAL:
            return
        task.last_event = now
        counters = getattr(task.job, "counters", None)
        event: dict[str, Any] = {
            "action_id": task.action_id,
            "type": task.job.kind,
            "status": task.job.state,
        }
        for name in (
            "files",
            "files_transferred",
            "files_skipped",
            "bytes_transferred",
            "bytes_expected",
        ):
            event[name] = getattr(counters, name, 0)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener must never break a transfer
                log.exception("transfer progress listener failed")

    # ------------------------------------------------------------------ the store
    def _store(self, task: _Task, spec: dict[str, Any], request: Mapping[str, Any]) -> None:
        self._prune()
        doc = self._document(task)
        record = {"meta": task.meta, "spec": spec, "body": request.get("body")}
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO transfer_tasks(action_id, request_id, kind, status, request, doc, "
                "host, pid, pid_start, token, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    task.action_id,
                    task.meta.get("request_id"),
                    spec.get("kind", "transfer"),
                    doc["status"],
                    json.dumps(record),
                    json.dumps(doc),
                    self._host,
                    self._pid,
                    process_start_time(self._pid),
                    self.token,
                    time.time(),
                ),
            )

    def _prune(self) -> None:
        if self._pruned:
            return
        self._pruned = True
        with self.db.write() as conn:
            conn.execute(
                "DELETE FROM transfer_tasks WHERE status IN ('SUCCEEDED', 'FAILED') "
                "AND updated_at < ?",
                (time.time() - KEEP_FINISHED,),
            )

    def _known_request(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        request_id = request.get("request_id")
        if not request_id:
            return None
        row = (
            self.db.read()
            .execute("SELECT action_id FROM transfer_tasks WHERE request_id = ?", (request_id,))
            .fetchone()
        )
        return None if row is None else self.status(row[0])

    def _owner_alive(self, host: str, pid: int, pid_start: str | None, token: str) -> bool:
        if host != self._host:
            return True  # cannot tell; another machine's process is assumed to be working
        if pid == self._pid:
            return token in _LIVE_TOKENS
        return process_alive(pid, pid_start)

    def _resume(self, action_id: str, row: tuple[Any, ...]) -> dict[str, Any] | None:
        """Start an abandoned task again here; None if another process got it first."""
        record = json.loads(row[0])
        stored = json.loads(row[1])
        details = stored.get("details") or {}
        with self.db.write() as conn:
            cur = conn.execute(
                "UPDATE transfer_tasks SET host = ?, pid = ?, pid_start = ?, token = ?, "
                "updated_at = ? WHERE action_id = ? AND token = ? AND status = 'ACTIVE'",
                (
                    self._host,
                    self._pid,
                    process_start_time(self._pid),
                    self.token,
                    time.time(),
                    action_id,
                    row[5],
                ),
            )
            if cur.rowcount != 1:
                return None
        task = _Task(
            action_id,
            str(details.get("task_id") or uuid.uuid4()),
            record["meta"],
            str(details.get("label") or f"For Action id {action_id}"),
            time.time(),
        )
        task.job = self._build(spec_from_json(record["spec"]))
        if isinstance(task.job, TransferJob):
            task.job.resumed = True
        self._attach_progress(task)
        log.info("resuming transfer task %s abandoned by a dead process", action_id)
        self._start(task)
        return self._document(task)

    # ------------------------------------------------------------------ AP operations
    def status(self, action_id: str) -> dict[str, Any]:
        """The status document of ``action_id`` (resuming it if its process died)."""
        with self._lock:
            task = self._tasks.get(action_id)
        if task is not None:
            return self._document(task)
        row = (
            self.db.read()
            .execute(
                "SELECT request, doc, host, pid, pid_start, token, status FROM transfer_tasks "
                "WHERE action_id = ?",
                (action_id,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"Action {action_id} is not known to the transfer provider")
        if row[6] in TERMINAL or self._owner_alive(row[2], row[3], row[4], row[5]):
            doc: dict[str, Any] = json.loads(row[1])
            return doc
        resumed = self._resume(action_id, tuple(row))
        return resumed if resumed is not None else self.status(action_id)

    def cancel(self, action_id: str) -> dict[str, Any]:
        """Ask a task to stop; it ends FAILED (display status CANCELED) within one chunk."""
        with self._lock:
            task = self._tasks.get(action_id)
        if task is not None:
            task.stop.set("cancel")
            return self._document(task)
        return self.status(action_id)

    def release(self, action_id: str) -> dict[str, Any]:
        """Forget a finished task (a running one is left alone)."""
        doc = self.status(action_id)
        if doc["status"] in TERMINAL:
            with self._lock:
                self._tasks.pop(action_id, None)
            with self.db.write() as conn:
                conn.execute("DELETE FROM transfer_tasks WHERE action_id = ?", (action_id,))
        return doc

    def close(self) -> None:
        """Stop running tasks (they stay ACTIVE in the store, resumable) and the pool."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for task in self._tasks.values():
                if task.doc is None:
                    task.stop.set("shutdown")
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        _LIVE_TOKENS.discard(self.token)
