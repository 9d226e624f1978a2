"""Restarts: a compute task in flight when its runtime goes away is re-run, and says so."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.compute.provider import ComputeActionProvider, ComputeService
from tests.runtime.compute.conftest import compute_state, log_entries, release

RESTART_SCRIPT = """
import sys, threading
from gladier.runtime import Runtime

def work(started, go, log):
    import os
    with open(log, "a") as handle:
        handle.write(f"{os.getpid()}\\n")
    with open(started, "w") as handle:
        handle.write(str(os.getpid()))
    with open(go) as handle:
        return {"answer": handle.read()}

home, started, go, log = sys.argv[1:5]
rt = Runtime(home=home).open()
fid = rt.register_function(work)
state = {
    "Type": "Action",
    "ActionUrl": "https://compute.actions.globus.org",
    "Parameters": {"tasks": [{"endpoint": "default", "function": fid,
                              "args": [started, go, log]}]},
    "ResultPath": "$.Work",
    "End": True,
}
flow = rt.create_flow("restart", {"StartAt": "Work", "States": {"Work": state}})
print(rt.run_flow(flow["id"], {})["run_id"], flush=True)
threading.Event().wait()
"""


def wait_for_exit(pid: int, timeout: float = 30) -> None:
    """Block until process ``pid`` (not our child) has exited."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        readable, _, _ = select.select([fd], [], [], timeout)
        assert readable, f"process {pid} still runs after {timeout} s"
    finally:
        os.close(fd)


def work(started: str, go: str, log: str) -> dict[str, str]:
    import os

    with open(log, "a") as handle:
        handle.write(f"{os.getpid()}\n")
    with open(started, "w") as handle:
        handle.write(str(os.getpid()))
    with open(go) as handle:
        return {"answer": handle.read()}


def test_a_killed_runtime_process_task_is_rerun_by_the_next_one(
    tmp_path: Path, signal_factory: Any
) -> None:
    home = tmp_path / "home"
    started = signal_factory("started")
    go, log = tmp_path / "go", tmp_path / "runs.log"
    os.mkfifo(go)
    script = tmp_path / "restart_script.py"
    script.write_text(RESTART_SCRIPT)
    with subprocess.Popen(
        [sys.executable, str(script), str(home), str(started.path), str(go), str(log)],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            run_id = proc.stdout.readline().strip()
            first_worker = int(started.wait())
        finally:
            proc.kill()
    wait_for_exit(first_worker)  # the orphaned worker notices and exits at once

    with Runtime(home=home) as rt:
        rt.recover()
        second_worker = int(started.wait())
        assert second_worker != first_worker
        release(go, "done")
        run = rt.wait(run_id, timeout=60)
        assert run["status"] == "SUCCEEDED", run
        details = run["details"]["output"]["Work"]["details"]
        assert details["result"] == [{"answer": "done"}]
        note = details["notes"][0]
        assert "re-run after a restart" in note
        assert f"pid {proc.pid}" in note and "ended before task(s) 1 finished" in note
        assert "re-run after a restart" in json.dumps(log_entries(rt, run_id))
    assert log.read_text().split() == [str(first_worker), str(second_worker)]


def test_a_closed_runtime_task_is_rerun_by_the_next_runtime(
    tmp_path: Path, signal_factory: Any
) -> None:
    home = tmp_path / "home"
    started = signal_factory("started")
    go, log = tmp_path / "go", tmp_path / "runs.log"
    os.mkfifo(go)
    with Runtime(home=home) as first:
        fid = first.register_function(work)
        state = compute_state(
            fid, kwargs={"started": str(started.path), "go": str(go), "log": str(log)}
        )
        flow = first.create_flow("closing", {"StartAt": "Call", "States": {"Call": state}})
        run_id = first.run_flow(flow["id"], {})["run_id"]
        started.wait()
    with Runtime(home=home) as second:
        second.recover()
        started.wait()
        release(go, "again")
        run = second.wait(run_id, timeout=60)
        details = run["details"]["output"]["Result"]["details"]
        assert details["result"] == [{"answer": "again"}]
        assert "was closed before task(s) 1 finished" in details["notes"][0]
    assert len(log.read_text().split()) == 2


def quick(x: int) -> int:
    return x + 1


def test_a_finished_action_is_never_rerun(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        fid = rt.register_function(quick)
        body = {"tasks": [{"endpoint": "default", "function": fid, "args": [1]}]}
        first = ComputeService(db=rt.db, options=rt.options, home=rt.home)
        done = threading.Event()
        first.attach(lambda action_id: done.set())
        try:
            action_id = ComputeActionProvider(first, "v2").run({"request_id": "r", "body": body})[
                "action_id"
            ]
            assert done.wait(30)
        finally:
            first.close()
        second = ComputeService(db=rt.db, options=rt.options, home=rt.home)
        try:
            doc = ComputeActionProvider(second, "v2").status(action_id)
            assert doc["status"] == "SUCCEEDED" and doc["details"]["result"] == [2]
            assert "notes" not in doc["details"]
            again = ComputeActionProvider(second, "v2").run({"request_id": "r", "body": body})
            assert again["action_id"] == action_id
            assert second.endpoint_status("default")["details"]["started"] is False
        finally:
            second.close()
