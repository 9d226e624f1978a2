"""Flows in the embedded runtime: create, read, update, delete, list and validate.

:class:`FlowsAPI` is ``rt.flows`` (``Runtime`` delegates its flow methods to it); the
documents are the Flows service's (§9.2).

Example::

    with Runtime() as rt:
        flow = rt.flows.create_flow("hello", {"StartAt": "P",
                                              "States": {"P": {"Type": "Pass", "End": True}}})
        rt.flows.get_flow(flow["id"])["title"]      # 'hello'
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.exc import ConfigException, FlowValidationError, NotFound
from gladier.runtime.documents import (
    decode_marker,
    encode_marker,
    new_flow_document,
    order_clause,
    parse_orderby,
)
from gladier.runtime.live import dumps
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    from gladier.runtime.context import RuntimeContext

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


class FlowsAPI:
    """Flow documents stored in the runtime home."""

    def __init__(self, ctx: RuntimeContext) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.options = ctx.options

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
        self.ctx.ready()
        flow_id = str(fields.pop("flow_id", None) or uuid.uuid4())
        now = iso(self.ctx.clock.time())
        doc = new_flow_document(
            flow_id, title, definition, input_schema, self.ctx.identity.urn, now, fields
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
        self.ctx.ready()
        row = (
            self.db.read()
            .execute("SELECT doc FROM flows WHERE id = ? AND deleted = 0", (flow_id,))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"No flow with id {flow_id} exists in {self.ctx.home}")
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
        now = iso(self.ctx.clock.time())
        doc["updated_at"] = now
        with self.db.write() as conn:
            cur = conn.execute(
                "UPDATE flows SET title = ?, doc = ?, updated_at = ?, revision = revision + 1 "
                "WHERE id = ? AND deleted = 0",
                (doc["title"], dumps(doc), now, flow_id),
            )
            if cur.rowcount != 1:
                raise NotFound(f"No flow with id {flow_id} exists in {self.ctx.home}")
        return doc

    def delete_flow(self, flow_id: str) -> dict[str, Any]:
        """Delete a flow; its runs keep their own copy of the definition."""
        doc = self.get_flow(flow_id)
        now = iso(self.ctx.clock.time())
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
        self.ctx.ready()
        query: dict[str, Any] = {
            "text": filter_fulltext,
            "orderby": parse_orderby(orderby),
            "n": per_page,
        }
        offset = 0
        if marker:
            query, offset = decode_marker(marker)
        order = order_clause(
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
