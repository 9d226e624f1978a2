"""``gladier functions``: list and show registered compute functions."""

from __future__ import annotations

import json
import os

from gladier.runtime import Runtime
from tests.cli.conftest import Invoke


def double(x: int) -> int:
    """Twice x."""
    return 2 * x


def test_list_and_show(gladier: Invoke) -> None:
    assert gladier("functions", "list").stdout.strip() == "No functions are registered yet."
    with Runtime(home=os.environ["GLADIER_HOME"]) as rt:
        function_id = rt.register_function(double, description="Twice x.")
    listed = gladier("functions", "list")
    assert listed.exit_code == 0 and function_id in listed.stdout and "double" in listed.stdout
    assert json.loads(gladier("functions", "list", "--json").stdout)[0]["function_id"] == (
        function_id
    )
    shown = gladier("functions", "show", function_id, "--source")
    assert shown.exit_code == 0
    assert "Name:" in shown.stdout and "double" in shown.stdout
    assert "return 2 * x" in shown.stdout
    assert (
        json.loads(gladier("functions", "show", function_id, "--json").stdout)["function_name"]
        == "double"
    )


def test_unknown_function(gladier: Invoke) -> None:
    result = gladier("functions", "show", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("list functions with `gladier functions list`.")
