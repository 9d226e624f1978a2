"""The systems of the peer benchmark, by the name ``--systems`` uses.

Each entry says how to show the system, what kind it is (this runtime, a floor, or a peer),
whether it needs the peers' virtual environment and which distributions' versions to
report. The module is imported only in the process that runs the system.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from peerbench.systems.base import System


@dataclass(frozen=True)
class SystemSpec:
    name: str
    label: str
    kind: str  # "runtime", "floor" or "peer"
    module: str
    cls: str
    packages: tuple[str, ...] = ()
    description: str = ""

    @property
    def needs_peers(self) -> bool:
        return self.kind == "peer"

    def load(self) -> type[System]:
        module = importlib.import_module(f"peerbench.systems.{self.module}")
        found: type[System] = getattr(module, self.cls)
        return found


SPECS: tuple[SystemSpec, ...] = (
    SystemSpec(
        "gladier",
        "Gladier runtime",
        "runtime",
        "gladier_runtime",
        "GladierRuntime",
        ("gladier", "dill"),
        "this runtime: durable (SQLite), five Compute Action states on the default "
        "endpoint's worker processes",
    ),
    SystemSpec(
        "inline",
        "floor: chained calls",
        "floor",
        "floors",
        "InlineCalls",
        (),
        "the five functions called one after another in one process",
    ),
    SystemSpec(
        "pool",
        "floor: process pool",
        "floor",
        "floors",
        "BarePool",
        (),
        "five chained round trips to a bare concurrent.futures.ProcessPoolExecutor",
    ),
    SystemSpec(
        "pool-sqlite",
        "floor: pool + SQLite",
        "floor",
        "floors",
        "DurablePool",
        (),
        "the process-pool floor plus one durable SQLite commit per step (WAL, "
        "synchronous=NORMAL, the runtime's settings)",
    ),
    SystemSpec(
        "prefect",
        "Prefect 3 (default)",
        "peer",
        "prefect_flow",
        "PrefectDefault",
        ("prefect",),
        "a @flow calling five @task functions, default task runner, local temporary server",
    ),
    SystemSpec(
        "prefect-process",
        "Prefect 3 (processes)",
        "peer",
        "prefect_flow",
        "PrefectProcesses",
        ("prefect",),
        "the same flow with ProcessPoolTaskRunner; each step is submitted and awaited",
    ),
    SystemSpec(
        "dask",
        "Dask distributed",
        "peer",
        "dask_cluster",
        "DaskLocalCluster",
        ("dask", "distributed"),
        "LocalCluster with worker processes (one thread each); each run is a chain of five futures",
    ),
    SystemSpec(
        "parsl",
        "Parsl HTEX",
        "peer",
        "parsl_htex",
        "ParslHtex",
        ("parsl",),
        "HighThroughputExecutor on a LocalProvider (loopback); each run is a chain of five "
        "python_app futures",
    ),
)

BY_NAME = {spec.name: spec for spec in SPECS}
FLOORS = tuple(spec.name for spec in SPECS if spec.kind == "floor")
PEERS = tuple(spec.name for spec in SPECS if spec.kind == "peer")
