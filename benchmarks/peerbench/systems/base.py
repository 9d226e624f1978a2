"""What every system of the peer benchmark implements, and helpers for bounded waits.

A system is set up once (start its servers, pools or clusters; register the functions),
then runs the five-step workload: ``run_one`` for the latency workload (A, and the cold
start C), ``run_many`` for 200 runs started at once (B). Every wait is bounded: a run
that has not finished by its deadline raises ``TimeoutError``; runs that failed raise
``RunsFailed`` with how many failed and the most common reason.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar


def describe(exc: BaseException) -> str:
    """One short line about ``exc``: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return line if len(line) <= 200 else line[:197] + "..."


class RunsFailed(Exception):
    """Some of the runs of one workload failed (they raised, or returned a wrong result)."""

    def __init__(self, failed: int, total: int, reason: str) -> None:
        super().__init__(f"{failed} of {total} runs failed: {reason}")
        self.failed = failed
        self.total = total
        self.reason = reason

    @classmethod
    def check(
        cls,
        errors: Sequence[BaseException],
        total: int,
        explain: Callable[[BaseException], str] = describe,
    ) -> None:
        """Raise for ``errors`` (one per failed run) naming the most common reason."""
        if not errors:
            return
        counts = collections.Counter(explain(err) for err in errors)
        reason, seen = counts.most_common(1)[0]
        more = "" if seen == len(errors) else f" ({seen} of them; other reasons too)"
        raise cls(len(errors), total, reason + more)


class Deadline:
    """A point in time that several bounded waits share."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; raises TimeoutError once none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"not finished within {self.seconds:g} s")
        return left


class System:
    """One system under test; subclasses override the four methods."""

    #: What ``--systems`` calls it.
    name: ClassVar[str] = ""

    def __init__(self, *, workers: int, scratch: Path) -> None:
        self.workers = workers
        self.scratch = scratch

    def setup(self) -> None:
        """Start whatever the system needs (imports happen here, so cold starts count them)."""

    def run_one(self, x: int, timeout: float) -> int:
        """Run the five steps once from ``x``; returns the checked result."""
        raise NotImplementedError

    def run_many(self, xs: Sequence[int], timeout: float) -> list[int]:
        """Start one run per ``x`` at once and wait for all of them."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop every server, cluster, pool and process the system started."""
