"""``gladier runs list`` marks the actions that FAILED in runs that SUCCEEDED without reading
their logs whole: a long log with no failed action is never decoded, and every marking is the
one the progress model gives."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gladier.progress as progress_package
import gladier.runtime.run_failures as run_failures
from gladier.progress import read_progress
from gladier.runtime import Runtime
from tests.cli.conftest import Invoke

FLAKY = "https://example.org/flaky"


def flaky(body: Any) -> Any:
    if body.get("fail"):
        raise ValueError("asked to fail" + " at length" * int(body.get("length") or 0))
    return {"ok": True}


def call(name: str, fail: str, next_state: str | None, **extra: Any) -> dict[str, Any]:
    """An Action state that calls FLAKY with ``fail`` set to the expression ``fail``."""
    state: dict[str, Any] = {
        "Type": "Action",
        "ActionUrl": FLAKY,
        "Parameters": {"fail.=": fail, "length.$": "$.length"},
        "ResultPath": f"$.{name}",
        "ExceptionOnActionFailure": False,
        **extra,
    }
    if next_state is None:
        state["End"] = True
    else:
        state["Next"] = next_state
    return state


def loop(first: str, count: str, rounds: int, end: str | None) -> dict[str, Any]:
    """States ``Count`` and ``More?`` that go back to ``first`` until ``$.c.n`` is ``rounds``."""
    more: dict[str, Any] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.c.n", "NumericLessThan": rounds, "Next": first}],
    }
    if end is None:
        more["Default"] = "Done"
    else:
        more["Default"] = end
    return {
        count: {
            "Type": "ExpressionEval",
            "Parameters": {"n.=": "c.n + 1"},
            "ResultPath": "$.c",
            "Next": "More?",
        },
        "More?": more,
    }


#: 2,000 events: 500 rounds of a counter and a Choice, no action.
LONG = {
    "StartAt": "Count",
    "States": {**loop("Count", "Count", 500, "Done"), "Done": {"Type": "Pass", "End": True}},
}
#: Two actions that FAILED, then a long tail of a loop.
TWO_FAILED = {
    "StartAt": "A",
    "States": {
        "A": call("a", "fail", "B"),
        "B": call("b", "fail", "Count"),
        **loop("Count", "Count", 400, "Done"),
        "Done": {"Type": "Pass", "End": True},
    },
}
#: One state visited three times: its action fails only while n < 2.
AGAIN = {
    "StartAt": "Try",
    "States": {
        "Try": call("try", "c.n < 2", "Count"),
        **loop("Try", "Count", 3, "Done"),
        "Done": {"Type": "Pass", "End": True},
    },
}
#: The failure is caught (ExceptionOnActionFailure true): no action FAILED while the run went on.
CAUGHT = {
    "StartAt": "Try",
    "States": {
        "Try": call(
            "try",
            "fail",
            None,
            ExceptionOnActionFailure=True,
            Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
        ),
        "Done": {"Type": "Pass", "End": True},
    },
}


#: Run input that makes the run state larger than a log row keeps inline.
LARGE = {"length": 0, "notes": "x" * 2000}


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    return _isolated_home


def started(rt: Runtime, definition: dict[str, Any], body: dict[str, Any]) -> str:
    flow = rt.create_flow("f", definition)
    run_id = str(rt.run_flow(flow["id"], body)["run_id"])
    assert rt.wait(run_id, timeout=60)["status"] == "SUCCEEDED"
    return run_id


@pytest.fixture
def runs(home: Path) -> Iterator[dict[str, str]]:
    assert os.environ["GLADIER_HOME"] == str(home)
    with Runtime(home=home, options={"poll_initial_interval": 0.01}) as rt:
        rt.add_action_provider(FLAKY, flaky)
        yield {
            "long": started(rt, LONG, {"c": {"n": 0}}),
            # large states: the log's state copies are stored apart, most as patches
            "two": started(rt, TWO_FAILED, {"c": {"n": 0}, "fail": True, **LARGE}),
            "none": started(rt, TWO_FAILED, {"c": {"n": 398}, "fail": False, **LARGE}),
            # long action documents: each is stored apart too
            "again": started(rt, AGAIN, {"c": {"n": 0}, "length": 100}),
            "caught": started(rt, CAUGHT, {"fail": True, "length": 0}),
        }


def status_of(listed: str, run_id: str) -> str:
    line = next(line for line in listed.splitlines() if run_id in line)
    match = re.search(r"SUCCEEDED(, \d+ actions? FAILED)?", line)
    assert match, line
    return match.group(0)


def expected(run_id: str) -> str:
    """The marking as the progress model gives it, from the whole log."""
    with Runtime(home=Path(os.environ["GLADIER_HOME"]), scheduler=False) as rt:
        failed = len(read_progress(rt, run_id).failed_actions())
    return "SUCCEEDED" + (f", {failed} action{'s' if failed > 1 else ''} FAILED" if failed else "")


def test_every_marking_is_the_progress_models(gladier: Invoke, runs: dict[str, str]) -> None:
    listed = gladier("runs", "list").stdout
    marks = {key: status_of(listed, run_id) for key, run_id in runs.items()}
    assert marks == {
        "long": "SUCCEEDED",
        "two": "SUCCEEDED, 2 actions FAILED",
        "none": "SUCCEEDED",
        "again": "SUCCEEDED, 2 actions FAILED",
        "caught": "SUCCEEDED",
    }
    assert marks == {key: expected(run_id) for key, run_id in runs.items()}


def test_logs_are_not_decoded_to_list_runs(
    gladier: Invoke, runs: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Runtime(home=Path(os.environ["GLADIER_HOME"]), scheduler=False) as rt:
        assert len(read_progress(rt, runs["long"]).events) >= 2000

    def no_whole_log(*args: Any) -> Any:
        raise AssertionError("a whole log was read")

    decoded: list[str] = []
    real = run_failures.details_text

    def counting(*parts: Any) -> str:
        decoded.append(parts[0])
        return real(*parts)

    monkeypatch.setattr(progress_package, "read_progress", no_whole_log)
    monkeypatch.setattr(run_failures, "details_text", counting)
    listed = gladier("runs", "list")
    assert listed.exit_code == 0, listed.output
    assert status_of(listed.stdout, runs["long"]) == "SUCCEEDED"
    assert status_of(listed.stdout, runs["two"]) == "SUCCEEDED, 2 actions FAILED"
    # Only the completions of the four failed actions were decoded (two runs, two each).
    assert len(decoded) == 4


def test_a_log_only_the_model_can_read_is_read_whole(
    gladier: Invoke, runs: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FlowFailed event in the log of a run that SUCCEEDED (no run writes one) might open a
    visit of its own: the whole log is read then, and the marking is still the model's."""
    run_id = runs["two"]
    with Runtime(home=Path(os.environ["GLADIER_HOME"]), scheduler=False) as rt:
        with rt.db.write() as conn:
            conn.execute(
                "INSERT INTO events(run_id, seq, time, code, description, details) "
                "SELECT run_id, max(seq) + 1, max(time), 'FlowFailed', 'The Flow Instance failed',"
                ' \'{"details": {"state_name": "B"}}\' FROM events WHERE run_id = ?',
                (run_id,),
            )
        assert run_failures.failed_action_counts(rt.db.read(), [run_id]) == {run_id: None}
    calls: list[str] = []

    def whole(source: Any, rid: str) -> Any:
        calls.append(rid)
        return read_progress(source, rid)

    monkeypatch.setattr(progress_package, "read_progress", whole)
    listed = gladier("runs", "list").stdout
    assert calls == [run_id]
    assert status_of(listed, run_id) == expected(run_id) == "SUCCEEDED, 2 actions FAILED"


def test_other_runs_commands_are_unchanged(gladier: Invoke, runs: dict[str, str]) -> None:
    shown = gladier("runs", "show", runs["two"])
    assert shown.exit_code == 0, shown.output
    assert "2 actions FAILED, but the run went on" in shown.stdout
    assert "ACTION FAILED" not in gladier("runs", "show", runs["long"]).stdout
