"""Gladier 0.10-0.11's flow builders, kept at their import path.

Example::

    from gladier.flow_builder import FlowBuilderRegistry

    builder_cls = FlowBuilderRegistry().get_flow_builder_cls_by_tool(tool)
"""

from __future__ import annotations

from gladier.flow_builder.compute import ComputeFlowBuilderv2, ComputeFlowBuilderv3
from gladier.flow_builder.flow import FlowBuilder
from gladier.flow_builder.registry import FlowBuilderRegistry

__all__ = ["ComputeFlowBuilderv2", "ComputeFlowBuilderv3", "FlowBuilder", "FlowBuilderRegistry"]
