"""Stores in the states the hardening tests need: crashed, with a lost or garbled log, full."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PASS_FLOW = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

CRASH = textwrap.dedent(
    """
    import os, sys
    from gladier.runtime import Runtime
    rt = Runtime(home=sys.argv[1])
    flow = rt.create_flow("before the crash", {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    for _ in range(int(sys.argv[2])):
        rt.wait(rt.run_flow(flow["id"], {"payload": "x" * 2000})["run_id"])
    os._exit(0)  # no close: the process dies with its write-ahead log in place
    """
)


def crash_after_work(home: Path, runs: int = 20) -> Path:
    """Run a runtime in a subprocess that dies without closing; return the store's path."""
    subprocess.run([sys.executable, "-c", CRASH, str(home), str(runs)], check=True)
    db = home / "runtime.db"
    assert Path(f"{db}-wal").stat().st_size > 0, "the crash left no log: nothing to test"
    return db


def garble_middle_of_log(db: Path) -> None:
    """Overwrite bytes in the middle of the write-ahead log (page data of an early frame)."""
    wal = Path(f"{db}-wal")
    size = wal.stat().st_size
    with open(wal, "r+b") as handle:
        handle.seek(size // 3)
        handle.write(os.urandom(64))


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
