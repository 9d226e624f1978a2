"""A log that ends in frames of a transaction that never committed is sound, even if torn.

That is what a write failing on a full disk leaves behind (a tmpfs cuts the frame short), and
what a process killed in the middle of a large transaction leaves: SQLite drops those frames.
Refusing the store for them would make a full disk lose every run it did not lose.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from pathlib import Path

from gladier.runtime import Runtime
from gladier.runtime.store.wal import FRAME_HEADER_BYTES, HEADER_BYTES, wal_problem

CRASH_MID_TRANSACTION = textwrap.dedent(
    """
    import os, sqlite3, sys
    from gladier.runtime import Runtime
    rt = Runtime(home=sys.argv[1])
    flow = rt.create_flow("kept", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    for _ in range(3):
        rt.wait(rt.run_flow(flow["id"], {"n": 1})["run_id"])
    raw = sqlite3.connect(os.path.join(sys.argv[1], "runtime.db"), isolation_level=None)
    raw.execute("PRAGMA cache_size = 2")  # dirty pages spill into the log before any commit
    raw.execute("BEGIN IMMEDIATE")
    raw.execute("CREATE TABLE never_committed (x TEXT)")
    for i in range(200):
        raw.execute("INSERT INTO never_committed VALUES (?)", (str(i) * 4000,))
    os._exit(0)  # dies inside the transaction
    """
)


def uncommitted_frames(wal: Path) -> tuple[int, list[int]]:
    """The frame size and the offsets of the frames after the log's last commit frame."""
    data = wal.read_bytes()
    size = FRAME_HEADER_BYTES + int.from_bytes(data[8:12], "big")
    salts = data[16:24]
    offsets, last_commit = [], -1
    for index in range((len(data) - HEADER_BYTES) // size):
        start = HEADER_BYTES + index * size
        _, commit = struct.unpack(">II", data[start : start + 8])
        if data[start + 8 : start + 16] != salts:
            break
        offsets.append(start)
        if commit:
            last_commit = len(offsets) - 1
    return size, offsets[last_commit + 1 :]


def test_a_torn_uncommitted_tail_is_not_damage(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-c", CRASH_MID_TRANSACTION, str(home)], check=True)
    wal = home / "runtime.db-wal"
    size, tail = uncommitted_frames(wal)
    assert len(tail) >= 2, "the crash left no uncommitted frames: nothing to test"
    data = wal.read_bytes()
    start = tail[0] + FRAME_HEADER_BYTES
    with open(wal, "r+b") as handle:  # the first of them garbled, and the last half written
        handle.seek(start)
        handle.write(bytes(255 - b for b in data[start : start + size - FRAME_HEADER_BYTES]))
        handle.truncate(tail[-1] + size // 2)
    assert wal_problem(wal) is None

    with Runtime(home=home) as rt:
        runs = rt.list_runs()["runs"]
        assert [r["status"] for r in runs] == ["SUCCEEDED"] * 3
        assert [f["title"] for f in rt.list_flows()["flows"]] == ["kept"]
    report = Runtime(home=home).check_store()
    assert report.ok, report.verdict()


def test_damage_before_a_later_commit_is_still_found(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-c", CRASH_MID_TRANSACTION, str(home)], check=True)
    wal = home / "runtime.db-wal"
    size, tail = uncommitted_frames(wal)
    data = wal.read_bytes()
    first = HEADER_BYTES
    assert first < tail[0], "no committed frames"
    start = first + FRAME_HEADER_BYTES
    with open(wal, "r+b") as handle:  # a committed frame, followed by later commits
        handle.seek(start)
        handle.write(bytes(255 - b for b in data[start : start + size - FRAME_HEADER_BYTES]))
    problem = wal_problem(wal)
    assert problem is not None and "frame 1 of" in problem
