"""What every state shares: compiled fields and outcomes.

A state is compiled once per definition. The interpreter calls :meth:`State.enter` with a
:class:`RunView` and gets an :class:`Outcome` back: move on (:class:`Advance`), sleep until a
time (:class:`Sleep`), call an action provider (:class:`CallAction`) or fail (:class:`Raise`).
States never do I/O themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from gladier.exc import FlowRunError
from gladier.runtime.language.paths import JsonPath, parse_path
from gladier.runtime.options import RuntimeOptions


class RunView(Protocol):
    """The part of a run a state may read."""

    state: Any
    context: Mapping[str, Any]
    options: RuntimeOptions

    def now(self) -> float: ...


@dataclass
class Advance:
    """Go to ``next`` (None: the run succeeds) with the new run ``state``."""

    next: str | None
    state: Any
    #: What the ``<Type>Completed`` event reports as output (default: the new run state).
    output: Any = None
    #: The error a Catch handled on the way, if any.
    caught: FlowRunError | None = None


@dataclass
class Sleep:
    """Wait until ``until`` (epoch seconds, the runtime's clock), then go to ``next``."""

    until: float
    next: str | None


@dataclass
class CallAction:
    """Start an action at ``url`` with request ``body``; ``shown_body`` is safe to log."""

    url: str
    body: Any
    shown_body: Any
    wait_time: float


@dataclass
class Raise:
    """The state failed with ``error`` (catchable only inside an Action state)."""

    error: FlowRunError
    #: Error and Cause from a Fail state (informative).
    fail_state: bool = False


Outcome = Advance | Sleep | CallAction | Raise


def clone(value: Any) -> Any:
    """A deep copy of a JSON value (much faster than ``copy.deepcopy``)."""
    kind = type(value)
    if kind is dict:
        return {k: clone(v) for k, v in value.items()}
    if kind is list:
        return [clone(v) for v in value]
    return value


def optional_path(text: Any) -> JsonPath | None:
    return None if text is None else parse_path(text)


@dataclass
class State:
    """A compiled state: its name, type, raw definition and transition."""

    name: str
    raw: Mapping[str, Any]
    options: RuntimeOptions
    type: str = field(init=False, default="")
    next: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.type = str(self.raw.get("Type"))
        self.next = self.raw.get("Next")
        self.compile()

    def compile(self) -> None:
        """Parse paths, templates and rules once (subclasses)."""

    def enter(self, run: RunView) -> Outcome:
        raise NotImplementedError

    def write_result(self, state: Any, path: JsonPath | None, value: Any) -> Any:
        """Write ``value`` at ``path`` (None or ``$`` replaces the whole state)."""
        if path is None or path.is_root:
            return value
        if not isinstance(state, dict):
            raise FlowRunError(
                "States.ResultPathMatchFailure",
                f"State {self.name!r} cannot write its result at {path.text!r}: "
                f"the run state is a {type(state).__name__}, not an object.",
                state_name=self.name,
            )
        return path.write(state, value)
