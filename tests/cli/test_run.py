"""``gladier run MODULE:CLIENT``: loading the user's client, input parsing, exit codes.

Most tests use a small stand-in client (run_flow, progress, get_status on the embedded runtime)
that records what the command passed it; the last one runs a real GladierBaseClient.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Invoke

CLIENT_CODE = '''
import json, os, pathlib
from gladier.progress import watch_run
from gladier.runtime import Runtime

DEFINITION = {"StartAt": "Echo", "States": {"Echo": {
    "Type": "Pass", "Parameters": {"hello.$": "$.input.name"}, "ResultPath": "$.echo",
    "End": True}}}


class EchoClient:
    """Stands in for a GladierBaseClient."""

    def __init__(self):
        self.rt = Runtime().open()
        self.flow = self.rt.create_flow("echo", DEFINITION)

    def run_flow(self, flow_input=None, **kwargs):
        record = {"flow_input": flow_input, "kwargs": kwargs, "home": os.environ["GLADIER_HOME"]}
        pathlib.Path(os.environ["RECORD"]).write_text(json.dumps(record))
        return self.rt.run_flow(self.flow["id"], flow_input, **kwargs)

    def progress(self, run_id):
        watch_run(self.rt, run_id)

    def get_status(self, run_id):
        try:
            return self.rt.get_run(run_id)
        finally:
            self.rt.close()


class NotAClient:
    pass
'''


@pytest.fixture
def client_file(tmp_path: Path) -> Path:
    path = tmp_path / "clients.py"
    path.write_text(CLIENT_CODE)
    return path


@pytest.fixture
def record(tmp_path: Path) -> dict[str, str]:
    return {"RECORD": str(tmp_path / "record.json")}


def recorded(env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(Path(env["RECORD"]).read_text()))


def test_run_with_values_label_and_tags(
    gladier: Invoke, client_file: Path, record: dict[str, str]
) -> None:
    result = gladier(
        "run",
        f"{client_file}:EchoClient",
        "-i",
        "name=world",
        "-i",
        "n=3",
        "--label",
        "first",
        "--tag",
        "a",
        "--tag",
        "b",
        env=record,
    )
    assert result.exit_code == 0, result.output
    assert "Echo" in result.stdout and "SUCCEEDED" in result.stdout
    assert recorded(record)["flow_input"] == {"input": {"name": "world", "n": 3}}
    assert recorded(record)["kwargs"] == {"label": "first", "tags": ["a", "b"]}


def test_input_file_with_values_on_top(
    gladier: Invoke, client_file: Path, record: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "input.json"
    source.write_text(json.dumps({"input": {"name": "file", "x": [1, 2]}}))
    result = gladier(
        "run",
        f"{client_file}:EchoClient",
        "--input",
        str(source),
        "-i",
        "name=cli",
        "--json",
        env=record,
    )
    assert result.exit_code == 0
    assert recorded(record)["flow_input"] == {"input": {"name": "cli", "x": [1, 2]}}
    assert recorded(record)["kwargs"] == {}
    assert json.loads(result.stdout)["details"]["output"]["echo"] == {"hello": "cli"}


def test_home_option_reaches_the_client(
    gladier: Invoke, client_file: Path, record: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "elsewhere"
    result = gladier(
        "--home", str(home), "run", f"{client_file}:EchoClient", "-i", "name=x", env=record
    )
    assert result.exit_code == 0
    assert recorded(record)["home"] == str(home)


def test_a_failed_run_exits_1(gladier: Invoke, client_file: Path, record: dict[str, str]) -> None:
    result = gladier("run", f"{client_file}:EchoClient", env=record)
    assert result.exit_code == 1
    assert "Failed at state Echo: States.Runtime" in result.stdout


def test_no_wait(gladier: Invoke, client_file: Path, record: dict[str, str]) -> None:
    result = gladier("run", f"{client_file}:EchoClient", "-i", "name=x", "--no-wait", env=record)
    assert result.exit_code == 0 and result.stdout.startswith("Started run ")


def test_dotted_module_from_the_current_directory(
    gladier: Invoke, tmp_path: Path, record: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mylab_flows_for_test.py").write_text(CLIENT_CODE)
    monkeypatch.chdir(tmp_path)
    result = gladier("run", "mylab_flows_for_test:EchoClient", "-i", "name=x", env=record)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no-colon", "write MODULE:CLIENT"),
        ("missing.py:Client", "there is no file"),
        ("{file}:Nope", "has no 'Nope'; clients defined there: EchoClient"),
        ("{file}:NotAClient", "NotAClient has no run_flow() method"),
        ("no_such_module_xyz:Client", "no module named 'no_such_module_xyz'"),
    ],
)
def test_bad_targets_are_usage_errors(
    gladier: Invoke, client_file: Path, target: str, message: str
) -> None:
    result = gladier("run", target.format(file=client_file))
    assert result.exit_code == 2
    assert message in result.stderr


def test_bad_input(gladier: Invoke, client_file: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"name": "no input key"}))
    result = gladier("run", f"{client_file}:EchoClient", "--input", str(wrong))
    assert result.exit_code == 2
    assert 'must hold a JSON object of the form {"input": {...}}' in result.stderr
    pair = gladier("run", f"{client_file}:EchoClient", "-i", "novalue")
    assert pair.exit_code == 2 and "'novalue' is not key=value" in pair.stderr


SDK_CLIENT = '''
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def shout(**data):
    """Shout a word."""
    return data["word"].upper() + "!"


@generate_flow_definition(modifiers={shout: {"ExceptionOnActionFailure": True}})
class Shout(GladierBaseTool):
    compute_functions = [shout]
    required_input = ["word", "compute_endpoint"]


@generate_flow_definition
class ShoutClient(GladierBaseClient):
    """Shout."""

    gladier_tools = [Shout]
'''


def test_a_real_gladier_client_as_a_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "shout.py"
    script.write_text(SDK_CLIENT)
    gladier_bin = Path(sys.executable).with_name("gladier")
    home = tmp_path / "home"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(gladier_bin), "--home", str(home), "run", f"{script}:ShoutClient", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    ok = run("-i", "word=hello", "--label", "loud", "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    final = json.loads(ok.stdout)
    assert final["status"] == "SUCCEEDED" and final["label"] == "loud"
    assert final["details"]["output"]["Shout"]["details"]["results"][0]["output"] == "HELLO!"
    assert "Shout" in ok.stderr  # the progress went to stderr, the JSON to stdout

    bad = run("-i", "word=12")
    assert bad.returncode == 1
    assert "Failed at state Shout: ActionFailedException" in bad.stdout
    assert "AttributeError: 'int' object has no attribute 'upper'" in bad.stdout
