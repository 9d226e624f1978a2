"""``strict_compute = True``: every Compute state fails its run when its function raises."""

from __future__ import annotations

from pathlib import Path

import pytest

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def may_fail(**data: object) -> str:
    """Fail when asked to."""
    if data.get("fail"):
        raise ValueError("asked to fail")
    return "fine"


@generate_flow_definition
class MayFail(GladierBaseTool):
    compute_functions = [may_fail]
    required_input = ["compute_endpoint"]


@generate_flow_definition
class Lenient(GladierBaseClient):
    gladier_tools = [MayFail]


class Strict(Lenient):
    strict_compute = True


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GLADIER_LEGACY_CONFIG", str(tmp_path / "no-legacy.cfg"))
    monkeypatch.delenv("GLADIER_BACKEND", raising=False)


def test_generated_states_keep_0_11_semantics_unless_strict() -> None:
    lenient = Lenient().get_flow_definition()["States"]["MayFail"]
    strict = Strict().get_flow_definition()["States"]["MayFail"]
    assert lenient["ExceptionOnActionFailure"] is False
    assert strict["ExceptionOnActionFailure"] is True
    assert {k: v for k, v in strict.items() if k != "ExceptionOnActionFailure"} == {
        k: v for k, v in lenient.items() if k != "ExceptionOnActionFailure"
    }


def test_a_strict_client_run_fails_where_a_lenient_one_succeeds() -> None:
    lenient = Lenient()
    run = lenient.run_flow({"input": {"fail": True}})
    final = lenient.progress(run["run_id"])
    assert final["status"] == "SUCCEEDED"
    assert final["details"]["output"]["MayFail"]["status"] == "FAILED"

    strict = Strict()
    run = strict.run_flow({"input": {"fail": True}})
    final = strict.progress(run["run_id"])
    assert final["status"] == "FAILED"
    assert "asked to fail" in str(final["details"])
