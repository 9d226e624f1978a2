"""gladier.progress: the run model, incremental log reading and watch_run."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from gladier.progress import (
    LogFollower,
    RunProgress,
    WatchInterrupted,
    explain_error,
    watch_run,
)
from gladier.runtime import Runtime

CAUGHT_THEN_FAIL: dict[str, Any] = {
    "StartAt": "Try",
    "States": {
        "Try": {
            "Type": "Action",
            "ActionUrl": "https://local.test/boom",
            "Parameters": {},
            "ResultPath": "$.try",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Decide", "ResultPath": "$.err"}],
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.err", "IsPresent": True, "Next": "GiveUp"}],
            "Default": "Done",
        },
        "GiveUp": {"Type": "Fail", "Error": "Gave up", "Cause": "the action failed"},
        "Done": {"Type": "Pass", "End": True},
    },
}

COUNTER: dict[str, Any] = {
    "StartAt": "Inc",
    "States": {
        "Inc": {
            "Type": "ExpressionEval",
            "Parameters": {"n.=": "n + 1"},
            "ResultPath": "$",
            "Next": "More?",
        },
        "More?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericLessThan": 40, "Next": "Inc"}],
            "Default": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}

SLOW: dict[str, Any] = {
    "StartAt": "Nap",
    "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}},
}


def _boom(body: Any) -> Any:
    raise RuntimeError("disk full")


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with Runtime(home=tmp_path / "home") as runtime:
        runtime.add_action_provider("https://local.test/boom", _boom)
        yield runtime


def _plain() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=200, force_terminal=False, no_color=True), buffer


def _run(rt: Runtime, definition: dict[str, Any], body: dict[str, Any] | None = None) -> str:
    flow = rt.create_flow("t", definition)
    return str(rt.run_flow(flow["id"], body or {}, label="lbl")["run_id"])


def test_model_of_a_caught_error_and_a_fail_state(rt: Runtime) -> None:
    run_id = _run(rt, CAUGHT_THEN_FAIL)
    rt.wait(run_id, timeout=30)
    progress = RunProgress(run_id)
    progress.set_run(rt.get_run(run_id))
    progress.apply(LogFollower(rt, run_id).fetch())
    assert [(v.name, v.status) for v in progress.visits] == [
        ("Try", "CAUGHT"),
        ("Decide", "SUCCEEDED"),
        ("GiveUp", "FAILED"),
    ]
    assert progress.visits[0].error == (
        "ActionFailedException: RuntimeError: disk full (caught; going to Decide)"
    )
    assert progress.visits[1].note == "→ GiveUp"
    failure = progress.failure()
    assert failure is not None and failure.error == "Gave up: the action failed"
    assert progress.statuses() == {"Try": "CAUGHT", "Decide": "SUCCEEDED", "GiveUp": "FAILED"}
    assert progress.finished and progress.active is None


def test_log_follower_pages_and_returns_only_new_entries(rt: Runtime) -> None:
    run_id = _run(rt, COUNTER, {"n": 0})
    rt.wait(run_id, timeout=30)
    everything = []
    marker = None
    while True:
        page = rt.get_run_logs(run_id, limit=100, marker=marker)
        everything += page["entries"]
        marker = page.get("marker")
        if not page["has_next_page"]:
            break
    assert len(everything) > 150  # several pages
    follower = LogFollower(rt, run_id)
    assert follower.fetch() == everything
    assert follower.fetch() == []


class GrowingLog:
    """A fake source whose log grows between two fetches (markers are offsets, as in Globus)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.calls = 0

    def get_run(self, run_id: str) -> dict[str, Any]:
        return {"run_id": run_id, "status": "ACTIVE"}

    def get_run_logs(
        self, run_id: str, limit: int | None = None, marker: str | None = None
    ) -> dict[str, Any]:
        self.calls += 1
        start = int(marker or 0)
        size = limit or 10
        page = self.entries[start : start + size]
        more = start + size < len(self.entries)
        return {
            "entries": page,
            "has_next_page": more,
            "marker": str(start + size) if more else None,
        }


def test_log_follower_reads_a_growing_log_once() -> None:
    source = GrowingLog()
    follower = LogFollower(source, "r")
    source.entries += [{"code": f"E{i}"} for i in range(150)]
    assert [e["code"] for e in follower.fetch()] == [f"E{i}" for i in range(150)]
    source.entries += [{"code": "late"}]
    source.calls = 0
    assert follower.fetch() == [{"code": "late"}]
    assert source.calls == 1  # only the last page is read again


