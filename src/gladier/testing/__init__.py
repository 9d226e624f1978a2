"""Test your own Gladier clients offline: a throw-away runtime home, runs to completion,
stand-ins for outside services and single compute functions, and assertions on the run log.

Installed with Gladier as a pytest plugin (``gladier.testing.plugin``): the fixtures
``gladier_home`` and ``gladier_runtime`` are available in every test. The helpers also work
without pytest. See docs/testing.md.

Example::

    from gladier.testing import assert_state_succeeded, run_client, stub_transfer

    def test_my_pipeline(gladier_home, tmp_path):
        transfer = stub_transfer()
        result = run_client(MyPipeline, {"input": {"data_dir": str(tmp_path)}})
        assert_state_succeeded(result, "Process")
        assert transfer.call_count == 1

Importing this package is cheap: the names below are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gladier.testing.assertions import (
        assert_log_contains,
        assert_run_failed,
        assert_run_succeeded,
        assert_state_failed,
        assert_state_succeeded,
    )
    from gladier.testing.functions import FunctionStub, stub_function
    from gladier.testing.home import isolated_home
    from gladier.testing.result import ClientRun
    from gladier.testing.run import run_client
    from gladier.testing.stubs import (
        ActionAnswer,
        StubAction,
        failed,
        stub_action,
        stub_search,
        stub_transfer,
        succeeded,
    )

__all__ = [
    "ActionAnswer",
    "ClientRun",
    "FunctionStub",
    "StubAction",
    "assert_log_contains",
    "assert_run_failed",
    "assert_run_succeeded",
    "assert_state_failed",
    "assert_state_succeeded",
    "failed",
    "isolated_home",
    "run_client",
    "stub_action",
    "stub_function",
    "stub_search",
    "stub_transfer",
    "succeeded",
]

_LAZY: dict[str, str] = {
    "ActionAnswer": "gladier.testing.stubs",
    "ClientRun": "gladier.testing.result",
    "FunctionStub": "gladier.testing.functions",
    "StubAction": "gladier.testing.stubs",
    "assert_log_contains": "gladier.testing.assertions",
    "assert_run_failed": "gladier.testing.assertions",
    "assert_run_succeeded": "gladier.testing.assertions",
    "assert_state_failed": "gladier.testing.assertions",
    "assert_state_succeeded": "gladier.testing.assertions",
    "failed": "gladier.testing.stubs",
    "isolated_home": "gladier.testing.home",
    "run_client": "gladier.testing.run",
    "stub_action": "gladier.testing.stubs",
    "stub_function": "gladier.testing.functions",
    "stub_search": "gladier.testing.stubs",
    "stub_transfer": "gladier.testing.stubs",
    "succeeded": "gladier.testing.stubs",
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'gladier.testing' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
