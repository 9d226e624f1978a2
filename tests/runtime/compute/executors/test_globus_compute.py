"""The globus-compute executor, against recorded responses of the Globus Compute service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.compute.executors.globus_compute import remote_error
from tests.runtime.compute.conftest import V2_URL, one_state

pytest.importorskip("globus_compute_sdk")
responses = pytest.importorskip("responses")

BASE = "https://compute.api.globus.org"
RECORDED = json.loads((Path(__file__).parent / "fixtures" / "globus_compute.json").read_text())


def make_client() -> Any:
    """The client factory named in the endpoint configuration (no login, no version check)."""
    import globus_sdk
    from globus_compute_sdk import Client

    return Client(do_version_check=False, authorizer=globus_sdk.AccessTokenAuthorizer("token"))


def total(items: list[int]) -> dict[str, Any]:
    if min(items) < 0:
        raise ValueError("negative input")
    return {"sum": sum(items), "items": items}


def test_tasks_are_forwarded_and_results_polled(tmp_path: Path) -> None:
    cloud = RECORDED["endpoint_id"]
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(f"{BASE}/v3/functions", json=RECORDED["register_function"])
        for answer in RECORDED["submit"]:
            mock.post(f"{BASE}/v3/endpoints/{cloud}/submit", json=answer)
        for task_id, answers in RECORDED["tasks"].items():
            for answer in answers:
                mock.get(f"{BASE}/v2/tasks/{task_id}", json=answer)
        with Runtime(home=tmp_path / "home") as rt:
            endpoint = rt.create_endpoint(
                "hpc",
                executor="globus-compute",
                config={
                    "endpoint_id": cloud,
                    "client_factory": f"{__name__}:make_client",
                    "poll_interval": 0.01,
                },
            )
            rt.map_endpoint(cloud, endpoint["endpoint_id"])
            fid = rt.register_function(total)
            state = {
                "Type": "Action",
                "ActionUrl": V2_URL,
                "Parameters": {
                    "tasks": [
                        {"endpoint": cloud, "function": fid, "kwargs": {"items": [40, 2]}},
                        {"endpoint": cloud, "function": fid, "kwargs": {"items": [-1]}},
                    ]
                },
                "ResultPath": "$.R",
                "ExceptionOnActionFailure": False,
                "End": True,
            }
            run = one_state(rt, state)
        calls = [(c.request.method, c.request.url) for c in mock.calls]
        registration = json.loads(mock.calls[0].request.body)
        submission = json.loads(mock.calls[1].request.body)
    assert calls[0] == ("POST", f"{BASE}/v3/functions")
    assert registration["function_name"] == "total"
    assert list(submission["tasks"]) == [RECORDED["register_function"]["function_uuid"]]
    assert sum(1 for method, _ in calls if method == "POST") == 3  # registered once
    details = run["details"]["output"]["R"]["details"]
    assert details["result"][0] == {"sum": 42, "items": [40, 2]}
    error = details["errors"][0]
    assert (error["index"], error["type"], error["message"]) == (1, "ValueError", "negative input")
    assert "analysis.py" in error["traceback"]


def test_remote_error_reads_the_last_traceback_line() -> None:
    assert remote_error("Traceback...\nKeyError: 'x'\n") == ("KeyError", "'x'")
    assert remote_error("pkg.errors.Lost: gone") == ("Lost", "gone")
    assert remote_error("something odd happened") == ("RemoteError", "something odd happened")
