"""Checking a runtime store, accepting one that lost its log, and backing one up.

These work on the file directly, without opening the store as a runtime does, so they also
work on a store the runtime refuses (that is what they are for).

Example::

    from pathlib import Path
    from gladier.runtime.store.check import backup_store, check_store

    report = check_store(Path.home() / ".gladier" / "runtime.db")
    print(report.verdict())               # "ok: ..." or "damaged: ..." with each problem
    if report.ok:
        backup_store(report.path, Path("/backups/gladier.db"))
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from gladier.exc import ConfigException, HomeNotOwned, StoreDamaged
from gladier.runtime.store.connection import (
    StoreConnection,
    check_command,
    connect,
    store_error,
)
from gladier.runtime.store.database import (
    BUSY_TIMEOUT_MS,
    MARKER,
    SIDE_FILES,
    side_file,
    truncated_by,
)
from gladier.runtime.store.home import check_owned
from gladier.runtime.store.migrations import MIGRATIONS
from gladier.runtime.store.session import Session
from gladier.runtime.store.wal import wal_problem

#: The schema version that added the ``store`` table (the marker and the clean record).
STORE_RECORDS_VERSION = next(
    number for number, script in enumerate(MIGRATIONS, start=1) if "CREATE TABLE store" in script
)
#: Most problems ``PRAGMA integrity_check`` is asked to list.
MAX_INTEGRITY_MESSAGES = 20


@dataclass
class StoreReport:
    """What :func:`check_store` found; ``ok`` when nothing is wrong.

    ``loss_only`` says every problem is a missing or damaged write-ahead log on a store whose
    main file is sound, which ``check_store(..., accept_loss=True)`` can accept.
    """

    path: Path
    exists: bool = True
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    integrity: list[str] = field(default_factory=list)
    schema_version: int | None = None
    runs: int | None = None
    flows: int | None = None
    in_use: bool = False
    loss_only: bool = False
    accepted: bool = False
    #: The home or a store file belongs to another user: refused, not damaged.
    not_owned: bool = False
    #: The schema version is newer than this Gladier knows: a newer Gladier can use it.
    too_new: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def verdict(self) -> str:
        """A few lines for a person: ``ok`` or ``damaged``, then each problem and what to do."""
        if not self.exists and self.ok:
            return f"ok: there is no store at {self.path} yet (it is created on first use)"
        if self.ok:
            counts = f"{self.flows} flow(s), {self.runs} run(s)"
            note = " (the lost changes were accepted)" if self.accepted else ""
            busy = "; in use by another process" if self.in_use else ""
            lines = [
                f"ok: {self.path} passes the integrity check{note}: schema version "
                f"{self.schema_version}, {counts}{busy}"
            ]
            return "\n".join(lines + [f"  note: {text}" for text in self.notes])
        kind = "refused" if self.not_owned else "too new" if self.too_new else "damaged"
        lines = [f"{kind}: {self.path}"]
        lines += [f"  - {problem}" for problem in self.problems]
        if self.not_owned:
            lines.append("It is not checked, nor used, until it belongs to you (see above).")
        elif self.too_new and len(self.problems) == 1:
            lines.append(
                "Nothing is wrong with the file: use it with the newer Gladier that wrote it "
                "(upgrade this one), or use another home (--home or GLADIER_HOME)."
            )
        elif self.loss_only:
            lines.append(
                "The rest of the store is sound. Restore a backup, or accept the store as it "
                f"is (losing those changes) with {check_command(self.path, '--accept-loss')}."
            )
        else:
            lines.append(
                "Restore a backup made with `gladier store backup` (copy it over the file), "
                "or move the file away to start an empty store."
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The report as a JSON-ready mapping."""
        return {
            "path": str(self.path),
            "ok": self.ok,
            "exists": self.exists,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "integrity": list(self.integrity),
            "schema_version": self.schema_version,
            "flows": self.flows,
            "runs": self.runs,
            "in_use": self.in_use,
            "loss_only": self.loss_only,
            "accepted": self.accepted,
            "not_owned": self.not_owned,
            "too_new": self.too_new,
        }


def _owned_paths(path: Path) -> list[tuple[Path, str]]:
    """The home and the store files that must belong to the current user."""
    files = [(path, "runtime store file")]
    files += [(side_file(path, suffix), "runtime store file") for suffix in SIDE_FILES]
    return [(path.parent, "runtime home"), *files]


def _read_only(path: Path, *, immutable: bool) -> StoreConnection:
    flag = "immutable=1" if immutable else "mode=ro"
    return connect(path, timeout=BUSY_TIMEOUT_MS / 1000, uri=f"{path.resolve().as_uri()}?{flag}")


