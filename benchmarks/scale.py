"""Costs that should stay flat as the store grows: lists, logs, takeover, close, starts, prune.

    python3 dev.py bench benchmarks/scale.py            # sizes 1k, 10k, 100k stored runs
    python3 benchmarks/scale.py --sizes 1000,5000       # a quicker look

One store is filled to each size in turn (half the runs wait for a year, so at 100k runs 50k
wait; the rest succeed or fail), and at each size the script measures: the first and later
pages of every documented run-list filter and order; the takeover scan and closing a
runtime; CPU of ``run_flow``; a batch start with ``start_runs``; CPU at rest. Then, once:
walking a long log page by page, the store growth of runs with a large state, and pruning.
Every figure is printed with its ratio to the smallest size and to a floor measured in the
same run (a bare SQLite primary-key read, or a bare durable commit, on this machine).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.leases import Owner, dead_owners, orphaned_runs

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
NAP = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 31_536_000, "End": True}}}
LABELS = [f"batch-{i}" for i in range(10)]
PER_PAGE = 20
LATER_PAGES = 10


# ----------------------------------------------------------------------------- floors
def floors(folder: Path, rows: int = 10_000) -> tuple[float, float]:
    """Bare SQLite on this machine: (primary-key read, durable one-row commit), in ms."""
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?, ?)", ((f"k{i}", "x" * 200) for i in range(rows)))
    conn.execute("COMMIT")
    start = time.perf_counter()
    for i in range(5000):
        conn.execute("SELECT body FROM t WHERE id = ?", (f"k{(i * 7919) % rows}",)).fetchone()
    read = (time.perf_counter() - start) / 5000 * 1e3
    start = time.perf_counter()
    for i in range(2000):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, 'y')", (f"c{i}",))
        conn.execute("COMMIT")
    commit = (time.perf_counter() - start) / 2000 * 1e3
    conn.close()
    return read, commit


# ----------------------------------------------------------------------------- filling
class Store:
    """A runtime home filled with runs of a mix of flows."""

    def __init__(self, home: Path) -> None:
        self.rt = Runtime(home=home)
        self.rt.open()
        self.flows = {
            name: self.rt.create_flow(name, definition)["id"]
            for name, definition in (("pass-a", PASS), ("pass-b", PASS), ("fail", FAIL))
        }
        self.flows["nap"] = self.rt.create_flow("nap", NAP)["id"]
        self.count = 0

    def fill(self, total: int) -> None:
        """Start runs until the store holds ``total``: half wait, 40% succeed, 10% fail."""
        rt = self.rt
        while self.count < total:
            batch = min(10_000, total - self.count)
            plan = {"nap": batch // 2, "pass-a": batch // 5, "pass-b": batch // 5}
            plan["fail"] = batch - sum(plan.values())
            last = []
            for name, n in plan.items():
                for chunk in range(0, n, 2000):
                    size = min(2000, n - chunk)
                    label = LABELS[(self.count // 1000 + chunk) % len(LABELS)]
                    bodies = [{"i": self.count + chunk + j} for j in range(size)]
                    runs = rt.start_runs(self.flows[name], bodies, label=label)
                    if name != "nap":
                        last.append(runs[-1]["run_id"])
            for run_id in last:  # runs advance in order: the last of each batch ends last
                rt.wait(run_id, timeout=600)
            self.count += batch
        self._settle()

    def _settle(self) -> None:
        """Wait until every run that is not waiting has finished."""
        conn = self.rt.db.read()
        for _ in range(6000):
            left = conn.execute(
                "SELECT count(*) FROM runs WHERE status = 'ACTIVE' AND phase != 'waiting'"
            ).fetchone()[0]
            if not left:
                return
            self.rt.recover()  # one scheduler turn
        raise RuntimeError("runs did not settle")


def timed(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Median wall time of ``fn`` in ms."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples)


# ----------------------------------------------------------------------------- per size
LIST_CASES: list[tuple[str, dict[str, Any]]] = [
    ("default (start_time DESC)", {}),
    ("status=SUCCEEDED", {"filter_status": "SUCCEEDED"}),
    ("status=ACTIVE,INACTIVE", {"filter_status": ["ACTIVE", "INACTIVE"]}),
    ("flow=pass-a", {"filter_flow_id": "pass-a"}),
    ("label=batch-0", {"filter_label": "batch-0"}),
    ("start_time ASC", {"orderby": "start_time ASC"}),
    ("completion_time DESC", {"orderby": "completion_time DESC"}),
    ("completion_time ASC", {"orderby": "completion_time ASC"}),
    ("status ASC", {"orderby": "status ASC"}),
    ("label DESC", {"orderby": "label DESC"}),
    ("id ASC", {"orderby": "id ASC"}),
    (
        "status=FAILED by completion_time DESC",
        {"filter_status": "FAILED", "orderby": "completion_time DESC"},
    ),
]


def list_costs(store: Store) -> dict[str, tuple[float, float]]:
    """(first page ms, median later page ms) of each list case."""
    rt = store.rt
    out = {}
    for name, query in LIST_CASES:
        q = dict(query)
        if q.get("filter_flow_id") == "pass-a":
            q["filter_flow_id"] = store.flows["pass-a"]
        first = timed(lambda q=q: rt.list_runs(per_page=PER_PAGE, **q))
        page = rt.list_runs(per_page=PER_PAGE, **q)
        later = []
        for _ in range(LATER_PAGES):
            if not page["marker"]:
                break
            marker = page["marker"]
            start = time.perf_counter()
            page = rt.list_runs(marker=marker)
            later.append((time.perf_counter() - start) * 1e3)
        out[name] = (first, statistics.median(later) if later else float("nan"))
    return out


def scan_cost(store: Store) -> float:
    """The takeover scan with every owner alive (what the scheduler does each second), ms."""
    conn = store.rt.db.read()
    engine = store.rt.context.scheduler()

    def scan() -> None:
        dead_owners(conn, engine.owner)
        orphaned_runs(conn, time.time())

    return timed(scan, repeat=20)


def close_cost(store: Store) -> float:
    """Releasing the runs of a runtime process that owns a few runs (closing it), ms."""
    owner = Owner.for_this_process()
    samples = []
    for _ in range(10):
        with store.rt.db.write() as conn:
            owner.register(conn, time.time() + 60)
        start = time.perf_counter()
        with store.rt.db.write() as conn:
            owner.retire(conn)
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples)


def run_flow_cpu(store: Store, runs: int = 300) -> tuple[float, float]:
    """CPU of one ``run_flow``, ms: the calling thread's, and the whole process's until the
    scheduler has taken the run to its first wait (its first state and commit included)."""
    rt = store.rt
    flow = store.flows["nap"]
    store._settle()
    start, start_all = time.thread_time(), time.process_time()
    for i in range(runs):
        rt.run_flow(flow, {"i": i})
    caller = (time.thread_time() - start) / runs * 1e3
    store._settle()
    whole = (time.process_time() - start_all) / runs * 1e3
    store.count += runs
    return caller, whole


def batch_rate(store: Store, runs: int = 2_000) -> float:
    """Runs started per second by one ``start_runs`` call (wall time), with the scheduler
    at rest (it shares the store's write lock and the interpreter with the caller)."""
    store._settle()
    store.rt.recover()
    start = time.perf_counter()
    store.rt.start_runs(store.flows["nap"], [{"i": i} for i in range(runs)])
    elapsed = time.perf_counter() - start
    store.count += runs
    return runs / elapsed


def idle_cpu(seconds: float = 5.0) -> float:
    """Share of one core this process uses at rest, in percent."""
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    return (time.process_time() - start_cpu) / (time.perf_counter() - start_wall) * 100


# ----------------------------------------------------------------------------- once
def log_walk(folder: Path) -> tuple[float, float, int]:
    """(first page ms, last page ms, pages) walking a 5,002-event log 100 entries a page."""
    length = 2500
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(length)}
    states[f"S{length - 1}"] = {"Type": "Pass", "End": True}
    with Runtime(home=folder / "log") as rt:
        run = rt.run_flow(rt.create_flow("chain", {"StartAt": "S0", "States": states})["id"], {})
        rt.wait(run["run_id"], timeout=600)
        times = []
        page = None
        while page is None or page["has_next_page"]:
            start = time.perf_counter()
            marker = None if page is None else page["marker"]
            page = rt.get_run_logs(run["run_id"], limit=100, marker=marker)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times[:5]), statistics.median(times[-5:]), len(times)


