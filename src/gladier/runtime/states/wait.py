"""The Wait state: resume after a number of seconds or at a timestamp (§6.4).

A waiting run holds no thread: the scheduler keeps a timer and the wake-up time is stored.
"""

from __future__ import annotations

from typing import Any

from gladier.exc import FlowRunError
from gladier.runtime.language.timestamps import parse_timestamp
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
                return Sleep(now + float(self.seconds), self.next)
            if self.seconds_path is not None:
                value = self.seconds_path.read(run.state, run.context)
                return Sleep(now + self._seconds(value, self.seconds_path.text), self.next)
            text = (
                self.timestamp
                if self.timestamp is not None
                else self.timestamp_path.read(run.state, run.context)  # type: ignore[union-attr]
            )
            return Sleep(self._instant(text), self.next)
        except FlowRunError as err:
            err.state_name = self.name
            return Raise(err)

    def _seconds(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise FlowRunError(
                "States.Runtime",
                f"Wait state {self.name!r}: the value at {path!r} must be a non-negative "
                f"number of seconds, not {value!r}.",
            )
        return float(value)

    def _instant(self, text: Any) -> float:
        moment = parse_timestamp(text) if isinstance(text, str) else None
        if moment is None:
            raise FlowRunError(
                "States.Runtime",
                f"Wait state {self.name!r}: {text!r} is not an RFC 3339 timestamp "
                "(for example 2026-01-31T12:00:00Z).",
            )
        return moment.timestamp()
