"""Compiled flows kept per process, so that starting a run costs no parsing.

A :class:`FlowCache` compiles each definition once (keyed by its content) and keeps, per
flow id, the :class:`PreparedFlow` of its current revision: read and compiled again only
when the flow changed. It also makes the ``_context`` every run of this process carries.

Example::

    cache = FlowCache(ctx, flows)
    flow = cache.prepare(flow_id)          # compiled now; later calls check the revision
    flow.compiled.start_at                 # 'Greet'
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gladier.runtime.flow import CompiledFlow, definition_id
from gladier.runtime.live import dumps

if TYPE_CHECKING:
    from gladier.runtime.api_flows import FlowsAPI
    from gladier.runtime.context import RuntimeContext


@dataclass
class PreparedFlow:
    """What starting a run of one flow revision needs, kept per process."""

    revision: int
    title: str
    updated_at: str
    definition_id: str
    compiled: CompiledFlow
    #: JSON of the definition and schema until they are known to be in the store.
    to_store: tuple[str, str] | None


class FlowCache:
    """Compiled definitions and prepared flows of one runtime (see the module docstring)."""

    def __init__(self, ctx: RuntimeContext, flows: FlowsAPI) -> None:
        self.ctx = ctx
        self.flows = flows
        self._compiled: dict[str, CompiledFlow] = {}
        self._prepared: dict[str, PreparedFlow] = {}

    def prepare(self, flow_id: str) -> PreparedFlow:
        """The flow's current revision, compiled; read and parsed again only when it changed."""
        self.ctx.ready()
        row = (
            self.ctx.db.read()
            .execute("SELECT revision FROM flows WHERE id = ? AND deleted = 0", (flow_id,))
            .fetchone()
        )
        cached = self._prepared.get(flow_id)
        if row is not None and cached is not None and cached.revision == row[0]:
            return cached
        flow = self.flows.get_flow(flow_id)  # NotFound for a missing or deleted flow
        definition, schema = flow["definition"], flow.get("input_schema")
        prepared = PreparedFlow(
            revision=int(row[0]) if row is not None else 0,
            title=flow["title"],
            updated_at=flow["updated_at"],
            definition_id=definition_id(definition, schema),
            compiled=self.compile(definition, schema),
            to_store=(dumps(definition), dumps(schema)),
        )
        self._prepared[flow_id] = prepared
        return prepared

    def compile(self, definition: Mapping[str, Any], input_schema: Any) -> CompiledFlow:
        """The compiled form of ``definition`` (compiled once per content)."""
        key = definition_id(definition, input_schema)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = CompiledFlow(definition, input_schema, self.ctx.options)
            self._compiled[key] = compiled
        return compiled

    def run_context(self, run_id: str, flow_id: str, now: int | None = None) -> dict[str, Any]:
        """The ``_context`` of a run (``$._context`` in its states); its token times count
        from ``now`` (seconds; the current time unless given, as for a batch of runs)."""
        if now is None:
            now = int(time.time())
        ident = self.ctx.identity
        return {
            "run_id": run_id,
            "flow_id": flow_id,
            "username": ident.username,
            "email": ident.email,
            "user_id": ident.urn,
            "identities": [ident.urn],
            "token_info": {"exp": now + 172800, "iat": now, "nbf": now},
        }


__all__ = ["FlowCache", "PreparedFlow"]
