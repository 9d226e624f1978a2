"""Compatibility path of Gladier 0.8's ``FlowModifiers`` (modifiers over a client's tools).

New code should use :mod:`gladier.flowgen.modifiers`.

Example::

    from gladier.utils.flow_modifiers import FlowModifiers

    definition = FlowModifiers(client.tools, {"tar": {"WaitTime": 600}}).apply_modifiers(definition)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gladier.exc import FlowModifierException
from gladier.flowgen.modifiers import (
    COMPUTE_V2_MODIFIERS,
    STATE_MODIFIERS,
    ModifierContext,
    apply_modifiers,
)

__all__ = ["FlowModifiers", "compute_modifiers", "state_modifiers"]

compute_modifiers = set(COMPUTE_V2_MODIFIERS)
state_modifiers = set(STATE_MODIFIERS)


class FlowModifiers:
    """Apply modifiers to a definition built from ``tools`` (Gladier 0.8 API)."""

    supported_modifiers = state_modifiers | compute_modifiers
    compute_modifiers = compute_modifiers
    state_modifiers = state_modifiers

    def __init__(self, tools: Iterable[Any], modifiers: Mapping[Any, Any], cls: Any = None):
        self.cls = cls
        self.tools = list(tools)
        self.modifiers = modifiers
        if not isinstance(modifiers, Mapping):
            raise FlowModifierException(f"{cls}: Flow Modifiers must be a dict")

    def apply_modifiers(self, flow: dict[str, Any]) -> dict[str, Any]:
        """Apply the modifiers to ``flow`` (in place) and return it."""
        owners: dict[str, Any] = {}
        for tool in self.tools:
            definition = tool.get_flow_definition() or {}
            for name in definition.get("States", {}):
                owners[name] = tool
        owner = type(self.cls).__name__ if self.cls is not None else "the client"
        context = ModifierContext.for_tools(self.tools, flow, owners, owner=owner)
        return apply_modifiers(flow, self.modifiers, context)
