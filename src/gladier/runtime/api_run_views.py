"""Reading runs in the embedded runtime: run documents, run lists, logs, definitions.

:class:`RunViews` answers the reading methods of ``rt.runs`` (and of ``Runtime``); the
documents are the Flows service's (spec §8).

Example::

    views = RunViews(ctx, flows)
    views.get_run(run_id)["status"]                 # 'SUCCEEDED'
    views.document(views.row(run_id))               # the same document
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from gladier.exc import NotFound, ServiceError
from gladier.runtime.documents import (
    decode_marker_after,
    encode_marker,
    order_clause,
    parse_orderby,
    run_details,
    split_list,
)
from gladier.runtime.run_log import ENTRY_SELECT, entry, event_tuple, load_value
from gladier.runtime.run_pages import runs_page

if TYPE_CHECKING:
    from gladier.runtime.api_flows import FlowsAPI
    from gladier.runtime.context import RuntimeContext

#: The columns of a run's row that its document is made of (see :meth:`RunViews.document`).
RUN_COLUMNS = "run_id, flow_id, status, label, meta, start_time, completion_time"


class RunViews:
    """Run documents and logs, read from the store."""

    def __init__(self, ctx: RuntimeContext, flows: FlowsAPI) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.flows = flows

    def row(self, run_id: str) -> tuple[Any, ...]:
        """The :data:`RUN_COLUMNS` of ``run_id``; NotFound when there is no such run."""
        self.ctx.ready()
        row = (
            self.db.read()
            .execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"No run with id {run_id} exists in {self.ctx.home}")
        return tuple(row)

    def latest_events(self, run_id: str) -> list[tuple[str, str, str, str]]:
        return [
            event_tuple(r)
            for r in self.db.read().execute(
                f"{ENTRY_SELECT} WHERE e.run_id = ? ORDER BY e.seq DESC LIMIT 1", (run_id,)
            )
        ]

    def run_input(self, meta: dict[str, Any]) -> Any:
        """The input a run started with (kept in ``meta``, or as a stored value)."""
        if "input_id" in meta:
            return json.loads(load_value(self.db.read(), int(meta["input_id"])))
        return meta.get("input")

    def document(
        self, row: Sequence[Any], events: list[tuple[str, str, str, str]] | None = None
    ) -> dict[str, Any]:
        """The run document of a row of :data:`RUN_COLUMNS` (its latest event read unless
        ``events`` are given)."""
        run_id, flow_id, status, label, meta_json, start, completion = row
        meta = json.loads(meta_json)
        if events is None:
            events = self.latest_events(run_id)
        owner = meta.get("run_owner", self.ctx.identity.urn)
        return {
            "run_id": run_id,
            "action_id": run_id,
            "flow_id": flow_id,
            "flow_title": meta.get("flow_title"),
            "flow_last_updated": meta.get("flow_last_updated"),
            "start_time": start,
            "completion_time": completion,
            "status": status,
            "display_status": status,
            "details": run_details(events, meta.get("input")),
            "run_owner": owner,
            "run_managers": meta.get("run_managers", []),
            "run_monitors": meta.get("run_monitors", []),
            "manage_by": meta.get("run_managers", []),
            "monitor_by": meta.get("run_monitors", []),
            "created_by": owner,
            "user_role": "run_owner",
            "user_roles": ["run_owner"],
            "label": label,
            "tags": meta.get("tags", []),
            "search": {"task_id": None},
            "blocking_web_input_id": None,
            "activity_notification_policy": meta.get("activity_notification_policy"),
        }

    def started_documents(
        self,
        flow_id: str,
        label: str | None,
        meta_head: str,
        start: str,
        runs: Sequence[tuple[str, str]],
    ) -> list[dict[str, Any]]:
        """The documents of runs just started together, as :meth:`document` makes them from
        their rows and ``FlowStarted`` events, without reading or decoding those again.

        The runs share ``label``, ``start`` (their start time) and ``meta_head``, their
        ``meta`` column up to the input; ``runs`` holds ``(run_id, shown_input)``, the JSON of
        each run's input as its ``FlowStarted`` event shows it. Every document is a value of
        its own (no list or object is shared between two of them).
        """
        meta = json.loads(meta_head + "}")
        owner = meta.get("run_owner", self.ctx.identity.urn)
        title, updated = meta.get("flow_title"), meta.get("flow_last_updated")
        managers, monitors = meta.get("run_managers", []), meta.get("run_monitors", [])
        tags, policy = meta.get("tags", []), meta.get("activity_notification_policy")
        # As in document(), run_managers and manage_by are one list (and so for monitors).
        new_managers, new_monitors = _copier(managers), _copier(monitors)
        new_tags, new_policy = _copier(tags), _copier(policy)
        loads = json.loads
        return [
            {
                "run_id": run_id,
                "action_id": run_id,
                "flow_id": flow_id,
                "flow_title": title,
                "flow_last_updated": updated,
                "start_time": start,
                "completion_time": None,
                "status": "ACTIVE",
                "display_status": "ACTIVE",
                "details": {
                    "code": "FlowStarting",
                    "description": "The Flow is starting execution",
                    "details": {"input": loads(shown_input)},
                },
                "run_owner": owner,
                "run_managers": (run_managers := new_managers()),
                "run_monitors": (run_monitors := new_monitors()),
                "manage_by": run_managers,
                "monitor_by": run_monitors,
                "created_by": owner,
                "user_role": "run_owner",
                "user_roles": ["run_owner"],
                "label": label,
                "tags": new_tags(),
                "search": {"task_id": None},
                "blocking_web_input_id": None,
                "activity_notification_policy": new_policy(),
            }
            for run_id, shown_input in runs
        ]

    def get_run(self, run_id: str, include_flow_description: bool = False) -> dict[str, Any]:
        """The run document of ``run_id`` (spec §8.4)."""
        doc = self.document(self.row(run_id))
        if include_flow_description:
            try:
                flow = self.flows.get_flow(doc["flow_id"])
                doc["flow_description"] = {
                    k: flow.get(k)
                    for k in (
                        "id",
                        "title",
                        "subtitle",
                        "description",
                        "keywords",
                        "flow_owner",
                        "created_by",
                        "created_at",
                        "updated_at",
                        "globus_auth_scope",
                    )
                }
            except NotFound:
                doc["flow_description"] = None
        return doc

    def unattended_runs(self, run_ids: Sequence[str]) -> set[str]:
        """The unfinished runs among ``run_ids`` that no live process is running.

        Such a run does not progress until a process with a scheduler opens this home (for
        example ``gladier worker``); the tasks it had in flight are redone then. Only reads.

        Example::

            waiting = rt.unattended_runs([run["run_id"] for run in rt.list_runs()["runs"]])
        """
        import socket
        import time

        from gladier.runtime.leases import unattended_runs

        self.ctx.ready()
        return unattended_runs(self.db.read(), run_ids, time.time(), socket.gethostname())

    def live_owners(self) -> list[tuple[str, int]]:
        """``(host, pid)`` of the processes whose scheduler runs runs of this home now.

        Example::

            rt.live_owners()        # [('lab-pc', 4242)]: a `gladier worker`, say
        """
        import socket
        import time

        from gladier.runtime.leases import live_owners

        self.ctx.ready()
        return live_owners(self.db.read(), time.time(), socket.gethostname())

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
        """One page of runs: ``{"runs", "limit", "has_next_page", "marker"}``, newest first."""
        self.ctx.ready()
        query: dict[str, Any] = {
            "flow": split_list(filter_flow_id),
            "status": [s.upper() for s in split_list(filter_status)],
            "label": split_list(filter_label),
            "orderby": parse_orderby(orderby),
            "n": per_page,
        }
        offset, after = 0, None
        if marker:
            query, offset, after = decode_marker_after(marker)
        filters = [
            (column, list(query.get(key) or []))
            for column, key in (("flow_id", "flow"), ("status", "status"), ("label", "label"))
        ]
        order = order_clause(
            query["orderby"],
            {"start_time", "completion_time", "status", "label", "run_id"},
            "start_time DESC",
            aliases={"id": "run_id"},
        )
        size = max(1, min(int(query["n"]), 100))
        conn = self.db.read()
        terms = order.split(", ")
        if len(terms) == 1 and (after is not None or not offset):
            field, direction = terms[0].split()
            rows, last = runs_page(conn, RUN_COLUMNS, filters, (field, direction), after, size)
            result: dict[str, Any] = {
                "runs": [self.document(r) for r in rows],
                "limit": size,
                "has_next_page": last is not None,
            }
            result["marker"] = None if last is None else encode_marker(query, 0, last)
            return result
        # Orders by several fields page by position (each page reads the rows before it).
        sql = f"SELECT {RUN_COLUMNS} FROM runs WHERE released = 0"
        args: list[Any] = []
        for column, values in filters:
            if values:
                sql += f" AND {column} IN ({','.join('?' * len(values))})"
                args += values
        sql += f" ORDER BY {order}, rowid DESC LIMIT ? OFFSET ?"
        got = conn.execute(sql, [*args, size + 1, offset]).fetchall()
        page = [self.document(r) for r in got[:size]]
        more = len(got) > size
        result = {"runs": page, "limit": size, "has_next_page": more}
        result["marker"] = encode_marker(query, offset + size) if more else None
        return result

    def get_run_logs(
        self,
        run_id: str,
        limit: int | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
    ) -> dict[str, Any]:
        """One page of a run's event log (spec §8.5)."""
        self.row(run_id)
        query: dict[str, Any] = {
            "limit": 10 if limit is None else limit,
            "rev": bool(reverse_order),
        }
        offset, after = 0, None
        if marker:
            query, offset, after = decode_marker_after(marker)
        size = int(query["limit"])
        if not 1 <= size <= 100:
            raise ServiceError(
                f"limit must be between 1 and 100, not {size}", code="BAD_REQUEST", http_status=400
            )
        direction = "DESC" if query["rev"] else "ASC"
        sql = ENTRY_SELECT.replace("SELECT e.time", "SELECT e.seq, e.time", 1)
        sql += " WHERE e.run_id = ?"
        args: list[Any] = [run_id]
        if after is not None:  # the seq of the last entry of the previous page
            sql += f" AND e.seq {'<' if query['rev'] else '>'} ?"
            args.append(int(after))
            offset = 0
        rows = (
            self.db.read()
            .execute(
                f"{sql} ORDER BY e.seq {direction} LIMIT ? OFFSET ?", [*args, size + 1, offset]
            )
            .fetchall()
        )
        entries = [entry(*r[1:]) for r in rows[:size]]
        more = len(rows) > size
        result: dict[str, Any] = {"limit": size, "has_next_page": more, "entries": entries}
        if more:
            result["marker"] = encode_marker(query, 0, int(rows[size - 1][0]))
        return result

    def get_run_definition(self, run_id: str) -> dict[str, Any]:
        """The definition and input schema the run started with."""
        self.ctx.ready()
        row = (
            self.db.read()
            .execute(
                "SELECT r.flow_id, d.definition, d.input_schema FROM runs r JOIN definitions d "
                "ON d.id = r.definition_id WHERE r.run_id = ?",
                (run_id,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"No run with id {run_id} exists in {self.ctx.home}")
        schema = json.loads(row[2])
        return {
            "flow_id": row[0],
            "definition": json.loads(row[1]),
            "input_schema": schema if schema is not None else {},
        }


def _copier(value: Any) -> Callable[[], Any]:
    """What makes copies of the JSON value ``value`` that share no list or object with it."""
    if type(value) is list and all(type(v) not in (list, dict) for v in value):
        return value.copy
    if type(value) in (list, dict):
        return partial(json.loads, json.dumps(value))
    return lambda: value
