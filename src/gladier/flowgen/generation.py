"""Entry points of flow generation: a tool's definition and a client's combined definition.

Example::

    >>> from gladier.flowgen.tool import GladierBaseTool
    >>> def ls(**data):
    ...     "List a directory."
    >>> class FileSystemListCommand(GladierBaseTool):
    ...     compute_functions = [ls]
    >>> definition = build_tool_definition(FileSystemListCommand(), {ls: {"WaitTime": 60}})
    >>> definition["StartAt"], definition["States"]["Ls"]["WaitTime"]
    ('Ls', 60)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gladier.exc import FlowGenException
from gladier.flowgen.chaining import ToolChain
from gladier.flowgen.compute_states import GENERATED_STATES_ATTRIBUTE, generate_compute_flow
from gladier.flowgen.marker import get_flow_modifiers
from gladier.flowgen.modifiers import ModifierContext, apply_modifiers

__all__ = ["build_client_definition", "build_tool_definition", "generated_client_definition"]


def build_tool_definition(tool: Any, modifiers: Mapping[Any, Any] | None = None) -> dict[str, Any]:
    """Generate a tool's flow from its compute functions and apply ``modifiers``.

    The returned definition uses un-aliased names (aliases are applied by
    ``tool.get_flow_definition()``). Records on the tool which state runs which function.
    Raises :class:`~gladier.exc.FlowGenException` (or its subclass
    :class:`~gladier.exc.FlowModifierException`) for what cannot be generated.
    """
    definition, functions = generate_compute_flow(tool)
    setattr(tool, GENERATED_STATES_ATTRIBUTE, functions)
    if modifiers:
        context = ModifierContext.for_tool(tool, definition, functions)
        apply_modifiers(definition, modifiers, context)
    return definition


def build_client_definition(
    tools: Iterable[Any],
    flow_comment: str | None = None,
    modifiers: Mapping[Any, Any] | None = None,
) -> dict[str, Any]:
    """Chain the flows of ``tools`` (instances, in order) and apply client ``modifiers``.

    ``flow_comment`` becomes the definition's ``Comment`` (Gladier uses the client docstring);
    without it the comment lists the states. Raises :class:`~gladier.exc.StateNameConflict`,
    :class:`~gladier.exc.FlowGenException` or :class:`~gladier.exc.FlowModifierException`.

    Example::

        definition = build_client_definition(client.tools, type(client).__doc__, modifiers)
    """
    tools = list(tools)
    if not tools:
        raise FlowGenException(
            "There are no tools to generate a flow from: list them in gladier_tools, "
            'e.g. gladier_tools = ["gladier_tools.posix.Tar"]'
        )
    chain = ToolChain(flow_comment=flow_comment).chain(tools)
    definition = chain.flow_definition
    if modifiers:
        context = ModifierContext.for_tools(tools, definition, chain.state_owners)
        apply_modifiers(definition, modifiers, context)
    return definition


def generated_client_definition(client: Any) -> dict[str, Any] | None:
    """The definition of a client class decorated with ``@generate_flow_definition``.

    Returns ``None`` when the client's class is not decorated. Uses ``client.tools`` (tool
    instances) and the class docstring as the flow comment.

    Example::

        definition = generated_client_definition(self)
        if definition is not None:
            self.flow_definition = definition
    """
    modifiers = get_flow_modifiers(client)
    if modifiers is None:
        return None
    return build_client_definition(client.tools, type(client).__doc__, modifiers)
