"""Walk the states of a flow definition the way Gladier's flow generation does.

The walk starts at ``StartAt`` and follows ``Next``, a Choice's ``Default`` and each choice's
``Next`` (and, when asked, ``Catch`` targets), depth first, visiting every state once. It never
recurses, so long flows and flows with loops are fine.

Example::

    >>> flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
    ...                                    "B": {"Type": "Pass", "End": True}}}
    >>> [name for name, _ in iter_flow(flow)], list(get_end_states(flow))
    (['A', 'B'], ['B'])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from gladier.exc import FlowGenException

__all__ = [
    "STATE_TRANSITION_KEYS",
    "get_end_states",
    "get_transition",
    "iter_flow",
    "iter_flow_states",
]

#: Keys that move a run (or the walk) on to another state, in the order they are looked up.
STATE_TRANSITION_KEYS = ("Next", "Default", "StartAt")

#: State types that can never end a branch that another tool continues from.
_NEVER_CONTINUED = {"Choice", "Fail"}


def get_transition(state: Mapping[str, Any]) -> tuple[str, Any] | None:
    """Return ``(key, target)`` for the first transition key a state has, or ``None``.

    Example::

        >>> get_transition({"Type": "Choice", "Default": "Other"})
        ('Default', 'Other')
    """
    for key in STATE_TRANSITION_KEYS:
        if key in state:
            return key, state[key]
    return None


def _targets(state: Mapping[str, Any], follow_catch: bool) -> list[str]:
    """The states reachable in one step from ``state``, in walk order."""
    targets: list[str] = []
    transition = get_transition(state)
    if transition is not None and isinstance(transition[1], str):
        targets.append(transition[1])
    if state.get("Type") == "Choice":
        for choice in state.get("Choices") or []:
            if isinstance(choice, Mapping) and isinstance(choice.get("Next"), str):
                targets.append(choice["Next"])
    if follow_catch:
        for catcher in state.get("Catch") or []:
            if isinstance(catcher, Mapping) and isinstance(catcher.get("Next"), str):
                targets.append(catcher["Next"])
    return targets


def iter_flow_states(
    flow_states: Mapping[str, Any],
    state: str | None,
    previously_visited: Iterable[str] | None = None,
    *,
    follow_catch: bool = False,
) -> Iterator[tuple[str, Any]]:
    """Yield ``(name, state)`` depth first from ``state``, each state once.

    States named in ``previously_visited`` are skipped. A transition to a state missing from
    ``flow_states`` raises :class:`~gladier.exc.FlowGenException`.

    Example::

        >>> states = {"A": {"Type": "Pass", "Next": "A"}}
        >>> [name for name, _ in iter_flow_states(states, "A")]
        ['A']
    """
    if state is None:
        return
    visited = set(previously_visited or ())
    stack = [state]
    while stack:
        name = stack.pop()
        if name in visited:
            continue
        visited.add(name)
        if name not in flow_states:
            raise FlowGenException(
                f'State "{name}" is referenced but not in the definition; '
                f"defined states are: {', '.join(flow_states) or '(none)'}"
            )
        data = flow_states[name]
        yield name, data
        stack.extend(reversed(_targets(data, follow_catch)))


def iter_flow(
    flow_definition: Mapping[str, Any], *, follow_catch: bool = False
) -> Iterator[tuple[str, Any]]:
    """Yield ``(name, state)`` for every state reachable from the definition's ``StartAt``.

    Example::

        >>> flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> next(iter_flow(flow))
        ('A', {'Type': 'Pass', 'End': True})
    """
    yield from iter_flow_states(
        flow_definition["States"], flow_definition.get("StartAt"), follow_catch=follow_catch
    )


def get_end_states(flow_definition: Mapping[str, Any]) -> Iterator[str]:
    """Yield the names of the states where the flow ends normally, in walk order.

    An end state is a reachable state with ``End: true`` or with no transition at all. Choice and
    Fail states are never end states (a Choice always moves on, a Fail ends the run in failure),
    and states reachable only through a ``Catch`` are not considered.

    Example::

        >>> flow = {"StartAt": "C", "States": {
        ...     "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True,
        ...                                          "Next": "Ok"}], "Default": "Bad"},
        ...     "Ok": {"Type": "Pass", "End": True}, "Bad": {"Type": "Fail"}}}
        >>> list(get_end_states(flow))
        ['Ok']
    """
    for name, state in iter_flow(flow_definition):
        if state.get("Type") in _NEVER_CONTINUED:
            continue
        if get_transition(state) is None:
            yield name
