"""SQLite connections of the store, whose failures become :class:`~gladier.exc.StoreError`.

SQLite reports a full disk, a damaged file or an I/O error as a bare ``sqlite3.Error`` that
names neither the file nor a way out. Every connection of the store is a
:class:`StoreConnection`, whose ``execute`` turns those errors into project errors that name
the file and say what to do. Errors about the statement itself (a constraint, a syntax error,
a missing table) pass through unchanged.

Example::

    >>> import sqlite3
    >>> from pathlib import Path
    >>> err = sqlite3.OperationalError("database or disk is full")
    >>> err.sqlite_errorcode = 13  # SQLITE_FULL
    >>> str(store_error(err, Path("/h/runtime.db")))[:51]
    'No space left on device writing /h/runtime.db; free'
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from gladier.exc import StoreDamaged, StoreError, StoreFull

# SQLite's primary result codes (https://www.sqlite.org/rescode.html) that say the store, not
# the statement, is at fault.
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
_DAMAGED = {SQLITE_CORRUPT, SQLITE_NOTADB}
_ENVIRONMENT = {
    SQLITE_FULL,
    SQLITE_IOERR,
    SQLITE_READONLY,
    SQLITE_CANTOPEN,
    SQLITE_PERM,
    SQLITE_BUSY,
    SQLITE_LOCKED,
    SQLITE_NOMEM,
    *_DAMAGED,
}


def check_command(path: Path, *options: str) -> str:
    """The command that checks the store at ``path`` (with ``options``)."""
    return "`" + " ".join(["gladier", "--home", str(path.parent), "store", "check", *options]) + "`"


#: Free bytes below which an I/O error is taken for a full disk (SQLite needs ~32 KiB for
#: its shared-memory index, more for the log).
LOW_SPACE_BYTES = 64 * 1024


def _no_space_left(path: Path) -> bool:
    """Whether the file system of ``path`` is (nearly) full, for this user."""
    statvfs = getattr(os, "statvfs", None)
    if statvfs is None:
        return False
    try:
        info = statvfs(path.parent)
    except OSError:
        return False
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    blocks = info.f_bfree if root else info.f_bavail
    return bool(blocks * info.f_frsize < LOW_SPACE_BYTES)


def store_error(err: sqlite3.Error, path: Path) -> StoreError | None:
    """The project error for SQLite's ``err`` on the store ``path``; ``None`` to keep ``err``."""
    if isinstance(err, StoreError):
        return None
    code = getattr(err, "sqlite_errorcode", None)
    if code is None:
        text = str(err)
        if "disk is full" in text:
            code = SQLITE_FULL
        elif "malformed" in text or "not a database" in text:
            code = SQLITE_CORRUPT
        else:
            return None
    primary = code & 0xFF
    if primary not in _ENVIRONMENT:
        return None
    detail = str(err)
    if primary == SQLITE_IOERR and _no_space_left(path):
        primary = SQLITE_FULL  # SQLite reports some out-of-space failures as I/O errors
    if primary == SQLITE_FULL:
        return StoreFull(
            f"No space left on device writing {path}; free space on that file system or "
            "use a home elsewhere (--home or GLADIER_HOME). Unfinished runs continue once "
            "there is room",
            path,
        )
    if primary in _DAMAGED:
        return StoreDamaged(
            f"The runtime store {path} is damaged ({detail}); check it with "
            f"{check_command(path)}, then restore a backup made with `gladier store backup`",
            path,
        )
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreError(
            f"The runtime store {path} stayed locked by another process ({detail}); try "
            "again, or stop the process that holds it",
            path,
        )
    if primary == SQLITE_READONLY:
        return StoreError(
            f"Cannot write the runtime store {path} ({detail}); make the file and its "
            "directory writable by you",
            path,
        )
    if primary in (SQLITE_CANTOPEN, SQLITE_PERM):
        return StoreError(
            f"Cannot open the runtime store {path} ({detail}); check that its directory "
            "exists and belongs to you",
            path,
        )
    if primary == SQLITE_NOMEM:
        return StoreError(f"Out of memory using the runtime store {path}", path)
    return StoreError(
        f"I/O error on the runtime store {path} ({detail}); check the disk, then run "
        f"{check_command(path)}",
        path,
    )


def _raise_for(err: sqlite3.Error, path: Path) -> NoReturn:
    """Raise ``err`` as the project's store error where it is one, else as it is."""
    translated = store_error(err, path)
    if translated is None:
        raise err
    raise translated from err


class StoreCursor(sqlite3.Cursor):
    """A cursor whose store failures (also while fetching rows) are :class:`StoreError`."""

    def _path(self) -> Path:
        conn = self.connection
        return conn.store_path if isinstance(conn, StoreConnection) else Path("runtime.db")

    def execute(self, sql: str, parameters: Any = (), /) -> StoreCursor:
        try:
            super().execute(sql, parameters)
        except sqlite3.Error as err:
            _raise_for(err, self._path())
        return self

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> StoreCursor:
        try:
            super().executemany(sql, parameters)
        except sqlite3.Error as err:
            _raise_for(err, self._path())
        return self

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as err:
            _raise_for(err, self._path())

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size if size is not None else self.arraysize)
        except sqlite3.Error as err:
            _raise_for(err, self._path())

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as err:
            _raise_for(err, self._path())

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as err:
            _raise_for(err, self._path())


class StoreConnection(sqlite3.Connection):
    """A connection whose store failures are raised as :class:`~gladier.exc.StoreError`.

    Its ``execute`` and ``executemany`` return :class:`StoreCursor` objects, so failures while
    fetching rows are translated too.

    Example::

        conn = sqlite3.connect("runtime.db", factory=StoreConnection)
        conn.store_path = Path("runtime.db")
    """

    store_path: Path = Path("runtime.db")

    def execute(self, sql: str, parameters: Any = (), /) -> StoreCursor:
        return self.cursor(StoreCursor).execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> StoreCursor:
        return self.cursor(StoreCursor).executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        try:
            return super().executescript(sql_script)
        except sqlite3.Error as err:
            _raise_for(err, self.store_path)


def connect(path: Path, *, timeout: float, uri: str | None = None) -> StoreConnection:
    """A :class:`StoreConnection` to ``path`` (or to the SQLite ``uri`` of it)."""
    try:
        conn = sqlite3.connect(
            uri or str(path),
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
            factory=StoreConnection,
            uri=uri is not None,
        )
    except sqlite3.Error as err:
        _raise_for(err, path)
    assert isinstance(conn, StoreConnection)
    conn.store_path = path
    return conn
