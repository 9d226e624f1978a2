"""Telling a garbled write-ahead log from a sound one, a torn tail or an older generation."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gladier.runtime.store.wal import FRAME_HEADER_BYTES, HEADER_BYTES, frames_to_copy, wal_problem


@pytest.fixture
def live_log(tmp_path: Path) -> Iterator[Path]:
    """A copy of the log of an open database with ten committed transactions."""
    db = tmp_path / "t.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE t (x TEXT)")
    for i in range(10):
        conn.execute("INSERT INTO t VALUES (?)", (str(i) * 5000,))
    copy = tmp_path / "copy-wal"
    shutil.copyfile(f"{db}-wal", copy)
    yield copy
    conn.close()


def frame_bytes(log: Path) -> int:
    return FRAME_HEADER_BYTES + int.from_bytes(log.read_bytes()[8:12], "big")


def test_a_sound_log_has_no_problem(live_log: Path) -> None:
    assert wal_problem(live_log) is None
    assert wal_problem(live_log.with_name("absent")) is None


def test_a_torn_last_frame_is_normal(live_log: Path) -> None:
    with open(live_log, "r+b") as handle:
        handle.truncate(live_log.stat().st_size - 100)
    assert wal_problem(live_log) is None


def test_damage_in_a_frame_followed_by_others_is_found(live_log: Path) -> None:
    size = frame_bytes(live_log)
    with open(live_log, "r+b") as handle:
        handle.seek(HEADER_BYTES + 2 * size + FRAME_HEADER_BYTES + 100)
        handle.write(os.urandom(32))
    problem = wal_problem(live_log)
    assert problem is not None and "frame 3 of" in problem


def test_a_garbled_header_is_found(live_log: Path) -> None:
    data = bytearray(live_log.read_bytes())
    data[16] ^= 0xFF  # a salt: the header checksum no longer matches
    live_log.write_bytes(bytes(data))
    assert wal_problem(live_log) == "its header checksum does not match"
    live_log.write_bytes(os.urandom(40_000))
    assert wal_problem(live_log) == "its header is not a SQLite write-ahead log header"


def test_frames_of_an_earlier_generation_after_the_valid_ones_are_normal(live_log: Path) -> None:
    size = frame_bytes(live_log)
    data = bytearray(live_log.read_bytes())
    last = HEADER_BYTES + ((len(data) - HEADER_BYTES) // size - 1) * size
    data[last + 8 : last + 16] = b"\x00" * 8  # other salts: left from before a log restart
    live_log.write_bytes(bytes(data))
    assert wal_problem(live_log) is None


def test_frames_to_copy_reads_the_log_index_of_an_open_database(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE t (x TEXT)")
    for i in range(10):
        conn.execute("INSERT INTO t VALUES (?)", (str(i) * 5000,))
    fd = os.open(f"{db}-shm", os.O_RDONLY)
    try:
        pending = frames_to_copy(fd)
        _, in_log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert pending == in_log > 10 and copied == in_log
        assert frames_to_copy(fd) == 0
    finally:
        os.close(fd)
        conn.close()


def test_frames_to_copy_of_an_index_it_does_not_know_is_none(tmp_path: Path) -> None:
    for content in (b"", b"\0" * 200, b"\xff" * 200):
        shm = tmp_path / "x-shm"
        shm.write_bytes(content)
        fd = os.open(shm, os.O_RDONLY)
        try:
            assert frames_to_copy(fd) is None
        finally:
            os.close(fd)
