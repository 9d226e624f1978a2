"""Read action results out of Flows run documents, making compute failures readable.

A run document keeps each Action state's status document under ``details.output.<ResultPath>``.
When a compute task fails, its ``details.exception`` holds the failure: a traceback string, a
``{"type", "message", "traceback"}`` object (the embedded runtime), or a Globus Compute
serialized exception. These helpers turn any of them into traceback text.

Example::

    >>> run = {"details": {"output": {"Tar": {
    ...     "action_id": "a1", "status": "FAILED",
    ...     "details": {"exception": {"type": "ValueError", "message": "bad path"}}}}}}
    >>> get_details(run, "Tar")["details"]["exception"]
    'ValueError: bad path'
"""

from __future__ import annotations

import copy
import importlib.util
import traceback
from collections.abc import Mapping
from typing import Any

__all__ = [
    "automate_response_keys",
    "compute_response_keys",
    "deserialize_exception",
    "get_details",
    "is_automate_response",
    "is_compute_response",
]

#: Keys that mark an action status document.
automate_response_keys = frozenset({"action_id", "status", "state_name"})
#: Keys that mark the ``details`` of a compute action.
compute_response_keys = frozenset({"result", "results", "status", "exception", "task_id"})


def is_automate_response(state_output: Any) -> bool:
    """Whether ``state_output`` looks like an action status document.

    Example::

        >>> is_automate_response({"action_id": "x", "status": "SUCCEEDED"}), is_automate_response(3)
        (True, False)
    """
    return isinstance(state_output, Mapping) and bool(automate_response_keys & state_output.keys())


def is_compute_response(state_output: Any) -> bool:
    """Whether ``state_output`` is the status document of a compute action.

    Example::

        >>> is_compute_response({"action_id": "x", "details": {"results": []}})
        True
    """
    if not is_automate_response(state_output):
        return False
    details = state_output.get("details")
    return isinstance(details, Mapping) and bool(compute_response_keys & details.keys())


def _from_compute_serializer(encoded: str) -> str | None:
    """Decode a Globus Compute serialized exception when that SDK is installed."""
    if importlib.util.find_spec("globus_compute_sdk") is None:
        return None
    try:
        from globus_compute_sdk.serialize import ComputeSerializer

        remote = ComputeSerializer().deserialize(encoded)
    except Exception:
        return None
    reraise = getattr(remote, "reraise", None)
    if not callable(reraise):
        return str(remote)
    try:
        reraise()
    except Exception:
        return traceback.format_exc()
    return str(remote)


def deserialize_exception(encoded_exc: Any) -> str:
    """Return readable text (ideally a traceback) for a compute failure in any known shape.

    Accepts an exception object, a ``{"type", "message", "traceback"}`` mapping, traceback text,
    or (when ``globus-compute-sdk`` is installed) a Globus Compute serialized exception. Anything
    else is returned as its ``str``.

    Example::

        >>> deserialize_exception({"type": "KeyError", "message": "'tar_input'"})
        "KeyError: 'tar_input'"
    """
    if isinstance(encoded_exc, BaseException):
        return "".join(
            traceback.format_exception(type(encoded_exc), encoded_exc, encoded_exc.__traceback__)
        )
    if isinstance(encoded_exc, Mapping):
        text = encoded_exc.get("traceback")
        if isinstance(text, str) and text:
            return text
        kind = encoded_exc.get("type")
        message = encoded_exc.get("message")
        if kind and message is not None:
            return f"{kind}: {message}"
        return str(kind or message or dict(encoded_exc))
    if isinstance(encoded_exc, str):
        if "Traceback (most recent call last)" in encoded_exc:
            return encoded_exc
        decoded = _from_compute_serializer(encoded_exc)
        return decoded if decoded is not None else encoded_exc
    return str(encoded_exc)


def _readable(state_output: Any) -> Any:
    if is_compute_response(state_output):
        details = state_output["details"]
        if details.get("exception"):
            details["exception"] = deserialize_exception(details["exception"])
    return state_output


def get_details(response: Mapping[str, Any], state_name: str | None = None) -> Any:
    """Return one state's result from a run document, or the whole document, made readable.

    With ``state_name`` naming a state whose output is in the run, that status document is
    returned; otherwise a copy of the run document with every compute exception turned into text.
    The input is never modified.

    Example::

        >>> run = {"details": {"output": {"Ls": {"action_id": "a", "status": "SUCCEEDED",
        ...                                     "details": {"results": [{"output": ["x"]}]}}}}}
        >>> get_details(run, "Ls")["details"]["results"][0]["output"]
        ['x']
    """
    result = copy.deepcopy(dict(response))
    details = result.get("details")
    output = details.get("output") if isinstance(details, Mapping) else None
    if not isinstance(output, dict):
        return result
    if state_name is not None and is_automate_response(output.get(state_name)):
        return _readable(output[state_name])
    for name, data in output.items():
        output[name] = _readable(data)
    return result
