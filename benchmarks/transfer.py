"""Benchmark local Transfer against ``cp`` measured in the same run.

    .venv/bin/python benchmarks/transfer.py                       # 1 GiB file, 10,000 files
    .venv/bin/python benchmarks/transfer.py --large-mb 64 --small-count 500 --repeat 2

Two cases, each copied by ``cp`` (``cp FILE`` / ``cp -r DIR``) and by a one-state flow whose
Action is ``https://transfer.actions.globus.org/transfer`` between two collections, taking
turns, ``--repeat`` times; the destination is removed and ``sync`` run before every copy, so
no run pays for another's write-back. Prints the throughput of each and the ratio
Gladier/cp for the best and the median run (target: at least 0.70 for the large file).
Page-cache write-back makes single runs noisy; the best run is the steadier comparison.
``--verify`` adds a run with ``verify_checksum`` (MD5 of both ends, a cost ``cp`` does not
pay).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime

TRANSFER_FLOW: dict[str, Any] = {
    "StartAt": "Transfer",
    "States": {
        "Transfer": {
            "Type": "Action",
            "ActionUrl": "https://transfer.actions.globus.org/transfer",
            "Parameters": {
                "source_endpoint.$": "$.source",
                "destination_endpoint.$": "$.destination",
                "verify_checksum.$": "$.verify",
                "DATA": [
                    {
                        "source_path.$": "$.path",
                        "destination_path.$": "$.path",
                        "recursive.$": "$.recursive",
                    }
                ],
            },
            "ResultPath": "$.Transfer",
            "WaitTime": 3600,
            "End": True,
        }
    },
}


def make_large(path: Path, megabytes: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as handle:
        for i in range(megabytes):
            handle.write(block[i % 251 :] + block[: i % 251])


def make_small(folder: Path, count: int, size: int) -> None:
    per_dir = 1000
    for i in range(count):
        sub = folder / f"d{i // per_dir:03d}"
        if i % per_dir == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:06d}.dat").write_bytes(os.urandom(size))


def timed(fn: Callable[[], object], target: Path) -> float:
    if target.exists():
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    os.sync()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-mb", type=int, default=1024, help="size of the large file")
    parser.add_argument("--small-count", type=int, default=10_000, help="number of small files")
    parser.add_argument("--small-size", type=int, default=4096, help="bytes per small file")
    parser.add_argument("--repeat", type=int, default=5, help="copies per tool and case")
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (same disk)")
    parser.add_argument("--verify", action="store_true", help="also time verify_checksum")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="gladier-bench-") as scratch:
        base = Path(scratch)
        src, dst, cp_dst = base / "src", base / "dst", base / "cp"
        for folder in (src, dst, cp_dst):
            folder.mkdir()
        print(f"preparing {args.large_mb} MiB file and {args.small_count} x {args.small_size} B")
        make_large(src / "large.bin", args.large_mb)
        make_small(src / "small", args.small_count, args.small_size)

        with Runtime(home=base / "home", options={"poll_initial_interval": 0.01}) as rt:
            source = rt.create_collection(src)["id"]
            destination = rt.create_collection(dst)["id"]
            flow = rt.create_flow("bench transfer", TRANSFER_FLOW)

            def gladier(path: str, recursive: bool, verify: bool = False) -> None:
                body = {
                    "source": source,
                    "destination": destination,
                    "path": path,
                    "recursive": recursive,
                    "verify": verify,
                }
                run = rt.run_flow(flow["id"], body)
                done = rt.wait(run["run_id"], timeout=3600)
                if done["status"] != "SUCCEEDED":
                    raise SystemExit(f"transfer failed: {done['details']}")

            cases = [
                ("large file", "large.bin", False, args.large_mb * (1 << 20), "MB/s"),
                ("small files", "small", True, args.small_count, "files/s"),
            ]
            for name, path, recursive, amount, unit in cases:
                cp_cmd = ["cp", "-r", str(src / path), str(cp_dst / path)]
                if not recursive:
                    cp_cmd.remove("-r")
                cp_times, our_times, verify_times = [], [], []
                for _ in range(args.repeat):
                    run_cp = partial(subprocess.run, cp_cmd, check=True)
                    cp_times.append(timed(run_cp, cp_dst / path))
                    our_times.append(timed(partial(gladier, f"/{path}", recursive), dst / path))
                    if args.verify:
                        copy = partial(gladier, f"/{path}", recursive, True)
                        verify_times.append(timed(copy, dst / path))
                scale = 1e6 if unit == "MB/s" else 1
                for how, pick in (("best", min), ("median", statistics.median)):
                    cp_rate = amount / pick(cp_times) / scale
                    our_rate = amount / pick(our_times) / scale
                    print(
                        f"{name:12s} {how:6s} cp {cp_rate:9.1f} {unit:7s} "
                        f"gladier {our_rate:9.1f} {unit:7s} ratio {our_rate / cp_rate:5.2f}"
                    )
                if verify_times:
                    rate = amount / min(verify_times) / scale
                    print(f"{name:12s} best   gladier with verify_checksum {rate:9.1f} {unit}")


if __name__ == "__main__":
    main()
