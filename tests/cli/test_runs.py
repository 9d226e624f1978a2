"""``gladier runs``: list, show, log, watch, cancel, resume and release."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import BRANCHING, SLOW, Invoke, created_flow

FAILING_ACTION: dict[str, Any] = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Action",
            "ActionUrl": "https://unknown.example.org/action",
            "Parameters": {},
            "End": True,
        }
    },
}


@pytest.fixture
def finished(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> dict[str, Any]:
    """Two finished runs of BRANCHING: one SUCCEEDED, one FAILED."""
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING), "branching")
    ok = gladier(
        "flows", "run", flow_id, "-i", "mean=2", "-i", "name=a", "--label", "good", "--json"
    )
    bad = gladier(
        "flows", "run", flow_id, "-i", "mean=8", "-i", "name=b", "--label", "bad", "--json"
    )
    return {
        "flow_id": flow_id,
        "ok": json.loads(ok.stdout)["run_id"],
        "bad": json.loads(bad.stdout)["run_id"],
    }


def test_list_filters_and_json(gladier: Invoke, finished: dict[str, Any]) -> None:
    listed = gladier("runs", "list")
    assert listed.exit_code == 0
    assert finished["ok"] in listed.stdout and finished["bad"] in listed.stdout
    assert "SUCCEEDED" in listed.stdout and "FAILED" in listed.stdout

    failed = json.loads(gladier("runs", "list", "--status", "failed", "--json").stdout)
    assert [r["run_id"] for r in failed] == [finished["bad"]]
    by_label = json.loads(gladier("runs", "list", "--label", "good", "--json").stdout)
    assert [r["run_id"] for r in by_label] == [finished["ok"]]
    by_flow = json.loads(gladier("runs", "list", "--flow", finished["flow_id"], "--json").stdout)
    assert len(by_flow) == 2
    assert len(json.loads(gladier("runs", "list", "--limit", "1", "--json").stdout)) == 1


def test_list_when_empty_suggests_the_demo(gladier: Invoke) -> None:
    result = gladier("runs", "list")
    assert result.exit_code == 0
    assert result.stdout.strip() == "No runs yet. Try `gladier demo`."


def test_show_a_successful_run(gladier: Invoke, finished: dict[str, Any]) -> None:
    result = gladier("runs", "show", finished["ok"])
    assert result.exit_code == 0
    out = result.stdout
    assert f"Run:       {finished['ok']}" in out
    assert "Status:    SUCCEEDED" in out
    for state in ("Measure", 'Good "enough"?', "Publish"):
        assert state in out
    assert "→ Publish" in out
    doc = json.loads(gladier("runs", "show", finished["ok"], "--json").stdout)
    assert doc["status"] == "SUCCEEDED" and doc["label"] == "good"


def test_show_a_failed_run_with_its_graph(gladier: Invoke, finished: dict[str, Any]) -> None:
    result = gladier("runs", "show", finished["bad"], "--graph")
    assert result.exit_code == 0
    assert "Failed at state Flag: TooNoisy: the scan needs another look" in result.stdout
    assert "✗ Flag (Fail) FAILED" in result.stdout
    mermaid = gladier("runs", "show", finished["bad"], "--graph", "--format", "mermaid").stdout
    assert "flowchart TD" in mermaid and "class s4 failed" in mermaid


def test_show_the_reason_of_an_action_failure(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("f.json", FAILING_ACTION))
    run = json.loads(gladier("flows", "run", flow_id, "--json").stdout)
    result = gladier("runs", "show", run["run_id"])
    assert "Failed at state Call: ActionUnableToRun: No action provider is registered for" in (
        result.stdout
    )


def test_log(gladier: Invoke, finished: dict[str, Any]) -> None:
    result = gladier("runs", "log", finished["ok"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "FlowStarted" in lines[0] and "FlowSucceeded" in lines[-1]
    newest = gladier("runs", "log", finished["ok"], "--reverse", "--limit", "2").stdout.splitlines()
    assert len(newest) == 2 and "FlowSucceeded" in newest[0]
    entries = json.loads(gladier("runs", "log", finished["ok"], "--json").stdout)
    assert entries[0]["code"] == "FlowStarted" and entries[-1]["code"] == "FlowSucceeded"


def test_watch_a_finished_run(gladier: Invoke, finished: dict[str, Any]) -> None:
    ok = gladier("runs", "watch", finished["ok"])
    assert ok.exit_code == 0
    assert f"Run {finished['ok']} SUCCEEDED in" in ok.stdout
    bad = gladier("runs", "watch", finished["bad"], "--json")
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["status"] == "FAILED"


def test_cancel_resume_release(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> None:
    flow_id = created_flow(gladier, write_json("slow.json", SLOW))
    run_id = json.loads(gladier("flows", "run", flow_id, "--no-wait", "--json").stdout)["run_id"]

    resumed = gladier("runs", "resume", run_id)
    assert resumed.exit_code == 0
    assert resumed.stdout.strip() == f"Run {run_id} was resumed; its status is ACTIVE."

    refused = gladier("runs", "release", run_id)
    assert refused.exit_code == 1
    assert "has status 'ACTIVE'" in refused.stderr
    assert "cancel it with `gladier runs cancel`" in refused.stderr

    cancelled = gladier("runs", "cancel", run_id)
    assert cancelled.exit_code == 0
    assert cancelled.stdout.strip() == f"Run {run_id} was cancelled."
    doc = json.loads(gladier("runs", "show", run_id, "--json").stdout)
    assert doc["status"] == "FAILED" and doc["details"]["code"] == "FlowCanceled"
    again = gladier("runs", "cancel", run_id)
    assert "already ended (FAILED); nothing to cancel" in again.stdout

    released = gladier("runs", "release", run_id, "--json")
    assert released.exit_code == 0 and json.loads(released.stdout)["run_id"] == run_id
    gone = gladier("runs", "show", run_id)
    assert gone.exit_code == 1
    assert "list runs with `gladier runs list`." in gone.stderr


@pytest.mark.parametrize("command", ["show", "log", "watch", "cancel", "resume", "release"])
def test_unknown_run(gladier: Invoke, command: str) -> None:
    result = gladier("runs", command, "no-such-run")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No run with id no-such-run exists in ")
    assert result.stderr.strip().endswith("; list runs with `gladier runs list`.")
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(gladier: Invoke) -> None:
    result = gladier("--debug", "runs", "show", "no-such-run")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "Error: No run with id no-such-run" in result.stderr
