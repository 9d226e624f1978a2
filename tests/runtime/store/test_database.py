"""A damaged, foreign or future store is refused, naming the file; a sound one opens."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gladier.exc import StoreDamaged, StoreError, StoreFull, StoreTooNew
from gladier.runtime import Runtime
from gladier.runtime.store import Database
from gladier.runtime.store.migrations import MIGRATIONS
from tests.runtime.store.helpers import PASS_FLOW, crash_after_work, garble_middle_of_log


def store_records(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?immutable=1", uri=True)
    try:
        return dict(conn.execute("SELECT key, value FROM store").fetchall())
    finally:
        conn.close()


def test_a_new_store_is_made_whole_and_marked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home) as rt:
        rt.create_flow("t", PASS_FLOW)
    names = sorted(os.listdir(home))
    assert names == ["runtime.db", "runtime.db.gate", "runtime.db.lock"]  # no draft left
    assert store_records(home / "runtime.db") == {
        "marker": "gladier-runtime-store",
        "clean": "1",
    }


def test_a_new_store_takes_its_name_complete_in_wal_mode_and_marked_open(tmp_path: Path) -> None:
    # The draft is built without a journal or syncs; what takes the name must be the same
    # store that migrating step by step with a journal would give.
    db = Database(tmp_path / "home" / "runtime.db")
    db.open()
    try:
        header = db.path.read_bytes()[:100]
        assert header[18:20] == b"\x02\x02"  # WAL, without waiting for a connection to set it
        assert store_records(db.path) == {"marker": "gladier-runtime-store", "clean": "0"}
        conn = sqlite3.connect(f"{db.path.resolve().as_uri()}?immutable=1", uri=True)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
            assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    finally:
        db.close()
    assert store_records(db.path)["clean"] == "1"


def test_an_open_store_is_marked_not_clean_in_its_main_file(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        assert store_records(rt.db.path)["clean"] == "0"
    assert store_records(rt.db.path)["clean"] == "1"


def test_a_zero_byte_store_is_refused_and_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    db = home / "runtime.db"
    db.touch()
    with pytest.raises(StoreDamaged) as caught:
        Runtime(home=home).open()
    assert str(db) in str(caught.value) and "empty (0 bytes)" in str(caught.value)
    assert "store check" in str(caught.value) and caught.value.path == db
    assert db.stat().st_size == 0


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "runtime.db").write_bytes(b"this is a shopping list, not a database\n" * 200)
    with pytest.raises(StoreDamaged) as caught:
        Runtime(home=home).open()
    assert str(home / "runtime.db") in str(caught.value)


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    conn = sqlite3.connect(home / "runtime.db")
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreDamaged, match="not a Gladier runtime store"):
        Runtime(home=home).open()


def test_a_schema_from_the_future_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Runtime(home=home).open().close()
    conn = sqlite3.connect(home / "runtime.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreTooNew) as caught:
        Runtime(home=home).open()
    message = str(caught.value)
    assert "schema version 99" in message and str(home / "runtime.db") in message
    assert "upgrade Gladier" in message


def test_a_store_of_schema_4_is_upgraded_and_marked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    conn = sqlite3.connect(home / "runtime.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for number, script in enumerate(MIGRATIONS[:4], start=1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.close()
    with Runtime(home=home) as rt:
        assert rt.list_flows()["flows"] == []
    assert store_records(home / "runtime.db")["marker"] == "gladier-runtime-store"


def test_a_crash_with_its_log_in_place_loses_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    crash_after_work(home, runs=3)
    with Runtime(home=home) as rt:
        assert [r["status"] for r in rt.list_runs()["runs"]] == ["SUCCEEDED"] * 3


def test_a_log_lost_after_a_crash_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = crash_after_work(home)
    os.unlink(f"{db}-wal")
    for _ in range(2):  # refusing changes nothing: it is refused again
        with pytest.raises(StoreDamaged) as caught:
            Runtime(home=home).open()
        message = str(caught.value)
        assert f"{db}-wal" in message and "missing" in message and "store check" in message
    assert not Path(f"{db}-wal").exists()


def test_a_garbled_log_is_refused_and_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = crash_after_work(home)
    garble_middle_of_log(db)
    before = Path(f"{db}-wal").read_bytes()
    with pytest.raises(StoreDamaged, match=r"write-ahead log .* is damaged"):
        Runtime(home=home).open()
    assert Path(f"{db}-wal").read_bytes() == before  # the evidence is not thrown away


def test_a_log_replaced_by_noise_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = crash_after_work(home, runs=2)
    Path(f"{db}-wal").write_bytes(os.urandom(50_000))
    with pytest.raises(StoreDamaged, match="header"):
        Runtime(home=home).open()


def test_a_second_process_on_an_open_store_is_not_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home) as first:
        flow = first.create_flow("t", PASS_FLOW)
        with Runtime(home=home, scheduler=False) as second:
            assert second.get_flow(flow["id"])["title"] == "t"
    assert store_records(home / "runtime.db")["clean"] == "1"


def grow_limit(db: Database, pages: int | None) -> None:
    """Simulate a full disk: the store may not grow beyond its current size (+ ``pages``)."""
    with db.write() as conn:
        count = conn.execute("PRAGMA page_count").fetchone()[0]
        limit = count if pages is None else count + pages
        conn.execute(f"PRAGMA max_page_count = {limit}")


def test_a_full_store_raises_store_full_and_reads_keep_working(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        flow = rt.create_flow("t", PASS_FLOW)
        done = rt.wait(rt.run_flow(flow["id"], {})["run_id"])
        grow_limit(rt.db, None)
        with pytest.raises(StoreFull) as caught:
            rt.run_flow(flow["id"], {"big": "x" * 50_000})
        assert isinstance(caught.value, StoreError) and isinstance(caught.value, sqlite3.Error)
        assert f"No space left on device writing {rt.db.path}" in str(caught.value)
        assert [r["run_id"] for r in rt.list_runs()["runs"]] == [done["run_id"]]
        assert rt.get_run(done["run_id"])["status"] == "SUCCEEDED"
        grow_limit(rt.db, 10_000)  # space is back: writes work again on the same connection
        again = rt.wait(rt.run_flow(flow["id"], {"big": "x" * 50_000})["run_id"])
        assert again["status"] == "SUCCEEDED"


OPEN_AT_ONCE = """
import sys
from gladier.runtime import Runtime
with Runtime(home=sys.argv[1]) as rt:
    rt.create_flow(sys.argv[2], {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
"""


def test_processes_creating_one_store_at_once_share_it(tmp_path: Path) -> None:
    home = tmp_path / "a" / "home"
    procs = [
        subprocess.Popen([sys.executable, "-c", OPEN_AT_ONCE, str(home), f"flow {i}"])
        for i in range(4)
    ]
    assert [proc.wait(timeout=60) for proc in procs] == [0, 0, 0, 0]
    with Runtime(home=home) as rt:
        titles = sorted(f["title"] for f in rt.list_flows()["flows"])
    assert titles == [f"flow {i}" for i in range(4)]
    assert not list(home.glob(".runtime.db.*"))  # no draft left behind
    assert store_records(home / "runtime.db")["clean"] == "1"


def test_a_truncated_store_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home) as rt:
        flow = rt.create_flow("t", PASS_FLOW)
        for _ in range(20):
            rt.wait(rt.run_flow(flow["id"], {"x": "y" * 3000})["run_id"])
    db = home / "runtime.db"
    size = db.stat().st_size
    with open(db, "r+b") as handle:
        handle.truncate(size // 2)
    with pytest.raises(StoreDamaged) as caught:
        Runtime(home=home).open()
    assert "is truncated" in str(caught.value) and str(db) in str(caught.value)
    report = Runtime(home=home).check_store()
    assert not report.ok and "truncated" in report.verdict()
