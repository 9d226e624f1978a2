"""Compute action bodies, V2 and V3, read into a list of :class:`TaskSpec`.

V2 (``https://compute.actions.globus.org`` and the older funcX/Gladier URLs)::

    {"tasks": [{"endpoint": EP, "function": FN, "args": [...], "kwargs": {...}}]}
    {"tasks": [{"endpoint": EP, "func": FN, "payload": {...}}]}         # older flows
    {"endpoint": EP, "function": FN, "payload": {...}}                  # the single-task form

V3 (``https://compute.actions.globus.org/v3``)::

    {"endpoint_id": EP, "tasks": [{"function_id": FN, "args": [...], "kwargs": {...}}]}

``payload`` is the older name of ``kwargs``: a dict payload is passed as keyword arguments (as
on Globus), anything else as the single positional argument. ``args`` may be a list or a
single item; ``args`` and ``kwargs`` may also be JSON-encoded strings, as the V3 docs describe.

Example::

    parse_body({"tasks": [{"endpoint": "ep", "function": "fn", "payload": {"x": 1}}]}, "v2")
    # [TaskSpec(endpoint='ep', function_id='fn', args=[], kwargs={'x': 1})]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.exc import ActionProviderError

__all__ = ["TaskSpec", "parse_body"]

_SINGLE_KEYS = ("endpoint", "endpoint_id", "function", "func", "function_id")


@dataclass(frozen=True)
class TaskSpec:
    """One requested function call."""

    endpoint: str
    function_id: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)


def _bad(message: str) -> ActionProviderError:
    return ActionProviderError(message, {"code": "BadRequest", "description": message})


def parse_body(body: Any, dialect: str) -> list[TaskSpec]:
    """The tasks of a V2 (``dialect="v2"``) or V3 (``"v3"``) body; ActionProviderError if bad."""
    if not isinstance(body, Mapping):
        raise _bad(f"A Compute action body must be an object, not {type(body).__name__}")
    if dialect == "v3":
        return _parse_v3(body)
    return _parse_v2(body)


def _parse_v2(body: Mapping[str, Any]) -> list[TaskSpec]:
    tasks = body.get("tasks")
    if tasks is None or tasks == []:
        if not any(key in body for key in _SINGLE_KEYS):
            raise _bad(
                "A Compute action body needs 'tasks': [{'endpoint': ..., 'function': ..., "
                "'kwargs': {...}}], or 'endpoint' and 'function' at the top level"
            )
        return [_v2_task(body, "body")]
    if not isinstance(tasks, list):
        raise _bad(f"'tasks' must be a list of task objects, not {type(tasks).__name__}")
    return [_v2_task(task, f"tasks[{i}]") for i, task in enumerate(tasks)]


def _v2_task(task: Any, where: str) -> TaskSpec:
    if not isinstance(task, Mapping):
        raise _bad(f"{where} must be an object, not {type(task).__name__}")
    endpoint = task.get("endpoint", task.get("endpoint_id"))
    function = task.get("function", task.get("func", task.get("function_id")))
    if not isinstance(endpoint, str) or not endpoint:
        raise _bad(f"{where}: 'endpoint' (the compute endpoint id) is missing")
    if not isinstance(function, str) or not function:
        raise _bad(f"{where}: 'function' (a registered function id) is missing")
    args, kwargs = _arguments(task, where, allow_payload=True)
    return TaskSpec(endpoint, function, args, kwargs)


def _parse_v3(body: Mapping[str, Any]) -> list[TaskSpec]:
    endpoint = body.get("endpoint_id")
    if not isinstance(endpoint, str) or not endpoint:
        raise _bad("A V3 Compute action body needs 'endpoint_id'")
    tasks = body.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise _bad("A V3 Compute action body needs 'tasks': a non-empty list")
    specs = []
    for i, task in enumerate(tasks):
        where = f"tasks[{i}]"
        if not isinstance(task, Mapping):
            raise _bad(f"{where} must be an object, not {type(task).__name__}")
        function = task.get("function_id")
        if not isinstance(function, str) or not function:
            raise _bad(f"{where}: 'function_id' is missing")
        if "payload" in task:
            raise _bad(f"{where}: V3 tasks take 'args' and 'kwargs', not 'payload'")
        args, kwargs = _arguments(task, where, allow_payload=False)
        specs.append(TaskSpec(endpoint, function, args, kwargs))
    return specs


def _arguments(
    task: Mapping[str, Any], where: str, *, allow_payload: bool
) -> tuple[list[Any], dict[str, Any]]:
    args = _args(task.get("args"), where)
    kwargs = _kwargs(task.get("kwargs"), where)
    if allow_payload and "payload" in task:
        payload = task["payload"]
        if "kwargs" in task:
            raise _bad(f"{where}: give 'kwargs' or its older name 'payload', not both")
        if isinstance(payload, Mapping):
            kwargs = dict(payload)
        else:
            if "args" in task:
                raise _bad(f"{where}: a payload that is not an object cannot be given with args")
            args = [payload]
    return args, kwargs


def _args(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return list(decoded) if isinstance(decoded, list) else [value]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _kwargs(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _bad(f"{where}: 'kwargs' must be an object (or its JSON text)") from None
    if not isinstance(value, Mapping):
        raise _bad(f"{where}: 'kwargs' must be an object, not {type(value).__name__}")
    return dict(value)
