"""Runs survive kill -9: another process takes them over and finishes them exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock

CHAIN = 1500


def chain_definition(length: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(length):
        state: dict[str, Any] = {
            "Type": "ExpressionEval",
            "Parameters": {"count.=": "count + 1", "trail.=": f"trail[-20:] + [{i}]"},
            "ResultPath": "$",
        }
        if i == length - 1:
            state["End"] = True
        else:
            state["Next"] = f"S{i + 1}"
        states[f"S{i}"] = state
    return {"StartAt": "S0", "States": states}


WORKER = textwrap.dedent(
    """
    import json, sys, time
    from gladier.runtime import Runtime
    home, flow_json, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rt = Runtime(home=home)
    flow = rt.create_flow("chain", json.loads(open(flow_json).read()))
    for i in range(runs):
        rt.run_flow(flow["id"], {"count": 0, "trail": []})
        if i == 0:
            print("started", flush=True)
    time.sleep(600)
    """
)


def start_worker(tmp_path: Path, home: Path, runs: int) -> subprocess.Popen[str]:
    flow_json = tmp_path / "flow.json"
    flow_json.write_text(json.dumps(chain_definition(CHAIN)))
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(home), str(flow_json), str(runs)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def progress(home: Path) -> int:
    conn = sqlite3.connect(home / "runtime.db")
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def check_exactly_once(rt: Runtime, run_id: str) -> None:
    entries: list[dict[str, Any]] = []
    page = rt.get_run_logs(run_id, limit=100)
    while True:
        entries += page["entries"]
        if not page["has_next_page"]:
            break
        page = rt.get_run_logs(run_id, marker=page["marker"])
    codes = [e["code"] for e in entries]
    assert codes.count("FlowStarted") == 1
    assert codes.count("FlowSucceeded") == 1
    assert codes.count("RunTakenOver") <= 1
    started = [e["details"]["state_name"] for e in entries if e["code"] == "ExpressionEvalStarted"]
    assert started == [f"S{i}" for i in range(CHAIN)]


@pytest.mark.parametrize("kill_after_events", [0, 2000, 12000])
def test_kill_9_mid_run_then_another_process_finishes(
    tmp_path: Path, kill_after_events: int
) -> None:
    home = tmp_path / "home"
    proc = start_worker(tmp_path, home, runs=10)
    deadline = time.monotonic() + 30
    while progress(home) < kill_after_events and time.monotonic() < deadline:
        time.sleep(0.001)
    kill(proc)
    conn = sqlite3.connect(home / "runtime.db")
    unfinished = conn.execute("SELECT count(*) FROM runs WHERE status = 'ACTIVE'").fetchone()[0]
    conn.close()
    assert unfinished > 0, "the worker finished before it was killed: nothing was tested"
    with Runtime(home=home) as rt:
        rt.recover()
        run_ids = [r["run_id"] for r in rt.list_runs(per_page=100)["runs"]]
        assert run_ids
        for run_id in run_ids:
            done = rt.wait(run_id, timeout=60)
            assert done["status"] == "SUCCEEDED", done["details"]
            output = done["details"]["output"]
            assert output["count"] == CHAIN
            assert output["trail"][-1] == CHAIN - 1
            check_exactly_once(rt, run_id)


def test_closed_runtime_leaves_runs_resumable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
            "P": {"Type": "Pass", "End": True},
        },
    }
    with Runtime(home=home, clock=ManualClock(start=1_800_000_000)) as first:
        flow = first.create_flow("w", definition)
        run_id = first.run_flow(flow["id"], {"k": 1})["run_id"]
        first.wait_idle()  # in the Wait state, stored: the clock does not move
        assert first.get_run(run_id)["status"] == "ACTIVE"
        assert first.get_run_logs(run_id)["entries"][-1]["code"] == "WaitStarted"
    # A later process, a little later: it continues the stored run where it stopped.
    with Runtime(home=home, clock=ManualClock(start=1_800_000_005)) as second:
        done = second.wait(run_id, timeout=30)
        assert done["status"] == "SUCCEEDED"
        assert done["details"]["output"] == {"k": 1}


def test_two_processes_never_run_the_same_step(tmp_path: Path) -> None:
    """Two live runtimes on one store: each run is executed by exactly one of them."""
    home = tmp_path / "home"
    proc = start_worker(tmp_path, home, runs=5)
    try:
        with Runtime(home=home) as rt:
            rt.recover()  # must not steal runs from a live owner
            while len(rt.list_runs(per_page=100)["runs"]) < 5:
                rt.wait(rt.list_runs(per_page=1)["runs"][0]["run_id"], timeout=60)
            run_ids = [r["run_id"] for r in rt.list_runs(per_page=100)["runs"]]
            for run_id in run_ids:
                assert rt.wait(run_id, timeout=60)["status"] == "SUCCEEDED"
                check_exactly_once(rt, run_id)
    finally:
        kill(proc)
