"""globus-sdk's own FlowsClient and SpecificFlowClient against a real gladier server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

globus_sdk = pytest.importorskip("globus_sdk")

from gladier.runtime import Runtime  # noqa: E402
from gladier.server.serve import RunningServer  # noqa: E402
from gladier.services.scopes import MANAGE_FLOWS_SCOPE  # noqa: E402

PASS = {
    "StartAt": "A",
    "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "End": True}},
}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
SCHEMA = {"type": "object", "properties": {"x": {"type": "integer"}}}


@pytest.fixture
def flows(server: RunningServer, token_for: Callable[[str], str]) -> globus_sdk.FlowsClient:
    # No base_url: globus-sdk finds the server through GLOBUS_SDK_SERVICE_URL_FLOWS.
    return globus_sdk.FlowsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(token_for(MANAGE_FLOWS_SCOPE))
    )


def specific(flow: Any, token_for: Callable[[str], str]) -> globus_sdk.SpecificFlowClient:
    token = token_for(flow["globus_auth_scope"])
    return globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )


def wait_done(flows: globus_sdk.FlowsClient, run_id: str) -> dict[str, Any]:
    while True:
        run = flows.get_run(run_id)
        if run["status"] not in ("ACTIVE", "INACTIVE"):
            return dict(run.data)


def test_sdk_reaches_the_server_through_the_service_url_variable(
    flows: globus_sdk.FlowsClient, server: RunningServer
) -> None:
    assert flows.base_url == server.url + "/flows/"


def test_create_run_poll_logs_definition(
    flows: globus_sdk.FlowsClient, token_for: Callable[[str], str], server_runtime: Runtime
) -> None:
    flow = flows.create_flow("adder", PASS, SCHEMA, subtitle="sub", keywords=["k"])
    assert flow.http_status == 201
    assert flows.get_flow(flow["id"])["subtitle"] == "sub"
    run = specific(flow, token_for).run_flow({"x": 3}, label="first", tags=["a", "b"])
    done = wait_done(flows, run["run_id"])
    assert done["status"] == "SUCCEEDED"
    assert done["details"]["output"] == {"x": 3}
    assert done["label"] == "first" and done["tags"] == ["a", "b"]
    # The same run, seen in-process.
    assert server_runtime.get_run(run["run_id"])["status"] == "SUCCEEDED"
    logs = flows.get_run_logs(run["run_id"])
    codes = [e["code"] for e in logs]
    assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
    newest = flows.get_run_logs(run["run_id"], limit=1, reverse_order=True)
    assert [e["code"] for e in newest] == ["FlowSucceeded"]
    assert newest["has_next_page"] is True
    assert flows.get_run_definition(run["run_id"])["definition"] == PASS
    described = flows.get_run(run["run_id"], include_flow_description=True)
    assert described["flow_description"]["title"] == "adder"


def test_update_delete_and_validate(flows: globus_sdk.FlowsClient) -> None:
    flow = flows.create_flow("old", PASS, {})
    updated = flows.update_flow(flow["id"], title="new", description="d")
    assert updated["title"] == "new" and updated["description"] == "d"
    assert flows.validate_flow(PASS).http_status == 200
    flows.delete_flow(flow["id"])
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        flows.get_flow(flow["id"])
    assert caught.value.http_status == 404


def test_errors_are_native_flows_bodies(flows: globus_sdk.FlowsClient) -> None:
    with pytest.raises(globus_sdk.FlowsAPIError) as missing:
        flows.get_run("no-such-run")
    assert missing.value.http_status == 404 and missing.value.code == "NOT_FOUND"
    assert missing.value.headers["Content-Type"].startswith("application/json")
    with pytest.raises(globus_sdk.FlowsAPIError) as invalid:
        flows.create_flow("bad", {"StartAt": "Nope", "States": {}}, {})
    err = invalid.value
    assert err.http_status == 422 and err.code == "UNPROCESSABLE_ENTITY"
    assert isinstance(err.raw_json["error"]["detail"], list)
    assert any("Nope" in m for m in err.messages)
    flow = flows.create_flow("fine", PASS, {})
    with pytest.raises(globus_sdk.FlowsAPIError) as unknown:
        flows.update_flow(flow["id"], title="t", additional_fields={"colour": "red"})
    assert unknown.value.http_status == 422 and "colour" in unknown.value.message


def test_run_needs_the_flows_own_scope(
    flows: globus_sdk.FlowsClient, token_for: Callable[[str], str]
) -> None:
    flow = flows.create_flow("scoped", PASS, {})
    wrong = globus_sdk.SpecificFlowClient(
        flow["id"], authorizer=globus_sdk.AccessTokenAuthorizer(token_for(MANAGE_FLOWS_SCOPE))
    )
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        wrong.run_flow({"x": 1})
    assert caught.value.http_status == 403 and caught.value.code == "MISSING_SCOPE"


def test_bad_input_is_a_4xx(flows: globus_sdk.FlowsClient, token_for: Callable[[str], str]) -> None:
    flow = flows.create_flow("typed", PASS, {**SCHEMA, "required": ["x"]})
    with pytest.raises(globus_sdk.FlowsAPIError) as caught:
        specific(flow, token_for).run_flow({"x": "not a number"})
    assert 400 <= caught.value.http_status < 500


def test_cancel_release_and_update_run(
    flows: globus_sdk.FlowsClient, token_for: Callable[[str], str]
) -> None:
    flow = flows.create_flow("waiter", WAIT, {})
    run = specific(flow, token_for).run_flow({})
    with pytest.raises(globus_sdk.FlowsAPIError) as active:
        flows.delete_run(run["run_id"])
    assert active.value.http_status == 409 and active.value.code == "STATE_CONFLICT"
    assert flows.update_run(run["run_id"], label="renamed")["label"] == "renamed"
    cancelled = flows.cancel_run(run["run_id"])
    assert cancelled["status"] in ("FAILED", "ENDED")
    assert wait_done(flows, run["run_id"])["status"] in ("FAILED", "ENDED")
    flows.delete_run(run["run_id"])
    with pytest.raises(globus_sdk.FlowsAPIError) as gone:
        flows.get_run(run["run_id"])
    assert gone.value.http_status == 404


def test_resume_is_served_under_runs(
    flows: globus_sdk.FlowsClient, token_for: Callable[[str], str]
) -> None:
    flow = flows.create_flow("resumable", PASS, {})
    client = specific(flow, token_for)
    run = client.run_flow({"x": 1})
    wait_done(flows, run["run_id"])
    assert client.resume_run(run["run_id"])["run_id"] == run["run_id"]


def test_pagination_over_more_than_one_page(
    flows: globus_sdk.FlowsClient, token_for: Callable[[str], str]
) -> None:
    created = {flows.create_flow(f"flow {i}", PASS, {})["id"] for i in range(5)}
    pages = list(flows.paginated.list_flows(query_params={"per_page": 2}))
    assert len(pages) == 3
    assert pages[0]["has_next_page"] is True and pages[-1]["has_next_page"] is False
    assert {f["id"] for page in pages for f in page} == created
    flow = flows.get_flow(sorted(created)[0])
    client = specific(flow, token_for)
    run_ids = {client.run_flow({"x": i})["run_id"] for i in range(3)}
    run_pages = list(
        flows.paginated.list_runs(filter_flow_id=flow["id"], query_params={"per_page": 2})
    )
    assert len(run_pages) == 2
    assert {r["run_id"] for page in run_pages for r in page} == run_ids
    ordered = flows.list_flows(orderby=["title ASC"], query_params={"per_page": 3})
    assert [f["title"] for f in ordered] == ["flow 0", "flow 1", "flow 2"]


def test_requests_without_a_valid_token_get_401(server: RunningServer) -> None:
    for authorizer in (None, globus_sdk.AccessTokenAuthorizer("not-a-token")):
        client = globus_sdk.FlowsClient(authorizer=authorizer)
        with pytest.raises(globus_sdk.FlowsAPIError) as caught:
            client.list_flows()
        assert caught.value.http_status == 401
        assert caught.value.code == "AUTHENTICATION_ERROR"