def check_store(path: Path, *, accept_loss: bool = False) -> StoreReport:
    """Check the store file ``path`` (``PRAGMA integrity_check`` and the store's own records).

    With ``accept_loss``, a store whose only problem is a lost or damaged write-ahead log is
    accepted as it is: the transactions of a damaged log before the damage are kept (SQLite
    stops reading it there), a copy of the log is kept as ``runtime.db-wal.damaged-<time>``,
    and the store opens again. Nothing else is ever changed.

    Example::

        report = check_store(Path("/h/runtime.db"))
        report.ok, report.problems
    """
    path = Path(path)
    report = StoreReport(path=path)

    for candidate, what in _owned_paths(path):
        try:
            check_owned(candidate, what)
        except HomeNotOwned as err:
            report.problems.append(err.message)
            report.not_owned = True
    wal = side_file(path, "-wal")
    if not path.exists():
        report.exists = False
        if wal.exists():
            report.problems.append(f"the database file is missing but its log {wal} is there")
        return report
    if report.problems:
        return report
    session = Session(path)
    alone = session.begin() if session.supported else False
    report.in_use = session.supported and not alone
    wal_present = wal.exists()
    log_problems: list[str] = []
    try:
        if path.stat().st_size == 0 and not (wal_present and wal.stat().st_size > 0):
            report.problems.append("the file is empty (0 bytes)")
            return report
        if alone and (not wal_present or wal.stat().st_size == 0):
            short = truncated_by(path)
            if short is not None:
                report.problems.append(f"the file is truncated: {short}")
                return report
        garbled = wal_problem(wal) if wal_present and alone else None
        if garbled is not None:
            log_problems.append(f"the write-ahead log {wal} is damaged: {garbled}")
        # Alone and without a usable log, read the main file only, and leave no -wal or -shm
        # behind (an empty -wal would hide that the real one went missing).
        immutable = alone and (not wal_present or garbled is not None)
        try:
            conn = _read_only(path, immutable=immutable)
            try:
                clean = _inspect(conn, report)
            finally:
                conn.close()
        except StoreDamaged as err:
            report.problems.append(f"SQLite cannot read it: {err.__cause__ or err}")
            return report
        # Any other StoreError (a full disk, a locked or unreadable file) says nothing about
        # damage: it is raised as it is, naming the file and what to do.
        if alone and clean == "0" and not wal_present:
            if side_file(path, "-shm").exists():
                log_problems.append(
                    f"the write-ahead log {wal} is missing although the store was not closed "
                    "cleanly: the changes since its last checkpoint are lost"
                )
            else:
                report.notes.append(
                    "it was not closed cleanly and has no write-ahead log (SQLite removes the "
                    "log after a complete checkpoint; if it was lost instead, its changes are "
                    "missing)"
                )
        sound = report.ok and report.integrity == ["ok"]
        report.problems += log_problems
        report.loss_only = bool(log_problems) and sound
        if accept_loss and report.loss_only:
            _accept(path, garbled is not None)
            report.problems.clear()
            report.accepted = True
            conn = _read_only(path, immutable=True)  # the counts of what was kept
            try:
                with contextlib.suppress(sqlite3.Error):
                    report.flows = int(conn.execute("SELECT count(*) FROM flows").fetchone()[0])
                    report.runs = int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
            finally:
                conn.close()
        return report
    finally:
        session.end()


def _inspect(conn: sqlite3.Connection, report: StoreReport) -> str | None:
    """Fill ``report`` from the store; return its ``clean`` record."""
    report.schema_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    rows = conn.execute(f"PRAGMA integrity_check({MAX_INTEGRITY_MESSAGES})").fetchall()
    report.integrity = [str(row[0]) for row in rows]
    if report.integrity != ["ok"]:
        report.problems.append("the integrity check failed: " + "; ".join(report.integrity[:5]))
    latest = len(MIGRATIONS)
    if report.schema_version > latest:
        report.too_new = True
        report.problems.append(
            f"schema version {report.schema_version} is newer than this Gladier knows "
            f"({latest}); upgrade Gladier"
        )
        return None
    if report.schema_version == 0:
        report.problems.append("it is not a Gladier runtime store (no Gladier schema)")
        return None
    try:
        records = dict(conn.execute("SELECT key, value FROM store").fetchall())
    except sqlite3.OperationalError:
        records = {}  # a store from before the store records were added
        if report.schema_version >= STORE_RECORDS_VERSION:
            report.problems.append("its store records are missing")
    else:
        if records.get("marker") != MARKER:
            report.problems.append("its store marker is missing")
    with contextlib.suppress(sqlite3.Error):
        report.flows = int(conn.execute("SELECT count(*) FROM flows").fetchone()[0])
        report.runs = int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
    clean = records.get("clean")
    return clean if isinstance(clean, str) else None


