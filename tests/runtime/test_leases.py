"""Process liveness (psutil) and the read-only lease queries."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from gladier.runtime import Runtime
from gladier.runtime.leases import live_owners, process_alive, process_start_time

NAP = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def test_this_process_is_alive_and_keeps_its_start_time() -> None:
    me = os.getpid()
    start = process_start_time(me)
    assert start is not None and start.startswith("t:")
    assert process_start_time(me) == start
    assert process_alive(me, start)
    assert process_alive(me, None)


def test_the_start_time_is_the_one_psutil_reports() -> None:
    # On Linux it is read from /proc without psutil; it must match what psutil says, since
    # other processes check it with psutil.
    import psutil

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=-1)
    try:
        for pid in (os.getpid(), child.pid):
            assert process_start_time(pid) == f"t:{psutil.Process(pid).create_time():.3f}"
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


def test_an_ended_process_is_dead_even_as_a_zombie() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    start = process_start_time(child.pid)
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped: a zombie
    assert not process_alive(child.pid, start)
    child.wait(timeout=30)
    assert not process_alive(child.pid, start)
    assert process_start_time(child.pid) is None


def test_a_reused_pid_is_not_the_registered_process() -> None:
    me = os.getpid()
    created = float(str(process_start_time(me))[2:])
    assert not process_alive(me, f"t:{created - 3600:.3f}")
    # Start times written by earlier versions (/proc clock ticks) only check the pid.
    assert process_alive(me, "123456")


def test_live_owners_and_unattended_runs(tmp_path: Path) -> None:
    home = tmp_path / "h"
    with Runtime(home=home) as rt:
        run_id = rt.run_flow(rt.create_flow("nap", NAP)["id"], {})["run_id"]
        with Runtime(home=home, scheduler=False) as reader:
            assert reader.live_owners() == [(socket.gethostname(), os.getpid())]
            assert reader.unattended_runs([run_id]) == set()
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.live_owners() == []
        assert reader.unattended_runs([run_id]) == {run_id}
        # An owner row of a process of this host that has ended does not count.
        with reader.db.write() as conn:
            conn.execute(
                "INSERT INTO owners(owner, host, pid, pid_start, expires) VALUES (?,?,?,?,?)",
                ("gone", socket.gethostname(), 2**22 + 17, None, time.time() + 60),
            )
            conn.execute("UPDATE runs SET owner = 'gone' WHERE run_id = ?", (run_id,))
        assert live_owners(reader.db.read(), time.time(), socket.gethostname()) == []
        assert reader.unattended_runs([run_id]) == {run_id}
