"""Stand-ins for action providers: canned and computed answers, failures, and the record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.runtime.runtime import Runtime
from gladier.testing import (
    StubAction,
    assert_state_failed,
    failed,
    run_client,
    stub_action,
    stub_search,
    stub_transfer,
    succeeded,
)
from gladier.testing.stubs import TRANSFER_URLS
from tests.testing.clients import (
    SCANNER_URL,
    CaughtScanClient,
    ScanClient,
    StageClient,
    TolerantScanClient,
)


def test_a_canned_answer_becomes_the_details_of_a_succeeded_action(gladier_home: Path) -> None:
    scanner = stub_action(SCANNER_URL + "/", {"pixels": 1024})  # a trailing slash never matters

    result = run_client(ScanClient, {"input": {"sample": "s-7"}})

    assert result.output("Scan")["status"] == "SUCCEEDED"
    assert result.output("Scan")["details"] == {"pixels": 1024}
    assert scanner.calls == [{"sample": "s-7"}]
    assert scanner.requests[0]["state_name"] == "Scan"
    assert scanner.call_count == 1


def test_a_function_answer_sees_the_body_and_may_choose_the_status(gladier_home: Path) -> None:
    def answer(body: dict[str, Any]) -> Any:
        return succeeded({"ok": body["sample"]}) if body["sample"] == "good" else failed("bad")

    stub_action(SCANNER_URL, answer)
    assert run_client(ScanClient, {"input": {"sample": "good"}}).output("Scan")["details"] == {
        "ok": "good"
    }
    bad = run_client(ScanClient, {"input": {"sample": "spoiled"}})
    assert bad.status == "FAILED"
    assert bad.failure is not None
    assert bad.failure["error"] == "ActionFailedException"
    assert bad.failure["cause"]["details"] == "bad"


def test_a_failed_answer_with_exception_on_failure_off_lets_the_run_go_on(
    gladier_home: Path,
) -> None:
    stub_action(SCANNER_URL, failed({"code": "Busy"}))
    result = run_client(TolerantScanClient)
    assert result.status == "SUCCEEDED"
    assert assert_state_failed(result, "Scan") == {"code": "Busy"}


def test_an_answer_function_that_raises_is_a_refused_request(gladier_home: Path) -> None:
    def answer(body: Any) -> Any:
        raise RuntimeError("scanner unplugged")

    scanner = stub_action(SCANNER_URL, answer)
    result = run_client(CaughtScanClient)

    assert result.status == "SUCCEEDED"
    assert list(result.state_outputs) == ["Scan", "Report"]
    cause = assert_state_failed(result, "Scan", error="ActionUnableToRun")
    assert cause == {"code": "RuntimeError", "description": "scanner unplugged"}
    assert scanner.call_count == 0  # a refused request is not an action


def test_transfer_and_search_stand_ins_record_what_the_flow_sent(gladier_home: Path) -> None:
    transfer = stub_transfer()
    search = stub_search()

    result = run_client(StageClient, {"input": {"source": "a", "destination": "b", "index": "i"}})

    assert result.status == "SUCCEEDED", result.describe()
    assert transfer.calls == [
        {
            "source_endpoint": "a",
            "destination_endpoint": "b",
            "DATA": [{"source_path": "/raw", "destination_path": "/staged"}],
        }
    ]
    task = result.output("Stage")["details"]
    assert (task["status"], task["files"], task["source_endpoint_id"]) == ("SUCCEEDED", 1, "a")
    assert search.calls[0]["content"] == {"files": 1}
    assert result.output("Index")["details"]["state"] == "SUCCESS"
    assert result.output("Index")["details"]["index_id"] == "i"


def test_a_transfer_stand_in_serves_the_retired_urls_too(gladier_runtime: Runtime) -> None:
    stub = stub_transfer({"done": True})
    for url in TRANSFER_URLS["transfer"]:
        assert gladier_runtime.providers.get(url) is stub
    assert stub_transfer(operation="delete").answer is None
    with pytest.raises(ConfigException, match="Unknown Transfer operation 'copy'"):
        stub_transfer(operation="copy")
    with pytest.raises(ConfigException, match="Unknown Search operation 'query'"):
        stub_search(operation="query")


def test_a_retried_request_gets_the_same_action_and_is_recorded_once() -> None:
    stub = StubAction({"n": 1})
    request = {"request_id": "r-1", "body": {"x": 1}}
    first = stub.run(request)
    again = stub.run(request)
    assert first["action_id"] == again["action_id"]
    assert stub.status(first["action_id"])["details"] == {"n": 1}
    assert stub.calls == [{"x": 1}]


def test_an_answer_status_other_than_succeeded_or_failed_is_refused() -> None:
    from gladier.testing import ActionAnswer

    with pytest.raises(ConfigException, match="'SUCCEEDED' or 'FAILED', not 'ACTIVE'"):
        ActionAnswer("ACTIVE")


def test_stubs_go_to_the_runtime_given(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "own") as rt:
        stub = stub_action("https://own.example.org/", "hi", runtime=rt)
        assert rt.providers.get("https://own.example.org") is stub


def test_a_compute_step_can_be_stood_in_for_at_its_action_url(gladier_home: Path) -> None:
    from tests.testing.clients import RefuseClient

    compute = stub_action("https://compute.actions.globus.org", {"results": [{"output": 42}]})

    result = run_client(RefuseClient)  # its function would raise; the stand-in answers instead

    assert result.function_output("Refuse") == 42
    assert compute.calls[0]["tasks"][0]["function"]  # the function id the client registered
