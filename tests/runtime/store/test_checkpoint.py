"""The log is copied into the database by the store's own thread, not by the committing caller."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from gladier.runtime import Runtime
from gladier.runtime.store import Database
from gladier.runtime.store.checkpoint import CHECKPOINT_PAGES, Checkpointer
from gladier.runtime.store.database import WAL_SIZE_LIMIT, side_file
from gladier.runtime.store.wal import frames_to_copy


def pending(db: Database) -> int:
    fd = os.open(side_file(db.path, "-shm"), os.O_RDONLY)
    try:
        count = frames_to_copy(fd)
    finally:
        os.close(fd)
    assert count is not None
    return count


def write_pages(db: Database, pages: int) -> None:
    """One transaction that adds about ``pages`` pages of 4 KiB."""
    with db.write() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS filler (body TEXT)")
        conn.executemany("INSERT INTO filler VALUES (?)", (("x" * 4000,) for _ in range(pages)))


def until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_large_commit_returns_before_its_log_is_copied(tmp_path: Path) -> None:
    db = Database(tmp_path / "home" / "runtime.db")
    db.open()
    try:
        with db.lock():  # the store's thread cannot checkpoint until this is released
            write_pages(db, CHECKPOINT_PAGES + 200)
            assert pending(db) > CHECKPOINT_PAGES  # the commit did not copy its pages
        until(lambda: pending(db) == 0)  # the thread did, once the lock was free
        write_pages(db, 10)
        assert 0 < pending(db) < CHECKPOINT_PAGES  # small commits wait for more
    finally:
        db.close()


def test_the_store_keeps_at_most_its_log_size_limit(tmp_path: Path) -> None:
    db = Database(tmp_path / "home" / "runtime.db")
    db.open()
    try:
        limit = db.writer.execute("PRAGMA journal_size_limit").fetchone()[0]
        assert limit == WAL_SIZE_LIMIT
        automatic = db.writer.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        assert automatic > CHECKPOINT_PAGES  # only a backstop: the thread checkpoints first
    finally:
        db.close()


def test_closing_makes_a_checkpoint_that_is_due_then_stops(tmp_path: Path) -> None:
    db = Database(tmp_path / "home" / "runtime.db")
    db.open()
    lock = threading.RLock()
    checkpoints = Checkpointer(lock, db.writer, side_file(db.path, "-shm"), pages=1)
    assert checkpoints.open() and checkpoints.active
    try:
        with lock:
            write_pages(db, 5)
            assert pending(db) > 0
            checkpoints.committed()
        checkpoints.close()
        assert pending(db) == 0 and not checkpoints.active
        checkpoints.committed()  # after closing: nothing happens
    finally:
        db.close()


def test_without_a_readable_log_index_sqlite_checkpoints_itself(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        checkpoints = Checkpointer(threading.RLock(), conn, tmp_path / "missing-shm")
        assert not checkpoints.open() and not checkpoints.active
        checkpoints.committed()
        checkpoints.close()
    finally:
        conn.close()


BATCH_THEN_KILL = """
import os, signal, sys
from gladier.runtime import Runtime
rt = Runtime(home=sys.argv[1])
flow = rt.create_flow("nap", {"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
runs = rt.start_runs(flow["id"], [{"i": i, "pad": "p" * 400} for i in range(3000)])
print(" ".join(r["run_id"] for r in runs), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # while the log is being copied, or before
"""


def test_kill_9_after_a_large_batch_loses_no_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-c", BATCH_THEN_KILL, str(home)], capture_output=True, text=True
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    started = done.stdout.split()
    assert len(started) == 3000
    with Runtime(home=home) as rt:
        stored = {row[0] for row in rt.db.read().execute("SELECT run_id FROM runs").fetchall()}
        assert stored == set(started)
        assert rt.get_run(started[-1])["status"] == "ACTIVE"
