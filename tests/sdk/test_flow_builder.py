"""The 0.8-0.11 compatibility classes: flow_builder, utils.flow_modifiers."""

from __future__ import annotations

from typing import Any

import pytest

from gladier import GladierBaseTool
from gladier.exc import FlowGenException, FlowModifierException
from gladier.flow_builder import (
    ComputeFlowBuilderv2,
    ComputeFlowBuilderv3,
    FlowBuilder,
    FlowBuilderRegistry,
)
from gladier.utils.flow_modifiers import FlowModifiers
from tests.sdk import sample_tools as st
from tests.sdk.reference import as_fixture_text, reference_text


def mock_func() -> None:
    pass


def mock_func2() -> None:
    pass


class MyTool(GladierBaseTool):
    compute_functions = [mock_func, mock_func2]


def test_basic_modifiers() -> None:
    builder = ComputeFlowBuilderv2(MyTool())
    fd = builder.apply_modifiers(
        {mock_func2: {"payload": mock_func}}, builder.get_flow_definition()
    )
    assert len(fd["States"]) == 2
    assert fd["States"]["MockFunc2"]["Parameters"]["tasks"][0]["payload.$"] == (
        "$.MockFunc.details.results"
    )


def test_invalid_missing_and_unsupported_modifiers() -> None:
    builder = ComputeFlowBuilderv2(MyTool())
    with pytest.raises(FlowGenException):
        builder.apply_modifiers([], builder.get_flow_definition())  # type: ignore[arg-type]
    with pytest.raises(FlowGenException):
        builder.apply_modifiers(
            {"mock_func3": {"payload": mock_func}}, builder.get_flow_definition()
        )
    with pytest.raises(FlowModifierException):
        builder.apply_modifiers(
            {"mock_func2": {"plumbus": mock_func}}, builder.get_flow_definition()
        )
    fd = builder.get_flow_definition()
    assert builder.apply_modifiers({"mock_func3": {"WaitTime": 1}}, fd, matching_only=True) == (
        builder.get_flow_definition()
    )


def test_partial_definitions_are_modified() -> None:
    builder = ComputeFlowBuilderv2(MyTool())
    flow: dict[str, Any] = {
        "States": {
            "MockFunc": {"Parameters": {"tasks": [{"payload": "foo"}]}},
            "MockFunc2": {"Parameters": {"tasks": [{"payload": "bar"}]}},
        }
    }
    builder.apply_modifiers({"mock_func2": {"payload": "mock_func"}}, flow)
    assert flow["States"]["MockFunc2"]["Parameters"]["tasks"][0] == {
        "payload.$": "$.MockFunc.details.results"
    }


def test_builder_helpers() -> None:
    builder = ComputeFlowBuilderv2(MyTool())
    assert builder.get_flow_state_names() == ["MockFunc", "MockFunc2"]
    assert builder.get_state_name_from_modifier_name(mock_func) == "MockFunc"
    assert builder.get_state_name_from_modifier_name("mock_func2") == "MockFunc2"
    assert builder.get_state_result_path("X") == "$.X.details.results"
    assert builder.get_function("mock_func") is mock_func
    assert builder.get_function(mock_func2) is mock_func2
    assert builder.get_function("nope") is None
    assert {"endpoint", "payload", "tasks", "WaitTime"} <= builder.get_valid_modifier_names()
    builder.check_modifier("mock_func", {"payload": "x"})
    with pytest.raises(FlowModifierException):
        builder.check_modifier("mock_func", {"endpoint_id": "x"})
    name, state = builder.generate_compute_flow_state(mock_func)
    assert name == "MockFunc" and state["ResultPath"] == "$.MockFunc"
    flow = builder.get_flow_definition()
    builder.apply_modifier(flow["States"]["MockFunc"], {"WaitTime": 9}, flow)
    assert flow["States"]["MockFunc"]["WaitTime"] == 9
    with pytest.raises(FlowGenException, match="not a state of the reference flow"):
        builder.apply_modifier({}, {"WaitTime": 9}, flow)


def test_v3_builder() -> None:
    builder = ComputeFlowBuilderv3(st.V3Tool())
    assert as_fixture_text(builder.get_flow_definition()) == reference_text("tool_v3")
    assert "endpoint_id" in builder.get_valid_modifier_names()


def test_builder_with_a_custom_state_generator() -> None:
    class Custom(ComputeFlowBuilderv2):
        def generate_compute_flow_state(self, compute_function: Any) -> tuple[str, dict[str, Any]]:
            name, state = super().generate_compute_flow_state(compute_function)
            state["WaitTime"] = 1
            return name, state

    fd = Custom(MyTool()).get_flow_definition()
    assert fd["StartAt"] == "MockFunc"
    assert [s["WaitTime"] for s in fd["States"].values()] == [1, 1]
    assert fd["States"]["MockFunc2"]["End"] is True


def test_plain_builder() -> None:
    builder = FlowBuilder(st.Transfer())
    assert builder.get_flow_state_names() == ["Transfer"]
    assert builder.get_default_flow_state_name() == "Transfer"
    assert builder.get_state_result_path() == "$.Transfer.details.results"
    assert repr(builder) == "FlowBuilder(Transfer())"
    flow = builder.apply_modifiers({"Transfer": {"WaitTime": 5}}, builder.get_flow_definition())
    assert flow["States"]["Transfer"]["WaitTime"] == 5
    with pytest.raises(FlowGenException, match="has no flow definition"):
        FlowBuilder(GladierBaseTool()).get_flow_definition()


def test_registry() -> None:
    registry = FlowBuilderRegistry()
    assert registry.get_flow_builder_cls_by_tool(st.Transfer()) is FlowBuilder
    assert registry.get_flow_builder_cls_by_tool(st.Tar()) is ComputeFlowBuilderv2
    assert registry.get_flow_builder_cls_by_tool(st.V3Tool()) is ComputeFlowBuilderv3
    assert registry.get_flow_builder_cls_by_tool() is FlowBuilder


def test_gladier_0_8_flow_modifiers() -> None:
    tools = [st.TwoFnTool(), st.HandWritten()]
    from gladier.flowgen import build_client_definition

    flow = build_client_definition(tools)
    FlowModifiers(tools, {"second_fn": {"payload": "simple_fn"}}).apply_modifiers(flow)
    task = flow["States"]["SecondFn"]["Parameters"]["tasks"][0]
    assert task["payload.$"] == "$.SimpleFn.details.results"
    assert "payload" in FlowModifiers.supported_modifiers
    with pytest.raises(FlowModifierException, match="must be a dict"):
        FlowModifiers(tools, [])  # type: ignore[arg-type]
    with pytest.raises(FlowModifierException, match="matches no state"):
        FlowModifiers(tools, {"nope": {}}, cls=object()).apply_modifiers(flow)
