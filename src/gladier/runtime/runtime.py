"""The public face of the embedded runtime: flows, runs and action providers.

Method names, arguments and returned documents mirror globus-sdk's ``FlowsClient`` and
``SpecificFlowClient``, so code written for Globus feels at home and the SDK can use either.

Example::

    from gladier.runtime import Runtime

    definition = {
        "StartAt": "Greet",
        "States": {
            "Greet": {"Type": "Pass", "Parameters": {"hello.$": "$.name"}, "End": True},
        },
    }
    with Runtime() as rt:
        flow = rt.create_flow("greeter", definition)
        run = rt.run_flow(flow["id"], {"name": "world"}, label="first try")
        done = rt.wait(run["run_id"])
        print(done["status"], done["details"]["output"])   # SUCCEEDED {'hello': 'world'}
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gladier.exc import (
    ConfigException,
    FlowValidationError,
    LimitExceeded,
    NotFound,
    ServiceError,
    StateConflict,
)
from gladier.runtime.clock import Clock, SystemClock
from gladier.runtime.compute.api import ComputeMixin
from gladier.runtime.documents import (
    decode_marker,
    encode_marker,
    new_flow_document,
    normalise_tags,
    run_details,
)
from gladier.runtime.flow import CompiledFlow, definition_id
from gladier.runtime.live import TERMINAL_STATUSES, LiveRun, dumps, shown
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.providers.base import ActionProvider, CallableProvider, ProviderHooks
from gladier.runtime.search.api import SearchMixin
from gladier.runtime.store import Database
from gladier.runtime.timeutil import iso
from gladier.runtime.transfer.api import TransferMixin

if TYPE_CHECKING:
    from gladier.runtime.engine import Engine

DB_NAME = "runtime.db"
FLOW_UPDATABLE = (
    "subtitle",
    "description",
    "keywords",
    "flow_viewers",
    "flow_starters",
    "flow_administrators",
    "run_managers",
    "run_monitors",
    "subscription_id",
    "authentication_policy_id",
    "flow_owner",
)


def default_home() -> Path:
    """``$GLADIER_HOME``, else ``~/.gladier``."""
    env = os.environ.get("GLADIER_HOME")
    return Path(env).expanduser() if env else Path.home() / ".gladier"


def normalise_url(url: str) -> str:
    return url.strip().rstrip("/")


class LocalIdentity:
    """The user of this machine, as the runtime presents it in ``_context`` and documents."""

    def __init__(self, username: str | None = None) -> None:
        user = username or getpass.getuser()
        self.username = f"{user}@{socket.gethostname()}"
        self.id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"gladier-local:{self.username}"))
        self.urn = f"urn:globus:auth:identity:{self.id}"
        self.email = f"{user}@localhost"


class Runtime(ComputeMixin, TransferMixin, SearchMixin):
    """An embedded Globus Flows runtime whose state lives under ``home``.

    Nothing is opened in the constructor; the store opens on first use (or ``open()``) and the
    scheduler thread then continues every unfinished run found there. With
    ``scheduler=False`` (for tools that only read, such as ``gladier runs list``) the
    scheduler starts only when an operation needs it: ``run_flow``, ``cancel_run``,
    ``resume_run``, ``wait`` or ``recover``.
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        options: Mapping[str, Any] | RuntimeOptions | None = None,
        clock: Clock | None = None,
        identity: LocalIdentity | None = None,
        scheduler: bool = True,
    ) -> None:
        self.home = Path(home).expanduser() if home is not None else default_home()
        self.options = RuntimeOptions.from_mapping(options)
        self.clock: Clock = clock or SystemClock()
        self.identity = identity or LocalIdentity()
        self.db = Database(self.home / DB_NAME)
        self._providers: dict[str, ActionProvider] = {}
        self._compiled: dict[str, CompiledFlow] = {}
        self._lock = threading.RLock()
        self._opened = False
        self._closed = False
        self._autostart = scheduler
        self._listeners: list[Callable[[str, dict[str, Any]], None]] = []
        from gladier.runtime.engine import Engine

        self._engine: Engine | None = None
        self._engine_cls = Engine
        self._install_builtin_providers()

    # ------------------------------------------------------------------ lifecycle
    def open(self) -> Runtime:
        """Open the store and start the scheduler (idempotent)."""
        with self._lock:
            if self._closed:
                raise ConfigException("This Runtime was closed; create a new one.")
            if not self._opened:
                self.db.open()
                self._opened = True
            if self._autostart:
                self._start_scheduler()
        return self

    def _start_scheduler(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = self._engine_cls(self)
                self._engine = engine  # before start: the scheduler thread reads it
                engine.start()
            return self._engine

    def _engine_ready(self) -> Engine:
        """The scheduler, started now if this runtime was opened without it."""
        self._ready()
        return self._engine or self._start_scheduler()

    def add_event_listener(
        self, listener: Callable[[str, dict[str, Any]], None]
    ) -> Callable[[], None]:
        """Call ``listener(run_id, log_entry)`` after each event this process commits.

        Covers every run this process advances, including runs it takes over (their log
        gets a ``RunTakenOver`` event). Returns a function that removes the listener. Keep
        listeners quick: they run on the scheduler thread.

        Example::

            stop = rt.add_event_listener(lambda run_id, e: print(run_id, e["code"]))
            ...
            stop()
        """
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def _ready(self) -> None:
        if not self._opened:
            self.open()

    def close(self) -> None:
        """Stop the scheduler and providers; every unfinished run stays resumable."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._engine is not None:
                self._engine.stop()
            for provider in self._providers.values():
                with contextlib.suppress(Exception):
                    provider.close()
            self.db.close()

    def __enter__(self) -> Runtime:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Runtime(home={str(self.home)!r}, backend='embedded')"

    # ------------------------------------------------------------------ providers
    def add_action_provider(
        self, url: str, provider: ActionProvider | Callable[[Any], Any]
    ) -> ActionProvider:
        """Serve ``url`` (a trailing slash never matters) with ``provider``.

        ``provider`` is an :class:`ActionProvider` or a plain function ``fn(body) -> details``.
        """
        if not isinstance(provider, ActionProvider):
            if not callable(provider):
                raise ConfigException(
                    f"An action provider must be an ActionProvider or a callable, "
                    f"not {type(provider).__name__}"
                )
            provider = CallableProvider(provider)
        key = normalise_url(url)
        provider.bind(ProviderHooks(notify=self._notify, runtime=self, url=key))
        self._providers[key] = provider
        return provider

    def _notify(self, action_id: str) -> None:
        if self._engine is not None:
            self._engine.notify(action_id)

    def _provider_for(self, url: str) -> ActionProvider | None:
        return self._providers.get(normalise_url(url))

    def action_provider_urls(self) -> list[str]:
        """The URLs served by this runtime."""
        return sorted(self._providers)

    def _install_builtin_providers(self) -> None:
        from gladier.runtime.compute.provider import install as install_compute
        from gladier.runtime.providers.builtin import install
        from gladier.runtime.search.provider import install as install_search
        from gladier.runtime.transfer.provider import install as install_transfer

        install(self)
        install_compute(self)
        self._transfer_service = install_transfer(self)
        self._search_store = install_search(self)

    # ------------------------------------------------------------------ flows
    def validate_flow(self, definition: Any, input_schema: Any = None) -> dict[str, Any]:
        """Check a definition without storing it; raise FlowValidationError listing problems."""
        from gladier.runtime.language.validation import validate_definition

        report = validate_definition(definition, input_schema, options=self.options)
        report.raise_for_errors()
        return {"scopes": report.scopes, "analysis": report.analysis}

    def create_flow(
        self,
        title: str,
        definition: Mapping[str, Any],
        input_schema: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Validate and store a flow; returns the flow document (spec §9.2)."""
        self._check_title(title)
        self.validate_flow(definition, input_schema)
        self._ready()
        flow_id = str(fields.pop("flow_id", None) or uuid.uuid4())
        now = iso(self.clock.time())
        doc = new_flow_document(
            flow_id, title, definition, input_schema, self.identity.urn, now, fields
        )
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO flows(id, title, doc, created_at, updated_at) VALUES (?,?,?,?,?)",
                (flow_id, title, dumps(doc), now, now),
            )
        return doc

    @staticmethod
    def _check_title(title: Any) -> None:
        if not isinstance(title, str) or not 1 <= len(title) <= 128:
            raise FlowValidationError(
                [
                    {
                        "loc": ["title"],
                        "msg": "title must be a string of 1 to 128 characters",
                        "type": "value_error",
                    }
                ]
            )

    def get_flow(self, flow_id: str) -> dict[str, Any]:
        """The flow document of ``flow_id``."""
        self._ready()
        row = (
            self.db.read()
            .execute("SELECT doc FROM flows WHERE id = ? AND deleted = 0", (flow_id,))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"No flow with id {flow_id} exists in {self.home}")
        doc: dict[str, Any] = json.loads(row[0])
        return doc

    def update_flow(
        self,
        flow_id: str,
        *,
        title: str | None = None,
        definition: Mapping[str, Any] | None = None,
        input_schema: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Change only the given fields of a flow; returns the new flow document."""
        unknown = sorted(set(fields) - set(FLOW_UPDATABLE) - {"additional_fields"})
        if unknown:
            raise ConfigException(
                f"update_flow got unknown field(s) {', '.join(unknown)}; "
                f"updatable fields: title, definition, input_schema, {', '.join(FLOW_UPDATABLE)}"
            )
        doc = self.get_flow(flow_id)
        if title is not None:
            self._check_title(title)
            doc["title"] = title
        if definition is not None or input_schema is not None:
            self.validate_flow(
                definition if definition is not None else doc["definition"],
                input_schema if input_schema is not None else doc["input_schema"],
            )
        if definition is not None:
            doc["definition"] = definition
        if input_schema is not None:
            doc["input_schema"] = input_schema
        for key, value in fields.items():
            if key == "additional_fields":
                doc.update(value or {})
            elif value is not None:
                doc[key] = value
        now = iso(self.clock.time())
        doc["updated_at"] = now
        with self.db.write() as conn:
            cur = conn.execute(
                "UPDATE flows SET title = ?, doc = ?, updated_at = ? WHERE id = ? AND deleted = 0",
                (doc["title"], dumps(doc), now, flow_id),
            )
            if cur.rowcount != 1:
                raise NotFound(f"No flow with id {flow_id} exists in {self.home}")
        return doc

    def delete_flow(self, flow_id: str) -> dict[str, Any]:
        """Delete a flow; its runs keep their own copy of the definition."""
        doc = self.get_flow(flow_id)
        now = iso(self.clock.time())
        doc.update(DELETED=True, deleted_at=now)
        with self.db.write() as conn:
            conn.execute(
                "UPDATE flows SET deleted = 1, doc = ? WHERE id = ?", (dumps(doc), flow_id)
            )
        return doc

    def list_flows(
        self,
        *,
        filter_fulltext: str | None = None,
        orderby: str | Sequence[str] | None = None,
        marker: str | None = None,
        per_page: int = 20,
        filter_roles: Any = None,
    ) -> dict[str, Any]:
        """One page of flows: ``{"flows", "limit", "has_next_page", "marker"}``."""
        self._ready()
        query: dict[str, Any] = {
            "text": filter_fulltext,
            "orderby": _orderby(orderby),
            "n": per_page,
        }
        offset = 0
        if marker:
            query, offset = decode_marker(marker)
        order = _order_clause(
            query["orderby"], {"title", "created_at", "updated_at", "id"}, "updated_at DESC"
        )
        sql = "SELECT doc FROM flows WHERE deleted = 0"
        args: list[Any] = []
        if query.get("text"):
            sql += " AND (title LIKE ? OR doc LIKE ?)"
            like = f"%{query['text']}%"
            args += [like, like]
        size = max(1, min(int(query["n"]), 100))
        sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
        rows = self.db.read().execute(sql, [*args, size + 1, offset]).fetchall()
        page = [json.loads(r[0]) for r in rows[:size]]
        more = len(rows) > size
        result: dict[str, Any] = {"flows": page, "limit": size, "has_next_page": more}
        result["marker"] = encode_marker(query, offset + size) if more else None
        return result

    # ------------------------------------------------------------------ runs
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
        """Start a run of ``flow_id`` with input ``body``; returns the run document at once."""
        flow = self.get_flow(flow_id)
        if not isinstance(body, Mapping):
            raise LimitExceeded(
                f"The run body must be a JSON object, not {type(body).__name__}.",
                code="FLOW_INPUT_ERROR",
                http_status=400,
            )
        body = json.loads(dumps(body))
        if label is not None and (
            not isinstance(label, str) or len(label) > self.options.max_label_length
        ):
            raise LimitExceeded(
                f"The run label must be a string of at most {self.options.max_label_length} "
                f"characters; this one has {len(str(label))}. Shorten it."
            )
        tags_list = normalise_tags(tags)
        compiled = self._compile(flow["definition"], flow.get("input_schema"))
        compiled.check_input(body)
        state_json = dumps(body)
        if len(state_json) > self.options.max_run_state_bytes:
            raise LimitExceeded(
                f"The run body is {len(state_json)} bytes, over the limit of "
                f"{self.options.max_run_state_bytes} bytes; pass large data as files."
            )
        run_id = str(uuid.uuid4())
        now = self.clock.time()
        start = iso(now)
        meta = {
            "flow_title": flow["title"],
            "flow_last_updated": flow["updated_at"],
            "tags": tags_list,
            "run_managers": list(run_managers or []),
            "run_monitors": list(run_monitors or []),
            "run_owner": self.identity.urn,
            "activity_notification_policy": dict(
                activity_notification_policy or {"status": ["INACTIVE"]}
            ),
            "input": body,
        }
        def_id = definition_id(flow["definition"], flow.get("input_schema"))
        engine = self._engine_ready()
        started = (
            dumps({"input": body}) if '"_private' not in state_json else shown({"input": body})
        )
        with self.db.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO definitions(id, definition, input_schema) VALUES (?,?,?)",
                (def_id, dumps(flow["definition"]), dumps(flow.get("input_schema"))),
            )
            conn.execute(
                "INSERT INTO runs(run_id, flow_id, definition_id, status, label, meta, state, "
                "current, phase, owner, attempt, event_seq, start_time) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id,
                    flow_id,
                    def_id,
                    "ACTIVE",
                    label,
                    dumps(meta),
                    state_json,
                    compiled.start_at,
                    "ready",
                    engine.owner.id,
                    1,
                    1,
                    start,
                ),
            )
            conn.execute(
                "INSERT INTO events VALUES (?,?,?,?,?,?)",
                (run_id, 1, start, "FlowStarted", "The Flow Instance started execution", started),
            )
        live = LiveRun(
            run_id=run_id,
            flow_id=flow_id,
            definition_id=def_id,
            flow=compiled,
            state=body,
            current=compiled.start_at,
            phase="ready",
            status="ACTIVE",
            attempt=1,
            event_seq=1,
            context=self._context(run_id, flow_id),
            options=self.options,
            label=label,
            run_managers=list(run_managers or []),
            run_monitors=list(run_monitors or []),
            clock_now=self.clock.time,
        )
        engine.adopt(live)
        return self._run_document(
            (run_id, flow_id, "ACTIVE", label, dumps(meta), start, None),
            [(start, "FlowStarted", "The Flow Instance started execution", started)],
        )

    def _context(self, run_id: str, flow_id: str) -> dict[str, Any]:
        now = int(time.time())
        ident = self.identity
        return {
            "run_id": run_id,
            "flow_id": flow_id,
            "username": ident.username,
            "email": ident.email,
            "user_id": ident.urn,
            "identities": [ident.urn],
            "token_info": {"exp": now + 172800, "iat": now, "nbf": now},
        }

    def _compile(self, definition: Mapping[str, Any], input_schema: Any) -> CompiledFlow:
        key = definition_id(definition, input_schema)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = CompiledFlow(definition, input_schema, self.options)
            self._compiled[key] = compiled
        return compiled

    def _load_live_run(self, run_id: str) -> LiveRun | None:
        """Load a run this process owns from the store (after a takeover)."""
        engine = self._engine
        if engine is None:
            return None
        row = (
            self.db.read()
            .execute(
                "SELECT r.flow_id, r.definition_id, r.status, r.label, r.meta, r.state, "
                "r.current, r.phase, r.wake_at, r.action, r.attempt, r.event_seq, r.owner, "
                "d.definition, d.input_schema FROM runs r JOIN definitions d "
                "ON d.id = r.definition_id WHERE r.run_id = ?",
                (run_id,),
            )
            .fetchone()
        )
        if row is None or row[12] != engine.owner.id or row[2] in TERMINAL_STATUSES:
            return None
        meta = json.loads(row[4])
        compiled = self._compile(json.loads(row[13]), json.loads(row[14]))
        return LiveRun(
            run_id=run_id,
            flow_id=row[0],
            definition_id=row[1],
            flow=compiled,
            state=json.loads(row[5]),
            current=row[6],
            phase=row[7],
            status=row[2],
            attempt=int(row[10]),
            event_seq=int(row[11]),
            context=self._context(run_id, row[0]),
            options=self.options,
            label=row[3],
            run_managers=list(meta.get("run_managers", [])),
            run_monitors=list(meta.get("run_monitors", [])),
            wake_at=row[8],
            action=None if row[9] is None else json.loads(row[9]),
            clock_now=self.clock.time,
        )

    _RUN_COLUMNS = "run_id, flow_id, status, label, meta, start_time, completion_time"

    def _run_row(self, run_id: str) -> tuple[Any, ...]:
        self._ready()
        row = (
            self.db.read()
            .execute(f"SELECT {self._RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"No run with id {run_id} exists in {self.home}")
        return tuple(row)

    def _latest_events(self, run_id: str) -> list[tuple[str, str, str, str]]:
        return [
            tuple(r)  # type: ignore[misc]
            for r in self.db.read().execute(
                "SELECT time, code, description, details FROM events WHERE run_id = ? "
                "ORDER BY seq DESC LIMIT 1",
                (run_id,),
            )
        ]

    def _run_document(
        self, row: Sequence[Any], events: list[tuple[str, str, str, str]] | None = None
    ) -> dict[str, Any]:
        run_id, flow_id, status, label, meta_json, start, completion = row
        meta = json.loads(meta_json)
        if events is None:
            events = self._latest_events(run_id)
        owner = meta.get("run_owner", self.identity.urn)
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

    def get_run(self, run_id: str, include_flow_description: bool = False) -> dict[str, Any]:
        """The run document of ``run_id`` (spec §8.4)."""
        doc = self._run_document(self._run_row(run_id))
        if include_flow_description:
            try:
                flow = self.get_flow(doc["flow_id"])
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
        self._ready()
        query: dict[str, Any] = {
            "flow": _as_list(filter_flow_id),
            "status": [s.upper() for s in _as_list(filter_status)],
            "label": _as_list(filter_label),
            "orderby": _orderby(orderby),
            "n": per_page,
        }
        offset = 0
        if marker:
            query, offset = decode_marker(marker)
        sql = f"SELECT {self._RUN_COLUMNS} FROM runs WHERE released = 0"
        args: list[Any] = []
        for column, key in (("flow_id", "flow"), ("status", "status"), ("label", "label")):
            values = query.get(key) or []
            if values:
                sql += f" AND {column} IN ({','.join('?' * len(values))})"
                args += values
        order = _order_clause(
            query["orderby"],
            {"start_time", "completion_time", "status", "label", "run_id"},
            "start_time DESC",
            aliases={"id": "run_id"},
        )
        size = max(1, min(int(query["n"]), 100))
        sql += f" ORDER BY {order}, rowid DESC LIMIT ? OFFSET ?"
        rows = self.db.read().execute(sql, [*args, size + 1, offset]).fetchall()
        page = [self._run_document(r) for r in rows[:size]]
        more = len(rows) > size
        result: dict[str, Any] = {"runs": page, "limit": size, "has_next_page": more}
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
        self._run_row(run_id)
        query: dict[str, Any] = {
            "limit": 10 if limit is None else limit,
            "rev": bool(reverse_order),
        }
        offset = 0
        if marker:
            query, offset = decode_marker(marker)
        size = int(query["limit"])
        if not 1 <= size <= 100:
            raise ServiceError(
                f"limit must be between 1 and 100, not {size}", code="BAD_REQUEST", http_status=400
            )
        direction = "DESC" if query["rev"] else "ASC"
        rows = (
            self.db.read()
            .execute(
                "SELECT time, code, description, details FROM events WHERE run_id = ? "
                f"ORDER BY seq {direction} LIMIT ? OFFSET ?",
                (run_id, size + 1, offset),
            )
            .fetchall()
        )
        entries = [
            {"time": t, "code": c, "description": d, "details": json.loads(j)}
            for t, c, d, j in rows[:size]
        ]
        more = len(rows) > size
        result: dict[str, Any] = {"limit": size, "has_next_page": more, "entries": entries}
        if more:
            result["marker"] = encode_marker(query, offset + size)
        return result

    def get_run_definition(self, run_id: str) -> dict[str, Any]:
        """The definition and input schema the run started with."""
        self._ready()
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
            raise NotFound(f"No run with id {run_id} exists in {self.home}")
        schema = json.loads(row[2])
        return {
            "flow_id": row[0],
            "definition": json.loads(row[1]),
            "input_schema": schema if schema is not None else {},
        }

    def cancel_run(self, run_id: str) -> dict[str, Any]:
        """Cancel a run: it ends FAILED with code FlowCanceled (or ENDED, per options)."""
        row = self._run_row(run_id)
        if row[2] in TERMINAL_STATUSES:
            return self._run_document(row)
        if not self._engine_ready().call("cancel", run_id):
            self._cancel_elsewhere(run_id)
        return self.get_run(run_id)

    def _cancel_elsewhere(self, run_id: str) -> None:
        """Cancel a run owned by another process: take it over, fenced, and end it."""
        engine = self._engine_ready()
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
            live = self._load_live_run(run_id)
            if live is None:
                return
            live.cancel = True
            engine.adopt(live)
            self.wait(run_id, timeout=30)
            return

    def resume_run(self, run_id: str) -> dict[str, Any]:
        """Ask the runtime to poll an INACTIVE run's action now; returns the run document."""
        self._run_row(run_id)
        self._engine_ready().call("resume", run_id)
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
        self._run_row(run_id)
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
        row = self._run_row(run_id)
        if row[2] not in TERMINAL_STATUSES:
            raise StateConflict(
                f"Run {run_id} has status '{row[2]}' but must have status in "
                "{'ENDED', 'SUCCEEDED', 'FAILED'} for requested operation"
            )
        doc = self._run_document(row)
        with self.db.write() as conn:
            conn.execute("DELETE FROM events WHERE run_id = ?", (run_id,))
            conn.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
        return doc

    release_run = delete_run

    def wait(self, run_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Block until the run ends (or ``timeout`` seconds pass); returns the run document.

        Raises ``TimeoutError`` when the run is still going after ``timeout``.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        done = self._engine_ready().done
        while True:
            # Checked under the condition's lock, so an end committed by this process's
            # scheduler right after the check still wakes us; runs finished by other
            # processes are noticed at the next check.
            with done:
                row = self._run_row(run_id)
                if row[2] in TERMINAL_STATUSES:
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"Run {run_id} is still {row[2]} after {timeout} s")
                done.wait(0.25 if remaining is None else min(0.25, remaining))
        return self._run_document(row)

    def recover(self) -> int:
        """Take over abandoned runs now (normally done every second); returns how many."""
        self._ready()
        return int(self._engine_ready().call("claim", None) or 0)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return list(value)


def _orderby(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def _order_clause(
    items: list[str], allowed: set[str], default: str, aliases: Mapping[str, str] | None = None
) -> str:
    clauses = []
    for item in items:
        words = item.split()
        field = (aliases or {}).get(words[0], words[0])
        direction = words[1].upper() if len(words) > 1 else "ASC"
        if field not in allowed or direction not in ("ASC", "DESC"):
            raise ServiceError(
                f"Cannot order by {item!r}; use '<field> ASC|DESC' with a field among "
                f"{', '.join(sorted(allowed))}.",
                code="BAD_REQUEST",
                http_status=400,
            )
        clauses.append(f"{field} {direction}")
    return ", ".join(clauses) or default
