"""The shared Globus Flows conformance cases, each run under its engine switches."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import FlowValidationError
from gladier.runtime import Runtime
from gladier.runtime.providers import ActionProvider, action_status

CASES_DIR = Path(__file__).resolve().parent / "flows-cases"
CASES = sorted(CASES_DIR.glob("*.json"))


class MockProvider(ActionProvider):
    """Answers per state name as the case's ``mock_actions`` say, and records every call."""

    def __init__(self, mocks: Mapping[str, Any]) -> None:
        self.mocks = mocks
        self.calls: list[tuple[str, Any]] = []
        self.answers: dict[str, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def _next(self, state: str, request: Mapping[str, Any], action_id: str) -> dict[str, Any]:
        spec = self.mocks[state]
        steps = spec if isinstance(spec, list) else [spec]
        with self.lock:
            index = len(self.answers.setdefault(action_id, []))
        step = steps[min(index, len(steps) - 1)]
        if step.get("must_not_be_called"):
            raise AssertionError(f"state {state} must not call its action provider")
        if "run_error" in step:
            from gladier.exc import ActionProviderError

            err = step["run_error"]
            raise ActionProviderError("run failed", err.get("body"), err.get("http_status", 400))
        details = request["body"] if step.get("details_from_body") else step.get("details")
        doc = action_status(action_id, step["status"], details, request)
        with self.lock:
            self.answers[action_id].append(doc)
        return doc

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        state = request["state_name"]
        with self.lock:
            self.calls.append((state, request["body"]))
        return self._next(state, request, f"{state}-action")

    def status(self, action_id: str) -> dict[str, Any]:
        state = action_id.rsplit("-action", 1)[0]
        return self._next(state, {"body": None}, action_id)


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _subset(v, actual[k]) for k, v in expected.items()
        )
    return expected == actual


def _path_exists(doc: Any, path: str) -> bool:
    from gladier.runtime.language.paths import parse_path

    return parse_path(path).exists(doc)


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_case(case_file: Path, tmp_path: Path) -> None:
    case = json.loads(case_file.read_text())
    options = dict(case.get("engine_switches") or {})
    options.setdefault("poll_initial_interval", 0.01)
    with Runtime(home=tmp_path / "home", options=options) as rt:
        mocks = case.get("mock_actions") or {}
        provider = MockProvider(mocks)
        urls = {
            s.get("ActionUrl")
            for s in case["definition"].get("States", {}).values()
            if isinstance(s, dict) and s.get("Type") == "Action"
        }
        for url in urls:
            if url:
                rt.add_action_provider(url, provider)

        if case["expected_status"] == "INVALID":
            with pytest.raises(FlowValidationError) as info:
                rt.create_flow(case["name"][:128], case["definition"])
            expected = case["expected_validation_error"]
            err = info.value
            assert err.http_status == expected["http_status"]
            assert err.code == expected["code"]
            if "detail" in expected:
                assert err.detail == expected["detail"]
            if "loc_prefix" in expected:
                prefix = expected["loc_prefix"]
                assert any(d["loc"][: len(prefix)] == prefix for d in err.detail), err.detail
            assert rt.list_flows()["flows"] == []
            return

        flow = rt.create_flow(case["name"][:128], case["definition"])
        run = rt.run_flow(flow["id"], case["input"])
        done = rt.wait(run["run_id"], timeout=30)
        assert done["status"] == case["expected_status"], done["details"]
        logs = rt.get_run_logs(run["run_id"], limit=100)["entries"]

        if case["expected_status"] == "SUCCEEDED":
            output = done["details"]["output"]
            expected_output = case["expected_output"]
            if case.get("output_match", "exact") == "exact":
                assert output == expected_output
            else:
                assert _subset(expected_output, output), output
            for path in case.get("expected_present_paths", []):
                assert _path_exists(output, path), path
            for path in case.get("expected_absent_paths", []):
                assert not _path_exists(output, path), path
        else:
            expected_error = case["expected_error"]
            failure = done["details"]["details"]
            assert failure["state_name"] == expected_error["state_name"]
            if "name" in expected_error:
                assert failure["exception"] == expected_error["name"]
            if "error" in expected_error:
                assert failure["error"] == expected_error["error"]
            if "cause" in expected_error:
                assert failure["cause"] == expected_error["cause"]

        if "expected_visited_states" in case:
            visited = [
                e["details"]["state_name"]
                for e in logs
                if e["code"].endswith("Started") and e["code"] != "FlowStarted"
            ]
            assert visited == case["expected_visited_states"]
        if "expected_log_codes" in case:
            assert [e["code"] for e in logs] == case["expected_log_codes"]
        # The log never repeats an event, and is numbered without gaps.
        assert len(logs) == len({(e["time"], e["code"], json.dumps(e["details"])) for e in logs})


def test_vendored_cases_match_shared() -> None:
    """The cases are vendored; when the team's shared copy is beside the repo, they agree."""
    shared = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "flows-cases"
    if not shared.is_dir():
        pytest.skip("no shared/ folder beside this checkout")
    theirs = {p.name: json.loads(p.read_text()) for p in shared.glob("*.json")}
    ours = {p.name: json.loads(p.read_text()) for p in CASES}
    assert ours == theirs
