"""Aliasing: the 0.11 behaviour for hand-written tools, and working aliases of compute tools."""

from __future__ import annotations

from typing import Any

import pytest

from gladier import GladierBaseTool, generate_flow_definition
from gladier.flowgen import function_id_inputs
from gladier.utils.tool_alias import NoAlias, StateSuffixVariablePrefix, ToolAlias
from tests.sdk.reference import as_fixture_text, client_definition, reference, reference_text
from tests.sdk.sample_tools import SimpleTool, TwoFnTool, simple_fn

SAMPLES = "tests.sdk.sample_tools"


def test_tool_alias_is_abstract() -> None:
    with pytest.raises(TypeError):
        ToolAlias("x")  # type: ignore[abstract]


def test_state_suffix_variable_prefix() -> None:
    renamer = StateSuffixVariablePrefix("DoItAgain")
    assert renamer.rename_state("StateOne", None) == "StateOneDoItAgain"
    assert renamer.rename_variable("tar_input", None) == "do_it_again_tar_input"
    assert repr(renamer) == "StateSuffixVariablePrefix('DoItAgain')"


def test_no_alias_is_identity() -> None:
    renamer = NoAlias("Whatever")
    assert renamer.rename_state("Tar", None) == "Tar"
    assert renamer.rename_variable("tar_input", None) == "tar_input"


def test_get_input_variable() -> None:
    renamer = StateSuffixVariablePrefix("A")
    assert renamer.get_input_variable("$.input.x", ["x"]) == "x"
    assert renamer.get_input_variable("$.input.x.y", ["x"]) == "x"
    assert renamer.get_input_variable("$.input.x[2]", ["x"]) == "x"
    assert renamer.get_input_variable("$.input.xy", ["x"]) is None
    assert renamer.get_input_variable("$.other.x", ["x"]) is None
    assert renamer.get_input_variable("$.input.", ["x"]) is None


def test_rename_input_variables_everywhere_without_touching_the_original() -> None:
    renamer = StateSuffixVariablePrefix("Second")
    state: dict[str, Any] = {
        "Parameters": {
            "src.$": "$.input.src",
            "deep.$": "$.input.src.path",
            "list": ["$.input.src", {"x.$": "$.input.dst"}, 3],
            "other.$": "$.input.not_mine",
            "empty": {},
        },
        "Comment": "$.input.src",
    }
    renamed = renamer.rename_input_variables(state, ["src", "dst"], None)
    assert renamed == {
        "Parameters": {
            "src.$": "$.input.second_src",
            "deep.$": "$.input.second_src.path",
            "list": ["$.input.second_src", {"x.$": "$.input.second_dst"}, 3],
            "other.$": "$.input.not_mine",
            "empty": {},
        },
        "Comment": "$.input.second_src",
    }
    assert state["Parameters"]["src.$"] == "$.input.src"


def test_custom_input_location() -> None:
    class Nested(StateSuffixVariablePrefix):
        input_location = "input.params"

    renamed = Nested("B").rename_input_variables({"a.$": "$.input.params.x"}, ["x"], None)
    assert renamed == {"a.$": "$.input.params.b_x"}


# -- hand-written tools: identical to Gladier 0.11 --------------------------------------------


def test_aliased_transfer_tool_matches_gladier_0_11() -> None:
    definition = client_definition(
        [f"{SAMPLES}.Transfer", f"{SAMPLES}.Transfer:Second"], "Two transfers."
    )
    assert as_fixture_text(definition) == reference_text("client_transfer_aliased")


def test_aliased_transfer_required_input_matches_gladier_0_11() -> None:
    from gladier.flowgen import resolve_tools

    tools = resolve_tools(
        [f"{SAMPLES}.Transfer", f"{SAMPLES}.Transfer:Second"], StateSuffixVariablePrefix
    )
    expected = reference("client_transfer_aliased_required_input")
    assert [tool.get_required_input() for tool in tools] == expected


def test_aliased_hand_written_tool_matches_gladier_0_11() -> None:
    definition = client_definition([f"{SAMPLES}.HandWritten:My", f"{SAMPLES}.HandWritten"])
    assert as_fixture_text(definition) == reference_text("client_handwritten_aliased")


def test_alias_renames_default_catch_targets_and_keeps_catch_only_states() -> None:
    class Guarded(GladierBaseTool):
        required_input = ["flag"]
        flow_transition_states = ["Yes"]
        flow_definition = {
            "StartAt": "Decide",
            "States": {
                "Decide": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "And": [{"Variable": "$.input.flag", "IsPresent": True}],
                            "Next": "Work",
                        }
                    ],
                    "Default": "No",
                },
                "Work": {
                    "Type": "Action",
                    "ActionUrl": "https://example.org",
                    "Parameters": {"flag.$": "$.input.flag"},
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
                    "Next": "Yes",
                },
                "Handler": {"Type": "Fail"},
                "Yes": {"Type": "Pass", "End": True},
                "No": {"Type": "Pass", "End": True},
            },
        }

    definition = Guarded("G", StateSuffixVariablePrefix).get_flow_definition()
    assert definition is not None
    states = definition["States"]
    assert definition["StartAt"] == "DecideG"
    assert set(states) == {"DecideG", "WorkG", "HandlerG", "YesG", "NoG"}
    assert states["DecideG"]["Default"] == "NoG"
    assert states["DecideG"]["Choices"][0]["Next"] == "WorkG"
    assert states["DecideG"]["Choices"][0]["And"][0]["Variable"] == "$.input.g_flag"
    assert states["WorkG"]["Catch"][0]["Next"] == "HandlerG"
    assert states["WorkG"]["Next"] == "YesG"

    chained = client_definition(
        [Guarded(alias="G", alias_class=StateSuffixVariablePrefix), f"{SAMPLES}.Transfer"]
    )
    assert chained["States"]["YesG"]["Next"] == "Transfer"


