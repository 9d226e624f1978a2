from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import ValidationError

from gladier.tools import (
    ActionState,
    ExpressionEvalState,
    FailState,
    PassState,
    SearchDelete,
    SearchDeleteByQuery,
    SearchIngest,
    Transfer,
    TransferDelete,
    TransferItem,
    WaitState,
)
from gladier.tools.builtins import ActionExceptionName
from tests.sdk.reference import as_fixture_text, reference_text


class Hello(ActionState):
    action_url = "https://actions.globus.org/hello_world"
    echo_string: str = "$.input.message"
    sleep_time: int = 0


def test_state_sequence_matches_gladier_0_11() -> None:
    start = Hello(state_name="SayHello", comment="say it")
    relay = PassState(
        state_name="Relay", parameters={"a": "$.SayHelloResult.details", "b": 1, "c": "=1+1"}
    )
    start.next(relay)
    start.next(WaitState(state_name="Nap", seconds=3))
    start.next(
        ExpressionEvalState(state_name="Sum", parameters={"total": "=1+2"}, result_path="$.sum")
    )
    items = [TransferItem(source_path="$.input.src", destination_path="/dst", recursive=True)]
    start.next(Transfer(state_name="Move", transfer_items=items))
    start.next(TransferDelete(state_name="Clean"))
    start.next(SearchIngest(state_name="Ingest"))
    start.next(SearchDelete(state_name="Unpublish"))
    start.next(SearchDeleteByQuery(state_name="Purge", q="*"))
    oops = FailState(state_name="Oops", cause="boom", error="E")
    start.set_exception_handler(ActionExceptionName.States_All, oops)
    assert as_fixture_text(start.get_flow_definition()) == reference_text("state_api_sequence")


def test_exception_handlers_group_by_handler() -> None:
    parent = Hello(state_name="ParentState")
    parent.set_exception_handler(ActionExceptionName.States_All, Hello(state_name="AllHandler"))
    parent.set_exception_handler(
        [ActionExceptionName.ActionUnableToRun, "ActionTimeout"], Hello(state_name="AllHandler")
    )
    definition = parent.get_flow_definition()
    for name in ("ParentState", "AllHandler"):
        assert definition["States"][name]["End"] is True
    assert definition["States"]["ParentState"]["Catch"] == [
        {"ErrorEquals": ["States.All", "ActionUnableToRun", "ActionTimeout"], "Next": "AllHandler"}
    ]
    assert set(parent.exception_handlers) == {"States.All", "ActionUnableToRun", "ActionTimeout"}


def test_action_fields() -> None:
    state = Hello(
        state_name="H",
        action_scope="https://scope",
        wait_time=5,
        exception_on_action_failure=True,
        run_as="Flow",
        input_path="$.input.body",
    )
    assert state.get_flow_state_dict() == {
        "Type": "Action",
        "ResultPath": "$.HResult",
        "InputPath": "$.input.body",
        "End": True,
        "ActionUrl": "https://actions.globus.org/hello_world",
        "WaitTime": 5,
        "ActionScope": "https://scope",
        "ExceptionOnActionFailure": True,
        "RunAs": "Flow",
    }
    with pytest.raises(ValidationError):
        ActionState()  # type: ignore[call-arg]


def test_pass_state() -> None:
    assert PassState().get_flow_definition()["States"] == {
        "PassState": {"Type": "Pass", "ResultPath": "$.PassStateResult", "End": True}
    }


def test_expression_eval_keys() -> None:
    parameters = {"a": "=1+2", "b": "= 'Hello ' + 'World'", "c.=": "'Constant'"}
    state_def = ExpressionEvalState(parameters=parameters).get_flow_state_dict()
    assert state_def["Type"] == "ExpressionEval"
    assert set(state_def["Parameters"]) == {"a.=", "b.=", "c.="}


def test_fail_state() -> None:
    assert FailState().get_flow_state_dict() == {"Type": "Fail"}


@dataclass
class WaitCase:
    props: dict[str, Any]
    expected: dict[str, Any] = field(default_factory=dict)
    error: bool = False


@pytest.mark.parametrize(
    "case",
    [
        WaitCase({"seconds": 10}, {"Seconds": 10}),
        WaitCase(
            {"timestamp": "2001-01-01T00:10:28+00:00"}, {"Timestamp": "2001-01-01T00:10:28+00:00"}
        ),
        WaitCase({"seconds_path": "$.input.wait"}, {"SecondsPath": "$.input.wait"}),
        WaitCase({"timestamp_path": "$.input.until"}, {"TimestampPath": "$.input.until"}),
        WaitCase({"timestamp": "2001-01-01"}, error=True),
        WaitCase({"timestamp_path": "foo"}, error=True),
        WaitCase({}, error=True),
        WaitCase({"seconds": 1, "seconds_path": "$.x"}, error=True),
    ],
)
def test_wait_state(case: WaitCase) -> None:
    if case.error:
        with pytest.raises(ValidationError):
            WaitState(**case.props)
        return
    state = WaitState(**case.props).get_flow_state_dict()
    assert {key: state.get(key) for key in case.expected} == case.expected


def test_wait_timestamp_matches_gladier_0_11() -> None:
    state = WaitState(timestamp="2001-01-01T00:10:28+00:00", state_name="Until")
    assert as_fixture_text(state.get_flow_definition()) == reference_text(
        "state_api_wait_timestamp"
    )
