"""The model of a run's progress: one :class:`StateVisit` per state entered, from its event log.

Example::

    >>> progress = RunProgress("r1")
    >>> progress.apply([{"time": "2026-01-01T00:00:00+00:00", "code": "PassStarted",
    ...                  "details": {"state_name": "P", "state_type": "Pass"}}])
    True
    >>> progress.active.name, progress.active.status
    ('P', 'ACTIVE')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

__all__ = [
    "ACTION_FAILED",
    "TERMINAL",
    "ActionFailure",
    "RunProgress",
    "StateVisit",
    "action_failure",
    "epoch_seconds",
    "explain_error",
]

#: Run statuses after which nothing changes any more.
TERMINAL: Final = frozenset({"SUCCEEDED", "FAILED", "ENDED"})
#: How a state is shown whose action FAILED while the run went on (ExceptionOnActionFailure
#: false, as in the Compute states Gladier generates).
ACTION_FAILED: Final = "ACTION FAILED"


def epoch_seconds(stamp: Any) -> float | None:
    """Seconds since the epoch of an ISO 8601 timestamp; ``None`` when it is not one.

    Example::

        >>> epoch_seconds("1970-01-01T00:01:00+00:00"), epoch_seconds("soon")
        (60.0, None)
    """
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class ActionFailure:
    """A state's action that ended FAILED while its run went on.

    Example::

        >>> failure = ActionFailure("Task 1 raised ValueError: bad", function="tar",
        ...                         type="ValueError", message="bad")
        >>> failure.summary()
        'tar raised ValueError: bad'
    """

    description: str
    function: str | None = None
    type: str | None = None
    message: str | None = None
    #: The traceback's last frame line, e.g. ``File "/x/steps.py", line 6, in tar``.
    where: str | None = None
    traceback: str | None = None
    #: How many of the action's tasks failed, of how many.
    failed_tasks: int = 1
    total_tasks: int = 1

    def summary(self) -> str:
        """One line: which function raised what (or the action's own description)."""
        if self.function and self.type:
            text = f"{self.function} raised {self.type}"
            if self.message:
                text += f": {self.message}"
        else:
            text = self.description
        if self.total_tasks > 1:
            text += f" ({self.failed_tasks} of {self.total_tasks} tasks failed)"
        return " ".join(text.split())


def action_failure(document: Any) -> ActionFailure | None:
    """The :class:`ActionFailure` of a state's result, when it is a FAILED action's document.

    Example::

        >>> action_failure({"action_id": "a1", "status": "FAILED", "details": {
        ...     "description": "Task 1 raised KeyError: 'x'", "errors": [{
        ...         "function_name": "f", "type": "KeyError", "message": "'x'",
        ...         "traceback": 'Traceback ...\\n  File "/w/f.py", line 3, in f\\n'
        ...                      "    d['x']\\nKeyError: 'x'\\n"}]}}).where
        'File "/w/f.py", line 3, in f'
        >>> action_failure({"action_id": "a1", "status": "SUCCEEDED", "details": {}}) is None
        True
    """
    if not isinstance(document, Mapping) or document.get("status") != "FAILED":
        return None
    if "action_id" not in document:
        return None
    details = document.get("details")
    details = details if isinstance(details, Mapping) else {}
    errors = [e for e in details.get("errors") or [] if isinstance(e, Mapping)]
    first = errors[0] if errors else {}
    trace = first.get("traceback") or details.get("exception")
    trace = trace if isinstance(trace, str) and trace.strip() else None
    where = None
    if trace:
        frames = [line.strip() for line in trace.splitlines() if line.strip().startswith("File ")]
        where = frames[-1] if frames else None
    results = details.get("results")
    total = len(results) if isinstance(results, list) and results else max(1, len(errors))
    description = str(
        details.get("description") or details.get("code") or document.get("display_status") or ""
    )
    return ActionFailure(
        description=" ".join(description.split()) or "the action FAILED",
        function=_text(first.get("function_name")),
        type=_text(first.get("type")),
        message=_text(first.get("message")),
        where=where,
        traceback=trace.rstrip("\n") if trace else None,
        failed_tasks=max(1, len(errors)),
        total_tasks=total,
    )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


@dataclass
class StateVisit:
    """One pass through a state (a state reached twice gets two visits).

    Example::

        >>> StateVisit("Tar", "Action", "SUCCEEDED", started="2026-01-01T00:00:00+00:00",
        ...            ended="2026-01-01T00:00:01+00:00").duration()
        1.0
    """

    name: str
    type: str
    status: str
    started: str | None = None
    ended: str | None = None
    action_id: str | None = None
    #: One line: what went wrong (also for a caught error).
    error: str | None = None
    #: The traceback text of a failed compute task, when there is one.
    traceback: str | None = None
    #: A short remark: the branch a Choice took, why an action is inactive.
    note: str | None = None
    #: The state's action ended FAILED but the run went on (ExceptionOnActionFailure false).
    failed_action: ActionFailure | None = None
    #: What the state produced (from its Completed event), when it completed.
    output: Any = None

    @property
    def shown_status(self) -> str:
        """The status to show: :data:`ACTION_FAILED` for a state whose action failed."""
        if self.failed_action is not None and self.status == "SUCCEEDED":
            return ACTION_FAILED
        return self.status

    def duration(self, now: float | None = None) -> float | None:
        """Seconds from start to end (or to ``now`` while it runs)."""
        start = epoch_seconds(self.started)
        if start is None:
            return None
        end = epoch_seconds(self.ended) if self.ended else now
        return None if end is None else max(0.0, end - start)


@dataclass
class RunProgress:
    """A run as its event log tells it: one :class:`StateVisit` per state entered.

    Example::

        >>> progress = RunProgress("r1")
        >>> progress.apply([
        ...     {"time": "2026-01-01T00:00:00+00:00", "code": "PassStarted",
        ...      "details": {"state_name": "Prepare", "state_type": "Pass"}},
        ...     {"time": "2026-01-01T00:00:01+00:00", "code": "PassCompleted",
        ...      "details": {"state_name": "Prepare", "state_type": "Pass"}},
        ... ])
        True
        >>> [(v.name, v.status, v.duration()) for v in progress.visits]
        [('Prepare', 'SUCCEEDED', 1.0)]
    """

    run_id: str
    run: dict[str, Any] = field(default_factory=dict)
    visits: list[StateVisit] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The run's status (``ACTIVE`` until the run document says otherwise)."""
        return str(self.run.get("status") or "ACTIVE")

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    @property
    def active(self) -> StateVisit | None:
        """The visit in progress, if any."""
        for visit in reversed(self.visits):
            if visit.status in ("ACTIVE", "INACTIVE"):
                return visit
        return None

    def statuses(self) -> dict[str, str]:
        """``{state name: status of its latest visit}``, for colouring a flow graph (a state
        whose action failed counts as FAILED)."""
        return {
            visit.name: "FAILED" if visit.shown_status == ACTION_FAILED else visit.status
            for visit in self.visits
        }

    def failed_actions(self) -> list[StateVisit]:
        """The visits whose action FAILED while the run went on, in order.

        Example::

            [v.failed_action.summary() for v in progress.failed_actions()]
        """
        return [visit for visit in self.visits if visit.failed_action is not None]

    def last_output(self) -> StateVisit | None:
        """The last visit that completed (what the flow produced last), if any."""
        for visit in reversed(self.visits):
            if visit.ended and visit.status in ("SUCCEEDED", "CAUGHT"):
                return visit
        return None

    def visit(self, name: str) -> StateVisit | None:
        """The latest visit of the state ``name``, if it was entered."""
        return self._visit(name)

    def failure(self) -> StateVisit | None:
        """The visit where the run failed, if it did."""
        for visit in reversed(self.visits):
            if visit.status == "FAILED":
                return visit
        return None

    def set_run(self, run: Mapping[str, Any]) -> bool:
        """Store the latest run document; True when its status changed."""
        changed = run.get("status") != self.run.get("status")
        self.run = dict(run)
        return changed

    def apply(self, entries: Iterable[Mapping[str, Any]]) -> bool:
        """Fold new log entries (oldest first) into the visits; True when anything changed."""
        changed = False
        for entry in entries:
            self.events.append(dict(entry))
            changed = self._apply_one(entry) or changed
        return changed

    def _visit(self, name: str) -> StateVisit | None:
        for visit in reversed(self.visits):
            if visit.name == name:
                return visit
        return None

    def _apply_one(self, entry: Mapping[str, Any]) -> bool:
        code = str(entry.get("code", ""))
        when = entry.get("time")
        details = entry.get("details")
        details = details if isinstance(details, Mapping) else {}
        name = details.get("state_name")
        if code == "FlowFailed":
            return self._flow_failed(details, when)
        if code == "FlowCanceled":
            return self._end_open_visits("CANCELED", when)
        if not isinstance(name, str):
            return False
        visit = self._visit(name)
        if code.endswith("Started") and code != "FlowStarted":
            kind = str(details.get("state_type") or code[: -len("Started")])
            self.visits.append(
                StateVisit(name, kind, "ACTIVE", started=when, action_id=details.get("action_id"))
            )
            return True
        if visit is None:
            return False
        if code.endswith("Completed"):
            if visit.status != "CAUGHT":
                visit.status = "SUCCEEDED"
            visit.ended = when
            output = details.get("output")
            visit.output = output
            if visit.type == "Choice" and isinstance(output, Mapping) and output.get("next"):
                visit.note = f"→ {output['next']}"
            if visit.type == "Action":
                visit.failed_action = action_failure(output)
            return True
        if code in ("ActionFailed", "StateFailed"):
            visit.status = "CAUGHT"
            message, trace = explain_error(details.get("error"), details.get("cause"))
            visit.error = f"{message} (caught; going to {details.get('next')})"
            visit.traceback = trace
            return True
        if code == "ActionInactive":
            visit.status = "INACTIVE"
            visit.note = str(entry.get("description") or details.get("description") or "")
            return True
        if code == "ActionActive":
            visit.status = "ACTIVE"
            visit.note = None
            return True
        return False

    def _flow_failed(self, details: Mapping[str, Any], when: Any) -> bool:
        failure = details.get("details")
        failure = failure if isinstance(failure, Mapping) else {}
        name = str(failure.get("state_name") or "")
        visit = self._visit(name) if name else self.active
        if visit is None or visit.status not in ("ACTIVE", "INACTIVE"):
            visit = StateVisit(name or "?", "?", "FAILED", started=when)
            self.visits.append(visit)
        visit.status = "FAILED"
        visit.ended = when
        message, trace = explain_error(failure.get("error"), failure.get("cause"))
        visit.error = message
        visit.traceback = trace
        return True

    def _end_open_visits(self, status: str, when: Any) -> bool:
        changed = False
        for visit in self.visits:
            if visit.status in ("ACTIVE", "INACTIVE"):
                visit.status = status
                visit.ended = when
                changed = True
        return changed


def explain_error(error: Any, cause: Any) -> tuple[str, str | None]:
    """``(one line, traceback or None)`` for a Flows error name and its cause.

    The cause of an action failure is the action's status document: its ``details`` carry a
    description and, for a compute task, the traceback (``exception`` or ``errors[].traceback``).

    Example::

        >>> explain_error("States.Runtime", "the path $.x was not found")
        ('States.Runtime: the path $.x was not found', None)
        >>> message, trace = explain_error(
        ...     "ActionFailedException",
        ...     {"details": {"description": "Task 1 raised ValueError: bad",
        ...                  "exception": "Traceback (most recent call last):\\n..."}})
        >>> message
        'ActionFailedException: Task 1 raised ValueError: bad'
        >>> trace.splitlines()[0]
        'Traceback (most recent call last):'
    """
    name = str(error) if error else "Error"
    trace: str | None = None
    if isinstance(cause, Mapping):
        details = cause.get("details")
        source: Mapping[str, Any] = details if isinstance(details, Mapping) else cause
        fatal = source.get("fatal_error")  # a Transfer task: why it ended
        text = (
            source.get("description")
            or source.get("message")
            or (
                f"{fatal.get('code')}: {fatal['description']}"
                if isinstance(fatal, Mapping) and fatal.get("description")
                else None
            )
            or cause.get("description")
            or (f"{source['error']}" if source.get("error") else None)
            or source.get("code")
            or cause.get("status")
            or ""
        )
        if source.get("error") and isinstance(text, str) and str(source["error"]) not in text:
            text = f"{source['error']}: {text}"
        trace = _traceback_in(source)
    else:
        text = "" if cause is None else str(cause)
    message = f"{name}: {text}" if text else name
    return " ".join(str(message).split()), trace


def _traceback_in(details: Mapping[str, Any]) -> str | None:
    candidates: list[Any] = [details.get("exception"), details.get("traceback")]
    for item in details.get("errors") or []:
        if isinstance(item, Mapping):
            candidates.append(item.get("traceback"))
    for text in candidates:
        if isinstance(text, str) and "Traceback" in text:
            return text.rstrip("\n")
    return None
