"""Who owns a run: owner records with an expiry, and detection of dead owners on this host.

Each runtime process registers one owner row (``host``, ``pid``, the pid's start time, and an
expiry it keeps pushing forward). A run names its owner and an ``attempt`` counter. Another
process may take a run over when its owner's lease has expired, or at once when the owner is a
process of this host that no longer exists. Every write of a run step is fenced on
``owner`` and ``attempt``, so a process that lost a run can never commit a step of it.

Whether a process lives is asked of ``psutil`` (Linux, macOS and Windows alike); its start
time tells a reused pid from the process that registered. On Linux the start time is read from
``/proc`` directly, as psutil reads it (the same value), so that a runtime starting up does not
pay for importing psutil.

Example::

    >>> import os
    >>> process_alive(os.getpid(), process_start_time(os.getpid()))
    True
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

#: How a start time is written: the prefix tells it from the ``/proc`` clock ticks that
#: earlier versions stored (for those only the pid's existence is checked).
_START_PREFIX = "t:"
#: Seconds two readings of one process's start time may differ by (clock adjustments).
_START_TOLERANCE = 1.0


def process_start_time(pid: int) -> str | None:
    """When ``pid`` started (as stored in the owner rows), or ``None`` if it does not exist.

    Example::

        >>> process_start_time(os.getpid()).startswith("t:")
        True
    """
    try:
        created = _proc_start_time(pid) if sys.platform.startswith("linux") else None
    except ProcessLookupError:
        return None
    if created is None:
        import psutil

        try:
            created = psutil.Process(pid).create_time()
        except (psutil.Error, OSError):
            return None
    return f"{_START_PREFIX}{created:.3f}"


def _proc_start_time(pid: int) -> float | None:
    """``pid``'s start time from ``/proc`` (seconds since the epoch), as psutil computes it:
    the ``starttime`` field of ``/proc/PID/stat`` (clock ticks since boot) plus the boot time
    (``btime`` in ``/proc/stat``). ``None`` when ``/proc`` cannot tell (then psutil is
    asked); ``ProcessLookupError`` when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            raise ProcessLookupError(pid) from None
        return None
    except OSError:
        return None
    try:
        # The command name (field 2) is in parentheses and may hold spaces or ')': the fields
        # after the last ')' start with field 3, so ``starttime`` (field 22) is the 20th.
        ticks = int(stat[stat.rindex(b")") + 2 :].split()[19])
        with open("/proc/stat", "rb") as handle:
            boot = next(float(line.split()[1]) for line in handle if line.startswith(b"btime"))
        return ticks / os.sysconf("SC_CLK_TCK") + boot
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def process_alive(pid: int, start_time: str | None) -> bool:
    """Whether ``pid`` still runs and is the same process that registered ``start_time``.

    A zombie (ended, not yet reaped) is not alive. A process this user may not inspect is
    taken to be alive.

    Example::

        >>> process_alive(os.getpid(), None)
        True
    """
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except psutil.NoSuchProcess:
        return False
    except (psutil.AccessDenied, OSError):
        return True
    if start_time is None or not start_time.startswith(_START_PREFIX):
        return True
    try:
        registered = float(start_time[len(_START_PREFIX) :])
    except ValueError:
        return True
    return abs(created - registered) <= _START_TOLERANCE


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
        # Only unfinished runs need releasing (finished ones keep their last owner's name);
        # the partial index finds them without reading the runs table.
        conn.execute(
            "UPDATE runs INDEXED BY runs_unfinished_by_owner SET owner = NULL "
            "WHERE owner = ? AND status IN ('ACTIVE', 'INACTIVE')",
            (self.id,),
        )
        conn.execute("DELETE FROM owners WHERE owner = ?", (self.id,))


def reap_dead_owners(conn: sqlite3.Connection, me: Owner) -> list[str]:
    """Delete the owner rows of dead processes of this host; return their ids."""
    dead = dead_owners(conn, me)
    for owner in dead:
        conn.execute("DELETE FROM owners WHERE owner = ?", (owner,))
    return dead


