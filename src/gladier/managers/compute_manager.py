"""Gladier 0.8-0.11 import path; the code lives in :mod:`gladier.managers.compute`."""

from __future__ import annotations

from gladier.managers.compute import ComputeManager

__all__ = [
    "ComputeManager",
]