def store_bytes(rt: Runtime) -> int:
    conn = rt.db.writer
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return int((pages - free) * conn.execute("PRAGMA page_size").fetchone()[0])


def large_state(folder: Path) -> dict[str, float]:
    """Store growth and peak memory of a 5-state run whose 1 MB state passes through; and a
    3,000-state run whose state grows by one key per state."""
    five = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.blob", "IsPresent": True, "Next": "C"}],
                "Default": "E",
            },
            "C": {"Type": "Wait", "Seconds": 0, "Next": "D"},
            "D": {"Type": "Pass", "Next": "E"},
            "E": {"Type": "Pass", "End": True},
        },
    }
    body = {"blob": "x" * 1_000_000}
    out: dict[str, float] = {}
    options = {"max_run_state_bytes": 5_000_000}
    with Runtime(home=folder / "big", options=options) as rt:
        flow = rt.create_flow("five", five)["id"]
        rt.wait(rt.run_flow(flow, {"warm": 1})["run_id"], timeout=60)
        before = store_bytes(rt)
        tracemalloc.start()
        run = rt.run_flow(flow, body)
        rt.wait(run["run_id"], timeout=120)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["five_growth_mb"] = (store_bytes(rt) - before) / 1e6
        out["five_peak_x"] = peak / 1_000_000
        n = 3000
        states: dict[str, Any] = {
            f"S{i}": {"Type": "Pass", "Result": i, "ResultPath": f"$.k{i}", "Next": f"S{i + 1}"}
            for i in range(n)
        }
        states[f"S{n - 1}"] = {"Type": "Pass", "Result": 0, "ResultPath": "$.last", "End": True}
        grow = rt.create_flow("grow", {"StartAt": "S0", "States": states})["id"]
        before = store_bytes(rt)
        start = time.perf_counter()
        done = rt.wait(rt.run_flow(grow, {})["run_id"], timeout=600)
        out["grow_tps"] = n / (time.perf_counter() - start)
        out["grow_mb"] = (store_bytes(rt) - before) / 1e6
        out["grow_state_kb"] = len(str(done["details"]["output"])) / 1e3
    return out


