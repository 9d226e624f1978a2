"""Walking the states of a flow definition (the import path of Gladier 0.8-0.11).

The code lives in :mod:`gladier.flowgen.traversal`; this module re-exports it.

Example::

    from gladier.utils.flow_traversal import get_end_states

    list(get_end_states(definition))         # ['Publish']
"""

from __future__ import annotations

from gladier.flowgen.traversal import (
    STATE_TRANSITION_KEYS,
    get_end_states,
    get_transition,
    iter_flow,
    iter_flow_states,
)

__all__ = [
    "STATE_TRANSITION_KEYS",
    "get_end_states",
    "get_transition",
    "iter_flow",
    "iter_flow_states",
]
