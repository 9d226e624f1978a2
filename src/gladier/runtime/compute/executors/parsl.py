"""The ``parsl`` executor: tasks go to a Parsl HighThroughputExecutor (``gladier[parsl]``).

Configuration (JSON, so it can live in the store):

* ``provider``: ``{"type": "local" | "slurm" | "pbs" | "kubernetes", ...}``; the other keys are
  keyword arguments of Parsl's ``LocalProvider``, ``SlurmProvider``, ``PBSProProvider`` or
  ``KubernetesProvider``. A ``launcher`` key may name a Parsl launcher the same way
  (``{"type": "srun" | "mpiexec" | "single" | "simple", ...}``). Default: one local block.
* ``executor``: keyword arguments of ``HighThroughputExecutor`` (``max_workers_per_node``,
  ``cores_per_worker``, ...).
* ``config_factory``: ``"package.module:function"`` returning a complete ``parsl.Config``
  instead (its first executor is used).
* ``run_dir``: Parsl's log folder (default ``<home>/parsl/<endpoint id>``).

The runtime starts its own ``DataFlowKernel`` on the first task (it never touches Parsl's
global one) and cleans it up when it closes. Workers run
:func:`gladier.runtime.compute.worker.execute`, so gladier must be installed where they run.

Example::

    rt.create_endpoint("hpc", executor="parsl", config={
        "provider": {"type": "slurm", "partition": "debug", "nodes_per_block": 1,
                     "launcher": {"type": "srun"}},
        "executor": {"max_workers_per_node": 8},
    })
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gladier.exc import ConfigException
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors.base import (
    Done,
    StartsInBackground,
    Task,
    TaskOutcome,
    load_callable,
    report,
)
from gladier.runtime.compute.worker import execute

PROVIDERS = {
    "local": "LocalProvider",
    "slurm": "SlurmProvider",
    "pbs": "PBSProProvider",
    "kubernetes": "KubernetesProvider",
}
LAUNCHERS = {
    "srun": "SrunLauncher",
    "mpiexec": "MpiExecLauncher",
    "single": "SingleNodeLauncher",
    "simple": "SimpleLauncher",
}
LOCAL_DEFAULTS = {"init_blocks": 1, "min_blocks": 0, "max_blocks": 1}
LOST_WORKER_ERRORS = ("ManagerLost", "WorkerLost")
STRATEGY_PERIOD = 1.0


def _build(kind: str, settings: Mapping[str, Any]) -> Any:
    """A Parsl provider or launcher from its JSON description ``{"type": ..., **kwargs}``."""
    table, module, default = (
        (PROVIDERS, "parsl.providers", "local")
        if kind == "provider"
        else (LAUNCHERS, "parsl.launchers", "single")
    )
    values = dict(settings)
    name = str(values.pop("type", default))
    if name not in table:
        raise ConfigException(f"Unknown Parsl {kind} type {name!r}; use one of {', '.join(table)}")
    if kind == "provider":
        if "launcher" in values:
            values["launcher"] = _build("launcher", values["launcher"])
        if name == "local":
            values = {**LOCAL_DEFAULTS, **values}
    cls = getattr(importlib.import_module(module), table[name])
    return cls(**values)


def _local_commands() -> dict[str, Any]:
    """Launch Parsl's interchange and worker pool with this interpreter.

    Parsl's defaults name the scripts ``interchange.py`` and ``process_worker_pool.py`` and
    rely on ``PATH``, which does not hold the virtual environment's ``bin`` folder when the
    runtime runs as ``.venv/bin/python script.py``.
    """
    from parsl.executors.high_throughput.executor import DEFAULT_LAUNCH_CMD

    python = sys.executable
    scripts = Path(python).parent
    interchange = scripts / "interchange.py"
    pool = scripts / "process_worker_pool.py"
    return {
        "address": "127.0.0.1",
        "interchange_launch_cmd": [python, str(interchange)]
        if interchange.exists()
        else [python, "-m", "parsl.executors.high_throughput.interchange"],
        "launch_cmd": DEFAULT_LAUNCH_CMD.replace(
            "process_worker_pool.py",
            f"{python} {pool}"
            if pool.exists()
            else f"{python} -m parsl.executors.high_throughput.process_worker_pool",
            1,
        ),
    }


class ParslExecutor(StartsInBackground):
    """Submits tasks to a Parsl HighThroughputExecutor; see the module docstring."""

    kind = "parsl"

    def __init__(self, endpoint: Endpoint, *, home: Path) -> None:
        super().__init__(endpoint, home=home)
        self._dfk: Any = None
        self._app: Any = None
        self._pending: dict[str, Done] = {}

    def build_config(self) -> Any:
        """The ``parsl.Config`` this endpoint describes."""
        try:
            from parsl.config import Config
            from parsl.executors import HighThroughputExecutor
        except ImportError as err:
            raise ConfigException("Parsl endpoints need Parsl: pip install parsl") from err
        factory = self.config.get("config_factory")
        if factory:
            return load_callable(str(factory))()
        provider_settings = dict(self.config.get("provider") or {"type": "local"})
        local = provider_settings.get("type", "local") == "local"
        provider = _build("provider", provider_settings)
        htex_settings: dict[str, Any] = {"label": "gladier"}
        if local:
            htex_settings.update(_local_commands())
        htex_settings.update(self.config.get("executor") or {})
        run_dir = self.config.get("run_dir") or self.home / "parsl" / self.endpoint.endpoint_id
        return Config(
            executors=[HighThroughputExecutor(provider=provider, **htex_settings)],
            run_dir=str(run_dir),
            initialize_logging=False,
            # Blocks start on the first strategy pass after this period (Parsl's default: 5 s).
            strategy_period=STRATEGY_PERIOD,
        )

    def _start(self) -> None:
        """Start this endpoint's own DataFlowKernel (on the starter thread)."""
        from parsl.app.app import python_app
        from parsl.dataflow.dflow import DataFlowKernel

        config = self.build_config()
        label = next(iter(config.executors)).label
        self._dfk = DataFlowKernel(config)
        self._app = python_app(execute, data_flow_kernel=self._dfk, executors=[label])

    def _send(self, task: Task, done: Done) -> None:
        with self._lock:
            self._pending[task.task_id] = done
        future = self._app(task.function.blob(), task.payload)
        future.add_done_callback(lambda f: self._finished(task.task_id, f))

    def _finished(self, task_id: str, future: Any) -> None:
        with self._lock:
            done = self._pending.pop(task_id, None)
        if done is None:
            return
        error = future.exception()
        if error is None:
            outcome = TaskOutcome.from_answer(task_id, future.result())
        elif type(error).__name__ in LOST_WORKER_ERRORS:
            outcome = TaskOutcome.failed(
                task_id,
                "WorkerDied",
                f"The Parsl worker running this task was lost: {error}",
                kind=type(error).__name__,
            )
        else:
            outcome = TaskOutcome.failed(
                task_id,
                "ExecutorError",
                f"Parsl could not run the task: {type(error).__name__}: {error}",
                kind=type(error).__name__,
            )
        report(done, outcome)

    def _cancel_sent(self, task_id: str) -> None:
        with self._lock:
            done = self._pending.pop(task_id, None)
        if done is not None:
            message = (
                "The task was cancelled; Parsl cannot stop a running task, so its result "
                "is discarded"
            )
            report(done, TaskOutcome.failed(task_id, "Cancelled", message))

    def _stop(self) -> None:
        with self._lock:
            dfk, self._dfk = self._dfk, None
            self._app = None
            self._pending.clear()
        if dfk is not None:
            dfk.cleanup()
