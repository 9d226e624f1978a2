"""Compatibility path of Gladier's flow generation functions (0.8-0.11).

New code should use :mod:`gladier.flowgen`.

Example::

    from gladier.utils.flow_generation import generate_tool_flow

    definition = generate_tool_flow(MyTool(), {"my_function": {"WaitTime": 600}})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gladier.flowgen.generation import build_client_definition, build_tool_definition

__all__ = ["combine_tool_flows", "generate_tool_flow"]


def generate_tool_flow(tool: Any, modifiers: Mapping[Any, Any] | None) -> dict[str, Any]:
    """Generate the flow of a tool's compute functions and apply ``modifiers``."""
    return build_tool_definition(tool, modifiers or {})


def combine_tool_flows(client: Any, modifiers: Mapping[Any, Any] | None) -> dict[str, Any]:
    """Chain the flows of ``client.tools`` and apply ``modifiers``; comment = client docstring."""
    return build_client_definition(client.tools, type(client).__doc__, modifiers or {})
