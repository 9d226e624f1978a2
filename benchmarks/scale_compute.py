#!/usr/bin/env python3
"""Benchmark compute as the work grows, each figure beside a floor measured in the same run.

    python3 dev.py bench benchmarks/scale_compute.py              # everything
    .venv/bin/python benchmarks/scale_compute.py --only fan,cold  # some parts
    .venv/bin/python benchmarks/scale_compute.py --quick          # a smoke run

Parts (``--only``):

* ``fan``: one Action state whose action has 1,000, then 10,000 tasks (``x + 1``) on the
  default endpoint, from ``run_flow`` to the finished run, against the same tasks submitted at
  once to a bare ``concurrent.futures.ProcessPoolExecutor`` with as many workers and waited
  for (target: within 2x, and the same cost per task at both sizes);
* ``runs``: 1,000 one-task runs started at once (one ``run_flow`` call each, and again with
  one ``Runtime.start_runs`` call for all), against 1,000 tasks on the bare pool
  (target: within 3x); 200 five-step runs started at once, against 200 chains of five round
  trips through the bare pool with one durable SQLite commit per step (WAL,
  ``synchronous=NORMAL``, as the runtime's store; target: within 2x); the p50 latency of one
  five-step run against one such chain (target: within 2x);
* ``dask``: the same fan-out of 1,000 tasks and 200 one-task runs on an endpoint of the
  ``dask`` executor, against Dask used directly (``client.map``, ``client.submit``) on the same
  ``LocalCluster`` (target: within 1.5x; needs ``distributed``);
* ``cold``: a new process imports gladier, creates a ``Runtime`` in an empty home, registers
  a function and runs a one-step compute flow; from the process's start to the result,
  against a new process that starts a ``ProcessPoolExecutor``, gets one result and makes one
  SQLite commit (target: at most 0.2 s).

Every measure is repeated (``--repeat``) and the median is printed with its ratio to the
floor's median; both take turns, so a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.compute import DEFAULT_ENDPOINT_ID

URL = "https://compute.actions.globus.org"
STEPS = 5
WORKERS = os.cpu_count() or 1


def increment(x: int) -> int:
    return x + 1


def fan_out_flow() -> dict[str, Any]:
    """One Action state whose tasks come from the input (``$.tasks``)."""
    state = {
        "Type": "Action",
        "ActionUrl": URL,
        "Parameters": {"tasks.$": "$.tasks"},
        "ResultPath": "$.Fan",
        "WaitTime": 3600,
        "End": True,
    }
    return {"StartAt": "Fan", "States": {"Fan": state}}


def chain_flow(function_id: str, steps: int, endpoint: str) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(steps):
        source = "$.x" if i == 0 else f"$.S{i - 1}.details.result[0]"
        state: dict[str, Any] = {
            "Type": "Action",
            "ActionUrl": URL,
            "Parameters": {
                "tasks": [
                    {"endpoint": endpoint, "function": function_id, "kwargs": {"x.$": source}}
                ]
            },
            "ResultPath": f"$.S{i}",
        }
        if i == steps - 1:
            state["End"] = True
        else:
            state["Next"] = f"S{i + 1}"
        states[f"S{i}"] = state
    return {"StartAt": "S0", "States": states}


def tasks(function_id: str, count: int, endpoint: str) -> list[dict[str, Any]]:
    return [
        {"endpoint": endpoint, "function": function_id, "kwargs": {"x": i}} for i in range(count)
    ]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---------------------------------------------------------------------------- floors
class Floors:
    """A warm bare pool and a SQLite file with the runtime's settings."""

    def __init__(self, folder: Path) -> None:
        self.pool = concurrent.futures.ProcessPoolExecutor(WORKERS)
        for future in [self.pool.submit(increment, 0) for _ in range(50)]:
            future.result()
        self.db = sqlite3.connect(
            folder / "floor.db", isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("CREATE TABLE steps (id INTEGER PRIMARY KEY, run INT, value INT)")
        self.lock = threading.Lock()

    def close(self) -> None:
        self.pool.shutdown()
        self.db.close()

    def commit(self, run: int, value: int) -> None:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("INSERT INTO steps (run, value) VALUES (?, ?)", (run, value))
            self.db.execute("COMMIT")

    def many(self, count: int) -> None:
        futures = [self.pool.submit(increment, i) for i in range(count)]
        for i, future in enumerate(futures):
            assert future.result() == i + 1

    def chain(self, x: int) -> None:
        value = x
        for _ in range(STEPS):
            value = self.pool.submit(increment, value).result()
            self.commit(x, value)
        assert value == x + STEPS

    def chains(self, count: int) -> None:
        """``count`` durable chains at once, each step submitted from the last one's callback."""
        left = threading.Semaphore(0)

        def step(run: int, value: int, remaining: int) -> None:
            future = self.pool.submit(increment, value)

            def done(f: concurrent.futures.Future[int]) -> None:
                result = f.result()
                self.commit(run, result)
                if remaining > 1:
                    step(run, result, remaining - 1)
                else:
                    left.release()

            future.add_done_callback(done)

        for run in range(count):
            step(run, run, STEPS)
        for _ in range(count):
            assert left.acquire(timeout=120)


# ---------------------------------------------------------------------------- runtime
class Gladier:
    def __init__(self, rt: Runtime, endpoint: str = DEFAULT_ENDPOINT_ID) -> None:
        self.rt = rt
        self.endpoint = endpoint
        self.fid = rt.register_function(increment)
        self.fan = rt.create_flow("fan-out", fan_out_flow())["id"]
        self.one = rt.create_flow("one step", chain_flow(self.fid, 1, endpoint))["id"]
        self.five = rt.create_flow("five steps", chain_flow(self.fid, STEPS, endpoint))["id"]
        self.fan_out(20)
        self.runs(self.five, 20)

    def fan_out(self, count: int) -> None:
        run = self.rt.run_flow(self.fan, {"tasks": tasks(self.fid, count, self.endpoint)})
        done = self.rt.wait(run["run_id"], timeout=600)
        assert done["status"] == "SUCCEEDED", done["details"]
        result = done["details"]["output"]["Fan"]["details"]["result"]
        assert result == list(range(1, count + 1))

    def runs(self, flow_id: str, count: int) -> None:
        ids = [self.rt.run_flow(flow_id, {"x": i})["run_id"] for i in range(count)]
        for run_id in ids:
            assert self.rt.wait(run_id, timeout=600)["status"] == "SUCCEEDED"

    def batch(self, flow_id: str, count: int) -> None:
        """``count`` runs started in one transaction (``Runtime.start_runs``), then waited for."""
        runs = self.rt.start_runs(flow_id, [{"x": i} for i in range(count)])
        for run in runs:
            assert self.rt.wait(run["run_id"], timeout=600)["status"] == "SUCCEEDED"

    def latency(self, x: int) -> None:
        done = self.rt.wait(self.rt.run_flow(self.five, {"x": x})["run_id"], timeout=60)
        assert done["details"]["output"][f"S{STEPS - 1}"]["details"]["result"] == [x + STEPS]


# ---------------------------------------------------------------------------- reporting
class Table:
    def __init__(self) -> None:
        self.rows: list[str] = []

    def add(
        self,
        what: str,
        ours: list[float],
        floor: list[float],
        target: float | None,
        unit: str = "s",
    ) -> None:
        mine, base = statistics.median(ours), statistics.median(floor)
        ratio = mine / base
        verdict = "" if target is None else ("  met" if ratio <= target else "  NOT met")
        goal = "" if target is None else f" (target <= {target:g}x)"
        self.rows.append(
            f"{what:<44} {show(mine, unit):>10}  floor {show(base, unit):>10}  "
            f"= {ratio:5.2f}x{goal}{verdict}"
        )
        print(self.rows[-1], flush=True)

    def note(self, text: str) -> None:
        self.rows.append(text)
        print(text, flush=True)


def show(value: float, unit: str) -> str:
    if unit == "us":
        return f"{value * 1e6:,.0f} us"
    if value < 1:
        return f"{value * 1e3:,.1f} ms"
    return f"{value:,.2f} s"


def alternate(
    repeat: int, ours: Callable[[], Any], floor: Callable[[], Any]
) -> tuple[list[float], list[float]]:
    mine: list[float] = []
    base: list[float] = []
    for _ in range(repeat):
        mine.append(timed(ours))
        base.append(timed(floor))
    return mine, base


def part_fan(table: Table, g: Gladier, floors: Floors, sizes: list[int], repeat: int) -> None:
    per_task: dict[int, float] = {}
    for size in sizes:
        mine, base = alternate(repeat, partial(g.fan_out, size), partial(floors.many, size))
        table.add(f"fan-out: one action of {size:,} tasks", mine, base, 2.0)
        per_task[size] = statistics.median(mine) / size
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        table.note(
            f"fan-out: cost per task {per_task[small] * 1e6:,.0f} us at {small:,}, "
            f"{per_task[large] * 1e6:,.0f} us at {large:,} "
            f"(= {per_task[large] / per_task[small]:.2f}x; constant would be 1x)"
        )


def part_runs(table: Table, g: Gladier, floors: Floors, repeat: int, quick: bool) -> None:
    count = 200 if quick else 1000
    mine, base = alternate(repeat, lambda: g.runs(g.one, count), lambda: floors.many(count))
    table.add(f"{count:,} one-task runs started at once", mine, base, 3.0)
    mine, base = alternate(repeat, lambda: g.batch(g.one, count), lambda: floors.many(count))
    table.add(f"{count:,} one-task runs, one start_runs call", mine, base, 3.0)
    mine, base = alternate(repeat, lambda: g.runs(g.five, 200), lambda: floors.chains(200))
    table.add("200 five-step runs started at once", mine, base, 2.0)
    samples = 30 if quick else 300
    lat: list[float] = []
    low: list[float] = []
    for i in range(samples):
        lat.append(timed(partial(g.latency, i)))
        low.append(timed(partial(floors.chain, i)))
    table.add("latency of one five-step run, p50", lat, low, 2.0)


def part_dask(table: Table, folder: Path, repeat: int, quick: bool) -> None:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        table.note("dask: skipped (pip install 'gladier[dask]')")
        return
    cluster = LocalCluster(
        n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    try:
        for future in client.map(increment, range(50), pure=False):
            future.result()
        with Runtime(home=folder / "dask-home") as rt:
            endpoint = rt.create_endpoint(
                "dask", executor="dask", config={"address": cluster.scheduler_address}
            )["endpoint_id"]
            g = Gladier(rt, endpoint)
            size = 200 if quick else 1000

            def direct_fan() -> None:
                futures = client.map(increment, range(size), pure=False)
                assert client.gather(futures) == list(range(1, size + 1))

            mine, base = alternate(repeat, lambda: g.fan_out(size), direct_fan)
            table.add(f"dask: one action of {size:,} tasks", mine, base, 1.5)

            def direct_runs() -> None:
                futures = [client.submit(increment, i, pure=False) for i in range(200)]
                assert client.gather(futures) == list(range(1, 201))

            mine, base = alternate(repeat, lambda: g.runs(g.one, 200), direct_runs)
            table.add("dask: 200 one-task runs started at once", mine, base, 1.5)
    finally:
        client.close()
        cluster.close()


COLD_RUNTIME = """
import sys, tempfile
from gladier.runtime import Runtime
def increment(x):
    return x + 1
with tempfile.TemporaryDirectory() as home, Runtime(home=home) as rt:
    fid = rt.register_function(increment)
    flow = rt.create_flow("cold", {"StartAt": "A", "States": {"A": {
        "Type": "Action", "ActionUrl": "https://compute.actions.globus.org", "End": True,
        "ResultPath": "$.A", "Parameters": {"tasks": [
            {"endpoint": "default", "function": fid, "kwargs": {"x": 1}}]}}}})
    done = rt.wait(rt.run_flow(flow["id"], {})["run_id"], timeout=60)
    print(done["details"]["output"]["A"]["details"]["result"][0], flush=True)
    sys.stdout.close()
"""

COLD_FLOOR = """
import sys, tempfile, sqlite3, os
from concurrent.futures import ProcessPoolExecutor
def increment(x):
    return x + 1
if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as home:
        db = sqlite3.connect(os.path.join(home, "f.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE t (v INT)")
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            value = pool.submit(increment, 1).result()
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t VALUES (?)", (value,))
            db.execute("COMMIT")
            print(value, flush=True)
            sys.stdout.close()
"""


def cold(script: str, folder: Path) -> float:
    """Seconds from starting a new interpreter on ``script`` to its first line of output.

    Bytecode is cached (in a folder of the benchmark's own), as for an installed package,
    whatever ``PYTHONDONTWRITEBYTECODE`` says: without the cache every start compiles gladier.
    """
    path = folder / "cold.py"
    path.write_text(script)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(path)], stdout=subprocess.PIPE, cwd=folder, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=60)
    assert line.strip() == b"2", line
    return elapsed


