from __future__ import annotations

from typing import Any

import pytest

from gladier import GladierBaseTool, generate_flow_definition
from gladier.exc import FlowGenException, FlowModifierException
from gladier.flowgen import ModifierContext, apply_modifiers, build_client_definition
from gladier.flowgen.modifiers import (
    COMPUTE_V2_MODIFIERS,
    COMPUTE_V3_MODIFIERS,
    STATE_MODIFIERS,
    StateTarget,
    modifier_kind,
    valid_modifier_names,
)
from gladier.utils.tool_alias import StateSuffixVariablePrefix
from tests.sdk import sample_tools as st
from tests.sdk.reference import as_fixture_text, client_definition, reference, reference_text

SAMPLES = "tests.sdk.sample_tools"


def mock_func(**data: Any) -> None:
    pass


def mock_func2(**data: Any) -> None:
    pass


def tool_def(modifiers: Any, functions: list[Any] | None = None, v3: bool = False) -> Any:
    attrs: dict[str, Any] = {"compute_functions": functions or [mock_func, mock_func2]}
    if v3:
        attrs["action_url"] = "https://compute.actions.globus.org/v3"
    cls = generate_flow_definition(modifiers=modifiers)(type("T", (GladierBaseTool,), attrs))
    return cls().flow_definition


def task(definition: Any, state: str) -> Any:
    return definition["States"][state]["Parameters"]["tasks"][0]


def test_key_sets() -> None:
    assert {
        "Type",
        "ActionUrl",
        "WaitTime",
        "ExceptionOnActionFailure",
        "RunAs",
        "InputPath",
        "Parameters",
        "ResultPath",
        "Catch",
        "ActionScope",
        "Next",
        "End",
    } == STATE_MODIFIERS
    assert {"endpoint", "payload", "tasks"} == COMPUTE_V2_MODIFIERS
    assert {
        "endpoint_id",
        "tasks",
        "task_group_id",
        "user_endpoint_config",
        "resource_specification",
        "create_queue",
    } == COMPUTE_V3_MODIFIERS
    assert valid_modifier_names("plain") == STATE_MODIFIERS


def test_kinds() -> None:
    assert modifier_kind(None) == "plain"
    assert modifier_kind(st.Transfer()) == "plain"
    assert modifier_kind(st.SimpleTool()) == "compute_v2"
    assert modifier_kind(st.V3Tool()) == "compute_v3"


# -- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [mock_func2, "mock_func2", "MockFunc2"])
def test_keys_by_function_function_name_and_state_name(key: Any) -> None:
    definition = tool_def({key: {"WaitTime": 7}})
    assert definition["States"]["MockFunc2"]["WaitTime"] == 7
    assert definition["States"]["MockFunc"]["WaitTime"] == 300


def test_modifiers_by_name_match_gladier_0_11() -> None:
    definition = tool_def(
        {
            "second_fn": {"payload": "SimpleFn", "endpoint": "$.input.ep"},
            "SimpleFn": {"WaitTime": 10},
        },
        [st.simple_fn, st.second_fn],
    )
    assert as_fixture_text(definition) == reference_text("tool_modifiers_by_name")


def test_unknown_key_is_an_error() -> None:
    with pytest.raises(FlowModifierException, match="'mock_func3': it matches no state"):
        tool_def({"mock_func3": {"payload": mock_func}})

    def elsewhere(**data: Any) -> None:
        pass

    with pytest.raises(FlowModifierException, match="function 'elsewhere'"):
        tool_def({elsewhere: {"WaitTime": 1}})
    with pytest.raises(FlowModifierException, match="must be a compute function"):
        tool_def({3: {"WaitTime": 1}})


def test_unsupported_change_key_names_the_key() -> None:
    with pytest.raises(FlowModifierException, match=r"Unsupported modifier.*'plumbus'.*WaitTime"):
        tool_def({"mock_func2": {"plumbus": mock_func}})
    with pytest.raises(FlowModifierException, match="'payload'"):
        tool_def({"mock_func2": {"payload": "x"}}, v3=True)
    with pytest.raises(FlowModifierException, match="'endpoint_id'"):
        tool_def({"mock_func2": {"endpoint_id": "x"}})


def test_changes_must_be_a_dict() -> None:
    with pytest.raises(FlowModifierException, match="must be a dict of changes"):
        tool_def({"mock_func2": ["WaitTime"]})
    context = ModifierContext({"States": {}}, {})
    with pytest.raises(FlowGenException, match="Modifiers must be a dict"):
        apply_modifiers({"States": {}}, [], context)  # type: ignore[arg-type]


# -- value resolution ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [mock_func, "mock_func", "MockFunc"])
def test_function_and_state_values_become_result_paths(value: Any) -> None:
    definition = tool_def({mock_func2: {"payload": value}})
    assert task(definition, "MockFunc2")["payload.$"] == "$.MockFunc.details.results"


def test_bare_strings_become_input_paths() -> None:
    definition = tool_def({mock_func: {"endpoint": "non_compute_endpoint"}})
    assert task(definition, "MockFunc") == {
        "function.$": "$.input.mock_func_function_id",
        "payload.$": "$.input",
        "endpoint.$": "$.input.non_compute_endpoint",
    }


