"""Which process opens the store first and which closes it last (``runtime.db.lock``).

The store records in its main file whether it was closed cleanly. Only the first process to
open it may trust that record (and then mark the store open), and only the last one to close
it may mark it clean again. Every open store holds a shared ``flock`` on
``runtime.db.lock``; opening and closing are serialised by an exclusive ``flock`` on
``runtime.db.gate``. A process that dies drops its locks, so a crash never blocks the store.

Example::

    session = Session(Path("/h/runtime.db"))
    first = session.begin()     # True: no other process has the store open
    ...
    last = session.end_begin()  # True: no other process has it open any more
    ...
    session.end()
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from gladier.exc import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no session tracking
    fcntl = None  # type: ignore[assignment]


def _open_lock_file(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as err:
        raise StoreError(
            f"Cannot open the lock file {path} of the runtime store ({err.strerror}); make the "
            "home writable by you, or use another home (--home or GLADIER_HOME)",
            path,
        ) from err


class Session:
    """This object's hold on the store; see the module docstring. No I/O until :meth:`begin`."""

    def __init__(self, db_path: Path) -> None:
        self.gate_path = Path(str(db_path) + ".gate")
        self.lock_path = Path(str(db_path) + ".lock")
        self._gate: int | None = None
        self._lock: int | None = None

    @property
    def supported(self) -> bool:
        return fcntl is not None

    def _enter_gate(self) -> None:
        self._gate = _open_lock_file(self.gate_path)
        fcntl.flock(self._gate, fcntl.LOCK_EX)

    def leave_gate(self) -> None:
        """Let other processes open or close the store."""
        if self._gate is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._gate, fcntl.LOCK_UN)
            os.close(self._gate)
            self._gate = None

    def begin(self) -> bool:
        """Hold the store open; ``True`` when no other process has it open.

        The gate stays held until :meth:`leave_gate`, so the first process can check and mark
        the store before anyone else uses it.
        """
        if not self.supported:
            return False
        self._enter_gate()
        self._lock = _open_lock_file(self.lock_path)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(self._lock, fcntl.LOCK_SH)
            return False
        return True

    def share(self) -> None:
        """Turn the exclusive hold of the first process into a shared one."""
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_SH)

    def end_begin(self) -> bool:
        """Start closing; ``True`` when no other process has the store open (this is the last)."""
        if not self.supported or self._lock is None:
            return False
        self._enter_gate()
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def end(self) -> None:
        """Let go of the store."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
            self._lock = None
        self.leave_gate()
