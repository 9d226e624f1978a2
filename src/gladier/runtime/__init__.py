"""The embedded runtime: a durable, local interpreter of the Globus Flows language.

Example::

    from gladier.runtime import Runtime

    with Runtime(home="/tmp/demo-home") as rt:
        definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        flow = rt.create_flow("hello", definition)
        run = rt.run_flow(flow["id"], {"x": 1})
        print(rt.wait(run["run_id"])["status"])   # SUCCEEDED
"""

from __future__ import annotations

from typing import Any

__all__ = ["Runtime", "RuntimeOptions"]


def __getattr__(name: str) -> Any:
    if name == "Runtime":
        from gladier.runtime.runtime import Runtime

        return Runtime
    if name == "RuntimeOptions":
        from gladier.runtime.options import RuntimeOptions

        return RuntimeOptions
    raise AttributeError(f"module 'gladier.runtime' has no attribute {name!r}")
