"""The scheduler built from its parts (store, clock, providers, run loader), with no Runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gladier.runtime.api_flows import FlowsAPI
from gladier.runtime.api_runs import RunsAPI
from gladier.runtime.clock import ManualClock
from gladier.runtime.context import RuntimeContext
from gladier.runtime.engine import Engine
from gladier.runtime.providers.builtin import HELLO_WORLD_URL
from gladier.runtime.providers.registry import ProviderRegistry

HELLO = {
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "ActionUrl": HELLO_WORLD_URL,
            "Parameters": {"echo_string.$": "$.name", "sleep_time": 30},
            "ResultPath": "$.hello",
            "End": True,
        }
    },
}


def test_an_engine_of_parts_runs_a_flow_and_tells_its_listeners(tmp_path: Path) -> None:
    clock = ManualClock()
    base = RuntimeContext.standalone(tmp_path / "home", clock=clock)
    engines: list[Engine] = []
    ctx = RuntimeContext(
        home=base.home,
        db=base.db,
        clock=clock,
        options=base.options,
        identity=base.identity,
        ready=base.ready,
        scheduler=lambda: engines[0],
        running=lambda: engines[0] if engines else None,
    )
    flows = FlowsAPI(ctx)
    runs = RunsAPI(ctx, flows)
    registry = ProviderRegistry(clock=clock, notify=lambda action_id: engines[0].notify(action_id))
    events: list[tuple[str, Any]] = []
    ctx.ready()
    engine = Engine(
        ctx.db,
        clock,
        ctx.options,
        providers=registry,
        load_run=runs.load_live_run,
        listeners=[lambda run_id, entry: events.append((run_id, entry["code"]))],
        commit_hooks=registry.commit_hooks,
        takeover=False,
    )
    engines.append(engine)
    engine.start()
    try:
        flow = flows.create_flow("hello", HELLO)
        run = runs.run_flow(flow["id"], {"name": "world"})
        engine.wait_idle(30)
        assert runs.get_run(run["run_id"])["status"] == "ACTIVE"  # Hello World sleeps 30 s
        clock.advance(30)
        done = runs.wait(run["run_id"], timeout=30)
        assert done["status"] == "SUCCEEDED"
        assert done["details"]["output"]["hello"]["details"]["hello"] == "world"
        codes = [code for run_id, code in events if run_id == run["run_id"]]
        assert codes[0] == "ActionStarted" and codes[-1] == "FlowSucceeded"
    finally:
        engine.stop()
        registry.close()
        ctx.db.close()
