"""Flow generation: tools and their modifiers and aliases, turned into one flow definition.

The parts, one concept per module:

* :mod:`~gladier.flowgen.tool`: :class:`~gladier.flowgen.tool.GladierBaseTool`, the tool itself
  (also importable from ``gladier`` and ``gladier.base``);
* :mod:`~gladier.flowgen.tool_alias`: alias classes, how an alias renames states and inputs;
* :mod:`~gladier.flowgen.names`, :mod:`~gladier.flowgen.traversal` and
  :mod:`~gladier.flowgen.imports`: names derived from functions, walking a definition, and
  tools named by dotted strings (``gladier.utils`` re-exports these four at their 0.8-0.11
  paths);
* :mod:`~gladier.flowgen.compute_states`: compute functions → Action states;
* :mod:`~gladier.flowgen.aliases`: a tool's alias applied to its definition;
* :mod:`~gladier.flowgen.chaining`: tools' flows chained in order (:class:`ToolChain`);
* :mod:`~gladier.flowgen.modifiers`: ``@generate_flow_definition(modifiers=...)``;
* :mod:`~gladier.flowgen.marker`: how the decorator marks a class;
* :mod:`~gladier.flowgen.resolve`: ``gladier_tools`` entries → tool instances;
* :mod:`~gladier.flowgen.generation`: the entry points below.

Example (what a client does)::

    from gladier.flowgen import function_id_inputs, generated_client_definition, resolve_tools

    tools = resolve_tools(MyClient.gladier_tools, MyClient.alias_class)
    definition = generated_client_definition(client)          # None if not decorated
    ids = {key: register(fn) for tool in tools for key, fn in function_id_inputs(tool).items()}
"""

from __future__ import annotations

from gladier.flowgen.aliases import (
    alias_tool_definition,
    aliased_input_name,
    declared_inputs,
    function_id_inputs,
)
from gladier.flowgen.chaining import ToolChain
from gladier.flowgen.compute_states import (
    COMPUTE_ACTION_URL,
    COMPUTE_V3_ACTION_URL,
    tool_compute_functions,
)
from gladier.flowgen.definition import FlowDefinition, definition_compute_functions
from gladier.flowgen.generation import (
    build_client_definition,
    build_tool_definition,
    generated_client_definition,
)
from gladier.flowgen.marker import get_flow_modifiers, is_flow_generated, mark_flow_generated
from gladier.flowgen.modifiers import ModifierContext, apply_modifiers
from gladier.flowgen.resolve import resolve_tool, resolve_tools
from gladier.flowgen.state_tool import StateTool

__all__ = [
    "COMPUTE_ACTION_URL",
    "COMPUTE_V3_ACTION_URL",
    "FlowDefinition",
    "ModifierContext",
    "StateTool",
    "ToolChain",
    "alias_tool_definition",
    "aliased_input_name",
    "apply_modifiers",
    "build_client_definition",
    "build_tool_definition",
    "declared_inputs",
    "definition_compute_functions",
    "function_id_inputs",
    "generated_client_definition",
    "get_flow_modifiers",
    "is_flow_generated",
    "mark_flow_generated",
    "resolve_tool",
    "resolve_tools",
    "tool_compute_functions",
]
