"""The parsl executor: a real HighThroughputExecutor runs a multi-task flow, then stops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gladier.runtime import Runtime
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors.parsl import ParslExecutor
from tests.runtime.compute.conftest import V2_URL, child_processes, one_state

pytest.importorskip("parsl")


def where(x: int) -> dict[str, int]:
    import os

    return {"x": x + 100, "pid": os.getpid()}


def test_a_high_throughput_executor_runs_a_multi_task_flow(tmp_path: Path) -> None:
    before = child_processes()
    with Runtime(home=tmp_path / "home") as rt:
        endpoint = rt.create_endpoint(
            "parsl", executor="parsl", config={"executor": {"max_workers_per_node": 2}}
        )
        fid = rt.register_function(where)
        tasks = [
            {"endpoint": endpoint["endpoint_id"], "function": fid, "args": [i]} for i in range(4)
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
        assert [r["x"] for r in results] == [100, 101, 102, 103]
        assert os.getpid() not in {r["pid"] for r in results}
        assert (tmp_path / "home" / "parsl" / endpoint["endpoint_id"]).is_dir()
    assert child_processes() <= before


def test_providers_and_launchers_are_built_from_json(tmp_path: Path) -> None:
    config = {
        "provider": {
            "type": "slurm",
            "partition": "debug",
            "nodes_per_block": 2,
            "launcher": {"type": "srun", "overrides": "--exclusive"},
        },
        # An explicit address: without one Parsl probes the network for this host's addresses.
        "executor": {"max_workers_per_node": 8, "address": "127.0.0.1"},
    }
    executor = ParslExecutor(Endpoint("e", "hpc", "parsl", config), home=tmp_path)
    parsl_config = executor.build_config()
    htex = parsl_config.executors[0]
    assert type(htex.provider).__name__ == "SlurmProvider"
    assert htex.provider.partition == "debug" and htex.provider.nodes_per_block == 2
    assert type(htex.provider.launcher).__name__ == "SrunLauncher"
    assert htex.max_workers_per_node == 8
    assert not executor.started
