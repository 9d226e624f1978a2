"""Fan-outs: many tasks in one action, and fan-outs too large for the run state."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.compute import DEFAULT_ENDPOINT_ID
from gladier.runtime.compute.actions import FAILED, SUCCEEDED, ComputeAction, TaskState
from tests.runtime.compute.conftest import V2_URL, run_definition


def double(x: int) -> int:
    return 2 * x


def nothing(x: int) -> None:
    return None


def fan_out(function_id: str, count: int, result_path: str = "$.Fan") -> dict[str, Any]:
    tasks = [
        {"endpoint": DEFAULT_ENDPOINT_ID, "function": function_id, "kwargs": {"x": i}}
        for i in range(count)
    ]
    state = {
        "Type": "Action",
        "ActionUrl": V2_URL,
        "Parameters": {"tasks": tasks},
        "ResultPath": result_path,
        "End": True,
    }
    return {"StartAt": "Fan", "States": {"Fan": state}}


def test_a_fan_out_of_many_tasks_returns_every_result_in_order(rt: Runtime) -> None:
    fid = rt.register_function(double)
    run = run_definition(rt, fan_out(fid, 400), {})
    assert run["status"] == "SUCCEEDED", run["details"]
    details = run["details"]["output"]["Fan"]["details"]
    assert details["result"] == [2 * i for i in range(400)]
    assert [r["output"] for r in details["results"]] == details["result"]
    assert len({r["task_id"] for r in details["results"]}) == 400


def test_completion_bookkeeping_with_many_tasks_in_any_order() -> None:
    count = 5000
    tasks = [
        TaskState(i, f"t{i}", "ep", "ep", "fn", "f", "[[],{}]", status="running")
        for i in range(count)
    ]
    action = ComputeAction("tg_many", "req", None, None, {}, tasks, start_time="t0")
    order = list(range(count))
    random.Random(7).shuffle(order)
    for done, index in enumerate(order, start=1):
        task = action.task(f"t{index}")
        assert task is not None and task.index == index
        final = action.finish(task, SUCCEEDED, result=json.dumps(index))
        assert final == (done == count)
        assert action.completed == done
        if done == count // 2:
            doc = action.document()
            assert doc["status"] == "ACTIVE"
            assert doc["details"]["completed"] == done and doc["details"]["total"] == count
    assert action.status == "SUCCEEDED"
    assert action.document()["details"]["result"] == list(range(count))
    assert not action.settle()  # final once


def test_one_failed_task_among_many_fails_the_action_at_the_last_completion() -> None:
    tasks = [
        TaskState(i, f"t{i}", "ep", "ep", "fn", "f", "[]", status="running") for i in range(50)
    ]
    action = ComputeAction("tg_f", "req", None, None, {}, tasks, start_time="t0")
    assert not action.finish(tasks[10], FAILED, error={"code": "TaskFailed", "message": "no"})
    for task in tasks:
        if task.index != 10:
            final = action.finish(task, SUCCEEDED, result="1")
    assert final and action.status == "FAILED"
    assert action.document()["details"]["errors"][0]["index"] == 10


def _refusal(run: dict[str, Any]) -> dict[str, Any]:
    assert run["status"] == "FAILED", run
    failure = run["details"]["details"]
    assert failure["error"] == "ActionUnableToRun"
    cause: dict[str, Any] = failure["cause"]
    return cause


def test_a_fan_out_too_large_for_the_run_state_is_refused_before_any_task_starts(
    tmp_path: Path,
) -> None:
    limit = 20_000
    with Runtime(home=tmp_path / "home", options={"max_run_state_bytes": limit}) as rt:
        fid = rt.register_function(nothing)
        cause = _refusal(run_definition(rt, fan_out(fid, 1000, result_path="$"), {}))
        assert cause["code"] == "TooManyTasks"
        text = cause["description"]
        assert "This action has 1,000 tasks" in text
        assert f"the run-state limit of {limit:,} bytes" in text
        found = re.search(r"At most ([\d,]+) tasks fit in one action", text)
        assert found is not None, text
        fits = int(found.group(1).replace(",", ""))
        assert 100 < fits < 1000
        # Nothing ran and nothing was stored: the workers never started.
        assert rt.get_endpoint_status("default")["details"]["started"] is False
        with sqlite3.connect(rt.home / "runtime.db") as conn:
            assert conn.execute("SELECT count(*) FROM compute_tasks").fetchone() == (0,)

        # The count it names is exact: that many tasks whose outputs are null fill the
        # state to the limit at most; one more is refused.
        assert _refusal(run_definition(rt, fan_out(fid, fits + 1, "$"), {}))["code"] == (
            "TooManyTasks"
        )
        run = run_definition(rt, fan_out(fid, fits, "$"), {})
        assert run["status"] == "SUCCEEDED", run["details"]
        assert run["details"]["output"]["details"]["result"] == [None] * fits
        state_bytes = len(json.dumps(run["details"]["output"], separators=(",", ":")))
        assert limit - 200 < state_bytes <= limit
