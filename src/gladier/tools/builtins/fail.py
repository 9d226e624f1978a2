"""``FailState``: end the run in failure, with an error name and a cause.

Example::

    >>> FailState(state_name="Bad", cause="no data", error="NoData").get_flow_state_dict()
    {'Type': 'Fail', 'Cause': 'no data', 'Error': 'NoData'}
"""

from __future__ import annotations

from gladier.helpers import JSONObject
from gladier.state_models import BaseState

__all__ = ["FailState"]


class FailState(BaseState):
    """A Fail state with optional ``cause`` and ``error``."""

    state_type: str = "Fail"
    cause: str | None = None
    error: str | None = None

    def build_state(self) -> JSONObject:
        state = super().build_state()
        if self.cause is not None:
            state["Cause"] = self.cause
        if self.error is not None:
            state["Error"] = self.error
        return state

    def get_flow_definition(self) -> JSONObject:
        return super().get_flow_definition()
