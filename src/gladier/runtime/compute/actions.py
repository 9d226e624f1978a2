"""Compute actions: their tasks, their status documents, and their rows in the store.

Every action is stored when it is accepted (before its tasks start), with the ``request_id``
it answers, the runtime process that runs its tasks (the *owner*), and each task's endpoint,
function, payload, status, result or error and number of submissions. Task outcomes are
stored moments after they arrive (:mod:`~gladier.runtime.compute.writer`). A runtime process
that takes a run over therefore finds the action,
its finished results, and which tasks were still in flight when the owner went away.

Details of the status document (spec §11.1)::

    SUCCEEDED  {"result": [v1, v2], "results": [{"task_id", "output": v1}, ...]}
    FAILED     {"code", "description", "exception", "result": [v1 | traceback text, ...],
                "results": [...], "errors": [{"task_id", "index", "function_id",
                "function_name", "code", "type", "message", "traceback"}]}
    ACTIVE     {"completed": k, "total": n, "task_ids": [...]}

Each entry of ``results`` also has ``"stdout"`` and ``"stderr"`` when the task printed
something: the last 64 KB of each (stored with the task, kept across restarts).

plus ``"notes"`` (a list of sentences) when something deserves a word: a task ran on the
default endpoint because its endpoint id was unknown, or it was re-run after a restart.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.runtime.leases import Owner
from gladier.runtime.providers.base import action_status
from gladier.runtime.store.database import Database

#: Task statuses.
PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED = (
    "pending",
    "running",
    "succeeded",
    "failed",
    "cancelled",
)
TASK_DONE = frozenset({SUCCEEDED, FAILED, CANCELLED})
#: Request fields kept with the action and echoed in its status document.
REQUEST_FIELDS = ("label", "manage_by", "monitor_by", "creator_id", "release_after")

_MISSING = object()


@dataclass
class TaskState:
    """One task of an action."""

    index: int
    task_id: str
    endpoint_id: str
    requested_endpoint: str
    function_id: str
    function_name: str
    payload: str
    status: str = PENDING
    result: str | None = None
    error: dict[str, Any] | None = None
    submissions: int = 0
    #: What the function printed (the last 64 KB of each stream).
    stdout: str = ""
    stderr: str = ""
    _value: Any = field(default=_MISSING, repr=False, compare=False)

    @property
    def done(self) -> bool:
        return self.status in TASK_DONE

    def value(self) -> Any:
        """The task's return value (parsed once)."""
        if self._value is _MISSING:
            self._value = None if self.result is None else json.loads(self.result)
        return self._value

    def error_text(self) -> str:
        error = self.error or {}
        text = error.get("traceback") or ""
        if not text:
            text = f"{error.get('type', 'Error')}: {error.get('message', '')}"
        return str(text)

    def printed(self) -> dict[str, str]:
        """``{"stdout", "stderr"}`` with only the streams the function wrote to."""
        return {k: v for k, v in (("stdout", self.stdout), ("stderr", self.stderr)) if v}


