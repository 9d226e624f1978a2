"""Gladier: automate research data pipelines as Globus Flows.

Importing this package is cheap: public names are resolved on first use.
"""

from __future__ import annotations

import logging
from typing import Any

from gladier.version import __version__

__all__ = ["__version__"]

_LAZY: dict[str, str] = {
    "GladierBaseClient": "gladier.client",
    "GladierClient": "gladier.client",
    "GladierBaseTool": "gladier.flowgen.tool",
    "FlowsManager": "gladier.managers",
    "CallbackLoginManager": "gladier.managers",
    "UserAppLoginManager": "gladier.managers",
    "generate_flow_definition": "gladier.decorators",
    "JSONObject": "gladier.helpers",
    "JSONList": "gladier.helpers",
    "JSONValue": "gladier.helpers",
    "BaseState": "gladier.state_models",
    "BaseCompositeState": "gladier.state_models",
    "StateWithNextOrEnd": "gladier.state_models",
    "StateWithParametersOrInputPath": "gladier.state_models",
    "StateWithResultPath": "gladier.state_models",
}

logging.getLogger("gladier").addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'gladier' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(target)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
