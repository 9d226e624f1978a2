"""Pruning finished runs: every row of a pruned run goes, unfinished runs stay, space returns."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.compute import DEFAULT_ENDPOINT_ID

DAY = 86400.0
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
NAP = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 31_536_000, "End": True}}}
TABLES = ("runs", "events", "state_values", "compute_actions")


def add_one(x: int) -> int:
    return x + 1


def compute_flow(function_id: str) -> dict[str, Any]:
    task = {"endpoint": DEFAULT_ENDPOINT_ID, "function": function_id, "kwargs": {"x": 1}}
    return {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Action",
                "ActionUrl": "https://compute.actions.globus.org",
                "Parameters": {"tasks": [task]},
                "ResultPath": "$.r",
                "End": True,
            }
        },
    }


def rows_of(rt: Runtime, run_ids: list[str]) -> dict[str, int]:
    conn = rt.db.read()
    marks = ",".join("?" * len(run_ids))
    counts = {
        table: int(
            conn.execute(
                f"SELECT count(*) FROM {table} WHERE run_id IN ({marks})", run_ids
            ).fetchone()[0]
        )
        for table in TABLES
    }
    counts["compute_tasks"] = int(
        conn.execute(
            "SELECT count(*) FROM compute_tasks WHERE action_id IN (SELECT action_id FROM "
            f"compute_actions WHERE run_id IN ({marks}))",
            run_ids,
        ).fetchone()[0]
    )
    return counts


def test_prune_removes_every_row_of_old_finished_runs_and_nothing_else(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        big = {"blob": "y" * 5000}
        passed = rt.create_flow("p", PASS)["id"]
        failed = rt.create_flow("f", FAIL)["id"]
        napping = rt.create_flow("n", NAP)["id"]
        computed = rt.create_flow("c", compute_flow(rt.register_function(add_one)))["id"]
        old = [rt.run_flow(passed, big)["run_id"], rt.run_flow(failed, big)["run_id"]]
        old.append(rt.run_flow(computed, {})["run_id"])
        for run_id in old:
            rt.wait(run_id, timeout=60)
        asleep = rt.run_flow(napping, big)["run_id"]  # ACTIVE for a year
        clock.advance(40 * DAY)
        recent = rt.run_flow(passed, big)["run_id"]
        rt.wait(recent, timeout=60)
        before = rows_of(rt, old)
        assert before["compute_tasks"] == 1 and before["state_values"] >= 2

        assert rt.prune_runs(30, statuses=["FAILED"]) == 1
        assert rt.prune_runs(30) == 2

        assert rows_of(rt, old) == dict.fromkeys([*TABLES, "compute_tasks"], 0)
        assert rt.get_run(asleep)["status"] == "ACTIVE"
        assert rt.get_run(recent)["status"] == "SUCCEEDED"
        kept = rows_of(rt, [asleep, recent])
        assert kept["runs"] == 2 and kept["events"] > 0 and kept["state_values"] > 0
        clock.advance(1)
        assert rt.prune_runs(0, statuses=["SUCCEEDED"]) == 1  # recent, not the ACTIVE one
        assert rt.get_run(asleep)["status"] == "ACTIVE"


def test_prune_refuses_unfinished_statuses(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h") as rt, pytest.raises(ConfigException, match="ACTIVE"):
        rt.prune_runs(1, statuses=["ACTIVE"])


def test_prune_gives_the_space_back(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        flow = rt.create_flow("p", PASS)["id"]
        runs = [rt.run_flow(flow, {"blob": f"{i}" * 20_000})["run_id"] for i in range(60)]
        for run_id in runs:
            rt.wait(run_id, timeout=60)
        conn = rt.db.read()
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
        full = conn.execute("PRAGMA page_count").fetchone()[0]
        clock.advance(2 * DAY)
        assert rt.prune_runs(1) == 60
        after = conn.execute("PRAGMA page_count").fetchone()[0]
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert after < full / 4


def test_a_store_from_before_incremental_vacuum_is_converted_once(tmp_path: Path) -> None:
    import gzip

    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    data = Path(__file__).parent / "data" / "schema6_store.db.gz"
    (home / "runtime.db").write_bytes(gzip.decompress(data.read_bytes()))
    (home / "runtime.db").chmod(0o600)
    with sqlite3.connect(home / "runtime.db") as conn:
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    with Runtime(home=home, clock=ManualClock(start=1_900_000_000.0)) as rt:
        assert rt.prune_runs(1) == 7
        assert rt.list_runs()["runs"] == []
    with sqlite3.connect(home / "runtime.db") as conn:
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2


def test_the_retention_option_prunes_in_the_background(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    home = tmp_path / "h"
    with Runtime(home=home, clock=clock) as rt:
        flow = rt.create_flow("p", PASS)["id"]
        old = rt.run_flow(flow, {})["run_id"]
        rt.wait(old, timeout=30)
        waiting = rt.run_flow(rt.create_flow("n", NAP)["id"], {})["run_id"]
        rt.recover()  # its first steps are committed
    clock.advance(10 * DAY)
    with Runtime(home=home, clock=clock, options={"run_retention_days": 7}) as rt:
        gone = threading.Event()

        def pruned() -> bool:
            row = rt.db.read().execute("SELECT 1 FROM runs WHERE run_id = ?", (old,)).fetchone()
            return row is None

        for _ in range(200):  # the first scheduler turn prunes; wait for it without sleeping
            if pruned():
                gone.set()
                break
            rt.recover()  # one scheduler turn each
        assert gone.is_set()
        assert rt.get_run(waiting)["status"] == "ACTIVE"


def test_the_retention_option_is_checked() -> None:
    for bad in (0, -1, "30", True):
        with pytest.raises(ConfigException, match="run_retention_days"):
            Runtime(options={"run_retention_days": bad})


def test_a_pruned_store_still_passes_its_check(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        flow = rt.create_flow("p", PASS)["id"]
        rt.wait(rt.run_flow(flow, {"blob": "z" * 3000})["run_id"], timeout=30)
        clock.advance(DAY)
        rt.prune_runs(0.5)
    with sqlite3.connect(tmp_path / "h" / "runtime.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
