"""A run held in memory by the process that owns it, and the events it has not yet committed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.runtime.flow import CompiledFlow
from gladier.runtime.language.parameters import hide_private
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.run_log import PendingEvent
from gladier.runtime.timeutil import iso

TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "ENDED"})


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def shown(value: Any) -> str:
    """JSON of ``value`` for logs, with ``_private`` keys hidden."""
    text = dumps(value)
    if '"_private' in text:
        text = dumps(hide_private(value))
    return text


@dataclass
class LiveRun:
    """Everything the scheduler needs to advance one run."""

    run_id: str
    flow_id: str
    definition_id: str
    flow: CompiledFlow
    state: Any
    current: str | None
    phase: str  # ready | waiting | action | done
    status: str
    attempt: int
    event_seq: int
    context: Mapping[str, Any]
    options: RuntimeOptions
    label: str | None = None
    run_managers: list[str] = field(default_factory=list)
    run_monitors: list[str] = field(default_factory=list)
    wake_at: float | None = None
    action: dict[str, Any] | None = None
    completion_time: str | None = None
    pending: list[PendingEvent] = field(default_factory=list)
    timer_gen: int = 0
    cancel: bool = False
    #: Provider notes (``details.notes``) already written to the log for the current action.
    noted: set[str] = field(default_factory=set)
    #: JSON of ``state`` while it is unchanged (None: not known), so each step encodes the
    #: run state once for its size check, its log events and its commit.
    state_json: str | None = None
    #: The run state's JSON as of the last commit and its id in ``state_values`` (None when
    #: it is not stored there), so an unchanged state is not written again.
    stored_value: tuple[str, int] | None = None

    def state_text(self) -> str:
        """The run state as stored (``_private`` keys included)."""
        if self.state_json is None:
            self.state_json = dumps(self.state)
        return self.state_json

    def shown_state(self) -> str:
        """The run state for logs, with ``_private`` keys hidden."""
        text = self.state_text()
        return dumps(hide_private(self.state)) if '"_private' in text else text

    clock_now: Any = None
    dirty: bool = False

    def now(self) -> float:
        return float(self.clock_now())

    def emit(self, code: str, description: str, details_json: str) -> None:
        """Record an event; it is committed with the run's next write."""
        self.emit_parts(code, description, details_json, None, "")

    def emit_parts(
        self, code: str, description: str, head: str, value: str | None, tail: str
    ) -> None:
        """Record an event whose details are ``head + value + tail``; ``value`` (a state copy)
        is stored once however many events carry it."""
        self.event_seq += 1
        self.pending.append(
            (self.run_id, self.event_seq, iso(self.now()), code, description, head, value, tail)
        )
        self.dirty = True

    def state_event(self, code: str, kind: str, key: str, value_json: str) -> None:
        name = self.current or ""
        verb = "started" if code.endswith("Started") else "completed"
        head = f'{{"state_name":{dumps(name)},"state_type":"{kind}","{key}":'
        self.emit_parts(code, f"State {name} of type {kind} {verb}", head, value_json, "}")

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES
