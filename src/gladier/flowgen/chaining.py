"""Chain the flows of several tools into one definition, in tool order.

Each tool's flow starts where the previous one ended: its start state becomes the ``Next`` of the
previous flow's end state (or of every state the previous tool lists in
``flow_transition_states``, which a tool with several end states must set).

Example::

    >>> from gladier.flowgen.tool import GladierBaseTool
    >>> class A(GladierBaseTool):
    ...     flow_definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    >>> class B(GladierBaseTool):
    ...     flow_definition = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
    >>> ToolChain(flow_comment="A then B").chain([A(), B()]).flow_definition["States"]["A"]
    {'Type': 'Pass', 'Next': 'B'}
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from gladier.exc import FlowGenException, StateNameConflict
from gladier.flowgen.compute_states import tool_label
from gladier.flowgen.traversal import get_end_states

__all__ = ["ToolChain"]

log = logging.getLogger(__name__)


def _alias_hint(tool: Any) -> str:
    cls = type(tool)
    return (
        f'give one of the tools an alias, e.g. "{cls.__module__}.{cls.__qualname__}:Second" in '
        f'gladier_tools, or {cls.__name__}(alias="Second", alias_class=StateSuffixVariablePrefix)'
    )


class ToolChain:
    """Builds one flow definition out of tools (or single states), in order.

    ``state_owners`` maps each chained state name to the tool it came from (``None`` for states
    added with :meth:`chain_state`).

    Example::

        chain = ToolChain(flow_comment="My flow").chain(client.tools)
        definition = chain.flow_definition
    """

    def __init__(self, flow_comment: str | None = None) -> None:
        self._flow_definition: dict[str, Any] = {
            "States": {},
            "Comment": flow_comment,
            "StartAt": None,
        }
        self.transition_states: list[str] = []
        self.state_owners: dict[str, Any] = {}
        self._cannot_continue: str | None = None

    @property
    def flow_definition(self) -> dict[str, Any]:
        """A copy of the chained definition; its ``Comment`` defaults to the list of states."""
        definition = copy.deepcopy(self._flow_definition)
        if not definition.get("Comment"):
            definition["Comment"] = f"Flow with states: {', '.join(definition['States'])}"
        return definition

    def chain(self, tools: Iterable[Any]) -> ToolChain:
        """Append each tool's flow, in order. Returns ``self``.

        Raises :class:`~gladier.exc.StateNameConflict` when two tools define the same state
        name, and :class:`~gladier.exc.FlowGenException` for a tool without a usable flow or a
        flow whose continuation point is ambiguous.
        """
        tools = list(tools)
        definitions = self._check(tools)
        for tool, definition in zip(tools, definitions, strict=True):
            log.debug("Chaining %s (%d states so far)", tool_label(tool), len(self.state_owners))
            self._chain_flow(definition, tool)
        return self

    def chain_state(self, name: str, definition: Mapping[str, Any]) -> ToolChain:
        """Append one state (it becomes the new end of the flow). Returns ``self``."""
        state = copy.deepcopy(dict(definition))
        state.pop("Next", None)
        state["End"] = True
        if name in self._flow_definition["States"]:
            raise StateNameConflict(
                f'State "{name}" is already in the flow; choose another name for the new state'
            )
        self._chain_flow({"StartAt": name, "States": {name: state}})
        return self

    def check_tools(self, tools: Iterable[Any]) -> None:
        """Check that every tool has a flow and that no state name is defined twice."""
        self._check(list(tools))

    def _check(self, tools: list[Any]) -> list[dict[str, Any]]:
        seen: dict[str, Any] = dict(self.state_owners)
        definitions = []
        for tool in tools:
            definition = tool.get_flow_definition()
            if definition is None:
                raise FlowGenException(
                    f"Tool {tool_label(tool)} did not set a flow_definition: give it one, or "
                    "decorate it with @generate_flow_definition (tools with compute_functions)"
                )
            if not isinstance(definition, Mapping) or not isinstance(
                definition.get("States"), Mapping
            ):
                raise FlowGenException(
                    f"Tool {tool_label(tool)} has a flow_definition without a States object"
                )
            if definition.get("StartAt") not in definition["States"]:
                raise FlowGenException(
                    f"Tool {tool_label(tool)}: StartAt {definition.get('StartAt')!r} is not one "
                    f"of its states ({', '.join(definition['States'])})"
                )
            conflicts = [name for name in definition["States"] if name in seen]
            if conflicts:
                owners = {
                    tool_label(seen[name]) if seen[name] is not None else "an added state"
                    for name in conflicts
                }
                raise StateNameConflict(
                    f"States in tool {tool_label(tool)} have been defined more than once: "
                    f"{', '.join(sorted(conflicts))} (also in {', '.join(sorted(owners))}). State "
                    f"names must be unique within a flow: {_alias_hint(tool)}"
                )
            for name in definition["States"]:
                seen[name] = tool
            definitions.append(dict(definition))
        return definitions

    def _chain_flow(self, new_flow: Mapping[str, Any], tool: Any = None) -> None:
        states = self._flow_definition["States"]
        continuing = bool(states)
        if not continuing:
            self._flow_definition["StartAt"] = new_flow["StartAt"]
        elif self._cannot_continue is not None:
            raise FlowGenException(self._cannot_continue)
        new_states = copy.deepcopy(dict(new_flow["States"]))
        states.update(new_states)
        for name in new_states:
            self.state_owners[name] = tool
        if continuing:
            for name in self.transition_states:
                self.add_transition(name, new_flow["StartAt"])
        self._set_new_transition_states(new_flow, tool)

    def _set_new_transition_states(self, new_flow: Mapping[str, Any], tool: Any = None) -> None:
        """Remember where the next flow continues; explain later if it cannot."""
        if tool is not None:
            label = tool_label(tool)
            declared = list(tool.get_flow_transition_states() or [])
        else:
            label = "Flow with states: " + ", ".join(new_flow["States"])
            declared = []
        missing = [name for name in declared if name not in new_flow["States"]]
        if missing:
            raise FlowGenException(
                f"{label} lists flow_transition_states {missing} that are not states of its "
                f"flow ({', '.join(new_flow['States'])})"
            )
        ends = list(get_end_states(new_flow))
        self._cannot_continue = None
        if declared:
            self.transition_states = declared
        elif len(ends) == 1:
            self.transition_states = ends
        else:
            self.transition_states = []
            if ends:
                self._cannot_continue = (
                    f"{label} has multiple branching end states and must define which states a "
                    'flow may continue by setting "flow_transition_states" containing one or '
                    f"more of {', '.join(ends)}"
                )
            else:
                self._cannot_continue = (
                    f"{label}: could not find any end states in its flow (a state with "
                    "End: true, or without Next), so no tool can follow it; end the flow "
                    "somewhere or list the states to continue from in flow_transition_states"
                )

    def add_transition(self, cur_flow_term: str, new_chain_start: str) -> None:
        """Make state ``cur_flow_term`` continue at ``new_chain_start`` instead of ending."""
        state = self._flow_definition["States"].get(cur_flow_term)
        if state is None:
            raise FlowGenException(f'Cannot continue from "{cur_flow_term}": no such state')
        state.pop("End", None)
        log.debug("Chaining %s --> %s", cur_flow_term, new_chain_start)
        state["Next"] = new_chain_start
