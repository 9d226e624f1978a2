from __future__ import annotations

from typing import Any

import pytest

from gladier import GladierBaseTool, generate_flow_definition
from gladier.exc import FlowGenException
from gladier.flowgen import get_flow_modifiers, is_flow_generated
from tests.sdk import sample_tools as st
from tests.sdk.reference import FakeClient, as_fixture_text, reference_text


def mock_func(data: Any) -> None:
    """Test mock function"""


def mock_func2(data: Any) -> None:
    pass


@pytest.mark.parametrize(
    ("tool", "fixture"),
    [
        (st.SimpleTool, "tool_simple"),
        (st.TwoFnTool, "tool_two_functions"),
        (st.V3Tool, "tool_v3"),
        (st.ParallelWorkloadsTool, "tool_parallel_fanout"),
        (st.Tar, "tool_tar"),
    ],
)
def test_generated_tools_match_gladier_0_11_byte_for_byte(tool: type, fixture: str) -> None:
    assert as_fixture_text(tool().flow_definition) == reference_text(fixture)


def test_bare_decorator_keeps_the_class() -> None:
    @generate_flow_definition
    class MockTool(GladierBaseTool):
        """Mock Tool"""

        compute_functions = [mock_func]

    assert isinstance(MockTool, type)
    assert issubclass(MockTool, GladierBaseTool)
    tool = MockTool()
    assert isinstance(tool, MockTool)
    assert MockTool.__doc__ == "Mock Tool"
    fd = tool.flow_definition
    assert fd is not None
    assert fd["Comment"] == "Flow with states: MockFunc"
    assert fd["StartAt"] == "MockFunc"
    assert fd["States"]["MockFunc"]["Comment"] == "Test mock function"
    assert MockTool.flow_definition is None


def test_multiple_states_are_chained_in_order() -> None:
    @generate_flow_definition
    class MockTool(GladierBaseTool):
        compute_functions = [mock_func, mock_func2]

    fd = MockTool().flow_definition
    assert fd is not None
    assert fd["Comment"] == "Flow with states: MockFunc, MockFunc2"
    assert fd["States"]["MockFunc"]["Next"] == "MockFunc2"
    assert fd["States"]["MockFunc2"]["End"] is True
    assert "End" not in fd["States"]["MockFunc"]


def test_decorator_with_modifiers() -> None:
    @generate_flow_definition(modifiers={mock_func: {"endpoint": "my_weirdly_named_endpoint"}})
    class MockTool(GladierBaseTool):
        compute_functions = [mock_func]

    fd = MockTool().flow_definition
    assert fd is not None
    task = fd["States"]["MockFunc"]["Parameters"]["tasks"][0]
    assert task["endpoint.$"] == "$.input.my_weirdly_named_endpoint"


def test_empty_modifiers_equal_no_modifiers() -> None:
    @generate_flow_definition(modifiers={})
    class MockTool(GladierBaseTool):
        compute_functions = [mock_func]

    @generate_flow_definition
    class Plain(GladierBaseTool):
        compute_functions = [mock_func]

    assert MockTool().flow_definition == Plain().flow_definition
    assert get_flow_modifiers(MockTool) == {}


def test_errors_are_raised_at_instantiation() -> None:
    @generate_flow_definition
    class NoFunctions(GladierBaseTool):
        pass

    @generate_flow_definition
    class Duplicates(GladierBaseTool):
        compute_functions = [mock_func, mock_func]

    with pytest.raises(FlowGenException, match="has no compute functions"):
        NoFunctions()
    with pytest.raises(FlowGenException, match=r"duplicate function names: \['MockFunc'\]"):
        Duplicates()


def test_compute_functions_must_be_functions() -> None:
    @generate_flow_definition
    class Bad(GladierBaseTool):
        compute_functions = ["mock_func"]  # type: ignore[list-item]

    with pytest.raises(FlowGenException, match=r"compute_functions\[0\] is 'mock_func'"):
        Bad()


def test_decorating_something_else_fails() -> None:
    class NotATool:
        pass

    with pytest.raises(FlowGenException, match="Invalid class NotATool"):
        generate_flow_definition(NotATool)
    with pytest.raises(FlowGenException, match="decorates classes"):
        generate_flow_definition(mock_func)  # type: ignore[type-var]
    with pytest.raises(FlowGenException, match="Modifiers must be a dict"):
        generate_flow_definition(modifiers=[mock_func])  # type: ignore[arg-type]


def test_client_classes_are_marked_not_wrapped() -> None:
    @generate_flow_definition(modifiers={"simple_fn": {"WaitTime": 5}})
    class MyClient(FakeClient):
        gladier_tools = [st.SimpleTool]

    assert isinstance(MyClient, type)
    assert is_flow_generated(MyClient) and is_flow_generated(MyClient())
    assert get_flow_modifiers(MyClient) == {"simple_fn": {"WaitTime": 5}}
    assert not is_flow_generated(FakeClient)


def test_classes_named_gladier_base_client_are_clients() -> None:
    GladierBaseClient = type("GladierBaseClient", (), {"__module__": "gladier.client"})
    client_cls = type("MyClient", (GladierBaseClient,), {})
    assert generate_flow_definition(client_cls) is client_cls


def test_subclasses_inherit_generation_unless_they_set_a_definition() -> None:
    def extra(**data: Any) -> None:
        pass

    class More(st.SimpleTool):
        compute_functions = [st.simple_fn, extra]

    fd = More().flow_definition
    assert fd is not None
    assert list(fd["States"]) == ["SimpleFn", "Extra"]

    class Fixed(st.SimpleTool):
        flow_definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

    assert not is_flow_generated(Fixed)
    assert Fixed().flow_definition == Fixed.flow_definition


def test_legacy_funcx_tool_generates_like_gladier_0_11() -> None:
    @generate_flow_definition
    class Legacy(GladierBaseTool):
        funcx_functions = [st.simple_fn]

    with pytest.warns(DeprecationWarning):
        tool = Legacy()
    assert tool.compute_functions == [st.simple_fn]
    assert as_fixture_text(tool.flow_definition) == reference_text("tool_legacy_funcx")
