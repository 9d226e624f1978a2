"""One module per state type; :func:`compile_state` turns a state definition into an object."""

from gladier.runtime.states.base import (
    Advance,
    CallAction,
    Outcome,
    Raise,
    RunView,
    Sleep,
    State,
)
from gladier.runtime.states.registry import STATE_TYPES, compile_state

__all__ = [
    "STATE_TYPES",
    "Advance",
    "CallAction",
    "Outcome",
    "Raise",
    "RunView",
    "Sleep",
    "State",
    "compile_state",
]