def _not_a_store(conn: sqlite3.Connection) -> str | None:
    """Why the database of ``conn`` is not a Gladier store (``None``: it is one)."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version == 0:
        size = int(conn.execute("PRAGMA page_count").fetchone()[0])
        return "it is empty" if size <= 1 else "it has no Gladier schema"
    if version < STORE_RECORDS_VERSION:
        return None  # from before the store marker; opening it migrates it
    try:
        row = conn.execute("SELECT value FROM store WHERE key = 'marker'").fetchone()
    except sqlite3.OperationalError:
        return "its store records are missing"
    return None if row is not None and row[0] == MARKER else "its store marker is missing"


def _accept(path: Path, garbled: bool) -> None:
    """Make the store open again as it is (the caller holds it alone)."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    wal, shm = side_file(path, "-wal"), side_file(path, "-shm")
    if garbled:
        # Kept for whoever wants to look; SQLite itself keeps the log's sound beginning.
        shutil.copy2(wal, side_file(path, f"-wal.damaged-{stamp}"))
    with contextlib.suppress(FileNotFoundError):
        os.unlink(shm)
    conn = connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("UPDATE store SET value = '1' WHERE key = 'clean'")
    finally:
        conn.close()  # the only connection: checkpoints and removes the new log


def backup_store(path: Path, dest: Path) -> Path:
    """Copy the store ``path`` to ``dest`` with SQLite's online backup; return the copy's path.

    Safe while runtimes use the store: the copy is one consistent snapshot. ``dest`` may be a
    directory (the copy is then ``runtime-<time>.db`` in it); an existing file is never
    overwritten. To restore, stop every runtime of the home and copy the backup over
    ``runtime.db`` (removing ``runtime.db-wal`` and ``runtime.db-shm``).

    Example::

        backup_store(Path("/h/runtime.db"), Path("/backups/"))
    """
    path, dest = Path(path), Path(dest)
    if dest.is_dir():
        dest = dest / f"runtime-{time.strftime('%Y%m%dT%H%M%S')}.db"
    if dest.exists():
        raise ConfigException(f"{dest} already exists; choose a new file name for the backup")
    if not dest.parent.is_dir():
        raise ConfigException(f"The directory {dest.parent} of the backup does not exist")
    if not path.exists():
        raise StoreDamaged(f"There is no runtime store at {path} to back up", path)
    for candidate, what in _owned_paths(path):
        check_owned(candidate, what)
    draft = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    fd = os.open(draft, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    os.close(fd)
    session = Session(path)
    alone = session.begin() if session.supported else False
    try:
        wal = side_file(path, "-wal")
        garbled = wal_problem(wal) if alone and wal.exists() else None
        if garbled is not None:
            raise StoreDamaged(
                f"The write-ahead log {wal} of {path} is damaged ({garbled}), so a backup "
                "would hold none of the changes in it, not even those before the damage. To "
                f"keep the store as it is, copy {path.name} and {wal.name} as files; to keep "
                f"what SQLite can still read, run {check_command(path, '--accept-loss')} "
                "first, then back up",
                path,
            )
        # Alone without a log: read the main file only and leave no empty log behind.
        immutable = alone and not wal.exists()
        if alone and not immutable:
            session.share()  # SQLite keeps the copy consistent; runtimes may go on
        session.leave_gate()
        source = _read_only(path, immutable=immutable)
        try:
            target = sqlite3.connect(str(draft), isolation_level=None)
            try:
                try:
                    source.backup(target)
                except sqlite3.Error as err:
                    translated = store_error(err, path)
                    if translated is None:
                        raise
                    raise translated from err
                # The copy is a consistent snapshot, closed cleanly: it opens without its log.
                with contextlib.suppress(sqlite3.OperationalError):
                    target.execute("UPDATE store SET value = '1' WHERE key = 'clean'")
                verdict = target.execute("PRAGMA quick_check").fetchone()[0]
                not_a_store = verdict == "ok" and _not_a_store(target)
            finally:
                target.close()
        finally:
            source.close()
        if not_a_store is not None:
            raise StoreDamaged(
                f"{path} is not a Gladier runtime store ({not_a_store}), so it is not backed "
                f"up; see what is wrong with {check_command(path)}",
                path,
            )
        if verdict != "ok":
            raise StoreDamaged(
                f"The backup of {path} does not pass SQLite's quick check ({verdict}); the store "
                "itself is probably damaged: run `gladier store check`",
                path,
            )
        try:
            os.link(draft, dest)
        except FileExistsError:
            raise ConfigException(
                f"{dest} already exists; choose a new file name for the backup"
            ) from None
    finally:
        session.end()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(side_file(draft, suffix))
    return dest
