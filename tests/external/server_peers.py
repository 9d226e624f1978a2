"""Drive ``gladier server`` with the published Gladier 0.11 and the ``globus`` CLI.

Each runs from its own virtual environment (gitignored, never imported by this project)::

    benchmarks/.gladier011-venv     pip install gladier==0.11.0
    benchmarks/.globus-cli-venv     pip install globus-cli==3.44.0   (it pins globus-sdk 4.9)

    python tests/external/server_peers.py --setup      # make both venvs (needs an index)
    python tests/external/server_peers.py              # run both checks; prints what it proved

A check whose venv is missing (and cannot be made with ``--setup``) is reported as skipped, and
the script still succeeds. The server is this project's ``gladier server`` in a subprocess,
on port 5000 when it is free (then Compute is reached as the Compute SDK's ``local``
environment), else on a free port with the Compute SDK's URL lookup replaced in the client.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GLADIER_VENV = ROOT / "benchmarks" / ".gladier011-venv"
CLI_VENV = ROOT / "benchmarks" / ".globus-cli-venv"
PINS = {GLADIER_VENV: "gladier==0.11.0", CLI_VENV: "globus-cli==3.44.0"}
CLIENT_SCRIPT = Path(__file__).with_name("gladier011_client.py")
GLADIER = [sys.executable, "-c", "from gladier.cli import main; raise SystemExit(main())"]


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv(venv: Path) -> str | None:
    """Create ``venv`` with its pinned package; None when it worked, else why not."""
    if venv_python(venv).exists():
        return None
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(venv_python(venv)), "-m", "pip", "install", "-q", PINS[venv]],
            check=True,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as err:
        return f"could not make {venv}: {err}"
    return None


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def clean_env(home: Path) -> dict[str, str]:
    """An environment without this project on the path, with HOME inside ``home``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "PYTHONPATH" and not k.startswith(("GLOBUS_", "GLADIER_"))
    }
    env.update(HOME=str(home), NO_PROXY="127.0.0.1,localhost", PYTHONNOUSERSITE="1")
    return env


@contextmanager
def served(home: Path, port: int) -> Iterator[dict[str, str]]:
    """``gladier server`` on ``port``; yields the variables it printed."""
    process = subprocess.Popen(
        [*GLADIER, "server", "--port", str(port), "--home", str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    env: dict[str, str] = {}
    try:
        for line in process.stdout:
            if line.strip().startswith("export "):
                name, _, value = line.strip()[len("export ") :].partition("=")
                env[name] = value
            if "Ctrl-C" in line:
                break
        else:
            raise RuntimeError(f"gladier server ended early ({process.wait()})")
        yield env
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)


def credentials(home: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads((home / "server" / "credentials.json").read_text())
    return data


def check_gladier011(folder: Path) -> dict[str, Any]:
    """Gladier 0.11's two-tool client deploys, runs and reaches SUCCEEDED on the server."""
    home = folder / "gladier011-server"
    use_5000 = port_free(5000)
    with served(home, 5000 if use_5000 else 0) as urls:
        creds = credentials(home)
        env = clean_env(folder / "gladier011-user")
        env.update({k: v for k, v in urls.items() if k != "GLOBUS_SDK_SERVICE_URL_COMPUTE"})
        env.update(
            GLADIER_CLIENT_ID=creds["client_id"], GLADIER_CLIENT_SECRET=creds["client_secret"]
        )
        if use_5000:
            env["GLOBUS_SDK_ENVIRONMENT"] = "local"
            how = "GLOBUS_SDK_ENVIRONMENT=local, server on port 5000"
        else:
            env["GLADIER_SERVER_COMPUTE_URL"] = urls["GLOBUS_SDK_SERVICE_URL_COMPUTE"]
            how = "port 5000 taken: the Compute SDK's URL lookup replaced"
        (folder / "gladier011-user").mkdir(exist_ok=True)
        done = subprocess.run(
            [str(venv_python(GLADIER_VENV)), str(CLIENT_SCRIPT)],
            capture_output=True,
            text=True,
            env=env,
            cwd=folder,
            timeout=300,
        )
    if done.returncode != 0:
        raise RuntimeError(f"Gladier 0.11 client failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["compute_url"] = how
    return result


def check_globus_cli(folder: Path) -> dict[str, Any]:
    """``globus flows list``, ``flows run show`` and ``flows start`` against the server."""
    home = folder / "cli-server"
    with served(home, 0) as urls:
        creds = credentials(home)
        from gladier.runtime import Runtime  # a flow and a run to show, made in-process

        with Runtime(home) as rt:
            flow = rt.create_flow(
                "shown by the globus CLI",
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            )
            run = rt.wait(rt.run_flow(flow["id"], {"hello": "cli"}, label="cli run")["run_id"])
        env = clean_env(folder / "cli-user")
        env.update(urls)
        env.update(
            GLOBUS_CLI_CLIENT_ID=creds["client_id"], GLOBUS_CLI_CLIENT_SECRET=creds["client_secret"]
        )
        (folder / "cli-user").mkdir(exist_ok=True)
        globus = str(CLI_VENV / "bin" / "globus")
        listed = subprocess.run(
            [globus, "flows", "list", "-Fjson"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        shown = subprocess.run(
            [globus, "flows", "run", "show", run["run_id"], "-Fjson"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        started = subprocess.run(
            [globus, "flows", "start", flow["id"], "--input", '{"from": "cli"}', "-Fjson"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    for done in (listed, shown, started):
        if done.returncode != 0:
            raise RuntimeError(f"globus {' '.join(done.args[1:])} failed:\n{done.stderr}")
    flows = json.loads(listed.stdout)
    return {
        "flows_listed": [
            f["title"] for f in flows.get("flows", flows if isinstance(flows, list) else [])
        ],
        "run_shown": json.loads(shown.stdout)["status"],
        "run_started": json.loads(started.stdout)["flow_id"] == flow["id"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", action="store_true", help="make the venvs first")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, venv, check in (
            ("gladier 0.11", GLADIER_VENV, check_gladier011),
            ("globus CLI", CLI_VENV, check_globus_cli),
        ):
            why = make_venv(venv) if args.setup else None
            if not venv_python(venv).exists():
                report[name] = {"skipped": why or f"no venv at {venv} (run with --setup)"}
                continue
            report[name] = check(Path(tmp))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
