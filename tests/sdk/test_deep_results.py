"""A compute function whose result nests too deeply fails its run; it once stayed ACTIVE.

The result reached the run state through a recursive copy that raised RecursionError inside
the scheduler: the turn failed, and the run never moved again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def nest(**data: Any) -> Any:
    """A list nested ``depth`` levels deep."""
    value: Any = 1
    for _ in range(data["depth"]):
        value = [value]
    return value


@generate_flow_definition
class Nest(GladierBaseTool):
    compute_functions = [nest]
    required_input = ["depth", "compute_endpoint"]


@generate_flow_definition
class NestClient(GladierBaseClient):
    gladier_tools = [Nest]


@pytest.mark.parametrize(
    ("depth", "words"),
    [(600, "nests lists and objects too deeply"), (300, "more than 256 levels deep")],
)
def test_a_too_deep_result_fails_the_run(_isolated_home: Path, depth: int, words: str) -> None:
    client = NestClient()
    run = client.run_flow({"input": {"depth": depth}})
    final = client.progress(run["run_id"], callback=lambda status: None)
    assert final["status"] == "FAILED"
    cause = final["details"]["details"]["cause"]
    assert final["details"]["details"]["error"] == "States.Runtime"
    assert words in cause and "bug" not in cause
    ok = client.run_flow({"input": {"depth": 3}})  # the same client runs on
    done = client.progress(ok["run_id"], callback=lambda status: None)
    assert done["status"] == "SUCCEEDED"
    assert done["details"]["output"]["Nest"]["details"]["results"][0]["output"] == [[[1]]]
