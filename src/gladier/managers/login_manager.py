"""Gladier 0.8-0.11 import path; the code lives in :mod:`gladier.managers.login`."""

from __future__ import annotations

from gladier.managers.login import (
    AutoLoginManager,
    BaseLoginManager,
    CallbackLoginManager,
    ConfidentialClientLoginManager,
    UserAppLoginManager,
)

__all__ = [
    "AutoLoginManager",
    "BaseLoginManager",
    "CallbackLoginManager",
    "ConfidentialClientLoginManager",
    "UserAppLoginManager",
]
