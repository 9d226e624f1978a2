"""The action store: actions accepted in one scheduler transaction are stored together."""

from __future__ import annotations

from pathlib import Path

from gladier.runtime.compute.actions import RUNNING, ActionStore, ComputeAction, TaskState
from gladier.runtime.leases import Owner
from gladier.runtime.store import Database


def new_action(n: int, tasks: int = 2) -> ComputeAction:
    states = [
        TaskState(i, f"a{n}-t{i}", "ep", "ep", "fn", "f", "[[],{}]", RUNNING, submissions=1)
        for i in range(tasks)
    ]
    return ComputeAction(f"tg_{n}", f"req-{n}", f"run-{n}", "S", {}, states, start_time="t")


def test_insert_new_many_stores_every_action_and_names_those_stored_before(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "runtime.db")
    db.open()
    try:
        store = ActionStore(db)
        owner = Owner.for_this_process()
        store.insert(new_action(1), owner)  # stored by an earlier process, say
        with db.write() as conn:
            assert store.insert_new_many(conn, [new_action(n) for n in range(4)], owner) == {"tg_1"}
        with db.write() as conn:
            assert store.insert_new_many(conn, [new_action(n) for n in (7, 8, 9)], owner) == set()
        for n in (0, 2, 3, 7, 8, 9):
            loaded = store.load(f"tg_{n}")
            assert loaded is not None
            assert [t.task_id for t in loaded[0].tasks] == [f"a{n}-t0", f"a{n}-t1"]
        tasks = db.read().execute("SELECT COUNT(*) FROM compute_tasks").fetchone()[0]
        assert tasks == 7 * 2
    finally:
        db.close()
