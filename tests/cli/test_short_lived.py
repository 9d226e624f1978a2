"""Short-lived commands that run a run of their own leave the other abandoned runs alone, and
handing a run to a background worker returns only once the worker runs it.

Each test types the command as a user would (a real ``gladier`` process) in a home that
holds an abandoned run (ACTIVE, no process runs it), then checks that run's log.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from gladier.runtime import Runtime
from tests.cli.test_detach import NAP, WORKER_PID, finished, gladier_process, wait_gone
from tests.cli.test_run import SDK_CLIENT

#: A run that waits an hour: it stays unfinished for the whole test.
HOUR: dict[str, object] = {
    "StartAt": "Nap",
    "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}},
}


def abandoned_run(home: Path) -> str:
    """Start a run in a runtime that then closes: the run stays ACTIVE and nothing runs it."""
    with Runtime(home=home, takeover=False) as rt:
        flow_id = rt.create_flow("an hour", HOUR)["id"]
        run_id = str(rt.run_flow(flow_id, {})["run_id"])
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.unattended_runs([run_id]) == {run_id}
    return run_id


def codes(home: Path, run_id: str) -> list[str]:
    with Runtime(home=home, scheduler=False) as reader:
        entries = reader.get_run_logs(run_id, limit=100)["entries"]
    return [str(entry["code"]) for entry in entries]


def test_gladier_run_runs_only_its_own_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    other = abandoned_run(home)
    script = tmp_path / "shout.py"
    script.write_text(SDK_CLIENT)
    done = gladier_process(home, "run", f"{script}:ShoutClient", "-i", "word=hi")
    assert done.returncode == 0, done.stdout + done.stderr
    # It did not take the other run over only to stop it again when it exited.
    assert "RunTakenOver" not in codes(home, other)
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.unattended_runs([other]) == {other}


def test_gladier_demo_runs_only_its_own_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    other = abandoned_run(home)
    done = gladier_process(home, "demo", "--output", str(tmp_path / "demo"), "--scans", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RunTakenOver" not in codes(home, other)


@pytest.mark.parametrize("command", ["flows-run", "run"])
def test_detach_returns_once_the_worker_runs_the_run(tmp_path: Path, command: str) -> None:
    home = tmp_path / "home"
    if command == "run":
        script = tmp_path / "nap.py"
        script.write_text(NAP_CLIENT)
        args = ["run", f"{script}:NapClient", "--detach"]
    else:
        with Runtime(home=home, scheduler=False) as rt:
            flow_id = rt.create_flow("nap", NAP)["id"]
        args = ["flows", "run", flow_id, "--detach"]
    done = gladier_process(home, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.match(r"Started run (\S+): it goes on in a background worker", done.stdout)
    assert match, done.stdout
    run_id = match.group(1)
    # Right away, the run is not "ACTIVE, no worker" and watching it says nothing of the kind.
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.unattended_runs([run_id]) == set()
    listed = gladier_process(home, "runs", "list")
    assert "no worker" not in listed.stdout, listed.stdout
    watched = gladier_process(home, "runs", "watch", run_id[:8])
    assert watched.returncode == 0, watched.stdout + watched.stderr
    assert "No process is running" not in watched.stderr
    assert finished(home, run_id)["status"] == "SUCCEEDED"
    found = WORKER_PID.search(done.stdout)
    assert found is not None
    wait_gone(int(found.group(1)))


def test_a_worker_that_stops_before_taking_the_run_is_reported(tmp_path: Path) -> None:
    from gladier.cli.detach import BackgroundWorker, wait_until_held

    home = tmp_path / "home"
    run_id = abandoned_run(home)
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    worker = BackgroundWorker(process.pid, home / "worker.log", process)
    problem = wait_until_held(home, run_id, worker, timeout=30)
    assert problem is not None
    assert f"stopped before taking run {run_id} over" in problem
    assert "`gladier worker`" in problem


#: A Gladier client whose one step waits two seconds (a Wait state from a tool's definition).
NAP_CLIENT = """
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


class Nap(GladierBaseTool):
    flow_definition = {
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 2, "End": True}},
    }


@generate_flow_definition
class NapClient(GladierBaseClient):
    gladier_tools = [Nap]
