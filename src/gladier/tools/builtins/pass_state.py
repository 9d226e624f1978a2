"""``PassState``: a state that does no work (a junction, or a place to reshape data).

Example::

    >>> PassState(state_name="Skip", parameters={"n": 1}).get_flow_state_dict()
    {'Type': 'Pass', 'ResultPath': '$.SkipResult', 'End': True, 'Parameters': {'n': 1}}
"""

from __future__ import annotations

from gladier.state_models import (
    StateWithNextOrEnd,
    StateWithParametersOrInputPath,
    StateWithResultPath,
)

__all__ = ["PassState"]


class PassState(StateWithParametersOrInputPath, StateWithNextOrEnd, StateWithResultPath):
    """A Pass state (``parameters`` or ``input_path``, ``result_path``, ``next``)."""

    state_type: str = "Pass"
