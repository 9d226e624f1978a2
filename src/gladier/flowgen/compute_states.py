"""Generate Globus Compute Action states from a tool's compute functions (as Gladier 0.11 does).

Each function becomes one state named after it in UpperCamelCase, the states run in list order,
and the last one ends the flow. The function's registered id is read from the flow input key
``<function name>_function_id``; the whole ``$.input`` is the function's keyword arguments.

Example::

    >>> def tar(**data):
    ...     "Archive a folder."
    >>> name, state = compute_state(tar)
    >>> name, state["ActionUrl"], state["Parameters"]["tasks"][0]["function.$"]
    ('Tar', 'https://compute.actions.globus.org', '$.input.tar_function_id')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from gladier.exc import FlowGenException
from gladier.flowgen.names import get_compute_flow_state_name, get_compute_function_name

__all__ = [
    "COMPUTE_ACTION_URL",
    "COMPUTE_V3_ACTION_URL",
    "GENERATED_STATES_ATTRIBUTE",
    "ComputeFunction",
    "compute_state",
    "compute_state_v2",
    "compute_state_v3",
    "generate_compute_flow",
    "generated_compute_states",
    "is_legacy_funcx_tool",
    "tool_compute_functions",
    "tool_label",
    "uses_compute_v3",
]

#: The Globus Compute action provider (API v2) that generated states call.
COMPUTE_ACTION_URL = "https://compute.actions.globus.org"
#: The v3 provider; a tool whose ``action_url`` equals it gets v3 states.
COMPUTE_V3_ACTION_URL = "https://compute.actions.globus.org/v3"
#: Instance attribute where a generated tool records ``{state name: function}``.
GENERATED_STATES_ATTRIBUTE = "_gladier_compute_states"

ComputeFunction = Callable[..., Any]


def tool_label(tool: Any) -> str:
    """A short human name for a tool in messages: its class, and its alias if any."""
    name = type(tool).__name__
    alias = getattr(tool, "alias", None)
    return f"{name} (alias {alias!r})" if alias else name


def tool_compute_functions(tool: Any) -> list[ComputeFunction]:
    """The tool's compute functions, falling back to the pre-0.9 ``funcx_functions``.

    Raises :class:`~gladier.exc.FlowGenException` when the attribute is not a list of functions.
    """
    functions = getattr(tool, "compute_functions", None) or getattr(tool, "funcx_functions", None)
    if not functions:
        return []
    if isinstance(functions, (str, bytes)) or not hasattr(functions, "__iter__"):
        raise FlowGenException(
            f"{tool_label(tool)}.compute_functions must be a list of functions, "
            f"got {type(functions).__name__}"
        )
    result = list(functions)
    for position, function in enumerate(result):
        if not callable(function) or not hasattr(function, "__name__"):
            raise FlowGenException(
                f"{tool_label(tool)}.compute_functions[{position}] is {function!r}, not a "
                "function: list the Python functions themselves, e.g. compute_functions = [tar]"
            )
    return result


def is_legacy_funcx_tool(tool: Any) -> bool:
    """Whether the tool only defines the pre-0.9 ``funcx_functions`` attribute."""
    return bool(getattr(type(tool), "funcx_functions", None)) and not getattr(
        type(tool), "compute_functions", None
    )


def uses_compute_v3(tool: Any) -> bool:
    """Whether the tool asks for v3 compute states (``action_url`` is the v3 provider)."""
    return getattr(tool, "action_url", None) == COMPUTE_V3_ACTION_URL


def compute_state_v2(function: ComputeFunction) -> tuple[str, dict[str, Any]]:
    """Return ``(state name, state)`` for one function on the v2 compute provider."""
    name = get_compute_flow_state_name(function)
    return name, {
        "Comment": function.__doc__,
        "Type": "Action",
        "ActionUrl": COMPUTE_ACTION_URL,
        "ExceptionOnActionFailure": False,
        "Parameters": {
            "tasks": [
                {
                    "endpoint.$": "$.input.compute_endpoint",
                    "function.$": f"$.input.{get_compute_function_name(function)}",
                    "payload.$": "$.input",
                }
            ]
        },
        "ResultPath": f"$.{name}",
        "WaitTime": 300,
    }


def compute_state_v3(function: ComputeFunction) -> tuple[str, dict[str, Any]]:
    """Return ``(state name, state)`` for one function on the v3 compute provider."""
    name = get_compute_flow_state_name(function)
    return name, {
        "Comment": function.__doc__,
        "Type": "Action",
        "ActionUrl": COMPUTE_V3_ACTION_URL,
        "ExceptionOnActionFailure": True,
        "Parameters": {
            "endpoint_id.$": "$.input.compute_endpoint",
            "tasks": [
                {
                    "function_id.$": f"$.input.{get_compute_function_name(function)}",
                    "kwargs.$": "$.input",
                }
            ],
        },
        "ResultPath": f"$.{name}",
        "WaitTime": 300,
    }


def compute_state(function: ComputeFunction, v3: bool = False) -> tuple[str, dict[str, Any]]:
    """Return ``(state name, state)`` for ``function`` (v2 provider unless ``v3``)."""
    return compute_state_v3(function) if v3 else compute_state_v2(function)


def generate_compute_flow(tool: Any) -> tuple[dict[str, Any], dict[str, ComputeFunction]]:
    """Build the linear flow of a tool's compute functions, without modifiers.

    Returns the definition and ``{state name: function}``. Raises
    :class:`~gladier.exc.FlowGenException` when the tool has no functions, or when two functions
    would produce the same state name.
    """
    functions = tool_compute_functions(tool)
    if not functions:
        raise FlowGenException(
            f"{tool_label(tool)} has no compute functions to generate a flow from: set "
            "compute_functions = [my_function] on the tool, or give it a hand-written "
            "flow_definition and remove @generate_flow_definition"
        )
    names = [get_compute_flow_state_name(f) for f in functions]
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        raise FlowGenException(
            f"{tool_label(tool)} contains duplicate function names: {duplicates}. Each compute "
            "function becomes a state named after it, and state names must be unique: rename "
            "or remove the duplicate"
        )
    v3 = uses_compute_v3(tool)
    states: dict[str, Any] = {}
    by_state: dict[str, ComputeFunction] = {}
    previous: str | None = None
    for function in functions:
        name, state = compute_state(function, v3)
        states[name] = state
        by_state[name] = function
        if previous is not None:
            states[previous]["Next"] = name
        previous = name
    assert previous is not None
    states[previous]["End"] = True
    definition = {
        "StartAt": names[0],
        "States": states,
        "Comment": f"Flow with states: {', '.join(states)}",
    }
    return definition, by_state


def generated_compute_states(tool: Any) -> dict[str, ComputeFunction]:
    """``{state name: function}`` of a tool whose flow was generated (un-aliased names)."""
    return dict(getattr(tool, GENERATED_STATES_ATTRIBUTE, None) or {})
