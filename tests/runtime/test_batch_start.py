"""``start_runs``: many runs in one transaction, each the run ``run_flow`` would start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import FlowInputError, FlowValidationError, LimitExceeded
from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.run_log import ENTRY_SELECT, event_tuple

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


def test_each_document_is_what_get_run_returns_and_shares_nothing(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h") as rt:
        flow = rt.create_flow("double", FLOW, input_schema=SCHEMA)["id"]
        bodies: list[dict[str, Any]] = [
            {"n": 1},
            {"n": 2, "_private_key": "s", "nested": {"a": [1, 2.5, None]}},
            {"n": 3, "blob": "b" * 2000},
            {"n": 3, "blob": "b" * 2000},
        ]
        docs = rt.start_runs(
            flow,
            bodies,
            label="batch",
            tags=["a", "b"],
            run_managers=["urn:m"],
            run_monitors=["urn:o"],
            activity_notification_policy={"status": ["INACTIVE", "FAILED"]},
        )
        views = rt.runs.views
        for doc in docs:
            # get_run's document, read back from the stored row and its FlowStarted event
            # (the scheduler may have moved the run on since)
            run_id = doc["run_id"]
            first = [
                event_tuple(r)
                for r in rt.db.read().execute(
                    f"{ENTRY_SELECT} WHERE e.run_id = ? AND e.seq = 1", (run_id,)
                )
            ]
            row = list(views.row(run_id))
            row[2], row[6] = "ACTIVE", None  # status and completion time as of the start
            assert json.dumps(doc) == json.dumps(views.document(row, first))
        assert "_private_key" not in docs[1]["details"]["details"]["input"]
        first, second = docs[0], docs[1]
        first["tags"].append("x")
        first["run_managers"].append("urn:x")
        first["activity_notification_policy"]["status"].clear()
        first["user_roles"].clear()
        assert second["tags"] == ["a", "b"] and second["run_managers"] == ["urn:m"]
        assert second["activity_notification_policy"] == {"status": ["INACTIVE", "FAILED"]}
        assert second["user_roles"] == ["run_owner"]


def test_run_ids_are_random_uuids() -> None:
    import uuid

    from gladier.runtime.run_start import new_run_ids

    ids = new_run_ids(5000)
    assert len(set(ids)) == 5000
    for run_id in ids:
        parsed = uuid.UUID(run_id)
        assert str(parsed) == run_id and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_repeated_bodies_are_each_checked(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h", scheduler=False) as rt:
        flow = rt.create_flow("double", FLOW, input_schema=SCHEMA)["id"]
        assert len(rt.start_runs(flow, [{"n": 1}] * 3)) == 3
        with pytest.raises(FlowInputError, match="Body 0 of 2"):
            rt.start_runs(flow, [{"n": "x"}] * 2)
        with pytest.raises(FlowValidationError, match="Body 2 of 3"):
            rt.start_runs(flow, [{"n": 1}, {"n": 1}, {"n": 1, "x": float("nan")}])
        assert count_runs(rt) == 3
