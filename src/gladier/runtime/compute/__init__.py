"""Globus Compute on the embedded runtime: functions, endpoints, executors, the action provider.

Functions are stored by value in the runtime store (:mod:`.functions`), endpoints are named
executor configurations (:mod:`.endpoints`), executors run tasks (:mod:`.executors`), and the
action provider (:mod:`.provider`) serves ``https://compute.actions.globus.org`` and its older
and newer URLs. :class:`~gladier.runtime.compute.api.ComputeAPI` is ``rt.compute``,
the functions and endpoints of one runtime.

Importing this package is cheap: no serializer and no executor library is loaded until a
function is registered or a task runs.

Example::

    from gladier.runtime import Runtime
    from gladier.runtime.compute import DEFAULT_ENDPOINT_ID

    def add(a, b):
        return a + b

    with Runtime() as rt:
        function_id = rt.register_function(add)
        print(rt.get_endpoint(DEFAULT_ENDPOINT_ID)["name"])   # default
"""

from __future__ import annotations

from gladier.runtime.compute.constants import (
    COMPUTE_URLS,
    DEFAULT_ENDPOINT_ID,
    EXECUTOR_KINDS,
)

__all__ = ["COMPUTE_URLS", "DEFAULT_ENDPOINT_ID", "EXECUTOR_KINDS"]
