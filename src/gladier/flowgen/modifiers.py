"""Flow modifiers: change generated states without writing the flow by hand.

A modifiers dict is keyed by a compute function, a function name or a state name; each value is a
dict of changes for the matching state(s)::

    @generate_flow_definition(modifiers={
        tar: {"endpoint": "non_compute_endpoint", "WaitTime": 600},
        "encrypt": {"payload": tar},
    })

Keys of a change dict:

* state keys (any state): ``Type, ActionUrl, WaitTime, ExceptionOnActionFailure, RunAs,
  InputPath, Parameters, ResultPath, Catch, ActionScope, Next, End``; their value is written
  as given (``None`` removes the key; a function or function name given to ``Next`` names the
  state that runs it);
* compute v2 keys (``endpoint``, ``payload``: every task; ``tasks``: the Parameters);
* compute v3 keys (``endpoint_id, tasks, task_group_id, user_endpoint_config,
  resource_specification, create_queue``: the Parameters).

Values of compute keys are resolved as Gladier does: a function, a function name or a state name
becomes that state's result, ``$.<State>.details.results``; any other bare string becomes the
input key ``$.input.<string>``; a ``$.`` path is used as is, under the key ``<key>.$``. Other
values (numbers, lists, objects) are written as given. A string starting with ``=`` is an
expression, written under ``<key>.=``.

Example::

    >>> definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    >>> context = ModifierContext(definition, {"A": StateTarget("A", "plain")})
    >>> apply_modifiers(definition, {"A": {"ResultPath": "$.a"}}, context)["States"]["A"]
    {'Type': 'Pass', 'End': True, 'ResultPath': '$.a'}
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gladier.exc import FlowGenException, FlowModifierException
from gladier.flowgen.aliases import generated_state_functions
from gladier.flowgen.compute_states import (
    ComputeFunction,
    is_legacy_funcx_tool,
    tool_compute_functions,
    tool_label,
    uses_compute_v3,
)
from gladier.flowgen.names import get_upper_camel_case

__all__ = [
    "COMPUTE_V2_MODIFIERS",
    "COMPUTE_V3_MODIFIERS",
    "MIGRATION_GUIDE_URL",
    "STATE_MODIFIERS",
    "ModifierContext",
    "StateTarget",
    "apply_modifiers",
    "modifier_kind",
    "valid_modifier_names",
]

log = logging.getLogger(__name__)

#: Keys that change the state itself; valid on every state.
STATE_MODIFIERS = frozenset(
    {
        "Type",
        "ActionUrl",
        "WaitTime",
        "ExceptionOnActionFailure",
        "RunAs",
        "InputPath",
        "Parameters",
        "ResultPath",
        "Catch",
        "ActionScope",
        "Next",
        "End",
    }
)
#: Keys of a compute state on the v2 provider.
COMPUTE_V2_MODIFIERS = frozenset({"endpoint", "payload", "tasks"})
#: Keys of a compute state on the v3 provider.
COMPUTE_V3_MODIFIERS = frozenset(
    {
        "endpoint_id",
        "tasks",
        "task_group_id",
        "user_endpoint_config",
        "resource_specification",
        "create_queue",
    }
)
#: Where users of pre-0.9 ``funcx_functions`` tools learn how to update them.
MIGRATION_GUIDE_URL = "https://gladier.readthedocs.io/en/latest/migration.html"

_KIND_KEYS = {
    "plain": STATE_MODIFIERS,
    "compute_v2": STATE_MODIFIERS | COMPUTE_V2_MODIFIERS,
    "compute_v3": STATE_MODIFIERS | COMPUTE_V3_MODIFIERS,
}


def modifier_kind(tool: Any) -> str:
    """``"compute_v2"``, ``"compute_v3"`` or ``"plain"``: which keys the tool's states accept.

    As in Gladier 0.11 this follows the tool: every state of a tool with compute functions is a
    compute state (v3 when its ``action_url`` is the v3 provider). States that come from the
    state-builder API (a :class:`~gladier.flowgen.state_tool.StateTool`, whose ``plain_states``
    is true) are plain.
    """
    if tool is None or getattr(tool, "plain_states", False) is True:
        return "plain"
    if not tool_compute_functions(tool):
        return "plain"
    return "compute_v3" if uses_compute_v3(tool) else "compute_v2"


def valid_modifier_names(kind: str) -> frozenset[str]:
    """All modifier keys a state of ``kind`` accepts."""
    return _KIND_KEYS[kind]


@dataclass(frozen=True)
class StateTarget:
    """What modifiers need to know about one state of the definition."""

    name: str
    kind: str = "plain"
    tool: Any = None
    function: ComputeFunction | None = None


def _describe_key(key: Any) -> str:
    if isinstance(key, str):
        return repr(key)
    return f"function {getattr(key, '__name__', key)!r}"


class ModifierContext:
    """Resolves modifier keys and values against one definition and the tools behind it.

    Build it with :meth:`for_tool` (a tool's generated flow) or :meth:`for_tools` (a client's
    chained flow).
    """

    def __init__(
        self,
        definition: Mapping[str, Any],
        targets: Mapping[str, StateTarget],
        owner: str = "the flow",
    ) -> None:
        self.definition = definition
        self.targets = dict(targets)
        self.owner = owner

    @classmethod
    def for_tool(
        cls,
        tool: Any,
        definition: Mapping[str, Any],
        functions: Mapping[str, ComputeFunction] | None = None,
    ) -> ModifierContext:
        """Context for one tool's own definition; ``functions`` maps states to functions."""
        kind = modifier_kind(tool)
        functions = dict(functions or {})
        targets = {
            name: StateTarget(name, kind, tool, functions.get(name))
            for name in definition["States"]
        }
        return cls(definition, targets, owner=tool_label(tool))

    @classmethod
    def for_tools(
        cls,
        tools: Iterable[Any],
        definition: Mapping[str, Any],
        owners: Mapping[str, Any],
        owner: str = "the client",
    ) -> ModifierContext:
        """Context for a chained definition; ``owners`` maps each state to its tool."""
        functions: dict[str, ComputeFunction] = {}
        for tool in tools:
            functions.update(generated_state_functions(tool))
        targets = {}
        for name in definition["States"]:
            tool = owners.get(name)
            targets[name] = StateTarget(name, modifier_kind(tool), tool, functions.get(name))
        return cls(definition, targets, owner=owner)

    # -- keys -------------------------------------------------------------------------------

    def _by_function(self, matches: Callable[[ComputeFunction], bool]) -> list[str]:
        return [t.name for t in self.targets.values() if t.function and matches(t.function)]

    def states_for_key(self, key: Any) -> list[str]:
        """The state names a modifier key applies to (empty when it matches nothing).

        A state name matches itself. A function (or its name) matches every state generated from
        it, including aliased copies; failing that, the state named after it in UpperCamelCase.
        """
        if isinstance(key, str):
            if key in self.targets:
                return [key]
            found = self._by_function(lambda f: f.__name__ == key)
            camel = get_upper_camel_case(key) if key else key
        elif callable(key) and hasattr(key, "__name__"):
            found = self._by_function(lambda f: f is key) or self._by_function(
                lambda f: f.__name__ == key.__name__
            )
            camel = get_upper_camel_case(key.__name__)
        else:
            raise FlowModifierException(
                f"{self.owner}: modifier key {key!r} must be a compute function, a function "
                "name or a state name"
            )
        if found:
            return found
        return [camel] if camel in self.targets else []

    # -- values -----------------------------------------------------------------------------

    def state_of_function(self, function: Any, near: Any = None) -> str | None:
        """The state a function (or function name) runs in, preferring the states of ``near``.

        Returns ``None`` when no state runs it; raises
        :class:`~gladier.exc.FlowModifierException` when several do and none belongs to ``near``.
        """
        if isinstance(function, str):
            candidates = self._by_function(lambda f: f.__name__ == function)
            name = function
        else:
            candidates = self._by_function(lambda f: f is function) or self._by_function(
                lambda f: f.__name__ == function.__name__
            )
            name = function.__name__
        if len(candidates) > 1:
            mine = [c for c in candidates if self.targets[c].tool is near]
            if len(mine) == 1:
                return mine[0]
            raise FlowModifierException(
                f"{self.owner}: modifier value {_describe_key(function)} is ambiguous, it runs "
                f"in several states ({', '.join(candidates)}): give the state name instead"
            )
        if candidates:
            return candidates[0]
        # A hand-written compute tool: the state named after the function, if there is one.
        known = any(
            f is function or f.__name__ == name
            for target in self.targets.values()
            if target.tool is not None and target.kind != "plain"
            for f in tool_compute_functions(target.tool)
        )
        camel = get_upper_camel_case(name)
        if known and camel in self.targets:
            return camel
        return None

    def resolve_value(self, key: str, value: Any, target: StateTarget) -> Any:
        """Resolve a compute-key value to what is written into the state (see module docs)."""
        if isinstance(value, str):
            if value.startswith(("$.", "=")):
                return value
            state = self.state_of_function(value, target.tool)
            if state is None and value in self.targets:
                state = value
            return f"$.{state}.details.results" if state else f"$.input.{value}"
        if callable(value) and hasattr(value, "__name__"):
            state = self.state_of_function(value, target.tool)
            if state is None:
                raise FlowModifierException(
                    f'{self.owner}: modifier "{key}" of state "{target.name}" refers to '
                    f"{_describe_key(value)}, which no state of this flow runs; give a state "
                    "name, an input name or a $. path instead"
                )
            return f"$.{state}.details.results"
        return value


