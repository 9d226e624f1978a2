"""``GladierBaseTool``, the base class of every tool (the import path of Gladier 0.8-0.11).

The code lives in :mod:`gladier.flowgen.tool`; this module re-exports it.

Example::

    from gladier.base import GladierBaseTool

    class Transfer(GladierBaseTool):
        flow_definition = {"StartAt": "Transfer", "States": {"Transfer": {...}}}
"""

from __future__ import annotations

from gladier.flowgen.tool import GladierBaseTool

__all__ = ["GladierBaseTool"]
