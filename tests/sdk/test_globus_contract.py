"""One contract, two backends: the same client scenarios give the same documents.

Each scenario runs on the embedded runtime and on the Globus backend (recorded responses built
from ``globus_sdk.testing`` fixture bodies). The documents must carry the keys and value types
that Globus documents carry, so code written against one backend reads the other.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import globus_sdk
import pytest
import responses

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition
from gladier.services.scopes import flow_scope
from tests.sdk.client_tools import AddOne, explode
from tests.sdk.globus_fakes import Logins, RecordedGlobus, fixture_body

ENDPOINT = "4b116d3c-1703-4f8f-9f6f-39921e5864df"
BACKENDS = ["embedded", "globus"]

#: The keys of Globus's own documents (the globus-sdk fixtures): both backends return them.
RUN_KEYS = set(fixture_body(globus_sdk.SpecificFlowClient.run_flow))
STATUS_KEYS = set(fixture_body(globus_sdk.FlowsClient.get_run))
FLOW_KEYS = set(fixture_body(globus_sdk.FlowsClient.get_flow))
LOG_KEYS = set(fixture_body(globus_sdk.FlowsClient.get_run_logs))
ENTRY_KEYS = set(fixture_body(globus_sdk.FlowsClient.get_run_logs)["entries"][0])


@generate_flow_definition
class ContractClient(GladierBaseClient):
    gladier_tools = [AddOne]


@generate_flow_definition
class Fragile(GladierBaseTool):
    compute_functions = [explode]
    required_input = ["number", "compute_endpoint"]


@generate_flow_definition
class FragileClient(GladierBaseClient):
    gladier_tools = [Fragile]


class PlainClient(GladierBaseClient):
    flow_definition = {
        "StartAt": "Start",
        "States": {"Start": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.s", "End": True}},
    }


class World:
    """Clients of one backend, and how to wait for their runs."""

    def __init__(self, name: str, recorded: RecordedGlobus | None) -> None:
        self.name = name
        self.recorded = recorded

    def client(self, cls: type[GladierBaseClient]) -> Any:
        if self.name == "embedded":
            return cls()
        on_globus = type(cls.__name__, (cls,), {"backend": "globus"})
        return on_globus(login_manager=Logins().manager())

    def finish(self, client: Any, run: dict[str, Any]) -> dict[str, Any]:
        return dict(client.progress(run["run_id"], callback=lambda status: None))

    def fail(self, state: str, text: str) -> None:
        if self.recorded is not None:
            self.recorded.failing_states[state] = text


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, globus_mock: responses.RequestsMock) -> Iterator[World]:
    recorded = RecordedGlobus(globus_mock) if request.param == "globus" else None
    yield World(request.param, recorded)


def types_of(document: dict[str, Any], keys: set[str]) -> dict[str, str]:
    """``{key: type name}`` for ``keys`` (``None`` values as ``NoneType``)."""
    return {key: type(document[key]).__name__ for key in sorted(keys)}


def deploy_run_and_follow(world: World) -> dict[str, Any]:
    client = world.client(ContractClient)
    run = client.run_flow(
        {"input": {"number": 1, "compute_endpoint": ENDPOINT}}, label="contract", tags=["x"]
    )
    final = world.finish(client, run)
    service = client.flows_manager.flows_client
    flow = service.get_flow(client.get_flow_id())
    logs = service.get_run_logs(run["run_id"], limit=10)
    return {"client": client, "run": run, "final": final, "flow": flow, "logs": logs}


def test_deploy_run_and_status_documents(world: World) -> None:
    got = deploy_run_and_follow(world)
    run, final, flow, logs = got["run"], got["final"], got["flow"], got["logs"]
    assert set(run) >= RUN_KEYS and set(final) >= STATUS_KEYS and set(flow) >= FLOW_KEYS
    assert set(logs) >= LOG_KEYS and all(set(e) >= ENTRY_KEYS for e in logs["entries"])
    assert run["run_id"] == run["action_id"] and run["flow_id"] == flow["id"]
    assert (run["label"], run["tags"]) == ("contract", ["x"])
    assert final["status"] == "SUCCEEDED"
    assert flow["globus_auth_scope"] == flow_scope(flow["id"])
    assert flow["title"] == "ContractClient flow"
    assert flow["input_schema"] == {"additionalProperties": True}
    state = got["client"].get_details(run["run_id"], "AddOne")
    assert state["status"] == "SUCCEEDED" and "output" in state["details"]["results"][0]
    sent_input = final["details"]["output"]["input"]
    assert sent_input["compute_endpoint"] == ENDPOINT
    assert got["client"].storage.get_value("flow_id") == flow["id"]
    assert got["client"].storage.get_value("add_one_function_id")


def test_a_changed_definition_updates_the_same_flow(world: World) -> None:
    client = world.client(PlainClient)
    flow_id = client.sync_flow()
    changed = {**PlainClient.flow_definition, "Comment": "changed"}
    client.flow_definition = changed
    assert client.sync_flow() == flow_id
    flow = client.flows_manager.flows_client.get_flow(flow_id)
    assert flow["definition"] == changed
    assert client.storage.get_value("flow_checksum") == client.flows_manager.get_flow_checksum()
    run = client.run_flow({"input": {}})
    assert run["flow_id"] == flow_id


def test_a_failed_function_is_readable(world: World) -> None:
    try:
        explode(number=7)
    except ValueError as err:
        world.fail("Explode", "".join(traceback.format_exception(err)))
    client = world.client(FragileClient)
    run = client.run_flow({"input": {"number": 7, "compute_endpoint": ENDPOINT}})
    final = world.finish(client, run)
    state = client.get_details(run["run_id"], "Explode")
    assert state["status"] == "FAILED"
    text = state["details"]["exception"]
    assert isinstance(text, str) and "ValueError: cannot handle 7" in text
    assert final["details"]["output"]["Explode"]["details"]["exception"] == text


def test_both_backends_give_the_same_shapes_and_keep_their_own_ids(
    globus_mock: responses.RequestsMock,
) -> None:
    embedded = deploy_run_and_follow(World("embedded", None))
    globus = deploy_run_and_follow(World("globus", RecordedGlobus(globus_mock)))
    for key, keys in (("run", RUN_KEYS), ("final", STATUS_KEYS), ("flow", FLOW_KEYS)):
        common = keys - {"completion_time"} if key == "run" else keys
        assert types_of(embedded[key], common) == types_of(globus[key], common), key
    # one config file, one section per backend: neither overwrote the other
    assert embedded["client"].storage.filename == globus["client"].storage.filename
    assert embedded["client"].get_flow_id() == embedded["flow"]["id"]
    assert globus["client"].get_flow_id() == globus["flow"]["id"]
    assert embedded["flow"]["id"] != globus["flow"]["id"]
