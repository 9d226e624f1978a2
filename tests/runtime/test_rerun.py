"""Runtime.rerun_run and Runtime.run_flow_from: a run again, or from one of its states."""

from __future__ import annotations

from typing import Any

import pytest

from gladier.exc import NotFound, ServiceError
from gladier.runtime import Runtime
from gladier.runtime.entry_state import NeverEntered, state_on_entering

HELLO = "https://actions.globus.org/hello_world"

#: Measure (Pass) -> Call (an Action with no provider, caught into $.err) -> Report (Action
#: that reads the caught error) -> Sum (Pass).
CAUGHT: dict[str, Any] = {
    "StartAt": "Measure",
    "States": {
        "Measure": {
            "Type": "Pass",
            "Parameters": {"n.$": "$.input.n"},
            "ResultPath": "$.m",
            "Next": "Call",
        },
        "Call": {
            "Type": "Action",
            "ActionUrl": "https://nowhere.example.org/action",
            "Parameters": {},
            "ResultPath": "$.call",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Report"}],
            "Next": "Report",
        },
        "Report": {
            "Type": "Action",
            "ActionUrl": HELLO,
            "Parameters": {"echo_string.$": "$.err.Error"},
            "ResultPath": "$.report",
            "Next": "Sum",
        },
        "Sum": {
            "Type": "Pass",
            "Parameters": {"error.$": "$.report.details.hello", "n.$": "$.m.n"},
            "End": True,
        },
    },
}


def _entries(rt: Runtime, run_id: str) -> list[dict[str, Any]]:
    return list(rt.get_run_logs(run_id, limit=100)["entries"])


def test_state_on_entering_replays_caught_errors_and_action_results(runtime: Runtime) -> None:
    flow = runtime.create_flow("caught", CAUGHT)
    run = runtime.run_flow(flow["id"], {"input": {"n": 4}})
    done = runtime.wait(run["run_id"], timeout=30)
    assert done["status"] == "SUCCEEDED"
    compiled = runtime.runs.compile(CAUGHT, None)
    entries = _entries(runtime, run["run_id"])
    at_report = state_on_entering(compiled, entries, "Report")
    assert at_report["m"] == {"n": 4}
    assert at_report["err"]["Error"] == "ActionUnableToRun"
    at_sum = state_on_entering(compiled, entries, "Sum")
    assert at_sum["report"]["details"]["hello"] == "ActionUnableToRun"
    assert state_on_entering(compiled, entries, "Measure") == {"input": {"n": 4}}
    before_sum = [e for e in entries if (e["details"] or {}).get("state_name") != "Sum"]
    with pytest.raises(NeverEntered, match=r"it entered 'Measure', 'Call', 'Report'\. Start"):
        state_on_entering(compiled, before_sum, "Sum")
    with pytest.raises(NeverEntered, match="it entered no state at all"):
        state_on_entering(compiled, entries[:1], "Sum")


def test_rerun_from_a_state_continues_with_the_recorded_state(runtime: Runtime) -> None:
    flow = runtime.create_flow("caught", CAUGHT)
    old = runtime.run_flow(flow["id"], {"input": {"n": 4}}, label="first", tags=["beam"])
    runtime.wait(old["run_id"], timeout=30)
    new = runtime.rerun_run(old["run_id"], from_state="Report", tags=["again"])
    assert new["status"] == "ACTIVE"
    assert new["label"] == f"rerun of {old['run_id'][:8]} from Report"
    assert new["tags"] == ["beam", f"rerun-of:{old['run_id']}", "again"]
    done = runtime.wait(new["run_id"], timeout=30)
    assert done["status"] == "SUCCEEDED"
    assert done["details"]["output"] == {"error": "ActionUnableToRun", "n": 4}
    started = [e for e in _entries(runtime, new["run_id"]) if e["code"].endswith("Started")]
    assert started[0]["details"]["start_at"] == "Report"
    assert started[0]["details"]["rerun_of"] == old["run_id"]
    assert [e["details"].get("state_name") for e in started[1:]] == ["Report", "Sum"]

    # A rerun of that rerun starts at Report again, with the same state.
    again = runtime.wait(runtime.rerun_run(new["run_id"])["run_id"], timeout=30)
    assert again["details"]["output"] == done["details"]["output"]
    assert again["tags"] == ["beam", "again", f"rerun-of:{new['run_id']}"]


