"""The Action state: call an action provider and store its status document (§6.1, §7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gladier.exc import FlowRunError
from gladier.runtime.language.parameters import Parameters, compile_parameters
from gladier.runtime.language.paths import JsonPath
from gladier.runtime.states.base import (
    Advance,
    CallAction,
    Outcome,
    Raise,
    RunView,
    State,
    clone,
    optional_path,
)

DEFAULT_WAIT_TIME = 300
ALL_ERRORS = frozenset({"States.ALL", "States.All"})


@dataclass(frozen=True)
class Catcher:
    errors: frozenset[str]
    next: str
    result_path: JsonPath | None

    def matches(self, error: str, catch_runtime: bool) -> bool:
        if error in self.errors:
            return True
        if self.errors & ALL_ERRORS:
            return error != "States.Runtime" or catch_runtime
        return False


def error_object(error: FlowRunError, state_name: str) -> dict[str, Any]:
    """The object a Catch writes (spec §13 default shape)."""
    cause = clone(error.cause)
    return {
        "Error": error.error,
        "Cause": cause,
        "state_name": state_name,
        "exception": error.error,
        "cause": clone(cause),
    }


class ActionState(State):
    def compile(self) -> None:
        raw = self.raw
        self.url = str(raw.get("ActionUrl") or raw.get("Handler") or "")
        self.input_path = optional_path(raw.get("InputPath"))
        params = raw.get("Parameters")
        self.parameters: Parameters | None = None if params is None else compile_parameters(params)
        self.result_path = optional_path(raw.get("ResultPath"))
        self.wait_time = float(raw.get("WaitTime", DEFAULT_WAIT_TIME))
        eoaf = raw.get("ExceptionOnActionFailure")
        self.exception_on_failure = (
            self.options.action_failure_default if eoaf is None else bool(eoaf)
        )
        self.catchers = [
            Catcher(frozenset(c["ErrorEquals"]), c["Next"], optional_path(c.get("ResultPath")))
            for c in raw.get("Catch", [])
        ]

    def enter(self, run: RunView) -> Outcome:
        try:
            if self.input_path is not None:
                body = clone(self.input_path.read(run.state, run.context))
                shown = body
            else:
                assert self.parameters is not None
                body = self.parameters.render(
                    run.state, run.context, extra_functions=run.options.extra_expression_functions
                )
                shown = self.parameters.redact(body)
        except FlowRunError as err:
            err.state_name = self.name
            return self.catch(run, err)
        return CallAction(self.url, body, shown, self.wait_time)

    def complete(self, run: RunView, doc: Mapping[str, Any]) -> Outcome:
        """The action reached SUCCEEDED or FAILED with status document ``doc``."""
        stored = dict(doc)
        stored["state_name"] = self.name
        if stored.get("status") == "FAILED" and self.exception_on_failure:
            return self.catch(
                run, FlowRunError("ActionFailedException", stored, state_name=self.name)
            )
        try:
            state = self.write_result(run.state, self.result_path, clone(stored))
        except FlowRunError as err:
            err.state_name = self.name
            return Raise(err)
        return Advance(self.next, state, output=stored)

    def catch(self, run: RunView, error: FlowRunError) -> Outcome:
        """Route ``error`` through this state's Catch list, or fail the run with it."""
        error.state_name = error.state_name or self.name
        for catcher in self.catchers:
            if catcher.matches(error.error, run.options.catch_runtime_errors):
                obj = error_object(error, self.name)
                try:
                    state = self.write_result(run.state, catcher.result_path, obj)
                except FlowRunError as err:
                    err.state_name = self.name
                    return Raise(err)
                return Advance(catcher.next, state, output=obj, caught=error)
        return Raise(error)
