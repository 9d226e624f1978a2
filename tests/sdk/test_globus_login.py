"""Logging in to Globus through globus-sdk's UserApp and ClientApp, with recorded Globus Auth.

A scripted login flow stands in for the person at the browser; everything else (PKCE code
exchange, RS256 id_token checks, refresh grants, client credentials, revocation) is
globus-sdk's own machinery talking to recorded responses.
"""

from __future__ import annotations

import logging
import os
import stat
import traceback
from pathlib import Path
from typing import Any

import pytest
import responses

from gladier import GladierBaseClient, UserAppLoginManager
from gladier.exc import GladierException, NotFound
from gladier.managers import ConfidentialClientLoginManager, FlowsManager
from gladier.services.scopes import COMPUTE_SCOPE, FLOWS_SCOPES, flow_scope
from tests.sdk.globus_fakes import (
    AUTH_URL,
    CLIENT_ID,
    USER_ID,
    USERNAME,
    FakeGlobusAuth,
    RecordedGlobus,
    ScriptedLoginProvider,
)
from tests.sdk.test_globus_flows import HelloClient

BASE = [*FLOWS_SCOPES, COMPUTE_SCOPE]
MESSAGE = {"input": {"message": "hi"}}


def user_client(
    provider: ScriptedLoginProvider,
    cls: type[GladierBaseClient] = HelloClient,
    flows_manager: FlowsManager | None = None,
    **options: Any,
) -> Any:
    manager = UserAppLoginManager(
        CLIENT_ID, app_name="Tests", login_flow_manager=provider, **options
    )
    return cls(login_manager=manager, flows_manager=flows_manager)


def test_first_use_needs_two_consents_and_later_runs_none(
    recorded: RecordedGlobus, fake_auth: FakeGlobusAuth, _isolated_home: Path
) -> None:
    provider = ScriptedLoginProvider(fake_auth)
    client = user_client(provider)
    run = client.run_flow(MESSAGE)
    scope = flow_scope(run["flow_id"])
    # 1: everything that exists (to deploy), 2: the new flow's scope with everything else
    assert [set(login) for login in provider.logins] == [
        {*BASE, "openid"},
        {*BASE, "openid", scope},
    ]
    assert all(form["grant_type"] == "authorization_code" for form in fake_auth.grants)
    assert "access_type=offline" in provider.flows[0].urls[0]  # refresh tokens were asked for
    tokens = _isolated_home / f"{CLIENT_ID}.db"
    assert stat.S_IMODE(os.stat(tokens).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(_isolated_home).st_mode) == 0o700
    # a new process (a new client object) finds the tokens and logs in no more
    again = user_client(provider)
    assert again.is_logged_in()
    again.run_flow(MESSAGE)
    assert len(provider.logins) == 2
    assert again.login_manager.identity().username == USERNAME


def test_a_stored_flow_needs_one_consent_for_everything(
    recorded: RecordedGlobus, fake_auth: FakeGlobusAuth, _isolated_home: Path
) -> None:
    provider = ScriptedLoginProvider(fake_auth)
    deployed = user_client(provider)
    flow_id = deployed.sync_flow()
    assert flow_id is not None
    assert deployed.logout() is True
    revocable = {token for token in fake_auth.issued if not token.startswith("ey")}
    assert set(fake_auth.revoked) == revocable  # id tokens (JWTs) cannot be revoked
    provider.flows.clear()
    client = user_client(provider)
    assert flow_scope(flow_id) in client.scopes
    client.run_flow(MESSAGE)
    assert [set(login) for login in provider.logins] == [{*BASE, "openid", flow_scope(flow_id)}]


def test_an_expired_access_token_is_refreshed_not_logged_in_again(
    recorded: RecordedGlobus, fake_auth: FakeGlobusAuth
) -> None:
    provider = ScriptedLoginProvider(fake_auth)
    user_client(provider).sync_flow()
    fake_auth.expires_in = 10  # every token of the next login is about to expire
    client = user_client(provider)
    client.run_flow(MESSAGE)
    logins = len(provider.logins)
    run = user_client(provider).run_flow(MESSAGE)
    assert len(provider.logins) == logins
    refreshed = fake_auth.refresh_grants()
    assert refreshed and all(form["client_id"] == CLIENT_ID for form in refreshed)
    assert recorded.calls[-1][3] == f"Bearer {fake_auth.issued[-1]}"  # the new access token
    assert run["status"] == "ACTIVE"


def test_missing_scope_means_one_new_consent_then_the_run(
    recorded: RecordedGlobus, fake_auth: FakeGlobusAuth
) -> None:
    provider = ScriptedLoginProvider(fake_auth)
    client = user_client(provider)
    flow_id = client.sync_flow()
    client.login()
    assert flow_id is not None
    before = len(provider.logins)
    recorded.missing_scope.add(flow_id)
    client.run_flow(MESSAGE)
    assert len(provider.logins) == before + 1
    assert flow_scope(flow_id) in provider.logins[-1]


