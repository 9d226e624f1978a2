"""Auto-registration: functions and flows are registered again only when their checksum changed."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from gladier import GladierBaseClient, GladierBaseTool, GladierClient, generate_flow_definition
from gladier.exc import (
    ConfigException,
    FlowObsolete,
    FunctionObsolete,
    NoFlowRegistered,
    RegistrationException,
)
from gladier.managers import FlowsManager
from gladier.services.local import shared_runtime
from gladier.tools import Compute
from tests.sdk.client_tools import PASS_DEFINITION, AddOne, AddOneClient, Greet


def calc_client(body: str, auto_registration: bool = True) -> GladierBaseClient:
    """A client named ``CalcClient`` whose tool runs ``calc`` with the given body."""
    namespace: dict[str, Any] = {}
    source = "def calc(**data):\n" + textwrap.indent(body, "    ") + "\n"
    exec(compile(source, "<calc>", "exec"), namespace)

    @generate_flow_definition
    class Calc(GladierBaseTool):
        compute_functions = [namespace["calc"]]
        required_input = ["number", "compute_endpoint"]

    @generate_flow_definition
    class CalcClient(GladierBaseClient):
        gladier_tools = [Calc]

    return CalcClient(auto_registration=auto_registration)


def run_and_wait(client: GladierBaseClient, flow_input: dict[str, Any]) -> dict[str, Any]:
    run = client.run_flow(flow_input)
    return client.progress(run["run_id"], callback=lambda status: None)


def output_of(final: dict[str, Any], state: str) -> Any:
    return final["details"]["output"][state]["details"]["results"][0]["output"]


def test_ids_and_checksums_are_kept_in_the_embedded_section_of_the_client() -> None:
    client = AddOneClient()
    ids = client.get_compute_function_ids()
    storage = client.storage
    assert storage.section == "add_one_client.embedded"
    assert storage.shared_section == "add_one_client"
    assert storage.get_value("add_one_function_id") == ids["add_one_function_id"]
    checksum = client.compute_manager.get_compute_function_checksum(AddOne.compute_functions[0])
    assert storage.get_value("add_one_function_id_checksum") == checksum


def test_a_second_client_reuses_the_registered_function() -> None:
    first = AddOneClient().get_compute_function_ids()
    again = AddOneClient().get_compute_function_ids()
    assert again == first
    assert AddOneClient().get_funcx_function_ids() == first


def test_a_changed_function_is_registered_again() -> None:
    first = calc_client("return data['number'] + 1")
    assert output_of(run_and_wait(first, {"input": {"number": 1}}), "Calc") == 2
    old_id = first.get_compute_function_ids()["calc_function_id"]
    changed = calc_client("return data['number'] + 100")
    new_id = changed.get_compute_function_ids()["calc_function_id"]
    assert new_id != old_id
    assert output_of(run_and_wait(changed, {"input": {"number": 1}}), "Calc") == 101


def test_without_auto_registration_a_changed_function_is_named() -> None:
    calc_client("return 1").get_compute_function_ids()
    client = calc_client("return 2", auto_registration=False)
    with pytest.raises(FunctionObsolete, match="function calc changed") as info:
        client.run_flow({"input": {"number": 1}})
    assert info.value.items == ("calc_function_id",)


def test_without_auto_registration_a_missing_function_is_named() -> None:
    client = calc_client("return 1", auto_registration=False)
    with pytest.raises(RegistrationException, match="calc is not registered") as info:
        client.get_compute_function_ids()
    assert not isinstance(info.value, FunctionObsolete)


def test_a_function_the_runtime_no_longer_knows_is_registered_again() -> None:
    client = AddOneClient()
    old_id = client.get_compute_function_ids()["add_one_function_id"]
    shared_runtime().delete_function(old_id)
    new_id = AddOneClient().get_compute_function_ids()["add_one_function_id"]
    assert new_id != old_id
    assert shared_runtime().get_function(new_id)["function_name"] == "add_one"


def test_a_changed_definition_updates_the_same_flow() -> None:
    class Flow(GladierBaseClient):
        flow_definition = PASS_DEFINITION

    flow_id = Flow().sync_flow()
    changed = {
        "StartAt": "Echo",
        "States": {"Echo": {"Type": "Pass", "Result": {"v": 2}, "End": True}},
    }

    class Flow(GladierBaseClient):  # type: ignore[no-redef]  # same section, new definition
        flow_definition = changed

    client = Flow()
    assert client.sync_flow() == flow_id
    assert shared_runtime().get_flow(flow_id)["definition"] == changed
    assert run_and_wait(client, {"input": {}})["details"]["output"] == {"v": 2}


def test_without_auto_registration_a_stale_flow_is_named() -> None:
    class Flow(GladierBaseClient):
        flow_definition = PASS_DEFINITION

    with pytest.raises(NoFlowRegistered, match="No flow is deployed"):
        Flow(auto_registration=False).run_flow({"input": {}})
    Flow().sync_flow()
    Flow(auto_registration=False).run_flow({"input": {}})

    class Flow(GladierBaseClient):  # type: ignore[no-redef]
        flow_definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

    with pytest.raises(FlowObsolete, match="changed since flow"):
        Flow(auto_registration=False).run_flow({"input": {}})


def test_flow_kwargs_do_not_cause_an_update_on_every_run() -> None:
    class WithKwargs(GladierBaseClient):
        flow_definition = PASS_DEFINITION
        flow_kwargs = {"subtitle": "nightly", "keywords": ["demo"]}

    client = WithKwargs()
    flow_id = client.sync_flow()
    flow = shared_runtime().get_flow(flow_id)
    assert flow["subtitle"] == "nightly" and flow["keywords"] == ["demo"]
    client.run_flow({"input": {}})
    WithKwargs().run_flow({"input": {}})
    assert shared_runtime().get_flow(flow_id)["updated_at"] == flow["updated_at"]
    assert not client.flows_manager.flow_changed()


def test_a_flow_the_runtime_no_longer_knows_is_deployed_again() -> None:
    class Flow(GladierBaseClient):
        flow_definition = PASS_DEFINITION

    client = Flow()
    old_id = client.sync_flow()
    assert old_id is not None
    shared_runtime().delete_flow(old_id)
    run = client.run_flow({"input": {"x": 1}})
    assert run["flow_id"] != old_id == old_id
    assert client.get_flow_id() == run["flow_id"]


def test_an_explicit_flow_id_is_not_redeployed() -> None:
    flow = shared_runtime().create_flow("by hand", PASS_DEFINITION)

    class Pinned(GladierBaseClient):
        flow_definition = PASS_DEFINITION

    client = Pinned(flows_manager=FlowsManager(flow_id=flow["id"]))
    run = client.run_flow({"input": {}})
    assert run["flow_id"] == flow["id"]
    assert client.flows_manager.redeploy_on_404 is False


def test_two_different_functions_sharing_a_name_are_refused() -> None:
    def greet(**data: Any) -> Any:
        return "a different greet"

    class OtherGreet(GladierBaseTool):
        compute_functions = [greet]
        required_input = ["name"]

    class Clash(GladierBaseClient):
        gladier_tools = [Greet, OtherGreet]
        flow_definition = PASS_DEFINITION

    with pytest.raises(ConfigException, match="same input key 'greet_function_id'"):
        Clash().get_compute_function_ids()


def test_aliased_copies_of_a_compute_tool_run_side_by_side() -> None:
    @generate_flow_definition
    class TwoGreetings(GladierBaseClient):
        gladier_tools = [
            "tests.sdk.client_tools.Greet:Morning",
            "tests.sdk.client_tools.Greet:Evening",
        ]

    client = TwoGreetings()
    ids = client.get_compute_function_ids()
    assert sorted(ids) == ["evening_greet_function_id", "morning_greet_function_id"]
    assert client.storage.get_value("morning_greet_function_id_checksum")
    final = run_and_wait(
        client,
        {"input": {"morning_name": "Ada", "evening_name": "Grace", "evening_greeting": "Hi"}},
    )
    assert output_of(final, "GreetMorning") == "Hello, Ada!"
    assert output_of(final, "GreetEvening") == "Hi, Grace!"


def test_legacy_funcx_functions_still_run_with_a_warning() -> None:
    def legacy(**data: Any) -> Any:
        return data["number"] * 3

    class Legacy(GladierBaseTool):
        funcx_functions = [legacy]
        required_input = ["number", "compute_endpoint"]
        flow_definition = {
            "StartAt": "Legacy",
            "States": {
                "Legacy": {
                    "Type": "Action",
                    "ActionUrl": "https://compute.actions.globus.org",
                    "Parameters": {
                        "tasks": [
                            {
                                "endpoint.$": "$.input.compute_endpoint",
                                "function.$": "$.input.legacy_function_id",
                                "payload.$": "$.input",
                            }
                        ]
                    },
                    "ResultPath": "$.Legacy",
                    "End": True,
                }
            },
        }

    class LegacyClient(GladierBaseClient):
        gladier_tools = [Legacy]
        flow_definition = Legacy.flow_definition

    with pytest.warns(DeprecationWarning, match="funcx_functions"):
        client = LegacyClient()
        tools = client.tools
    assert tools[0].compute_functions == [legacy]
    assert output_of(run_and_wait(client, {"input": {"number": 2}}), "Legacy") == 6


def test_gladier_client_registers_the_functions_of_a_state_api_definition() -> None:
    def triple(x: int) -> int:
        return 3 * x

    state = Compute(function_to_call=triple, function_parameters={"x.$": "$.input.x"})
    client = GladierClient(state.get_flow_definition())
    assert list(client.get_compute_function_ids()) == ["triple_function_id"]
    final = run_and_wait(client, {"input": {"x": 5}})
    assert final["status"] == "SUCCEEDED"
    assert final["details"]["output"]["ComputeResult"]["details"]["results"][0]["output"] == 15
    assert GladierClient(state).get_flow_definition() == state.get_flow_definition()


def test_states_in_gladier_tools_have_their_functions_registered() -> None:
    def square(x: int) -> int:
        return x * x

    @generate_flow_definition
    class Mixed(GladierBaseClient):
        gladier_tools = [
            AddOne,
            Compute(
                state_name="Square",
                function_to_call=square,
                function_parameters={"x.$": "$.AddOne.details.results[0].output"},
            ),
        ]

    client = Mixed()
    assert sorted(client.get_compute_function_ids()) == [
        "add_one_function_id",
        "square_function_id",
    ]
    final = run_and_wait(client, {"input": {"number": 4}})
    assert final["details"]["output"]["SquareResult"]["details"]["results"][0]["output"] == 25
