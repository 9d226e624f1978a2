"""Fixtures of the dashboard tests: a runtime on a manual clock, and the dashboard served."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the dashboard needs the server extra (starlette)")
pytest.importorskip("uvicorn", reason="the dashboard needs the server extra (uvicorn)")

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock

#: A flow whose run waits 60 s of the manual clock: the test says when it ends.
WAIT_FLOW: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Parameters": {"name.$": "$.name"},
            "ResultPath": "$.prepared",
            "Next": "Hold",
        },
        "Hold": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def rt(tmp_path: Path, clock: ManualClock) -> Iterator[Runtime]:
    with Runtime(home=tmp_path / "rt", clock=clock) as runtime:
        yield runtime


@dataclass
class Served:
    """The dashboard served by uvicorn on 127.0.0.1 in a thread."""

    url: str
    dashboard: Any


@contextlib.contextmanager
def serve(rt: Runtime, dashboard: Any = None) -> Iterator[Served]:
    """Serve ``dashboard`` (else ``create_dashboard(rt)``) on an ephemeral port of 127.0.0.1
    until the block ends."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from gladier.server.dashboard import create_dashboard

    dashboard = dashboard if dashboard is not None else create_dashboard(rt)
    app = Starlette(routes=[Mount("/", app=dashboard)])
    # The socket listens before the server thread starts, so no wait for "started" is needed.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield Served(url=f"http://127.0.0.1:{port}", dashboard=dashboard)
    finally:
        dashboard.close()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def served(rt: Runtime, request: pytest.FixtureRequest) -> Iterator[Served]:
    """The dashboard of ``rt`` served; parametrize it indirectly to set its ``poll_ms``."""
    from gladier.server.dashboard import Dashboard

    poll_ms = getattr(request, "param", None)
    dashboard = Dashboard(rt) if poll_ms is None else Dashboard(rt, poll_ms=poll_ms)
    with serve(rt, dashboard) as running:
        yield running


class Events:
    """The run events the runtime committed, to wait for one without sleeping."""

    def __init__(self, rt: Runtime) -> None:
        self.seen: list[tuple[str, str]] = []
        self._cond = threading.Condition()
        rt.add_event_listener(self._on_event)

    def _on_event(self, run_id: str, entry: dict[str, Any]) -> None:
        with self._cond:
            self.seen.append((run_id, str(entry["code"])))
            self._cond.notify_all()

    def wait_for(self, run_id: str, code: str, timeout: float = 10) -> None:
        """Return once ``run_id`` has logged ``code``; fail after ``timeout`` seconds."""
        with self._cond:
            if not self._cond.wait_for(lambda: (run_id, code) in self.seen, timeout):
                raise AssertionError(f"run {run_id} did not log {code} within {timeout} s")


@pytest.fixture
def events(rt: Runtime) -> Events:
    return Events(rt)
