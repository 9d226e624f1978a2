"""The takeover scan reads only the runs of dead owners, and never locks while all live."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from gladier.runtime import Runtime
from gladier.runtime.leases import orphaned_runs, unfinished_owners

NAP = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def test_orphans_are_the_unfinished_runs_of_gone_or_expired_owners(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h") as rt:
        nap, done = rt.create_flow("nap", NAP)["id"], rt.create_flow("p", PASS)["id"]
        waiting = [rt.run_flow(nap, {"i": i})["run_id"] for i in range(6)]
        finished = rt.run_flow(done, {})["run_id"]
        rt.wait(finished, timeout=30)
        with rt.db.write() as conn:
            conn.execute(
                "INSERT INTO owners(owner, host, pid, pid_start, expires) "
                "VALUES ('old', 'elsewhere', 1, NULL, ?), ('live', 'elsewhere', 2, NULL, ?)",
                (time.time() - 60, time.time() + 600),
            )
            conn.execute("UPDATE runs SET owner = 'old' WHERE run_id IN (?, ?)", waiting[:2])
            conn.execute("UPDATE runs SET owner = 'live' WHERE run_id = ?", (waiting[2],))
            conn.execute("UPDATE runs SET owner = NULL WHERE run_id = ?", (waiting[3],))
            conn.execute("UPDATE runs SET owner = 'vanished' WHERE run_id = ?", (waiting[4],))
            conn.execute("UPDATE runs SET owner = 'old' WHERE run_id = ?", (finished,))
        reader = rt.db.read()
        me = rt.context.scheduler().owner.id
        assert set(unfinished_owners(reader)) == {None, "old", "live", "vanished", me}
        found = {run_id for run_id, _, _ in orphaned_runs(reader, time.time())}
        assert found == {waiting[0], waiting[1], waiting[3], waiting[4]}


def test_a_scan_with_every_owner_alive_does_not_wait_for_the_write_lock(tmp_path: Path) -> None:
    # A long lease: no heartbeat falls in the test (it would rightly wait for the lock).
    with Runtime(home=tmp_path / "h", options={"lease_seconds": 600}) as rt:
        nap = rt.create_flow("nap", NAP)["id"]
        for i in range(20):
            rt.run_flow(nap, {"i": i})
        assert rt.recover() == 0
        assert rt.recover() == 0  # by now the runs' first steps are committed
        blocker = sqlite3.connect(rt.db.path, isolation_level=None, timeout=30)
        blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            started = time.monotonic()
            assert rt.recover() == 0
            assert time.monotonic() - started < 5  # it never waited on the lock (30 s)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()


def test_closing_releases_only_unfinished_runs(tmp_path: Path) -> None:
    home = tmp_path / "h"
    with Runtime(home=home) as rt:
        nap, done = rt.create_flow("nap", NAP)["id"], rt.create_flow("p", PASS)["id"]
        waiting = rt.run_flow(nap, {})["run_id"]
        finished = rt.run_flow(done, {})["run_id"]
        rt.wait(finished, timeout=30)
        owner = rt.context.scheduler().owner.id
    with sqlite3.connect(home / "runtime.db") as conn:
        rows = dict(conn.execute("SELECT run_id, owner FROM runs").fetchall())
        assert rows[waiting] is None
        assert rows[finished] == owner
        assert conn.execute("SELECT count(*) FROM owners").fetchone()[0] == 0
