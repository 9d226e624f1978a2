"""Apply a tool's alias to its flow definition.

What every aliased tool gets (as in Gladier 0.11): each state name goes through the alias class's
``rename_state``; every ``$.input.<var>`` path whose variable the tool declares (``required_input``
and ``flow_input``, minus ``alias_exempt``) goes through ``rename_variable``; ``StartAt``,
``Next`` and choice ``Next`` follow the renamed states. Fixed here: ``Default`` and ``Catch``
targets are renamed too, states reachable only through a ``Catch`` are kept, paths below a
variable (``$.input.var.sub``) are renamed, and ``flow_transition_states`` are renamed.

What generated compute states get in addition (0.11 left these alone, so two aliased copies of a
compute tool collided): for alias ``First`` of a tool generating state ``Tar`` from ``tar``

* every path rooted at the state's result (``ResultPath`` ``$.Tar``, and references such as
  ``$.Tar.details.results`` from modifiers) is rooted at ``$.TarFirst``;
* the function id is read from ``$.input.first_tar_function_id``;
* the payload ``$.input`` becomes an object that hands the function each declared input under its
  own name, read from the aliased key: ``{"tar_input.$": "$.input.first_tar_input", ...}``.

Example::

    >>> from gladier.flowgen.tool import GladierBaseTool
    >>> from gladier.flowgen.tool_alias import StateSuffixVariablePrefix
    >>> class Copy(GladierBaseTool):
    ...     required_input = ["src"]
    ...     flow_definition = {"StartAt": "Copy", "States": {"Copy": {
    ...         "Type": "Pass", "Parameters": {"src.$": "$.input.src"}, "End": True}}}
    >>> alias_tool_definition(Copy("Two", StateSuffixVariablePrefix))["States"]
    {'CopyTwo': {'Type': 'Pass', 'Parameters': {'src.$': '$.input.two_src'}, 'End': True}}
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from gladier.exc import FlowGenException
from gladier.flowgen.compute_states import (
    ComputeFunction,
    generated_compute_states,
    tool_compute_functions,
    tool_label,
)
from gladier.flowgen.names import get_compute_function_name
from gladier.flowgen.traversal import iter_flow

__all__ = [
    "alias_tool_definition",
    "aliased_input_name",
    "aliased_state_name",
    "declared_inputs",
    "function_id_inputs",
    "generated_state_functions",
    "is_aliased",
]


def is_aliased(tool: Any) -> bool:
    """Whether the tool has an alias and an alias class to apply it."""
    return bool(getattr(tool, "alias", None)) and getattr(tool, "alias_renamer", None) is not None


def aliased_state_name(tool: Any, state_name: str) -> str:
    """The name state ``state_name`` of ``tool`` has in a flow (renamed when aliased)."""
    if not is_aliased(tool):
        return state_name
    return str(tool.alias_renamer.rename_state(state_name, tool))


def aliased_input_name(tool: Any, variable: str) -> str:
    """The flow input key for ``variable`` of ``tool`` (unchanged when exempt or un-aliased)."""
    if not is_aliased(tool) or variable in (getattr(tool, "alias_exempt", None) or ()):
        return variable
    return str(tool.alias_renamer.rename_variable(variable, tool))


def declared_inputs(tool: Any) -> list[str]:
    """The tool's own input names: ``required_input`` then ``flow_input`` keys, each once."""
    names: dict[str, None] = {}
    for name in list(getattr(tool, "required_input", None) or []):
        names[name] = None
    for name in dict(getattr(tool, "flow_input", None) or {}):
        names[name] = None
    return list(names)


def generated_state_functions(tool: Any) -> dict[str, ComputeFunction]:
    """``{state name in the flow: function}`` for the states a tool generated from functions."""
    return {
        aliased_state_name(tool, name): function
        for name, function in generated_compute_states(tool).items()
    }


def function_id_inputs(tool: Any) -> dict[str, ComputeFunction]:
    """``{flow input key: function}`` for every function id the tool's flow reads.

    A client registers each function and puts its id under that key. Keys are
    ``<function name>_function_id``; for an aliased tool with a generated flow they are aliased
    (``first_tar_function_id``), so aliased copies of different tools that share a function name
    never share an id.

    Example::

        >>> from gladier.flowgen.tool import GladierBaseTool
        >>> def tar(**data): ...
        >>> class Tar(GladierBaseTool):
        ...     compute_functions = [tar]
        >>> list(function_id_inputs(Tar()))
        ['tar_function_id']
    """
    generated = list(generated_compute_states(tool).values())
    result: dict[str, ComputeFunction] = {}
    for function in tool_compute_functions(tool):
        key = get_compute_function_name(function)
        if any(function is g for g in generated):
            key = aliased_input_name(tool, key)
        result[key] = function
    return result