def test_a_confidential_client_uses_client_credentials(
    globus_mock: responses.RequestsMock,
    recorded: RecordedGlobus,
    monkeypatch: pytest.MonkeyPatch,
    _isolated_home: Path,
) -> None:
    client_id = "c0nf1de0-0000-4000-8000-000000000001"
    fake = FakeGlobusAuth(globus_mock, client_id=client_id)
    monkeypatch.setenv("GLADIER_CLIENT_ID", client_id)
    monkeypatch.setenv("GLADIER_CLIENT_SECRET", "s3cret-value")
    client = HelloClient()
    assert isinstance(client.login_manager, ConfidentialClientLoginManager)
    assert client.is_logged_in()  # nothing interactive is ever needed
    run = client.run_flow(MESSAGE)
    grants = fake.grants
    assert grants and {form["grant_type"] for form in grants} == {"client_credentials"}
    granted = {scope for form in grants for scope in form["scope"].split()}
    assert {*BASE, flow_scope(run["flow_id"])} <= granted
    assert client.storage.filename == _isolated_home / f"{client_id}.cfg"
    assert (_isolated_home / f"{client_id}.db").exists()
    identity = client.login_manager.identity()
    assert identity.username == f"{client_id}@clients.auth.globus.org"
    assert "s3cret-value" not in repr(client.login_manager)


def test_json_token_storage_and_a_custom_auth_url(
    globus_mock: responses.RequestsMock,
    recorded: RecordedGlobus,
    monkeypatch: pytest.MonkeyPatch,
    _isolated_home: Path,
) -> None:
    local = "http://127.0.0.1:8766/auth/"
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_AUTH", local)
    fake = FakeGlobusAuth(globus_mock, auth_url=local)
    provider = ScriptedLoginProvider(fake)
    client = user_client(provider, token_storage="json")
    client.login()
    path = _isolated_home / f"{CLIENT_ID}.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert USER_ID in path.read_text()
    assert provider.flows[0].urls[0].startswith(f"{local}v2/oauth2/authorize?")
    assert client.is_logged_in()
    assert not fake_urls_called(globus_mock, AUTH_URL)


def fake_urls_called(mock: responses.RequestsMock, prefix: str) -> list[str]:
    return [call.request.url for call in mock.calls if call.request.url.startswith(prefix)]


def test_tokens_never_reach_logs_or_error_messages(
    recorded: RecordedGlobus, fake_auth: FakeGlobusAuth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = ScriptedLoginProvider(fake_auth)
    client = user_client(provider)
    client.run_flow(MESSAGE)
    fake_auth.expires_in = 10
    client.logout()
    client.login()  # tokens about to expire: the next call refreshes them
    missing = "00000000-0000-4000-8000-00000000dead"
    pinned = user_client(provider, flows_manager=FlowsManager(flow_id=missing))
    errors: list[BaseException] = []
    for action in (
        lambda: pinned.flows_manager.run_flow(body=MESSAGE),
        lambda: pinned.get_status("00000000-0000-4000-8000-00000000beef"),
    ):
        with pytest.raises(GladierException) as info:
            action()
        errors.append(info.value)
    assert isinstance(errors[0], NotFound)
    assert fake_auth.refresh_grants()
    texts = [caplog.text, repr(client), repr(client.login_manager), repr(pinned.login_manager)]
    texts += [repr(pinned.login_manager.session), str(pinned.login_manager.get_authorizers())]
    for error in errors:
        texts += [str(error), repr(error), *traceback.format_exception(error)]
    assert len(fake_auth.issued) > 10
    for token in fake_auth.issued:
        for text in texts:
            assert token not in text


def test_logging_in_twice_in_a_row_asks_once(
    recorded: RecordedGlobus, fake_auth: FakeGlobusAuth
) -> None:
    provider = ScriptedLoginProvider(fake_auth)
    client = user_client(provider)
    client.login()
    client.login()
    assert len(provider.logins) == 1
    assert client.login_manager.get_authorizers().keys() >= set(BASE)
    assert client.logout() and not client.is_logged_in()


def test_a_relative_config_file_keeps_its_tokens_beside_it(
    recorded: RecordedGlobus,
    fake_auth: FakeGlobusAuth,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Relative(HelloClient):
        secret_config_filename = "relative-secrets.cfg"

    monkeypatch.chdir(tmp_path)
    client = user_client(ScriptedLoginProvider(fake_auth), Relative)
    assert client.is_logged_in() is False  # no login yet, and no error about the folder
    client.login()
    assert client.is_logged_in() is True
    assert (tmp_path / "relative-secrets.db").is_file()
