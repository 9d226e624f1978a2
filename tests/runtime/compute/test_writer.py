"""Outcomes are stored in the background, many per transaction, and all of them on close."""

from __future__ import annotations

import json
from pathlib import Path

from gladier.runtime.compute.actions import SUCCEEDED, ActionStore, ComputeAction, TaskState
from gladier.runtime.compute.writer import OutcomeWriter
from gladier.runtime.leases import Owner
from gladier.runtime.store import Database


def test_pending_outcomes_are_stored_by_close(tmp_path: Path) -> None:
    db = Database(tmp_path / "runtime.db")
    db.open()
    try:
        store = ActionStore(db)
        actions = []
        for n in range(20):
            tasks = [
                TaskState(i, f"a{n}-t{i}", "ep", "ep", "fn", "f", "[[],{}]", submissions=1)
                for i in range(3)
            ]
            act = ComputeAction(f"tg_{n}", f"req-{n}", None, None, {}, tasks, start_time="t")
            store.insert(act, Owner.for_this_process())
            actions.append(act)
        writer = OutcomeWriter(store)
        for act in actions:
            for t in act.tasks:
                act.finish(t, SUCCEEDED, result=json.dumps(t.index))
                writer.add(act, t)
        writer.close()
        writer.add(actions[0], actions[0].tasks[0])  # ignored after close
        for act in actions:
            loaded = store.load(act.action_id)
            assert loaded is not None
            stored, _ = loaded
            assert stored.status == "SUCCEEDED"
            assert [t.value() for t in stored.tasks] == [0, 1, 2]
    finally:
        db.close()
