"""gladier.cli.output: error messages and the shared output helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from gladier.cli.output import error_message, load_json_file, short_time
from gladier.exc import (
    AuthException,
    ConfigException,
    FlowInputError,
    FlowValidationError,
    NotFound,
    StateConflict,
)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            NotFound("No run with id r exists in /h"),
            "No run with id r exists in /h; list runs with `gladier runs list`.",
        ),
        (
            NotFound("No endpoint named x."),
            "No endpoint named x; list endpoints with `gladier endpoints list`.",
        ),
        (NotFound("Gone."), "Gone."),
        (
            StateConflict("Run r has status 'ACTIVE'"),
            "Run r has status 'ACTIVE'; wait for it to end or cancel it with "
            "`gladier runs cancel`.",
        ),
        (AuthException("Not logged in"), "Not logged in; log in with `gladier login`."),
        (ConfigException("Bad option"), "Bad option."),
        (
            FlowInputError("1 problem: $.input.x is required"),
            "1 problem: $.input.x is required. Fix the input; the flow's input schema is in "
            "`gladier flows show FLOW_ID --json`.",
        ),
    ],
)
def test_error_messages(error: Exception, message: str) -> None:
    assert error_message(error) == message


def test_validation_errors_list_every_problem() -> None:
    error = FlowValidationError(
        [
            {"loc": ["definition", "States", "A", "Next"], "msg": "no state B", "type": "x"},
            {"loc": ["definition", "States", "L", 0], "msg": "bad item", "type": "x"},
        ]
    )
    assert error_message(error).splitlines() == [
        "The flow definition is not valid (2 problem(s)):",
        "  $.definition.States.A.Next: no state B",
        "  $.definition.States.L[0]: bad item",
        "Fix the definition, then check it with `gladier flows validate FILE`.",
    ]


def test_load_json_file_errors(tmp_path: Path) -> None:
    import click

    with pytest.raises(click.BadParameter, match="cannot read input file"):
        load_json_file(tmp_path / "missing.json", "input")
    (tmp_path / "x.json").write_text("[1, 2]")
    assert load_json_file(tmp_path / "x.json", "input") == [1, 2]


def test_short_time() -> None:
    assert short_time("not a time") == "not a time"
    assert len(short_time("2026-01-01T00:00:00+00:00")) == len("2026-01-01 00:00:00")
