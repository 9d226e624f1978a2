"""What a compute function prints is kept with its task and never mixed into the CLI's stdout.

These run the real ``gladier`` command in a subprocess: worker processes share the command's
file descriptors, which click's CliRunner cannot capture.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOISY_CODE = '''
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def noisy(**data):
    """Print a lot, to both streams, at both levels."""
    import os
    import sys

    for number in range(data["lines"]):
        print(f"line {number} {{ not json", flush=number % 100 == 0)
    print("to stderr", file=sys.stderr)
    os.write(1, b"raw fd 1 }\\n")
    return {"lines": data["lines"]}


@generate_flow_definition
class Noisy(GladierBaseTool):
    compute_functions = [noisy]
    required_input = ["lines", "compute_endpoint"]


@generate_flow_definition
class NoisyClient(GladierBaseClient):
    gladier_tools = [Noisy]
'''

GLADIER = [str(Path(sys.executable).with_name("gladier"))]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = dict(os.environ)
    values["GLADIER_HOME"] = str(tmp_path / "home")
    values["GLADIER_LEGACY_CONFIG"] = str(tmp_path / "no-legacy.cfg")
    values.pop("GLADIER_BACKEND", None)
    (tmp_path / "noisy.py").write_text(NOISY_CODE)
    return values


def gladier(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GLADIER, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def test_json_output_parses_however_much_the_function_prints(
    tmp_path: Path, env: dict[str, str]
) -> None:
    lines = 5000  # about 100 KB: more than is kept
    run = gladier(tmp_path, env, "run", "noisy.py:NoisyClient", "-i", f"lines={lines}", "--json")
    assert run.returncode == 0, run.stderr
    final = json.loads(run.stdout)  # nothing the function printed is mixed in
    entry = final["details"]["output"]["Noisy"]["details"]["results"][0]
    assert entry["output"] == {"lines": lines}
    assert entry["stdout"].splitlines()[0].endswith("earlier bytes not kept]")
    assert entry["stdout"].endswith(f"line {lines - 1} {{ not json\nraw fd 1 }}\n")
    assert entry["stderr"] == "to stderr\n"
    assert "line 4999" not in run.stderr  # nor in the progress on stderr

    run_id = final["run_id"]
    shown = gladier(tmp_path, env, "runs", "show", run_id, "--json")
    assert json.loads(shown.stdout)["run_id"] == run_id
    logged = gladier(tmp_path, env, "runs", "log", run_id, "--json")
    assert [e["code"] for e in json.loads(logged.stdout)][-1] == "FlowSucceeded"
    state = gladier(tmp_path, env, "runs", "show", run_id, "--state", "Noisy", "--json")
    tasks = json.loads(state.stdout)["tasks"]
    assert tasks[0]["stdout"] == entry["stdout"] and tasks[0]["stderr"] == "to stderr\n"


def test_runs_log_and_show_state_print_what_the_task_printed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    run = gladier(tmp_path, env, "run", "noisy.py:NoisyClient", "-i", "lines=2")
    assert run.returncode == 0, run.stderr
    assert "line 0" not in run.stdout and "line 0" not in run.stderr
    run_id = json.loads(gladier(tmp_path, env, "runs", "list", "--json").stdout)[0]["run_id"]

    logged = gladier(tmp_path, env, "runs", "log", run_id).stdout
    assert "    task 1 stdout:\n    │ line 0 { not json\n    │ line 1 { not json\n" in logged
    assert "    task 1 stderr:\n    │ to stderr\n" in logged

    state = gladier(tmp_path, env, "runs", "show", run_id, "--state", "Noisy").stdout
    assert "Task 1 stdout" in state and "raw fd 1 }" in state
    assert "Task 1 stderr" in state and "to stderr" in state
