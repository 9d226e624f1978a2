"""Runs that outlive the terminal: ``--detach``, ``--on-interrupt``, ``--no-wait``, closed pipes.

Every test types the command as a user would (a real ``gladier`` process), then checks what the
store says happened and that the background worker exits by itself.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from gladier.runtime import Runtime
from tests.cli.conftest import Invoke
from tests.cli.test_run import SDK_CLIENT
from tests.cli.test_worker import GLADIER, Lines

#: Waits two seconds (long enough to be interrupted), then ends.
NAP: dict[str, object] = {
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": {"rested": True}, "End": True},
    },
}

WORKER_PID = re.compile(r"background worker \(pid (\d+), log ([^)]+)\)")


def gladier_process(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GLADIER), "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wait_gone(pid: int, timeout: float = 60) -> None:
    """Wait until process ``pid`` (not our child) has ended; a zombie has ended."""
    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            process.wait(timeout=0.1)
            return
        except psutil.TimeoutExpired:
            try:
                if process.status() == psutil.STATUS_ZOMBIE:
                    return
            except psutil.NoSuchProcess:
                return
    raise AssertionError(f"the worker {pid} is still running after {timeout} s")


def finished(home: Path, run_id: str) -> dict[str, object]:
    """The run's final document, waited for without running anything here."""
    with Runtime(home=home, scheduler=False) as reader:
        return reader.wait(run_id, timeout=120)


