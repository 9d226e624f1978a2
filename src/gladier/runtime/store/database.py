"""One SQLite database file shared by every runtime process of a home.

Writes go through :meth:`Database.write`, which serialises writers of this process with a lock
(so threads of one process never spin on SQLite's busy handler) and uses ``BEGIN IMMEDIATE``
transactions. Other processes are kept in order by SQLite itself (WAL and ``busy_timeout``).
Reads use one connection per thread and never block writers.

A store that is not sound is refused instead of being opened as an empty one: a 0-byte or
foreign file, a schema from a newer Gladier, a garbled write-ahead log, or a log that went
missing although the store was not closed cleanly. New stores are built aside and moved into
place whole, so a ``runtime.db`` is never half made: nobody sees the draft, so it is built
without a journal and without syncing each step, and synced once before it is moved into place
(already marked open when this process is the first to open it, as :meth:`Database.open` would
mark it). Failures of SQLite itself (disk full,
I/O errors, damage) are raised as :class:`~gladier.exc.StoreError`, naming the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from gladier.exc import StoreDamaged, StoreError, StoreTooNew
from gladier.runtime.store.checkpoint import BACKSTOP_PAGES, Checkpointer
from gladier.runtime.store.connection import StoreConnection, check_command, connect
from gladier.runtime.store.home import check_owned, prepare_home
from gladier.runtime.store.migrations import MIGRATIONS
from gladier.runtime.store.session import Session
from gladier.runtime.store.wal import wal_problem

log = logging.getLogger("gladier.runtime.store")

BUSY_TIMEOUT_MS = 30_000
#: Bytes of the write-ahead log file kept once it has been copied into the database: a log that
#: grew past it (a large batch, a prune) gives the rest back to the file system.
WAL_SIZE_LIMIT = 32 * 1024 * 1024
#: The value of the ``marker`` row of the ``store`` table: this file is a Gladier store.
MARKER = "gladier-runtime-store"
#: Suffixes of the files SQLite and the store keep next to ``runtime.db``.
SIDE_FILES = ("-wal", "-shm", ".lock", ".gate")


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _connect(path: Path) -> StoreConnection:
    conn = connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        _configure(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def truncated_by(path: Path) -> str | None:
    """How a SQLite file is shorter than its header says (checked without its log), or None.

    The header's page count is only trusted when SQLite marked it valid (bytes 92-95 equal
    the change counter at 24-27), as the file format documents.
    """
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return None  # not SQLite at all: SQLite itself says so
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[92:96] != header[24:28] or pages == 0:
        return None
    expected, actual = pages * page_size, path.stat().st_size
    if actual < expected:
        return f"its header says {expected} bytes ({pages} pages), the file has {actual}"
    return None


def side_file(path: Path, suffix: str) -> Path:
    """``runtime.db-wal`` and friends of the store ``path``."""
    return Path(str(path) + suffix)


def remedy(path: Path) -> str:
    """What to do about a damaged store at ``path`` (part of error messages)."""
    return (
        f"See what is wrong with {check_command(path)}; then restore a backup made with "
        "`gladier store backup` (copy it over the file), or move the file away to start an "
        "empty store"
    )


class Database:
    """The runtime store at ``path``; nothing is opened until :meth:`open`.

    Example::

        db = Database(Path("/tmp/home/runtime.db"))
        db.open()
        with db.write() as conn:
            conn.execute("INSERT INTO flows ...")
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._writer: sqlite3.Connection | None = None
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._session = Session(self.path)
        self._unmarked = False
        self._checkpoints: Checkpointer | None = None

    # ------------------------------------------------------------------ opening
    def open(self) -> None:
        """Create the home (and missing parents, 0700) and the store (0600) if needed, check
        that both are ours and sound, and migrate.

        Raises :class:`~gladier.exc.HomeNotOwned`, :class:`~gladier.exc.StoreDamaged` or
        :class:`~gladier.exc.StoreTooNew` instead of opening a store that is not fit to use.
        """
        prepare_home(self.path.parent)
        for candidate in (self.path, *(side_file(self.path, s) for s in SIDE_FILES)):
            check_owned(candidate, "runtime store file")
        first = self._session.begin()
        try:
            wal = self._check_files(first)
            created = not self.path.exists() and self._create(marked_open=first)
            self._writer = _connect(self.path)
            self._prepare(self._writer, first, wal, created=created)
            self._start_checkpoints(self._writer)
            if first:
                self._session.share()
        except BaseException:
            if self._checkpoints is not None:
                self._checkpoints.close()
                self._checkpoints = None
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            self._session.end()
            raise
        finally:
            self._session.leave_gate()
        for candidate in (self.path, side_file(self.path, "-wal"), side_file(self.path, "-shm")):
            with contextlib.suppress(FileNotFoundError, PermissionError):
                os.chmod(candidate, 0o600)

    def _start_checkpoints(self, conn: sqlite3.Connection) -> None:
        """Checkpoint the log after commits in a thread of this store (see
        :mod:`~gladier.runtime.store.checkpoint`), not inside the commits of its callers."""
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        checkpoints = Checkpointer(self._lock, conn, side_file(self.path, "-shm"))
        if checkpoints.open():
            conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
            self._checkpoints = checkpoints

    def _check_files(self, first: bool) -> str:
        """Refuse damage visible before SQLite opens the files; return the log's state.

        ``present``: there is a ``-wal`` file. ``lost``: there is none, but its ``-shm`` index
        is there (SQLite removes both together, so the log went missing). ``absent``: neither.
        """
        wal = side_file(self.path, "-wal")
        wal_present = wal.exists()
        state = (
            "present"
            if wal_present
            else "lost"
            if side_file(self.path, "-shm").exists()
            else "absent"
        )
        if not self.path.exists():
            if wal_present:
                raise StoreDamaged(
                    f"The runtime store {self.path} is missing but its write-ahead log {wal} "
                    f"is there. Put the database file back, or move {wal} away to start an "
                    "empty store",
                    self.path,
                )
            return state
        info = self.path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise StoreDamaged(
                f"The runtime store {self.path} is not a regular file; move it away", self.path
            )
        if info.st_size == 0 and not (wal_present and wal.stat().st_size > 0):
            raise StoreDamaged(
                f"The runtime store {self.path} is empty (0 bytes): what it held is lost. "
                f"{remedy(self.path)}",
                self.path,
            )
        if not first:
            return state  # other processes have it open: SQLite already uses the log
        if not wal_present or wal.stat().st_size == 0:
            short = truncated_by(self.path)
            if short is not None:
                raise StoreDamaged(
                    f"The runtime store {self.path} is truncated ({short}). {remedy(self.path)}",
                    self.path,
                )
        if state == "lost":
            self._refuse_lost_log()
        problem = wal_problem(wal) if wal_present else None
        if problem is not None:
            raise StoreDamaged(
                f"The write-ahead log {wal} of the runtime store {self.path} is damaged "
                f"({problem}); the changes it holds would be lost. {remedy(self.path)}, or "
                f"accept the store without them with {check_command(self.path, '--accept-loss')}",
                self.path,
            )
        return state

    def _create(self, *, marked_open: bool) -> bool:
        """Build a new store beside ``path`` and move it into place whole; ``True`` when it is
        this draft that took the place (``False``: another process made one meanwhile).

        Until it is in place nobody sees the draft, so it is built with its journal in memory
        and without syncs (a failure discards it), switched to WAL, and synced once. With
        ``marked_open`` it records itself as open, as the first process to open a store marks
        it (:meth:`_prepare`).
        """
        draft = self.path.with_name(f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex}.new")
        fd = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        os.close(fd)
        try:
            conn = connect(draft, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                # First, or the file's first page is written with a journal and synced.
                conn.execute("PRAGMA journal_mode = MEMORY")
                conn.execute("PRAGMA synchronous = OFF")
                # Before the first table (and before WAL): space freed by pruning can then be
                # given back to the file system a few pages at a time (incremental vacuum).
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
                conn.execute("PRAGMA foreign_keys = ON")
                self._migrate(conn, 0)
                if marked_open:
                    conn.execute("UPDATE store SET value = '0' WHERE key = 'clean'")
                conn.execute("PRAGMA journal_mode = WAL")
            finally:
                conn.close()
            fd = os.open(draft, os.O_RDONLY)
            try:
                os.fsync(fd)  # whole on disk before it appears under its name
            finally:
                os.close(fd)
            try:
                os.link(draft, self.path)
            except FileExistsError:
                return False  # another process made it meanwhile: use theirs
            except OSError:  # no hard links on this file system
                if self.path.exists():
                    return False
                os.replace(draft, self.path)
            return True
        finally:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(side_file(draft, suffix))

    def _prepare(
        self, conn: sqlite3.Connection, first: bool, wal: str, *, created: bool = False
    ) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        latest = len(MIGRATIONS)
        if version > latest:
            raise StoreTooNew(
                f"The runtime store {self.path} has schema version {version}, made by a newer "
                f"Gladier (this one knows versions up to {latest}); upgrade Gladier, or use "
                "another home (--home or GLADIER_HOME)",
                self.path,
            )
        if version == 0:
            raise StoreDamaged(
                f"{self.path} is not a Gladier runtime store (it has no Gladier schema); use "
                "another home (--home or GLADIER_HOME), or move the file away",
                self.path,
            )
        if version < latest:
            self._migrate(conn, version)
        rows = dict(conn.execute("SELECT key, value FROM store").fetchall())
        if rows.get("marker") != MARKER:
            raise StoreDamaged(
                f"{self.path} is not a Gladier runtime store (its store marker is missing). "
                f"{remedy(self.path)}",
                self.path,
            )
        if not first or created:
            return  # a store this process just made is marked open already (see _create)
        if rows.get("clean") == "0" and wal == "absent":
            self._after_unclean_close(conn)
        if rows.get("clean") != "0":
            try:
                self._mark(conn, clean=False)
            except StoreError:
                self._unmarked = True  # a full disk: reads work; marked before the next write

    def _after_unclean_close(self, conn: sqlite3.Connection) -> None:
        """The store was not closed cleanly and has neither a log nor its ``-shm`` index.

        SQLite removes both after a complete checkpoint when another SQLite program opened
        the store after a crash, so a store that passes ``quick_check`` is used, with a
        warning; one that fails it is refused.
        """
        verdict = str(conn.execute("PRAGMA quick_check").fetchone()[0])
        if verdict != "ok":
            raise StoreDamaged(
                f"The runtime store {self.path} was not closed cleanly, its write-ahead log is "
                f"gone and it fails SQLite's quick check ({verdict}). {remedy(self.path)}",
                self.path,
            )
        log.warning(
            "the runtime store %s was not closed cleanly and its write-ahead log is gone; it "
            "passes SQLite's quick check, so it is used (if the log was lost rather than "
            "checkpointed, the changes it held are missing)",
            self.path,
        )

    def _refuse_lost_log(self) -> None:
        """The ``-wal`` is gone but its ``-shm`` index is there: refuse if it was needed.

        Read through an immutable connection, so that nothing is changed: a normal one would
        make a new empty log and, on closing, remove the index, hiding the loss.
        """
        conn = connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            uri=f"{self.path.resolve().as_uri()}?immutable=1",
        )
        try:
            try:
                clean = conn.execute("SELECT value FROM store WHERE key = 'clean'").fetchone()
            except sqlite3.OperationalError:
                return  # a store from before these records; its checks follow
            if clean is None or clean[0] != "0":
                return
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
        raise StoreDamaged(
            f"The write-ahead log {side_file(self.path, '-wal')} of the runtime store "
            f"{self.path} is missing although the store was not closed cleanly: changes since "
            f"its last checkpoint are lost (quick check of the rest: {verdict}). Put the -wal "
            "file back if you still have it. Otherwise see what is left with "
            f"{check_command(self.path)}, restore a backup made with `gladier store backup`, "
            f"or accept the store as it is with {check_command(self.path, '--accept-loss')}",
            self.path,
        )

    @staticmethod
    def _mark(conn: sqlite3.Connection, *, clean: bool) -> None:
        """Record in the main file whether the store is closed cleanly (``clean``)."""
        conn.execute("UPDATE store SET value = ? WHERE key = 'clean'", ("1" if clean else "0",))
        if not clean:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @staticmethod
    def _migrate(conn: sqlite3.Connection, version: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for number, script in enumerate(MIGRATIONS, start=1):
                if number <= version:
                    continue
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ use
    @property
    def writer(self) -> sqlite3.Connection:
        if self._writer is None:
            raise RuntimeError("the runtime store is not open")
        return self._writer

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any exception.

        A failure of the store itself (a full disk, an I/O error) is raised as a
        :class:`~gladier.exc.StoreError`; nothing of the transaction is kept.
        """
        with self._lock:
            conn = self.writer
            if self._unmarked:
                self._mark(conn, clean=False)
                self._unmarked = False
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (a full disk at COMMIT, for example).
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        if self._checkpoints is not None:
            self._checkpoints.committed()

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file now (after writes made with
        :attr:`writer` outside :meth:`write`, so that the space they freed is given back)."""
        if self._checkpoints is not None:
            self._checkpoints.checkpoint()
        else:
            with self._lock, contextlib.suppress(sqlite3.Error):
                self.writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def lock(self) -> threading.RLock:
        """The lock that serialises this process's writers (hold it to use :attr:`writer`
        outside :meth:`write`, e.g. for ``VACUUM``)."""
        return self._lock

    def read(self) -> sqlite3.Connection:
        """This thread's read connection (autocommit; each statement sees committed data)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this object opened; the last process marks the store clean."""
        if self._checkpoints is not None:
            self._checkpoints.close()  # first: its thread takes the lock to checkpoint
            self._checkpoints = None
        with self._lock:
            last = self._writer is not None and self._session.end_begin()
            try:
                with self._readers_lock:
                    for conn in self._readers:
                        with contextlib.suppress(sqlite3.Error):
                            conn.close()
                    self._readers.clear()
                self._local = threading.local()
                if self._writer is not None:
                    if last:
                        with contextlib.suppress(sqlite3.Error):
                            self._mark(self._writer, clean=True)
                    self._writer.close()  # the last connection checkpoints and drops the log
                    self._writer = None
            finally:
                self._session.end()
