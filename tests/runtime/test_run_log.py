"""The log and run documents read back byte-identical whatever the store layout."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.run_log import SHARED_VALUE_BYTES
from gladier.runtime.store.migrations import MIGRATIONS
from tests.runtime.log_cases import BIG, documents, run_cases

DATA = Path(__file__).parent / "data"


def expected() -> dict[str, Any]:
    """The documents the schema-6 layout (every state copy inline) served for the cases."""
    return dict(json.loads(gzip.decompress((DATA / "log_documents.json.gz").read_bytes())))


def test_documents_of_new_runs_match_the_inline_layout_byte_for_byte(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=tmp_path / "home", clock=clock) as rt:
        docs = documents(rt, run_cases(rt, clock))
    want = expected()
    assert sorted(docs) == sorted(want)
    for name in want:
        assert json.dumps(docs[name], sort_keys=True) == json.dumps(want[name], sort_keys=True)


def test_large_state_copies_are_stored_once_not_per_event(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=tmp_path / "home", clock=clock) as rt:
        run_cases(rt, clock)
        conn = rt.db.read()
        inline = conn.execute(
            "SELECT count(*) FROM events WHERE length(details) >= ?", (SHARED_VALUE_BYTES,)
        ).fetchone()[0]
        # "big state kept": the state never changes, so it is stored exactly once
        values = conn.execute(
            "SELECT count(*) FROM state_values v JOIN runs r ON r.run_id = v.run_id "
            "WHERE r.label = 'big state kept'"
        ).fetchone()[0]
        row = conn.execute("SELECT state, meta FROM runs WHERE label = 'big state kept'").fetchone()
    assert inline == 0
    assert values == 1
    assert row[0] == "" and "input" not in json.loads(row[1])
    assert len(json.dumps(BIG)) > SHARED_VALUE_BYTES


def test_a_schema_6_store_upgrades_in_place_and_reads_back_the_same(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    db = home / "runtime.db"
    db.write_bytes(gzip.decompress((DATA / "schema6_store.db.gz").read_bytes()))
    db.chmod(0o600)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
    made = [tuple(m) for m in json.loads((DATA / "schema6_store_ids.json").read_text())]
    with Runtime(home=home, clock=ManualClock(start=1_900_000_000.0)) as rt:
        docs = documents(rt, made)  # type: ignore[arg-type]
        version = rt.db.read().execute("PRAGMA user_version").fetchone()[0]
        # an old run's rerun still finds its input in the old meta
        again = rt.rerun_run(made[1][2])
        done = rt.wait(again["run_id"], timeout=30)
    assert version == len(MIGRATIONS)
    assert done["status"] == "SUCCEEDED"
    want = expected()
    for name in want:
        assert json.dumps(docs[name], sort_keys=True) == json.dumps(want[name], sort_keys=True)
