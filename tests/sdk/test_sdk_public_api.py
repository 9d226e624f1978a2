"""The documented names exist at the documented import paths (Gladier 0.8 through 0.11)."""

from __future__ import annotations

import importlib

import pytest

import gladier

TOP_LEVEL = [
    "GladierBaseClient",
    "GladierClient",
    "GladierBaseTool",
    "generate_flow_definition",
    "FlowsManager",
    "CallbackLoginManager",
    "UserAppLoginManager",
]

PATHS = {
    "gladier.client": ["GladierBaseClient", "GladierClient"],
    "gladier.base": ["GladierBaseTool"],
    "gladier.managers": [
        "FlowsManager",
        "ComputeManager",
        "FuncXManager",
        "BaseLoginManager",
        "CallbackLoginManager",
        "UserAppLoginManager",
        "ConfidentialClientLoginManager",
        "AutoLoginManager",
        "ensure_flow_registered",
    ],
    "gladier.managers.flows_manager": ["FlowsManager", "ensure_flow_registered"],
    "gladier.managers.compute_manager": ["ComputeManager"],
    "gladier.managers.funcx_manager": ["FuncXManager"],
    "gladier.managers.login_manager": [
        "BaseLoginManager",
        "CallbackLoginManager",
        "UserAppLoginManager",
        "ConfidentialClientLoginManager",
        "AutoLoginManager",
    ],
    "gladier.managers.service_manager": ["ServiceManager"],
    "gladier.storage": ["GladierConfig", "GladierSecretsConfig"],
    "gladier.storage.config": ["GladierConfig"],
    "gladier.storage.tokens": ["GladierSecretsConfig"],
    "gladier.storage.migrations": [
        "AddVersionToConfig",
        "UpdateConfigVersion",
        "UpdateFuncXFunctions",
        "MigrateOldConfigFile",
    ],
    "gladier.storage.serialization": ["flat_pack", "flat_unpack"],
    "gladier.exc": [
        "GladierException",
        "AuthException",
        "ConfigException",
        "RegistrationException",
        "NoFlowRegistered",
        "ObsoleteException",
        "FlowObsolete",
        "FunctionObsolete",
        "DevelopmentException",
        "FlowGenException",
        "StateNameConflict",
        "FlowModifierException",
    ],
    "gladier.utils.tool_alias": ["StateSuffixVariablePrefix", "NoAlias", "ToolAlias"],
    "gladier.services": ["select_backend", "Backend", "FlowsService", "ComputeService"],
}


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_names(name: str) -> None:
    assert getattr(gladier, name) is not None
    assert name in dir(gladier)


@pytest.mark.parametrize(("module", "names"), sorted(PATHS.items()))
def test_documented_paths(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    for name in names:
        assert getattr(imported, name) is not None, f"{module}.{name}"


def test_manager_aliases_are_the_same_objects() -> None:
    from gladier.managers import FlowsManager
    from gladier.managers.flows_manager import FlowsManager as Old

    assert Old is FlowsManager is gladier.FlowsManager


#: Gladier 0.8-0.11 import paths whose code now lives in :mod:`gladier.flowgen`.
MOVED = {
    "gladier.base": "gladier.flowgen.tool",
    "gladier.utils.tool_alias": "gladier.flowgen.tool_alias",
    "gladier.utils.name_generation": "gladier.flowgen.names",
    "gladier.utils.flow_traversal": "gladier.flowgen.traversal",
    "gladier.utils.dynamic_imports": "gladier.flowgen.imports",
}


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_old_paths_offer_the_same_objects(old: str, new: str) -> None:
    old_module, new_module = importlib.import_module(old), importlib.import_module(new)
    assert old_module.__all__ == new_module.__all__
    for name in new_module.__all__:
        assert getattr(old_module, name) is getattr(new_module, name), f"{old}.{name}"


def test_auth_exception_carries_missing_scopes() -> None:
    from gladier.exc import AuthException

    assert AuthException("no", ["a", "b"]).missing_scopes == ("a", "b")


def loaded_after(code: str) -> set[str]:
    import subprocess
    import sys

    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_import_gladier_loads_no_client_backend_or_runtime() -> None:
    loaded = loaded_after("import gladier")
    for name in ("gladier.client", "gladier.services", "gladier.managers", "gladier.runtime"):
        assert name not in loaded


def test_building_a_client_opens_no_runtime_and_no_cloud_sdk() -> None:
    code = (
        "from gladier import GladierBaseClient\n"
        "class C(GladierBaseClient):\n"
        "    flow_definition = {'StartAt': 'P', 'States': {'P': {'Type': 'Pass', 'End': True}}}\n"
        "C()"
    )
    loaded = loaded_after(code)
    for name in ("gladier.runtime.runtime", "globus_sdk", "globus_compute_sdk", "pydantic"):
        assert name not in loaded
