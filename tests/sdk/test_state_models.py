from __future__ import annotations

import itertools
from typing import Any

import pytest

from gladier import (
    BaseCompositeState,
    BaseState,
    StateWithNextOrEnd,
    StateWithParametersOrInputPath,
    StateWithResultPath,
)
from gladier.exc import StateNameConflict
from gladier.tools import ActionState, PassState
from tests.sdk import sample_tools as st
from tests.sdk.reference import client_definition

_SEQUENCE = ("state1", "state2", "state3")


class SimpleTestState(ActionState):
    action_url = "https://fake_state.com/ap"


def sequence(names: tuple[str, ...] = _SEQUENCE) -> BaseState:
    start: Any = None
    for name in names:
        state = SimpleTestState(state_name=name)
        start = state if start is None else start.next(state)
    return start


def check_sequence(definition: dict[str, Any], names: tuple[str, ...] = _SEQUENCE) -> None:
    assert definition["StartAt"] == names[0]
    for previous, name in itertools.pairwise(names):
        assert definition["States"][previous]["Next"] == name
    assert definition["States"][names[-1]]["End"] is True


def test_abstract_bases() -> None:
    with pytest.raises(TypeError):
        BaseState(state_type="Pass")  # type: ignore[abstract]
    with pytest.raises(TypeError):
        BaseCompositeState()  # type: ignore[abstract]
    assert issubclass(ActionState, StateWithParametersOrInputPath)
    assert issubclass(ActionState, StateWithResultPath)


def test_next_appends_inserts_and_replaces() -> None:
    check_sequence(sequence().get_flow_definition())
    start = sequence()
    assert isinstance(start, StateWithNextOrEnd)
    start.next(SimpleTestState(state_name="Inserted"), insert_next=True)
    check_sequence(start.get_flow_definition(), ("state1", "Inserted", "state2", "state3"))
    start.next(SimpleTestState(state_name="Replaced"), replace_next=True)
    check_sequence(start.get_flow_definition(), ("state1", "Replaced"))


def test_next_state_property() -> None:
    first, second = PassState(state_name="A"), PassState(state_name="B")
    first.next_state = second
    assert first.next_state is second
    assert first.get_flow_definition()["States"]["A"]["Next"] == "B"


def test_next_after_a_state_without_next() -> None:
    from gladier.tools import FailState

    start = PassState(state_name="A").next(FailState(state_name="F"))
    with pytest.raises(TypeError, match='after state "F"'):
        start.next(PassState(state_name="B"))  # type: ignore[union-attr]


def test_loops_are_rendered_once() -> None:
    first, second = SimpleTestState(state_name="state1"), SimpleTestState(state_name="state2")
    first.next(second)
    second.next(first)
    definition = first.get_flow_definition()
    assert definition["States"]["state2"]["Next"] == "state1"
    assert list(definition["States"]) == ["state1", "state2"]


def test_state_names_must_be_unique() -> None:
    start = PassState(state_name="A").next(PassState(state_name="A", parameters={"x": 1}))
    with pytest.raises(StateNameConflict, match='Two different states are named "A"'):
        start.get_flow_definition()
    same = PassState(state_name="B").next(PassState(state_name="C"))
    same.next(PassState(state_name="C"))
    with pytest.raises(StateNameConflict):
        same.get_flow_definition()


def test_definition_is_rebuilt_each_time() -> None:
    start = PassState(state_name="A")
    assert list(start.get_flow_definition()["States"]) == ["A"]
    start.next(PassState(state_name="B"))
    assert list(start.get_flow_definition()["States"]) == ["A", "B"]


def test_comment_and_default_name() -> None:
    assert SimpleTestState().valid_state_name == "SimpleTestState"
    assert SimpleTestState().get_flow_definition()["Comment"] == (
        "Flow starting at state SimpleTestState"
    )
    assert SimpleTestState(comment="Mine").get_flow_definition()["Comment"] == "Mine"


def test_hooks_have_defaults() -> None:
    state = PassState()
    assert state.get_flow_transition_states() == []
    assert state.get_additional_scopes_for_input({}) == set()
    assert state.get_compute_functions() == []


def test_state_chains_are_tools_in_clients() -> None:
    definition = client_definition([sequence(), st.SimpleTool])
    check_sequence(definition, (*_SEQUENCE, "SimpleFn"))


def test_result_path_and_input_path() -> None:
    state = PassState(state_name="P", result_path="stash", input_path="input.x")
    assert state.get_flow_state_dict() == {
        "Type": "Pass",
        "ResultPath": "$.stash",
        "End": True,
        "InputPath": "$.input.x",
    }


def test_parameters_from_fields_and_extras() -> None:
    class Custom(ActionState):
        action_url = "https://actions.example.com/test_action"
        param1: str | int
        param2: str

    state = Custom(param1=1, param2="$.input.p", extra="=1 + 1")
    assert state.get_flow_state_dict()["Parameters"] == {
        "param1": 1,
        "param2.$": "$.input.p",
        "extra.=": "1 + 1",
    }
    no_params = Custom(param1=1, param2="x", set_parameters_from_properties=False)
    assert "Parameters" not in no_params.get_flow_state_dict()


def test_the_pydantic_v1_module_catches_the_state_models_errors() -> None:
    from gladier.tools import ComparisonRule, WaitState
    from gladier.utils.pydantic_v1 import ValidationError

    with pytest.raises(ValidationError):
        WaitState(timestamp="2001-01-01")
    with pytest.raises(ValidationError):
        ComparisonRule(Variable="$.foo", StringLessThanPath="not a path")
