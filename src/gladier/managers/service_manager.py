"""Gladier 0.8-0.11 import path; the code lives in :mod:`gladier.managers.service`."""

from __future__ import annotations

from gladier.managers.service import ServiceManager

__all__ = [
    "ServiceManager",
]
