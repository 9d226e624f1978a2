"""gladier.cli.inputs: -i key=value and --input FILE."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

from gladier.cli.inputs import build_input, parse_pair, parse_value
from tests.cli.conftest import Invoke, created_flow


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("2.5", 2.5),
        ("true", True),
        ("null", None),
        ('{"a": [1]}', {"a": [1]}),
        ('"quoted"', "quoted"),
        ("007", "007"),
        ("scan-042", "scan-042"),
        ("", ""),
        ("/data/with = sign", "/data/with = sign"),
    ],
)
def test_parse_value(text: str, value: object) -> None:
    assert parse_value(text) == value


def test_parse_pair_splits_at_the_first_equals_sign() -> None:
    assert parse_pair("expr=a=b") == ("expr", "a=b")
    with pytest.raises(click.BadParameter):
        parse_pair("=value")


def test_build_input_from_a_file_and_values(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"input": {"a": 1, "b": 2}}))
    assert build_input(str(path), ["b=3", "c=x"]) == {"input": {"a": 1, "b": 3, "c": "x"}}
    assert build_input(None, []) == {"input": {}}
    path.write_text(json.dumps({"input": [1]}))
    with pytest.raises(click.BadParameter, match=r'of the form \{"input"'):
        build_input(str(path), [])


# --------------------------------------------------------------------------- through `gladier`
ECHO: dict[str, Any] = {
    "StartAt": "Echo",
    "States": {"Echo": {"Type": "Pass", "Parameters": {"got.$": "$.input"}, "End": True}},
}

TWO_TOOLS = """
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def greet(**data):
    return "hi " + data["name"]


def count(**data):
    return data["n"] + 1


@generate_flow_definition
class Greet(GladierBaseTool):
    compute_functions = [greet]
    required_input = ["name", "compute_endpoint"]


@generate_flow_definition
class Count(GladierBaseTool):
    compute_functions = [count]
    required_input = ["n", "compute_endpoint"]


@generate_flow_definition
class GreetAndCount(GladierBaseClient):
    gladier_tools = [Greet, Count]


@generate_flow_definition
class JustGreet(GladierBaseClient):
    gladier_tools = [Greet]
"""


@pytest.fixture
def echo_flow(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> str:
    return created_flow(gladier, write_json("echo.json", ECHO), "echo")


def _got(gladier: Invoke, *args: str, stdin: str | None = None) -> Any:
    result = gladier("flows", "run", *args, "--json", stdin=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["details"]["output"]["got"]


def test_input_from_stdin_inline_and_a_file(
    gladier: Invoke, echo_flow: str, write_json: Callable[[str, Any], Path]
) -> None:
    assert _got(gladier, echo_flow, "--input", "-", "-i", "b=2", stdin='{"input": {"a": 1}}') == {
        "a": 1,
        "b": 2,
    }
    assert _got(gladier, echo_flow, "--input", ' {"input": {"x": [1, 2]}}') == {"x": [1, 2]}
    path = write_json("in.json", {"input": {"f": "file"}})
    assert _got(gladier, echo_flow, "--input", str(path)) == {"f": "file"}


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--input", '{"input": {"a": 1}'], None, "the --input JSON is not valid JSON (line 1"),
        (["--input", "-"], "", "the JSON on standard input is empty"),
        (["--input", "-"], '{"input": {"a": NaN}}', "NaN is not a JSON number"),
        (["--input", '{"input": [1]}'], None, "the --input JSON must hold a JSON object of the"),
        (["--input", "missing.json"], None, "cannot read input file missing.json"),
        (["-i", "dims=[2, 3"], None, "dims=[2, 3 looks like JSON but does not parse (column"),
        (["-i", "dims=[2, 3"], None, """fix it, or pass it as a JSON string: -i 'dims="[2, 3"'"""),
        (["-i", "x=NaN"], None, "NaN is not a JSON number; pass a finite number, or quote"),
        (["-i", "x=-Infinity"], None, "-Infinity is not a JSON number"),
        (["-i", "x=[1, Infinity]"], None, "Infinity is not a JSON number"),
        (["-i", "x=1e999"], None, "1e999 is too large for a JSON number"),
    ],
)
def test_bad_input_is_refused_with_a_hint(
    gladier: Invoke, echo_flow: str, args: list[str], stdin: str | None, message: str
) -> None:
    result = gladier("flows", "run", echo_flow, *args, stdin=stdin)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_a_file_with_nan_is_refused(gladier: Invoke, echo_flow: str, tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"input": {"a": Infinity}}')
    result = gladier("flows", "run", echo_flow, "--input", str(path))
    assert result.exit_code == 2
    assert "is not valid JSON (Infinity is not a JSON number)" in " ".join(result.stderr.split())


def test_every_missing_input_is_reported_at_once(gladier: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "two_tools.py"
    path.write_text(TWO_TOOLS)
    result = gladier("run", f"{path}:GreetAndCount")
    assert result.exit_code == 1
    assert (
        'Error: 2 required flow input values are missing: Greet requires flow input value: "name"; '
        'Count requires flow input value: "n". Pass them in run_flow({"input": {"name": ..., '
        '"n": ...}})'
    ) in " ".join(result.stderr.split())


def test_a_wrong_client_lists_the_clients_defined_in_the_file(
    gladier: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "two_tools.py"
    path.write_text(TWO_TOOLS)
    result = gladier("run", f"{path}:Wrong")
    assert result.exit_code == 2
    assert "has no 'Wrong'; clients defined there: GreetAndCount, JustGreet" in result.stderr
    assert "GladierBaseClient" not in result.stderr
