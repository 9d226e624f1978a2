"""``FlowBuilder``: applies modifiers to the states of one tool (Gladier 0.10+ API).

New code should use :mod:`gladier.flowgen`; these classes keep 0.10-0.11 imports working.

Example::

    from gladier.flow_builder import ComputeFlowBuilderv2

    builder = ComputeFlowBuilderv2(MyTool())
    definition = builder.apply_modifiers({"fn": {"WaitTime": 60}}, builder.get_flow_definition())
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from gladier.exc import FlowGenException
from gladier.flowgen.modifiers import (
    STATE_MODIFIERS,
    ModifierContext,
    StateTarget,
    _check_keys,
    apply_modifiers,
)

__all__ = ["FlowBuilder"]


class FlowBuilder:
    """Modifier handling for a tool with a hand-written flow (state keys only)."""

    VALID_STATE_MODIFIERS = set(STATE_MODIFIERS)
    kind = "plain"

    def __init__(self, tool: Any) -> None:
        self.tool = tool

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.tool!r})"

    def get_flow_definition(self) -> dict[str, Any]:
        """The tool's (aliased) definition."""
        definition = self.tool.get_flow_definition()
        if definition is None:
            raise FlowGenException(f"{self.tool!r} has no flow definition")
        return copy.deepcopy(dict(definition))

    def get_flow_state_names(self) -> list[str]:
        """Names of the states this builder manages."""
        return list(self.get_flow_definition()["States"])

    def get_default_flow_state_name(self) -> str:
        """The state name expected for a single-state tool: its class name."""
        return type(self.tool).__name__

    def get_state_name_from_modifier_name(self, modifier_name: Any) -> str:
        """The state a modifier key names (state keys name themselves)."""
        return str(modifier_name)

    def get_state_result_path(self, state: str | None = None) -> str:
        """Where the result of ``state`` can be read: ``$.<state>.details.results``."""
        return f"$.{state or self.get_default_flow_state_name()}.details.results"

    def get_valid_modifier_names(self) -> set[str]:
        """The change keys this builder accepts."""
        return set(self.VALID_STATE_MODIFIERS)

    def _functions(self) -> dict[str, Any]:
        return {}

    def _context(self, flow: Mapping[str, Any]) -> ModifierContext:
        functions = self._functions()
        targets = {
            name: StateTarget(name, self.kind, self.tool, functions.get(name))
            for name in flow.get("States", {})
        }
        return ModifierContext(flow, targets, owner=f"Class {self.tool!r}")

    def check_modifier(self, modifier_name: Any, modifier_data: Mapping[str, Any]) -> None:
        """Raise :class:`~gladier.exc.FlowModifierException` for an unsupported change key."""
        target = StateTarget(str(modifier_name), self.kind, self.tool)
        _check_keys(modifier_data, target, modifier_name, f"Class {self.tool!r}")

    def apply_modifiers(
        self, modifiers: Mapping[Any, Any], flow: dict[str, Any], matching_only: bool = False
    ) -> dict[str, Any]:
        """Apply ``modifiers`` to ``flow`` in place and return it.

        With ``matching_only`` modifiers that match none of the flow's states are skipped;
        otherwise they raise :class:`~gladier.exc.FlowModifierException`.
        """
        return apply_modifiers(flow, modifiers, self._context(flow), matching_only=matching_only)

    def apply_modifier(
        self,
        flow_state: dict[str, Any],
        state_modifiers: Mapping[str, Any],
        flow_definition_reference: dict[str, Any],
    ) -> dict[str, Any]:
        """Apply one state's changes to ``flow_state`` (a state of the reference flow)."""
        for name, state in flow_definition_reference.get("States", {}).items():
            if state is flow_state:
                apply_modifiers(
                    flow_definition_reference,
                    {name: state_modifiers},
                    self._context(flow_definition_reference),
                )
                return flow_state
        raise FlowGenException("apply_modifier: flow_state is not a state of the reference flow")
