"""Checkpoints of the store's write-ahead log, made off the committing caller's path.

A commit only appends pages to the log (``runtime.db-wal``); a checkpoint later copies them
into the database file and syncs it. Left to itself, SQLite checkpoints inside the commit that
takes the log past 1,000 pages, so whoever commits then waits for the copy and its sync: at
100,000 stored runs a batch of 2,000 runs writes about 4,500 pages (new run ids and their
first events land on pages all over the run-id and event indexes), and every such call paid a
checkpoint of about 100 ms before it returned.

A :class:`Checkpointer` makes the same checkpoint right after the commit instead, in a thread
of its own, holding the store's write lock (so the log is fully copied and starts again from
its beginning, as before); the committed transaction is already durable, so the caller
returns at once. Whether a checkpoint is due is read from the log's index (the ``-shm`` file),
one small read per commit; when that index cannot be read, SQLite's own policy is kept.

Example::

    checkpoints = Checkpointer(lock, writer, Path("/h/runtime.db-shm"))
    if checkpoints.open():
        writer.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
    ...
    checkpoints.committed()  # after each commit: wakes the thread when a checkpoint is due
    ...
    checkpoints.close()
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from pathlib import Path

from gladier.exc import StoreError
from gladier.runtime.store.wal import frames_to_copy

log = logging.getLogger("gladier.runtime.store")

#: Pages in the log, not yet copied, that make a checkpoint due (SQLite's own default).
CHECKPOINT_PAGES = 1000
#: SQLite's own automatic checkpoint, kept as a backstop should the thread fall behind.
BACKSTOP_PAGES = 50_000


class Checkpointer:
    """Checkpoints the log of the store whose ``-shm`` index is ``shm_path``, with ``conn``
    (the store's writer) while holding ``lock`` (the lock that serialises its writers).

    Nothing is opened, and no thread started, until :meth:`open`.
    """

    def __init__(
        self,
        lock: threading.RLock,
        conn: sqlite3.Connection,
        shm_path: Path,
        pages: int = CHECKPOINT_PAGES,
    ) -> None:
        self.lock = lock
        self.conn = conn
        self.shm_path = shm_path
        self.pages = pages
        self._fd: int | None = None
        self._due = threading.Condition(threading.Lock())
        self._wanted = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._failed: str | None = None

    def open(self) -> bool:
        """Open the log's index and start the thread; False (and nothing to close) when the
        index cannot be read, so the caller keeps SQLite's automatic checkpoints."""
        try:
            fd = os.open(self.shm_path, os.O_RDONLY)
        except OSError:
            return False
        if frames_to_copy(fd) is None:
            os.close(fd)
            return False
        self._fd = fd
        self._thread = threading.Thread(
            target=self._run, name="gladier-store-checkpoints", daemon=True
        )
        self._thread.start()  # it waits, using no CPU, until a checkpoint is due
        return True

    @property
    def active(self) -> bool:
        """Whether checkpoints are made here (:meth:`open` succeeded and not closed)."""
        return self._fd is not None

    def committed(self) -> None:
        """Call after each commit: wakes the thread when the log holds enough pages."""
        fd = self._fd
        if fd is None:
            return
        pending = frames_to_copy(fd)
        if pending is not None and pending < self.pages:
            return
        with self._due:
            if self._stopping:
                return
            self._wanted = True
            self._due.notify()

    def checkpoint(self) -> None:
        """Copy the log into the database file now, as far as readers allow (the caller may
        hold the lock already)."""
        with self.lock:
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except (sqlite3.Error, StoreError) as err:
                # A full disk or an I/O error: commits report it themselves; the log is
                # copied by a later checkpoint once the store works again.
                if str(err) != self._failed:
                    self._failed = str(err)
                    log.debug("checkpointing the store's log failed: %s", err)
            else:
                self._failed = None

    def _run(self) -> None:
        while True:
            with self._due:
                while not self._wanted and not self._stopping:
                    self._due.wait()
                if not self._wanted:
                    return
                self._wanted = False
            self.checkpoint()

    def close(self) -> None:
        """Stop the thread (after the checkpoint it is making or that is due) and close the
        index; call before closing ``conn`` and without holding ``lock``."""
        with self._due:
            self._stopping = True
            thread, self._thread = self._thread, None
            self._due.notify()
        if thread is not None:
            thread.join()
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
