"""A store made by an older schema migrates in place and reads back exactly as before."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.run_failures import failed_action_counts
from gladier.runtime.run_log import ENTRY_SELECT, event_tuple
from gladier.runtime.store import database
from gladier.runtime.store.check import check_store
from gladier.runtime.store.migrations import MIGRATIONS
from tests.runtime.log_cases import documents, run_cases

#: The schema version whose events table is keyed by (run_id, seq), without a rowid.
KEYED_EVENTS = 7


def stored_logs(rt: Runtime, made: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Each run's log rows as the store gives them (details text exactly as served)."""
    conn = rt.db.read()
    return {
        run_id: [
            event_tuple(row)
            for row in conn.execute(f"{ENTRY_SELECT} WHERE e.run_id = ? ORDER BY e.seq", (run_id,))
        ]
        for _, _, run_id in made
    }


def events_schema(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?immutable=1", uri=True)
    try:
        return [
            (str(kind), str(sql))
            for kind, sql in conn.execute(
                "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL "
                "ORDER BY type DESC"
            )
        ]
    finally:
        conn.close()


def test_a_schema_7_store_appends_its_events_after_migrating_and_reads_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    db = home / "runtime.db"
    clock = ManualClock(start=1_800_000_000.0)
    monkeypatch.setattr(database, "MIGRATIONS", MIGRATIONS[:KEYED_EVENTS])
    with Runtime(home=home, clock=clock) as rt:
        made = run_cases(rt, clock)
        docs = documents(rt, made)
        logs = stored_logs(rt, made)
        failed = failed_action_counts(rt.db.read(), [run_id for _, _, run_id in made])
        count = rt.db.read().execute("SELECT count(*) FROM events").fetchone()[0]
    (table,) = events_schema(db)
    assert "WITHOUT ROWID" in table[1]
    monkeypatch.undo()

    with Runtime(home=home, clock=clock) as rt:
        conn = rt.db.read()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == count
        assert json.dumps(documents(rt, made)) == json.dumps(docs)
        assert stored_logs(rt, made) == logs
        assert failed_action_counts(conn, [run_id for _, _, run_id in made]) == failed
        # a run started after the migration logs as before
        flow_id = made[0][1]
        done = rt.wait(rt.run_flow(flow_id, {"a": 1})["run_id"], timeout=30)
        assert done["status"] == "SUCCEEDED"
        codes = [e["code"] for e in rt.get_run_logs(done["run_id"], limit=100)["entries"]]
        assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
    schema = events_schema(db)
    assert [kind for kind, _ in schema] == ["table", "index"]
    assert "WITHOUT ROWID" not in schema[0][1]
    assert schema[1][1].startswith("CREATE UNIQUE INDEX") and "(run_id, seq)" in schema[1][1]
    assert check_store(db).ok


def test_an_event_already_logged_for_a_run_is_refused(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=tmp_path / "home", clock=clock) as rt:
        flow = rt.create_flow("p", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        run_id = rt.wait(rt.run_flow(flow["id"], {})["run_id"], timeout=30)["run_id"]
        with pytest.raises(sqlite3.IntegrityError), rt.db.write() as conn:
            conn.execute(
                "INSERT INTO events(run_id, seq, time, code, description, details) "
                "SELECT run_id, seq, time, code, description, details FROM events "
                "WHERE run_id = ? ORDER BY seq LIMIT 1",
                (run_id,),
            )