def test_paths_are_kept_and_literals_written_as_given() -> None:
    definition = tool_def(
        {mock_func: {"payload": "$.MyCustomInput.details.result", "endpoint": {"fixed": 1}}}
    )
    assert task(definition, "MockFunc") == {
        "function.$": "$.input.mock_func_function_id",
        "payload.$": "$.MyCustomInput.details.result",
        "endpoint": {"fixed": 1},
    }


def test_expressions_get_expression_keys() -> None:
    definition = tool_def({mock_func: {"payload": "={'n': 1}"}})
    assert task(definition, "MockFunc")["payload.="] == "{'n': 1}"
    assert "payload.$" not in task(definition, "MockFunc")


def test_fan_out_tasks_match_gladier_0_11() -> None:
    assert as_fixture_text(st.ParallelWorkloadsTool().flow_definition) == reference_text(
        "tool_parallel_fanout"
    )


def test_a_value_naming_a_function_no_state_runs_is_an_error() -> None:
    def stranger(**data: Any) -> None:
        pass

    with pytest.raises(FlowModifierException, match="function 'stranger', which no state"):
        tool_def({mock_func: {"payload": stranger}})


def test_v3_modifiers_match_gladier_0_11() -> None:
    definition = tool_def(
        {
            st.simple_fn: {
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "SecondFn"}],
                "RunAs": "Flow",
                "ActionScope": "https://scope",
            },
            st.second_fn: {
                "endpoint_id": "other_endpoint",
                "tasks": "$.SimpleFn.details.results[0].output",
                "task_group_id": "tg",
                "create_queue": True,
                "resource_specification": "$.input.rs",
                "user_endpoint_config": {"a": 1},
            },
        },
        [st.simple_fn, st.second_fn],
        v3=True,
    )
    assert as_fixture_text(definition) == reference_text("tool_v3_modifiers")


def test_tar_tool_state_modifiers_match_gladier_0_11() -> None:
    assert as_fixture_text(st.Tar().flow_definition) == reference_text("tool_tar")


# -- state keys: written as given (0.11 wrote "ResultPath.$" and friends) -------------------


def test_state_path_keys_are_written_plainly() -> None:
    definition = tool_def(
        {st.second_fn: {"ResultPath": "$.Custom", "InputPath": "$.input.sub"}},
        [st.simple_fn, st.second_fn],
    )
    state = definition["States"]["SecondFn"]
    assert state["ResultPath"] == "$.Custom"
    assert state["InputPath"] == "$.input.sub"
    assert "ResultPath.$" not in state and "InputPath.$" not in state
    buggy = reference("tool_state_path_modifiers_0_11_bug")["States"]["SecondFn"]
    assert buggy["ResultPath.$"] == "$.Custom"
    assert {k: v for k, v in state.items() if not k.endswith("Path")} == {
        k: v for k, v in buggy.items() if not k.endswith("Path.$")
    }


def test_next_and_none_values() -> None:
    definition = tool_def({mock_func2: {"Next": mock_func, "End": None, "Parameters": None}})
    state = definition["States"]["MockFunc2"]
    assert state["Next"] == "MockFunc"
    assert "End" not in state and "Parameters" not in state
    definition = tool_def({mock_func2: {"Next": "MockFunc", "End": None}})
    assert definition["States"]["MockFunc2"]["Next"] == "MockFunc"
    definition = tool_def({mock_func2: {"Next": "mock_func", "End": None}})
    assert definition["States"]["MockFunc2"]["Next"] == "MockFunc"

    def stranger(**data: Any) -> None:
        pass

    with pytest.raises(FlowModifierException, match='"Next" of state "MockFunc2"'):
        tool_def({mock_func2: {"Next": stranger}})


def test_compute_keys_need_parameters_and_tasks() -> None:
    with pytest.raises(FlowModifierException, match="has no Parameters object"):
        tool_def({mock_func: {"Parameters": None, "payload": "x"}})
    with pytest.raises(FlowModifierException, match="its tasks come from the path"):
        tool_def({mock_func: {"tasks": "$.x", "payload": "y"}})


# -- legacy tools -------------------------------------------------------------------------------


def test_modifiers_on_legacy_funcx_tools_point_to_the_migration_guide() -> None:
    @generate_flow_definition
    class MyLegacyTool(GladierBaseTool):
        required_input = ["funcx_endpoint_non_compute"]
        funcx_functions = [mock_func]

    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(FlowModifierException, match=r"migration\.html"),
    ):
        client_definition(
            [MyLegacyTool], modifiers={"mock_func": {"payload": "$.Foo.details.result[0]"}}
        )


# -- client modifiers ---------------------------------------------------------------------------


def test_client_modifiers_match_gladier_0_11() -> None:
    definition = client_definition(
        [st.TwoFnTool, st.HandWritten],
        "Client with modifiers.",
        modifiers={
            st.simple_fn: {"payload": "$.input.custom", "WaitTime": 42},
            "second_fn": {"endpoint": "other_endpoint", "payload": "simple_fn"},
        },
    )
    assert as_fixture_text(definition) == reference_text("client_modifiers")


