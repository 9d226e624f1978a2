"""Runs in the embedded runtime: start, rerun, cancel, resume, update, release, wait.

:class:`RunsAPI` is ``rt.runs`` (``Runtime`` delegates its run methods to it); the documents
are the Flows service's (§8). Reading runs is :class:`~gladier.runtime.api_run_views.RunViews`
and starting many at once :class:`~gladier.runtime.api_batch.BatchStart`, both reached from
here too.

Example::

    with Runtime() as rt:
        run = rt.runs.run_flow(flow_id, {"name": "world"})
        rt.runs.wait(run["run_id"])["status"]          # 'SUCCEEDED'
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.exc import LimitExceeded, ServiceError, StateConflict
from gladier.runtime.api_batch import BatchStart
from gladier.runtime.api_run_views import RunViews
from gladier.runtime.documents import normalise_tags
from gladier.runtime.live import TERMINAL_STATUSES, LiveRun, dumps, shown
from gladier.runtime.prepared import FlowCache, PreparedFlow
from gladier.runtime.run_log import (
    ENTRY_SELECT,
    PendingEvent,
    ValueWriter,
    entry,
    insert_events,
    load_value,
)
from gladier.runtime.run_start import (
    STARTED,
    check_label,
    checked_body,
    insert_run,
    new_live_run,
    store_definition,
)
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    from gladier.runtime.api_flows import FlowsAPI
    from gladier.runtime.context import RuntimeContext
    from gladier.runtime.flow import CompiledFlow


class RunsAPI:
    """Runs of stored flows, advanced by the runtime's scheduler.

    ``views`` (run documents, lists, logs) and ``batch`` (``start_runs``) are its
    collaborators; their methods are reachable here as well.
    """

    def __init__(self, ctx: RuntimeContext, flows: FlowsAPI) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.options = ctx.options
        self.flows = flows
        self.cache = FlowCache(ctx, flows)
        self.views = RunViews(ctx, flows)
        self.batch = BatchStart(ctx, self.cache, self.views)

    def run_flow(
        self,
        flow_id: str,
        body: Mapping[str, Any],
        label: str | None = None,
        tags: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        activity_notification_policy: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Start a run of ``flow_id`` with input ``body``; returns the run document at once.

        ``body`` must be JSON (see :mod:`gladier.runtime.language.json_values`): NaN, sets,
        bytes, huge integers, non-string keys or nesting deeper than 64 levels raise
        :class:`~gladier.exc.FlowValidationError` naming each place (``loc`` starts with
        ``"body"``); a body that breaks the input schema raises
        :class:`~gladier.exc.FlowInputError`.
        """
        flow = self.cache.prepare(flow_id)
        body, state_json = checked_body(flow.compiled, body, self.options)
        check_label(label, self.options)
        meta = {
            "flow_title": flow.title,
            "flow_last_updated": flow.updated_at,
            "tags": normalise_tags(tags),
            "run_managers": list(run_managers or []),
            "run_monitors": list(run_monitors or []),
            "run_owner": self.ctx.identity.urn,
            "activity_notification_policy": dict(
                activity_notification_policy or {"status": ["INACTIVE"]}
            ),
            "input": body,
        }
        # The FlowStarted details, {"input": ...}, with the input as shown in logs.
        shown_input = state_json if '"_private' not in state_json else shown(body)
        details = ('{"input":', shown_input, "}")
        return self._start(
            flow_id, flow, body, state_json, flow.compiled.start_at, label, meta, details
        )

    def run_flow_from(
        self,
        flow_id: str,
        state_name: str,
        state: Any,
        *,
        label: str | None = None,
        tags: Sequence[str] | None = None,
        rerun_of: str | None = None,
    ) -> dict[str, Any]:
        """Start a run of ``flow_id`` at its state ``state_name``, with ``state`` as the run
        state (not checked against the input schema: it is a state, not an input).

        The run is an ordinary run (same document, same log) whose ``FlowStarted`` event also
        records ``start_at`` and, for a rerun, ``rerun_of``.

        Example::

            run = rt.run_flow_from(flow_id, "Publish", {"input": {"name": "scan-042"}})
            rt.wait(run["run_id"])["status"]      # 'SUCCEEDED'
        """
        flow = self.cache.prepare(flow_id)
        self._check_state(flow, flow_id, state_name)
        try:
            state = json.loads(dumps(state))
        except (TypeError, ValueError) as err:
            raise LimitExceeded(f"The run state must be JSON data: {err}.") from None
        check_label(label, self.options)
        started: dict[str, Any] = {"input": state, "start_at": state_name}
        if rerun_of is not None:
            started["rerun_of"] = rerun_of
        extra: dict[str, Any] = {"start_at": state_name}
        if rerun_of is not None:
            extra["rerun_of"] = rerun_of
        return self._start_at(flow_id, flow, state, state_name, label, tags, extra, started)

    def rerun_run(
        self,
        run_id: str,
        *,
        from_state: str | None = None,
        label: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Start a new run of ``run_id``'s flow with the same input, or (``from_state``) at
        that state with the run state the old run's log recorded on its last entry into it.

        The new run is tagged ``rerun-of:<run_id>`` (on top of the old run's tags and
        ``tags``) and labelled ``rerun of <id> [from STATE]`` unless ``label`` is given.
        ``_private`` keys of the old input are put back at the top of the state (the log never
        records them). A rerun of a run that itself started at a state starts there again.

        Example::

            again = rt.rerun_run(run_id)
            later = rt.rerun_run(run_id, from_state="Publish")
        """
        from gladier.runtime.entry_state import state_on_entering

        row = self.views.row(run_id)
        flow_id, meta = row[1], json.loads(row[4])
        body = self.views.run_input(meta)
        start = from_state or meta.get("start_at")
        suffix = f" from {from_state}" if from_state else ""
        name = label if label is not None else f"rerun of {run_id[:8]}{suffix}"
        name = name[: self.options.max_label_length]
        kept = [t for t in meta.get("tags", []) if not str(t).startswith("rerun-of:")]
        all_tags = [*kept, f"rerun-of:{run_id}", *(tags or [])]
        all_tags = list(dict.fromkeys(normalise_tags(all_tags)))
        roles = {
            "run_managers": list(meta.get("run_managers") or []),
            "run_monitors": list(meta.get("run_monitors") or []),
        }
        if start is None:
            return self.run_flow(
                flow_id,
                body if isinstance(body, Mapping) else {},
                name,
                all_tags,
                activity_notification_policy=meta.get("activity_notification_policy"),
                **roles,
            )
        flow = self.cache.prepare(flow_id)
        self._check_state(flow, flow_id, str(start))
        state: Any = body
        if from_state is not None:
            old = self.get_run_definition(run_id)
            compiled = self.cache.compile(old["definition"], old["input_schema"] or None)
            rows = (
                self.db.read()
                .execute(f"{ENTRY_SELECT} WHERE e.run_id = ? ORDER BY e.seq", (run_id,))
                .fetchall()
            )
            entries = [entry(*r) for r in rows]
            state = state_on_entering(compiled, entries, from_state)
            if isinstance(state, dict) and isinstance(body, Mapping):
                for key, value in body.items():
                    if str(key).startswith("_private") and key not in state:
                        state[key] = value
        check_label(name, self.options)
        started = {"input": state, "start_at": str(start), "rerun_of": run_id}
        extra = {
            "start_at": str(start),
            "rerun_of": run_id,
            "activity_notification_policy": meta.get("activity_notification_policy")
            or {"status": ["INACTIVE"]},
            **roles,
        }
        return self._start_at(flow_id, flow, state, str(start), name, all_tags, extra, started)

    @staticmethod
    def _check_state(flow: PreparedFlow, flow_id: str, state_name: str) -> None:
        if state_name not in flow.compiled.states:
            names = ", ".join(repr(n) for n in flow.compiled.states)
            raise ServiceError(
                f"Flow {flow_id} has no state named {state_name!r}; its states are {names}.",
                code="BAD_REQUEST",
                http_status=400,
            )

    def _start_at(
        self,
        flow_id: str,
        flow: PreparedFlow,
        state: Any,
        current: str,
        label: str | None,
        tags: Sequence[str] | None,
        extra_meta: Mapping[str, Any],
        started_details: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Store and adopt a new run of ``flow`` that starts at state ``current``."""
        state_json = dumps(state)
        if len(state_json) > self.options.max_run_state_bytes:
            raise LimitExceeded(
                f"The run state is {len(state_json)} bytes, over the limit of "
                f"{self.options.max_run_state_bytes} bytes; pass large data as files."
            )
        meta = {
            "flow_title": flow.title,
            "flow_last_updated": flow.updated_at,
            "tags": normalise_tags(tags),
            "run_managers": [],
            "run_monitors": [],
            "run_owner": self.ctx.identity.urn,
            "activity_notification_policy": {"status": ["INACTIVE"]},
            "input": state,
            **extra_meta,
        }
        started = shown(dict(started_details))
        head, value = '{"input":', shown(state)
        details: tuple[str, str | None, str] = (
            (head, value, started[len(head + value) :])
            if started.startswith(head + value)
            else (started, None, "")
        )
        return self._start(flow_id, flow, state, state_json, current, label, meta, details)

    def _start(
        self,
        flow_id: str,
        flow: PreparedFlow,
        state: Any,
        state_json: str,
        current: str,
        label: str | None,
        meta: dict[str, Any],
        details: tuple[str, str | None, str],
    ) -> dict[str, Any]:
        """Write one new run (its row and its ``FlowStarted`` event, whose details are
        ``head + value + tail``), hand it to the scheduler and return its document."""
        engine = self.ctx.scheduler()
        run_id = str(uuid.uuid4())
        start = iso(self.ctx.clock.time())
        with self.db.write() as conn:
            store_definition(conn, flow)
            values = ValueWriter(conn)
            state_id = insert_run(
                conn,
                values,
                run_id,
                flow_id,
                flow,
                label,
                meta,
                state_json,
                current,
                engine.owner.id,
                start,
            )
            event: PendingEvent = (run_id, 1, start, "FlowStarted", STARTED, *details)
            insert_events(conn, values, [event])
        flow.to_store = None
        engine.adopt(
            new_live_run(
                run_id=run_id,
                flow_id=flow_id,
                flow=flow,
                state=state,
                state_json=state_json,
                state_id=state_id,
                current=current,
                label=label,
                run_managers=meta["run_managers"],
                run_monitors=meta["run_monitors"],
                context=self.cache.run_context(run_id, flow_id),
                options=self.options,
                clock_now=self.ctx.clock.time,
            )
        )
        head, value, tail = details
        return self.views.document(
            (run_id, flow_id, "ACTIVE", label, dumps(meta), start, None),
            [(start, "FlowStarted", STARTED, head + (value or "") + tail)],
        )

    def compile(self, definition: Mapping[str, Any], input_schema: Any) -> CompiledFlow:
        """The compiled form of ``definition`` (kept by ``self.cache``, a ``FlowCache``)."""
        return self.cache.compile(definition, input_schema)

    def load_live_run(self, run_id: str) -> LiveRun | None:
        """Load a run this process's scheduler owns from the store (after a takeover); None
        when it is not this process's, has ended or there is no scheduler."""
        engine = self.ctx.running()
        if engine is None:
            return None
        row = (
            self.db.read()
            .execute(
                "SELECT r.flow_id, r.definition_id, r.status, r.label, r.meta, r.state, "
                "r.current, r.phase, r.wake_at, r.action, r.attempt, r.event_seq, r.owner, "
                "d.definition, d.input_schema, r.state_id FROM runs r JOIN definitions d "
                "ON d.id = r.definition_id WHERE r.run_id = ?",
                (run_id,),
            )
            .fetchone()
        )
        if row is None or row[12] != engine.owner.id or row[2] in TERMINAL_STATUSES:
            return None
        meta = json.loads(row[4])
        compiled = self.cache.compile(json.loads(row[13]), json.loads(row[14]))
        state_id = row[15]
        state_json = str(row[5]) if state_id is None else load_value(self.db.read(), state_id)
        return LiveRun(
            run_id=run_id,
            flow_id=row[0],
            definition_id=row[1],
            flow=compiled,
            state=json.loads(state_json),
            state_json=state_json,
            stored_value=None if state_id is None else (state_json, int(state_id)),
            current=row[6],
            phase=row[7],
            status=row[2],
            attempt=int(row[10]),
            event_seq=int(row[11]),
            context=self.cache.run_context(run_id, row[0]),
            options=self.options,
            label=row[3],
            run_managers=list(meta.get("run_managers", [])),
            run_monitors=list(meta.get("run_monitors", [])),
            wake_at=row[8],
            action=None if row[9] is None else json.loads(row[9]),
            clock_now=self.ctx.clock.time,
        )

    def cancel_run(self, run_id: str) -> dict[str, Any]:
        """Cancel a run: it ends FAILED with code FlowCanceled (or ENDED, per options)."""
        row = self.views.row(run_id)
        if row[2] in TERMINAL_STATUSES:
            return self.views.document(row)
        if not self.ctx.scheduler().call("cancel", run_id):
            self._cancel_elsewhere(run_id)
        return self.get_run(run_id)

    def _cancel_elsewhere(self, run_id: str) -> None:
        """Cancel a run owned by another process: take it over, fenced, and end it."""
        engine = self.ctx.scheduler()
        for _ in range(20):
            row = (
                self.db.read()
                .execute("SELECT owner, attempt, status FROM runs WHERE run_id = ?", (run_id,))
                .fetchone()
            )
            if row is None or row[2] in TERMINAL_STATUSES:
                return
            with self.db.write() as conn:
                from gladier.runtime.leases import claim

                if not claim(conn, run_id, row[0], row[1], engine.owner):
                    continue
            live = self.load_live_run(run_id)
            if live is None:
                return
            live.cancel = True
            engine.adopt(live)
            self.wait(run_id, timeout=30)
            return

    def resume_run(self, run_id: str) -> dict[str, Any]:
        """Ask the runtime to poll an INACTIVE run's action now; returns the run document."""
        self.views.row(run_id)
        self.ctx.scheduler().call("resume", run_id)
        return self.get_run(run_id)

    def update_run(
        self,
        run_id: str,
        *,
        label: str | None = None,
        tags: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Change a run's label, tags, managers or monitors (tags replace the whole list)."""
        self.views.row(run_id)
        if label is not None and len(label) > self.options.max_label_length:
            raise LimitExceeded(
                f"The run label must be at most {self.options.max_label_length} characters."
            )
        with self.db.write() as conn:
            meta = json.loads(
                conn.execute("SELECT meta FROM runs WHERE run_id = ?", (run_id,)).fetchone()[0]
            )
            if tags is not None:
                meta["tags"] = normalise_tags(tags)
            if run_managers is not None:
                meta["run_managers"] = list(run_managers)
            if run_monitors is not None:
                meta["run_monitors"] = list(run_monitors)
            conn.execute("UPDATE runs SET meta = ? WHERE run_id = ?", (dumps(meta), run_id))
            if label is not None:
                conn.execute("UPDATE runs SET label = ? WHERE run_id = ?", (label, run_id))
        return self.get_run(run_id)

    def delete_run(self, run_id: str) -> dict[str, Any]:
        """Release a finished run: its record and log are removed; returns the last document."""
        row = self.views.row(run_id)
        if row[2] not in TERMINAL_STATUSES:
            raise StateConflict(
                f"Run {run_id} has status '{row[2]}' but must have status in "
                "{'ENDED', 'SUCCEEDED', 'FAILED'} for requested operation"
            )
        doc = self.views.document(row)
        with self.db.write() as conn:
            conn.execute("DELETE FROM events WHERE run_id = ?", (run_id,))
            conn.execute("DELETE FROM state_values WHERE run_id = ?", (run_id,))
            conn.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
        return doc

    release_run = delete_run

    def prune_runs(
        self,
        older_than_days: float,
        statuses: Sequence[str] | None = None,
        *,
        reclaim: bool = True,
    ) -> int:
        """Remove finished runs completed more than ``older_than_days`` ago (only those with
        ``statuses``, default every finished status), with their logs, stored values,
        compute actions and tasks; never an ACTIVE or INACTIVE run. Works in batches of a
        few hundred runs per transaction, then gives the space back to the file system
        (a store made before this version is converted once with a full VACUUM). Returns
        how many runs were removed.

        Example::

            with Runtime() as rt:
                rt.prune_runs(30)                        # everything finished 30+ days ago
                rt.prune_runs(7, statuses=["FAILED"])    # failed runs after a week
        """
        from gladier.runtime.prune import prune_runs

        if isinstance(older_than_days, bool) or not isinstance(older_than_days, (int, float)):
            raise LimitExceeded(f"older_than_days must be a number, not {older_than_days!r}.")
        if older_than_days < 0:
            raise LimitExceeded(f"older_than_days must be 0 or more, not {older_than_days}.")
        self.ctx.ready()
        before = iso(self.ctx.clock.time() - older_than_days * 86400)
        return prune_runs(self.db, before, statuses, reclaim=reclaim, convert=reclaim).runs

    def wait(self, run_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Block until the run ends (or ``timeout`` seconds pass); returns the run document.

        Raises ``TimeoutError`` when the run is still going after ``timeout``. On a runtime
        opened with ``scheduler=False`` this only reads: the run must be advanced by another
        process (``gladier worker``, or the one that started it).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        self.ctx.ready()
        # A read-only runtime (scheduler=False) waits without starting its scheduler: it
        # looks at the store until another process ends the run.
        engine = self.ctx.running()
        done = engine.done if engine is not None else threading.Condition()
        while True:
            # Checked under the condition's lock, so an end committed by this process's
            # scheduler right after the check still wakes us; runs finished by other
            # processes are noticed at the next check.
            try:
                with done:
                    row = self.views.row(run_id)
                    if row[2] in TERMINAL_STATUSES:
                        break
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise TimeoutError(f"Run {run_id} is still {row[2]} after {timeout} s")
                    done.wait(0.25 if remaining is None else min(0.25, remaining))
            except RuntimeError as err:
                # Ctrl-C can land inside Condition.wait after it let go of the lock and before
                # it takes it back; leaving the ``with`` then fails to release a lock this
                # thread no longer holds. What the caller must see is the interrupt.
                if isinstance(err.__context__, KeyboardInterrupt):
                    raise err.__context__ from None
                raise
        return self.views.document(row)

    def recover(self) -> int:
        """Take over abandoned runs now (normally done every second); returns how many."""
        self.ctx.ready()
        return int(self.ctx.scheduler().call("claim", None) or 0)

    # ------------------------------------------------------------------ reading (RunViews)
    def get_run(self, run_id: str, include_flow_description: bool = False) -> dict[str, Any]:
        """The run document of ``run_id`` (see :meth:`RunViews.get_run`)."""
        return self.views.get_run(run_id, include_flow_description)

    def list_runs(
        self,
        *,
        filter_flow_id: str | Sequence[str] | None = None,
        filter_status: str | Sequence[str] | None = None,
        filter_label: str | Sequence[str] | None = None,
        orderby: str | Sequence[str] | None = None,
        marker: str | None = None,
        per_page: int = 20,
        filter_roles: Any = None,
    ) -> dict[str, Any]:
        """One page of runs (see :meth:`RunViews.list_runs`)."""
        return self.views.list_runs(
            filter_flow_id=filter_flow_id,
            filter_status=filter_status,
            filter_label=filter_label,
            orderby=orderby,
            marker=marker,
            per_page=per_page,
            filter_roles=filter_roles,
        )

    def get_run_logs(
        self,
        run_id: str,
        limit: int | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
    ) -> dict[str, Any]:
        """One page of a run's event log (see :meth:`RunViews.get_run_logs`)."""
        return self.views.get_run_logs(run_id, limit, reverse_order, marker)

    def get_run_definition(self, run_id: str) -> dict[str, Any]:
        """The definition and input schema the run started with."""
        return self.views.get_run_definition(run_id)

    def unattended_runs(self, run_ids: Sequence[str]) -> set[str]:
        """The unfinished runs among ``run_ids`` that no live process is running."""
        return self.views.unattended_runs(run_ids)

    def live_owners(self) -> list[tuple[str, int]]:
        """``(host, pid)`` of the processes whose scheduler runs runs of this home now."""
        return self.views.live_owners()

    # ------------------------------------------------------------------ batches (BatchStart)
    def start_runs(
        self,
        flow_id: str,
        bodies: Iterable[Mapping[str, Any]],
        *,
        label: str | None = None,
        tags: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        activity_notification_policy: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Start one run per body, all in one transaction (see :meth:`BatchStart.start_runs`)."""
        return self.batch.start_runs(
            flow_id,
            bodies,
            label=label,
            tags=tags,
            run_managers=run_managers,
            run_monitors=run_monitors,
            activity_notification_policy=activity_notification_policy,
        )
