"""A state that grows a key a step is logged as patches and reads back exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.live import PATCH_KEYS

STEPS = 3 * PATCH_KEYS + 7


def path_of(i: int) -> str:
    """New keys, nested keys, and keys set again (which keep their place)."""
    if i % 7 == 3:
        return f"$.k{i - 3}"
    if i % 5 == 4:
        return f"$.nest.a{i}"
    return f"$.k{i}"


def growing_flow() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(STEPS):
        states[f"S{i}"] = {
            "Type": "Pass",
            "Result": {"step": i, "pad": "p" * (i % 13)},
            "ResultPath": path_of(i),
            "Next": f"C{i}" if i % 11 == 0 else f"S{i + 1}",
        }
        if i % 11 == 0:
            states[f"C{i}"] = {
                "Type": "Choice",
                "Choices": [{"Variable": "$.seed", "IsPresent": True, "Next": f"S{i + 1}"}],
                "Default": f"S{i + 1}",
            }
    states[f"S{STEPS}"] = {
        "Type": "ExpressionEval",
        "Parameters": {"total.=": "seed + 1"},
        "ResultPath": "$.done",
        "End": True,
    }
    return {"StartAt": "S0", "States": states}


def simulate(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The state after each Pass step, made with the same dict operations."""
    state = json.loads(json.dumps(body))
    out = []
    for i in range(STEPS):
        keys = path_of(i)[2:].split(".")
        node = state
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = {"step": i, "pad": "p" * (i % 13)}
        out.append(json.loads(json.dumps(state)))
    return out


def entries(rt: Runtime, run_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    marker = None
    while True:
        page = rt.get_run_logs(run_id, limit=37, marker=marker)
        found += page["entries"]
        if not page["has_next_page"]:
            return found
        marker = page["marker"]


def test_every_logged_state_of_a_growing_run_is_exact(tmp_path: Path) -> None:
    body = {"seed": 41, "blob": "b" * 700}
    heard: list[dict[str, Any]] = []
    with Runtime(home=tmp_path / "h", clock=ManualClock()) as rt:
        rt.add_event_listener(lambda _run, entry: heard.append(entry))
        flow = rt.create_flow("grow", growing_flow())["id"]
        run = rt.run_flow(flow, body)
        done = rt.wait(run["run_id"], timeout=60)
        logged = entries(rt, run["run_id"])
        patched = (
            rt.db.read()
            .execute("SELECT count(*) FROM state_values WHERE patch IS NOT NULL")
            .fetchone()[0]
        )
    want = simulate(body)
    completed = [e for e in logged if e["code"] == "PassCompleted"]
    started = [e for e in logged if e["code"] == "PassStarted"]
    assert len(completed) == len(started) == STEPS
    for i in range(STEPS):
        # json.dumps keeps key order: the text is compared, not just the values
        assert json.dumps(completed[i]["details"]["output"]) == json.dumps(want[i]), i
        before = body if i == 0 else want[i - 1]
        assert json.dumps(started[i]["details"]["input"]) == json.dumps(before), i
    final = {**want[-1], "done": {"total": 42}}
    assert json.dumps(done["details"]["output"]) == json.dumps(final)
    assert heard == logged[1:]  # listeners get the same entries (FlowStarted aside)
    assert patched > STEPS // 2  # most states were stored as patches


def test_the_size_limit_holds_for_states_grown_in_place(tmp_path: Path) -> None:
    want = simulate({"seed": 1})
    limit = next(len(json.dumps(s, separators=(",", ":"))) for s in want[100:]) - 1
    with Runtime(home=tmp_path / "h", options={"max_run_state_bytes": limit}) as rt:
        flow = rt.create_flow("grow", growing_flow())["id"]
        done = rt.wait(rt.run_flow(flow, {"seed": 1})["run_id"], timeout=60)
    assert done["status"] == "FAILED"
    cause = done["details"]["details"]["cause"]
    sizes = [len(json.dumps(s, separators=(",", ":"))) for s in want]
    over = next(n for n in sizes if n > limit)
    assert f"is {over} bytes, over the limit of {limit} bytes" in cause


def test_a_run_taken_over_mid_growth_continues_exactly(tmp_path: Path) -> None:
    home = tmp_path / "h"
    clock = ManualClock()
    definition = growing_flow()
    first = definition["States"]["S100"]
    definition["States"]["S100"] = {"Type": "Wait", "Seconds": 60, "Next": "S100b"}
    definition["States"]["S100b"] = first
    with Runtime(home=home, clock=clock) as rt:
        flow = rt.create_flow("grow", definition)["id"]
        run_id = rt.run_flow(flow, {"seed": 7})["run_id"]
        for _ in range(100):
            if any(e["code"] == "WaitStarted" for e in entries(rt, run_id)):
                break
            rt.recover()
    clock.advance(61)
    with Runtime(home=home, clock=clock) as rt:
        rt.recover()
        done = rt.wait(run_id, timeout=60)
        logged = entries(rt, run_id)
    want = simulate({"seed": 7})
    completed = [e for e in logged if e["code"] == "PassCompleted"]
    assert [json.dumps(e["details"]["output"]) for e in completed] == [json.dumps(s) for s in want]
    assert done["status"] == "SUCCEEDED"
