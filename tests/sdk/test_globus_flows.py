"""The Globus backend's flows: deploy, update, run, follow, and the errors Gladier reacts to.

Every request is answered by recorded responses (``globus_sdk.testing`` fixture bodies);
logins are a ``CallbackLoginManager`` handing out access-token authorizers.
"""

from __future__ import annotations

from typing import Any

import globus_sdk
import pytest
import responses
from globus_sdk.testing import get_last_request, load_response

from gladier import GladierBaseClient
from gladier.exc import (
    AuthException,
    FlowValidationError,
    NotFound,
    ServiceError,
)
from gladier.managers import FlowsManager
from gladier.services.globus import GlobusBackend, GlobusFlowsService
from gladier.services.scopes import (
    COMPUTE_SCOPE,
    FLOWS_SCOPES,
    MANAGE_FLOWS_SCOPE,
    flow_scope,
)
from tests.sdk.client_tools import PASS_DEFINITION
from tests.sdk.globus_fakes import FLOWS_URL, Logins, RecordedGlobus

GROUP = "0a0b0c0d-1111-4222-8333-444455556666"
SUBSCRIPTION = "5ub5c41b-0000-4000-8000-000000000001"
HELLO = "https://actions.globus.org/hello_world"


def hello_definition(url: str = HELLO) -> dict[str, Any]:
    return {
        "StartAt": "Hello",
        "States": {
            "Hello": {
                "Type": "Action",
                "ActionUrl": url,
                "Parameters": {"echo_string.$": "$.input.message"},
                "ResultPath": "$.Hello",
                "End": True,
            }
        },
    }


class HelloClient(GladierBaseClient):
    backend = "globus"
    flow_definition = hello_definition()


def make_client(logins: Logins, cls: type[GladierBaseClient] = HelloClient, **kw: Any) -> Any:
    return cls(login_manager=logins.manager(), **kw)


def test_deploy_run_and_follow(recorded: RecordedGlobus) -> None:
    logins = Logins()
    client = make_client(logins)
    run = client.run_flow({"input": {"message": "hi"}}, label="first", tags=["a", "b"])
    flow_id = client.get_flow_id()
    assert recorded.paths() == [
        "/flows",
        f"/flows/{flow_id}/run",
    ]
    created = recorded.sent("POST", "/flows")[0]
    assert created["title"] == "HelloClient flow"
    assert created["definition"] == hello_definition()
    assert created["input_schema"] == {"additionalProperties": True}
    assert "subscription_id" not in created  # nothing that was not given is sent
    started = recorded.sent("POST", "/run")[0]
    assert started == {"body": {"input": {"message": "hi"}}, "label": "first", "tags": ["a", "b"]}
    assert run["run_id"] == run["action_id"] and run["status"] == "ACTIVE"
    # the flow's own scope was asked for once the flow existed, and used for the run
    assert logins.asked == [[*FLOWS_SCOPES, COMPUTE_SCOPE], [flow_scope(flow_id)]]
    assert recorded.calls[-1][3].startswith("Bearer token-2-")
    final = client.progress(run["run_id"], callback=lambda status: None, delay=0)
    assert final["status"] == "SUCCEEDED"
    assert client.get_details(run["run_id"], "Hello")["status"] == "SUCCEEDED"
    assert client.get_status(run["run_id"])["label"] == "first"


def test_group_permissions_and_subscription_are_sent(recorded: RecordedGlobus) -> None:
    class Shared(HelloClient):
        globus_group = GROUP
        subscription_id = SUBSCRIPTION
        flow_kwargs = {"description": "shared", "keywords": ["x"]}

    client = make_client(Logins(), Shared)
    client.run_flow({"input": {"message": "hi"}})
    urn = f"urn:globus:groups:id:{GROUP}"
    created = recorded.sent("POST", "/flows")[0]
    assert created["subscription_id"] == SUBSCRIPTION
    for role in ("flow_viewers", "flow_starters", "flow_administrators"):
        assert created[role] == [urn]
    assert (created["description"], created["keywords"]) == ("shared", ["x"])
    started = recorded.sent("POST", "/run")[0]
    assert started["run_managers"] == [urn] and started["run_monitors"] == [urn]


