"""Logging of failures that repeat: each distinct failure once, then a summary now and then.

When the store cannot be written (a full disk, say) the scheduler retries every turn; logging
every attempt would flood the log. A :class:`FailureLog` logs the first occurrence of each
distinct failure, counts the repeats, logs one summary line per failure at most every
``interval`` seconds while they go on, and one line when the operation works again.

Example::

    failures = FailureLog(logging.getLogger("gladier.runtime"), interval=60)
    try:
        store_progress()
    except StoreError as err:
        failures.failed("storing run progress", err)    # "storing run progress failed: ..."
    else:
        failures.succeeded("storing run progress")
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from gladier.exc import GladierException

#: Distinct failures remembered at once; more are counted under the oldest one's summary.
MAX_DISTINCT = 64


@dataclass
class _Seen:
    what: str
    message: str
    repeats: int = 0
    total: int = 1


class FailureLog:
    """See the module docstring; ``clock`` (seconds, monotonic) is injectable for tests."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self._seen: dict[tuple[str, str], _Seen] = {}
        self._next_summary: float | None = None

    def failed(self, what: str, err: BaseException) -> None:
        """``what`` failed with ``err``: log it if it is new, else count it."""
        message = f"{type(err).__name__}: {err}"
        key = (what, message)
        now = self.clock()
        seen = self._seen.get(key)
        if seen is None:
            if len(self._seen) >= MAX_DISTINCT:
                seen = next(iter(self._seen.values()))
                seen.repeats += 1
                seen.total += 1
            else:
                self._seen[key] = _Seen(what, message)
                # A project error says what is wrong and what to do; anything else gets its
                # traceback, once.
                expected = isinstance(err, GladierException)
                self.logger.error(
                    "%s failed: %s",
                    what,
                    err if expected else message,
                    exc_info=None if expected else err,
                )
        else:
            seen.repeats += 1
            seen.total += 1
        if self._next_summary is None:
            self._next_summary = now + self.interval
        elif now >= self._next_summary:
            self._summarise(now)

    def _summarise(self, now: float) -> None:
        for seen in self._seen.values():
            if seen.repeats:
                self.logger.error(
                    "%s failed %d more time(s) in the last %.0f s (%d in all): %s",
                    seen.what,
                    seen.repeats,
                    self.interval,
                    seen.total,
                    seen.message,
                )
                seen.repeats = 0
        self._next_summary = now + self.interval

    def total(self, what: str) -> int:
        """How often ``what`` failed since it last worked."""
        return sum(seen.total for key, seen in list(self._seen.items()) if key[0] == what)

    def succeeded(self, what: str) -> None:
        """``what`` worked: if it had been failing, say so once and forget its failures."""
        if not self._seen:
            return
        done = [key for key in self._seen if key[0] == what]
        if not done:
            return
        total = sum(self._seen.pop(key).total for key in done)
        self.logger.warning("%s works again after %d failure(s)", what, total)
        if not self._seen:
            self._next_summary = None