def test_explain_error_shapes() -> None:
    assert explain_error("ActionUnableToRun", {"code": "X", "description": "no provider"}) == (
        "ActionUnableToRun: no provider",
        None,
    )
    compute = {
        "details": {
            "code": "TaskFailed",
            "description": "Task 1 of 1 raised ValueError: bad",
            "exception": "",
            "errors": [
                {"traceback": "Traceback (most recent call last):\n  ...\nValueError: bad\n"}
            ],
        }
    }
    message, trace = explain_error("ActionFailedException", compute)
    assert message == "ActionFailedException: Task 1 of 1 raised ValueError: bad"
    assert trace == "Traceback (most recent call last):\n  ...\nValueError: bad"
    assert explain_error(None, None) == ("Error", None)


def test_watch_run_plain_output_and_updates(rt: Runtime) -> None:
    run_id = _run(rt, CAUGHT_THEN_FAIL)
    console, buffer = _plain()
    seen: list[str] = []
    final = watch_run(rt, run_id, console=console, on_update=lambda p: seen.append(p.status))
    assert final["status"] == "FAILED"
    text = buffer.getvalue()
    assert text.splitlines()[0] == f"Run {run_id} · lbl · flow 't'"
    assert "Try" in text and "CAUGHT" in text and "RuntimeError: disk full" in text
    assert f"Run {run_id} FAILED in" in text
    assert "Failed at state GiveUp: Gave up: the action failed" in text
    assert seen and seen[-1] == "FAILED"


def test_watch_run_shows_the_traceback_of_a_failed_compute_task(rt: Runtime) -> None:
    def divide(a: int, b: int) -> float:
        return a / b

    function_id = rt.register_function(divide)
    definition = {
        "StartAt": "Divide",
        "States": {
            "Divide": {
                "Type": "Action",
                "ActionUrl": "https://compute.actions.globus.org",
                "Parameters": {
                    "tasks": [
                        {
                            "endpoint": "bd06cbfe-4e60-5087-b88d-36c8bebdec5a",
                            "function": function_id,
                            "kwargs": {"a": 1, "b": 0},
                        }
                    ]
                },
                "End": True,
            }
        },
    }
    console, buffer = _plain()
    final = watch_run(rt, _run(rt, definition), console=console)
    assert final["status"] == "FAILED"
    text = buffer.getvalue()
    assert "Failed at state Divide: ActionFailedException: Task 1 of 1" in text
    assert "Traceback (most recent call last):" in text
    assert "ZeroDivisionError: division by zero" in text


def test_watch_run_live_table_on_a_terminal(rt: Runtime) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=True)
    final = watch_run(rt, _run(rt, CAUGHT_THEN_FAIL), console=console)
    assert final["status"] == "FAILED"
    text = buffer.getvalue()
    assert "State" in text and "GiveUp" in text and "\x1b[" in text


def test_ctrl_c_stops_watching_without_cancelling(rt: Runtime) -> None:
    run_id = _run(rt, SLOW)

    class Interrupting:
        def get_run(self, run_id: str) -> Any:
            return rt.get_run(run_id)

        def get_run_logs(self, run_id: str, **kwargs: Any) -> Any:
            return rt.get_run_logs(run_id, **kwargs)

        def wait(self, run_id: str, timeout: float) -> Any:
            raise KeyboardInterrupt

    console, buffer = _plain()
    with pytest.raises(WatchInterrupted) as caught:
        watch_run(Interrupting(), run_id, console=console)
    assert caught.value.run["status"] == "ACTIVE"
    assert (
        f"Stopped watching. The run was not cancelled: run {run_id} is ACTIVE. Watch it again "
        f"with: gladier runs watch {run_id}"
    ) in buffer.getvalue()
    assert rt.get_run(run_id)["status"] == "ACTIVE"
    rt.cancel_run(run_id)


def test_watch_run_timeout_and_quiet_mode(rt: Runtime) -> None:
    run_id = _run(rt, SLOW)
    updates: list[RunProgress] = []
    with pytest.raises(TimeoutError, match="is still ACTIVE after 0 s"):
        watch_run(rt, run_id, show=False, on_update=updates.append, timeout=0)
    assert updates and updates[0].status == "ACTIVE" and not updates[0].finished
    rt.cancel_run(run_id)
    final = watch_run(rt, run_id, show=False)
    assert final["details"]["code"] == "FlowCanceled"
