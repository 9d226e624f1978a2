"""Turn the entries of a client's ``gladier_tools`` into tool instances.

An entry may be a :class:`~gladier.base.GladierBaseTool` subclass, an instance of one, a dotted
import string (``"gladier_tools.posix.Tar"``, optionally with an alias: ``"...Tar:First"``), or a
state from the state-builder API (``gladier.tools``), which is wrapped in a
:class:`~gladier.flowgen.state_tool.StateTool`.

Example::

    >>> from gladier.flowgen.tool_alias import StateSuffixVariablePrefix
    >>> tool = resolve_tool("gladier.base.GladierBaseTool:Extra", StateSuffixVariablePrefix)
    >>> type(tool).__name__, tool.alias
    ('GladierBaseTool', 'Extra')
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from gladier.exc import ConfigException
from gladier.flowgen.imports import import_string, parse_alias
from gladier.flowgen.state_tool import StateTool
from gladier.flowgen.tool import GladierBaseTool
from gladier.flowgen.tool_alias import ToolAlias

__all__ = ["resolve_tool", "resolve_tools"]

_HOW = (
    "a gladier_tools entry must be a GladierBaseTool subclass, an instance of one, a dotted "
    'import string such as "gladier_tools.posix.Tar" (optionally "...Tar:Alias"), or a state '
    "from gladier.tools"
)


def _is_state(obj: Any) -> bool:
    """Whether ``obj`` is a state-builder state (without importing the state models)."""
    models = sys.modules.get("gladier.state_models")
    return models is not None and isinstance(obj, models.BaseState)


def _instantiate(cls: type[GladierBaseTool], ref: Any, *args: Any) -> GladierBaseTool:
    try:
        return cls(*args)
    except ValueError as err:
        if args and args[0] and args[1] is None:
            raise ConfigException(
                f'Tool reference "{ref}" has an alias but no alias_class was given: set the '
                "client's alias_class (default gladier.utils.tool_alias.StateSuffixVariablePrefix)"
            ) from err
        raise


def resolve_tool(tool_ref: Any, alias_class: type[ToolAlias] | None = None) -> GladierBaseTool:
    """Return a tool instance for one ``gladier_tools`` entry.

    ``alias_class`` applies to dotted strings with an ``:Alias`` suffix. Raises
    :class:`~gladier.exc.ConfigException` naming the bad entry and how to write it.

    Example::

        tools = [resolve_tool(ref, MyClient.alias_class) for ref in MyClient.gladier_tools]
    """
    if isinstance(tool_ref, str):
        path, alias = parse_alias(tool_ref)
        try:
            target = import_string(path)
        except ImportError as err:
            raise ConfigException(
                f'Cannot import tool "{tool_ref}": {err}. Check the dotted path '
                '("package.module.ToolClass", optionally ":Alias") and that its package is '
                "installed"
            ) from err
        if isinstance(target, type) and issubclass(target, GladierBaseTool):
            return _instantiate(target, tool_ref, alias, alias_class)
        if alias is None and (isinstance(target, GladierBaseTool) or _is_state(target)):
            return resolve_tool(target, alias_class)
        raise ConfigException(
            f'"{tool_ref}" names {target!r}, which is not of type {GladierBaseTool.__name__} '
            f"(aliases apply to tool classes only); {_HOW}"
        )
    if isinstance(tool_ref, GladierBaseTool):
        return tool_ref
    if _is_state(tool_ref):
        return StateTool(tool_ref)
    if isinstance(tool_ref, type) and issubclass(tool_ref, GladierBaseTool):
        return _instantiate(tool_ref, tool_ref)
    raise ConfigException(f"{tool_ref!r} is not a tool: {_HOW}")


def resolve_tools(
    tool_refs: Iterable[Any], alias_class: type[ToolAlias] | None = None
) -> list[GladierBaseTool]:
    """Resolve every entry of ``gladier_tools`` (see :func:`resolve_tool`).

    Raises :class:`~gladier.exc.ConfigException` when ``tool_refs`` is not a list of entries.

    Example::

        >>> resolve_tools([])
        []
    """
    if isinstance(tool_refs, (str, bytes)) or not isinstance(tool_refs, Iterable):
        raise ConfigException(
            f'"gladier_tools" must be a list of Gladier Tools, got {tool_refs!r}. '
            'Ex: ["gladier_tools.posix.Tar", MyTool]'
        )
    return [resolve_tool(ref, alias_class) for ref in tool_refs]
