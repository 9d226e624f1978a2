"""Fan out: one function builds the task list that the next state runs in parallel.

Modelled on Gladier's ``passing_payloads.py``. ``parallel_workload_input_builder`` returns one
task per workload (endpoint, function id and payload); the modifier

    {parallel_workload: {"tasks": "$.ParallelWorkloadInputBuilder.details.results[0].output"}}

makes the ``ParallelWorkload`` state take its ``tasks`` from that output, so it runs
``parallel_workload`` once per task::

    python examples/passing_payloads.py [number of workloads]
"""

from __future__ import annotations

import sys

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def parallel_workload_input_builder(**data):
    """Build one compute task per workload."""
    return [
        {
            "endpoint": data["compute_endpoint"],
            "function": data["parallel_workload_function_id"],
            "payload": {"name": f"workload {number}", "size": number + 1},
        }
        for number in range(int(data["parallel_workloads"]))
    ]


def parallel_workload(name, size, **data):
    """Do one workload: here, add up the numbers 1..size."""
    return {"name": name, "total": sum(range(1, size + 1))}


@generate_flow_definition(
    modifiers={
        parallel_workload: {"tasks": "$.ParallelWorkloadInputBuilder.details.results[0].output"},
    }
)
class ParallelWorkloadsTool(GladierBaseTool):
    compute_functions = [parallel_workload_input_builder, parallel_workload]
    required_input = ["parallel_workloads", "compute_endpoint"]
    flow_input = {"parallel_workloads": 4}


@generate_flow_definition
class ParallelWorkloadsClient(GladierBaseClient):
    """Run a variable number of workloads in parallel."""

    gladier_tools = [ParallelWorkloadsTool]


def main(argv: list[str]) -> int:
    client = ParallelWorkloadsClient()
    flow_input = {"input": {"parallel_workloads": int(argv[0])}} if argv else None
    run = client.run_flow(flow_input, label="fan-out")
    final = client.progress(run["run_id"])
    results = client.get_details(run["run_id"], "ParallelWorkload")["details"]["results"]
    for result in results:
        print(result["output"]["name"], "->", result["output"]["total"])
    return 0 if final["status"] == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
