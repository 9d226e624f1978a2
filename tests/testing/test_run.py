"""run_client: a client's flow run to the end on the embedded runtime, and its results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.runtime.providers import ActionProvider, action_status
from gladier.runtime.runtime import Runtime
from gladier.testing import run_client, stub_action
from tests.testing.clients import (
    SCANNER_URL,
    CountToSixty,
    RefuseClient,
    ScanClient,
    SquareClient,
    SquareThenScan,
    StrictRefuseClient,
)


def test_a_compute_client_runs_to_success_with_each_state_output(gladier_home: Path) -> None:
    stub_action(SCANNER_URL, lambda body: {"scanned": body["sample"]})

    result = run_client(SquareThenScan, {"input": {"number": 7, "sample": "s-1"}})

    assert result.status == "SUCCEEDED", result.describe()
    assert list(result.state_outputs) == ["Square", "Scan"]
    assert result.function_output("Square") == 49
    assert result.output("Scan")["details"] == {"scanned": "s-1"}
    assert result.flow_output["Scan"]["status"] == "SUCCEEDED"
    assert result.failure is None
    assert result.codes()[-1] == "FlowSucceeded"
    assert result.outputs("Square") == [result.output("Square")]


def test_a_state_that_runs_many_times_reports_every_output_and_the_whole_log(
    gladier_home: Path,
) -> None:
    result = run_client(CountToSixty)

    assert result.status == "SUCCEEDED", result.describe()
    assert [output["counter"]["n"] for output in result.outputs("Inc")] == list(range(1, 61))
    assert result.output("Inc")["counter"] == {"n": 60}
    assert list(result.state_outputs) == ["Init", "Inc", "Check", "Done"]
    assert result.output("Check") == {"next": "Done"}
    assert len(result.log) > 200  # several pages of the run log, all collected
    assert result.codes()[0] == "FlowStarted"
    assert result.codes()[-1] == "FlowSucceeded"


def test_an_instance_is_run_as_it_is(gladier_home: Path) -> None:
    client = SquareClient()
    result = run_client(client, {"input": {"number": 3}})
    assert result.function_output("Square") == 9
    assert client.get_flow_id() is not None  # the instance itself deployed the flow


def test_a_function_that_raises_fails_the_run_when_the_state_says_so(gladier_home: Path) -> None:
    result = run_client(StrictRefuseClient)

    assert result.status == "FAILED"
    assert result.failure is not None
    assert result.failure["state_name"] == "Refuse"
    assert result.failure["error"] == "ActionFailedException"
    assert "the detector is offline" in result.describe()
    with pytest.raises(AssertionError, match=r"State 'Refuse' never completed.*FAILED"):
        result.output("Refuse")


def test_a_raising_function_in_a_generated_state_is_reported_though_the_run_succeeds(
    gladier_home: Path,
) -> None:
    result = run_client(RefuseClient)  # ExceptionOnActionFailure is false, as Gladier makes it

    assert result.status == "SUCCEEDED"
    assert result.output("Refuse")["status"] == "FAILED"
    assert "The action of 'Refuse' ended FAILED" in result.describe()
    with pytest.raises(AssertionError, match=r"(?s)raised:.*ValueError: the detector is offline"):
        result.function_output("Refuse")


def test_function_output_of_a_state_without_compute_results_says_so(gladier_home: Path) -> None:
    stub_action(SCANNER_URL, {"scanned": True})
    result = run_client(ScanClient, {"input": {"sample": "x"}})
    with pytest.raises(AssertionError, match="no compute result number 0"):
        result.function_output("Scan")


def test_the_input_is_checked_like_run_flow_does(gladier_home: Path) -> None:
    with pytest.raises(ConfigException, match='requires flow input value: "number"'):
        run_client(SquareClient, {"input": {}})


def test_only_clients_are_accepted(gladier_home: Path) -> None:
    with pytest.raises(ConfigException, match="GladierBaseClient subclass or instance"):
        run_client(dict)
    with pytest.raises(ConfigException, match="GladierBaseClient subclass or instance"):
        run_client("SquareClient")


def test_a_client_on_globus_is_refused(gladier_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIER_BACKEND", "globus")
    with pytest.raises(ConfigException, match=r"embedded runtime.*'globus' backend"):
        run_client(SquareClient, {"input": {"number": 1}})


class NeverDone(ActionProvider):
    """Answers ACTIVE for ever."""

    def run(self, request: Any) -> dict[str, Any]:
        return action_status("never", "ACTIVE", None, request)

    def status(self, action_id: str) -> dict[str, Any]:
        return action_status(action_id, "ACTIVE", None)


def test_a_run_that_does_not_end_raises_timeout_error(gladier_runtime: Runtime) -> None:
    gladier_runtime.add_action_provider(SCANNER_URL, NeverDone())
    with pytest.raises(TimeoutError, match=r"had not ended after 0.2 s \(status ACTIVE\)"):
        run_client(ScanClient, {"input": {"sample": "x"}}, timeout=0.2)
