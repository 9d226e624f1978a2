from __future__ import annotations

from typing import Any

from gladier import generate_flow_definition
from gladier.flowgen import (
    build_tool_definition,
    declared_inputs,
    function_id_inputs,
    generated_client_definition,
)
from gladier.utils.flow_generation import combine_tool_flows, generate_tool_flow
from tests.sdk import sample_tools as st
from tests.sdk.reference import FakeClient, as_fixture_text, reference_text


def test_undecorated_clients_have_no_generated_definition() -> None:
    assert generated_client_definition(FakeClient()) is None


def test_decorated_client_uses_its_docstring() -> None:
    @generate_flow_definition
    class TarEncryptTransfer(FakeClient):
        """Tar, encrypt and transfer."""

        gladier_tools = [st.Tar, st.Encrypt, st.Transfer]

    definition = generated_client_definition(TarEncryptTransfer())
    assert as_fixture_text(definition) == reference_text("client_tar_encrypt_transfer")
    assert as_fixture_text(combine_tool_flows(TarEncryptTransfer(), None)) == reference_text(
        "client_tar_encrypt_transfer"
    )


def test_client_docstrings_are_not_inherited() -> None:
    class Documented(FakeClient):
        """Parent docs."""

    @generate_flow_definition
    class Child(Documented):
        gladier_tools = [st.Transfer]

    assert generated_client_definition(Child())["Comment"] == "Flow with states: Transfer"  # type: ignore[index]


def test_generate_tool_flow_compat() -> None:
    tool = st.TwoFnTool()
    definition = generate_tool_flow(tool, {"second_fn": {"WaitTime": 1}})
    assert definition["States"]["SecondFn"]["WaitTime"] == 1
    assert build_tool_definition(tool) == generate_tool_flow(tool, None)


def test_function_id_inputs_for_every_kind_of_tool() -> None:
    assert function_id_inputs(st.Transfer()) == {}
    assert function_id_inputs(st.TwoFnTool()) == {
        "simple_fn_function_id": st.simple_fn,
        "second_fn_function_id": st.second_fn,
    }


def test_declared_inputs() -> None:
    assert declared_inputs(st.SimpleTool()) == ["number", "compute_endpoint", "step"]
    assert declared_inputs(st.Transfer())[-1] == "transfer_sync_level"


def test_state_chains_in_clients_match_gladier_0_11() -> None:
    from gladier.tools import ActionState, PassState

    class Hello(ActionState):
        action_url = "https://actions.globus.org/hello_world"
        echo_string: str = "$.input.message"
        sleep_time: int = 0

    chain = Hello(state_name="H1").next(PassState(state_name="P1"))

    @generate_flow_definition
    class StateClient(FakeClient):
        gladier_tools = [chain, st.SimpleTool]

    definition: Any = generated_client_definition(StateClient())
    assert as_fixture_text(definition) == reference_text("client_state_and_tool")
