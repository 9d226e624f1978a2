"""Dask distributed: a LocalCluster of worker processes on loopback.

One worker process per core with one thread each (the same parallelism as every other
system), no dashboard. A run is a chain of five futures, each submitted with the previous
one as its argument, so the scheduler passes results between workers without a round trip
to the client; the client waits only for the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peerbench.systems.base import Deadline, RunsFailed, System
from peerbench.workload import STEP_FUNCTIONS, check


class DaskLocalCluster(System):
    name = "dask"

    def setup(self) -> None:
        from dask.distributed import Client, LocalCluster

        self.cluster = LocalCluster(
            n_workers=self.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        self.client = Client(self.cluster)

    def _chain(self, x: int) -> Any:
        future: Any = x
        for fn in STEP_FUNCTIONS:
            future = self.client.submit(fn, future, pure=False)
        return future

    def run_one(self, x: int, timeout: float) -> int:
        return check(x, self._chain(x).result(timeout=timeout))

    def run_many(self, xs: Sequence[int], timeout: float) -> list[int]:
        from dask.distributed import wait

        deadline = Deadline(timeout)
        finals = [self._chain(x) for x in xs]
        wait(finals, timeout=deadline.remaining())
        errors = [f.exception() for f in finals if f.status != "finished"]
        RunsFailed.check([e for e in errors if e is not None], len(xs))
        values = self.client.gather(finals)
        return [check(x, v) for x, v in zip(xs, values, strict=True)]

    def close(self) -> None:
        self.client.close(timeout=30)
        self.cluster.close(timeout=30)
