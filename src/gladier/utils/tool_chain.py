"""Compatibility path of :class:`~gladier.flowgen.chaining.ToolChain` (Gladier 0.8-0.11).

Example::

    from gladier.utils.tool_chain import ToolChain

    definition = ToolChain(flow_comment="My flow").chain(tools).flow_definition
"""

from __future__ import annotations

from gladier.flowgen.chaining import ToolChain

__all__ = ["ToolChain"]
