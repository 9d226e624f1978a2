from __future__ import annotations

import copy
from typing import Any

import pytest

from gladier import GladierBaseTool, generate_flow_definition
from gladier.exc import FlowGenException, StateNameConflict
from gladier.flowgen import ToolChain, build_client_definition
from gladier.utils.tool_alias import StateSuffixVariablePrefix
from gladier.utils.tool_chain import ToolChain as CompatToolChain
from tests.sdk import sample_tools as st
from tests.sdk.reference import as_fixture_text, client_definition, reference_text

SAMPLES = "tests.sdk.sample_tools"


def single(name: str, **extra: Any) -> type[GladierBaseTool]:
    return type(
        f"Tool{name}",
        (GladierBaseTool,),
        {
            "flow_definition": {
                "StartAt": name,
                "States": {name: {"Type": "Pass", "End": True, **extra}},
            }
        },
    )


def test_compat_path() -> None:
    assert CompatToolChain is ToolChain


@pytest.mark.parametrize(
    ("tools", "doc", "fixture"),
    [
        (
            [f"{SAMPLES}.Tar", f"{SAMPLES}.Encrypt", f"{SAMPLES}.Transfer"],
            "Tar, encrypt and transfer.",
            "client_tar_encrypt_transfer",
        ),
        ([f"{SAMPLES}.Transfer"], None, "client_transfer"),
        (
            [st.Branching, st.SimpleTool, st.HandWritten, st.ParallelWorkloadsTool],
            None,
            "client_chained",
        ),
    ],
)
def test_chained_clients_match_gladier_0_11(
    tools: list[Any], doc: str | None, fixture: str
) -> None:
    assert as_fixture_text(client_definition(tools, doc)) == reference_text(fixture)


def test_chain_records_owners_and_comment() -> None:
    tar, transfer = st.Tar(), st.Transfer()
    chain = ToolChain().chain([tar, transfer])
    assert chain.state_owners == {"Tar": tar, "Transfer": transfer}
    assert chain.flow_definition["Comment"] == "Flow with states: Tar, Transfer"
    assert chain.transition_states == ["Transfer"]
    assert ToolChain("Mine").chain([tar]).flow_definition["Comment"] == "Mine"


def test_chaining_does_not_modify_tools() -> None:
    one, two = single("1"), single("2")
    before = copy.deepcopy(one.flow_definition)
    build_client_definition([one(), two()])
    build_client_definition([one(), two()])
    assert one.flow_definition == before


def test_duplicate_state_names_conflict_with_a_hint() -> None:
    with pytest.raises(StateNameConflict, match=r"defined more than once: Transfer.*alias"):
        build_client_definition([st.Transfer(), st.Transfer()])


def test_aliases_resolve_conflicts() -> None:
    definition = build_client_definition(
        [st.Transfer(), st.Transfer("Again", StateSuffixVariablePrefix)]
    )
    assert list(definition["States"]) == ["Transfer", "TransferAgain"]


def test_transition_states_of_a_branching_tool() -> None:
    definition = build_client_definition([st.Branching(), st.Transfer()])
    assert definition["States"]["Yes"]["Next"] == "Transfer"
    assert definition["States"]["No"] == {"Type": "Pass", "End": True}


def test_branching_tool_without_transition_states_cannot_be_followed() -> None:
    class Branchy(st.Branching):
        flow_transition_states: list[str] = []

    with pytest.raises(FlowGenException, match=r"multiple branching end states.*No, Yes"):
        build_client_definition([Branchy(), st.Transfer()])
    # As the last tool it needs no transition states.
    assert build_client_definition([st.Transfer(), Branchy()])["StartAt"] == "Transfer"


def test_transition_states_must_exist() -> None:
    class Wrong(st.Branching):
        flow_transition_states = ["Maybe"]

    with pytest.raises(FlowGenException, match=r"flow_transition_states \['Maybe'\]"):
        build_client_definition([Wrong(), st.Transfer()])


def test_cycles_cannot_be_followed() -> None:
    class Loop(GladierBaseTool):
        flow_definition = {
            "StartAt": "1A",
            "States": {"1A": {"Type": "Pass", "Next": "2A"}, "2A": {"Type": "Pass", "Next": "1A"}},
        }

    with pytest.raises(FlowGenException, match="could not find any end states"):
        build_client_definition([Loop(), st.Transfer()])


def test_fail_states_are_not_continued() -> None:
    class MaybeFail(GladierBaseTool):
        flow_definition = {
            "StartAt": "Check",
            "States": {
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.input.bad", "IsPresent": True, "Next": "Bad"}],
                    "Default": "Good",
                },
                "Bad": {"Type": "Fail", "Error": "Bad"},
                "Good": {"Type": "Pass", "End": True},
            },
        }

    definition = build_client_definition([MaybeFail(), st.Transfer()])
    assert definition["States"]["Good"]["Next"] == "Transfer"
    assert "Next" not in definition["States"]["Bad"]


def test_tools_without_definitions() -> None:
    with pytest.raises(FlowGenException, match="did not set a flow_definition"):
        build_client_definition([GladierBaseTool()])

    class NoStates(GladierBaseTool):
        flow_definition = {"StartAt": "X"}

    with pytest.raises(FlowGenException, match="without a States object"):
        build_client_definition([NoStates()])

    class BadStart(GladierBaseTool):
        flow_definition = {"StartAt": "X", "States": {"Y": {"Type": "Pass", "End": True}}}

    with pytest.raises(FlowGenException, match="StartAt 'X' is not one of its states"):
        build_client_definition([BadStart()])
    with pytest.raises(FlowGenException, match="no tools"):
        build_client_definition([])


def test_chain_state_appends_a_single_state() -> None:
    chain = ToolChain().chain([st.Transfer()])
    chain.chain_state("Done", {"Type": "Pass", "Next": "Elsewhere"})
    definition = chain.flow_definition
    assert definition["States"]["Transfer"]["Next"] == "Done"
    assert definition["States"]["Done"] == {"Type": "Pass", "End": True}
    assert chain.state_owners["Done"] is None
    with pytest.raises(StateNameConflict):
        chain.chain_state("Done", {"Type": "Pass"})
    with pytest.raises(StateNameConflict, match="an added state"):
        chain.chain([single("Done")()])


def test_chain_state_starts_an_empty_chain() -> None:
    definition = ToolChain().chain_state("Only", {"Type": "Pass"}).flow_definition
    assert definition["StartAt"] == "Only"


def test_add_transition() -> None:
    chain = ToolChain().chain([st.Transfer()])
    with pytest.raises(FlowGenException, match='"Nope": no such state'):
        chain.add_transition("Nope", "Transfer")


def test_check_tools() -> None:
    ToolChain().check_tools([st.Transfer(), st.Tar()])
    with pytest.raises(StateNameConflict):
        ToolChain().check_tools([st.Tar(), st.Tar()])


def test_generated_tool_with_lambda_keeps_tools_intact() -> None:
    @generate_flow_definition
    class LambdaTool(GladierBaseTool):
        compute_functions = [lambda x: x]

    one, two = single("1"), single("2")
    build_client_definition([one(), two(), LambdaTool()])
    assert "End" in (one.flow_definition or {})["States"]["1"]
