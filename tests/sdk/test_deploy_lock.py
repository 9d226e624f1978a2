"""Processes that start the same client at once deploy one flow and register each function once.

Four real processes wait at a barrier, then each constructs ``AddOneClient`` against one
runtime home (one config file) and runs it to its end.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from gladier.storage.config import GladierConfig

PROCESSES = 4


def _first_run(home: str, barrier: Any, results: Any) -> None:
    os.environ["GLADIER_HOME"] = home
    from tests.sdk.client_tools import AddOneClient

    barrier.wait()
    try:
        client = AddOneClient()
        run = client.run_flow({"input": {"number": 1}})
        final = client.progress(run["run_id"], callback=lambda status: None)
        output = final["details"]["output"]["AddOne"]["details"]["results"][0]["output"]
        ids = client.get_compute_function_ids()
        results.put((final["status"], run["flow_id"], ids["add_one_function_id"], output))
    except Exception as err:  # reported to the test, which names it
        results.put(("ERROR", repr(err), None, None))


def test_concurrent_first_runs_deploy_one_flow_and_one_function(tmp_path: Path) -> None:
    home = str(tmp_path / "shared-home")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=_first_run, args=(home, barrier, results)) for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = [results.get(timeout=120) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=60)
    assert [o[0] for o in outcomes] == ["SUCCEEDED"] * PROCESSES, outcomes
    assert [o[3] for o in outcomes] == [2] * PROCESSES
    assert len({o[1] for o in outcomes}) == 1, outcomes
    assert len({o[2] for o in outcomes}) == 1, outcomes

    from gladier.runtime import Runtime

    with Runtime(home=home) as rt:
        flows = rt.list_flows()["flows"]
        functions = rt.list_functions()
    assert [f["id"] for f in flows] == [outcomes[0][1]]
    assert [f["function_id"] for f in functions] == [outcomes[0][2]]


def test_the_deploy_lock_nests_and_excludes_other_processes(tmp_path: Path) -> None:
    path = tmp_path / "client.cfg"
    first, second = GladierConfig(path, "a"), GladierConfig(path, "b")
    lock_file = tmp_path / ".client.cfg.deploy.lock"
    probe = (
        "import sys, filelock\n"
        "try:\n"
        "    filelock.FileLock(sys.argv[1]).acquire(timeout=0)\n"
        "except filelock.Timeout:\n"
        "    print('held')\n"
        "else:\n"
        "    print('free')\n"
    )

    def holder() -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, str(lock_file)],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    with first.deploying():
        with second.deploying():  # same file, same thread: nests instead of waiting
            second.set_value("flow_id", "f1")
        assert holder() == "held"
    assert holder() == "free"
    assert first.get_value("flow_id") is None
    assert second.get_value("flow_id") == "f1"
