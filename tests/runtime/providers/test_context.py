"""Providers built and driven on their hooks alone, with no Runtime anywhere."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from gladier.runtime.backends import Backends
from gladier.runtime.clock import ManualClock
from gladier.runtime.compute.provider import ComputeActionProvider
from gladier.runtime.context import RuntimeContext
from gladier.runtime.providers import CallableProvider, ProviderHooks
from gladier.runtime.providers.builtin import HELLO_WORLD_URL
from gladier.runtime.providers.registry import ProviderRegistry


def double(x: int) -> int:
    return 2 * x


class Recorder:
    """Stands in for the scheduler: what a provider asked of it."""

    def __init__(self) -> None:
        self.polled: list[str] = []
        self.hooks: list[Any] = []
        self.scheduler_thread = False
        self.event = threading.Event()

    def notify(self, action_id: str) -> None:
        self.polled.append(action_id)
        self.event.set()

    def on_scheduler_thread(self) -> bool:
        return self.scheduler_thread


def test_a_callable_provider_tells_its_hooks_when_it_is_done() -> None:
    seen = Recorder()
    provider = CallableProvider(lambda body: {"twice": 2 * body["n"]})
    provider.bind(ProviderHooks(notify=seen.notify, url="https://example.org/double"))
    try:
        doc = provider.run({"request_id": "r1", "body": {"n": 21}})
        assert seen.event.wait(10)
        assert seen.polled == [doc["action_id"]]
        assert provider.status(doc["action_id"])["details"] == {"twice": 42}
    finally:
        provider.close()


def test_hello_world_reads_the_clock_of_its_hooks() -> None:
    clock = ManualClock()
    registry = ProviderRegistry(clock=clock)
    provider = registry.get(HELLO_WORLD_URL + "/")
    assert provider is not None
    assert provider.hooks is not None and provider.hooks.clock is clock
    doc = provider.run({"request_id": "r1", "body": {"echo_string": "hi", "sleep_time": 5}})
    assert doc["status"] == "ACTIVE"
    clock.advance(5)
    assert provider.status(doc["action_id"])["status"] == "SUCCEEDED"


def test_compute_provider_defers_to_the_commit_hook_on_the_scheduler_thread(
    tmp_path: Path,
) -> None:
    ctx = RuntimeContext.standalone(tmp_path / "home")
    ctx.ready()
    backends = Backends(db=ctx.db, home=ctx.home, options=ctx.options, identity=ctx.identity)
    service = backends.compute()
    seen = Recorder()
    provider = ComputeActionProvider(service, "v2")
    provider.bind(
        ProviderHooks(
            notify=seen.notify,
            url="https://compute.actions.globus.org",
            add_commit_hook=seen.hooks.append,
            on_scheduler_thread=seen.on_scheduler_thread,
            services=backends,
        )
    )
    try:
        assert seen.hooks == [service]  # registered for the scheduler's transactions
        endpoint = service.endpoints.create("threads", executor="thread")
        function_id = service.functions.register(double)
        body = {
            "tasks": [
                {"endpoint": endpoint.endpoint_id, "function": function_id, "kwargs": {"x": 4}}
            ]
        }
        # Off the scheduler thread: stored and started at once, notify when it ends.
        doc = provider.run({"request_id": "direct", "body": body})
        assert seen.event.wait(30)
        assert provider.status(doc["action_id"])["details"]["result"] == [8]
        # On the scheduler thread: kept until the scheduler's transaction stores it.
        seen.scheduler_thread = True
        seen.event.clear()
        deferred = provider.run({"request_id": "deferred", "body": body})
        assert service.store.load(deferred["action_id"]) is None  # not stored, not started
        with ctx.db.write() as conn:
            service.write_accepted(conn)
        service.committed(True)
        assert seen.event.wait(30)
        assert provider.status(deferred["action_id"])["details"]["result"] == [8]
    finally:
        backends.close()
        ctx.db.close()


def test_search_providers_reach_the_store_through_the_services(tmp_path: Path) -> None:
    ctx = RuntimeContext.standalone(tmp_path / "home")
    ctx.ready()
    backends = Backends(db=ctx.db, home=ctx.home, options=ctx.options, identity=ctx.identity)
    registry = ProviderRegistry(services=backends)
    try:
        ingest = registry.get("https://actions.globus.org/search/ingest")
        assert ingest is not None and ingest.hooks is not None
        assert ingest.hooks.services is backends
        doc = ingest.run(
            {
                "request_id": "r1",
                "body": {
                    "search_index": "results",
                    "subject": "s1",
                    "visible_to": ["public"],
                    "content": {"title": "Scan one"},
                },
            }
        )
        assert doc["status"] == "SUCCEEDED"
        assert backends.search().query("results", "scan")["total"] == 1
    finally:
        registry.close()
        backends.close()
        ctx.db.close()
