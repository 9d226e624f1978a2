"""``start_runs``: many runs in one transaction, each the run ``run_flow`` would start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import FlowInputError, FlowValidationError, LimitExceeded
from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock

FLOW = {
    "StartAt": "P",
    "States": {
        "P": {"Type": "Pass", "Parameters": {"twice.=": "n * 2"}, "ResultPath": "$.r", "End": True}
    },
}
SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def count_runs(rt: Runtime) -> int:
    return int(rt.db.read().execute("SELECT count(*) FROM runs").fetchone()[0])


def normalised(doc: Any, run_id: str) -> str:
    return json.dumps(doc, sort_keys=True).replace(run_id, "<run>")


def test_batch_runs_are_the_runs_run_flow_starts(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        flow = rt.create_flow("double", FLOW, input_schema=SCHEMA)["id"]
        bodies: list[dict[str, Any]] = [
            {"n": 1},
            {"n": 2, "_private_key": "s"},
            {"n": 3, "blob": "b" * 2000},
        ]
        batch = rt.start_runs(flow, bodies, label="batch", tags=["a"])
        singles = [rt.run_flow(flow, body, label="batch", tags=["a"]) for body in bodies]
        for started, single in zip(batch, singles, strict=True):
            assert normalised(started, started["run_id"]) == normalised(single, single["run_id"])
            done = rt.wait(started["run_id"], timeout=30)
            alone = rt.wait(single["run_id"], timeout=30)
            assert normalised(done, done["run_id"]) == normalised(alone, alone["run_id"])
            logs = rt.get_run_logs(done["run_id"], limit=100)
            single_logs = rt.get_run_logs(alone["run_id"], limit=100)
            assert normalised(logs, done["run_id"]) == normalised(single_logs, alone["run_id"])
        assert [
            d["details"]["output"]["r"]["twice"]
            for d in map(rt.get_run, (r["run_id"] for r in batch))
        ] == [2, 4, 6]
        assert len({r["run_id"] for r in batch}) == 3


def test_one_bad_body_starts_no_run_and_is_named(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h") as rt:
        flow = rt.create_flow("double", FLOW, input_schema=SCHEMA)["id"]
        with pytest.raises(FlowInputError, match="Body 2 of 3") as failed:
            rt.start_runs(flow, [{"n": 1}, {"n": 2}, {"n": "three"}])
        assert "No run was started" in str(failed.value)
        with pytest.raises(LimitExceeded, match=r"Body 1 of 2.*JSON object"):
            rt.start_runs(flow, [{"n": 1}, ["n", 2]])  # type: ignore[list-item]
        with pytest.raises(FlowValidationError, match=r"Body 0 of 1") as bad:
            rt.start_runs(flow, [{"n": 1, "when": object()}])
        assert bad.value.errors[0]["loc"][:2] == ["body", "when"]
        assert count_runs(rt) == 0


def test_a_large_batch_starts_and_finishes(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h") as rt:
        flow = rt.create_flow("double", FLOW)["id"]
        runs = rt.start_runs(flow, ({"n": i} for i in range(2000)))
        assert count_runs(rt) == 2000
        last = rt.wait(runs[-1]["run_id"], timeout=60)
        assert last["details"]["output"]["r"]["twice"] == 3998
        with pytest.raises(LimitExceeded, match="at most 10000"):
            rt.start_runs(flow, [{"n": 1}] * 10_001)
