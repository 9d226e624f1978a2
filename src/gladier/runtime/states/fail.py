"""The Fail state: end the run FAILED with an Error and a Cause (§6.5)."""

from __future__ import annotations

from typing import Any

from gladier.exc import FlowRunError
from gladier.runtime.language.paths import PathNotFound
from gladier.runtime.states.base import Outcome, Raise, RunView, State, optional_path


class FailState(State):
    def compile(self) -> None:
        self.error_path = optional_path(self.raw.get("ErrorPath"))
        self.cause_path = optional_path(self.raw.get("CausePath"))

    def _field(self, run: RunView, key: str, path: Any) -> Any:
        if path is None:
            return self.raw.get(key)
        try:
            return path.read(run.state, run.context)
        except PathNotFound:
            return None

    def enter(self, run: RunView) -> Outcome:
        error = self._field(run, "Error", self.error_path)
        cause = self._field(run, "Cause", self.cause_path)
        failure = FlowRunError(
            error if error is not None else "States.Fail",
            cause if cause is not None else f"The run reached Fail state {self.name!r}",
            state_name=self.name,
        )
        return Raise(failure, fail_state=True)
