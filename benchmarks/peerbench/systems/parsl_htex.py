"""Parsl: the HighThroughputExecutor with a LocalProvider, on loopback.

One block of ``workers`` worker processes (one core each), Parsl's other settings at their
defaults. The five steps are ``python_app`` s; a run passes each app's future to the next,
so Parsl's dataflow kernel starts a step as soon as the previous one is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peerbench.systems.base import Deadline, RunsFailed, System
from peerbench.workload import STEP_FUNCTIONS, check


class ParslHtex(System):
    name = "parsl"

    def setup(self) -> None:
        import parsl
        from parsl.config import Config
        from parsl.executors import HighThroughputExecutor
        from parsl.providers import LocalProvider

        config = Config(
            executors=[
                HighThroughputExecutor(
                    label="htex_local",
                    address="127.0.0.1",
                    max_workers_per_node=self.workers,
                    cores_per_worker=1,
                    provider=LocalProvider(init_blocks=1, min_blocks=1, max_blocks=1),
                )
            ],
            run_dir=str(self.scratch / "runinfo"),
            usage_tracking=0,
        )
        self.dfk = parsl.load(config)
        self.apps = [parsl.python_app(fn, executors=["htex_local"]) for fn in STEP_FUNCTIONS]

    def _chain(self, x: int) -> Any:
        future: Any = x
        for app in self.apps:
            future = app(future)
        return future

    def run_one(self, x: int, timeout: float) -> int:
        return check(x, self._chain(x).result(timeout=timeout))

    def run_many(self, xs: Sequence[int], timeout: float) -> list[int]:
        deadline = Deadline(timeout)
        finals = [self._chain(x) for x in xs]
        results: list[int] = []
        errors: list[BaseException] = []
        for x, future in zip(xs, finals, strict=True):
            try:
                results.append(check(x, future.result(timeout=deadline.remaining())))
            except TimeoutError:
                raise
            except Exception as err:
                errors.append(err)
        RunsFailed.check(errors, len(xs))
        return results

    def close(self) -> None:
        import parsl

        try:
            self.dfk.cleanup()
        finally:
            parsl.clear()