def _set_template_value(item: dict[str, Any], key: str, value: Any) -> None:
    """Write ``key`` into a Parameters template, choosing the plain, ``.$`` or ``.=`` form."""
    for existing in (key, f"{key}.$", f"{key}.="):
        item.pop(existing, None)
    if isinstance(value, str) and value.startswith("$."):
        item[f"{key}.$"] = value
    elif isinstance(value, str) and value.startswith("="):
        item[f"{key}.="] = value[1:]
    else:
        item[key] = value


def _set_state_value(
    state: dict[str, Any], key: str, value: Any, target: StateTarget, context: ModifierContext
) -> None:
    state.pop(key, None)
    state.pop(f"{key}.$", None)
    if value is None:
        return
    if key == "Next" and isinstance(value, str) and value not in context.targets:
        value = context.state_of_function(value, target.tool) or value
    elif key == "Next" and callable(value) and hasattr(value, "__name__"):
        resolved = context.state_of_function(value, target.tool)
        if resolved is None:
            raise FlowModifierException(
                f'{context.owner}: "Next" of state "{target.name}" refers to '
                f"{_describe_key(value)}, which no state of this flow runs"
            )
        value = resolved
    state[key] = value


def _check_keys(changes: Mapping[str, Any], target: StateTarget, key: Any, owner: str) -> None:
    valid = valid_modifier_names(target.kind)
    unknown = [name for name in changes if name not in valid]
    if unknown:
        raise FlowModifierException(
            f"{owner}: Unsupported modifier(s) {', '.join(map(repr, unknown))} for "
            f'{_describe_key(key)} (state "{target.name}"). The only supported modifiers are: '
            f"{', '.join(sorted(valid))}"
        )


