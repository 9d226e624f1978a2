"""benchmarks/client_repos.py works end to end on a small client repository written here.

The public repositories it is meant for are not part of this project; this only proves the
script's own machinery: snapshots (a git directory or a plain one), finding client files,
comparing definitions, running a client with a plan and reporting a failed check.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import client_repos  # noqa: E402
import client_repos_plans  # noqa: E402

CLIENT = """
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition

from helpers.steps import cube


@generate_flow_definition
class Cube(GladierBaseTool):
    compute_functions = [cube]
    required_input = ["number", "compute_endpoint"]


@generate_flow_definition
class ProbeClient(GladierBaseClient):
    gladier_tools = [Cube]


if __name__ == "__main__":
    raise SystemExit("the script part never runs")
"""

INVALID = """
from gladier import GladierBaseClient


class InvalidClient(GladierBaseClient):
    flow_definition = {"StartAt": "Nowhere", "States": {"P": {"Type": "Pass", "End": True}}}
"""

STEPS = """
def cube(number, **data):
    return number ** 3
"""


def make_repo(root: Path) -> Path:
    (root / "clients" / "helpers").mkdir(parents=True)
    (root / "clients" / "client.py").write_text(CLIENT)
    (root / "clients" / "helpers" / "__init__.py").write_text("")
    (root / "clients" / "helpers" / "steps.py").write_text(STEPS)
    (root / "clients" / "broken.py").write_text(
        "import not_installed_anywhere\nclass Other(GladierBaseClient): pass  # gladier\n"
    )
    return root


def test_without_snapshots_it_says_so_and_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(client_repos.ENV_VAR, raising=False)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "client_repos.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "No client repository snapshots given" in done.stdout


@pytest.mark.timeout(300)
def test_a_repository_is_compared_and_its_client_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "probe-repo")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "probe",
        ],
        check=True,
    )
    key = ("probe-repo", "clients/client.py", "ProbeClient")
    monkeypatch.setitem(
        client_repos.RUN_PLANS,
        key,
        client_repos_plans.RunPlan({"input": {"number": 3}}, outputs={"Cube": 27}),
    )
    args = ["--reference-python", sys.executable, "--markdown"]

    assert client_repos.main([*args, str(repo / ".git")]) == 0
    out = capsys.readouterr().out
    assert "| probe-repo | `clients/client.py` | `ProbeClient` | identical | SUCCEEDED" in out
    assert "not importable (either): ModuleNotFoundError" in out

    monkeypatch.setitem(
        client_repos.RUN_PLANS,
        key,
        client_repos_plans.RunPlan({"input": {"number": 3}}, outputs={"Cube": 28}),
    )
    (repo / "clients" / "invalid.py").write_text(INVALID)
    assert client_repos.main([*args, str(repo)]) == 1
    captured = capsys.readouterr()
    assert "refused by the embedded runtime: FlowValidationError" in captured.out
    assert "Cube returned 27, not 28" in captured.out
    assert "PROBLEM probe-repo clients/client.py ProbeClient: Cube returned 27, not 28" in (
        captured.err
    )
