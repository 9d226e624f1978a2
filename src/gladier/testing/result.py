"""What a finished run left behind: its status, each state's output and its whole log.

:func:`~gladier.testing.run_client` returns a :class:`ClientRun`. A state's *output* is what its
``<Type>Completed`` log event reports: for an Action state the action's status document
(``status``, ``details``, ...), for a Choice ``{"next": <state>}``, for other states the run
state after them. A state that ran more than once (a loop) reports its last output;
:meth:`ClientRun.outputs` gives them all.

Example::

    result = run_client(MyClient, {"input": {"tar_input": str(folder)}})
    result.status                        # 'SUCCEEDED'
    result.output("Tar")["status"]       # 'SUCCEEDED'
    result.function_output("Tar")        # what the compute function returned
    list(result.state_outputs)           # ['Tar', 'Encrypt'], in the order they completed
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClientRun"]

COMPLETED_SUFFIX = "Completed"
#: How much of a failure's cause :meth:`ClientRun.describe` shows.
CAUSE_LIMIT = 1500


def _state_of(entry: Mapping[str, Any]) -> str | None:
    details = entry.get("details")
    if isinstance(details, Mapping):
        name = details.get("state_name")
        return str(name) if name is not None else None
    return None


@dataclass(frozen=True)
class ClientRun:
    """A finished run: ``run_id``, ``status``, the final run ``document`` and its ``log``.

    Example::

        result.status, result.flow_output["Tar"]["status"]
    """

    run_id: str
    status: str
    document: dict[str, Any]
    log: list[dict[str, Any]] = field(default_factory=list)

    @property
    def flow_output(self) -> Any:
        """The run state the run ended with (``details.output`` of the run document)."""
        details = self.document.get("details") or {}
        return details.get("output") if isinstance(details, Mapping) else None

    @property
    def failure(self) -> dict[str, Any] | None:
        """For a failed run, ``{"state_name", "exception", "error", "cause"}``; else ``None``."""
        if self.status != "FAILED":
            return None
        details = self.document.get("details") or {}
        inner = details.get("details") if isinstance(details, Mapping) else None
        return dict(inner) if isinstance(inner, Mapping) else {"cause": details}

    def outputs(self, state: str) -> list[Any]:
        """Every output of ``state``, in order (empty if it never completed)."""
        return [
            (entry.get("details") or {}).get("output")
            for entry in self.log
            if str(entry.get("code", "")).endswith(COMPLETED_SUFFIX) and _state_of(entry) == state
        ]

    @property
    def state_outputs(self) -> dict[str, Any]:
        """``{state name: its last output}`` for every state that completed, in order."""
        found: dict[str, Any] = {}
        for entry in self.log:
            name = _state_of(entry)
            if name is not None and str(entry.get("code", "")).endswith(COMPLETED_SUFFIX):
                found.pop(name, None)  # keep the order of the last completion
                found[name] = (entry.get("details") or {}).get("output")
        return found

    def output(self, state: str) -> Any:
        """The last output of ``state``; ``AssertionError`` saying what happened if it never
        completed."""
        outputs = self.outputs(state)
        if not outputs:
            raise AssertionError(f"State {state!r} never completed. {self.describe()}")
        return outputs[-1]

    def function_output(self, state: str, index: int = 0) -> Any:
        """What the compute function of Action state ``state`` returned (task ``index``).

        Reads ``details.results[index].output`` of the state's action; ``AssertionError`` with
        the traceback if the function raised (a generated compute state does not fail the run
        then: Gladier sets ``ExceptionOnActionFailure`` to false), and if the state is not a
        finished compute task.
        """
        action = self.output(state)
        details = action.get("details") if isinstance(action, Mapping) else None
        results = details.get("results") if isinstance(details, Mapping) else None
        if not isinstance(results, list) or len(results) <= index:
            raise AssertionError(
                f"State {state!r} has no compute result number {index}: its action ended "
                f"{action.get('status') if isinstance(action, Mapping) else action!r} with "
                f"details {details!r}"
            )
        task = results[index]
        if isinstance(task, Mapping) and "output" not in task and "exception" in task:
            raise AssertionError(
                f"The compute function of state {state!r} raised:\n{task['exception']}"
            )
        return task.get("output") if isinstance(task, Mapping) else task

    def codes(self, state: str | None = None) -> list[str]:
        """The log's event codes, in order (only those of ``state`` when given)."""
        return [
            str(entry.get("code"))
            for entry in self.log
            if state is None or _state_of(entry) == state
        ]

    def describe(self) -> str:
        """One paragraph for assertion messages: status, failure and the states that ran."""
        text = f"The run ended {self.status}"
        failure = self.failure
        if failure:
            cause = repr(failure.get("cause"))
            if len(cause) > CAUSE_LIMIT:
                cause = cause[:CAUSE_LIMIT] + f"... ({len(cause)} characters; see .failure)"
            text += f" in state {failure.get('state_name')!r} with {failure.get('error')}: {cause}"
        outputs = self.state_outputs
        text += f"; completed states: {', '.join(outputs) if outputs else 'none'}."
        for name, output in outputs.items():
            if isinstance(output, Mapping) and output.get("status") == "FAILED":
                details = output.get("details")
                reason = details.get("description") if isinstance(details, Mapping) else None
                text += f" The action of {name!r} ended FAILED: {reason or details!r}."
        return text