def test_rerun_puts_back_private_input_keys(runtime: Runtime) -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"secret.$": "$._private_token"}, "End": True},
        },
    }
    flow = runtime.create_flow("private", definition)
    old = runtime.run_flow(flow["id"], {"input": {}, "_private_token": "s3cret"})
    runtime.wait(old["run_id"], timeout=30)
    new = runtime.wait(runtime.rerun_run(old["run_id"], from_state="B")["run_id"], timeout=30)
    assert new["status"] == "SUCCEEDED"
    assert new["details"]["output"] == {"secret": "s3cret"}


def test_run_flow_from_validates_its_arguments(runtime: Runtime) -> None:
    flow = runtime.create_flow("caught", CAUGHT)
    with pytest.raises(ServiceError, match="has no state named 'Nope'; its states are 'Measure'"):
        runtime.run_flow_from(flow["id"], "Nope", {})
    with pytest.raises(ServiceError, match="at most 64 characters"):
        runtime.run_flow_from(flow["id"], "Sum", {}, label="x" * 65)
    with pytest.raises(ServiceError, match="must be JSON data"):
        runtime.run_flow_from(flow["id"], "Sum", {"x": object()})
    run = runtime.run_flow_from(
        flow["id"], "Sum", {"m": {"n": 1}, "report": {"details": {"hello": "hi"}}}
    )
    assert run["details"]["details"]["input"]["m"] == {"n": 1}
    done = runtime.wait(run["run_id"], timeout=30)
    assert done["details"]["output"] == {"error": "hi", "n": 1}


def test_rerun_of_a_run_whose_flow_is_gone(runtime: Runtime) -> None:
    flow = runtime.create_flow("caught", CAUGHT)
    old = runtime.run_flow(flow["id"], {"input": {"n": 1}})
    runtime.wait(old["run_id"], timeout=30)
    runtime.delete_flow(flow["id"])
    with pytest.raises(NotFound, match="No flow with id"):
        runtime.rerun_run(old["run_id"])
    with pytest.raises(NotFound, match="No run with id"):
        runtime.rerun_run("no-such-run")


def test_rerun_from_an_action_that_failed_before_it_started(runtime: Runtime) -> None:
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": "ready", "ResultPath": "$.p", "Next": "Send"},
            "Send": {
                "Type": "Action",
                "ActionUrl": "https://later.example.org/send",
                "Parameters": {"what.$": "$.p"},
                "End": True,
            },
        },
    }
    flow = runtime.create_flow("send", definition)
    old = runtime.wait(runtime.run_flow(flow["id"], {"input": {}})["run_id"], timeout=30)
    assert old["status"] == "FAILED"
    runtime.add_action_provider("https://later.example.org/send", lambda body: {"sent": body})
    new = runtime.wait(runtime.rerun_run(old["run_id"], from_state="Send")["run_id"], timeout=30)
    assert new["status"] == "SUCCEEDED"
    started = [e for e in _entries(runtime, new["run_id"]) if e["code"].endswith("Started")]
    assert started[1]["details"]["input"] == {"what": "ready"}


def test_reruns_keep_managers_monitors_and_notification_policy(runtime: Runtime) -> None:
    flow = runtime.create_flow("caught", CAUGHT)
    old = runtime.run_flow(
        flow["id"],
        {"input": {"n": 2}},
        run_managers=["urn:globus:auth:identity:m"],
        run_monitors=["urn:globus:auth:identity:w"],
        activity_notification_policy={"status": ["INACTIVE", "FAILED"]},
    )
    runtime.wait(old["run_id"], timeout=30)
    for from_state in (None, "Sum"):
        new = runtime.rerun_run(old["run_id"], from_state=from_state)
        assert new["run_managers"] == ["urn:globus:auth:identity:m"]
        assert new["run_monitors"] == ["urn:globus:auth:identity:w"]
        assert new["activity_notification_policy"] == {"status": ["INACTIVE", "FAILED"]}
        runtime.wait(new["run_id"], timeout=30)