def test_no_alias_class_keeps_everything() -> None:
    tool = SimpleTool(alias="Same", alias_class=NoAlias)
    definition = tool.get_flow_definition()
    assert definition == SimpleTool().flow_definition


# -- generated compute tools: the deliberate fix ----------------------------------------------


def test_two_aliased_compute_tools_run_side_by_side() -> None:
    definition = client_definition([f"{SAMPLES}.SimpleTool:First", f"{SAMPLES}.SimpleTool:Second"])
    first = definition["States"]["SimpleFnFirst"]
    second = definition["States"]["SimpleFnSecond"]
    assert first["Next"] == "SimpleFnSecond"
    assert first["ResultPath"] == "$.SimpleFnFirst"
    assert second["ResultPath"] == "$.SimpleFnSecond"
    first_task, second_task = first["Parameters"]["tasks"][0], second["Parameters"]["tasks"][0]
    assert first_task == {
        "endpoint.$": "$.input.compute_endpoint",
        "function.$": "$.input.first_simple_fn_function_id",
        "payload": {
            "number.$": "$.input.first_number",
            "compute_endpoint.$": "$.input.compute_endpoint",
            "step.$": "$.input.first_step",
        },
    }
    assert second_task["function.$"] == "$.input.second_simple_fn_function_id"
    assert second_task["payload"]["number.$"] == "$.input.second_number"


def test_aliased_compute_definition_differs_from_0_11_only_where_intended() -> None:
    ours = client_definition([f"{SAMPLES}.SimpleTool:First", f"{SAMPLES}.SimpleTool:Second"])
    theirs = reference("client_generated_aliased_0_11_bug")
    for alias, prefix in (("First", "first"), ("Second", "second")):
        state = theirs["States"][f"SimpleFn{alias}"]
        state["ResultPath"] = f"$.SimpleFn{alias}"
        task = state["Parameters"]["tasks"][0]
        task["function.$"] = f"$.input.{prefix}_simple_fn_function_id"
        del task["payload.$"]
        task["payload"] = {
            "number.$": f"$.input.{prefix}_number",
            "compute_endpoint.$": "$.input.compute_endpoint",
            "step.$": f"$.input.{prefix}_step",
        }
    assert as_fixture_text(ours) == as_fixture_text(theirs)


def test_aliased_function_ids_are_distinct_inputs() -> None:
    first = SimpleTool("First", StateSuffixVariablePrefix)
    assert function_id_inputs(first) == {"first_simple_fn_function_id": simple_fn}
    assert function_id_inputs(SimpleTool()) == {"simple_fn_function_id": simple_fn}


def test_aliased_compute_state_references_follow_the_alias() -> None:
    def make(**data: Any) -> None:
        pass

    def use(**data: Any) -> None:
        pass

    @generate_flow_definition(modifiers={use: {"payload": make}})
    class Pipeline(GladierBaseTool):
        compute_functions = [make, use]
        required_input = ["size"]

    definition = Pipeline("B", StateSuffixVariablePrefix).get_flow_definition()
    assert definition is not None
    assert definition["States"]["UseB"]["Parameters"]["tasks"][0]["payload.$"] == (
        "$.MakeB.details.results"
    )
    assert definition["States"]["MakeB"]["Parameters"]["tasks"][0]["payload"] == {
        "size.$": "$.input.b_size"
    }


def test_aliased_v3_compute_state() -> None:
    from tests.sdk.sample_tools import V3Tool

    definition = V3Tool("Two", StateSuffixVariablePrefix).get_flow_definition()
    assert definition is not None
    state = definition["States"]["SimpleFnTwo"]
    assert state["ResultPath"] == "$.SimpleFnTwo"
    assert state["Parameters"]["endpoint_id.$"] == "$.input.compute_endpoint"
    assert state["Parameters"]["tasks"] == [
        {
            "function_id.$": "$.input.two_simple_fn_function_id",
            "kwargs": {
                "number.$": "$.input.two_number",
                "compute_endpoint.$": "$.input.compute_endpoint",
            },
        }
    ]


def test_aliased_tool_without_declared_inputs_keeps_the_whole_input() -> None:
    @generate_flow_definition
    class Bare(GladierBaseTool):
        compute_functions = [simple_fn]

    definition = Bare("X", StateSuffixVariablePrefix).get_flow_definition()
    assert definition is not None
    task = definition["States"]["SimpleFnX"]["Parameters"]["tasks"][0]
    assert task["payload.$"] == "$.input"
    assert task["function.$"] == "$.input.x_simple_fn_function_id"


def test_exempt_function_id_is_not_renamed() -> None:
    class Shared(TwoFnTool):
        alias_exempt = ["compute_endpoint", "simple_fn_function_id"]

    tool = Shared("Z", StateSuffixVariablePrefix)
    assert list(function_id_inputs(tool)) == ["simple_fn_function_id", "z_second_fn_function_id"]
