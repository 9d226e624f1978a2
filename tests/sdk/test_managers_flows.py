"""FlowsManager: checksum, permissions, run fields, on_change and the 0.8/0.11 names."""

from __future__ import annotations

from typing import Any

import pytest

from gladier import FlowsManager, GladierBaseClient
from gladier.exc import ConfigException, DevelopmentException, FlowObsolete, NoFlowRegistered
from gladier.managers import ensure_flow_registered, refuse_flow_changes
from gladier.managers.flows import truncate_label
from gladier.services.local import shared_runtime
from gladier.services.scopes import FLOWS_SCOPES, flow_scope
from tests.sdk.client_tools import PASS_DEFINITION

GROUP = "0d1f8e42-5d6c-4f2e-8a11-3b58f5a77a6b"


class PassClient(GladierBaseClient):
    flow_definition = PASS_DEFINITION


def test_scopes_before_and_after_deployment() -> None:
    client = PassClient()
    manager = client.flows_manager
    assert manager.get_scopes() == list(FLOWS_SCOPES)
    assert manager.flow_scope is None
    flow_id = str(client.sync_flow())
    assert manager.get_scopes() == [*FLOWS_SCOPES, flow_scope(flow_id)]


def test_checksum_covers_definition_schema_and_kwargs() -> None:
    manager = FlowsManager(flow_definition=PASS_DEFINITION)
    base = manager.get_flow_checksum()
    assert manager.get_flow_checksum(flow_schema={"type": "object"}) != base
    assert manager.get_flow_checksum(flow_kwargs={"subtitle": "x"}) != base
    assert manager.get_flow_checksum(flow_definition={"StartAt": "X", "States": {}}) != base
    assert FlowsManager(flow_definition=PASS_DEFINITION).get_flow_checksum() == base


def test_default_schema_accepts_anything() -> None:
    assert FlowsManager().flow_schema == {"additionalProperties": True}


def test_a_group_gets_every_flow_and_run_permission() -> None:
    class Grouped(GladierBaseClient):
        flow_definition = PASS_DEFINITION
        globus_group = GROUP

    client = Grouped()
    urn = f"urn:globus:groups:id:{GROUP}"
    flow_id = str(client.sync_flow())
    flow = shared_runtime().get_flow(flow_id)
    assert flow["flow_viewers"] == flow["flow_starters"] == flow["flow_administrators"] == [urn]
    run = client.run_flow({"input": {}})
    assert run["run_managers"] == run["run_monitors"] == [urn]


def test_permission_helpers_check_their_arguments() -> None:
    manager = FlowsManager(globus_group=GROUP)
    assert manager.get_globus_urn("x", "identity") == "urn:globus:auth:identity:x"
    with pytest.raises(DevelopmentException):
        manager.get_globus_urn("x", "robot")
    with pytest.raises(DevelopmentException):
        manager.get_flow_permission("flow_owners")
    assert manager.get_flow_permission("run_monitors", ["a"]) == ["a"]


def test_subscription_id_and_unknown_flow_kwargs_are_deployed() -> None:
    class Subscribed(GladierBaseClient):
        flow_definition = PASS_DEFINITION
        subscription_id = "sub-123"
        flow_kwargs = {"description": "described", "custom_field": 42}

    flow = shared_runtime().get_flow(str(Subscribed().sync_flow()))
    assert flow["subscription_id"] == "sub-123"
    assert flow["description"] == "described"
    assert flow["custom_field"] == 42


def test_on_change_none_runs_what_is_deployed() -> None:
    client = PassClient(flows_manager=FlowsManager(on_change=None))
    assert client.sync_flow() is None
    with pytest.raises(NoFlowRegistered):
        client.run_flow({"input": {}})


def test_custom_on_change_receives_the_reason() -> None:
    reasons: list[Any] = []

    def on_change(manager: FlowsManager, exc: Exception) -> None:
        reasons.append(exc)
        ensure_flow_registered(manager, exc)  # type: ignore[arg-type]

    client = PassClient(flows_manager=FlowsManager(on_change=on_change))
    client.sync_flow()
    client.sync_flow()
    assert [type(r) for r in reasons] == [NoFlowRegistered]


def test_refuse_flow_changes_raises_what_it_is_given() -> None:
    with pytest.raises(FlowObsolete):
        refuse_flow_changes(FlowsManager(), FlowObsolete("stale"))


def test_purge_forgets_the_stored_flow() -> None:
    client = PassClient()
    client.sync_flow()
    client.flows_manager.purge_flow()
    assert client.get_flow_id() is None
    assert client.flows_manager.flow_changed()


def test_a_manager_outside_a_client_says_what_it_lacks() -> None:
    with pytest.raises(ConfigException, match="no storage"):
        FlowsManager().get_flow_id()
    with pytest.raises(ConfigException, match="unexpected argument"):
        FlowsManager(bogus=1)


def test_run_flow_takes_0_8_flow_input_and_0_11_body() -> None:
    client = PassClient()
    client.sync_flow()
    manager = client.flows_manager
    old = manager.run_flow(flow_input={"input": {"v": 1}})
    new = manager.run_flow(body={"input": {"v": 2}}, label="b")
    assert manager.progress(old["run_id"], callback=lambda s: None)["details"]["output"] == {
        "echo": {"v": 1}
    }
    assert new["label"] == "b"


def test_truncate_label() -> None:
    assert truncate_label("short") == "short"
    assert truncate_label("x" * 64) == "x" * 64
    assert truncate_label("x" * 65) == "x" * 62 + ".."


def test_get_details_of_a_state() -> None:
    client = PassClient()
    run = client.run_flow({"input": {"v": 3}})
    client.progress(run["run_id"], callback=lambda s: None)
    document = client.get_details(run["run_id"], "Echo")
    assert document["status"] == "SUCCEEDED"  # no action output: the whole document


def test_auto_registration_false_refuses_changes_like_the_client_does() -> None:
    assert FlowsManager(auto_registration=False).on_change is refuse_flow_changes
    assert FlowsManager().on_change is ensure_flow_registered
    client = PassClient(flows_manager=FlowsManager(auto_registration=False))
    with pytest.raises(NoFlowRegistered):
        client.sync_flow()
    given = FlowsManager()
    PassClient(auto_registration=False, flows_manager=given)
    assert given.on_change is refuse_flow_changes


def test_a_manager_can_be_given_its_storage(tmp_path: Any) -> None:
    from gladier.storage import GladierSecretsConfig

    manager = FlowsManager(flow_definition=PASS_DEFINITION)
    manager.storage = GladierSecretsConfig(tmp_path / "mine.cfg", "my_section")
    manager.storage.set_value("flow_id", "11111111-1111-4111-8111-111111111111")
    assert manager.get_flow_id() == "11111111-1111-4111-8111-111111111111"
    assert manager.flow_changed() is True  # no checksum stored with it
