"""Run one system in this (fresh) process and report to the parent as JSON lines.

    python -m peerbench.child --system dask --mode warm --scratch DIR [--runs 30 ...]

The parent passes a pipe's write end in ``PEERBENCH_FD``; every line written to it is one
JSON event (``{"event": ..., ...}``). Stdout and stderr are the system's own chatter and go
to a log file the parent reads only to explain a failure.

* ``--mode warm``: set up, then workload A (``--warmup`` unreported runs, then at least
  ``--runs`` timed runs one after another, for at least ``--min-seconds``), then workload B
  (``--concurrent`` runs started at once, at least ``--repeat`` times), then close. The
  parent measures memory; ``phase`` events tell it when B runs.
* ``--mode cold``: set up and do one run, report ``cold`` at once (the parent timestamps
  it), then close. Everything, from the interpreter's start to the result, is the cold start.

A workload that fails (an exception, a wrong result, a bounded wait that ran out) is reported
as ``{"event": "A", "failed": reason}`` and the process goes on with the next one. After a
wait ran out the process ends with ``os._exit`` (unfinished runs would hold up a normal
exit); the parent stops what it leaves behind.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from peerbench.systems import BY_NAME
from peerbench.systems.base import System, describe

FD_ENV = "PEERBENCH_FD"


class Reporter:
    """Writes one JSON event per line to the parent's pipe (stdout if there is none)."""

    def __init__(self) -> None:
        fd = os.environ.get(FD_ENV)
        self.fd = int(fd) if fd else None

    def __call__(self, event: str, **fields: Any) -> None:
        line = (json.dumps({"event": event, **fields}) + "\n").encode()
        if self.fd is None:
            sys.stdout.write(line.decode())
            sys.stdout.flush()
            return
        view = memoryview(line)
        while view:
            view = view[os.write(self.fd, view) :]


def versions(packages: tuple[str, ...]) -> dict[str, str]:
    from importlib import metadata

    found = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


#: Most timed runs of A and rounds of B, however quick they are.
MAX_RUNS = 2000
MAX_ROUNDS = 10


def warm(system: System, args: argparse.Namespace, report: Reporter) -> bool:
    """Workloads A and B; True when a bounded wait ran out (runs may still be going).

    A takes at least ``--runs`` samples and goes on until ``--min-seconds`` have passed, and B
    at least ``--repeat`` rounds, likewise: a quick system is sampled over the same stretch of
    time as a slow one, so a burst of load from elsewhere moves its median less.
    """
    timed_out = False
    report("phase", phase="A", state="start")
    try:
        for i in range(args.warmup):
            system.run_one(i, args.timeout)
        samples: list[float] = []
        until = time.perf_counter() + args.min_seconds
        while len(samples) < args.runs or (time.perf_counter() < until and len(samples) < MAX_RUNS):
            start = time.perf_counter()
            system.run_one(100 + len(samples), args.timeout)
            samples.append(time.perf_counter() - start)
        report("A", samples=samples, median=median(samples))
    except Exception as err:
        timed_out = isinstance(err, TimeoutError)
        report("A", failed=describe(err))
    report("phase", phase="A", state="end")

    report("phase", phase="B", state="start")
    try:
        totals: list[float] = []
        until = time.perf_counter() + args.min_seconds
        while len(totals) < args.repeat or (
            time.perf_counter() < until and len(totals) < MAX_ROUNDS
        ):
            first = 10_000 * (len(totals) + 1)
            xs = list(range(first, first + args.concurrent))
            start = time.perf_counter()
            system.run_many(xs, args.timeout)
            totals.append(time.perf_counter() - start)
        report("B", runs=args.concurrent, seconds=totals, median=median(totals))
    except Exception as err:
        timed_out = timed_out or isinstance(err, TimeoutError)
        report("B", runs=args.concurrent, failed=describe(err))
    report("phase", phase="B", state="end")
    return timed_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m peerbench.child")
    parser.add_argument("--system", required=True, choices=sorted(BY_NAME))
    parser.add_argument("--mode", required=True, choices=("warm", "cold"))
    parser.add_argument("--scratch", required=True, type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--min-seconds", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    report = Reporter()
    spec = BY_NAME[args.system]
    scratch: Path = args.scratch
    scratch.mkdir(parents=True, exist_ok=True)

    report("phase", phase="setup", state="start")
    start = time.perf_counter()
    system = spec.load()(workers=args.workers, scratch=scratch)
    try:
        system.setup()
        if args.mode == "cold":
            system.run_one(0, args.timeout)
            report("cold", in_process=time.perf_counter() - start)
    except Exception as err:
        report("failed", phase="setup" if args.mode == "warm" else "cold", reason=describe(err))
        with contextlib.suppress(Exception):
            system.close()  # whatever did start
        return 1
    report("phase", phase="setup", state="end", seconds=time.perf_counter() - start)

    timed_out = warm(system, args, report) if args.mode == "warm" else False

    report("phase", phase="close", state="start")
    start = time.perf_counter()
    try:
        system.close()
    except Exception as err:
        report("close", failed=describe(err))
    report("phase", phase="close", state="end", seconds=time.perf_counter() - start)
    report("done", versions=versions(spec.packages), abrupt=timed_out)
    shutil.rmtree(scratch, ignore_errors=True)
    if timed_out:
        # Runs that never finished may hold the interpreter's exit (threads, pools, log
        # shipping); leave now, the parent stops whatever is left.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
