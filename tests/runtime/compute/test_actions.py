"""Compute action documents: Globus's result/results shape, failures, cancellations, notes."""

from __future__ import annotations

from gladier.runtime.compute.actions import (
    CANCELLED,
    FAILED,
    RUNNING,
    SUCCEEDED,
    ComputeAction,
    TaskState,
    request_fields,
)


def task(index: int, status: str = RUNNING, **fields: object) -> TaskState:
    return TaskState(
        index=index,
        task_id=f"t{index}",
        endpoint_id="ep",
        requested_endpoint="ep",
        function_id="fn",
        function_name="f",
        payload="[[], {}]",
        status=status,
        **fields,  # type: ignore[arg-type]
    )


def action(*tasks: TaskState) -> ComputeAction:
    request = request_fields({"label": "L", "manage_by": ["m"], "body": {}, "run_id": "r"})
    return ComputeAction("tg_1", "req", "run", "State", request, list(tasks), start_time="t0")


def test_active_details_show_progress() -> None:
    act = action(task(0, SUCCEEDED, result="1"), task(1))
    assert not act.settle()
    doc = act.document()
    assert doc["status"] == "ACTIVE" and doc["completion_time"] is None
    assert doc["details"] == {"completed": 1, "total": 2, "task_ids": ["t0", "t1"]}
    assert doc["label"] == "L" and doc["manage_by"] == ["m"]


def test_succeeded_details_have_result_and_results() -> None:
    act = action(task(0, SUCCEEDED, result='{"a":1}'), task(1, SUCCEEDED, result="null"))
    assert act.settle()
    act.completion_time = "t1"
    doc = act.document()
    assert doc["status"] == "SUCCEEDED"
    assert doc["details"] == {
        "result": [{"a": 1}, None],
        "results": [{"task_id": "t0", "output": {"a": 1}}, {"task_id": "t1", "output": None}],
    }


def test_one_failed_task_fails_the_action_and_keeps_the_other_results() -> None:
    error = {"code": "TaskFailed", "type": "KeyError", "message": "'k'", "traceback": "TB"}
    act = action(task(0, SUCCEEDED, result="5"), task(1, FAILED, error=error))
    act.notes.append("a note")
    assert act.settle()
    details = act.document()["details"]
    assert act.status == "FAILED"
    assert details["code"] == "TaskFailed"
    assert details["description"] == "Task 2 of 2 (function 'f', fn) raised KeyError: 'k'"
    assert details["result"] == [5, "TB"] and details["exception"] == "TB"
    assert details["results"][1] == {"task_id": "t1", "exception": "TB"}
    assert details["errors"][0]["index"] == 1
    assert details["notes"] == ["a note"]


def test_other_failures_describe_themselves() -> None:
    error = {"code": "WorkerDied", "type": "WorkerDied", "message": "it died", "traceback": ""}
    act = action(task(0, FAILED, error=error))
    act.settle()
    details = act.document()["details"]
    assert details["description"] == "Task 1 of 1 (function 'f', fn) failed: it died"
    assert details["result"] == ["WorkerDied: it died"]


def test_a_cancelled_action() -> None:
    act = action(task(0, SUCCEEDED, result="1"), task(1, CANCELLED))
    act.canceled = True
    act.status = "FAILED"
    doc = act.document()
    assert doc["display_status"] == "CANCELED"
    assert doc["details"]["code"] == "Canceled"
    assert "1 unfinished task(s) were stopped" in doc["details"]["description"]
