"""Starting many runs of one flow at once: one transaction, one hand-over to the scheduler.

:class:`BatchStart` answers ``rt.runs.start_runs`` (and ``Runtime.start_runs``). Every body is
checked first (JSON object, input schema, size); if one fails, no run is started. Then every
run row and its ``FlowStarted`` event are written in a single write transaction, so the cost
of a commit is paid once for the whole batch instead of once per run.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.exc import LimitExceeded, ServiceError
from gladier.runtime.documents import normalise_tags
from gladier.runtime.live import dumps, shown
from gladier.runtime.run_log import (
    PendingEvent,
    ValueWriter,
    insert_events,
    stored_state,
)
from gladier.runtime.run_start import (
    INSERT_RUN,
    STARTED,
    check_label,
    checked_body,
    new_live_run,
    new_run_ids,
    run_row,
    store_definition,
)
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    from gladier.runtime.api_run_views import RunViews
    from gladier.runtime.context import RuntimeContext
    from gladier.runtime.prepared import FlowCache

#: Most runs one call may start (a larger batch would hold the store's write lock long).
MAX_BATCH = 10_000


class BatchStart:
    """``start_runs``: many runs of one flow in one transaction."""

    def __init__(self, ctx: RuntimeContext, cache: FlowCache, views: RunViews) -> None:
        self.ctx = ctx
        self.cache = cache
        self.views = views

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
        """Start one run of ``flow_id`` per body of ``bodies`` (at most 10,000), all in one
        transaction; return their run documents, in the order of ``bodies``.

        Each run is exactly the run :meth:`run_flow` would start with that body (same
        document, same log). Every body is checked before anything is written, as
        :meth:`run_flow` checks it: if one is not a JSON object (``FlowValidationError``),
        fails the input schema (``FlowInputError``) or is too large (``LimitExceeded``),
        the error names it and no run is started.

        Example::

            from gladier.runtime import Runtime

            with Runtime() as rt:
                flow = rt.create_flow("hello", {"StartAt": "P", "States": {
                    "P": {"Type": "Pass", "End": True}}})
                runs = rt.start_runs(flow["id"], [{"n": i} for i in range(1000)])
                print(len(runs), runs[0]["status"])     # 1000 ACTIVE
        """
        flow = self.cache.prepare(flow_id)
        check_label(label, self.ctx.options)
        items = list(bodies)
        if len(items) > MAX_BATCH:
            raise LimitExceeded(
                f"start_runs takes at most {MAX_BATCH} bodies at once, not {len(items)}; "
                "split them into several calls."
            )
        compiled = flow.compiled
        tags_list = normalise_tags(tags)
        options = self.ctx.options
        valid: set[str] = set()  # each distinct body is checked against the schema once
        checked: list[tuple[Any, str]] = []
        for index, body in enumerate(items):
            try:
                checked.append(checked_body(compiled, body, options, valid))
            except ServiceError as err:
                # The same error, naming the body: nothing was written.
                text = f"Body {index} of {len(items)}: {err.message} No run was started."
                if err.detail == err.message:
                    err.detail = text
                err.message = text
                err.args = (text,)
                raise
        # What every run of the call shares is made once: its meta, time, owner, context.
        meta_base = {
            "flow_title": flow.title,
            "flow_last_updated": flow.updated_at,
            "tags": tags_list,
            "run_managers": list(run_managers or []),
            "run_monitors": list(run_monitors or []),
            "run_owner": self.ctx.identity.urn,
            "activity_notification_policy": dict(
                activity_notification_policy or {"status": ["INACTIVE"]}
            ),
        }
        meta_head = dumps(meta_base)[:-1]  # every key but "input", which each run adds
        engine = self.ctx.scheduler()
        start = iso(self.ctx.clock.time())
        owner = engine.owner.id
        definition_id, start_at = flow.definition_id, compiled.start_at
        run_ids = new_run_ids(len(checked))
        shown_inputs: list[tuple[str, str]] = []
        state_ids: list[int | None] = []
        with self.ctx.db.write() as conn:
            store_definition(conn, flow)
            values = ValueWriter(conn)
            rows = []
            events: list[PendingEvent] = []
            for run_id, (body, state_json) in zip(run_ids, checked, strict=True):
                state_col, state_id = stored_state(values, run_id, state_json)
                if state_id is None:
                    meta_json = f'{meta_head},"input":{state_json}}}'
                else:
                    meta_json = f'{meta_head},"input_id":{state_id}}}'
                rows.append(
                    run_row(
                        run_id,
                        flow_id,
                        definition_id,
                        label,
                        meta_json,
                        state_col,
                        state_id,
                        start_at,
                        owner,
                        start,
                    )
                )
                shown_input = state_json if '"_private' not in state_json else shown(body)
                events.append(
                    (run_id, 1, start, "FlowStarted", STARTED, '{"input":', shown_input, "}")
                )
                shown_inputs.append((run_id, shown_input))
                state_ids.append(state_id)
            conn.executemany(INSERT_RUN, rows)
            insert_events(conn, values, events)
        flow.to_store = None
        # Every run is committed. The documents are made before the scheduler is given the
        # runs, so that it does not start them while this thread still works.
        docs = self.views.started_documents(flow_id, label, meta_head, start, shown_inputs)
        now = int(time.time())
        managers, monitors = run_managers or (), run_monitors or ()
        clock_now = self.ctx.clock.time
        engine.adopt_many(
            [
                new_live_run(
                    run_id=run_id,
                    flow_id=flow_id,
                    flow=flow,
                    state=body,
                    state_json=state_json,
                    state_id=state_id,
                    current=start_at,
                    label=label,
                    run_managers=managers,
                    run_monitors=monitors,
                    context=self.cache.run_context(run_id, flow_id, now),
                    options=options,
                    clock_now=clock_now,
                )
                for run_id, (body, state_json), state_id in zip(
                    run_ids, checked, state_ids, strict=True
                )
            ]
        )
        return docs


__all__ = ["MAX_BATCH", "STARTED", "BatchStart"]
