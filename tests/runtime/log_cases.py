"""Runs whose log and run documents must read back byte-identical across store layouts.

``python tests/runtime/log_cases.py OUT_DIR`` runs every case on a fresh home with a manual
clock and writes ``log_documents.json`` (the documents, ids replaced by placeholders) and the
store itself; the fixtures in ``tests/runtime/data`` were made this way by the store layout
before values were stored once (schema 6), so reading them back proves old stores read the same.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock

BIG = {"blob": "x" * 1200, "items": list(range(100))}

CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("small pass", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, {"a": 1}),
    (
        "big state kept",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "C"},
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.blob", "IsPresent": True, "Next": "W"}],
                    "Default": "B",
                },
                "W": {"Type": "Wait", "Seconds": 0, "Next": "B"},
                "B": {"Type": "Pass", "End": True},
            },
        },
        BIG,
    ),
    (
        "big state growing",
        {
            "StartAt": "S0",
            "States": {
                **{
                    f"S{i}": {
                        "Type": "Pass",
                        "Result": i,
                        "ResultPath": f"$.k{i}",
                        "Next": f"S{i + 1}",
                    }
                    for i in range(5)
                },
                "S5": {"Type": "Pass", "Parameters": {"small.$": "$.k1"}, "End": True},
            },
        },
        BIG,
    ),
    (
        "private keys",
        {
            "StartAt": "P",
            "States": {
                "P": {"Type": "Pass", "Result": "r", "ResultPath": "$.out", "Next": "Q"},
                "Q": {"Type": "Pass", "End": True},
            },
        },
        {"_private_token": "secret", **BIG},
    ),
    (
        "fails",
        {
            "StartAt": "P",
            "States": {
                "P": {"Type": "Pass", "Next": "F"},
                "F": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"},
            },
        },
        BIG,
    ),
    (
        "expression",
        {
            "StartAt": "E",
            "States": {
                "E": {
                    "Type": "ExpressionEval",
                    "Parameters": {"n.=": "n * 2"},
                    "ResultPath": "$.doubled",
                    "End": True,
                }
            },
        },
        {"n": 21, **BIG},
    ),
    (
        "waits an hour",
        {
            "StartAt": "W",
            "States": {
                "W": {"Type": "Wait", "Seconds": 3600, "Next": "P"},
                "P": {"Type": "Pass", "End": True},
            },
        },
        BIG,
    ),
]


def run_cases(rt: Runtime, clock: ManualClock) -> list[tuple[str, str, str]]:
    """Run every case to its end; return ``(name, flow_id, run_id)`` of each."""
    import threading

    waiting = threading.Event()
    rt.add_event_listener(lambda _run, entry: entry["code"] == "WaitStarted" and waiting.set())
    made = []
    for name, definition, body in CASES:
        flow = rt.create_flow(name, definition)
        waiting.clear()
        run = rt.run_flow(flow["id"], body, label=name, tags=["case"])
        if '"Seconds": 3600' in json.dumps(definition):
            waiting.wait(30)
            clock.advance(3600)
        rt.wait(run["run_id"], timeout=60)
        made.append((name, flow["id"], run["run_id"]))
    return made


def documents(rt: Runtime, made: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Every log page (forward, 3 a page, and backward) and the run document of each case."""
    out: dict[str, Any] = {}
    for name, flow_id, run_id in made:
        pages = []
        for reverse in (False, True):
            marker = None
            while True:
                page = rt.get_run_logs(run_id, limit=3, reverse_order=reverse, marker=marker)
                page = {k: v for k, v in page.items() if k != "marker"}
                pages.append(page)
                if not page["has_next_page"]:
                    break
                marker = rt.get_run_logs(run_id, limit=3, reverse_order=reverse, marker=marker).get(
                    "marker"
                )
        text = json.dumps({"run": rt.get_run(run_id), "pages": pages}, sort_keys=True)
        out[name] = json.loads(text.replace(run_id, "<run>").replace(flow_id, "<flow>"))
    return out


def main(out: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    home = out / "home"
    with Runtime(home=home, clock=clock) as rt:
        made = run_cases(rt, clock)
        docs = documents(rt, made)
    (out / "log_documents.json").write_text(json.dumps(docs, indent=1, sort_keys=True) + "\n")
    (out / "log_cases_ids.json").write_text(json.dumps(made) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