def test_client_modifiers_reach_hand_written_states() -> None:
    definition = client_definition([st.HandWritten], modifiers={"Hello": {"WaitTime": 30}})
    assert definition["States"]["Hello"]["WaitTime"] == 30
    with pytest.raises(FlowModifierException, match="'payload'"):
        client_definition([st.HandWritten], modifiers={"Hello": {"payload": "x"}})


def test_client_modifiers_across_tools() -> None:
    def foo(**data: Any) -> None:
        pass

    def bar(**data: Any) -> None:
        pass

    @generate_flow_definition(modifiers={"foo": {"WaitTime": 1000}})
    class FooTool(GladierBaseTool):
        compute_functions = [foo]

    @generate_flow_definition(modifiers={"bar": {"WaitTime": 1000}})
    class BarTool(GladierBaseTool):
        compute_functions = [bar]

    definition = client_definition([FooTool, BarTool], modifiers={"bar": {"payload": foo}})
    assert task(definition, "Bar")["payload.$"] == "$.Foo.details.results"
    assert definition["States"]["Foo"]["WaitTime"] == 1000
    definition = client_definition([FooTool, BarTool], modifiers={"bar": {"payload": "foo"}})
    assert task(definition, "Bar")["payload.$"] == "$.Foo.details.results"


def test_client_modifiers_on_aliased_tools() -> None:
    tools = [f"{SAMPLES}.TwoFnTool:First", f"{SAMPLES}.TwoFnTool:Second"]
    definition = client_definition(tools, modifiers={st.simple_fn: {"WaitTime": 5}})
    assert definition["States"]["SimpleFnFirst"]["WaitTime"] == 5
    assert definition["States"]["SimpleFnSecond"]["WaitTime"] == 5
    assert definition["States"]["SecondFnFirst"]["WaitTime"] == 300

    definition = client_definition(tools, modifiers={"SimpleFnSecond": {"WaitTime": 6}})
    assert definition["States"]["SimpleFnFirst"]["WaitTime"] == 300
    assert definition["States"]["SimpleFnSecond"]["WaitTime"] == 6

    definition = client_definition(tools, modifiers={"second_fn": {"payload": st.simple_fn}})
    assert task(definition, "SecondFnFirst")["payload.$"] == "$.SimpleFnFirst.details.results"
    assert task(definition, "SecondFnSecond")["payload.$"] == "$.SimpleFnSecond.details.results"


def test_ambiguous_function_values_ask_for_a_state_name() -> None:
    @generate_flow_definition
    class Other(GladierBaseTool):
        compute_functions = [mock_func]

    tools = [f"{SAMPLES}.SimpleTool:First", f"{SAMPLES}.SimpleTool:Second", Other]
    with pytest.raises(FlowModifierException, match=r"ambiguous.*SimpleFnFirst, SimpleFnSecond"):
        client_definition(tools, modifiers={mock_func: {"payload": st.simple_fn}})
    definition = client_definition(tools, modifiers={mock_func: {"payload": "SimpleFnSecond"}})
    assert task(definition, "MockFunc")["payload.$"] == "$.SimpleFnSecond.details.results"


def test_hand_written_compute_tool_states_are_found_by_function_name() -> None:
    class HandCompute(GladierBaseTool):
        compute_functions = [mock_func]
        flow_definition = {
            "StartAt": "MockFunc",
            "States": {
                "MockFunc": {
                    "Type": "Action",
                    "ActionUrl": "https://compute.actions.globus.org",
                    "Parameters": {"tasks": [{"payload.$": "$.input"}]},
                    "End": True,
                }
            },
        }

    definition = client_definition(
        [HandCompute, f"{SAMPLES}.Transfer"], modifiers={"mock_func": {"payload": "x"}}
    )
    assert task(definition, "MockFunc")["payload.$"] == "$.input.x"
    definition = client_definition(
        [HandCompute, st.TwoFnTool], modifiers={st.simple_fn: {"payload": mock_func}}
    )
    assert task(definition, "SimpleFn")["payload.$"] == "$.MockFunc.details.results"


def test_context_for_an_arbitrary_definition() -> None:
    definition: dict[str, Any] = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    context = ModifierContext(definition, {"A": StateTarget("A")})
    apply_modifiers(
        definition, {"A": {"ResultPath": "$.a"}, "B": {"WaitTime": 1}}, context, matching_only=True
    )
    assert definition["States"]["A"]["ResultPath"] == "$.a"


def test_build_client_definition_applies_modifiers() -> None:
    definition = build_client_definition(
        [st.Tar(), st.Transfer()], "x", {"Transfer": {"WaitTime": 60}}
    )
    assert definition["States"]["Transfer"]["WaitTime"] == 60
    aliased = st.Tar("B", StateSuffixVariablePrefix)
    definition = build_client_definition([aliased], None, {"tar": {"endpoint": "ep"}})
    assert task(definition, "TarB")["endpoint.$"] == "$.input.ep"
