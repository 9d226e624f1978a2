"""Let a state from the state-builder API (``gladier.tools``) stand in a client's tool list.

Example::

    from gladier.tools import PassState

    tool = StateTool(PassState(state_name="Start"))
    tool.get_flow_definition()["StartAt"]    # 'Start'
"""

from __future__ import annotations

from typing import Any, ClassVar

from gladier.flowgen.tool import GladierBaseTool

__all__ = ["StateTool"]


class StateTool(GladierBaseTool):
    """A tool whose flow is the definition of a state chain (``BaseState``).

    The compute functions of ``Compute`` states in the chain are exposed as
    ``compute_functions``, so a client registers them and supplies their ids as input.
    """

    #: Modifiers treat the chain's states as the plain states they are, even where the chain
    #: holds Compute states (see :func:`gladier.flowgen.modifiers.modifier_kind`).
    plain_states: ClassVar[bool] = True

    def __init__(self, state: Any) -> None:
        super().__init__()
        self.state = state
        self.flow_definition = state.get_flow_definition()
        get_functions = getattr(state, "get_compute_functions", None)
        self.compute_functions = list(get_functions()) if callable(get_functions) else []
        self.flow_transition_states = list(state.get_flow_transition_states() or [])

    def __repr__(self) -> str:
        return f"StateTool({getattr(self.state, 'valid_state_name', self.state)!r})"
