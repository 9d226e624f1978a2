"""Strict compute: every Compute state of a definition fails its run when its task fails.

Gladier generates Compute states with ``ExceptionOnActionFailure: false`` (as 0.11 does): a
function that raises leaves its state's result ``FAILED`` while the run goes on and can end
``SUCCEEDED``. :func:`strict_compute_definition` sets ``ExceptionOnActionFailure: true`` on
every state that calls the Compute action provider, so the failure raises
``ActionFailedException`` in the run (which a ``Catch`` may still handle) and an uncaught one
ends the run ``FAILED``. A client applies it with ``strict_compute = True``, and
``gladier run --strict`` does the same.

Example::

    >>> definition = {"StartAt": "A", "States": {"A": {
    ...     "Type": "Action", "ActionUrl": "https://compute.actions.globus.org",
    ...     "ExceptionOnActionFailure": False, "End": True}}}
    >>> strict_compute_definition(definition)["States"]["A"]["ExceptionOnActionFailure"]
    True
    >>> definition["States"]["A"]["ExceptionOnActionFailure"]       # the input is untouched
    False
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from gladier.runtime.compute.constants import COMPUTE_URLS

__all__ = ["is_compute_state", "strict_compute_definition"]


def is_compute_state(state: Any) -> bool:
    """Whether ``state`` is an Action state that calls the Compute action provider."""
    if not isinstance(state, Mapping) or state.get("Type") != "Action":
        return False
    url = str(state.get("ActionUrl") or "").rstrip("/")
    return url in COMPUTE_URLS


def strict_compute_definition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``definition`` whose Compute states all have ``ExceptionOnActionFailure``."""
    strict = copy.deepcopy(dict(definition))
    states = strict.get("States")
    if isinstance(states, dict):
        for state in states.values():
            if is_compute_state(state):
                state["ExceptionOnActionFailure"] = True
    return strict
