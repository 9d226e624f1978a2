"""Removing finished runs from the store, in bounded batches, and giving the space back.

A run is pruned with everything the store keeps for it: its row, its log (``events``), its
stored state values, and its compute actions with their tasks. Only finished runs
(``SUCCEEDED``, ``FAILED``, ``ENDED``) whose ``completion_time`` is older than the cut-off
are removed; an ``ACTIVE`` or ``INACTIVE`` run is never touched. Each batch is one short
write transaction, so runs keep advancing while a large prune goes on. Freed pages are
returned to the file system by SQLite's incremental vacuum (stores made before schema 7 are
converted once by a full ``VACUUM`` when :func:`prune_runs` is asked to ``reclaim``).

Example::

    from gladier.runtime import Runtime

    with Runtime() as rt:
        removed = rt.prune_runs(older_than_days=30, statuses=["SUCCEEDED"])
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gladier.exc import ConfigException
from gladier.runtime.live import TERMINAL_STATUSES

if TYPE_CHECKING:
    from gladier.runtime.store import Database

#: Runs removed per write transaction.
PRUNE_BATCH = 500
#: Pages given back per incremental-vacuum step (4 MiB of 4 KiB pages).
VACUUM_PAGES = 1024


@dataclass(frozen=True)
class PruneResult:
    """What a prune removed and gave back."""

    runs: int
    pages_freed: int


def prunable_statuses(statuses: Sequence[str] | None) -> list[str]:
    """The statuses to prune (default: every finished status); unfinished ones are refused.

    Example::

        >>> prunable_statuses(["succeeded"])
        ['SUCCEEDED']
    """
    if not statuses:
        return sorted(TERMINAL_STATUSES)
    wanted = [s.upper() for s in statuses]
    bad = [s for s in wanted if s not in TERMINAL_STATUSES]
    if bad:
        raise ConfigException(
            f"Cannot prune runs with status {', '.join(bad)}: only finished runs are pruned; "
            f"use one or more of {', '.join(sorted(TERMINAL_STATUSES))}"
        )
    return list(dict.fromkeys(wanted))


def prune_batch(
    conn: sqlite3.Connection, before: str, statuses: Sequence[str], limit: int = PRUNE_BATCH
) -> int:
    """Remove up to ``limit`` finished runs completed before ``before`` (an ISO time) with
    all their rows, inside the caller's write transaction; return how many."""
    run_ids: list[str] = []
    for status in statuses:
        if status not in TERMINAL_STATUSES:  # never an unfinished run, whatever the caller
            continue
        run_ids += [
            str(r[0])
            for r in conn.execute(
                "SELECT run_id FROM runs INDEXED BY runs_by_status_completion "
                "WHERE status = ? AND completion_time < ? ORDER BY completion_time LIMIT ?",
                (status, before, limit - len(run_ids)),
            )
        ]
        if len(run_ids) >= limit:
            break
    for start in range(0, len(run_ids), 250):
        chunk = run_ids[start : start + 250]
        marks = ",".join("?" * len(chunk))
        conn.execute(
            "DELETE FROM compute_tasks WHERE action_id IN (SELECT action_id FROM "
            f"compute_actions WHERE run_id IN ({marks}))",
            chunk,
        )
        conn.execute(f"DELETE FROM compute_actions WHERE run_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM events WHERE run_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM state_values WHERE run_id IN ({marks})", chunk)
        conn.execute(
            f"DELETE FROM runs WHERE run_id IN ({marks}) "
            "AND status IN ('SUCCEEDED', 'FAILED', 'ENDED')",
            chunk,
        )
    return len(run_ids)


def reclaim_space(db: Database, *, convert: bool) -> int:
    """Give free pages back to the file system; return how many pages were freed.

    With ``convert``, a store that cannot vacuum incrementally (made before schema 7) is
    converted once with a full ``VACUUM`` (it rewrites the file: quick for a small store,
    a while for a large one).
    """
    conn = db.writer
    before = int(conn.execute("PRAGMA page_count").fetchone()[0])
    mode = int(conn.execute("PRAGMA auto_vacuum").fetchone()[0])
    with db.lock():
        if mode != 2:
            if not convert:
                return 0
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("VACUUM")
        else:
            while int(conn.execute("PRAGMA freelist_count").fetchone()[0]) > 0:
                conn.executescript(
                    f"BEGIN IMMEDIATE; PRAGMA incremental_vacuum({VACUUM_PAGES}); COMMIT;"
                )
                db.checkpoint()  # the file shrinks when the log is copied into it
    return before - int(conn.execute("PRAGMA page_count").fetchone()[0])


def prune_runs(
    db: Database,
    before: str,
    statuses: Sequence[str] | None = None,
    *,
    reclaim: bool = True,
    convert: bool = False,
    batch: int = PRUNE_BATCH,
) -> PruneResult:
    """Remove every finished run completed before ``before`` (ISO time), ``batch`` runs per
    write transaction, then (``reclaim``) give the freed space back."""
    wanted = prunable_statuses(statuses)
    total = 0
    while True:
        with db.write() as conn:
            removed = prune_batch(conn, before, wanted, batch)
        total += removed
        if removed < batch:
            break
    freed = reclaim_space(db, convert=convert) if reclaim and total else 0
    return PruneResult(total, freed)
