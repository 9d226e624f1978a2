"""Runtime.submit_compute_task / get_compute_task: one function call outside any flow."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ActionProviderError, NotFound
from gladier.runtime import Runtime


def _add(a: int, b: int = 1) -> int:
    return a + b


def _fail(message: str) -> None:
    raise ValueError(message)


def finished(rt: Runtime, task_id: str) -> dict[str, Any]:
    while (done := rt.get_compute_task(task_id))["status"] not in ("SUCCEEDED", "FAILED"):
        pass
    return done


def test_a_task_runs_and_is_found_by_its_id_after_a_restart(tmp_path: Path) -> None:
    task_id = str(uuid.uuid4())
    with Runtime(tmp_path / "home") as rt:
        function_id = rt.register_function(_add)
        started = rt.submit_compute_task("default", function_id, [2], {"b": 40}, task_id=task_id)
        assert started["status"] in ("ACTIVE", "SUCCEEDED")
        assert finished(rt, task_id)["details"]["result"] == [42]
        again = rt.submit_compute_task("default", function_id, [5], task_id=task_id)
        assert again["action_id"] == started["action_id"]  # the same request, not a new task
    with Runtime(tmp_path / "home") as reopened:
        assert reopened.get_compute_task(task_id)["details"]["result"] == [42]


def test_a_failing_task_and_unknown_ids(tmp_path: Path) -> None:
    with Runtime(tmp_path / "home") as rt:
        function_id = rt.register_function(_fail)
        task_id = str(uuid.uuid4())
        rt.submit_compute_task("default", function_id, ["boom"], task_id=task_id)
        done = finished(rt, task_id)
        assert done["status"] == "FAILED"
        assert "boom" in done["details"]["results"][0]["exception"]
        with pytest.raises(NotFound):
            rt.get_compute_task(str(uuid.uuid4()))
        with pytest.raises(ActionProviderError):
            rt.submit_compute_task("default", str(uuid.uuid4()), task_id=str(uuid.uuid4()))
