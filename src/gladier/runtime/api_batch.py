"""Starting many runs of one flow at once: one transaction, one hand-over to the scheduler.

Mixed into :class:`gladier.runtime.Runtime` (through :class:`RunsMixin`). Every body is
checked first (JSON object, input schema, size); if one fails, no run is started. Then every
run row and its ``FlowStarted`` event are written in a single write transaction, so the cost
of a commit is paid once for the whole batch instead of once per run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.exc import FlowValidationError, LimitExceeded, ServiceError
from gladier.runtime.documents import normalise_tags
from gladier.runtime.language.json_values import json_problems
from gladier.runtime.live import dumps, shown
from gladier.runtime.run_log import (
    PendingEvent,
    ValueWriter,
    insert_events,
    pending_details,
    stored_state,
)
from gladier.runtime.run_start import INSERT_RUN, new_live_run, run_row, store_definition
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    from gladier.runtime.api_runs import PreparedFlow
    from gladier.runtime.clock import Clock
    from gladier.runtime.engine import Engine
    from gladier.runtime.options import RuntimeOptions
    from gladier.runtime.runtime import LocalIdentity
    from gladier.runtime.store import Database

#: The description of every ``FlowStarted`` event.
STARTED = "The Flow Instance started execution"
#: Most runs one call may start (a larger batch would hold the store's write lock long).
MAX_BATCH = 10_000


class BatchStartMixin:
    """``start_runs``: many runs of one flow in one transaction."""

    if TYPE_CHECKING:
        db: Database
        options: RuntimeOptions
        clock: Clock
        identity: LocalIdentity

        def _prepare(self, flow_id: str) -> PreparedFlow: ...

        def _engine_ready(self) -> Engine: ...

        def _context(self, run_id: str, flow_id: str) -> dict[str, Any]: ...

        def _check_label(self, label: str | None) -> None: ...

        def _run_document(
            self, row: Sequence[Any], events: list[tuple[str, str, str, str]] | None = None
        ) -> dict[str, Any]: ...

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
        flow = self._prepare(flow_id)
        self._check_label(label)
        items = list(bodies)
        if len(items) > MAX_BATCH:
            raise LimitExceeded(
                f"start_runs takes at most {MAX_BATCH} bodies at once, not {len(items)}; "
                "split them into several calls."
            )
        compiled = flow.compiled
        tags_list = normalise_tags(tags)
        checked: list[tuple[Any, str]] = []
        for index, body in enumerate(items):
            try:
                checked.append(self._checked_body(compiled, body))
            except ServiceError as err:
                # The same error, naming the body: nothing was written.
                text = f"Body {index} of {len(items)}: {err.message} No run was started."
                if err.detail == err.message:
                    err.detail = text
                err.message = text
                err.args = (text,)
                raise
        meta_base = {
            "flow_title": flow.title,
            "flow_last_updated": flow.updated_at,
            "tags": tags_list,
            "run_managers": list(run_managers or []),
            "run_monitors": list(run_monitors or []),
            "run_owner": self.identity.urn,
            "activity_notification_policy": dict(
                activity_notification_policy or {"status": ["INACTIVE"]}
            ),
        }
        meta_head = dumps(meta_base)[:-1]  # every key but "input", which each run adds
        engine = self._engine_ready()
        start = iso(self.clock.time())
        owner = engine.owner.id
        made: list[tuple[str, Any, str, int | None, str]] = []
        with self.db.write() as conn:
            store_definition(conn, flow)
            values = ValueWriter(conn)
            rows = []
            events: list[PendingEvent] = []
            for body, state_json in checked:
                run_id = str(uuid.uuid4())
                state_col, state_id = stored_state(values, run_id, state_json)
                if state_id is None:
                    meta_json = f'{meta_head},"input":{state_json}}}'
                else:
                    meta_json = f'{meta_head},"input_id":{state_id}}}'
                rows.append(
                    run_row(
                        run_id,
                        flow_id,
                        flow.definition_id,
                        label,
                        meta_json,
                        state_col,
                        state_id,
                        compiled.start_at,
                        owner,
                        start,
                    )
                )
                shown_input = state_json if '"_private' not in state_json else shown(body)
                events.append(
                    (run_id, 1, start, "FlowStarted", STARTED, '{"input":', shown_input, "}")
                )
                made.append(
                    (run_id, body, state_json, state_id, f'{meta_head},"input":{state_json}}}')
                )
            conn.executemany(INSERT_RUN, rows)
            insert_events(conn, values, events)
        flow.to_store = None
        lives = [
            new_live_run(
                run_id=run_id,
                flow_id=flow_id,
                flow=flow,
                state=body,
                state_json=state_json,
                state_id=state_id,
                current=compiled.start_at,
                label=label,
                run_managers=run_managers or (),
                run_monitors=run_monitors or (),
                context=self._context(run_id, flow_id),
                options=self.options,
                clock_now=self.clock.time,
            )
            for run_id, body, state_json, state_id, _ in made
        ]
        engine.adopt_many(lives)
        docs = []
        for (run_id, _, _, _, meta_json), event in zip(made, events, strict=True):
            started = pending_details(event)
            docs.append(
                self._run_document(
                    (run_id, flow_id, "ACTIVE", label, meta_json, start, None),
                    [(start, "FlowStarted", STARTED, started)],
                )
            )
        return docs

    def _checked_body(self, compiled: Any, body: Any) -> tuple[Any, str]:
        """A checked copy of ``body`` and its JSON, as every way of starting a run checks it:
        a JSON object (``FlowValidationError`` naming each place otherwise), valid against the
        input schema, within ``max_run_state_bytes``."""
        if not isinstance(body, Mapping):
            raise LimitExceeded(
                f"The run body must be a JSON object, not {type(body).__name__}.",
                code="FLOW_INPUT_ERROR",
                http_status=400,
            )
        if not isinstance(body, dict):
            body = dict(body)
        problems = json_problems(body, ("body",))
        if problems:
            raise FlowValidationError(problems)
        state_json = dumps(body)
        copy = json.loads(state_json)
        compiled.check_input(copy)
        if len(state_json) > self.options.max_run_state_bytes:
            raise LimitExceeded(
                f"The run body is {len(state_json)} bytes, over the limit of "
                f"{self.options.max_run_state_bytes} bytes; pass large data as files."
            )
        return copy, state_json
