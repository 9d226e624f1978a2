"""Clocks: the runtime asks a clock for the time, so tests can drive time by hand.

Example::

    clock = ManualClock(start=1_700_000_000.0)
    rt = Runtime(home=tmp, clock=clock)
    ...                       # start a run that waits 60 s
    rt.wait_idle()            # let the scheduler reach the Wait state first
    clock.advance(60)         # the Wait state ends now, without sleeping
    rt.wait_idle()            # ... and the run has stepped on
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SystemClock:
    """Wall-clock time (seconds since the epoch)."""

    def time(self) -> float:
        return time.time()

    def subscribe(self, listener: Callable[[], None]) -> None:
        """System time moves by itself: nothing to notify."""


class ManualClock:
    """A clock that only moves when :meth:`advance` or :meth:`set` is called.

    The runtime's scheduler runs in its own thread: call ``Runtime.wait_idle()`` before
    moving the clock (so the runs have reached the timers you mean to fire) and after it (so
    they have stepped on).
    """

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def time(self) -> float:
        with self._lock:
            return self._now

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever the time changes (the runtime wakes its scheduler)."""
        with self._lock:
            self._listeners.append(listener)

    def advance(self, seconds: float) -> None:
        """Move the time forward by ``seconds``."""
        with self._lock:
            self._now += seconds
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def set(self, now: float) -> None:
        """Jump to ``now`` (seconds since the epoch)."""
        with self._lock:
            self._now = float(now)
            listeners = list(self._listeners)
        for listener in listeners:
            listener()


Clock = SystemClock | ManualClock
