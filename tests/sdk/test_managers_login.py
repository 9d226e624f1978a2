"""Login on the embedded runtime: local identity, callback authorizers, missing scopes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from gladier import CallbackLoginManager, GladierBaseClient, UserAppLoginManager
from gladier.exc import AuthException
from gladier.managers import (
    AutoLoginManager,
    BaseLoginManager,
    ConfidentialClientLoginManager,
)
from gladier.services.local import shared_runtime
from gladier.services.local_auth import LocalAuthorizer
from gladier.services.scopes import COMPUTE_SCOPE, FLOWS_SCOPES, flow_scope
from tests.sdk.client_tools import PASS_DEFINITION

BASE_SCOPES = [*FLOWS_SCOPES, COMPUTE_SCOPE]


class PassClient(GladierBaseClient):
    flow_definition = PASS_DEFINITION


class FakeAuthorizer:
    def get_authorization_header(self) -> str:
        return "Bearer fake"


def authorizers(scopes: list[str]) -> dict[str, Any]:
    return {scope: FakeAuthorizer() for scope in scopes}


def test_a_new_client_needs_the_flows_and_compute_scopes() -> None:
    client = PassClient()
    assert client.scopes == BASE_SCOPES
    assert client.missing_authorizers == BASE_SCOPES
    assert not client.is_logged_in()
    assert isinstance(client.login_manager, UserAppLoginManager)


def test_login_and_logout_work_locally_and_persist() -> None:
    client = PassClient()
    client.login()
    assert client.is_logged_in()
    assert PassClient().is_logged_in()  # tokens are in the config file
    authorizer = client.login_manager.get_authorizers()[COMPUTE_SCOPE]
    assert isinstance(authorizer, LocalAuthorizer)
    assert authorizer.get_authorization_header().startswith("Bearer gladier-local.")
    tokens = client.storage.read_tokens()
    assert tokens["funcx_service"]["username"] == shared_runtime().identity.username
    assert client.logout() is True
    assert not client.is_logged_in()
    assert not PassClient().is_logged_in()


def test_running_logs_in_and_adds_the_flow_scope() -> None:
    client = PassClient()
    run = client.run_flow({"input": {}})
    scope = flow_scope(run["flow_id"])
    assert client.scopes == [*BASE_SCOPES, scope]
    assert client.is_logged_in()
    assert scope in client.login_manager.get_authorizers()
    assert set(PassClient().scopes) == {*BASE_SCOPES, scope}  # the stored flow id adds it


def test_expired_tokens_count_as_missing() -> None:
    client = PassClient()
    client.login()
    tokens = client.storage.read_tokens()
    for token in tokens.values():
        token["expires_at_seconds"] = int(time.time()) - 10
    client.storage.write_tokens(tokens)
    assert client.missing_authorizers == BASE_SCOPES


def test_sufficient_authorizers_are_honoured() -> None:
    with pytest.warns(DeprecationWarning, match="CallbackLoginManager"):
        client = PassClient(authorizers=authorizers(BASE_SCOPES))
    assert isinstance(client.login_manager, CallbackLoginManager)
    assert client.is_logged_in()
    client.sync_flow()
    # the flow's own scope is now needed, and the caller did not give it
    assert client.missing_authorizers == [flow_scope(str(client.get_flow_id()))]


def test_insufficient_authorizers_raise_listing_what_is_missing() -> None:
    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(AuthException, match="Missing Authorizers") as info,
    ):
        PassClient(authorizers=authorizers(list(FLOWS_SCOPES)))
    assert info.value.missing_scopes == (COMPUTE_SCOPE,)


def test_a_callback_login_manager_without_callback_refuses_a_missing_flow_scope() -> None:
    client = PassClient(login_manager=CallbackLoginManager(authorizers(BASE_SCOPES)))
    client.sync_flow()
    with pytest.raises(AuthException, match="no callback") as info:
        client.run_flow({"input": {}})
    assert info.value.missing_scopes == (flow_scope(str(client.get_flow_id())),)


def test_a_callback_supplies_missing_scopes() -> None:
    asked: list[list[str]] = []

    def callback(scopes: list[str]) -> dict[str, Any]:
        asked.append(scopes)
        return authorizers(scopes)

    client = PassClient(login_manager=CallbackLoginManager({}, callback=callback))
    run = client.run_flow({"input": {"x": 1}})
    assert asked[0] == BASE_SCOPES
    assert asked[1] == [flow_scope(run["flow_id"])]
    assert client.is_logged_in()


def test_auto_login_false_requires_an_explicit_login() -> None:
    with pytest.warns(DeprecationWarning, match="auto_login"):
        client = PassClient(auto_login=False)
    assert isinstance(client.login_manager, AutoLoginManager)
    with pytest.raises(AuthException, match="Call login") as info:
        client.run_flow({"input": {}})
    assert set(info.value.missing_scopes) == set(BASE_SCOPES)
    client.login()
    client.sync_flow()
    with pytest.raises(AuthException):
        client.run_flow({"input": {}})  # the new flow's scope needs a login too
    client.login()
    assert client.run_flow({"input": {}})["status"] == "ACTIVE"


def test_confidential_client_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, _isolated_home: Path
) -> None:
    client_id = "0c8d33e5-7f56-4a46-8b0a-4d5c2e4bc3ab"
    monkeypatch.setenv("GLADIER_CLIENT_ID", client_id)
    monkeypatch.setenv("GLADIER_CLIENT_SECRET", "s3cret")
    client = PassClient()
    assert isinstance(client.login_manager, ConfidentialClientLoginManager)
    assert client.storage.filename == _isolated_home / f"{client_id}.cfg"
    client.login()
    token = client.storage.read_tokens()["flows.globus.org"]
    assert token["username"] == f"{client_id}@clients.auth.globus.org"


def test_a_user_app_login_manager_without_storage_keeps_tokens_in_memory() -> None:
    manager = UserAppLoginManager("f1631610-d9e4-4db2-81ba-7f93ad4414e3")
    manager.add_requirements([COMPUTE_SCOPE])
    assert manager.missing_authorizers == [COMPUTE_SCOPE]
    manager.login([COMPUTE_SCOPE])
    assert manager.is_logged_in()
    assert manager.scopes_by_resource_server(BASE_SCOPES) == {
        "flows.globus.org": list(FLOWS_SCOPES),
        "funcx_service": [COMPUTE_SCOPE],
    }
    manager.logout()
    assert not manager.is_logged_in()


def test_a_given_login_manager_is_wired_to_the_client() -> None:
    manager = UserAppLoginManager("f1631610-d9e4-4db2-81ba-7f93ad4414e3", app_name="Mine")
    client = PassClient(login_manager=manager)
    assert manager.storage is client.storage
    assert client.login_manager is manager
    assert client.flows_manager.login_manager is manager


def test_scope_changes_count_as_missing_until_the_next_login() -> None:
    manager = CallbackLoginManager(authorizers(["a"]), callback=authorizers)
    manager.add_requirements(["a"])
    manager.add_scope_change(["a"])
    assert manager.missing_authorizers == ["a"]
    manager.get_manager_authorizers()
    assert manager.missing_authorizers == []


def test_login_manager_base_class_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseLoginManager()  # type: ignore[abstract]
    assert BaseLoginManager.normalize_scope_strs_to_globus_scopes(["a", "b", "a"]) == ["a", "b"]


def test_authorizers_keyed_by_globus_sdk_scope_objects_count_as_their_scope() -> None:
    import globus_sdk

    class Granting:
        def __init__(self) -> None:
            self.asked: list[list[str]] = []

        def __call__(self, scopes: list[str]) -> dict[Any, Any]:
            self.asked.append(scopes)
            return {globus_sdk.Scope(scope): FakeAuthorizer() for scope in scopes}

    given = {globus_sdk.Scope(scope): FakeAuthorizer() for scope in FLOWS_SCOPES}
    callback = Granting()
    manager = CallbackLoginManager(given, callback=callback)
    manager.add_requirements([*(globus_sdk.Scope(s) for s in FLOWS_SCOPES), COMPUTE_SCOPE])
    assert manager.missing_authorizers == [COMPUTE_SCOPE]
    authorizers = manager.get_manager_authorizers()
    assert callback.asked == [[COMPUTE_SCOPE]]
    assert set(authorizers) == {*FLOWS_SCOPES, COMPUTE_SCOPE}  # keyed by scope strings
    assert manager.is_logged_in()