def part_cold(table: Table, folder: Path, repeat: int) -> None:
    cold(COLD_RUNTIME, folder)  # fills the bytecode cache
    cold(COLD_FLOOR, folder)
    mine, base = alternate(
        max(repeat, 5), lambda: cold(COLD_RUNTIME, folder), lambda: cold(COLD_FLOOR, folder)
    )
    table.add("cold start to the first compute result", mine, base, None)
    best = statistics.median(mine)
    verdict = "met" if best <= 0.2 else "NOT met"
    table.note(f"cold start: median {best * 1e3:.0f} ms (target at most 200 ms: {verdict})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="fan,runs,dask,cold", help="parts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each measure")
    parser.add_argument("--quick", action="store_true", help="small sizes, one round")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    repeat = 1 if args.quick else args.repeat
    sizes = [200, 1000] if args.quick else [1000, 10_000]
    load = os.getloadavg()[0]
    print(f"machine: {WORKERS} cores, Python {sys.version.split()[0]}, load average {load:.1f}")
    table = Table()
    with tempfile.TemporaryDirectory(prefix="gladier-bench-scale-") as tmp:
        folder = Path(tmp)
        if parts & {"fan", "runs"}:
            floors = Floors(folder)
            # The bookkeeping of 10,000 tasks (task ids, two result lists) is about 800 KB.
            options = {"max_run_state_bytes": 50_000_000}
            try:
                with Runtime(home=folder / "home", options=options) as rt:
                    g = Gladier(rt)
                    if "fan" in parts:
                        part_fan(table, g, floors, sizes, repeat)
                    if "runs" in parts:
                        part_runs(table, g, floors, repeat, args.quick)
            finally:
                floors.close()
        if "dask" in parts:
            part_dask(table, folder, repeat, args.quick)
        if "cold" in parts:
            part_cold(table, folder, 1 if args.quick else repeat)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