def test_a_changed_definition_updates_the_same_flow(recorded: RecordedGlobus) -> None:
    logins = Logins()
    client = make_client(logins)
    flow_id = client.sync_flow()
    assert client.sync_flow() == flow_id  # unchanged: nothing sent
    assert recorded.paths() == ["/flows"]

    class Changed(HelloClient):
        flow_definition = {**hello_definition(), "Comment": "now with a comment"}

    changed = make_client(logins, Changed)
    changed.storage.set_value("flow_id", flow_id)
    changed.storage.set_value("flow_checksum", client.flows_manager.get_flow_checksum())
    assert changed.sync_flow() == flow_id
    assert recorded.paths() == ["/flows", f"/flows/{flow_id}"]  # the update only, no GET
    update = recorded.sent("PUT", f"/flows/{flow_id}")[0]
    assert update["definition"]["Comment"] == "now with a comment"
    assert recorded.flows[flow_id]["definition"]["Comment"] == "now with a comment"
    assert changed.storage.get_value("flow_checksum") == changed.flows_manager.get_flow_checksum()


def test_a_new_action_provider_asks_for_the_flow_scope_again_before_the_run(
    recorded: RecordedGlobus,
) -> None:
    logins = Logins()
    client = make_client(logins)
    client.run_flow({"input": {"message": "hi"}})
    flow_id = client.get_flow_id()
    asked = len(logins.asked)
    client.flows_manager.flow_definition = hello_definition("https://example.org/my_provider")
    client.flows_manager.register_flow()
    client.flows_manager.run_flow(body={"input": {"message": "hi"}})
    assert logins.asked[asked:] == [[flow_scope(flow_id)]]  # one consent, no refused run
    assert [p for p in recorded.paths("POST") if p.endswith("/run")] == [
        f"/flows/{flow_id}/run"
    ] * 2


def test_a_deleted_flow_is_deployed_again(recorded: RecordedGlobus) -> None:
    logins = Logins()
    client = make_client(logins)
    old = client.sync_flow()
    del recorded.flows[old]  # deleted in the Globus web app
    run = client.run_flow({"input": {"message": "hi"}})
    new = client.get_flow_id()
    assert new != old and run["flow_id"] == new
    assert flow_scope(old) not in client.scopes and flow_scope(new) in client.scopes
    assert recorded.paths("POST").count("/flows") == 2


def test_a_deleted_flow_given_explicitly_is_an_error(recorded: RecordedGlobus) -> None:
    missing = "00000000-0000-4000-8000-00000000dead"
    client = make_client(Logins(), flows_manager=FlowsManager(flow_id=missing))
    with pytest.raises(NotFound) as info:
        client.flows_manager.run_flow(body={"input": {}})
    assert info.value.http_status == 404 and info.value.code == "NOT_FOUND"
    assert "/flows" not in recorded.paths("POST")


def test_missing_scope_logs_in_again_and_runs(recorded: RecordedGlobus) -> None:
    logins = Logins()
    client = make_client(logins)
    flow_id = client.sync_flow()
    assert flow_id is not None
    recorded.missing_scope.add(flow_id)
    run = client.run_flow({"input": {"message": "hi"}})
    assert run["flow_id"] == flow_id
    assert logins.asked[-1] == [flow_scope(flow_id)]  # a new consent for the flow's scope
    runs = [p for p in recorded.paths("POST") if p.endswith("/run")]
    assert len(runs) == 2


def test_status_logs_cancel_and_resume(recorded: RecordedGlobus) -> None:
    client = make_client(Logins())
    run = client.run_flow({"input": {"message": "hi"}})
    service = client.flows_manager.flows_client
    assert isinstance(service, GlobusFlowsService)
    logs = service.get_run_logs(run["run_id"], limit=5, reverse_order=True)
    assert {"entries", "limit", "has_next_page"} <= set(logs)
    assert service.cancel_run(run["run_id"])["run_id"] == run["run_id"]
    resumed = service.resume_run(run["run_id"])
    assert resumed["status"] == "ACTIVE"
    # resuming needs the flow's own scope: the run's flow was looked up first
    assert recorded.paths()[-2:] == [f"/runs/{run['run_id']}", f"/runs/{run['run_id']}/resume"]


def test_fixture_errors_keep_code_detail_and_status(globus_mock: responses.RequestsMock) -> None:
    service = GlobusBackend(max_retries=0).flows(
        {scope: globus_sdk.AccessTokenAuthorizer("t") for scope in FLOWS_SCOPES}
    )
    load_response(
        globus_sdk.FlowsClient.create_flow,
        case="bad_admin_principal_error",
        requests_mock=globus_mock,
    )
    with pytest.raises(FlowValidationError) as bad:
        service.create_flow("t", PASS_DEFINITION, {}, flow_administrators=["bad"])
    assert bad.value.http_status == 422 and bad.value.code == "UNPROCESSABLE_ENTITY"
    assert isinstance(bad.value.detail, list) and bad.value.detail[0]["loc"]
    sent = get_last_request(requests_mock=globus_mock)
    assert sent is not None and sent.method == "POST"

    response = load_response(
        globus_sdk.SpecificFlowClient.run_flow,
        case="missing_scope_error",
        requests_mock=globus_mock,
    )
    flow_id = response.metadata["flow_id"]
    service = GlobusBackend().flows({flow_scope(flow_id): globus_sdk.AccessTokenAuthorizer("t")})
    with pytest.raises(ServiceError) as refused:
        service.run_flow(flow_id, {"input": {}})
    assert (refused.value.http_status, refused.value.code) == (403, "MISSING_SCOPE")
    assert "requires the following scope" in str(refused.value.detail)
    assert f"POST {FLOWS_URL}/flows/{flow_id}/run" in str(refused.value)


