"""Benchmark compute on the embedded runtime against this machine's floors.

    python3 dev.py bench benchmarks/compute.py

Prints, in one run: (a) the p50/p95 latency of a 5-step flow whose every step is a Compute
action running a trivial function on the default endpoint (a warm pool of worker processes),
from ``run_flow`` to the final run document; (b) the total time for 200 such runs started at
once; beside two floors measured in the same run: 5 chained round trips through a bare
``concurrent.futures.ProcessPoolExecutor`` (the same number of workers), and the same with one
durable SQLite commit per step (WAL, ``synchronous=NORMAL``, as the runtime's store; and, for
reference, ``synchronous=FULL``, an fsync per commit).
"""

from __future__ import annotations

import concurrent.futures
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.compute import DEFAULT_ENDPOINT_ID

STEPS = 5
URL = "https://compute.actions.globus.org"


def increment(x: int) -> int:
    return x + 1


def five_steps(function_id: str) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(STEPS):
        source = "$.x" if i == 0 else f"$.S{i - 1}.details.result[0]"
        state: dict[str, Any] = {
            "Type": "Action",
            "ActionUrl": URL,
            "Parameters": {
                "tasks": [
                    {
                        "endpoint": DEFAULT_ENDPOINT_ID,
                        "function": function_id,
                        "kwargs": {"x.$": source},
                    }
                ]
            },
            "ResultPath": f"$.S{i}",
        }
        if i == STEPS - 1:
            state["End"] = True
        else:
            state["Next"] = f"S{i + 1}"
        states[f"S{i}"] = state
    return {"StartAt": "S0", "States": states}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def floor_pool(
    workers: int, reps: int, durable_dir: Path | None, synchronous: str = "NORMAL"
) -> float:
    """p50 seconds of 5 chained round trips (optionally with one commit per step)."""
    conn = None
    if durable_dir is not None:
        conn = sqlite3.connect(durable_dir / f"floor-{synchronous}.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("CREATE TABLE IF NOT EXISTS steps (id INTEGER PRIMARY KEY, value TEXT)")
    samples = []
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        for _ in range(50):
            pool.submit(increment, 0).result()
        for _ in range(reps):
            start = time.perf_counter()
            x = 0
            for _ in range(STEPS):
                x = pool.submit(increment, x).result()
                if conn is not None:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("INSERT INTO steps (value) VALUES (?)", (str(x),))
                    conn.execute("COMMIT")
            samples.append(time.perf_counter() - start)
    if conn is not None:
        conn.close()
    return statistics.median(samples)


def latency(rt: Runtime, flow_id: str, runs: int) -> tuple[float, float]:
    samples = []
    for i in range(runs + 30):
        start = time.perf_counter()
        run = rt.run_flow(flow_id, {"x": i})
        done = rt.wait(run["run_id"], timeout=60)
        samples.append(time.perf_counter() - start)
        assert done["status"] == "SUCCEEDED", done
        assert done["details"]["output"][f"S{STEPS - 1}"]["details"]["result"] == [i + STEPS]
    samples = samples[30:]  # the first runs start the workers and warm caches
    return statistics.median(samples), percentile(samples, 0.95)


def burst(rt: Runtime, flow_id: str, runs: int) -> float:
    start = time.perf_counter()
    ids = [rt.run_flow(flow_id, {"x": i})["run_id"] for i in range(runs)]
    for run_id in ids:
        assert rt.wait(run_id, timeout=120)["status"] == "SUCCEEDED"
    return time.perf_counter() - start


def main() -> int:
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="gladier-bench-compute-") as tmp:
        folder = Path(tmp)
        bare = floor_pool(workers, 300, None)
        durable = floor_pool(workers, 300, folder)
        fsynced = floor_pool(workers, 100, folder, "FULL")
        with Runtime(home=folder / "home") as rt:
            function_id = rt.register_function(increment)
            flow = rt.create_flow("five compute steps", five_steps(function_id))
            p50, p95 = latency(rt, flow["id"], 300)
            total = burst(rt, flow["id"], 200)
            burst_again = burst(rt, flow["id"], 200)
    print(f"machine: {workers} cores, Python {sys.version.split()[0]}")
    print(f"floor: 5 chained ProcessPoolExecutor round trips        p50 {bare * 1e3:6.2f} ms")
    print(f"floor: the same with one durable SQLite commit per step  p50 {durable * 1e3:6.2f} ms")
    print(f"floor: the same with an fsync per commit (FULL)          p50 {fsynced * 1e3:6.2f} ms")
    print(
        f"(a) 5-step compute flow, default endpoint   p50 {p50 * 1e3:6.2f} ms / p95 "
        f"{p95 * 1e3:.2f} ms = {p50 / durable:4.2f} x the durable floor   (target p50 <= 6 ms, "
        "within 3 x the durable floor)"
    )
    print(
        f"(b) 200 such runs started at once           {total:6.2f} s (again: {burst_again:.2f} s)"
        "   (target <= 1 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
