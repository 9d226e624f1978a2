"""The state registry: which class compiles each ``Type`` of state.

The registry sits above the state modules, so that :mod:`gladier.runtime.states.base` never
imports a state type. A new state type is one module under ``states/`` and one line here.

Example::

    >>> from gladier.runtime.options import RuntimeOptions
    >>> state = compile_state("Done", {"Type": "Pass", "End": True}, RuntimeOptions())
    >>> type(state).__name__
    'PassState'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gladier.runtime.options import RuntimeOptions
from gladier.runtime.states.action import ActionState
from gladier.runtime.states.base import State
from gladier.runtime.states.choice import ChoiceState
from gladier.runtime.states.expression_eval import ExpressionEvalState
from gladier.runtime.states.fail import FailState
from gladier.runtime.states.pass_state import PassState
from gladier.runtime.states.wait import WaitState

STATE_TYPES: Mapping[str, type[State]] = {
    "Action": ActionState,
    "Pass": PassState,
    "Choice": ChoiceState,
    "Wait": WaitState,
    "Fail": FailState,
    "ExpressionEval": ExpressionEvalState,
}
"""Each state ``Type`` of a flow definition and the class that compiles it."""


def compile_state(name: str, raw: Mapping[str, Any], options: RuntimeOptions) -> State:
    """Compile one (already validated) state definition."""
    return STATE_TYPES[str(raw["Type"])](name, raw, options)
