"""The thread executor: in-process, for cheap I/O-bound functions."""

from __future__ import annotations

import os
from concurrent.futures import Future
from pathlib import Path

from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors import Task, TaskOutcome
from gladier.runtime.compute.executors.thread import ThreadExecutor
from tests.runtime.compute.conftest import Signal, release
from tests.runtime.compute.executors.test_process import blocks, code_of, square


def test_threads_run_functions_in_this_process(tmp_path: Path) -> None:
    executor = ThreadExecutor(Endpoint("t", "threads", "thread", {"workers": 2}), home=tmp_path)
    assert not executor.started
    try:
        futures = []
        for i in range(5):
            future: Future[TaskOutcome] = Future()
            executor.submit(Task(f"t{i}", code_of(square), f"[[{i}], {{}}]"), future.set_result)
            futures.append(future)
        assert [f.result(timeout=10).result for f in futures] == ["0", "1", "4", "9", "16"]
        assert executor.started and executor.pids == []
    finally:
        executor.close()


def test_cancel_reports_at_once_and_discards_the_result(tmp_path: Path) -> None:
    executor = ThreadExecutor(Endpoint("t", "threads", "thread", {"workers": 1}), home=tmp_path)
    started = Signal(tmp_path / "started")
    go = tmp_path / "go"
    os.mkfifo(go)
    try:
        running: Future[TaskOutcome] = Future()
        queued: Future[TaskOutcome] = Future()
        payload = f'[["{started.path}", "{go}"], {{}}]'
        executor.submit(Task("running", code_of(blocks), payload), running.set_result)
        started.wait()
        executor.submit(Task("queued", code_of(square), "[[3], {}]"), queued.set_result)
        executor.cancel("queued")
        executor.cancel("running")
        assert "before it started" in str((queued.result(timeout=5).error or {})["message"])
        assert "cannot be stopped" in str((running.result(timeout=5).error or {})["message"])
        release(go)
    finally:
        started.close()
        executor.close()
