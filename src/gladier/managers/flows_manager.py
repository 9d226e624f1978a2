"""Gladier 0.8-0.11 import path; the code lives in :mod:`gladier.managers.flows`."""

from __future__ import annotations

from gladier.managers.flows import FlowsManager, ensure_flow_registered

__all__ = [
    "FlowsManager",
    "ensure_flow_registered",
]
