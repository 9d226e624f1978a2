"""Helpers for the CLI tests: an in-process ``gladier`` runner and sample flows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gladier.cli import cli

Invoke = Callable[..., Result]

#: A flow with every kind of edge: a Choice rule, its Default, and a Catch.
BRANCHING: dict[str, Any] = {
    "Comment": "Check a scan, then publish it or flag it",
    "StartAt": "Measure",
    "States": {
        "Measure": {
            "Type": "Pass",
            "Parameters": {"mean.$": "$.input.mean", "name.$": "$.input.name"},
            "ResultPath": "$.m",
            "Next": 'Good "enough"?',
        },
        'Good "enough"?': {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.m.mean", "NumericLessThanEquals": 5, "Next": "Publish"},
                {
                    "And": [
                        {"Variable": "$.m.name", "StringMatches": "test-*"},
                        {"Not": {"Variable": "$.m.mean", "IsNull": True}},
                    ],
                    "Next": "Settle",
                },
            ],
            "Default": "Flag",
        },
        "Publish": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.m.name"},
            "ResultPath": "$.published",
            "Catch": [{"ErrorEquals": ["ActionFailedException", "ActionTimeout"], "Next": "Flag"}],
            "End": True,
        },
        "Settle": {"Type": "Wait", "Seconds": 0, "Next": "Publish"},
        "Flag": {"Type": "Fail", "Error": "TooNoisy", "Cause": "the scan needs another look"},
    },
}

#: A run that waits a long time (to be cancelled, resumed, watched).
SLOW: dict[str, Any] = {
    "StartAt": "Nap",
    "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}},
}


@pytest.fixture
def gladier() -> Iterator[Invoke]:
    """``gladier(*args)`` runs the command in-process and returns click's Result."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
        return runner.invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)

    yield invoke


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[str, Any], Path]:
    def write(name: str, data: Any) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data))
        return path

    return write


def created_flow(gladier: Invoke, path: Path, title: str = "t") -> str:
    """Create a flow from a file with the CLI; return its id."""
    result = gladier("flows", "create", str(path), "--title", title, "--json")
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["id"])
