"""What compute functions print is captured per task, bounded, stored, and never mixed in."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from gladier.runtime import Runtime
from gladier.runtime.compute.actions import ActionStore
from gladier.runtime.compute.capture import CAPTURE_LIMIT, Tail, captured_python_output
from tests.runtime.compute.conftest import compute_state, one_state


def chatty(lines: int, width: int) -> int:
    import os
    import sys

    for number in range(lines):
        print(f"out {number:06d} " + "x" * width)
    sys.stderr.write("warning: this went to stderr\n")
    os.write(2, b"raw fd 2\n")  # below Python: only a descriptor-level capture sees it
    return lines


def loud_failure() -> None:
    print("about to fail")
    raise RuntimeError("it broke")


def quiet() -> int:
    return 7


def test_tail_keeps_the_last_bytes_and_says_how_many_were_cut() -> None:
    tail = Tail(limit=10)
    tail.add(b"0123456789")
    assert tail.text() == "0123456789"
    tail.add(b"abc")
    assert tail.text() == "[3 earlier bytes not kept]\n3456789abc"
    assert tail.total == 13


def test_python_capture_only_takes_this_threads_writes(capsys: object) -> None:
    seen: list[str] = []

    def other() -> None:
        print("from another thread")

    with captured_python_output() as (out, err):
        print("mine")
        print("mine too", file=sys.stderr)
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        seen.append(out.text())
    assert seen == ["mine\n"]
    assert err.text() == "mine too\n"
    print("after")  # writes go through again once the capture ends


def test_process_worker_output_is_kept_with_the_task_and_bounded(tmp_path: Path) -> None:
    lines = 2000  # about 170 KB: more than the limit
    with Runtime(home=tmp_path / "home") as rt:
        function_id = rt.register_function(chatty)
        run = one_state(rt, compute_state(function_id, kwargs={"lines": lines, "width": 70}))
    assert run["status"] == "SUCCEEDED"
    entry = run["details"]["output"]["Result"]["details"]["results"][0]
    assert entry["output"] == lines
    stdout = entry["stdout"]
    assert stdout.startswith("[") and "earlier bytes not kept" in stdout.splitlines()[0]
    assert stdout.endswith(f"out {lines - 1:06d} " + "x" * 70 + "\n")
    assert len(stdout.encode()) <= CAPTURE_LIMIT + 100
    assert entry["stderr"] == "warning: this went to stderr\nraw fd 2\n"

    # The same, stored with the task (once the runtime closed, every outcome is stored).
    action_id = run["details"]["output"]["Result"]["action_id"]
    with Runtime(home=tmp_path / "home") as again:
        again.open()
        loaded = ActionStore(again.db).load(action_id)
    assert loaded is not None
    task = loaded[0].tasks[0]
    assert task.stdout == stdout and task.stderr == entry["stderr"]


def test_a_failed_task_keeps_what_it_printed(rt: Runtime) -> None:
    function_id = rt.register_function(loud_failure)
    run = one_state(rt, compute_state(function_id, extra={"ExceptionOnActionFailure": False}), {})
    details = run["details"]["output"]["Result"]["details"]
    assert details["results"][0]["stdout"] == "about to fail\n"
    assert "RuntimeError: it broke" in details["results"][0]["exception"]


def test_quiet_functions_keep_the_globus_shape(rt: Runtime) -> None:
    function_id = rt.register_function(quiet)
    run = one_state(rt, compute_state(function_id))
    assert run["details"]["output"]["Result"]["details"]["results"][0].keys() == {
        "task_id",
        "output",
    }


def test_thread_endpoint_captures_print(rt: Runtime) -> None:
    endpoint = rt.create_endpoint("threads", executor="thread")
    function_id = rt.register_function(loud_failure)
    run = one_state(
        rt,
        compute_state(
            function_id,
            endpoint=endpoint["endpoint_id"],
            extra={"ExceptionOnActionFailure": False},
        ),
    )
    entry = run["details"]["output"]["Result"]["details"]["results"][0]
    assert entry["stdout"] == "about to fail\n"