@pytest.fixture
def nap_flow(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    home = tmp_path / "home"
    with Runtime(home=home, scheduler=False) as rt:
        flow_id = rt.create_flow("nap", NAP)["id"]
    yield home, flow_id


def test_run_detach_returns_at_once_and_a_background_worker_finishes(tmp_path: Path) -> None:
    script = tmp_path / "shout.py"
    script.write_text(SDK_CLIENT)
    home = tmp_path / "home"
    done = gladier_process(home, "run", f"{script}:ShoutClient", "-i", "word=hello", "--detach")
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.match(r"Started run (\S+): it goes on in a background worker", done.stdout)
    assert match, done.stdout
    run_id = match.group(1)
    assert f"gladier runs watch {run_id}" in done.stdout
    found = WORKER_PID.search(done.stdout)
    assert found is not None
    worker_pid, log = int(found.group(1)), Path(found.group(2))

    final = finished(home, run_id)  # no foreground process is left: only the worker runs it
    assert final["status"] == "SUCCEEDED"
    wait_gone(worker_pid)
    text = log.read_text()
    assert "took over this run" in text and "worker stopped" in text


def test_flows_run_detach_json(nap_flow: tuple[Path, str]) -> None:
    home, flow_id = nap_flow
    done = gladier_process(home, "flows", "run", flow_id, "--detach", "--json")
    assert done.returncode == 0, done.stderr
    run_id = json.loads(done.stdout)["run_id"]  # stdout holds only the run document
    found = WORKER_PID.search(done.stderr)
    assert found is not None
    assert finished(home, run_id)["status"] == "SUCCEEDED"
    wait_gone(int(found.group(1)))


def test_no_wait_says_that_nothing_runs_the_run(
    gladier: Invoke, nap_flow: tuple[Path, str]
) -> None:
    home, flow_id = nap_flow
    result = gladier("--home", str(home), "flows", "run", flow_id, "--no-wait")
    assert result.exit_code == 0
    run_id = result.stdout.split()[2].rstrip(".")
    assert f"Started run {run_id}. No process is running it now" in result.stdout
    assert "`gladier worker`" in result.stdout and "--detach" in result.stdout
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.unattended_runs([run_id]) == {run_id}


def test_no_wait_names_a_worker_that_will_take_the_run(
    gladier: Invoke, nap_flow: tuple[Path, str]
) -> None:
    home, flow_id = nap_flow
    worker = subprocess.Popen(
        [str(GLADIER), "--home", str(home), "worker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = Lines(worker)
    try:
        lines.until(lambda line: "worker started on" in line)
        result = gladier("--home", str(home), "flows", "run", flow_id, "--no-wait")
        assert result.exit_code == 0
        assert f"a running gladier process (pid {worker.pid})" in result.stdout
        run_id = result.stdout.split()[2].rstrip(";")
        assert finished(home, run_id)["status"] == "SUCCEEDED"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        lines.close()


#: A client whose one compute task takes a moment: long enough to be interrupted.
NAP_CLIENT = '''
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def nap(**data):
    """Rest a moment."""
    import time
    time.sleep(2)
    return "rested " + data["who"]


@generate_flow_definition
class Nap(GladierBaseTool):
    compute_functions = [nap]
    required_input = ["who", "compute_endpoint"]


@generate_flow_definition
class NapClient(GladierBaseClient):
    """Nap."""

    gladier_tools = [Nap]
'''


def interrupt(
    home: Path, flow_id: str, on_interrupt: str, command: list[str] | None = None
) -> tuple[int, str]:
    """Start ``flows run`` (or ``command``), press Ctrl-C once the run naps; return the exit
    code and the output."""
    command = command or ["flows", "run", flow_id]
    process = subprocess.Popen(
        [str(GLADIER), "--home", str(home), *command, "--on-interrupt", on_interrupt],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = Lines(process)
    try:
        seen = lines.until(lambda line: "Nap" in line)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        lines.close()
    rest: list[str] = []
    while not lines.queue.empty():
        rest.append(lines.queue.get())
    return code, "".join(seen + rest)


def run_id_of(output: str) -> str:
    found = re.search(r"Run ([0-9a-f-]{36})", output)
    assert found, output
    return found.group(1)


def test_ctrl_c_can_hand_the_run_to_a_background_worker(nap_flow: tuple[Path, str]) -> None:
    home, flow_id = nap_flow
    code, output = interrupt(home, flow_id, "detach")
    assert code == 130, output
    run_id = run_id_of(output)
    assert f"Interrupted. Run {run_id} goes on in a background worker" in output
    found = WORKER_PID.search(output)
    assert found is not None
    assert finished(home, run_id)["status"] == "SUCCEEDED"
    wait_gone(int(found.group(1)))


def test_ctrl_c_stop_says_nothing_runs_the_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    long_nap = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    with Runtime(home=home, scheduler=False) as rt:
        flow_id = rt.create_flow("long nap", long_nap)["id"]
    code, output = interrupt(home, flow_id, "stop")
    assert code == 130, output
    run_id = run_id_of(output)
    assert f"No process is running run {run_id} now" in output
    assert "will be redone when a worker takes it over" in output
    assert "gladier worker" in output
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.get_run(run_id)["status"] == "ACTIVE"
        assert reader.unattended_runs([run_id]) == {run_id}


def test_ctrl_c_during_gladier_run_hands_the_task_to_a_worker(tmp_path: Path) -> None:
    script = tmp_path / "nap.py"
    script.write_text(NAP_CLIENT)
    home = tmp_path / "home"
    command = ["run", f"{script}:NapClient", "-i", "who=ada"]
    code, output = interrupt(home, "", "detach", command=command)
    assert code == 130, output
    run_id = run_id_of(output)
    assert f"Interrupted. Run {run_id} goes on in a background worker" in output
    found = WORKER_PID.search(output)
    assert found is not None
    final = finished(home, run_id)
    assert final["status"] == "SUCCEEDED", final
    assert "rested ada" in json.dumps(final["details"])
    wait_gone(int(found.group(1)))


def test_ctrl_c_leaves_the_run_to_a_worker_that_is_running(nap_flow: tuple[Path, str]) -> None:
    home, flow_id = nap_flow
    worker = subprocess.Popen(
        [str(GLADIER), "--home", str(home), "worker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = Lines(worker)
    try:
        lines.until(lambda line: "worker started on" in line)
        code, output = interrupt(home, flow_id, "ask")
        assert code == 130, output
        run_id = run_id_of(output)
        assert f"A running gladier process (pid {worker.pid}) takes run {run_id} over" in output
        assert "Keep run" not in output  # nothing to ask
        assert finished(home, run_id)["status"] == "SUCCEEDED"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        lines.close()


def test_a_closed_pipe_exits_141_and_says_what_became_of_the_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # After the first nap the display writes again, into the closed pipe, while the run goes on.
    naps = {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Long"},
            "Long": {"Type": "Wait", "Seconds": 3600, "End": True},
        },
    }
    with Runtime(home=home, scheduler=False) as rt:
        flow_id = rt.create_flow("naps", naps)["id"]
    process = subprocess.Popen(
        [str(GLADIER), "--home", str(home), "flows", "run", flow_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()  # the reader takes one line, then goes away
    process.stdout.close()
    try:
        code = process.wait(timeout=60)
        errors = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        process.stderr.close()
    run_id = run_id_of(first)
    assert code == 141, errors
    assert f"The output was closed. No process is running run {run_id} now" in errors
    assert "Unexpected error" not in errors
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.unattended_runs([run_id]) == {run_id}


def test_worker_detach_exits_when_idle(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = gladier_process(home, "worker", "--detach")
    assert done.returncode == 0, done.stderr
    found = WORKER_PID.search(done.stdout)
    assert found is not None
    wait_gone(int(found.group(1)))
    assert "worker stopped; 0 unfinished run(s)" in (home / "worker.log").read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_on_a_terminal_asks_whether_to_keep_the_run_going(
    nap_flow: tuple[Path, str],
) -> None:
    import pty

    home, flow_id = nap_flow
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [str(GLADIER), "--home", str(home), "flows", "run", flow_id],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    os.close(follower)
    lines = Lines(process)
    try:
        seen = lines.until(lambda line: "Nap" in line)
        process.send_signal(signal.SIGINT)
        os.write(leader, b"y\n")  # the answer waits in the terminal until the prompt reads it
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        lines.close()
        os.close(leader)
    output = "".join(seen) + "".join(lines.queue.get() for _ in range(lines.queue.qsize()))
    assert code == 130, output
    run_id = run_id_of(output)
    assert f"Keep run {run_id} going in a background worker? [Y/n]" in output
    found = WORKER_PID.search(output)
    assert found is not None, output
    assert finished(home, run_id)["status"] == "SUCCEEDED"
    wait_gone(int(found.group(1)))
