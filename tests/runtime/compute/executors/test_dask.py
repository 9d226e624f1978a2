"""The dask executor: a real LocalCluster runs a multi-task flow, then stops cleanly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gladier.runtime import Runtime
from tests.runtime.compute.conftest import V2_URL, child_processes, one_state

pytest.importorskip("distributed")


def where(x: int) -> dict[str, int]:
    import os

    return {"x": x * 10, "pid": os.getpid()}


def test_a_local_cluster_runs_a_multi_task_flow(tmp_path: Path) -> None:
    before = child_processes()
    with Runtime(home=tmp_path / "home") as rt:
        endpoint = rt.create_endpoint(
            "dask",
            executor="dask",
            config={"local_cluster": {"n_workers": 2, "threads_per_worker": 1}},
        )
        fid = rt.register_function(where)
        tasks = [
            {"endpoint": endpoint["endpoint_id"], "function": fid, "args": [i]} for i in range(6)
        ]
        state = {
            "Type": "Action",
            "ActionUrl": V2_URL,
            "Parameters": {"tasks": tasks},
            "ResultPath": "$.R",
            "End": True,
        }
        run = one_state(rt, state)
        assert run["status"] == "SUCCEEDED", run
        results = run["details"]["output"]["R"]["details"]["result"]
        assert [r["x"] for r in results] == [0, 10, 20, 30, 40, 50]
        assert os.getpid() not in {r["pid"] for r in results}
        assert rt.get_endpoint_status(endpoint["endpoint_id"])["details"]["started"]
    assert child_processes() <= before


def picky(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


def test_a_fan_out_reports_every_task_once_failures_included(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        endpoint = rt.create_endpoint(
            "dask",
            executor="dask",
            config={"local_cluster": {"n_workers": 2, "threads_per_worker": 1}},
        )
        fid = rt.register_function(picky)
        tasks = [
            {"endpoint": endpoint["endpoint_id"], "function": fid, "args": [i]} for i in range(40)
        ]
        state = {
            "Type": "Action",
            "ActionUrl": V2_URL,
            "Parameters": {"tasks": tasks},
            "ResultPath": "$.R",
            "ExceptionOnActionFailure": False,
            "End": True,
        }
        run = one_state(rt, state)
        assert run["status"] == "SUCCEEDED", run
        details = run["details"]["output"]["R"]["details"]
        assert run["details"]["output"]["R"]["status"] == "FAILED"
        assert [e["index"] for e in details["errors"]] == [7]
        assert details["errors"][0]["type"] == "ValueError"
        assert [r for i, r in enumerate(details["result"]) if i != 7] == [
            i for i in range(40) if i != 7
        ]
