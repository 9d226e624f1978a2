"""Store failures become StoreError naming the file; errors of the statement itself do not."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gladier.exc import StoreDamaged, StoreError, StoreFull
from gladier.runtime.store.connection import connect, store_error


def error(code: int, text: str) -> sqlite3.Error:
    err = sqlite3.OperationalError(text)
    err.sqlite_errorcode = code  # type: ignore[attr-defined]
    return err


@pytest.mark.parametrize(
    ("code", "kind", "words"),
    [
        (13, StoreFull, "No space left on device writing"),
        (11, StoreDamaged, "is damaged"),
        (26, StoreDamaged, "is damaged"),
        (5, StoreError, "stayed locked"),
        (8, StoreError, "writable by you"),
        (10 | (4 << 8), StoreError, "I/O error"),  # an extended code: SQLITE_IOERR_READ
    ],
)
def test_store_failures_name_the_file_and_the_fix(code: int, kind: type, words: str) -> None:
    path = Path("/h/runtime.db")
    translated = store_error(error(code, "boom"), path)
    assert type(translated) is kind and translated is not None
    assert words in str(translated) and str(path) in str(translated)
    assert translated.path == path


def test_errors_of_the_statement_pass_through() -> None:
    assert store_error(error(1, "no such table: nope"), Path("x")) is None
    assert store_error(sqlite3.IntegrityError("UNIQUE constraint failed"), Path("x")) is None


def test_connections_translate_and_keep_the_row_factory(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    conn = connect(db, timeout=1)
    conn.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO t VALUES (1)")
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT x FROM t").fetchone()
    assert row["x"] == 1
    conn.close()
    db.write_bytes(b"not a database at all" * 100)
    conn = connect(db, timeout=1)
    with pytest.raises(StoreDamaged) as caught:
        conn.execute("SELECT * FROM t").fetchall()
    assert caught.value.path == db
    conn.close()
