"""The state registry compiles every state type the validator accepts."""

from __future__ import annotations

import pytest

from gladier.runtime.language.validation_states import _ALLOWED, _CHECKERS
from gladier.runtime.language.validation_states import STATE_TYPES as VALID_TYPES
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.states import STATE_TYPES, State, compile_state


def test_every_valid_state_type_has_a_class() -> None:
    assert sorted(STATE_TYPES) == sorted(VALID_TYPES)
    # The validator knows the fields and the checks of each of them.
    assert sorted(_ALLOWED) == sorted(_CHECKERS) == sorted(VALID_TYPES)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ({"Type": "Pass", "End": True}, "PassState"),
        ({"Type": "Fail", "Error": "Boom"}, "FailState"),
        ({"Type": "Wait", "Seconds": 1, "End": True}, "WaitState"),
    ],
)
def test_compile_state_builds_the_registered_class(raw: dict[str, object], kind: str) -> None:
    state = compile_state("S", raw, RuntimeOptions())
    assert isinstance(state, State)
    assert type(state).__name__ == kind
    assert state.name == "S"
