"""``ExpressionEvalState``: compute values with Flows expressions (``"x.=": "a + 1"``).

Example::

    >>> state = ExpressionEvalState(parameters={"total": "=1 + 2"}, result_path="$.sum")
    >>> state.get_flow_state_dict()["Parameters"]
    {'total.=': '1 + 2'}
"""

from __future__ import annotations

from typing import Any

from gladier.state_models import (
    StateWithNextOrEnd,
    StateWithParametersOrInputPath,
    StateWithResultPath,
)

__all__ = ["ExpressionEvalState"]


class ExpressionEvalState(StateWithParametersOrInputPath, StateWithResultPath, StateWithNextOrEnd):
    """An ExpressionEval state: its rendered ``parameters`` are stored at ``result_path``."""

    state_type: str = "ExpressionEval"
    parameters: dict[str, Any] | None = None