def test_a_missing_authorizer_names_the_scope() -> None:
    service = GlobusBackend().flows({})
    with pytest.raises(AuthException) as info:
        service.get_flow("x")
    assert info.value.missing_scopes == (MANAGE_FLOWS_SCOPE,)


def test_an_unregistered_url_fails_loudly(globus_mock: responses.RequestsMock) -> None:
    service = GlobusBackend().flows(
        {scope: globus_sdk.AccessTokenAuthorizer("t") for scope in FLOWS_SCOPES}
    )
    with pytest.raises(ServiceError) as info:
        service.get_flow("00000000-0000-4000-8000-000000000000")
    assert (info.value.code, info.value.http_status) == ("NETWORK_ERROR", 503)
    assert "Could not reach Globus" in str(info.value)


def test_service_url_variables_are_honoured(
    globus_mock: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = "http://127.0.0.1:8765/api/flows/"
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_FLOWS", local)
    elsewhere = RecordedGlobus(globus_mock, flows_url=local)
    client = make_client(Logins())
    assert "127.0.0.1:8765" in repr(client)
    run = client.run_flow({"input": {"message": "hi"}})  # SpecificFlowClient went there too
    assert elsewhere.paths() == ["/api/flows/flows", f"/api/flows/flows/{run['flow_id']}/run"]


def test_service_errors_are_also_the_globus_sdk_errors(recorded: RecordedGlobus) -> None:
    missing = "00000000-0000-4000-8000-00000000dead"
    client = make_client(Logins(), flows_manager=FlowsManager(flow_id=missing))
    with pytest.raises(globus_sdk.GlobusAPIError) as info:  # what Gladier 0.11 code catches
        client.flows_manager.run_flow(body={"input": {}})
    error = info.value
    assert isinstance(error, NotFound) and isinstance(error, globus_sdk.FlowsAPIError)
    assert (error.http_status, error.code) == (404, "NOT_FOUND")
    assert error.raw_json["error"]["code"] == "NOT_FOUND"  # globus-sdk's view of the answer
    assert str(error).startswith("Globus answered 404 NOT_FOUND to POST")
    assert error.message == str(error)


def test_a_flow_given_by_id_without_a_definition_gets_only_its_permissions_updated(
    recorded: RecordedGlobus, tmp_path: Any
) -> None:
    from gladier.storage.tokens import GladierSecretsConfig

    flow_id = recorded.add_flow(title="made elsewhere", definition=hello_definition())
    viewers = [f"urn:globus:groups:id:{GROUP}"]
    manager = FlowsManager(
        flow_id=flow_id,
        flow_kwargs={"flow_viewers": viewers},
        login_manager=Logins().manager(),
        backend=GlobusBackend(),
    )
    manager.storage = GladierSecretsConfig(tmp_path / "c.cfg", "pinned")
    manager.register_scopes()  # what a client does with its managers
    assert manager.sync_flow() == flow_id
    assert recorded.sent("PUT", f"/flows/{flow_id}") == [{"flow_viewers": viewers}]
    assert recorded.flows[flow_id]["title"] == "made elsewhere"
    assert manager.flow_changed() is False


def test_a_run_uses_the_scope_the_service_gave_the_flow(recorded: RecordedGlobus) -> None:
    flow_id = recorded.add_flow(definition=hello_definition())
    given = "https://auth.globus.org/scopes/c0ffee00-0000-4000-8000-000000000001/flow_c0ffee_user"
    recorded.flows[flow_id]["globus_auth_scope"] = given
    authorizers = {scope: globus_sdk.AccessTokenAuthorizer("t") for scope in FLOWS_SCOPES}
    authorizers[given] = globus_sdk.AccessTokenAuthorizer("flow-token")
    service = GlobusBackend().flows(authorizers)
    with pytest.raises(AuthException) as info:  # not known yet: the scope derived from the id
        service.run_flow(flow_id, {"input": {}})
    assert info.value.missing_scopes == (flow_scope(flow_id),)
    assert service.get_flow(flow_id)["globus_auth_scope"] == given
    assert service.run_flow(flow_id, {"input": {}})["flow_id"] == flow_id
    assert recorded.calls[-1][3] == "Bearer flow-token"
