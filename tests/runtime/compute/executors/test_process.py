"""The process pool: real worker processes, each failure contained to its own task."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors import Task, TaskOutcome
from gladier.runtime.compute.executors.process import ProcessExecutor, death_message
from gladier.runtime.compute.functions import FunctionCode, function_checksum, serialize_function
from tests.runtime.compute.conftest import Signal, release, worker_children


def code_of(fn: Any) -> FunctionCode:
    serializer, code, source = serialize_function(fn)
    checksum = function_checksum(fn)
    return FunctionCode(f"id-{fn.__name__}", fn.__name__, checksum, serializer, code, source, "")


def submit(pool: ProcessExecutor, fn: Any, *args: Any, **kwargs: Any) -> Future[TaskOutcome]:
    future: Future[TaskOutcome] = Future()
    payload = Task(str(uuid.uuid4()), code_of(fn), _json([list(args), kwargs]))
    pool.submit(payload, future.set_result)
    return future


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[ProcessExecutor]:
    executor = ProcessExecutor(
        Endpoint("ep", "test", "process", {"workers": 2, "cancel_grace": 0.5}), home=tmp_path
    )
    yield executor
    executor.close()


def pid() -> int:
    import os

    return os.getpid()


def square(x: int) -> int:
    return x * x


def hard_exit(code: int) -> None:
    import os

    os._exit(code)


def segfault() -> None:
    import ctypes

    ctypes.string_at(0)


def killed() -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def blocks(started: str, go: str) -> str:
    with open(started, "w") as handle:
        handle.write("started")
    with open(go) as handle:
        return handle.read()


def stubborn(started: str, go: str) -> str:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # will not stop when asked
    with open(started, "w") as handle:
        handle.write("started")
    with open(go) as handle:
        return handle.read()


def test_nothing_starts_before_the_first_task(pool: ProcessExecutor) -> None:
    assert pool.pids == [] and not pool.started
    assert worker_children() == []
    assert submit(pool, square, 7).result(timeout=30).result == "49"
    assert len(pool.pids) == 2 and pool.started


def test_close_stops_a_worker_that_is_still_starting_at_once(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    waiting = Signal(tmp_path / "waiting")
    python = tmp_path / "python"
    python.write_text(
        f'#!/bin/sh\necho w > "{waiting.path}"\nread line < "{gate}"\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    python.chmod(0o755)
    pool = ProcessExecutor(
        Endpoint("e7", "slow", "process", {"workers": 1, "python": str(python)}), home=tmp_path
    )
    try:
        submit(pool, square, 2)
        waiting.wait()  # its start-up will not end by itself: it holds no task yet
        began = time.monotonic()
        pool.close()
        assert time.monotonic() - began < 4  # not the 5 s a worker gets to finish its task
        assert worker_children() == []
    finally:
        waiting.close()


def test_warm_workers_are_reused_and_tasks_queue_beyond_the_pool(pool: ProcessExecutor) -> None:
    futures = [submit(pool, square, i) for i in range(20)]
    assert [int(f.result(timeout=30).result or 0) for f in futures] == [i * i for i in range(20)]
    pids = {int(submit(pool, pid).result(timeout=30).result or 0) for _ in range(10)}
    assert pids <= set(pool.pids)


@pytest.mark.parametrize(
    ("fn", "args", "expected"),
    [
        (hard_exit, (3,), "exited with code 3"),
        (segfault, (), "SIGSEGV"),
        (killed, (), "SIGKILL"),
    ],
)
def test_a_dying_worker_fails_only_its_task_and_is_replaced(
    pool: ProcessExecutor, fn: Any, args: tuple[Any, ...], expected: str
) -> None:
    submit(pool, square, 1).result(timeout=30)
    before = set(pool.pids)
    outcome = submit(pool, fn, *args).result(timeout=30)
    assert not outcome.ok and outcome.error is not None
    assert outcome.error["code"] == "WorkerDied"
    assert expected in outcome.error["message"]
    assert f"'{fn.__name__}'" in outcome.error["message"]
    assert "replaced" in outcome.error["message"]
    if expected == "SIGKILL":
        assert "out-of-memory" in outcome.error["message"]
    assert submit(pool, square, 5).result(timeout=30).result == "25"
    after = set(pool.pids)
    assert len(after) == 2 and after != before


def test_other_tasks_survive_a_worker_death(pool: ProcessExecutor, tmp_path: Path) -> None:
    started = Signal(tmp_path / "started")
    go = tmp_path / "go"
    os.mkfifo(go)
    try:
        slow = submit(pool, blocks, str(started.path), str(go))
        started.wait()
        crash = submit(pool, hard_exit, 9)
        assert crash.result(timeout=30).error is not None
        release(go, "still here")
        assert slow.result(timeout=30).result == '"still here"'
    finally:
        started.close()


def test_cancel_interrupts_the_function_and_keeps_the_worker(
    pool: ProcessExecutor, tmp_path: Path
) -> None:
    started = Signal(tmp_path / "started")
    go = tmp_path / "go"
    os.mkfifo(go)
    try:
        future: Future[TaskOutcome] = Future()
        task = Task("cancel-me", code_of(blocks), _json([[str(started.path), str(go)], {}]))
        pool.submit(task, future.set_result)
        started.wait()
        before = set(pool.pids)
        pool.cancel("cancel-me")
        outcome = future.result(timeout=30)
        assert outcome.error is not None and outcome.error["code"] == "Cancelled"
        assert "while it ran" in outcome.error["message"]
        assert set(pool.pids) == before
        assert submit(pool, square, 3).result(timeout=30).result == "9"
    finally:
        started.close()


def test_a_task_that_will_not_stop_has_its_worker_killed(
    pool: ProcessExecutor, tmp_path: Path
) -> None:
    started = Signal(tmp_path / "started")
    go = tmp_path / "go"
    os.mkfifo(go)
    try:
        future: Future[TaskOutcome] = Future()
        task = Task("stubborn", code_of(stubborn), _json([[str(started.path), str(go)], {}]))
        pool.submit(task, future.set_result)
        started.wait()
        before = set(pool.pids)
        pool.cancel("stubborn")
        outcome = future.result(timeout=30)
        assert outcome.error is not None and outcome.error["code"] == "Cancelled"
        assert "was killed and replaced" in outcome.error["message"]
        assert set(pool.pids) != before
        assert submit(pool, square, 4).result(timeout=30).result == "16"
    finally:
        started.close()


def test_cancel_of_a_queued_task_never_runs_it(tmp_path: Path) -> None:
    single = ProcessExecutor(Endpoint("e1", "one", "process", {"workers": 1}), home=tmp_path)
    started = Signal(tmp_path / "started")
    go = tmp_path / "go"
    os.mkfifo(go)
    try:
        first = submit(single, blocks, str(started.path), str(go))
        started.wait()
        queued: Future[TaskOutcome] = Future()
        single.submit(Task("queued", code_of(square), "[[2], {}]"), queued.set_result)
        single.cancel("queued")
        outcome = queued.result(timeout=5)
        assert outcome.error is not None and "before it started" in outcome.error["message"]
        release(go)
        assert first.result(timeout=30).ok
    finally:
        started.close()
        single.close()


def test_close_stops_every_worker_even_mid_task(tmp_path: Path) -> None:
    pool = ProcessExecutor(Endpoint("e2", "closing", "process", {"workers": 2}), home=tmp_path)
    started = Signal(tmp_path / "started")
    go = tmp_path / "go"
    os.mkfifo(go)
    try:
        submit(pool, blocks, str(started.path), str(go))
        started.wait()
        assert len(worker_children()) == 2
        pool.close()
        assert worker_children() == []
        with pytest.raises(ConfigException, match="closed"):
            submit(pool, square, 1)
    finally:
        started.close()


def test_workers_that_cannot_start_fail_tasks_instead_of_respawning(tmp_path: Path) -> None:
    broken_python = tmp_path / "python"
    broken_python.write_text("#!/bin/sh\nexit 7\n")
    broken_python.chmod(0o755)
    pool = ProcessExecutor(
        Endpoint("e3", "broken", "process", {"workers": 1, "python": str(broken_python)}),
        home=tmp_path,
    )
    try:
        outcome = submit(pool, square, 2).result(timeout=30)
        assert outcome.error is not None and outcome.error["code"] == "WorkerDied"
        assert "cannot start worker processes" in outcome.error["message"]
        assert "exit code 7" in outcome.error["message"]
        again = submit(pool, square, 2).result(timeout=5)
        assert again.error is not None and "cannot start" in again.error["message"]
    finally:
        pool.close()


def test_death_messages_name_the_cause() -> None:
    assert "exited with code 2" in death_message(2, 10, "f")
    assert "SIGSEGV" in death_message(-signal.SIGSEGV, 10, "f")
    assert "Segmentation fault" in death_message(-signal.SIGSEGV, 10, "f")
    assert "out-of-memory" in death_message(-signal.SIGKILL, 10, "f")


def test_functions_and_helpers_of_this_test_module_run_in_workers(pool: ProcessExecutor) -> None:
    assert submit(pool, uses_module_helper, 4).result(timeout=30).result == '{"twice":8}'
    assert ctypes and sys  # imported for the functions above


def module_helper(x: int) -> int:
    return 2 * x


def uses_module_helper(x: int) -> dict[str, int]:
    return {"twice": module_helper(x)}


def test_a_late_cancel_signal_never_hits_the_next_task(tmp_path: Path) -> None:
    single = ProcessExecutor(Endpoint("e4", "late", "process", {"workers": 1}), home=tmp_path)
    try:
        assert submit(single, square, 2).result(timeout=30).result == "4"
        (worker,) = single.pids
        os.kill(worker, signal.SIGINT)  # as if a cancel arrived just after the task ended
        assert submit(single, square, 3).result(timeout=30).result == "9"
        assert single.pids == [worker]
    finally:
        single.close()


def maybe_blocks(started: str, go: str, ran: str) -> str:
    """Returns at once without ``started``; else says it started and waits for ``go``."""
    with open(ran, "a") as handle:
        handle.write("ran\n")
    if not started:
        return "quick"
    with open(started, "w") as handle:
        handle.write("started")
    with open(go) as handle:
        return handle.read()


def test_a_task_waiting_behind_a_quick_one_is_cancelled_without_running(
    tmp_path: Path,
) -> None:
    single = ProcessExecutor(Endpoint("e5", "one", "process", {"workers": 1}), home=tmp_path)
    started = Signal(tmp_path / "started")
    go = tmp_path / "go"
    os.mkfifo(go)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    code = code_of(maybe_blocks)
    try:
        # Quick tasks of this function teach the pool it may queue one behind another.
        for _ in range(3):
            quick = submit(single, maybe_blocks, "", "", str(tmp_path / "quick.log"))
            assert quick.result(timeout=30).result == '"quick"'
        (worker,) = single.pids
        head: Future[TaskOutcome] = Future()
        args = [[str(started.path), str(go), str(first_log)], {}]
        single.submit(Task("head", code, _json(args)), head.set_result)
        behind: Future[TaskOutcome] = Future()
        single.submit(
            Task("behind", code, _json([["", "", str(second_log)], {}])), behind.set_result
        )
        started.wait()
        (held,) = single._workers.values()
        assert [item.task.task_id for item in held.inflight] == ["head", "behind"]  # in its pipe
        single.cancel("behind")  # names "behind" on the cancel pipe, then sends SIGINT
        outcome = behind.result(timeout=5)
        assert outcome.error is not None and outcome.error["code"] == "Cancelled"
        assert "before it started" in outcome.error["message"]
        release(go, "done")
        assert head.result(timeout=30).result == '"done"'
        assert submit(single, square, 5).result(timeout=30).result == "25"
        assert not second_log.exists()  # the worker skipped it
        assert single.pids == [worker]
    finally:
        started.close()
        single.close()


def test_a_sigint_that_names_no_task_leaves_the_running_one_alone(tmp_path: Path) -> None:
    single = ProcessExecutor(Endpoint("e6", "one", "process", {"workers": 1}), home=tmp_path)
    started = Signal(tmp_path / "started")
    go = tmp_path / "go"
    os.mkfifo(go)
    try:
        running = submit(single, blocks, str(started.path), str(go))
        started.wait()
        (worker,) = single.pids
        os.kill(worker, signal.SIGINT)  # not a cancel request from the pool
        release(go, "untouched")
        assert running.result(timeout=30).result == '"untouched"'
    finally:
        started.close()
        single.close()


def test_many_quick_tasks_from_several_threads_each_report_once(tmp_path: Path) -> None:
    """Frames reach a worker in the order it was given them, whoever writes them."""
    import threading

    pool = ProcessExecutor(Endpoint("e7", "busy", "process", {"workers": 2}), home=tmp_path)
    code = code_of(square)
    seen: dict[str, TaskOutcome] = {}
    lock = threading.Lock()
    finished = threading.Event()
    total = 3000

    def done(outcome: TaskOutcome) -> None:
        with lock:
            assert outcome.task_id not in seen
            seen[outcome.task_id] = outcome
            if len(seen) == total:
                finished.set()

    def feed(start: int) -> None:
        for n in range(start, total, 3):
            pool.submit(Task(f"t{n}", code, _json([[n], {}])), done)

    try:
        feeders = [threading.Thread(target=feed, args=(k,)) for k in range(3)]
        for feeder in feeders:
            feeder.start()
        for feeder in feeders:
            feeder.join()
        assert finished.wait(120), f"{total - len(seen)} tasks never reported"
        assert all(seen[f"t{n}"].result == str(n * n) for n in range(total))
    finally:
        pool.close()
