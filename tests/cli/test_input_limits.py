"""Run input the runtime refuses, given to `gladier`: one clear error naming the problem.

Deeply nested or huge JSON read from a file or standard input, a run body the runtime refuses
(nested past its limit) and input that fails the flow's schema: each is a usage or project
error that says what is wrong and where, never "Unexpected error ... please report it".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Invoke, created_flow

ECHO: dict[str, Any] = {
    "StartAt": "Echo",
    "States": {"Echo": {"Type": "Pass", "Parameters": {"got.$": "$.input"}, "End": True}},
}


def text_of(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def echo_flow(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> str:
    return created_flow(gladier, write_json("echo.json", ECHO), "echo")


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_json_nested_too_deeply_to_read_is_a_usage_error(
    gladier: Invoke, echo_flow: str, tmp_path: Path, where: str
) -> None:
    text = '{"input": {"s": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    path = tmp_path / "deep.json"
    path.write_text(text)
    if where == "file":
        result = gladier("flows", "run", echo_flow, "--input", str(path))
    else:
        result = gladier("flows", "run", echo_flow, "--input", "-", stdin=text)
    assert result.exit_code == 2, result.output
    assert "nested too deeply to read; flatten the data" in text_of(result.stderr)
    assert "report it" not in result.output


def test_a_definition_nested_too_deeply_to_read_is_a_usage_error(
    gladier: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "deep-flow.json"
    path.write_text('{"StartAt": "P", "States": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = gladier("flows", "create", str(path))
    assert result.exit_code == 2, result.output
    assert "nested too deeply to read" in text_of(result.stderr)


def test_an_integer_too_long_for_json_names_the_limit(
    gladier: Invoke, echo_flow: str, tmp_path: Path
) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"input": {"n": ' + "9" * 5000 + "}}")
    result = gladier("flows", "run", echo_flow, "--input", str(path))
    assert result.exit_code == 2, result.output
    message = text_of(result.stderr)
    assert "an integer of 5,000 digits is too large for JSON" in message
    assert "pass it as a string" in message
    assert "set_int_max_str_digits" not in message


def test_a_refused_run_body_is_called_run_input_not_a_definition(
    gladier: Invoke, echo_flow: str, tmp_path: Path
) -> None:
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"input": {"s": json.loads("[" * 80 + "]" * 80)}}))
    result = gladier("flows", "run", echo_flow, "--input", str(path))
    assert result.exit_code == 1, result.output
    message = text_of(result.stderr)
    assert "The run input is not valid (1 problem(s)):" in message
    assert "nested more than 64 levels deep here" in message
    assert "Fix the input (--input or -i KEY=VALUE)" in message
    assert "definition" not in message


def test_input_failing_the_schema_names_each_problem(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "input": {
                "type": "object",
                "properties": {"n": {"type": "integer"}, "name": {"pattern": "^[a-z]+$"}},
            }
        },
    }
    flow = write_json("echo.json", ECHO)
    created = gladier(
        "flows", "create", str(flow), "--schema", str(write_json("s.json", schema)), "--json"
    )
    assert created.exit_code == 0, created.output
    flow_id = json.loads(created.stdout)["id"]
    result = gladier("flows", "run", flow_id, "-i", "n=x", "-i", "name=B4D")
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: Input failed schema validation with 2 errors:"
    assert "  $.input.n: 'x' is not of type 'integer'" in lines
    assert any(line.startswith("  $.input.name: 'B4D' does not match") for line in lines)
    assert "gladier flows show FLOW_ID --json" in lines[-1]


def test_a_harmful_schema_is_called_the_input_schema(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow = write_json("echo.json", ECHO)
    schema = write_json("loop.json", {"$ref": "#"})
    for args in (["create", str(flow)], ["validate", str(flow)]):
        result = gladier("flows", *args, "--schema", str(schema))
        assert result.exit_code == 1, result.output
        lines = result.stderr.splitlines()
        assert lines[0] == "Error: The input schema is not valid (1 problem(s)):"
        assert "references loop without descending into the input" in lines[1]
        assert "--schema SCHEMA_FILE" in lines[-1]


def test_an_integer_too_long_given_with_i_is_named_briefly(gladier: Invoke, echo_flow: str) -> None:
    result = gladier("flows", "run", echo_flow, "-i", "n=" + "9" * 5000)
    assert result.exit_code == 2, result.output
    message = text_of(result.stderr)
    assert "n=9999999999999999999999999999999999999999... (5,000 characters)" in message
    assert "an integer of 5,000 digits is too large for JSON" in message
    assert "finite number" not in message
    assert len(message) < 600
