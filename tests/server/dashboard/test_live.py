"""The event hub: one runtime listener while streams are open, each event to every stream."""

from __future__ import annotations

import asyncio
from typing import Any

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.server.dashboard.live import EventHub, sse_stream
from tests.server.dashboard.conftest import WAIT_FLOW


class CountingRuntime:
    """Wraps a runtime to count its event listeners (only the public method is used)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.listeners = 0

    def add_event_listener(self, listener: Any) -> Any:
        remove = self.rt.add_event_listener(listener)
        self.listeners += 1

        def removed() -> None:
            self.listeners -= 1
            remove()

        return removed


def test_every_stream_gets_every_event_and_the_listener_goes_with_the_last(
    rt: Runtime, clock: ManualClock
) -> None:
    counting = CountingRuntime(rt)
    hub = EventHub(counting)
    flow = rt.create_flow("waiter", WAIT_FLOW)

    async def scenario() -> tuple[list[str], list[str]]:
        first, second = hub.subscribe(), hub.subscribe()
        assert counting.listeners == 1
        run = await asyncio.to_thread(rt.run_flow, flow["id"], {"name": "a"})
        got: tuple[list[str], list[str]] = ([], [])
        for subscription, codes in ((first, got[0]), (second, got[1])):
            while "WaitStarted" not in codes:
                message = await subscription.get(10)
                assert message is not None and message["run_id"] == run["run_id"]
                codes.append(str(message["code"]))
        first.close()
        assert counting.listeners == 1
        second.close()
        assert counting.listeners == 0
        return got

    first_codes, second_codes = asyncio.run(scenario())
    assert first_codes == second_codes == ["PassStarted", "PassCompleted", "WaitStarted"]


def test_closing_the_hub_ends_the_streams(rt: Runtime) -> None:
    hub = EventHub(rt)

    async def scenario() -> list[str]:
        stream = sse_stream(hub.subscribe(), keepalive=30)
        chunks = [await stream.__anext__()]
        hub.close()
        chunks += [chunk async for chunk in stream]
        late = await hub.subscribe().get(1)
        assert late is None  # a closed hub ends new streams at once
        return chunks

    assert asyncio.run(scenario()) == ["retry: 2000\n: connected\n\n"]


def test_an_idle_stream_sends_keep_alive_comments(rt: Runtime) -> None:
    hub = EventHub(rt)

    async def scenario() -> str:
        stream = sse_stream(hub.subscribe(), keepalive=0.01)
        await stream.__anext__()
        chunk = await stream.__anext__()
        await stream.aclose()
        return chunk

    assert asyncio.run(scenario()) == ": keep-alive\n\n"