@dataclass
class ComputeAction:
    """An action and its tasks, as held in memory by the process that runs them.

    A task's outcome goes through :meth:`finish`, which keeps a count of the unfinished
    tasks: recording an outcome, and learning whether it was the last one, costs the same
    for an action of ten tasks as for one of ten thousand.

    Example::

        action = ComputeAction("tg_1", "req-1", None, None, {}, tasks)
        action.finish(action.task(task_id), SUCCEEDED, result="42")   # True when the last
    """

    action_id: str
    request_id: str
    run_id: str | None
    state_name: str | None
    request: dict[str, Any]
    tasks: list[TaskState]
    notes: list[str] = field(default_factory=list)
    status: str = "ACTIVE"
    start_time: str = ""
    completion_time: str | None = None
    canceled: bool = False
    _by_id: dict[str, TaskState] = field(init=False, repr=False, compare=False)
    _open: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id = {t.task_id: t for t in self.tasks}
        self._open = sum(1 for t in self.tasks if not t.done)

    @property
    def finished(self) -> bool:
        return self.status in ("SUCCEEDED", "FAILED")

    @property
    def completed(self) -> int:
        """How many tasks are done."""
        return len(self.tasks) - self._open

    def task(self, task_id: str) -> TaskState | None:
        return self._by_id.get(task_id)

    def finish(
        self,
        task: TaskState,
        status: str,
        *,
        result: str | None = None,
        error: Mapping[str, Any] | None = None,
        stdout: str = "",
        stderr: str = "",
    ) -> bool:
        """Record how ``task`` ended (``status`` one of TASK_DONE); True if the action just
        became final (see :meth:`settle`)."""
        if status not in TASK_DONE:
            raise ValueError(f"{status!r} is not a final task status")
        if not task.done:
            self._open -= 1
        task.status = status
        if result is not None:
            task.result = result
        if error is not None:
            task.error = dict(error)
        task.stdout, task.stderr = stdout, stderr
        return self.settle()

    def cancel_unfinished(self, error: Mapping[str, Any] | None = None) -> list[TaskState]:
        """Mark every unfinished task CANCELLED and the action FAILED (CANCELED); those tasks."""
        stopped = [t for t in self.tasks if not t.done]
        for task in stopped:
            task.status = CANCELLED
            if error is not None:
                task.error = dict(error)
        self._open = 0
        self.canceled = True
        self.status = "FAILED"
        return stopped

    def settle(self) -> bool:
        """Set the final status once every task is done; True when it just became final."""
        if self.finished or self._open:
            return False
        failed = any(t.status != SUCCEEDED for t in self.tasks)  # once per action
        self.status = "FAILED" if failed else "SUCCEEDED"
        return True

    def details(self) -> dict[str, Any]:
        if not self.finished:
            details: dict[str, Any] = {
                "completed": self.completed,
                "total": len(self.tasks),
                "task_ids": [t.task_id for t in self.tasks],
            }
        elif self.status == "SUCCEEDED":
            values = [t.value() for t in self.tasks]
            details = {
                "result": values,
                "results": [
                    {"task_id": t.task_id, "output": v, **t.printed()}
                    for t, v in zip(self.tasks, values, strict=True)
                ],
            }
        else:
            details = self._failure_details()
        if self.notes:
            details["notes"] = list(self.notes)
        return details

    def _failure_details(self) -> dict[str, Any]:
        result: list[Any] = []
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for task in self.tasks:
            if task.status == SUCCEEDED:
                result.append(task.value())
                results.append({"task_id": task.task_id, "output": task.value(), **task.printed()})
                continue
            error = dict(task.error or {})
            if task.status != FAILED and not error:
                error = {"code": "Canceled", "type": "Canceled", "message": "not run"}
            text = task.error_text()
            result.append(text)
            results.append({"task_id": task.task_id, "exception": text, **task.printed()})
            errors.append(
                {
                    "task_id": task.task_id,
                    "index": task.index,
                    "function_id": task.function_id,
                    "function_name": task.function_name,
                    "code": error.get("code", "TaskFailed"),
                    "type": error.get("type", "Error"),
                    "message": error.get("message", ""),
                    "traceback": error.get("traceback", ""),
                }
            )
        if self.canceled:
            code = "Canceled"
            description = (
                "The action was cancelled (its state's WaitTime passed, or the run was "
                f"cancelled); {sum(1 for t in self.tasks if t.status == CANCELLED)} unfinished "
                "task(s) were stopped."
            )
        else:
            first = next(e for e in errors if e["code"] != "Canceled")
            code = first["code"]
            position = f"Task {first['index'] + 1} of {len(self.tasks)}"
            what = f"function {first['function_name']!r}, {first['function_id']}"
            if code == "TaskFailed":
                description = f"{position} ({what}) raised {first['type']}: {first['message']}"
            else:
                description = f"{position} ({what}) failed: {first['message']}"
        exception = next((e["traceback"] or e["message"] for e in errors), "")
        return {
            "code": code,
            "description": description,
            "exception": exception,
            "result": result,
            "results": results,
            "errors": errors,
        }

    def document(self) -> dict[str, Any]:
        """The action status document (spec §10.3)."""
        display = "CANCELED" if self.canceled else self.status
        return action_status(
            self.action_id,
            self.status,
            self.details(),
            self.request,
            start_time=self.start_time,
            completion_time=self.completion_time,
            display_status=display,
        )