def _rewrite(data: Any, rewrite: Callable[[str], str]) -> Any:
    """Deep-copy JSON-like ``data`` passing every string value through ``rewrite``."""
    if isinstance(data, str):
        return rewrite(data)
    if isinstance(data, Mapping):
        return {key: _rewrite(value, rewrite) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_rewrite(item, rewrite) for item in data]
    return data


def _rename_transitions(state: dict[str, Any], rename: Callable[[str], str]) -> None:
    for key in ("Next", "Default"):
        if isinstance(state.get(key), str):
            state[key] = rename(state[key])
    for group in ("Choices", "Catch"):
        for entry in state.get(group) or []:
            if isinstance(entry, dict) and isinstance(entry.get("Next"), str):
                entry["Next"] = rename(entry["Next"])


def _state_path_renamer(renames: Mapping[str, str]) -> Callable[[str], str]:
    """Rewrite ``$.<Old>``, ``$.<Old>.x`` and ``$.<Old>[0]`` into the new state's root."""

    def rewrite(value: str) -> str:
        if not value.startswith("$."):
            return value
        for old, new in renames.items():
            root = f"$.{old}"
            if value == root or value.startswith((root + ".", root + "[")):
                return f"$.{new}{value[len(root) :]}"
        return value

    return rewrite


def _aliased_payload(tool: Any) -> dict[str, str] | None:
    """The payload object of an aliased compute state, or ``None`` if nothing is renamed."""
    names = declared_inputs(tool)
    mapping = {f"{name}.$": f"$.input.{aliased_input_name(tool, name)}" for name in names}
    if all(aliased_input_name(tool, name) == name for name in names):
        return None
    return mapping


def _alias_compute_state(tool: Any, state: dict[str, Any], function: ComputeFunction) -> Any:
    id_key = get_compute_function_name(function)
    old_ref, new_ref = f"$.input.{id_key}", f"$.input.{aliased_input_name(tool, id_key)}"
    state = _rewrite(state, lambda value: new_ref if value == old_ref else value)
    payload = _aliased_payload(tool)
    parameters = state.get("Parameters")
    tasks = parameters.get("tasks") if isinstance(parameters, dict) else None
    if payload is None or not isinstance(tasks, list):
        return state
    for position, task in enumerate(tasks):
        if not isinstance(task, dict):
            continue
        rebuilt: dict[str, Any] = {}
        for key, value in task.items():
            if key in ("payload.$", "kwargs.$") and value == "$.input":
                rebuilt[key[:-2]] = dict(payload)
            else:
                rebuilt[key] = value
        tasks[position] = rebuilt
    return state


def alias_tool_definition(tool: Any) -> dict[str, Any]:
    """Return the tool's ``flow_definition`` with its alias applied (see the module docs).

    Raises :class:`~gladier.exc.FlowGenException` when the tool has no usable definition.
    """
    definition = getattr(tool, "flow_definition", None)
    if not isinstance(definition, Mapping) or not isinstance(definition.get("States"), Mapping):
        raise FlowGenException(
            f"{tool_label(tool)} has no flow definition with States to alias: set "
            "flow_definition on the tool or decorate it with @generate_flow_definition"
        )
    if not is_aliased(tool):
        return copy.deepcopy(dict(definition))
    renamer = tool.alias_renamer
    states: Mapping[str, Any] = definition["States"]
    inputs = tool.get_original_inputs()
    generated = {name: fn for name, fn in generated_compute_states(tool).items() if name in states}

    def rename(name: str) -> str:
        return str(renamer.rename_state(name, tool))

    order = [name for name, _ in iter_flow(definition)]
    order += [name for name in states if name not in set(order)]
    new_states: dict[str, Any] = {}
    for name in order:
        data = renamer.rename_input_variables(states[name], inputs, tool)
        if isinstance(data, dict):
            _rename_transitions(data, rename)
            if name in generated:
                data = _alias_compute_state(tool, data, generated[name])
        new_states[rename(name)] = data
    if generated:
        path_renamer = _state_path_renamer({name: rename(name) for name in generated})
        new_states = {name: _rewrite(data, path_renamer) for name, data in new_states.items()}
    aliased = copy.deepcopy(dict(definition))
    aliased["States"] = new_states
    if isinstance(definition.get("StartAt"), str):
        aliased["StartAt"] = rename(definition["StartAt"])
    return aliased
