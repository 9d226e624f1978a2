"""Fixtures of the compute tests: runtimes, flows of compute states, signals between processes.

Nothing here sleeps to wait: a test that must know a function started waits on a FIFO that the
function writes to (with a timeout), and releases a blocked function by writing to another.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.compute import DEFAULT_ENDPOINT_ID

V2_URL = "https://compute.actions.globus.org"
V3_URL = "https://compute.actions.globus.org/v3"


def child_processes() -> set[int]:
    """Pids of this process's children, except multiprocessing's shared resource tracker."""
    me = os.getpid()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == me and b"resource_tracker" not in cmdline:
            found.add(int(entry.name))
    return found


def worker_children() -> list[int]:
    """Pids of compute worker processes that are children of this process."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if int(fields[1]) == me and b"gladier.runtime.compute.worker" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.fixture(autouse=True)
def _no_leaked_workers() -> Iterator[None]:
    before = set(worker_children())
    yield
    leaked = set(worker_children()) - before
    assert not leaked, f"compute worker processes left running: {sorted(leaked)}"


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with Runtime(home=tmp_path / "home", options={"poll_initial_interval": 5.0}) as runtime:
        yield runtime


class Signal:
    """A named pipe: a worker function writes to it, the test waits for it (with a timeout)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)

    def wait(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            readable, _, _ = select.select([self._fd], [], [], max(0.0, remaining))
            if not readable:
                raise TimeoutError(f"no signal on {self.path} within {timeout} s")
            data = os.read(self._fd, 4096)
            if data:
                return data.decode()
            # An earlier writer closed its end: start over with a fresh read end.
            os.close(self._fd)
            self._fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)

    def close(self) -> None:
        os.close(self._fd)


@pytest.fixture
def signal_factory(tmp_path: Path) -> Iterator[Any]:
    made: list[Signal] = []

    def make(name: str) -> Signal:
        sig = Signal(tmp_path / name)
        made.append(sig)
        return sig

    yield make
    for sig in made:
        sig.close()


def release(path: Path, text: str = "go") -> None:
    """Unblock a function waiting in ``open(path).read()``."""
    with open(path, "w") as handle:
        handle.write(text)


def compute_state(
    function_id: str,
    *,
    kwargs: Any = None,
    endpoint: str = DEFAULT_ENDPOINT_ID,
    result_path: str = "$.Result",
    url: str = V2_URL,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A one-task V2 compute Action state that ends the flow."""
    task: dict[str, Any] = {"endpoint": endpoint, "function": function_id}
    if kwargs is not None:
        task["kwargs"] = kwargs
    state: dict[str, Any] = {
        "Type": "Action",
        "ActionUrl": url,
        "Parameters": {"tasks": [task]},
        "ResultPath": result_path,
        "End": True,
    }
    state.update(extra or {})
    return state


def run_definition(
    rt: Runtime, definition: dict[str, Any], body: dict[str, Any], timeout: float = 60
) -> dict[str, Any]:
    flow = rt.create_flow("compute test", definition)
    run = rt.run_flow(flow["id"], body)
    return rt.wait(run["run_id"], timeout=timeout)


def one_state(rt: Runtime, state: dict[str, Any], body: dict[str, Any] | None = None) -> Any:
    """Run a flow of one state; the finished run document."""
    return run_definition(rt, {"StartAt": "Call", "States": {"Call": state}}, body or {})


def log_entries(rt: Runtime, run_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    marker = None
    while True:
        page = rt.get_run_logs(run_id, limit=100, marker=marker)
        entries += page["entries"]
        if not page["has_next_page"]:
            return entries
        marker = page["marker"]
