"""The workload every system runs: five trivial Python functions chained into one flow.

Each step takes the previous step's result. A run that starts at ``x`` ends at
``x + STEPS``; every system checks that, so a system that skipped work would be caught.

The functions live in an importable module (not ``__main__``) so that every engine can
send them to its worker processes the way it prefers (by reference or by value).
"""

from __future__ import annotations

from collections.abc import Callable


def step1(x: int) -> int:
    return x + 1


def step2(x: int) -> int:
    return x + 1


def step3(x: int) -> int:
    return x + 1


def step4(x: int) -> int:
    return x + 1


def step5(x: int) -> int:
    return x + 1


STEP_FUNCTIONS: tuple[Callable[[int], int], ...] = (step1, step2, step3, step4, step5)
STEPS = len(STEP_FUNCTIONS)


def expected(x: int) -> int:
    """The result of one run that starts at ``x``."""
    return x + STEPS


class WrongResult(AssertionError):
    """A system returned something other than ``expected(x)``."""


def check(x: int, result: object) -> int:
    """``result`` if it is the right answer for a run started at ``x``; else WrongResult."""
    if result != expected(x):
        raise WrongResult(f"a run started at {x} returned {result!r}, not {expected(x)}")
    assert isinstance(result, int)
    return result
