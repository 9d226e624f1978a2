"""``gladier login``, ``logout`` and ``whoami``."""

from __future__ import annotations

import json
import os

import pytest
import responses
from click.testing import CliRunner

from gladier.cli import cli
from gladier.services.scopes import COMPUTE_SCOPE, FLOWS_SCOPES
from tests.cli.conftest import Invoke
from tests.sdk.globus_fakes import USER_ID, USERNAME, FakeGlobusAuth


def test_whoami_embedded(gladier: Invoke) -> None:
    result = gladier("whoami")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Backend:  embedded"
    assert lines[1].startswith("Username: ") and "@" in lines[1]
    assert lines[2].startswith("Identity: urn:globus:auth:identity:")
    assert lines[3] == f"Home:     {os.environ['GLADIER_HOME']}"
    data = json.loads(gladier("whoami", "--json").stdout)
    assert data["backend"] == "embedded" and data["identity"]["urn"].startswith("urn:globus")


def test_whoami_home_option(gladier: Invoke, tmp_path: object) -> None:
    data = json.loads(gladier("--home", "/tmp/somewhere", "whoami", "--json").stdout)
    assert data["home"] == "/tmp/somewhere"


def test_globus_login_whoami_and_logout(gladier: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIER_BACKEND", "globus")
    monkeypatch.setenv("GLADIER_GLOBUS_MAX_RETRIES", "0")
    runner = CliRunner()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeGlobusAuth(mock)
        fake.default_scopes = [*FLOWS_SCOPES, COMPUTE_SCOPE, "openid"]
        who = gladier("whoami")
        assert who.exit_code == 0
        assert "Backend:  globus" in who.stdout and "(not logged in)" in who.stdout
        login = runner.invoke(cli, ["login"], input="code-pasted-by-ada\n")
        assert login.exit_code == 0, login.output
        assert "https://auth.globus.org/v2/oauth2/authorize?" in login.output
        assert f"Logged in to Globus as {USERNAME}." in login.output
        (grant,) = fake.grants
        assert grant["code"] == "code-pasted-by-ada"
        data = json.loads(gladier("whoami", "--json").stdout)
        assert data["identity"] == {
            "username": USERNAME,
            "id": USER_ID,
            "urn": f"urn:globus:auth:identity:{USER_ID}",
        }
        assert "Already logged in to Globus." in gladier("login").stdout
        logout = gladier("logout")
        assert logout.exit_code == 0 and "revoked" in logout.stdout
        assert len(fake.revoked) == 6  # access and refresh tokens of three resource servers
        assert "(not logged in)" in gladier("whoami").stdout
    bad = gladier("whoami", env={"GLADIER_BACKEND": "cloudy"})
    assert bad.exit_code == 1 and "Unknown Gladier backend 'cloudy'" in bad.stderr


def test_login_and_logout_embedded(gladier: Invoke) -> None:
    login = gladier("login")
    assert login.exit_code == 0 and login.stdout.startswith("No login needed")
    logout = gladier("logout")
    assert logout.exit_code == 0 and "stores no tokens" in logout.stdout


def test_login_without_a_terminal_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIER_BACKEND", "globus")
    monkeypatch.setenv("GLADIER_GLOBUS_MAX_RETRIES", "0")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeGlobusAuth(mock)
        fake.default_scopes = [*FLOWS_SCOPES, COMPUTE_SCOPE, "openid"]
        login = CliRunner().invoke(cli, ["login"], input="")  # nothing to read: no terminal
    assert login.exit_code == 1
    assert "standard input is not a terminal" in login.stderr
    assert "GLADIER_CLIENT_ID and GLADIER_CLIENT_SECRET" in login.stderr
    assert "please report" not in login.stderr and "Unexpected" not in login.stderr
    assert fake.grants == []


def test_logout_without_tokens_revokes_nothing(
    gladier: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLADIER_BACKEND", "globus")
    monkeypatch.setenv("GLADIER_GLOBUS_MAX_RETRIES", "0")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeGlobusAuth(mock)
        logout = gladier("logout")
    assert logout.exit_code == 0
    assert logout.stdout == "Not logged in to Globus: no tokens are stored, so none were revoked.\n"
    assert fake.revoked == []
