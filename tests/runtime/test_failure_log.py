"""Repeated failures are logged once each, then summarised at most every interval."""

from __future__ import annotations

import logging

import pytest

from gladier.exc import StoreFull
from gladier.runtime.failure_log import MAX_DISTINCT, FailureLog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_each_distinct_failure_is_logged_once_then_summarised(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    caplog.set_level(logging.INFO, logger="t")
    failures = FailureLog(logging.getLogger("t"), interval=60, clock=clock)
    full = StoreFull("No space left on device writing /h/runtime.db", "/h/runtime.db")
    for _ in range(10_000):
        failures.failed("storing run progress", full)
        clock.now += 0.001
    assert messages(caplog) == [
        "storing run progress failed: No space left on device writing /h/runtime.db"
    ]
    assert caplog.records[0].exc_info is None  # a project error says it all: no traceback
    clock.now += 60
    failures.failed("storing run progress", full)
    assert len(caplog.records) == 2
    assert messages(caplog)[1].startswith(
        "storing run progress failed 10000 more time(s) in the last 60 s (10001 in all)"
    )
    failures.failed("storing run progress", full)  # the next summary waits for the interval
    assert len(caplog.records) == 2
    assert failures.total("storing run progress") == 10_002
    failures.succeeded("storing run progress")
    assert messages(caplog)[2] == "storing run progress works again after 10002 failure(s)"
    assert failures.total("storing run progress") == 0
    failures.succeeded("storing run progress")  # nothing new to say
    assert len(caplog.records) == 3


def test_other_errors_get_their_traceback_once_and_kinds_are_kept_apart(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    failures = FailureLog(logging.getLogger("t"), interval=60, clock=clock)
    for _ in range(3):
        try:
            raise OSError("disk on fire")
        except OSError as err:
            failures.failed("renewing leases", err)
        failures.failed("storing run progress", ValueError("bad"))
    assert messages(caplog) == [
        "renewing leases failed: OSError: disk on fire",
        "storing run progress failed: ValueError: bad",
    ]
    assert caplog.records[0].exc_info is not None


def test_the_number_of_distinct_failures_remembered_is_bounded(
    caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    failures = FailureLog(logging.getLogger("t"), interval=60, clock=clock)
    for i in range(MAX_DISTINCT * 3):
        failures.failed("a scheduler turn", RuntimeError(f"run {i} broke"))
    assert len(caplog.records) == MAX_DISTINCT
    assert failures.total("a scheduler turn") == MAX_DISTINCT * 3
