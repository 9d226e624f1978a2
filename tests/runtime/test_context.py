"""The per-service objects on a RuntimeContext of their own, with no Runtime."""

from __future__ import annotations

from pathlib import Path

import pytest

from gladier.exc import ConfigException, NotFound
from gladier.runtime.api_flows import FlowsAPI
from gladier.runtime.api_runs import RunsAPI
from gladier.runtime.clock import ManualClock
from gladier.runtime.context import RuntimeContext
from gladier.runtime.search.api import SearchAPI
from gladier.runtime.search.index import SearchStore

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def test_flows_work_on_a_standalone_context(tmp_path: Path) -> None:
    clock = ManualClock(start=1_700_000_000)
    ctx = RuntimeContext.standalone(tmp_path / "home", clock=clock)
    flows = FlowsAPI(ctx)
    try:
        flow = flows.create_flow("hello", PASS)
        assert flow["created_at"].startswith("2023-11-14")
        assert flow["flow_owner"] == ctx.identity.urn
        assert flows.get_flow(flow["id"])["title"] == "hello"
        assert [f["id"] for f in flows.list_flows()["flows"]] == [flow["id"]]
        flows.delete_flow(flow["id"])
        with pytest.raises(NotFound, match=str(tmp_path / "home")):
            flows.get_flow(flow["id"])
    finally:
        ctx.db.close()


def test_runs_without_a_scheduler_read_but_do_not_start(tmp_path: Path) -> None:
    ctx = RuntimeContext.standalone(tmp_path / "home")
    flows = FlowsAPI(ctx)
    runs = RunsAPI(ctx, flows)
    try:
        flow = flows.create_flow("hello", PASS)
        with pytest.raises(ConfigException, match="no scheduler"):
            runs.run_flow(flow["id"], {})
        assert runs.list_runs()["runs"] == []
        assert runs.load_live_run("nope") is None
        with pytest.raises(NotFound):
            runs.get_run("nope")
    finally:
        ctx.db.close()


def test_search_on_a_store_of_its_own(tmp_path: Path) -> None:
    ctx = RuntimeContext.standalone(tmp_path / "home")
    ctx.ready()
    store = SearchStore(ctx.db, identity_urn=ctx.identity.urn)
    search = SearchAPI(ready=ctx.ready, store=lambda: store)
    try:
        search.search_ingest(
            "results", {"subject": "s1", "visible_to": ["public"], "content": {"a": 1}}
        )
        assert search.search_query("results")["total"] == 1
    finally:
        ctx.db.close()
