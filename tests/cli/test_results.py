"""`gladier run` ends with what the flow produced; `runs show --output [STATE]` prints it all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.conftest import SLOW, Invoke, created_flow
from tests.cli.test_failed_actions import counter, run_id_in

__all__ = ["counter"]  # the fixture, used by name below


def test_run_ends_with_the_last_result_and_the_command_for_all_of_it(
    gladier: Invoke, counter: Path
) -> None:
    result = gladier("run", f"{counter}:WordCounter", "-i", "path=words.txt")
    assert result.exit_code == 0, result.output
    run_id = run_id_in(result.stdout)
    lines = result.stdout.splitlines()
    assert lines[-2] == "Result of CountWords: [3]"
    assert lines[-1] == f"  all of it: gladier runs show {run_id} --output CountWords"

    state = gladier("runs", "show", run_id, "--output", "CountWords")
    assert state.exit_code == 0, state.output
    document = json.loads(state.stdout)
    assert document["status"] == "SUCCEEDED"
    assert document["details"]["result"] == [3]

    whole = json.loads(gladier("runs", "show", run_id, "--output").stdout)
    assert whole["CountWords"]["details"]["result"] == [3]
    assert whole["input"]["path"] == "words.txt"


LONG_CODE = """
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def repeat(**data):
    return data["word"] * 1000


@generate_flow_definition
class Repeat(GladierBaseTool):
    compute_functions = [repeat]
    required_input = ["word", "compute_endpoint"]


@generate_flow_definition
class Repeater(GladierBaseClient):
    gladier_tools = [Repeat]
"""


def test_a_long_result_is_cut_short(gladier: Invoke, counter: Path) -> None:
    module = counter.parent / "repeater.py"
    module.write_text(LONG_CODE)
    result = gladier("run", f"{module}:Repeater", "-i", "word=ab")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("Result of Repeat: "))
    assert line.endswith("…") and len(line) == len("Result of Repeat: ") + 200
    run_id = run_id_in(result.stdout)
    whole = json.loads(gladier("runs", "show", run_id, "--output", "Repeat").stdout)
    assert whole["details"]["result"] == ["ab" * 1000]


def test_output_of_a_state_that_did_not_complete(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    definition = {
        "StartAt": "Flag",
        "States": {"Flag": {"Type": "Fail", "Error": "Nope", "Cause": "on purpose"}},
    }
    flow_id = created_flow(gladier, write_json("fail.json", definition))
    run = json.loads(gladier("flows", "run", flow_id, "--json").stdout)
    result = gladier("runs", "show", run["run_id"], "--output", "Flag")
    assert result.exit_code == 2
    assert "state 'Flag' produced no output: it is FAILED" in result.stderr


def test_a_run_that_goes_on_has_no_output_yet(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("slow.json", SLOW))
    run = json.loads(gladier("flows", "run", flow_id, "--no-wait", "--json").stdout)
    result = gladier("runs", "show", run["run_id"], "--output")
    assert result.exit_code == 1
    assert f"run {run['run_id']} has no output yet: it is ACTIVE" in result.stderr
    gladier("runs", "cancel", run["run_id"])
