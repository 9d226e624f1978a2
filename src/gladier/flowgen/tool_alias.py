"""Tool aliasing: run several copies of one tool in a flow under different names.

An alias class decides how a copy's state names and input variables are renamed. The default,
:class:`StateSuffixVariablePrefix`, appends the alias to state names and prefixes variables with
the alias in snake_case::

    >>> renamer = StateSuffixVariablePrefix("First")
    >>> renamer.rename_state("Tar", None), renamer.rename_variable("tar_input", None)
    ('TarFirst', 'first_tar_input')

Clients apply aliases written as ``"package.module.Tool:Alias"`` in ``gladier_tools``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from gladier.flowgen.names import get_snake_case

if TYPE_CHECKING:
    from gladier.flowgen.tool import GladierBaseTool

__all__ = ["NoAlias", "StateSuffixVariablePrefix", "ToolAlias"]


class ToolAlias(abc.ABC):
    """Base class of alias strategies.

    Subclasses implement :meth:`rename_state` and :meth:`rename_variable`; the rest (finding
    ``$.input.<variable>`` references in state data and rewriting them) is shared.

    Example::

        class UpperSuffix(ToolAlias):
            def rename_state(self, state_name, tool):
                return f"{state_name}_{self.alias.upper()}"

            def rename_variable(self, variable_name, tool):
                return f"{variable_name}_{self.alias.lower()}"
    """

    #: The key of the run input under which flow variables live.
    input_location = "input"

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.alias!r})"

    @abc.abstractmethod
    def rename_state(self, state_name: str, tool: GladierBaseTool | None) -> str:
        """Return the aliased name of state ``state_name`` of ``tool``."""

    @abc.abstractmethod
    def rename_variable(self, variable_name: str, tool: GladierBaseTool | None) -> str:
        """Return the aliased name of input variable ``variable_name`` of ``tool``."""

    def _input_prefix(self) -> str:
        return f"$.{self.input_location}."

    def get_input_variable(
        self, flow_input_variable: str, tool_inputs: Iterable[str]
    ) -> str | None:
        """Return the tool input a path like ``$.input.<name>`` refers to, or ``None``.

        The path may continue below the variable (``$.input.<name>.sub`` or ``$.input.<name>[0]``).

        Example::

            >>> StateSuffixVariablePrefix("A").get_input_variable("$.input.x.y", ["x"])
            'x'
        """
        prefix = self._input_prefix()
        if not isinstance(flow_input_variable, str) or not flow_input_variable.startswith(prefix):
            return None
        rest = flow_input_variable[len(prefix) :]
        end = len(rest)
        for stop in (".", "["):
            position = rest.find(stop)
            if position != -1:
                end = min(end, position)
        name = rest[:end]
        return name if name and name in set(tool_inputs) else None

    def rename_input_path(
        self, value: str, tool_inputs: Iterable[str], tool: GladierBaseTool | None
    ) -> str:
        """Rename the variable in one ``$.input.<name>...`` path if it is a tool input.

        Example::

            >>> StateSuffixVariablePrefix("A").rename_input_path("$.input.x[0]", ["x"], None)
            '$.input.a_x[0]'
        """
        name = self.get_input_variable(value, tool_inputs)
        if name is None:
            return value
        prefix = self._input_prefix()
        rest = value[len(prefix) + len(name) :]
        return f"{prefix}{self.rename_variable(name, tool)}{rest}"

    def rename_input_variables(
        self, state_data: Any, tool_inputs: Iterable[str], tool: GladierBaseTool | None
    ) -> Any:
        """Return a copy of ``state_data`` with every ``$.input.<tool input>`` path renamed.

        Strings are rewritten wherever they appear: as dict values, in lists, at any depth.

        Example::

            >>> alias = StateSuffixVariablePrefix("Second")
            >>> state = {"Parameters": {"src.$": "$.input.src"}}
            >>> alias.rename_input_variables(state, ["src"], None)
            {'Parameters': {'src.$': '$.input.second_src'}}
        """
        inputs = list(tool_inputs)
        return _rewrite_strings(state_data, lambda s: self.rename_input_path(s, inputs, tool))


def _rewrite_strings(data: Any, rewrite: Any) -> Any:
    """Deep-copy JSON-like ``data``, passing every string through ``rewrite``."""
    if isinstance(data, str):
        return rewrite(data)
    if isinstance(data, Mapping):
        return {key: _rewrite_strings(value, rewrite) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_rewrite_strings(item, rewrite) for item in data]
    return data


class NoAlias(ToolAlias):
    """An alias strategy that renames nothing.

    Example::

        >>> NoAlias("X").rename_state("Tar", None)
        'Tar'
    """

    def rename_state(self, state_name: str, tool: GladierBaseTool | None) -> str:
        return state_name

    def rename_variable(self, variable_name: str, tool: GladierBaseTool | None) -> str:
        return variable_name


class StateSuffixVariablePrefix(ToolAlias):
    """The default strategy: ``Tar`` → ``TarFirst`` and ``tar_input`` → ``first_tar_input``.

    Example::

        >>> StateSuffixVariablePrefix("MyAlias").rename_variable("path", None)
        'my_alias_path'
    """

    def rename_state(self, state_name: str, tool: GladierBaseTool | None) -> str:
        return f"{state_name}{self.alias}"

    def rename_variable(self, variable_name: str, tool: GladierBaseTool | None) -> str:
        return f"{get_snake_case(self.alias)}_{variable_name}"
