"""Compute flow builders of Gladier 0.10-0.11 (v2 and v3 compute action providers).

Example::

    from gladier.flow_builder import ComputeFlowBuilderv3

    name, state = ComputeFlowBuilderv3(MyTool()).generate_compute_flow_state(my_function)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gladier.flow_builder.flow import FlowBuilder
from gladier.flowgen.compute_states import (
    compute_state_v2,
    compute_state_v3,
    generate_compute_flow,
    tool_compute_functions,
)
from gladier.flowgen.modifiers import COMPUTE_V2_MODIFIERS, COMPUTE_V3_MODIFIERS
from gladier.flowgen.names import get_compute_flow_state_name, get_upper_camel_case

__all__ = ["ComputeFlowBuilderv2", "ComputeFlowBuilderv3"]


class ComputeFlowBuilderv2(FlowBuilder):
    """Generates and modifies compute states on the v2 provider."""

    VALID_COMPUTE_MODIFIERS = set(COMPUTE_V2_MODIFIERS)
    kind = "compute_v2"

    def get_valid_modifier_names(self) -> set[str]:
        return set(self.VALID_STATE_MODIFIERS) | set(self.VALID_COMPUTE_MODIFIERS)

    def generate_compute_flow_state(
        self, compute_function: Callable[..., Any]
    ) -> tuple[str, dict[str, Any]]:
        """Return ``(state name, state)`` for one compute function."""
        return compute_state_v2(compute_function)

    def get_flow_definition(self) -> dict[str, Any]:
        """The generated flow of the tool's compute functions (no modifiers)."""
        own_states = type(self).generate_compute_flow_state
        if own_states is ComputeFlowBuilderv2.generate_compute_flow_state:
            return generate_compute_flow(self.tool)[0]
        states: dict[str, Any] = {}
        previous = None
        for function in tool_compute_functions(self.tool):
            name, state = self.generate_compute_flow_state(function)
            states[name] = state
            if previous:
                states[previous]["Next"] = name
            previous = name
        if previous:
            states[previous]["End"] = True
        return {
            "StartAt": next(iter(states), None),
            "States": states,
            "Comment": f"Flow with states: {', '.join(states)}",
        }

    def get_state_name_from_modifier_name(self, modifier_name: Any) -> str:
        name = modifier_name if isinstance(modifier_name, str) else modifier_name.__name__
        return get_upper_camel_case(name)

    def get_function(self, name: Any) -> Callable[..., Any] | None:
        """The tool's compute function with this name (or this function), if any."""
        wanted = name.__name__ if callable(name) else name
        for function in tool_compute_functions(self.tool):
            if function.__name__ == wanted:
                return function
        return None

    def _functions(self) -> dict[str, Any]:
        return {get_compute_flow_state_name(f): f for f in tool_compute_functions(self.tool)}


class ComputeFlowBuilderv3(ComputeFlowBuilderv2):
    """Generates and modifies compute states on the v3 provider."""

    VALID_COMPUTE_MODIFIERS = set(COMPUTE_V3_MODIFIERS)
    kind = "compute_v3"

    def generate_compute_flow_state(
        self, compute_function: Callable[..., Any]
    ) -> tuple[str, dict[str, Any]]:
        return compute_state_v3(compute_function)
