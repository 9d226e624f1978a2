from __future__ import annotations

from typing import Any

import pytest

from gladier.exc import FlowGenException
from gladier.utils.flow_traversal import (
    get_end_states,
    get_transition,
    iter_flow,
    iter_flow_states,
)

BRANCHING: dict[str, Any] = {
    "StartAt": "Decide",
    "States": {
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.x", "IsPresent": True, "Next": "Yes"},
                {"Variable": "$.y", "IsPresent": True, "Next": "Bad"},
            ],
            "Default": "No",
        },
        "Yes": {"Type": "Pass", "Next": "Join"},
        "No": {"Type": "Pass", "Next": "Join"},
        "Join": {"Type": "Pass", "End": True},
        "Bad": {"Type": "Fail"},
    },
}


def test_get_transition() -> None:
    assert get_transition({"Type": "Pass", "Next": "B"}) == ("Next", "B")
    assert get_transition({"Type": "Choice", "Default": "D"}) == ("Default", "D")
    assert get_transition({"StartAt": "S", "States": {}}) == ("StartAt", "S")
    assert get_transition({"Type": "Pass", "End": True}) is None


def test_iter_flow_visits_each_state_once_depth_first() -> None:
    names = [name for name, _ in iter_flow(BRANCHING)]
    assert names == ["Decide", "No", "Join", "Yes", "Bad"]


def test_iter_flow_survives_cycles() -> None:
    flow = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
    }
    assert [name for name, _ in iter_flow(flow)] == ["A", "B"]
    assert list(get_end_states(flow)) == []


def test_iter_flow_handles_long_flows_without_recursion() -> None:
    count = 5000
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(count)}
    states[f"S{count}"] = {"Type": "Pass", "End": True}
    flow = {"StartAt": "S0", "States": states}
    assert len(list(iter_flow(flow))) == count + 1
    assert list(get_end_states(flow)) == [f"S{count}"]


def test_iter_flow_states_skips_previously_visited() -> None:
    names = [n for n, _ in iter_flow_states(BRANCHING["States"], "Decide", ["No"])]
    assert names == ["Decide", "Yes", "Join", "Bad"]
    assert list(iter_flow_states(BRANCHING["States"], None)) == []


def test_iter_flow_follows_catch_only_on_request() -> None:
    flow = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Action",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}],
                "End": True,
            },
            "H": {"Type": "Pass", "End": True},
        },
    }
    assert [n for n, _ in iter_flow(flow)] == ["A"]
    assert [n for n, _ in iter_flow(flow, follow_catch=True)] == ["A", "H"]
    assert list(get_end_states(flow)) == ["A"]


def test_missing_state_raises() -> None:
    flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}
    with pytest.raises(FlowGenException, match='"Gone" is referenced but not in the definition'):
        list(iter_flow(flow))


def test_end_states_skip_choice_and_fail_states() -> None:
    assert list(get_end_states(BRANCHING)) == ["Join"]
    no_default = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "E"}]},
            "E": {"Type": "Pass"},
        },
    }
    assert list(get_end_states(no_default)) == ["E"]
