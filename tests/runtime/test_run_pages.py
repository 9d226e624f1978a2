"""Run lists and logs paged by marker: every row once, in the documented order, no gaps."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 86400, "End": True}}}
LABELS = [None, "alpha", "beta", "", "alpha"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with runs of three flows in every status, with ties in every sort key."""
    path = tmp_path_factory.mktemp("pages") / "home"
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=path, clock=clock) as rt:
        flows = [rt.create_flow(n, d)["id"] for n, d in (("p", PASS), ("f", FAIL), ("w", WAIT))]
        for i in range(45):
            run = rt.run_flow(flows[i % 3], {"i": i}, label=LABELS[i % len(LABELS)])
            if i % 3 != 2:
                rt.wait(run["run_id"], timeout=30)
            if i % 4 == 0:
                clock.advance(1)  # several runs share each start (and completion) time
    return path


def reference(rt: Runtime, where: str, args: list[Any], order: str) -> list[str]:
    """The rows in the order the runtime has always listed them (ties newest first)."""
    sql = f"SELECT run_id FROM runs WHERE released = 0{where} ORDER BY {order}, rowid DESC"
    return [r[0] for r in rt.db.read().execute(sql, args)]


def walk(rt: Runtime, per_page: int, between: Any = None, **query: Any) -> list[str]:
    seen: list[str] = []
    page = rt.list_runs(per_page=per_page, **query)
    while True:
        seen += [r["run_id"] for r in page["runs"]]
        assert len(page["runs"]) <= per_page
        if not page["has_next_page"]:
            assert page["marker"] is None
            return seen
        if between is not None:
            between()
        page = rt.list_runs(marker=page["marker"])


ORDERS = [None] + [
    f"{f} {d}"
    for f, d in itertools.product(
        ["start_time", "completion_time", "status", "label", "id"], ["ASC", "DESC"]
    )
]


@pytest.mark.parametrize("orderby", ORDERS)
def test_every_filter_and_order_pages_through_every_run_once_in_order(
    home: Path, orderby: str | None
) -> None:
    with Runtime(home=home, scheduler=False) as rt:
        flows = sorted({r["flow_id"] for r in rt.list_runs(per_page=100)["runs"]})
        order = (orderby or "start_time DESC").replace("id ", "run_id ")
        filters: list[tuple[dict[str, Any], str, list[Any]]] = [
            ({}, "", []),
            ({"filter_status": "SUCCEEDED"}, " AND status IN (?)", ["SUCCEEDED"]),
            (
                {"filter_status": ["ACTIVE", "FAILED"]},
                " AND status IN (?, ?)",
                ["ACTIVE", "FAILED"],
            ),
            ({"filter_flow_id": flows[0]}, " AND flow_id IN (?)", [flows[0]]),
            ({"filter_flow_id": flows[:2]}, " AND flow_id IN (?, ?)", flows[:2]),
            ({"filter_label": "alpha"}, " AND label IN (?)", ["alpha"]),
        ]
        for query, where, args in filters:
            want = reference(rt, where, args, order)
            assert want, query
            for per_page in (1, 4, 100):
                got = walk(rt, per_page, orderby=orderby, **query)
                assert got == want, (query, per_page)


def test_pages_lose_and_repeat_nothing_while_runs_are_started(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000.0)
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        flow = rt.create_flow("p", PASS)["id"]
        nap = rt.create_flow("w", WAIT)["id"]
        for i in range(30):
            run = rt.run_flow(flow, {"i": i}, label=LABELS[i % len(LABELS)])
            rt.wait(run["run_id"], timeout=30)  # no key of these changes during the walks
            if i % 5 == 0:
                clock.advance(1)
        for orderby in ORDERS:
            before = set(
                reference(rt, "", [], (orderby or "start_time DESC").replace("id ", "run_id "))
            )

            def start_more() -> None:
                # runs that stay ACTIVE: a run whose sort key changes during a walk may
                # rightly be seen twice or not at all, as with any pagination
                rt.run_flow(nap, {"more": True}, label="alpha")

            got = walk(rt, 4, start_more, orderby=orderby)
            assert len(got) == len(set(got)), orderby  # nothing twice
            assert before <= set(got), orderby  # nothing that was there is skipped


def test_a_log_pages_by_marker_forward_and_backward(tmp_path: Path) -> None:
    chain = {
        "StartAt": "S0",
        "States": {
            **{f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(20)},
            "S20": {"Type": "Pass", "End": True},
        },
    }
    with Runtime(home=tmp_path / "h") as rt:
        run = rt.run_flow(rt.create_flow("chain", chain)["id"], {"x": 1})
        rt.wait(run["run_id"], timeout=30)
        everything = rt.get_run_logs(run["run_id"], limit=100)["entries"]
        for reverse in (False, True):
            seen: list[dict[str, Any]] = []
            page = rt.get_run_logs(run["run_id"], limit=6, reverse_order=reverse)
            while True:
                seen += page["entries"]
                if not page["has_next_page"]:
                    break
                page = rt.get_run_logs(run["run_id"], marker=page["marker"])
            assert seen == (everything[::-1] if reverse else everything)
    assert len(everything) == 2 + 2 * 21


def test_a_marker_of_an_older_runtime_still_pages_by_position(tmp_path: Path) -> None:
    from gladier.runtime.documents import encode_marker

    with Runtime(home=tmp_path / "h") as rt:
        flow = rt.create_flow("p", PASS)["id"]
        for i in range(5):
            rt.wait(rt.run_flow(flow, {"i": i})["run_id"], timeout=30)
        first = rt.list_runs(per_page=2)
        query = {"flow": [], "status": [], "label": [], "orderby": [], "n": 2}
        old = rt.list_runs(marker=encode_marker(query, 2))
        fresh = rt.list_runs(marker=first["marker"])
        assert [r["run_id"] for r in old["runs"]] == [r["run_id"] for r in fresh["runs"]]