"""


def test_rerun_no_wait_says_once_that_it_started_the_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home, scheduler=False) as rt:
        flow_id = rt.create_flow(
            "pass", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        )["id"]
        old = rt.run_flow(flow_id, {"x": 1})["run_id"]
        rt.wait(old, timeout=60)
    done = gladier_process(home, "runs", "rerun", old[:8], "--from", "P", "--no-wait")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Started run") == 1, done.stdout
    assert f"reruns {old} from state P" in done.stdout


def test_following_the_log_of_a_run_nothing_runs_says_so_and_ctrl_c_exits_130(
    tmp_path: Path,
) -> None:
    import select
    import signal

    from tests.cli.test_worker import GLADIER

    home = tmp_path / "home"
    run_id = abandoned_run(home)
    process = subprocess.Popen(
        [str(GLADIER), "--home", str(home), "runs", "log", run_id[:8], "--follow"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    # the note is written before it starts waiting for new entries
    ready, _, _ = select.select([process.stderr], [], [], 60)
    if not ready:
        process.kill()
        raise AssertionError("runs log --follow said nothing of the run that nothing runs")
    note = process.stderr.readline()
    assert note.startswith(f"No process is running run {run_id}"), note
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "FlowStarted" in out
    assert "Stopped following. The run was not cancelled" in err
    assert "RunTakenOver" not in codes(home, run_id)  # following ran nothing


def test_another_command_that_runs_only_its_own_run_is_not_named_as_taking_this_one(
    tmp_path: Path,
) -> None:
    """A `gladier flows run` in another terminal runs only its own run: `--no-wait` must not
    say that it takes the new run over (only a worker or a script would)."""
    import select
    import signal
    import time

    from tests.cli.test_worker import GLADIER

    home = tmp_path / "home"
    with Runtime(home=home, scheduler=False) as rt:
        hour = rt.create_flow("an hour", HOUR)["id"]
        nap = rt.create_flow("nap", NAP)["id"]
    other = subprocess.Popen(
        [str(GLADIER), "--home", str(home), "flows", "run", hour, "--on-interrupt", "stop"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None
        ready, _, _ = select.select([other.stdout], [], [], 60)
        assert ready, "the other command printed nothing"
        other_run = re.search(r"Run (\S+) ", other.stdout.readline())
        assert other_run is not None
        deadline = time.monotonic() + 60
        with Runtime(home=home, scheduler=False) as reader:
            while reader.unattended_runs([other_run.group(1)]):  # until it holds its run
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert reader.live_owners()
        done = gladier_process(home, "flows", "run", nap, "--no-wait")
        assert done.returncode == 0, done.stderr
        assert "No process is running it now" in done.stdout, done.stdout
        assert "a running gladier process" not in done.stdout
    finally:
        other.send_signal(signal.SIGINT)
        other.communicate(timeout=60)


def test_gladier_command_reads_command_lines() -> None:
    from gladier.cli.detach import gladier_command

    assert gladier_command(["/v/bin/python", "/v/bin/gladier", "run", "f.py:C"]) == "run"
    assert gladier_command(["python", "-m", "gladier.cli", "--debug", "worker"]) == "worker"
    assert gladier_command(["gladier", "--home", "runs", "flows", "list"]) == "flows"
    assert gladier_command(["python", "-m", "pytest"]) is None


def test_gladier_demo_into_a_closed_pipe_says_what_becomes_of_its_run(tmp_path: Path) -> None:
    from tests.cli.test_worker import GLADIER

    home = tmp_path / "home"
    options = ["--output", str(tmp_path / "d"), "--scans", "60", "--frame-kb", "256"]
    demo = subprocess.Popen(
        [str(GLADIER), "--home", str(home), "demo", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert demo.stdout is not None and demo.stderr is not None
    for _ in range(5):  # as `gladier demo | head -5` does
        demo.stdout.readline()
    demo.stdout.close()
    err = demo.stderr.read()
    demo.stderr.close()
    assert demo.wait(timeout=120) == 141, err
    # the run is in the user's home now: the demo says whether it goes on or has ended
    assert "The output was closed." in err, err
    assert "No process is running run" in err or "has already ended" in err, err


@pytest.mark.parametrize(("strict", "status"), [(True, "FAILED"), (False, "SUCCEEDED")])
def test_detach_keeps_strict(tmp_path: Path, strict: bool, status: str) -> None:
    """--strict still decides the outcome when a background worker runs the run."""
    from tests.cli.test_failed_actions import COUNTER_CODE

    home = tmp_path / "home"
    script = tmp_path / "counter.py"
    script.write_text(COUNTER_CODE)
    args = ["run", f"{script}:WordCounter", "-i", f"path={tmp_path / 'missing.txt'}", "--detach"]
    done = gladier_process(home, *args, *(["--strict"] if strict else []))
    assert done.returncode == 0, done.stdout + done.stderr
    run_id = done.stdout.split()[2].rstrip(":")
    assert finished(home, run_id)["status"] == status
    watched = gladier_process(home, "runs", "watch", run_id[:8])
    assert watched.returncode == (1 if strict else 3), watched.stdout
    found = WORKER_PID.search(done.stdout)
    assert found is not None
    wait_gone(int(found.group(1)))
