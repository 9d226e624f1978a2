"""stub_function: one compute function answered by the test, the others run for real."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gladier.testing import assert_run_failed, run_client, stub_function
from tests.testing.clients import (
    SquareClient,
    SquareThenCorrelate,
    StrictRefuseClient,
    needs_gpu,
    refuse,
)


def test_a_stood_in_function_answers_and_the_others_run(gladier_home: Path) -> None:
    def fake(frames: int, **data: Any) -> dict[str, Any]:
        return {"correlated": frames}

    gpu = stub_function(needs_gpu, fake)  # a V3 state (the tool sets action_url)

    result = run_client(SquareThenCorrelate, {"input": {"number": 5, "frames": 100}})

    assert result.status == "SUCCEEDED", result.describe()
    assert result.function_output("Square") == 25  # ran in a worker process
    assert result.function_output("NeedsGpu") == {"correlated": 100}
    assert gpu.call_count == 1
    assert gpu.calls[0]["frames"] == 100
    assert run_client(SquareClient, {"input": {"number": 2}}).function_output("Square") == 4


def test_a_value_answer_and_a_stand_in_by_name(gladier_home: Path) -> None:
    stub_function("refuse", "all good")
    assert run_client(StrictRefuseClient).function_output("Refuse") == "all good"


def test_a_stand_in_that_raises_fails_the_task_like_the_function_would(
    gladier_home: Path,
) -> None:
    def broken(**data: Any) -> None:
        raise ValueError("calibration missing")

    stub_function(refuse, broken)
    result = run_client(StrictRefuseClient)

    failure = assert_run_failed(result, state="Refuse", error="ActionFailedException")
    assert "calibration missing" in failure["cause"]["details"]["description"]
    assert failure["cause"]["details"]["errors"][0]["type"] == "ValueError"
    with pytest.raises(AssertionError, match="never completed"):
        result.function_output("Refuse")


def test_one_action_of_stood_in_and_real_functions_is_refused(tmp_path: Path) -> None:
    from gladier.exc import ActionProviderError
    from gladier.runtime.runtime import Runtime

    with Runtime(home=tmp_path / "rt") as rt:
        real_id, fake_id = rt.register_function(refuse), rt.register_function(needs_gpu)
        stub_function(needs_gpu, {"ok": True}, runtime=rt)
        provider = rt.providers.get("https://compute.actions.globus.org")
        assert provider is not None
        body = {
            "tasks": [
                {"endpoint": "ep", "function": fake_id, "payload": {"frames": 1}},
                {"endpoint": "ep", "function": real_id, "payload": {}},
            ]
        }
        with pytest.raises(ActionProviderError, match=r"stood-in functions \(needs_gpu\)"):
            provider.run({"request_id": "r", "state_name": "Both", "body": body})
