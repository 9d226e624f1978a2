"""Who owns a run: owner records with an expiry, and detection of dead owners on this host.

Each runtime process registers one owner row (``host``, ``pid``, the pid's start time, and an
expiry it keeps pushing forward). A run names its owner and an ``attempt`` counter. Another
process may take a run over when its owner's lease has expired, or at once when the owner is a
process of this host that no longer exists. Every write of a run step is fenced on
``owner`` and ``attempt``, so a process that lost a run can never commit a step of it.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from dataclasses import dataclass


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), to tell a reused pid from the original."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def process_alive(pid: int, start_time: str | None) -> bool:
    """Whether ``pid`` still runs and is the same process that registered."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if start_time is None:
        return True
    current = process_start_time(pid)
    if current is not None and current != start_time:
        return False
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return True
    fields = text.rsplit(")", 1)[-1].split()
    return not fields or fields[0] != "Z"


@dataclass(frozen=True)
class Owner:
    """This process's identity in the store."""

    id: str
    host: str
    pid: int
    pid_start: str | None

    @classmethod
    def for_this_process(cls) -> Owner:
        host = socket.gethostname()
        pid = os.getpid()
        return cls(f"{host}:{pid}:{uuid.uuid4().hex[:12]}", host, pid, process_start_time(pid))

    def register(self, conn: sqlite3.Connection, expires: float) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO owners(owner, host, pid, pid_start, expires) "
            "VALUES (?, ?, ?, ?, ?)",
            (self.id, self.host, self.pid, self.pid_start, expires),
        )

    def renew(self, conn: sqlite3.Connection, expires: float) -> None:
        cur = conn.execute("UPDATE owners SET expires = ? WHERE owner = ?", (expires, self.id))
        if cur.rowcount == 0:
            self.register(conn, expires)

    def retire(self, conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE runs SET owner = NULL WHERE owner = ?", (self.id,))
        conn.execute("DELETE FROM owners WHERE owner = ?", (self.id,))


def reap_dead_owners(conn: sqlite3.Connection, me: Owner) -> list[str]:
    """Delete the owner rows of dead processes of this host; return their ids."""
    rows = conn.execute(
        "SELECT owner, pid, pid_start FROM owners WHERE host = ? AND owner != ?",
        (me.host, me.id),
    ).fetchall()
    dead = [owner for owner, pid, start in rows if not process_alive(int(pid), start)]
    for owner in dead:
        conn.execute("DELETE FROM owners WHERE owner = ?", (owner,))
    return dead


def orphaned_runs(conn: sqlite3.Connection, now: float) -> list[tuple[str, str | None, int]]:
    """Unfinished runs whose owner is gone or whose lease expired: (run_id, owner, attempt)."""
    return conn.execute(
        "SELECT run_id, owner, attempt FROM runs WHERE status IN ('ACTIVE', 'INACTIVE') "
        "AND (owner IS NULL OR owner NOT IN (SELECT owner FROM owners WHERE expires > ?))",
        (now,),
    ).fetchall()


def claim(
    conn: sqlite3.Connection, run_id: str, old_owner: str | None, attempt: int, me: Owner
) -> bool:
    """Take ``run_id`` over if nobody else did since it was read (compare and swap)."""
    cur = conn.execute(
        "UPDATE runs SET owner = ?, attempt = attempt + 1 "
        "WHERE run_id = ? AND owner IS ? AND attempt = ?",
        (me.id, run_id, old_owner, attempt),
    )
    return cur.rowcount == 1
