"""The run state a run had on entering one of its states, read back from its log.

The log records the whole run state on entering every state but an Action (``<Type>Started``
carries it as ``input``), and after every Pass, Wait and ExpressionEval (``<Type>Completed``
carries it as ``output``). An Action's events carry its request body and its result instead;
the state around an Action is therefore replayed: the last whole state recorded, with each
Action result since written at the state's ``ResultPath`` (or the ``ResultPath`` of the Catch
that handled its error), exactly as the run did. ``_private`` keys are never in the log.

Example::

    from gladier.runtime.entry_state import state_on_entering

    entries = rt.get_run_logs(run_id, limit=100)["entries"]
    state = state_on_entering(compiled_flow, entries, "Publish")
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from gladier.exc import FlowRunError, ServiceError

if TYPE_CHECKING:
    from gladier.runtime.flow import CompiledFlow

#: ``<Type>Completed`` events whose ``output`` is the whole run state.
_WHOLE_STATE_OUTPUT = frozenset({"PassCompleted", "WaitCompleted", "ExpressionEvalCompleted"})


class NeverEntered(ServiceError):
    """The run's log has no entry into the state asked for."""

    http_status = 409
    code = "STATE_NOT_ENTERED"


def state_on_entering(
    flow: CompiledFlow, entries: Iterable[Mapping[str, Any]], state_name: str
) -> Any:
    """The run state on the last entry into ``state_name``, replayed from the log ``entries``
    (oldest first) of a run of ``flow``; :class:`NeverEntered` when it was never entered.

    Example::

        state_on_entering(flow, entries, "Publish")    # {'input': {...}, 'm': {...}}
    """
    state: Any = None
    found: list[Any] = []
    caught: dict[str, str] = {}  # state name -> the Catch's Next, until its Completed event
    entered: list[str] = []
    last = ""  # the state being run, until its result is recorded

    def enter(name: str) -> None:
        nonlocal last, found
        last = name
        if name not in entered:
            entered.append(name)
        if name == state_name:
            found = [_copy(state)]

    for entry in entries:
        code = str(entry.get("code") or "")
        details = entry.get("details")
        details = details if isinstance(details, Mapping) else {}
        name = str(details.get("state_name") or "")
        if code == "FlowStarted":
            state = _copy(details.get("input"))
        elif code.endswith("Started") and name:
            if code != "ActionStarted":
                state = _copy(details.get("input"))
            enter(name)
        elif code in ("ActionFailed", "ActionCompleted") and name and name != last:
            enter(name)  # an Action that could not even be started logs no ActionStarted
        elif code == "FlowFailed":
            failure = details.get("details")
            failed = str(failure.get("state_name") or "") if isinstance(failure, Mapping) else ""
            if failed and failed != last:
                enter(failed)
        if code == "ActionFailed" and name and details.get("next"):
            caught[name] = str(details["next"])
        elif code in _WHOLE_STATE_OUTPUT:
            state = _copy(details.get("output"))
            last = ""
        elif code == "ActionCompleted" and name:
            state = _with_result(flow, state, name, details.get("output"), caught.pop(name, None))
            last = ""
    if not found:
        went = ", ".join(repr(n) for n in entered) or "no state at all"
        raise NeverEntered(
            f"The run never entered state {state_name!r}; its log shows it entered {went}. "
            "Start the rerun at one of those, or at the start."
        )
    return found[0]


def _with_result(
    flow: CompiledFlow, state: Any, name: str, result: Any, catch_next: str | None
) -> Any:
    """``state`` with the result of Action ``name`` written where the run wrote it."""
    compiled = flow.states.get(name)
    if compiled is None:
        raise ServiceError(
            f"The run's log names a state {name!r} that its definition does not have.",
            code="BAD_REQUEST",
            http_status=400,
        )
    path = getattr(compiled, "result_path", None)
    if catch_next is not None:
        for catcher in getattr(compiled, "catchers", []):
            if catcher.next == catch_next:
                path = catcher.result_path
                break
    try:
        return compiled.write_result(state, path, _copy(result))
    except FlowRunError as err:
        raise ServiceError(
            f"The run state after state {name!r} cannot be replayed from the log: {err.cause}",
            code="BAD_REQUEST",
            http_status=400,
        ) from None


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


__all__ = ["NeverEntered", "state_on_entering"]
