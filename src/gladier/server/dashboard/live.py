"""Run events pushed to browsers: the runtime's event listener fanned out to event streams.

Each open ``/ui/events`` stream gets a :class:`Subscription`; the hub registers one listener
with the runtime while at least one stream is open, and hands every committed log entry to
each stream's queue (thread-safely: the listener runs on the runtime's scheduler thread).

Example::

    hub = EventHub(runtime)
    subscription = hub.subscribe()          # inside the event loop
    message = await subscription.get()      # {"run_id": ..., "code": "PassStarted", ...}
    subscription.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, Final, Protocol

__all__ = ["KEEPALIVE_SECONDS", "EventHub", "EventSourceRuntime", "Subscription", "sse_stream"]

#: Seconds between two keep-alive comments on an idle stream (proxies drop silent ones).
KEEPALIVE_SECONDS: Final = 15.0
#: Messages kept for a slow browser before newer ones are dropped (it refetches anyway).
QUEUE_SIZE: Final = 1000


class EventSourceRuntime(Protocol):
    """The one runtime method the hub needs."""

    def add_event_listener(
        self, listener: Callable[[str, dict[str, Any]], None]
    ) -> Callable[[], None]: ...


class Subscription:
    """One open event stream: a queue filled from the scheduler thread, read in the loop."""

    def __init__(self, hub: EventHub, loop: asyncio.AbstractEventLoop) -> None:
        self._hub = hub
        self._loop = loop
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_SIZE)

    def push(self, message: dict[str, Any] | None) -> None:
        """Queue ``message`` (``None`` ends the stream); safe to call from any thread."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
            self._loop.call_soon_threadsafe(self._put, message)

    def _put(self, message: dict[str, Any] | None) -> None:
        if message is None:
            while self._queue.full():
                self._queue.get_nowait()
        if not self._queue.full():
            self._queue.put_nowait(message)

    async def get(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next message; ``None`` when the hub closed. Raises ``asyncio.TimeoutError``."""
        return await asyncio.wait_for(self._queue.get(), timeout)

    def close(self) -> None:
        """Stop receiving messages (the hub drops its runtime listener after the last one)."""
        self._hub._unsubscribe(self)


class EventHub:
    """Fans the runtime's run events out to the dashboard's open event streams."""

    def __init__(self, runtime: EventSourceRuntime) -> None:
        self._runtime = runtime
        self._lock = threading.Lock()
        self._subscriptions: list[Subscription] = []
        self._remove_listener: Callable[[], None] | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def subscribe(self) -> Subscription:
        """A new subscription fed from now on (call it from the running event loop)."""
        subscription = Subscription(self, asyncio.get_running_loop())
        with self._lock:
            if self._closed:
                subscription.push(None)
                return subscription
            self._subscriptions.append(subscription)
            if self._remove_listener is None:
                self._remove_listener = self._runtime.add_event_listener(self._on_event)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)
            if not self._subscriptions and self._remove_listener is not None:
                self._remove_listener()
                self._remove_listener = None

    def _on_event(self, run_id: str, entry: dict[str, Any]) -> None:
        details = entry.get("details")
        state = details.get("state_name") if isinstance(details, dict) else None
        message = {
            "run_id": run_id,
            "code": entry.get("code"),
            "time": entry.get("time"),
            "description": entry.get("description"),
            "state_name": state if isinstance(state, str) else None,
        }
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.push(message)

    def close(self) -> None:
        """End every open stream now and refuse new ones (call it when the server stops)."""
        with self._lock:
            self._closed = True
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.push(None)


async def sse_stream(
    subscription: Subscription, keepalive: float = KEEPALIVE_SECONDS
) -> AsyncIterator[str]:
    """The ``text/event-stream`` text of ``subscription``: one ``run`` event per log entry.

    Example of one event on the wire::

        event: run
        data: {"run_id": "…", "code": "WaitCompleted", "state_name": "Wait", …}
    """
    try:
        yield "retry: 2000\n: connected\n\n"
        while True:
            try:
                message = await subscription.get(keepalive)
            except asyncio.TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if message is None:
                return
            yield f"event: run\ndata: {json.dumps(message, default=str)}\n\n"
    finally:
        subscription.close()
