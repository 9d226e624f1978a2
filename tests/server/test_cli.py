"""``gladier server`` as a user runs it: a subprocess, its banner, Ctrl-C, and a restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

globus_sdk = pytest.importorskip("globus_sdk")

from gladier.runtime import Runtime  # noqa: E402
from gladier.server.tokens import TokenService  # noqa: E402
from gladier.services.scopes import MANAGE_FLOWS_SCOPE  # noqa: E402
from tests.sdk.test_import_cost import modules_after  # noqa: E402

GLADIER = [sys.executable, "-c", "from gladier.cli import main; raise SystemExit(main())"]
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}}


def start(home: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start ``gladier server`` on a free port; returns it and the variables it printed."""
    process = subprocess.Popen(
        [*GLADIER, "server", "--port", "0", "--home", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
    )
    assert process.stdout is not None
    env: dict[str, str] = {}
    for line in process.stdout:
        if line.strip().startswith("export "):
            name, _, value = line.strip()[len("export ") :].partition("=")
            env[name] = value
        if "Ctrl-C" in line:
            return process, env
    raise AssertionError(f"the server ended early: {process.wait()}")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, out
    return out


def test_banner_ctrl_c_and_runs_continue_after_a_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    process, env = start(home)
    try:
        assert set(env) >= {
            "GLOBUS_SDK_SERVICE_URL_FLOWS",
            "GLOBUS_SDK_SERVICE_URL_AUTH",
            "GLOBUS_SDK_SERVICE_URL_TRANSFER",
            "GLOBUS_SDK_SERVICE_URL_SEARCH",
        }
        tokens = TokenService(home / "server").load()
        creds = tokens.credentials
        auth = globus_sdk.ConfidentialAppAuthClient(
            creds.client_id, creds.client_secret, base_url=env["GLOBUS_SDK_SERVICE_URL_AUTH"]
        )

        def token(scope: str) -> globus_sdk.AccessTokenAuthorizer:
            grant = auth.oauth2_client_credentials_tokens(requested_scopes=[scope])
            doc = next(iter(grant.by_resource_server.values()))
            return globus_sdk.AccessTokenAuthorizer(doc["access_token"])

        flows_url = env["GLOBUS_SDK_SERVICE_URL_FLOWS"]
        flows = globus_sdk.FlowsClient(base_url=flows_url, authorizer=token(MANAGE_FLOWS_SCOPE))
        flow = flows.create_flow("waits", WAIT, {})
        runner = globus_sdk.SpecificFlowClient(
            flow["id"], authorizer=token(flow["globus_auth_scope"])
        )
        runner.base_url = flows_url
        run_id = runner.run_flow({})["run_id"]
    finally:
        out = stop(process)
    assert "stopped; unfinished runs continue" in out
    with Runtime(home, scheduler=False) as offline:
        assert offline.get_run(run_id)["status"] == "ACTIVE"  # stopped mid-run
    process, env = start(home)  # the same port is not needed: tokens and runs live in home
    try:
        flows.base_url = env["GLOBUS_SDK_SERVICE_URL_FLOWS"]
        while flows.get_run(run_id)["status"] == "ACTIVE":
            pass
        assert flows.get_run(run_id)["status"] == "SUCCEEDED"
    finally:
        stop(process)


def test_listening_beyond_loopback_needs_a_flag(tmp_path: Path) -> None:
    done = subprocess.run(
        [*GLADIER, "server", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        env={**os.environ, "GLADIER_HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 1
    assert "--allow-remote" in done.stderr + done.stdout


def test_import_gladier_loads_no_server_dependency() -> None:
    loaded = modules_after("import gladier\nimport gladier.cli")
    for name in ("starlette", "uvicorn", "jwt", "gladier.server"):
        assert name not in loaded


def test_json_lines_for_scripts(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*GLADIER, "server", "--port", "0", "--home", str(tmp_path / "h"), "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    started = json.loads(process.stdout.readline())
    assert started["status"] == "started" and started["url"].startswith("http://127.0.0.1:")
    assert started["environment"]["GLOBUS_SDK_SERVICE_URL_FLOWS"] == started["url"] + "/flows/"
    assert Path(started["credentials"]).exists()
    out = stop(process)
    assert json.loads(out.strip().splitlines()[-1]) == {"status": "stopped"}


def test_a_remote_address_warns_before_it_binds(tmp_path: Path) -> None:
    from gladier.exc import ConfigException
    from gladier.server.serve import serve_forever

    warnings: list[str] = []
    # 192.0.2.1 (TEST-NET-1) is never this machine's, so the bind fails after the warning.
    with pytest.raises(ConfigException, match=r"Cannot listen on 192\.0\.2\.1"):
        serve_forever(
            str(tmp_path / "h"),
            host="192.0.2.1",
            port=0,
            allow_remote=True,
            echo=lambda _: None,
            warn=warnings.append,
        )
    assert warnings and "other machines can reach this server" in warnings[0]


def test_without_the_server_extra_the_command_says_how_to_install_it(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['starlette'] = None  # as if the server extra were not installed\n"
        "from gladier.cli import main\n"
        "raise SystemExit(main(['server', '--port', '0']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "GLADIER_HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 1
    assert "pip install starlette uvicorn" in done.stderr
