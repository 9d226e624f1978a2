"""``WaitState``: pause the run for some seconds or until a time.

Exactly one of ``seconds``, ``timestamp``, ``seconds_path`` and ``timestamp_path`` is set.

Example::

    >>> WaitState(state_name="Nap", seconds=5).get_flow_state_dict()
    {'Type': 'Wait', 'End': True, 'Seconds': 5}
"""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import field_validator, model_validator

from gladier.helpers import JSONObject
from gladier.state_models import StateWithNextOrEnd
from gladier.tools.helpers import exclusive_validator_generator, validate_path_property

__all__ = ["WaitState"]

_EXCLUSIVE = ["seconds", "timestamp", "seconds_path", "timestamp_path"]
_check_exclusive = exclusive_validator_generator(_EXCLUSIVE, require_one_set=True)


class WaitState(StateWithNextOrEnd):
    """A Wait state."""

    state_type: str = "Wait"
    seconds: int | None = None
    timestamp: datetime.datetime | None = None
    seconds_path: str | None = None
    timestamp_path: str | None = None

    @field_validator("timestamp", mode="before")
    @classmethod
    def _timestamp_has_time(cls, value: Any) -> Any:
        if isinstance(value, str) and "T" not in value.upper() and " " not in value.strip():
            raise ValueError(f"timestamp {value!r} needs a time, e.g. 2001-01-01T00:10:28+00:00")
        return value

    @model_validator(mode="after")
    def _one_wait(self) -> WaitState:
        _check_exclusive({name: getattr(self, name) for name in _EXCLUSIVE}, type(self).__name__)
        for name in ("seconds_path", "timestamp_path"):
            validate_path_property(name, getattr(self, name))
        return self

    def build_state(self) -> JSONObject:
        state = super().build_state()
        if self.seconds is not None:
            state["Seconds"] = self.seconds
        elif self.timestamp is not None:
            state["Timestamp"] = self.timestamp.isoformat()
        elif self.seconds_path is not None:
            state["SecondsPath"] = self.seconds_path
        elif self.timestamp_path is not None:
            state["TimestampPath"] = self.timestamp_path
        return state