#: Runs not finished yet: the condition of the partial index ``runs_unfinished_by_owner``.
UNFINISHED = "status IN ('ACTIVE', 'INACTIVE')"


def unfinished_owners(conn: sqlite3.Connection) -> list[str | None]:
    """The distinct owners of unfinished runs (``None`` for runs nobody owns).

    Each owner costs one index lookup (a skip scan of ``runs_unfinished_by_owner``), so this
    stays fast however many runs wait.
    """
    index = "INDEXED BY runs_unfinished_by_owner"
    found: list[str | None] = []
    if conn.execute(
        f"SELECT 1 FROM runs {index} WHERE {UNFINISHED} AND owner IS NULL LIMIT 1"
    ).fetchone():
        found.append(None)
    row = conn.execute(
        f"SELECT owner FROM runs {index} WHERE {UNFINISHED} AND owner IS NOT NULL "
        "ORDER BY owner LIMIT 1"
    ).fetchone()
    while row is not None:
        found.append(str(row[0]))
        row = conn.execute(
            f"SELECT owner FROM runs {index} WHERE {UNFINISHED} AND owner > ? "
            "ORDER BY owner LIMIT 1",
            (row[0],),
        ).fetchone()
    return found


def orphaned_runs(conn: sqlite3.Connection, now: float) -> list[tuple[str, str | None, int]]:
    """Unfinished runs whose owner is gone or whose lease expired: (run_id, owner, attempt).

    Reads only the runs of such owners: while every owner is alive this is a handful of
    index lookups, whatever the number of unfinished runs.
    """
    alive = {str(r[0]) for r in conn.execute("SELECT owner FROM owners WHERE expires > ?", (now,))}
    found: list[tuple[str, str | None, int]] = []
    for owner in unfinished_owners(conn):
        if owner is not None and owner in alive:
            continue
        found += conn.execute(
            "SELECT run_id, owner, attempt FROM runs INDEXED BY runs_unfinished_by_owner "
            f"WHERE {UNFINISHED} AND owner IS ?",
            (owner,),
        ).fetchall()
    return found


def dead_owners(conn: sqlite3.Connection, me: Owner) -> list[str]:
    """The owner rows of processes of this host that have ended (nothing is changed)."""
    rows = conn.execute(
        "SELECT owner, pid, pid_start FROM owners WHERE host = ? AND owner != ?",
        (me.host, me.id),
    ).fetchall()
    return [owner for owner, pid, start in rows if not process_alive(int(pid), start)]


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


def unattended_runs(
    conn: sqlite3.Connection, run_ids: Sequence[str], now: float, host: str
) -> set[str]:
    """The unfinished runs among ``run_ids`` that no live process is running.

    A run is unattended when it has no owner, its owner's lease expired, or its owner is a
    process of this host that has ended. Nothing is changed (readers call this).

    Example::

        unattended_runs(conn, ["r1", "r2"], time.time(), socket.gethostname())   # {'r2'}
    """
    found: set[str] = set()
    ids = list(run_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT r.run_id, o.owner, o.host, o.pid, o.pid_start, o.expires FROM runs r "
            "LEFT JOIN owners o ON o.owner = r.owner "
            f"WHERE r.status IN ('ACTIVE', 'INACTIVE') AND r.run_id IN ({marks})",
            chunk,
        ).fetchall()
        for run_id, owner, owner_host, pid, pid_start, expires in rows:
            gone = owner is None or float(expires) <= now
            if gone or (owner_host == host and not process_alive(int(pid), pid_start)):
                found.add(run_id)
    return found


def live_owners(conn: sqlite3.Connection, now: float, host: str) -> list[tuple[str, int]]:
    """``(host, pid)`` of every process whose scheduler holds a live lease on this store.

    Processes of ``host`` that have ended are left out even before their lease expires.

    Example::

        live_owners(conn, time.time(), socket.gethostname())     # [('lab-pc', 4242)]
    """
    rows = conn.execute(
        "SELECT host, pid, pid_start FROM owners WHERE expires > ? ORDER BY host, pid", (now,)
    ).fetchall()
    return [
        (str(h), int(pid)) for h, pid, start in rows if h != host or process_alive(int(pid), start)
    ]