@dataclass(frozen=True)
class StoredOwner:
    """Who ran an action's tasks, as stored."""

    owner: str | None
    host: str | None
    pid: int | None
    pid_start: str | None


class ActionStore:
    """Compute action rows of the runtime store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def action_for_request(self, request_id: str) -> str | None:
        row = (
            self.db.read()
            .execute("SELECT action_id FROM compute_actions WHERE request_id = ?", (request_id,))
            .fetchone()
        )
        return None if row is None else str(row[0])

    def insert(self, action: ComputeAction, owner: Owner) -> None:
        """Store a new action with its tasks (IntegrityError if its request_id is taken)."""
        self.insert_many([action], owner)

    def insert_many(
        self,
        actions: list[ComputeAction],
        owner: Owner,
        outcomes: list[tuple[ComputeAction, list[TaskState]]] | None = None,
    ) -> None:
        """:meth:`insert` for several actions in one transaction (all or none), with the
        outcomes of other actions' tasks (:meth:`save_many`) if given."""
        with self.db.write() as conn:
            for action in actions:
                self._insert(conn, action, owner)
            if outcomes:
                self._save_outcomes(conn, outcomes, time.time())

    def insert_new(self, conn: sqlite3.Connection, action: ComputeAction, owner: Owner) -> bool:
        """Store ``action`` in the caller's transaction; False if it (or its request) is
        stored already."""
        return self._insert(conn, action, owner, or_ignore=True)

    def insert_new_many(
        self, conn: sqlite3.Connection, actions: list[ComputeAction], owner: Owner
    ) -> set[str]:
        """:meth:`insert_new` for several actions, in two statements while none of them is
        stored already; the ids of those that were (each is then tried on its own)."""
        if len(actions) < 2:
            return {a.action_id for a in actions if not self.insert_new(conn, a, owner)}
        conn.execute("SAVEPOINT accept_actions")
        cur = conn.executemany(
            "INSERT OR IGNORE INTO " + _ACTION_COLUMNS,
            [_action_row(action, owner) for action in actions],
        )
        if cur.rowcount == len(actions):
            conn.executemany(
                "INSERT INTO " + _TASK_COLUMNS,
                [row for action in actions for row in _task_rows(action)],
            )
            conn.execute("RELEASE accept_actions")
            return set()
        # One of them is stored already: start over, one action at a time.
        conn.execute("ROLLBACK TO accept_actions")
        conn.execute("RELEASE accept_actions")
        return {a.action_id for a in actions if not self.insert_new(conn, a, owner)}

    def save_outcomes(
        self,
        conn: sqlite3.Connection,
        items: list[tuple[ComputeAction, list[TaskState]]],
        completed_at: float,
    ) -> None:
        """:meth:`save_many` in the caller's transaction."""
        self._save_outcomes(conn, items, completed_at)

    @staticmethod
    def _insert(
        conn: sqlite3.Connection, action: ComputeAction, owner: Owner, *, or_ignore: bool = False
    ) -> bool:
        verb = "INSERT OR IGNORE INTO " if or_ignore else "INSERT INTO "
        cur = conn.execute(verb + _ACTION_COLUMNS, _action_row(action, owner))
        if cur.rowcount != 1:
            return False
        conn.executemany("INSERT INTO " + _TASK_COLUMNS, _task_rows(action))
        return True

    def save(self, action: ComputeAction, tasks: list[TaskState], completed_at: float) -> None:
        """Store task outcomes and the action's status, notes and completion, atomically."""
        self.save_many([(action, tasks)], completed_at)

    def save_many(
        self, items: list[tuple[ComputeAction, list[TaskState]]], completed_at: float
    ) -> None:
        """:meth:`save` for several actions in one transaction."""
        with self.db.write() as conn:
            self._save_outcomes(conn, items, completed_at)

    def _save_outcomes(
        self,
        conn: sqlite3.Connection,
        items: list[tuple[ComputeAction, list[TaskState]]],
        completed_at: float,
    ) -> None:
        # Two statements however many actions: the tasks' outcomes, then the actions.
        conn.executemany(
            _UPDATE_TASK, [row for action, tasks in items for row in _outcome_rows(action, tasks)]
        )
        conn.executemany(
            "UPDATE compute_actions SET status = ?, notes = ?, completion_time = ?, "
            "completed_at = ? WHERE action_id = ? AND canceled = 0",
            [
                (
                    action.status,
                    json.dumps(action.notes) if action.notes else "[]",
                    action.completion_time,
                    completed_at if action.finished else None,
                    action.action_id,
                )
                for action, _ in items
            ],
        )

    @staticmethod
    def _save_tasks(
        conn: sqlite3.Connection, action: ComputeAction, tasks: list[TaskState]
    ) -> None:
        conn.executemany(_UPDATE_TASK, _outcome_rows(action, tasks))

    def load(self, action_id: str) -> tuple[ComputeAction, StoredOwner] | None:
        conn = self.db.read()
        row = conn.execute(
            "SELECT request_id, run_id, state_name, status, request, notes, owner, owner_host, "
            "owner_pid, owner_pid_start, start_time, completion_time, canceled "
            "FROM compute_actions "
            "WHERE action_id = ?",
            (action_id,),
        ).fetchone()
        if row is None:
            return None
        tasks = [
            TaskState(
                index=r[0],
                task_id=r[1],
                endpoint_id=r[2],
                requested_endpoint=r[3],
                function_id=r[4],
                function_name=r[5],
                payload=r[6],
                status=r[7],
                result=r[8],
                error=None if r[9] is None else json.loads(r[9]),
                submissions=int(r[10]),
                stdout=r[11] or "",
                stderr=r[12] or "",
            )
            for r in conn.execute(
                "SELECT idx, task_id, endpoint_id, requested_endpoint, function_id, "
                "function_name, payload, status, result, error, submissions, stdout, stderr "
                "FROM compute_tasks "
                "WHERE action_id = ? ORDER BY idx",
                (action_id,),
            )
        ]
        action = ComputeAction(
            action_id=action_id,
            request_id=row[0],
            run_id=row[1],
            state_name=row[2],
            request=json.loads(row[4]),
            tasks=tasks,
            notes=list(json.loads(row[5])),
            status=row[3],
            start_time=row[10],
            completion_time=row[11],
            canceled=bool(row[12]),
        )
        owner = StoredOwner(row[6], row[7], None if row[8] is None else int(row[8]), row[9])
        return action, owner

    def claim(self, action_id: str, previous: str | None, owner: Owner) -> bool:
        """Take an action over if its owner is still ``previous`` (compare and swap)."""
        with self.db.write() as conn:
            cur = conn.execute(
                "UPDATE compute_actions SET owner = ?, owner_host = ?, owner_pid = ?, "
                "owner_pid_start = ? WHERE action_id = ? AND owner IS ? AND status = 'ACTIVE'",
                (owner.id, owner.host, owner.pid, owner.pid_start, action_id, previous),
            )
            return cur.rowcount == 1

    def cancel(self, action: ComputeAction, completed_at: float) -> bool:
        """Store a cancellation unless the action already ended; True if stored."""
        with self.db.write() as conn:
            self._save_tasks(conn, action, action.tasks)
            cur = conn.execute(
                "UPDATE compute_actions SET status = 'FAILED', canceled = 1, completion_time = ?, "
                "completed_at = ? WHERE action_id = ? AND status = 'ACTIVE'",
                (action.completion_time, completed_at, action.action_id),
            )
            return cur.rowcount == 1

    def abandon(self, owner: Owner) -> int:
        """Give up the unfinished actions of ``owner`` (the runtime is closing)."""
        with self.db.write() as conn:
            cur = conn.execute(
                "UPDATE compute_actions SET owner = NULL WHERE owner = ? AND status = 'ACTIVE'",
                (owner.id,),
            )
            return cur.rowcount

    def owner_alive_elsewhere(self, stored: StoredOwner, now: float) -> bool:
        """Whether a process on another host that owns an action still holds a lease."""
        row = (
            self.db.read()
            .execute(
                "SELECT 1 FROM owners WHERE host = ? AND pid = ? AND expires > ?",
                (stored.host, stored.pid, now),
            )
            .fetchone()
        )
        return row is not None

    def delete(self, action_id: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM compute_tasks WHERE action_id = ?", (action_id,))
            conn.execute("DELETE FROM compute_actions WHERE action_id = ?", (action_id,))

    def prune(self, before: float) -> int:
        """Forget finished actions completed before ``before`` (epoch seconds)."""
        with self.db.write() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT action_id FROM compute_actions WHERE completed_at < ?", (before,)
                )
            ]
            for action_id in ids:
                conn.execute("DELETE FROM compute_tasks WHERE action_id = ?", (action_id,))
                conn.execute("DELETE FROM compute_actions WHERE action_id = ?", (action_id,))
            return len(ids)


