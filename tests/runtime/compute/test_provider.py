"""The Compute action provider end to end: flows with compute states on real worker processes."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.compute import DEFAULT_ENDPOINT_ID
from gladier.runtime.compute.constants import COMPUTE_URLS, LEGACY_COMPUTE_URLS
from gladier.runtime.compute.provider import ComputeActionProvider, ComputeService
from tests.runtime.compute.conftest import (
    V2_URL,
    V3_URL,
    compute_state,
    log_entries,
    one_state,
    release,
    run_definition,
)

CLOUD_ID = "4b116d3c-1703-4f8f-9f6f-39921e5864df"


def double(x: int) -> int:
    return 2 * x


def greet(name: str, punctuation: str = "!") -> dict[str, str]:
    return {"greeting": f"hello {name}{punctuation}"}


def add(a: int, b: int) -> int:
    return a + b


def boom(x: int) -> int:
    raise ValueError(f"cannot handle {x}")


def crash() -> None:
    import os

    os._exit(5)


def a_set() -> Any:
    return {1, 2, 3}


def my_pid() -> int:
    import os

    return os.getpid()


def make_tasks(n: int, endpoint: str, function: str) -> list[dict[str, Any]]:
    return [{"endpoint": endpoint, "function": function, "kwargs": {"x": i}} for i in range(n)]


def meet(mine: str, theirs: str) -> str:
    """Finishes only if the other task runs at the same time (bounded wait)."""
    import os
    import time

    with open(mine, "w") as handle:
        handle.write("here")
    deadline = time.monotonic() + 20
    while not os.path.exists(theirs):
        if time.monotonic() > deadline:
            return "alone"
        time.sleep(0.005)
    return "met"


def waits(started: str, go: str, interrupted: str) -> str:
    try:  # the cancel request may come as soon as "started" is read
        with open(started, "w") as handle:
            handle.write("started")
        with open(go) as handle:
            return handle.read()
    except KeyboardInterrupt:
        with open(interrupted, "w") as handle:
            handle.write("interrupted")
        raise


def counts(log: str) -> str:
    with open(log, "a") as handle:
        handle.write("ran\n")
    return "counted"


def test_result_is_readable_both_ways(rt: Runtime) -> None:
    fid = rt.register_function(greet)
    definition = {
        "StartAt": "Greet",
        "States": {
            "Greet": {
                **compute_state(fid, kwargs={"name.$": "$.who"}, result_path="$.Greet"),
                "End": False,
                "Next": "Read",
            },
            "Read": {
                "Type": "Pass",
                "Parameters": {
                    "first.$": "$.Greet.details.result[0]",
                    "second.$": "$.Greet.details.results[0].output",
                },
                "ResultPath": "$.read",
                "End": True,
            },
        },
    }
    del definition["States"]["Greet"]["End"]
    run = run_definition(rt, definition, {"who": "world"})
    assert run["status"] == "SUCCEEDED", run
    output = run["details"]["output"]
    assert output["read"]["first"] == output["read"]["second"] == {"greeting": "hello world!"}
    details = output["Greet"]["details"]
    assert details["result"] == [{"greeting": "hello world!"}]
    assert details["results"][0]["output"] == {"greeting": "hello world!"}
    assert len(details["results"][0]["task_id"]) == 36
    assert output["Greet"]["action_id"].startswith("tg_")
    assert "notes" not in details


@pytest.mark.parametrize("url", [V2_URL, *LEGACY_COMPUTE_URLS])
def test_v2_and_older_urls(rt: Runtime, url: str) -> None:
    fid = rt.register_function(add)
    state = {
        "Type": "Action",
        "ActionUrl": url,
        "Parameters": {
            "tasks": [
                {"endpoint": DEFAULT_ENDPOINT_ID, "func": fid, "payload": {"a": 1, "b": 2}},
                {"endpoint": DEFAULT_ENDPOINT_ID, "function": fid, "args": [3, 4]},
            ]
        },
        "ResultPath": "$.R",
        "End": True,
    }
    run = one_state(rt, state)
    assert run["details"]["output"]["R"]["details"]["result"] == [3, 7]


def test_v3_url(rt: Runtime) -> None:
    fid = rt.register_function(add)
    state = {
        "Type": "Action",
        "ActionUrl": V3_URL,
        "Parameters": {
            "endpoint_id": DEFAULT_ENDPOINT_ID,
            "tasks": [{"function_id": fid, "args": [1], "kwargs": {"b": 10}}],
        },
        "ResultPath": "$.R",
        "End": True,
    }
    assert one_state(rt, state)["details"]["output"]["R"]["details"]["result"] == [11]
    assert set(COMPUTE_URLS) <= set(rt.action_provider_urls())


def test_single_task_form_and_gladier_style_payload(rt: Runtime) -> None:
    fid = rt.register_function(greet)
    state = {
        "Type": "Action",
        "ActionUrl": "https://compute.actions.globus.org/fxap",
        "Parameters": {
            "endpoint.$": "$.input.compute_endpoint",
            "function.$": "$.input.greet_function_id",
            "payload.$": "$.input.args",
        },
        "ResultPath": "$.R",
        "WaitTime": 300,
        "ExceptionOnActionFailure": False,
        "End": True,
    }
    body = {
        "input": {
            "compute_endpoint": DEFAULT_ENDPOINT_ID,
            "greet_function_id": fid,
            "args": {"name": "gladier", "punctuation": "?"},
        }
    }
    run = one_state(rt, state, body)
    assert run["details"]["output"]["R"]["details"]["result"] == [{"greeting": "hello gladier?"}]


def test_tasks_of_one_state_run_in_parallel(rt: Runtime, tmp_path: Path) -> None:
    pair = rt.create_endpoint("pair", config={"workers": 2})["endpoint_id"]
    fid = rt.register_function(meet)
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    state = {
        "Type": "Action",
        "ActionUrl": V2_URL,
        "Parameters": {
            "tasks": [
                {"endpoint": pair, "function": fid, "args": [a, b]},
                {"endpoint": pair, "function": fid, "args": [b, a]},
            ]
        },
        "ResultPath": "$.R",
        "End": True,
    }
    assert one_state(rt, state)["details"]["output"]["R"]["details"]["result"] == ["met", "met"]


def test_fan_out_with_tasks_from_an_earlier_state(rt: Runtime) -> None:
    maker = rt.register_function(make_tasks)
    doubler = rt.register_function(double)
    definition = {
        "StartAt": "Plan",
        "States": {
            "Plan": {
                "Type": "Action",
                "ActionUrl": V2_URL,
                "Parameters": {
                    "tasks": [
                        {
                            "endpoint": DEFAULT_ENDPOINT_ID,
                            "function": maker,
                            "kwargs": {"n": 6, "endpoint": "default", "function": doubler},
                        }
                    ]
                },
                "ResultPath": "$.Plan",
                "Next": "FanOut",
            },
            "FanOut": {
                "Type": "Action",
                "ActionUrl": V2_URL,
                "Parameters": {"tasks.$": "$.Plan.details.result[0]"},
                "ResultPath": "$.FanOut",
                "End": True,
            },
        },
    }
    run = run_definition(rt, definition, {})
    assert run["details"]["output"]["FanOut"]["details"]["result"] == [0, 2, 4, 6, 8, 10]


def test_an_exception_fails_the_action_with_type_message_and_traceback(rt: Runtime) -> None:
    fid = rt.register_function(boom)
    run = one_state(rt, compute_state(fid, kwargs={"x": 7}))
    assert run["status"] == "FAILED"
    failure = run["details"]["details"]
    assert failure["error"] == "ActionFailedException"
    action = failure["cause"]
    assert action["status"] == "FAILED"
    details = action["details"]
    assert details["code"] == "TaskFailed"
    assert "ValueError: cannot handle 7" in details["description"]
    assert "'boom'" in details["description"]
    error = details["errors"][0]
    assert (error["type"], error["message"]) == ("ValueError", "cannot handle 7")
    assert "in boom" in error["traceback"] and "raise ValueError" in error["traceback"]
    assert details["result"][0] == error["traceback"] == details["exception"]
    logged = [e for e in log_entries(rt, run["run_id"]) if e["code"] == "FlowFailed"]
    assert "cannot handle 7" in json.dumps(logged)


def test_without_exception_on_failure_the_flow_continues(rt: Runtime) -> None:
    fid = rt.register_function(boom)
    run = one_state(
        rt, compute_state(fid, kwargs={"x": 1}, extra={"ExceptionOnActionFailure": False})
    )
    assert run["status"] == "SUCCEEDED"
    assert run["details"]["output"]["Result"]["status"] == "FAILED"


def test_a_worker_death_fails_its_run_only(rt: Runtime) -> None:
    crasher = rt.register_function(crash)
    doubler = rt.register_function(double)
    flow_crash = rt.create_flow("crash", {"StartAt": "C", "States": {"C": compute_state(crasher)}})
    flow_ok = rt.create_flow(
        "ok", {"StartAt": "D", "States": {"D": compute_state(doubler, kwargs={"x": 21})}}
    )
    runs = [rt.run_flow(flow_ok["id"], {})["run_id"] for _ in range(3)]
    crashed = rt.run_flow(flow_crash["id"], {})["run_id"]
    runs += [rt.run_flow(flow_ok["id"], {})["run_id"] for _ in range(3)]
    failed = rt.wait(crashed, timeout=60)
    assert failed["status"] == "FAILED"
    details = failed["details"]["details"]["cause"]["details"]
    assert details["code"] == "WorkerDied"
    assert "exited with code 5" in details["description"]
    for run_id in runs:
        done = rt.wait(run_id, timeout=60)
        assert done["details"]["output"]["Result"]["details"]["result"] == [42]


def test_wait_time_exceeded_times_out_and_cancels_the_task(
    tmp_path: Path, signal_factory: Any
) -> None:
    clock = ManualClock()
    started, interrupted = signal_factory("started"), signal_factory("interrupted")
    go = tmp_path / "go"
    os.mkfifo(go)
    with Runtime(home=tmp_path / "home", clock=clock) as rt:
        fid = rt.register_function(waits)
        state = compute_state(
            fid,
            kwargs={
                "started": str(started.path),
                "go": str(go),
                "interrupted": str(interrupted.path),
            },
            extra={"WaitTime": 30},
        )
        flow = rt.create_flow("slow", {"StartAt": "Call", "States": {"Call": state}})
        run_id = rt.run_flow(flow["id"], {})["run_id"]
        started.wait()
        clock.advance(31)
        done = rt.wait(run_id, timeout=60)
        assert done["status"] == "FAILED"
        failure = done["details"]["details"]
        assert failure["error"] == "ActionTimeout"
        assert failure["cause"]["display_status"] == "CANCELED"
        assert failure["cause"]["details"]["code"] == "Canceled"
        assert interrupted.wait() == "interrupted"


def test_a_result_that_is_not_json_is_a_clear_error(rt: Runtime) -> None:
    fid = rt.register_function(a_set)
    run = one_state(rt, compute_state(fid))
    details = run["details"]["details"]["cause"]["details"]
    assert details["code"] == "NonJsonResult"
    assert "'a_set'" in details["description"] and "'set'" in details["description"]


def test_payloads_over_the_limit_are_refused(tmp_path: Path) -> None:
    options = {"max_run_state_bytes": 50_000_000}
    with Runtime(home=tmp_path / "home", options=options) as rt:
        fid = rt.register_function(double)
        run = one_state(rt, compute_state(fid, kwargs={"x.$": "$.big"}), {"big": "x" * 5_300_000})
        assert run["status"] == "FAILED"
        failure = run["details"]["details"]
        assert failure["error"] == "ActionUnableToRun"
        assert failure["cause"]["code"] == "PayloadTooLarge"
        assert "5,242,880" in failure["cause"]["description"]
    with Runtime(home=tmp_path / "small", options={"max_compute_payload_bytes": 100}) as rt:
        fid = rt.register_function(double)
        run = one_state(rt, compute_state(fid, kwargs={"x": "y" * 200}))
        assert run["details"]["details"]["cause"]["code"] == "PayloadTooLarge"


def test_unknown_endpoints_run_on_the_default_and_the_log_says_so(rt: Runtime) -> None:
    fid = rt.register_function(double)
    run = one_state(rt, compute_state(fid, kwargs={"x": 2}, endpoint=CLOUD_ID))
    details = run["details"]["output"]["Result"]["details"]
    assert details["result"] == [4]
    assert CLOUD_ID in details["notes"][0] and DEFAULT_ENDPOINT_ID in details["notes"][0]
    notes = [e for e in log_entries(rt, run["run_id"]) if e["code"] == "ActionNote"]
    assert len(notes) == 1
    assert notes[0]["description"].startswith(f"Compute endpoint {CLOUD_ID} is not known")
    assert notes[0]["details"]["state_name"] == "Call"


def test_strict_endpoints_refuse_unknown_ids(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home", options={"strict_endpoints": True}) as rt:
        fid = rt.register_function(double)
        run = one_state(rt, compute_state(fid, kwargs={"x": 2}, endpoint=CLOUD_ID))
        failure = run["details"]["details"]
        assert failure["error"] == "ActionUnableToRun"
        assert failure["cause"]["code"] == "UnknownEndpoint"
        assert "map_endpoint" in failure["cause"]["description"]
        rt.map_endpoint(CLOUD_ID, "default")
        again = one_state(rt, compute_state(fid, kwargs={"x": 2}, endpoint=CLOUD_ID))
        assert again["details"]["output"]["Result"]["details"]["result"] == [4]


def test_unknown_functions_are_refused(rt: Runtime) -> None:
    run = one_state(rt, compute_state("5e1c3c07-0000-0000-0000-000000000000"))
    failure = run["details"]["details"]
    assert failure["error"] == "ActionUnableToRun"
    assert failure["cause"]["code"] == "FunctionNotFound"
    assert "register_function" in failure["cause"]["description"]


def test_a_mapped_cloud_endpoint_runs_on_its_local_executor(rt: Runtime) -> None:
    threads = rt.create_endpoint("threads", executor="thread")
    rt.map_endpoint(CLOUD_ID, threads["endpoint_id"])
    fid = rt.register_function(my_pid)
    run = one_state(rt, compute_state(fid, endpoint=CLOUD_ID))
    assert run["details"]["output"]["Result"]["details"]["result"] == [os.getpid()]
    status = rt.get_endpoint_status(threads["endpoint_id"])
    assert status["status"] == "online" and status["details"]["started"]


def test_a_repeated_request_id_returns_the_existing_action(rt: Runtime, tmp_path: Path) -> None:
    fid = rt.register_function(counts)
    service = ComputeService(db=rt.db, options=rt.options, home=rt.home)
    provider = ComputeActionProvider(service, "v2")
    finished = threading.Event()
    service.attach(lambda action_id: finished.set())
    log = tmp_path / "count.log"
    body = {"tasks": [{"endpoint": "default", "function": fid, "args": [str(log)]}]}
    try:
        first = provider.run({"request_id": "same", "body": body})
        second = provider.run({"request_id": "same", "body": body})
        assert first["action_id"] == second["action_id"]
        assert finished.wait(30)
        assert provider.run({"request_id": "same", "body": body})["status"] == "SUCCEEDED"
        assert log.read_text() == "ran\n"
        assert provider.release(first["action_id"])["status"] == "SUCCEEDED"
    finally:
        service.close()


def test_endpoint_status_shows_the_warm_pool(rt: Runtime) -> None:
    assert rt.get_endpoint_status("default")["details"] == {
        "endpoint_id": DEFAULT_ENDPOINT_ID,
        "executor": "process",
        "started": False,
        "worker_pids": [],
    }
    fid = rt.register_function(double)
    one_state(rt, compute_state(fid, kwargs={"x": 1}))
    details = rt.get_endpoint_status("default")["details"]
    assert details["started"] and len(details["worker_pids"]) == (os.cpu_count() or 1)


def test_an_endpoint_changed_while_its_task_runs(
    rt: Runtime, signal_factory: Any, tmp_path: Path
) -> None:
    started, interrupted = signal_factory("started"), signal_factory("interrupted")
    go = tmp_path / "go"
    os.mkfifo(go)
    fid = rt.register_function(waits)
    kwargs = {"started": str(started.path), "go": str(go), "interrupted": str(interrupted.path)}
    flow = rt.create_flow(
        "w", {"StartAt": "Call", "States": {"Call": compute_state(fid, kwargs=kwargs)}}
    )
    run_id = rt.run_flow(flow["id"], {})["run_id"]
    started.wait()
    rt.update_endpoint("default", config={"workers": 1})
    done = rt.wait(run_id, timeout=60)
    assert done["details"]["details"]["cause"]["details"]["code"] == "EndpointChanged"
    fid2 = rt.register_function(double)
    assert one_state(rt, compute_state(fid2, kwargs={"x": 3}))["status"] == "SUCCEEDED"
    assert len(rt.get_endpoint_status("default")["details"]["worker_pids"]) == 1
    assert release  # imported for symmetry with the other tests
