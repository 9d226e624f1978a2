"""The managers a Gladier client delegates to: flows, compute functions and login.

Example::

    from gladier.managers import CallbackLoginManager, ComputeManager, FlowsManager

    client = MyClient(
        login_manager=CallbackLoginManager(authorizers),
        flows_manager=FlowsManager(flow_kwargs={"keywords": ["nightly"]}),
        compute_manager=ComputeManager(auto_registration=False),
    )
"""

from __future__ import annotations

from gladier.managers.compute import ComputeManager, FuncXManager
from gladier.managers.flows import FlowsManager, ensure_flow_registered, refuse_flow_changes
from gladier.managers.login import (
    AutoLoginManager,
    BaseLoginManager,
    CallbackLoginManager,
    ConfidentialClientLoginManager,
    UserAppLoginManager,
)
from gladier.managers.service import ServiceManager

__all__ = [
    "AutoLoginManager",
    "BaseLoginManager",
    "CallbackLoginManager",
    "ComputeManager",
    "ConfidentialClientLoginManager",
    "FlowsManager",
    "FuncXManager",
    "ServiceManager",
    "UserAppLoginManager",
    "ensure_flow_registered",
    "refuse_flow_changes",
]
