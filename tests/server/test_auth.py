"""The minimal Auth API: client-credentials grants, id_tokens, introspection, expiry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

globus_sdk = pytest.importorskip("globus_sdk")

from gladier.runtime import Runtime  # noqa: E402
from gladier.runtime.clock import ManualClock  # noqa: E402
from gladier.server.app import create_app  # noqa: E402
from gladier.server.serve import RunningServer, running_server  # noqa: E402
from gladier.server.tokens import TokenService, split_scopes  # noqa: E402
from gladier.services.scopes import COMPUTE_SCOPE, MANAGE_FLOWS_SCOPE, flow_scope  # noqa: E402


def test_a_client_app_drives_flows_through_the_grant(server: RunningServer) -> None:
    creds = server.app.state.tokens.credentials
    app = globus_sdk.ClientApp(
        "gladier-server-test",
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        config=globus_sdk.GlobusAppConfig(token_storage="memory"),
    )
    flows = globus_sdk.FlowsClient(app=app)
    flow = flows.create_flow(
        "via app", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {}
    )
    assert flows.get_flow(flow["id"])["title"] == "via app"
    # The app asks for the new flow's own scope by itself to start a run.
    run = globus_sdk.SpecificFlowClient(flow["id"], app=app).run_flow({"n": 1})
    while (doc := flows.get_run(run["run_id"]))["status"] == "ACTIVE":
        pass
    assert doc["status"] == "SUCCEEDED"


def test_grant_gives_one_token_per_resource_server_and_a_signed_id_token(
    auth_client: Any,
) -> None:
    flow_id = "a1b2c3d4-0000-4000-8000-000000000001"
    grant = auth_client.oauth2_client_credentials_tokens(
        requested_scopes=[
            "openid",
            MANAGE_FLOWS_SCOPE,
            COMPUTE_SCOPE,
            COMPUTE_SCOPE,
            flow_scope(flow_id),
        ]
    )
    assert set(grant.by_resource_server) == {
        "auth.globus.org",
        "flows.globus.org",
        "funcx_service",
        flow_id,
    }
    # globus-sdk fetches the OIDC configuration and the JWKS and checks the RS256 signature.
    claims = grant.decode_id_token()
    assert claims["aud"] == auth_client.client_id
    assert claims["sub"] == auth_client.client_id


def test_introspect_validate_userinfo_and_identities(auth_client: Any, token_for: Any) -> None:
    token = token_for(MANAGE_FLOWS_SCOPE)
    info = auth_client.oauth2_token_introspect(token, include="identity_set")
    assert info["active"] is True and info["scope"] == MANAGE_FLOWS_SCOPE
    assert info["identity_set"] == [auth_client.client_id]
    assert auth_client.oauth2_token_introspect("garbage")["active"] is False
    validated = auth_client.post(
        "/v2/oauth2/token/validate", data={"token": token}, encoding="form"
    )
    assert validated["active"] is True
    user = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token_for("openid")))
    assert user.userinfo()["sub"] == auth_client.client_id
    found = user.get_identities(ids=[auth_client.client_id])
    assert [i["id"] for i in found] == [auth_client.client_id]


def test_a_wrong_secret_is_refused(server: RunningServer) -> None:
    creds = server.app.state.tokens.credentials
    wrong = globus_sdk.ConfidentialAppAuthClient(creds.client_id, "not the secret")
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        wrong.oauth2_client_credentials_tokens(requested_scopes=[MANAGE_FLOWS_SCOPE])
    assert caught.value.http_status == 401


def test_tokens_expire(tmp_path: Path) -> None:
    clock = ManualClock()
    with Runtime(tmp_path / "rt") as rt:
        tokens = TokenService(tmp_path / "keys", clock=clock, lifetime=60).load()
        app = create_app(rt, tokens=tokens)
        with running_server(app) as running:
            url = running.url
            creds = tokens.credentials
            grant = requests.post(
                url + "/auth/v2/oauth2/token",
                data={"grant_type": "client_credentials", "scope": MANAGE_FLOWS_SCOPE},
                auth=(creds.client_id, creds.client_secret),
            )
            assert grant.status_code == 200 and grant.json()["expires_in"] == 60
            headers = {"Authorization": f"Bearer {grant.json()['access_token']}"}
            assert requests.get(url + "/flows/flows", headers=headers).status_code == 200
            clock.advance(61)
            expired = requests.get(url + "/flows/flows", headers=headers)
            assert expired.status_code == 401
            assert expired.headers["content-type"] == "application/json"
            assert expired.json()["error"]["code"] == "AUTHENTICATION_ERROR"


def test_keys_and_credentials_persist_and_are_private(tmp_path: Path) -> None:
    first = TokenService(tmp_path / "keys").load()
    token = first.grant(first.credentials.client_id, [MANAGE_FLOWS_SCOPE])["access_token"]
    again = TokenService(tmp_path / "keys").load()
    assert again.credentials == first.credentials
    assert again.verify(token) is not None  # a restart keeps tokens valid until they expire
    for name in ("credentials.json", "signing-key.pem"):
        assert (tmp_path / "keys" / name).stat().st_mode & 0o077 == 0


def test_unsupported_grants_and_unserved_services(tmp_path: Path) -> None:
    with Runtime(tmp_path / "rt") as rt:
        app = create_app(rt)
        with running_server(app) as running:
            url = running.url
            creds = app.state.tokens.credentials
            refused = requests.post(
                url + "/auth/v2/oauth2/token",
                data={"grant_type": "password"},
                auth=(creds.client_id, creds.client_secret),
            )
            assert refused.status_code == 400
            assert refused.json()["error"] == "unsupported_grant_type"
            transfer = requests.get(url + "/transfer/endpoint_search")
            assert transfer.status_code == 404 and transfer.json()["code"] == "NOT_SERVED"
            nowhere = requests.get(url + "/flows/nothing-here")
            assert nowhere.status_code == 404 and nowhere.json()["error"]["code"] == "NOT_FOUND"


def test_split_scopes_keeps_dependent_scopes_whole() -> None:
    assert split_scopes("openid  a[b c] d") == ["openid", "a[b c]", "d"]
