"""gladier.cli.inputs: -i key=value and --input FILE."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from gladier.cli.inputs import build_input, parse_pair, parse_value


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
