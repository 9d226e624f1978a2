"""Reading SQLite's write-ahead log file, to tell a garbled log from an ordinary one.

SQLite silently ignores a WAL whose header is invalid, and every frame after the first whose
checksum fails; the changes those frames held are then lost without a word. This module reads
the log the way the `WAL file format <https://www.sqlite.org/fileformat2.html#walformat>`_
describes, before SQLite opens it, and names the damage. A torn last frame (the process died
while writing it) is normal and not reported, and so are frames of a transaction that never
committed after the last commit, and frames of an earlier log generation (other salts) after
the valid ones.

Example::

    problem = wal_problem(Path("/h/runtime.db-wal"))
    if problem is not None:
        print("the log is damaged:", problem)
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

HEADER_BYTES = 32
FRAME_HEADER_BYTES = 24
_MAGIC_LITTLE = 0x377F0682
_MAGIC_BIG = 0x377F0683
_VERSION = 3007000
_MASK = 0xFFFFFFFF


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    """SQLite's WAL checksum of ``data`` (a multiple of 8 bytes), continued from (s0, s1)."""
    for x0, x1 in struct.iter_unpack(">II" if big_endian else "<II", data):
        s0 = (s0 + x0 + s1) & _MASK
        s1 = (s1 + x1 + s0) & _MASK
    return s0, s1


def wal_problem(path: Path) -> str | None:
    """What is wrong with the WAL file ``path``, or ``None`` when SQLite can use all of it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) < HEADER_BYTES:
        return None  # nothing was ever completely written to it
    magic, version, page_size, _, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:32])
    if magic not in (_MAGIC_LITTLE, _MAGIC_BIG) or version != _VERSION:
        return "its header is not a SQLite write-ahead log header"
    big = magic == _MAGIC_BIG
    if (c1, c2) != _checksum(data[:24], big, 0, 0):
        return "its header checksum does not match"
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        return f"its header gives an impossible page size ({page_size})"
    frame_bytes = FRAME_HEADER_BYTES + page_size
    count = (len(data) - HEADER_BYTES) // frame_bytes
    s0, s1 = c1, c2
    broken: int | None = None
    for index in range(count):
        start = HEADER_BYTES + index * frame_bytes
        header = data[start : start + FRAME_HEADER_BYTES]
        _, commit, f_salt1, f_salt2, f_c1, f_c2 = struct.unpack(">6I", header)
        current = (f_salt1, f_salt2) == (salt1, salt2)
        if broken is not None:
            # Only a later commit frame means a transaction is lost. Frames of a transaction
            # that never committed (a write that failed on a full disk, say) are junk: SQLite
            # rewrites them in place, so their checksums need not hold, and it drops them.
            if current and commit != 0:
                return (
                    f"frame {broken + 1} of {count} is damaged and later frames of the same "
                    "log follow it"
                )
            continue
        if not current:
            broken = index  # the rest belongs to an earlier generation of the log
            continue
        page = data[start + FRAME_HEADER_BYTES : start + frame_bytes]
        s0, s1 = _checksum(header[:8], big, s0, s1)
        s0, s1 = _checksum(page, big, s0, s1)
        if (s0, s1) != (f_c1, f_c2):
            broken = index
    return None


# The wal-index header at the start of the ``-shm`` file (native byte order): its version at
# byte 0, whether it is initialised at 12, the last valid frame (mxFrame) at 16; the count of
# frames already copied into the database (nBackfill) follows both copies of the header, at 96.
# See "the wal-index" in https://www.sqlite.org/walformat.html.
_INDEX_BYTES = 100
_INDEX_VERSION = 3007000


def frames_to_copy(shm_fd: int) -> int | None:
    """How many frames of the log are not yet copied into the database file, read from the
    open ``-shm`` file ``shm_fd``; ``None`` when its header is not one this reader knows."""
    try:
        data = os.pread(shm_fd, _INDEX_BYTES, 0)
    except OSError:
        return None
    if len(data) < _INDEX_BYTES:
        return None
    version, _, _, initialised = struct.unpack_from("=IIIB", data, 0)
    if version != _INDEX_VERSION or initialised != 1:
        return None
    (max_frame,) = struct.unpack_from("=I", data, 16)
    (backfilled,) = struct.unpack_from("=I", data, 96)
    return max(0, max_frame - backfilled)
