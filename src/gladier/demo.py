"""``python -m gladier.demo``: a real multi-state flow on the embedded runtime.

It creates a runtime in a temporary home, deploys a flow that validates a list of
measurements, computes statistics with expressions, branches on the result and greets the
user through the built-in Hello World action provider, then prints the run and its log.
"""

from __future__ import annotations

import json
import sys
import tempfile
from typing import Any

from gladier.runtime import Runtime

DEFINITION: dict[str, Any] = {
    "Comment": "Summarise a scan and decide whether it needs another look",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Parameters": {"scan.$": "$.scan", "limits": {"max_mean": 5.0}},
            "ResultPath": "$.job",
            "Next": "Summarise",
        },
        "Summarise": {
            "Type": "ExpressionEval",
            "Parameters": {
                "count.=": "len(job.scan.values)",
                "mean.=": "sum(job.scan.values) / len(job.scan.values)",
                "peak.=": "max(job.scan.values)",
            },
            "ResultPath": "$.summary",
            "Next": "TooNoisy?",
        },
        "TooNoisy?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.summary.mean",
                    "NumericGreaterThanPath": "$.job.limits.max_mean",
                    "Next": "FlagForReview",
                }
            ],
            "Default": "Announce",
        },
        "FlagForReview": {
            "Type": "Pass",
            "Result": {"review": True},
            "ResultPath": "$.verdict",
            "Next": "Announce",
        },
        "Announce": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.=": "'scan ' + job.scan.name + ' summarised'"},
            "ResultPath": "$.announcement",
            "End": True,
        },
    },
}


def main() -> int:
    body = {"scan": {"name": "sample-042", "values": [3.2, 4.8, 7.9, 6.1, 5.5]}}
    options = {"extra_expression_functions": True}
    with (
        tempfile.TemporaryDirectory(prefix="gladier-demo-") as home,
        Runtime(home=home, options=options) as rt,
    ):
        flow = rt.create_flow("Scan summary (demo)", DEFINITION)
        run = rt.run_flow(flow["id"], body, label="demo run", tags=["demo"])
        done = rt.wait(run["run_id"], timeout=60)
        print(f"run {done['run_id']}: {done['status']}")
        for entry in rt.get_run_logs(done["run_id"], limit=100)["entries"]:
            print(f"  {entry['time']}  {entry['code']:<24} {entry['description']}")
        output = (done["details"] or {}).get("output", {})
        print("summary:", json.dumps(output.get("summary")))
        print("verdict:", json.dumps(output.get("verdict", {"review": False})))
        print("announcement:", output.get("announcement", {}).get("details"))
        return 0 if done["status"] == "SUCCEEDED" else 1


if __name__ == "__main__":
    sys.exit(main())
