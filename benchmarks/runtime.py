"""Benchmark the embedded runtime against this machine's SQLite floor.

    python3 dev.py bench benchmarks/runtime.py

Prints, in one run: (a) durable state transitions per second along a long chain of Pass
states; (b) p50/p95 latency of a 5-state Pass/Choice/ExpressionEval flow; (c) total time for
1,000 concurrent runs of that flow; beside the floor: bare SQLite commits per second with the
same settings (WAL, synchronous=NORMAL), measured in the same run.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime

FIVE_STATES: dict[str, Any] = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Double"},
        "Double": {
            "Type": "ExpressionEval",
            "Parameters": {"n.=": "n * 2"},
            "ResultPath": "$",
            "Next": "Big?",
        },
        "Big?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "Result": {"size": "big"}, "ResultPath": "$.v", "End": True},
        "Small": {"Type": "Pass", "Result": {"size": "small"}, "ResultPath": "$.v", "End": True},
    },
}


def sqlite_floor(folder: Path, count: int = 5000) -> float:
    """Bare durable commits per second (one small row each) with the runtime's settings."""
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    start = time.perf_counter()
    for i in range(count):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (f"row {i}",))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return count / elapsed


def chain(length: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(length):
        states[f"S{i}"] = {"Type": "Pass", "Next": f"S{i + 1}"}
    states[f"S{length - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def transitions_per_second(rt: Runtime, length: int = 20_000) -> float:
    flow = rt.create_flow("chain", chain(length))
    start = time.perf_counter()
    run = rt.run_flow(flow["id"], {"payload": "x"})
    done = rt.wait(run["run_id"])
    elapsed = time.perf_counter() - start
    assert done["status"] == "SUCCEEDED"
    return length / elapsed


def latency(rt: Runtime, runs: int = 300) -> tuple[float, float]:
    flow = rt.create_flow("five", FIVE_STATES)
    samples = []
    for i in range(runs + 20):
        start = time.perf_counter()
        run = rt.run_flow(flow["id"], {"n": i})
        done = rt.wait(run["run_id"])
        samples.append(time.perf_counter() - start)
        assert done["status"] == "SUCCEEDED"
    samples = sorted(samples[20:])  # the first runs warm caches
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def concurrent(rt: Runtime, runs: int = 1000) -> float:
    flow = rt.create_flow("five-concurrent", FIVE_STATES)
    start = time.perf_counter()
    ids = [rt.run_flow(flow["id"], {"n": i})["run_id"] for i in range(runs)]
    for run_id in ids:
        assert rt.wait(run_id)["status"] == "SUCCEEDED"
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gladier-bench-") as tmp:
        folder = Path(tmp)
        floor = sqlite_floor(folder)
        with Runtime(home=folder / "home") as rt:
            tps = transitions_per_second(rt)
            p50, p95 = latency(rt)
            total = concurrent(rt)
    floor_5 = 7 / floor  # a 5-state run is about 7 commits if nothing were batched
    print(f"floor: bare SQLite durable commits        {floor:10.0f} /s")
    print(
        f"(a) durable transitions, Pass chain       {tps:10.0f} /s   "
        f"= {tps / floor:5.2f} x floor commits/s   (target >= 5000 /s)"
    )
    print(
        f"(b) 5-state flow latency p50 / p95        {p50 * 1e3:7.2f} / {p95 * 1e3:.2f} ms   "
        f"= {p50 / floor_5:5.2f} x 7 bare commits   (target p50 <= 2 ms)"
    )
    print(
        f"(c) 1,000 concurrent 5-state runs         {total:10.2f} s    "
        f"= {total / (1000 * floor_5):5.2f} x 7,000 bare commits   (target <= 2 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
