"""This runtime: a five-state flow of Globus Compute Action states, run durably.

Each state calls one registered function on the default compute endpoint (its warm pool
of worker processes) with the previous state's ``details.result[0]``, the way a flow written
for Globus Compute chains its steps. The runtime's home (SQLite store) is new for every
process, so the cold start includes creating the store.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from peerbench.systems.base import Deadline, RunsFailed, System
from peerbench.workload import STEP_FUNCTIONS, check

COMPUTE_URL = "https://compute.actions.globus.org"


def definition(function_ids: Sequence[str], endpoint: str) -> dict[str, Any]:
    """A linear flow with one Compute Action state per function id."""
    states: dict[str, Any] = {}
    names = [f"Step{i + 1}" for i in range(len(function_ids))]
    for i, (name, function_id) in enumerate(zip(names, function_ids, strict=True)):
        source = "$.x" if i == 0 else f"$.{names[i - 1]}.details.result[0]"
        state: dict[str, Any] = {
            "Type": "Action",
            "ActionUrl": COMPUTE_URL,
            "Parameters": {
                "tasks": [
                    {"endpoint": endpoint, "function": function_id, "kwargs": {"x.$": source}}
                ]
            },
            "ResultPath": f"$.{name}",
        }
        if i + 1 < len(names):
            state["Next"] = names[i + 1]
        else:
            state["End"] = True
        states[name] = state
    return {"StartAt": names[0], "States": states}


class GladierRuntime(System):
    name = "gladier"

    def setup(self) -> None:
        from gladier.runtime import Runtime
        from gladier.runtime.compute import DEFAULT_ENDPOINT_ID

        self.rt = Runtime(home=self.scratch / "gladier-home")
        self.rt.open()
        if self.workers != (os.cpu_count() or 1):
            self.rt.update_endpoint(DEFAULT_ENDPOINT_ID, config={"workers": self.workers})
        function_ids = [self.rt.register_function(fn) for fn in STEP_FUNCTIONS]
        self.last = f"Step{len(function_ids)}"
        flow = self.rt.create_flow(
            "peers-five-steps", definition(function_ids, DEFAULT_ENDPOINT_ID)
        )
        self.flow_id = flow["id"]

    def _result(self, x: int, run: dict[str, Any]) -> int:
        if run["status"] != "SUCCEEDED":
            details = run.get("details") or {}
            raise RuntimeError(f"run {run['status']}: {details.get('description') or details}")
        return check(x, run["details"]["output"][self.last]["details"]["result"][0])

    def run_one(self, x: int, timeout: float) -> int:
        run = self.rt.run_flow(self.flow_id, {"x": x})
        return self._result(x, self.rt.wait(run["run_id"], timeout=timeout))

    def run_many(self, xs: Sequence[int], timeout: float) -> list[int]:
        deadline = Deadline(timeout)
        started = [(x, self.rt.run_flow(self.flow_id, {"x": x})["run_id"]) for x in xs]
        results: list[int] = []
        errors: list[BaseException] = []
        for x, run_id in started:
            run = self.rt.wait(run_id, timeout=deadline.remaining())
            try:
                results.append(self._result(x, run))
            except Exception as err:
                errors.append(err)
        RunsFailed.check(errors, len(xs))
        return results

    def close(self) -> None:
        self.rt.close()
