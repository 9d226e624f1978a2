"""A run held in memory by the process that owns it, and the events it has not yet committed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.runtime.flow import CompiledFlow
from gladier.runtime.language.json_values import MAX_STATE_DEPTH, nested_deeper_than
from gladier.runtime.language.parameters import hide_private
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.run_log import Patched, PendingEvent
from gladier.runtime.timeutil import iso

TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "ENDED"})
#: Most top-level keys a patch of the last full copy of a run state may set before the
#: state is written whole again (so that reading a log entry applies one short patch).
PATCH_KEYS = 64


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
    #: The run state as its log events show it (its JSON, or a patch of ``snapshot``), while
    #: it is known and the state has no ``_private`` keys; None otherwise.
    value: str | Patched | None = None
    #: The last full JSON of the state that ``value`` patches, and the patch's parts by key.
    snapshot: str | None = None
    patch: dict[str, str] = field(default_factory=dict)
    #: JSON of each top-level ``"key":value`` of the state, in the state's order, and the
    #: length of the whole state's JSON (valid while ``value`` is set): the size limit is
    #: checked, and the state's JSON joined, without encoding the keys that did not change.
    key_parts: dict[str, str] | None = None
    size: int = 0
    #: ``(status, completion_time)`` as of the last commit (None: not known), so a commit
    #: that changes neither leaves the indexes on those columns alone.
    stored_status: tuple[str, str | None] | None = None

    def state_text(self) -> str:
        """The run state as stored (``_private`` keys included)."""
        if self.state_json is None:
            parts = self.key_parts
            if parts is not None and self.value is not None:
                self.state_json = "{" + ",".join(parts.values()) + "}"
            else:
                self.state_json = dumps(self.state)
        return self.state_json

    def shown_state(self) -> str:
        """The run state for logs, with ``_private`` keys hidden."""
        text = self.state_text()
        return dumps(hide_private(self.state)) if '"_private' in text else text

    def shown_value(self) -> str | Patched:
        """The run state as logs show it: its JSON, or a patch of an earlier full copy."""
        if self.value is not None:
            return self.value
        text = self.shown_state()
        if text is self.state_json:  # no private keys: the logs show the stored state
            self._snap(text)
        return text

    def _snap(self, text: str) -> None:
        self.value = self.snapshot = text
        self.patch = {}
        self.size = len(text)

    def replace_state(self, state: Any, text: str) -> None:
        """The state is now ``state`` (a new value), whose JSON is ``text``."""
        self.state = state
        self.forget_text()
        self.state_json = text

    def forget_text(self) -> None:
        """The state changed in an unknown way: its JSON must be made again when needed."""
        self.state_json = None
        self.value = self.snapshot = None
        self.patch = {}
        self.key_parts = None

    def known_size(self) -> int | None:
        """The JSON length of the unchanged state, when known without encoding it."""
        if self.state_json is not None:
            return len(self.state_json)
        return self.size if self.value is not None else None

    def touched(self, key: str) -> int | None:
        """The state was changed in place under its top-level ``key`` only: follow the change
        with a patch and return the state's new JSON length, or None when that cannot be done
        (then the caller encodes the whole state)."""
        state = self.state
        known = self.state_json
        if self.value is None and known is not None and '"_private' not in known:
            # No log event showed the state yet (an Action state logs its input and output,
            # not the state): its JSON from before this change is the snapshot to patch.
            self._snap(known)
        if self.snapshot is None or self.value is None or not isinstance(state, dict):
            return None
        if type(key) is not str or key not in state:
            return None
        part = dumps(key) + ":" + dumps(state[key])
        if '"_private' in part or nested_deeper_than(part, MAX_STATE_DEPTH - 1):
            return None  # the whole state is encoded (and its depth refused) by the caller
        parts = self.key_parts
        if parts is None:
            if any(type(k) is not str for k in state):
                return None  # JSON would turn such keys into strings: encode it all
            parts = {k: dumps(k) + ":" + dumps(v) for k, v in state.items()}
            size = 2 + sum(map(len, parts.values())) + max(0, len(parts) - 1)
        else:
            old = parts.get(key)
            size = (
                self.size
                - (0 if old is None else len(old))
                + len(part)
                + (1 if old is None and parts else 0)
            )
            parts[key] = part
        self.key_parts = parts
        self.size = size
        self.state_json = None
        self.patch[key] = part
        body = ",".join(self.patch.values())
        if len(self.patch) > PATCH_KEYS or len(body) > max(4096, size // 8):
            text = self.state_text()
            self._snap(text)
        else:
            self.value = Patched(self.snapshot, "{" + body + "}")
        return size

    clock_now: Any = None
    dirty: bool = False

    def now(self) -> float:
        return float(self.clock_now())

    def emit(self, code: str, description: str, details_json: str) -> None:
        """Record an event; it is committed with the run's next write."""
        self.emit_parts(code, description, details_json, None, "")

    def emit_parts(
        self, code: str, description: str, head: str, value: str | Patched | None, tail: str
    ) -> None:
        """Record an event whose details are ``head + value + tail``; ``value`` (a state copy)
        is stored once however many events carry it."""
        self.event_seq += 1
        self.pending.append(
            (self.run_id, self.event_seq, iso(self.now()), code, description, head, value, tail)
        )
        self.dirty = True

    def state_event(self, code: str, kind: str, key: str, value_json: str | Patched) -> None:
        name = self.current or ""
        verb = "started" if code.endswith("Started") else "completed"
        head = f'{{"state_name":{dumps(name)},"state_type":"{kind}","{key}":'
        self.emit_parts(code, f"State {name} of type {kind} {verb}", head, value_json, "}")

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES
