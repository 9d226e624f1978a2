"""The Wait state: resume after a number of seconds or at a timestamp (§6.4).

A waiting run holds no thread: the scheduler keeps a timer and the wake-up time is stored.
Seconds read with ``SecondsPath`` must be a finite number from 0 to
:data:`~gladier.runtime.language.validation_states.MAX_WAIT_SECONDS` (one year, the limit the
service puts on ``Seconds``); anything else (NaN, infinity, a negative or absurd number, a string)
fails the run with ``States.Runtime`` instead of scheduling a timer that can never fire.
"""

from __future__ import annotations

import math
from typing import Any

from gladier.exc import FlowRunError
from gladier.runtime.language.timestamps import parse_timestamp
from gladier.runtime.language.validation_states import MAX_WAIT_SECONDS
from gladier.runtime.states.base import Outcome, Raise, RunView, Sleep, State, optional_path


class WaitState(State):
    def compile(self) -> None:
        self.seconds = self.raw.get("Seconds")
        self.timestamp = self.raw.get("Timestamp")
        self.seconds_path = optional_path(self.raw.get("SecondsPath"))
        self.timestamp_path = optional_path(self.raw.get("TimestampPath"))

    def enter(self, run: RunView) -> Outcome:
        now = run.now()
        try:
            if self.seconds is not None:
                return Sleep(now + self._seconds(self.seconds, "Seconds"), self.next)
            if self.seconds_path is not None:
                value = self.seconds_path.read(run.state, run.context)
                where = f"the value at {self.seconds_path.text!r}"
                return Sleep(now + self._seconds(value, where), self.next)
            text = (
                self.timestamp
                if self.timestamp is not None
                else self.timestamp_path.read(run.state, run.context)  # type: ignore[union-attr]
            )
            return Sleep(self._instant(text), self.next)
        except FlowRunError as err:
            err.state_name = self.name
            return Raise(err)

    def _seconds(self, value: Any, where: str) -> float:
        number = (
            float(value)
            if isinstance(value, int | float)
            and not isinstance(value, bool)
            # An integer too large for a float is as absurd as infinity.
            and (isinstance(value, float) or value.bit_length() <= 64)
            else math.nan
        )
        if not (math.isfinite(number) and 0 <= number <= MAX_WAIT_SECONDS):
            raise FlowRunError(
                "States.Runtime",
                f"Wait state {self.name!r}: {where} must be a number of seconds from 0 to "
                f"{MAX_WAIT_SECONDS:,} (one year), not {_show(value)}; fix the run input or "
                "use TimestampPath for a fixed time.",
            )
        return number

    def _instant(self, text: Any) -> float:
        moment = parse_timestamp(text) if isinstance(text, str) else None
        if moment is None:
            raise FlowRunError(
                "States.Runtime",
                f"Wait state {self.name!r}: {_show(text)} is not an RFC 3339 timestamp "
                "(for example 2026-01-31T12:00:00Z).",
            )
        return moment.timestamp()


def _show(value: Any) -> str:
    """A short ``repr`` of a run value for an error message."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a {value.bit_length():,}-bit integer"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"
