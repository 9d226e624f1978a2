"""What the pages show, from real runs' documents and logs."""

from __future__ import annotations

import doctest
import shutil
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.server.dashboard import security, views
from gladier.server.dashboard.views import (
    graph_svg,
    json_text,
    run_duration,
    statuses_of,
    timeline,
)
from tests.server.dashboard.conftest import WAIT_FLOW, Events

#: A loop that passes through "Step" three times, then a caught failure, then the end.
LOOP_FLOW: dict[str, Any] = {
    "StartAt": "Step",
    "States": {
        "Step": {
            "Type": "ExpressionEval",
            "Parameters": {"n.=": "n + 1"},
            "ResultPath": "$",
            "Next": "More?",
        },
        "More?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Step"}],
            "Default": "Boom",
        },
        "Boom": {
            "Type": "Action",
            "ActionUrl": "https://example.org/boom",
            "Parameters": {},
            "ResultPath": "$.boom",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "End"}],
            "Next": "End",
        },
        "End": {"Type": "Pass", "End": True},
    },
}


def test_docstring_examples_hold() -> None:
    for module in (views, security):
        assert doctest.testmod(module).failed == 0


def test_timeline_pairs_each_pass_with_its_input_and_output(rt: Runtime) -> None:
    def boom(body: Any) -> Any:
        raise ValueError("the <disk> is full")

    rt.add_action_provider("https://example.org/boom", boom)
    flow = rt.create_flow("loop", LOOP_FLOW)
    run = rt.run_flow(flow["id"], {"n": 0})
    doc = rt.wait(run["run_id"], timeout=10)
    assert doc["status"] == "SUCCEEDED"
    entries = rt.get_run_logs(run["run_id"], limit=100)["entries"]
    rows = timeline(doc, entries)
    steps = [row for row in rows if row.name == "Step"]
    assert [row.input["n"] for row in steps] == [0, 1, 2]
    assert [row.output["n"] for row in steps] == [1, 2, 3]
    assert all(row.has_output for row in steps)
    choices = [row.note for row in rows if row.name == "More?"]
    assert choices == ["→ Step", "→ Step", "→ Boom"]
    boom_row = next(row for row in rows if row.name == "Boom")
    assert boom_row.status == "CAUGHT"
    assert boom_row.error is not None and "(caught; going to End)" in boom_row.error
    assert statuses_of(rows)["Boom"] == "CAUGHT"
    assert rows[-1].name == "End" and rows[-1].status == "SUCCEEDED"


def test_an_active_state_has_no_output_and_times_to_now(rt: Runtime, events: Events) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "a"})
    events.wait_for(run["run_id"], "WaitStarted")
    entries = rt.get_run_logs(run["run_id"], limit=100)["entries"]
    start = views.epoch_seconds(run["start_time"])
    assert start is not None
    rows = timeline(rt.get_run(run["run_id"]), entries, now=start + 90)
    assert [r.name for r in rows] == ["Prepare", "Hold"]
    assert rows[-1].status == "ACTIVE" and not rows[-1].has_output and rows[-1].output is None
    assert rows[-1].duration == "1 m 30 s"
    assert run_duration(rt.get_run(run["run_id"]), now=start + 90) == "1 m 30 s"


def test_json_text_cuts_long_values_and_says_so() -> None:
    text = json_text({"data": "x" * 100}, limit=40)
    assert text.startswith('{\n  "data": "xxx')
    assert text.endswith("(116 characters in all; cut at 40)")
    assert json_text({"é": 1}) == '{\n  "é": 1\n}'


def test_graph_svg_needs_dot() -> None:
    assert graph_svg(WAIT_FLOW, dot_program="/nonexistent/dot") is None
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    svg = graph_svg(WAIT_FLOW, {"Prepare": "SUCCEEDED"})
    assert svg is not None and svg.lstrip().startswith("<?xml") and "Prepare" in svg
