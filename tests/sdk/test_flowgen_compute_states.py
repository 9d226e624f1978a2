from __future__ import annotations

from typing import Any

import pytest

from gladier import GladierBaseTool
from gladier.exc import FlowGenException
from gladier.flowgen.compute_states import (
    COMPUTE_ACTION_URL,
    COMPUTE_V3_ACTION_URL,
    compute_state,
    generate_compute_flow,
    generated_compute_states,
    is_legacy_funcx_tool,
    tool_compute_functions,
    uses_compute_v3,
)
from tests.sdk.sample_tools import SimpleTool, TwoFnTool, V3Tool, second_fn, simple_fn


def ls(**data: Any) -> None:
    """List a directory."""


def test_v2_state_shape() -> None:
    name, state = compute_state(ls)
    assert name == "Ls"
    assert state == {
        "Comment": "List a directory.",
        "Type": "Action",
        "ActionUrl": COMPUTE_ACTION_URL,
        "ExceptionOnActionFailure": False,
        "Parameters": {
            "tasks": [
                {
                    "endpoint.$": "$.input.compute_endpoint",
                    "function.$": "$.input.ls_function_id",
                    "payload.$": "$.input",
                }
            ]
        },
        "ResultPath": "$.Ls",
        "WaitTime": 300,
    }


def test_v3_state_shape() -> None:
    _, state = compute_state(ls, v3=True)
    assert state["ActionUrl"] == COMPUTE_V3_ACTION_URL == "https://compute.actions.globus.org/v3"
    assert state["ExceptionOnActionFailure"] is True
    assert state["Parameters"] == {
        "endpoint_id.$": "$.input.compute_endpoint",
        "tasks": [{"function_id.$": "$.input.ls_function_id", "kwargs.$": "$.input"}],
    }


def test_generate_compute_flow_records_functions() -> None:
    definition, functions = generate_compute_flow(TwoFnTool())
    assert list(definition) == ["StartAt", "States", "Comment"]
    assert functions == {"SimpleFn": simple_fn, "SecondFn": second_fn}
    assert generated_compute_states(TwoFnTool()) == functions


def test_v3_is_chosen_by_the_tool_action_url() -> None:
    assert uses_compute_v3(V3Tool())
    assert not uses_compute_v3(SimpleTool())

    class WrongAttribute(GladierBaseTool):
        action_provider = COMPUTE_V3_ACTION_URL
        compute_functions = [ls]

    assert not uses_compute_v3(WrongAttribute())


def test_tool_compute_functions() -> None:
    assert tool_compute_functions(GladierBaseTool()) == []
    assert tool_compute_functions(TwoFnTool()) == [simple_fn, second_fn]

    class NotAList(GladierBaseTool):
        compute_functions = "ls"  # type: ignore[assignment]

    with pytest.raises(FlowGenException, match="must be a list of functions, got str"):
        tool_compute_functions(NotAList())


def test_legacy_detection() -> None:
    class Legacy(GladierBaseTool):
        funcx_functions = [ls]

    with pytest.warns(DeprecationWarning):
        assert is_legacy_funcx_tool(Legacy())
    assert not is_legacy_funcx_tool(TwoFnTool())