def _parameters(state: dict[str, Any], key: str, target: StateTarget) -> dict[str, Any]:
    parameters = state.get("Parameters")
    if not isinstance(parameters, dict):
        raise FlowModifierException(
            f'Cannot apply modifier "{key}" to state "{target.name}": the state has no '
            "Parameters object (was it replaced by an InputPath or Parameters modifier?)"
        )
    return parameters


def _apply_changes(
    state: dict[str, Any], changes: Mapping[str, Any], target: StateTarget, context: ModifierContext
) -> None:
    for key, value in changes.items():
        log.debug('Applying modifier "%s" to %s, value %r', key, target.name, value)
        if key in STATE_MODIFIERS:
            _set_state_value(state, key, value, target, context)
            continue
        resolved = context.resolve_value(key, value, target)
        parameters = _parameters(state, key, target)
        if target.kind == "compute_v3" or key == "tasks":
            _set_template_value(parameters, key, resolved)
            continue
        tasks = parameters.get("tasks")
        if not isinstance(tasks, list):
            raise FlowModifierException(
                f'Cannot apply modifier "{key}" to state "{target.name}": its tasks come from '
                f"the path {parameters.get('tasks.$')!r}, so there is no task to change; build "
                f'the "{key}" into the tasks that path produces'
            )
        for task in tasks:
            if isinstance(task, dict):
                _set_template_value(task, key, resolved)


def apply_modifiers(
    definition: dict[str, Any],
    modifiers: Mapping[Any, Any],
    context: ModifierContext,
    *,
    matching_only: bool = False,
) -> dict[str, Any]:
    """Apply ``modifiers`` to ``definition`` in place and return it.

    Raises :class:`~gladier.exc.FlowModifierException` for a key that matches no state (unless
    ``matching_only``), an unsupported change key, a function value no state runs, or a modifier
    on a pre-0.9 ``funcx_functions`` tool; :class:`~gladier.exc.FlowGenException` when
    ``modifiers`` is not a dict.
    """
    if not isinstance(modifiers, Mapping):
        raise FlowGenException(
            "Modifiers must be a dict keyed by compute function, function name or state name, "
            "e.g. {my_function: {'WaitTime': 600}}"
        )
    for key, changes in modifiers.items():
        names = context.states_for_key(key)
        if not names:
            if matching_only:
                continue
            raise FlowModifierException(
                f"{context.owner}: Invalid Modifier {_describe_key(key)}: it matches no state. "
                f"States are: {', '.join(context.targets) or '(none)'}; key modifiers by compute "
                "function, function name or state name"
            )
        if not isinstance(changes, Mapping):
            raise FlowModifierException(
                f"{context.owner}: the modifier for {_describe_key(key)} must be a dict of "
                f"changes such as {{'WaitTime': 600}}, not {type(changes).__name__}"
            )
        for name in names:
            target = context.targets[name]
            if target.tool is not None and is_legacy_funcx_tool(target.tool):
                raise FlowModifierException(
                    f"Class {tool_label(target.tool)} is a Legacy Gladier tool pre-v0.9.0 "
                    '(it sets "funcx_functions"), and modifiers cannot be applied to it. Rename '
                    '"funcx_functions" to "compute_functions" (see the migration guide: '
                    f"{MIGRATION_GUIDE_URL})"
                )
            _check_keys(changes, target, key, context.owner)
            _apply_changes(definition["States"][name], changes, target, context)
    return definition