_ACTION_COLUMNS = (
    "compute_actions(action_id, request_id, run_id, state_name, status, request, notes, "
    "owner, owner_host, owner_pid, owner_pid_start, start_time) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)
_TASK_COLUMNS = (
    "compute_tasks(action_id, idx, task_id, endpoint_id, requested_endpoint, function_id, "
    "function_name, payload, status, result, error, submissions, stdout, stderr) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


_UPDATE_TASK = (
    "UPDATE compute_tasks SET status = ?, result = ?, error = ?, submissions = ?, "
    "stdout = ?, stderr = ? WHERE action_id = ? AND idx = ?"
)


def _outcome_rows(action: ComputeAction, tasks: list[TaskState]) -> list[tuple[Any, ...]]:
    return [
        (
            t.status,
            t.result,
            None if t.error is None else json.dumps(t.error),
            t.submissions,
            t.stdout or None,
            t.stderr or None,
            action.action_id,
            t.index,
        )
        for t in tasks
    ]


def _action_row(action: ComputeAction, owner: Owner) -> tuple[Any, ...]:
    return (
        action.action_id,
        action.request_id,
        action.run_id,
        action.state_name,
        action.status,
        json.dumps(action.request),
        json.dumps(action.notes) if action.notes else "[]",
        owner.id,
        owner.host,
        owner.pid,
        owner.pid_start,
        action.start_time,
    )


def _task_rows(action: ComputeAction) -> list[tuple[Any, ...]]:
    return [
        (
            action.action_id,
            t.index,
            t.task_id,
            t.endpoint_id,
            t.requested_endpoint,
            t.function_id,
            t.function_name,
            t.payload,
            t.status,
            t.result,
            None if t.error is None else json.dumps(t.error),
            t.submissions,
            t.stdout or None,
            t.stderr or None,
        )
        for t in action.tasks
    ]


@dataclass(frozen=True)
class Footprint:
    """The least room an action's SUCCEEDED status document takes in a run's state."""

    #: Bytes of JSON for one task (every output ``null``).
    first: int
    #: Bytes each further task adds.
    step: int

    def bytes_for(self, count: int) -> int:
        """Bytes for ``count`` tasks."""
        return self.first + max(0, count - 1) * self.step

    def tasks_within(self, limit: int) -> int:
        """How many tasks fit in ``limit`` bytes."""
        return 0 if self.first > limit else 1 + (limit - self.first) // self.step


def footprint(action: ComputeAction) -> Footprint:
    """The per-task bookkeeping of ``action``'s final document: task ids and result lists.

    A run keeps the status document in its state, so an action whose bookkeeping alone is
    over ``max_run_state_bytes`` would fail the run after all its tasks ran.

    Example::

        footprint(action).tasks_within(200_000)   # about 2,800 tasks
    """
    sizes = []
    for count in (1, 2):
        tasks = [
            TaskState(i, str(uuid.UUID(int=i)), "", "", "", "", "", SUCCEEDED, "null")
            for i in range(count)
        ]
        sample = ComputeAction(
            action.action_id,
            action.request_id,
            action.run_id,
            action.state_name,
            action.request,
            tasks,
            status="SUCCEEDED",
            start_time=action.start_time,
            completion_time=action.start_time,
        )
        doc = sample.document()
        doc["state_name"] = action.state_name or ""  # the run adds it
        sizes.append(len(json.dumps(doc, separators=(",", ":"))))
    return Footprint(sizes[0], sizes[1] - sizes[0])


def request_fields(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request fields an action keeps and echoes."""
    return {k: request[k] for k in REQUEST_FIELDS if request.get(k) is not None}
