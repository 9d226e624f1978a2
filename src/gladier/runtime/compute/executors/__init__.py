"""Executors: one module per kind, imported only when an endpoint of that kind is first used.

Example::

    from gladier.runtime.compute.executors import create_executor
    executor = create_executor(endpoint, home=Path("~/.gladier").expanduser())
"""

from __future__ import annotations

import importlib
from pathlib import Path

from gladier.exc import ConfigException
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors.base import Done, Executor, Task, TaskOutcome

__all__ = ["Done", "Executor", "Task", "TaskOutcome", "create_executor"]

_MODULES = {
    "process": ("gladier.runtime.compute.executors.process", "ProcessExecutor"),
    "thread": ("gladier.runtime.compute.executors.thread", "ThreadExecutor"),
    "dask": ("gladier.runtime.compute.executors.dask", "DaskExecutor"),
    "parsl": ("gladier.runtime.compute.executors.parsl", "ParslExecutor"),
    "globus-compute": (
        "gladier.runtime.compute.executors.globus_compute",
        "GlobusComputeExecutor",
    ),
}


def create_executor(endpoint: Endpoint, *, home: Path) -> Executor:
    """The executor for ``endpoint`` (nothing starts until its first task)."""
    try:
        module_name, class_name = _MODULES[endpoint.executor]
    except KeyError:
        raise ConfigException(
            f"Endpoint {endpoint.name!r} has unknown executor kind {endpoint.executor!r}"
        ) from None
    cls: type[Executor] = getattr(importlib.import_module(module_name), class_name)
    return cls(endpoint, home=home)
