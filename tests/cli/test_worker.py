"""``gladier worker``: takes over runs of exited scripts, reports events, stops on signals."""

from __future__ import annotations

import json
import logging
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gladier.cli.worker import EventFeed, Reporter, _readable, _TakeoverHandler
from gladier.runtime import Runtime

GLADIER = Path(sys.executable).with_name("gladier")

#: A script that starts a run and exits at once; the run needs another process to finish.
SCRIPT = """
import sys
from gladier.runtime import Runtime
definition = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
              "Done": {"Type": "Pass", "End": True}}}
with Runtime(home=sys.argv[1]) as rt:
    flow = rt.create_flow("nap", definition)
    print(rt.run_flow(flow["id"], {})["run_id"])
"""


class Lines:
    """The lines of a process's stdout, read on a thread so that waits can time out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        self.stream = process.stdout
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.stream:
            self.queue.put(line)

    def close(self) -> None:
        """After the process ended: wait for the reader, close the pipe."""
        self.thread.join(timeout=30)
        self.stream.close()

    def until(self, predicate: Any, timeout: float = 30) -> list[str]:
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"never saw the expected line; saw {seen}")
            try:
                line = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            seen.append(line)
            if predicate(line):
                return seen


@pytest.fixture
def worker_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Lines, Path]]:
    home = tmp_path / "home"
    with (tmp_path / "worker.err").open("w") as errors:
        process = subprocess.Popen(
            [str(GLADIER), "--home", str(home), "worker", "--json", "--interval", "0.1"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    lines = Lines(process)
    try:
        yield process, lines, home
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        lines.close()


def test_worker_finishes_a_run_left_by_a_script(
    worker_process: tuple[subprocess.Popen[str], Lines, Path],
) -> None:
    process, lines, home = worker_process
    started = json.loads(lines.until(lambda line: '"status": "started"' in line)[-1])
    assert started["type"] == "worker" and started["home"] == str(home)

    script = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(home)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    run_id = script.stdout.strip()
    seen = lines.until(lambda line: "FlowSucceeded" in line and run_id in line)
    records = [json.loads(line) for line in seen]
    assert any(r["type"] == "takeover" and r["run_id"] == run_id for r in records)
    codes = [r["code"] for r in records if r["type"] == "event" and r["run_id"] == run_id]
    assert codes[-3:] == ["PassStarted", "PassCompleted", "FlowSucceeded"]
    assert all(set(r) >= {"time", "type"} for r in records)

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    last = json.loads(lines.until(lambda line: '"stopped"' in line)[-1])
    assert last["unfinished_runs"] == 0


def test_worker_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [str(GLADIER), "--home", str(tmp_path / "h"), "worker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = Lines(process)
    try:
        lines.until(lambda line: "worker started on" in line)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert (
            "worker stopped; 0 unfinished run(s) stay resumable"
            in lines.until(lambda line: "stopped" in line)[-1]
        )
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        lines.close()


class Captured(Reporter):
    def __init__(self) -> None:
        super().__init__(as_json=True)
        self.records: list[dict[str, Any]] = []

    def emit(self, record: dict[str, Any]) -> None:
        self.records.append(record)


def test_event_feed_reports_new_runs_even_when_they_ended_between_turns(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h") as rt:
        reporter = Captured()
        feed = EventFeed(rt, reporter)
        feed.prime()
        flow = rt.create_flow("f", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        run_id = rt.run_flow(flow["id"], {})["run_id"]
        rt.wait(run_id, timeout=30)
        feed.turn()
        feed.turn()
    codes = [r["code"] for r in reporter.records]
    assert codes == ["FlowStarted", "PassStarted", "PassCompleted", "FlowSucceeded"]
    assert reporter.records[1]["state_name"] == "P"


def test_failed_runs_carry_their_error(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h") as rt:
        reporter = Captured()
        feed = EventFeed(rt, reporter)
        flow = rt.create_flow(
            "f", {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
        )
        run_id = rt.run_flow(flow["id"], {})["run_id"]
        rt.wait(run_id, timeout=30)
        feed.turn()
    failed = reporter.records[-1]
    assert failed["code"] == "FlowFailed" and failed["error"] == "E: c"
    assert failed["state_name"] == "F"
    assert "(E: c)" in _readable({"time": "2026-01-01T10:11:12", **failed})


def test_takeover_and_warning_log_records() -> None:
    reporter = Captured()
    handler = _TakeoverHandler(reporter)
    logger = logging.getLogger("gladier.runtime.test-worker")
    handler.emit(
        logger.makeRecord(
            "x", logging.INFO, "f", 1, "took over run %s (attempt %s)", ("r1", 2), None
        )
    )
    handler.emit(logger.makeRecord("x", logging.WARNING, "f", 1, "polling %s failed", ("a",), None))
    handler.emit(logger.makeRecord("x", logging.INFO, "f", 1, "chatter", (), None))
    assert reporter.records == [
        {"type": "takeover", "run_id": "r1", "attempt": 2},
        {"type": "log", "level": "WARNING", "message": "polling a failed"},
    ]
    assert _readable({"time": "2026-01-01T10:11:12", **reporter.records[0]}) == (
        "10:11:12  run r1  took over this run (attempt 2)"
    )
