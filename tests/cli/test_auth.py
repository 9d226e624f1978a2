"""``gladier login``, ``logout`` and ``whoami``."""

from __future__ import annotations

import json
import os

from tests.cli.conftest import Invoke


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


def test_globus_backend_is_reported(gladier: Invoke) -> None:
    env = {"GLADIER_BACKEND": "globus"}
    who = gladier("whoami", env=env)
    assert who.exit_code == 0
    assert "Backend:  globus" in who.stdout and "(not logged in)" in who.stdout
    login = gladier("login", env=env)
    assert login.exit_code == 1
    assert "The 'globus' backend (Globus Flows, Compute and Auth in the cloud) is not" in (
        login.stderr
    )
    assert gladier("logout", env=env).exit_code == 1
    bad = gladier("whoami", env={"GLADIER_BACKEND": "cloudy"})
    assert bad.exit_code == 1 and "Unknown Gladier backend 'cloudy'" in bad.stderr


def test_login_and_logout_embedded(gladier: Invoke) -> None:
    login = gladier("login")
    assert login.exit_code == 0 and login.stdout.startswith("No login needed")
    logout = gladier("logout")
    assert logout.exit_code == 0 and "stores no tokens" in logout.stdout
