"""The assertions: they pass on what happened and say what happened when they fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gladier.exc import ConfigException
from gladier.testing import (
    ClientRun,
    assert_log_contains,
    assert_run_failed,
    assert_run_succeeded,
    assert_state_failed,
    assert_state_succeeded,
    failed,
    run_client,
    stub_action,
)
from tests.testing.clients import SCANNER_URL, SquareThenScan, StrictRefuseClient


@pytest.fixture
def good(gladier_home: Path) -> ClientRun:
    stub_action(SCANNER_URL, {"pixels": 4})
    return run_client(SquareThenScan, {"input": {"number": 2, "sample": "s"}})


@pytest.fixture
def bad(gladier_home: Path) -> ClientRun:
    return run_client(StrictRefuseClient)


def test_assertions_on_a_run_that_succeeded(good: ClientRun) -> None:
    assert assert_run_succeeded(good) is good
    assert assert_state_succeeded(good, "Square")["details"]["results"][0]["output"] == 4
    with pytest.raises(AssertionError, match=r"Expected the run to fail\. The run ended SUCCEEDED"):
        assert_run_failed(good)
    with pytest.raises(AssertionError, match="Expected state 'Square' to fail"):
        assert_state_failed(good, "Square")
    with pytest.raises(AssertionError, match="'Nowhere' to succeed, but it never completed"):
        assert_state_succeeded(good, "Nowhere")


def test_assertions_on_a_run_that_failed(bad: ClientRun) -> None:
    failure = assert_run_failed(bad, state="Refuse", error="ActionFailedException")
    assert failure["state_name"] == "Refuse"
    assert assert_state_failed(bad, "Refuse", error="ActionFailedException")["status"] == "FAILED"
    with pytest.raises(AssertionError, match=r"(?s)to succeed.*in state 'Refuse'"):
        assert_run_succeeded(bad)
    with pytest.raises(AssertionError, match="fail in state 'Other'"):
        assert_run_failed(bad, state="Other")
    with pytest.raises(AssertionError, match="fail with ActionTimeout"):
        assert_run_failed(bad, error="ActionTimeout")
    with pytest.raises(AssertionError, match="failed with ActionFailedException, not Nope"):
        assert_state_failed(bad, "Refuse", error="Nope")


def test_a_state_whose_action_failed_did_not_succeed(gladier_home: Path) -> None:
    from tests.testing.clients import TolerantScanClient

    stub_action(SCANNER_URL, failed({"code": "Busy"}))
    result = run_client(TolerantScanClient)
    with pytest.raises(
        AssertionError, match=re.escape("its action ended FAILED with details {'code': 'Busy'}")
    ):
        assert_state_succeeded(result, "Scan")


def test_log_entries_match_on_code_state_description_and_details(good: ClientRun) -> None:
    entry = assert_log_contains(good, code="ActionStarted", state="Scan")
    assert entry["details"]["input"] == {"sample": "s"}
    assert assert_log_contains(good, details={"state_name": "Scan", "input": {"sample": "s"}})
    assert assert_log_contains(good, description="completed successfully")["code"] == (
        "FlowSucceeded"
    )
    assert assert_log_contains(good, code="ActionCompleted", details={"output": {"details": {}}})
    with pytest.raises(
        AssertionError,
        match=r'(?s)No log entry matches \{"code": "ActionStarted", '
        r'"state": "Nowhere"\}.*ActionStarted \(Square\)',
    ):
        assert_log_contains(good, code="ActionStarted", state="Nowhere")
    with pytest.raises(AssertionError, match="No log entry matches"):
        assert_log_contains(good, state="Scan", details={"input": {"sample": "other"}})
    with pytest.raises(ConfigException, match="needs code=, state="):
        assert_log_contains(good)
