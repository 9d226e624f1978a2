"""Pick the flow builder class for a tool (Gladier 0.10-0.11 API).

Example::

    >>> from gladier.flowgen.tool import GladierBaseTool
    >>> FlowBuilderRegistry().get_flow_builder_cls_by_tool(GladierBaseTool()).__name__
    'FlowBuilder'
"""

from __future__ import annotations

from typing import Any

from gladier.flow_builder.compute import ComputeFlowBuilderv2, ComputeFlowBuilderv3
from gladier.flow_builder.flow import FlowBuilder
from gladier.flowgen.compute_states import tool_compute_functions, uses_compute_v3

__all__ = ["FlowBuilderRegistry"]


class FlowBuilderRegistry:
    """Chooses between the plain, v2 compute and v3 compute builders."""

    registered_states: list[type[FlowBuilder]] = [ComputeFlowBuilderv2, ComputeFlowBuilderv3]

    def get_flow_builder_cls_by_tool(
        self, tool: Any = None, action_url: str | None = None
    ) -> type[FlowBuilder]:
        """The builder class for ``tool`` (``action_url`` is accepted and ignored, as in 0.11)."""
        if tool is not None and tool_compute_functions(tool):
            return ComputeFlowBuilderv3 if uses_compute_v3(tool) else ComputeFlowBuilderv2
        return FlowBuilder
