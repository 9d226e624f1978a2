"""``Runtime.wait_idle``: driving a ManualClock without racing the scheduler."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock

NAP = {
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": "rested", "ResultPath": "$.how", "End": True},
    },
}

CHAIN = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "Result": 2, "ResultPath": "$.b", "End": True},
    },
}


def codes(rt: Runtime, run_id: str) -> list[str]:
    return [e["code"] for e in rt.get_run_logs(run_id, limit=100)["entries"]]


def test_advance_right_after_run_flow_fires_the_wait_state(tmp_path: Path) -> None:
    # Without wait_idle, advance() could happen before the scheduler reached the Wait state,
    # which would then wait 60 s from the advanced time and never end. Repeat to catch it.
    clock = ManualClock()
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        flow = rt.create_flow("nap", NAP)
        for _ in range(20):
            run_id = rt.run_flow(flow["id"], {})["run_id"]
            rt.wait_idle()
            waiting = rt.get_run(run_id)
            assert waiting["status"] == "ACTIVE"
            assert codes(rt, run_id)[-1] == "WaitStarted"
            clock.advance(60)
            rt.wait_idle()
            done = rt.get_run(run_id)
            assert done["status"] == "SUCCEEDED"
            assert done["details"]["output"] == {"how": "rested"}


def test_advance_too_little_leaves_the_run_waiting(tmp_path: Path) -> None:
    clock = ManualClock()
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        run_id = rt.run_flow(rt.create_flow("nap", NAP)["id"], {})["run_id"]
        rt.wait_idle()
        clock.advance(59)
        rt.wait_idle()
        assert rt.get_run(run_id)["status"] == "ACTIVE"
        clock.advance(1)
        rt.wait_idle()
        assert rt.get_run(run_id)["status"] == "SUCCEEDED"


def test_every_run_started_before_the_call_has_ended_and_is_committed(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h") as rt:
        flow = rt.create_flow("chain", CHAIN)
        run_ids = [rt.run_flow(flow["id"], {"n": n})["run_id"] for n in range(50)]
        rt.wait_idle()
        statuses = {rt.get_run(run_id)["status"] for run_id in run_ids}
        assert statuses == {"SUCCEEDED"}
    # Committed, not only in memory: a new runtime on the same home reads the same.
    with Runtime(home=tmp_path / "h", scheduler=False) as again:
        page = again.list_runs(filter_flow_id=flow["id"], per_page=50)
        assert {run["status"] for run in page["runs"]} == {"SUCCEEDED"}


def test_busy_scheduler_times_out_then_becomes_idle(tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow_listener(run_id: str, entry: dict[str, Any]) -> None:
        entered.set()
        release.wait(30)  # holds the scheduler thread until the test lets go

    with Runtime(home=tmp_path / "h") as rt:
        rt.add_event_listener(slow_listener)
        run_id = rt.run_flow(rt.create_flow("chain", CHAIN)["id"], {})["run_id"]
        assert entered.wait(30)
        with pytest.raises(TimeoutError, match="still busy"):
            rt.wait_idle(timeout=0.05)
        release.set()
        rt.wait_idle(timeout=30)
        assert rt.get_run(run_id)["status"] == "SUCCEEDED"


def test_calling_it_on_the_scheduler_thread_is_a_clear_error(tmp_path: Path) -> None:
    errors: list[Exception] = []

    def listener(run_id: str, entry: dict[str, Any]) -> None:
        try:
            rt.wait_idle()
        except ConfigException as err:
            errors.append(err)

    with Runtime(home=tmp_path / "h") as rt:
        rt.add_event_listener(listener)
        rt.wait(rt.run_flow(rt.create_flow("chain", CHAIN)["id"], {})["run_id"], timeout=30)
        rt.wait_idle()
    assert errors
    assert "scheduler thread" in str(errors[0])


def test_a_runtime_without_a_running_scheduler_is_idle(tmp_path: Path) -> None:
    reader = Runtime(home=tmp_path / "h", scheduler=False)
    reader.wait_idle()  # never opened
    with reader:
        reader.list_runs()
        reader.wait_idle()  # opened, scheduler not started
    reader.wait_idle()  # closed


def test_close_answers_a_caller_still_waiting(tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow_listener(run_id: str, entry: dict[str, Any]) -> None:
        entered.set()
        release.wait(30)

    rt = Runtime(home=tmp_path / "h").open()
    rt.add_event_listener(slow_listener)
    rt.run_flow(rt.create_flow("chain", CHAIN)["id"], {})
    assert entered.wait(30)
    answered = threading.Event()

    def waiter() -> None:
        rt.wait_idle()
        answered.set()

    waiting = threading.Thread(target=waiter)
    waiting.start()
    closing = threading.Thread(target=rt.close)
    closing.start()
    release.set()
    closing.join(30)
    waiting.join(30)
    assert not closing.is_alive()
    assert answered.is_set()
