"""The process tree under the orchestrator: its memory, and cleaning it up (Linux ``/proc``).

The orchestrator makes itself a *child subreaper*, so a process that a system leaves behind
(a server or worker whose parent exited) is re-parented to the orchestrator instead of init:
it stays in the tree, its memory is counted, and it is found and stopped after the system.

Memory is the proportional set size (PSS, ``/proc/PID/smaps_rollup``) summed over the
tree, so pages that forked workers share are counted once; where PSS cannot be read, the
resident set size is used instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux); False where that is not possible."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of ``pid``, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[-1].split()
    return fields[0], int(fields[1])


def descendants(root: int) -> list[int]:
    """Every live (not zombie) process below ``root``."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        found = _stat(int(entry.name))
        if found is not None and found[0] != "Z":
            children.setdefault(found[1], []).append(int(entry.name))
    out: list[int] = []
    todo = list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def memory_of(pid: int) -> int:
    """Bytes of memory ``pid`` uses (PSS, else RSS); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def command_of(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"pid {pid}"
    text = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return text if len(text) <= 100 else text[:97] + "..."


class TreeMemory:
    """Samples the memory of every process below ``root``; the tree is rescanned at most
    every ``rescan`` seconds (reading every ``/proc/PID/stat`` costs more than a sample)."""

    def __init__(self, root: int, rescan: float = 0.2) -> None:
        self.root = root
        self.rescan = rescan
        self._pids: list[int] = []
        self._scanned = 0.0
        self.samples = 0

    def sample(self) -> int:
        now = time.monotonic()
        if now - self._scanned >= self.rescan:
            self._pids = descendants(self.root)
            self._scanned = now
        self.samples += 1
        return sum(memory_of(pid) for pid in self._pids)


def reap(keep: frozenset[int] = frozenset()) -> None:
    """Collect the exit status of adopted orphans that ended (they are our zombies now).

    ``keep``: our own children that their ``Popen`` object waits for.
    """
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) not in keep:
            found = _stat(int(entry.name))
            if found is not None and found[0] == "Z" and found[1] == me:
                with contextlib.suppress(ChildProcessError, OSError):
                    os.waitpid(int(entry.name), os.WNOHANG)


def settle(root: int, seconds: float, keep: frozenset[int] = frozenset()) -> None:
    """Give the processes below ``root`` up to ``seconds`` to end on their own.

    Helpers such as multiprocessing's resource tracker exit a moment after their parent.
    """
    deadline = time.monotonic() + seconds
    while descendants(root) and time.monotonic() < deadline:
        time.sleep(0.05)
        reap(keep)


def stop_tree(root: int, *, grace: float = 3.0, keep: frozenset[int] = frozenset()) -> list[str]:
    """Stop every process below ``root``: SIGTERM, then SIGKILL after ``grace`` seconds.

    Returns the command lines of the processes that were found.
    """
    found: dict[int, str] = {}
    deadline = time.monotonic() + grace
    sig = signal.SIGTERM if grace > 0 else signal.SIGKILL
    for _ in range(200):
        pids = descendants(root)
        if not pids:
            break
        for pid in pids:
            if pid not in found:
                found[pid] = command_of(pid) or f"pid {pid}"
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        time.sleep(0.05)
        reap(keep)
        if time.monotonic() >= deadline:
            sig = signal.SIGKILL
    reap(keep)
    return list(found.values())