def prune_cost(store: Store) -> tuple[float, int, float, float]:
    """(runs pruned per second, runs pruned, store MB before, after) pruning every finished
    run (waiting runs stay)."""
    rt = store.rt
    before = store_bytes(rt)
    start = time.perf_counter()
    removed = rt.prune_runs(0)
    elapsed = time.perf_counter() - start
    return removed / elapsed, removed, before / 1e6, store_bytes(rt) / 1e6


# ----------------------------------------------------------------------------- report
def ratio_line(name: str, values: list[float], floor: float, unit: str, target: str) -> None:
    cells = []
    for value in values:
        base = values[0] if values[0] else float("nan")
        cells.append(f"{value:8.3f} {unit} ({value / base:4.1f}x, {value / floor:6.1f}x floor)")
    print(f"  {name:<40} " + " | ".join(cells) + f"   target {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="gladier-scale-") as tmp:
        folder = Path(tmp)
        read_floor, commit_floor = floors(folder)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared)")
        print(f"floor: bare SQLite primary-key read {read_floor:.4f} ms, ", end="")
        print(f"durable commit {commit_floor:.4f} ms")
        store = Store(folder / "home")
        lists: list[dict[str, tuple[float, float]]] = []
        scans, closes, cpus, cpus_all, rates, idles = [], [], [], [], [], []
        for size in sizes:
            store.fill(size)  # the store now holds exactly `size` runs
            lists.append(list_costs(store))
            scans.append(scan_cost(store))
            closes.append(close_cost(store))
            idles.append(idle_cpu())
            # these two add runs (2,300), counted in the next size's fill
            caller, whole = run_flow_cpu(store)
            cpus.append(caller)
            cpus_all.append(whole)
            rates.append(batch_rate(store))
        labels = " | ".join(f"{s:>36,} runs" for s in sizes)
        print(f"\nper size ({labels.strip()}); (ratio to smallest size, ratio to floor)")
        for name, _ in LIST_CASES:
            ratio_line(
                f"list first page: {name}", [r[name][0] for r in lists], read_floor, "ms", "< 2 ms"
            )
            ratio_line(
                f"list later page: {name}", [r[name][1] for r in lists], read_floor, "ms", "< 2 ms"
            )
        ratio_line("takeover scan, all owners alive", scans, read_floor, "ms", "< 1 ms")
        ratio_line("close (release a process's runs)", closes, commit_floor, "ms", "< 2 ms")
        ratio_line("run_flow CPU (caller thread)", cpus, commit_floor, "ms", "<= 0.3 ms")
        ratio_line("run_flow CPU (process, to first wait)", cpus_all, commit_floor, "ms", "")
        rate_line = " | ".join(f"{r:10.0f} runs/s" for r in rates)
        print(f"  {'batch start (start_runs, 2,000 runs)':<40} {rate_line}   target >= 10000 /s")
        idle_line = " | ".join(f"{c:6.2f} %" for c in idles)
        print(f"  {'CPU at rest (target < 0.5 %)':<40} {idle_line}")
        waiting = (
            store.rt.db.read()
            .execute("SELECT count(*) FROM runs WHERE status = 'ACTIVE'")
            .fetchone()[0]
        )
        per_run = store_bytes(store.rt) / store.count / 1e3
        print(f"  store: {store.count:,} runs ({waiting:,} waiting), {per_run:.2f} KB a run")
        big_batch = batch_rate(store, 10_000)
        print(f"  batch start, one call of 10,000 runs at {store.count - 10_000:,} runs: ", end="")
        print(f"{big_batch:.0f} runs/s (target >= 10,000 /s)")
        first, last, pages = log_walk(folder)
        print(f"\nlog walk: {pages} pages of 100; first pages {first:.3f} ms, ", end="")
        print(f"last pages {last:.3f} ms ({last / first:.1f}x)")
        big = large_state(folder)
        print(
            "5-state run, 1 MB state passing through: store grew "
            f"{big['five_growth_mb']:.2f} MB (target <= 2.5 MB), peak traced memory "
            f"{big['five_peak_x']:.1f}x the state (target <= 10x)"
        )
        print(
            f"3,000-state run growing to {big['grow_state_kb']:.0f} KB: wrote "
            f"{big['grow_mb']:.1f} MB (target <= 10 MB), {big['grow_tps']:.0f} transitions/s "
            "(target >= 10,000)"
        )
        rate, removed, mb_before, mb_after = prune_cost(store)
        back = (mb_before - mb_after) * 1e3 / max(removed, 1)
        print(
            f"prune: {removed:,} finished runs at {rate:.0f} runs/s; store {mb_before:.1f} MB "
            f"-> {mb_after:.1f} MB ({back:.2f} KB a run given back)"
        )
        store.rt.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
