"""Reading never runs anything: a run whose process was killed stays untouched by every read.

A script starts a run and is killed with ``kill -9`` while the run waits; the run is then
ACTIVE with a dead owner. Every read command leaves it alone (no scheduler starts, no takeover,
no ``RunTakenOver`` event) and the tables name it as a run nothing executes. Commands that
write about one run (start, cancel, resume) leave the other abandoned runs alone too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.engine import Engine
from tests.cli.conftest import Invoke
from tests.cli.test_worker import GLADIER, Lines

#: Starts a run that waits an hour, says its id once the wait began, then blocks until killed.
SCRIPT = """
import sys, threading
from gladier.runtime import Runtime
definition = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
rt = Runtime(home=sys.argv[1]).open()
waiting = threading.Event()
rt.add_event_listener(lambda run_id, entry: entry["code"] == "WaitStarted" and waiting.set())
flow = rt.create_flow("nap", definition)
run = rt.run_flow(flow["id"], {})
waiting.wait(60)
print(run["run_id"], flush=True)
sys.stdin.read()
"""


@pytest.fixture
def orphan(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A home with one ACTIVE run whose owner process was killed (kill -9)."""
    home = tmp_path / "home"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        run_id = process.stdout.readline().strip()
        assert run_id, "the script did not start its run"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        yield home, run_id
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def untouched(home: Path, run_id: str) -> dict[str, Any]:
    """The run's document, after checking nobody took it over."""
    with Runtime(home=home, scheduler=False) as rt:
        codes = [e["code"] for e in rt.get_run_logs(run_id, limit=100)["entries"]]
        attempt = (
            rt.db.read()
            .execute("SELECT attempt FROM runs WHERE run_id = ?", (run_id,))
            .fetchone()[0]
        )
        run = rt.get_run(run_id)
    assert codes == ["FlowStarted", "WaitStarted"]
    assert attempt == 1
    return run


def test_every_read_leaves_an_orphaned_run_alone(
    gladier: Invoke, orphan: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, run_id = orphan
    started: list[Engine] = []
    original = Engine.start

    def start(engine: Engine) -> None:
        started.append(engine)
        original(engine)

    monkeypatch.setattr(Engine, "start", start)
    flow_id = untouched(home, run_id)["flow_id"]
    reads = [
        ("runs", "list"),
        ("runs", "list", "--json"),
        ("runs", "list", "--status", "ACTIVE"),
        ("runs", "show", run_id),
        ("runs", "show", run_id, "--json"),
        ("runs", "show", run_id, "--graph"),
        ("runs", "log", run_id),
        ("runs", "log", run_id, "--json"),
        ("flows", "list"),
        ("flows", "show", flow_id),
        ("flows", "graph", flow_id),
        ("flows", "graph", "--run", run_id),
        ("functions", "list"),
        ("endpoints", "list"),
        ("collections", "list"),
        ("search", "indexes"),
        ("whoami",),
    ]
    for args in reads:
        result = gladier("--home", str(home), *args)
        assert result.exit_code == 0, (args, result.output)
    assert started == [], "a read started the scheduler"
    assert untouched(home, run_id)["status"] == "ACTIVE"


def test_tables_name_a_run_nothing_executes(gladier: Invoke, orphan: tuple[Path, str]) -> None:
    home, run_id = orphan
    listed = gladier("--home", str(home), "runs", "list")
    row = next(line for line in listed.stdout.splitlines() if run_id in line)
    assert "ACTIVE, no worker" in row
    shown = gladier("--home", str(home), "runs", "show", run_id)
    assert "Status:  ACTIVE, no worker" in shown.stdout
    assert f"No process is running run {run_id}" in shown.stdout
    assert "`gladier worker`" in shown.stdout
    # The JSON documents keep the Flows service's shape and status.
    as_json = json.loads(gladier("--home", str(home), "runs", "show", run_id, "--json").stdout)
    assert as_json["status"] == "ACTIVE"
    listed_json = json.loads(gladier("--home", str(home), "runs", "list", "--json").stdout)
    assert [r["status"] for r in listed_json] == ["ACTIVE"]
    assert as_json.keys() == listed_json[0].keys()


def test_a_run_with_a_live_worker_is_not_flagged(gladier: Invoke, tmp_path: Path) -> None:
    home = tmp_path / "home"
    definition = {"StartAt": "N", "States": {"N": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    with Runtime(home=home) as rt:
        run_id = rt.run_flow(rt.create_flow("nap", definition)["id"], {})["run_id"]
        listed = gladier("--home", str(home), "runs", "list")
        row = next(line for line in listed.stdout.splitlines() if run_id in line)
        assert "ACTIVE" in row and "no worker" not in row
        assert rt.unattended_runs([run_id]) == set()
    # Closed: the run was released and nothing runs it now.
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.unattended_runs([run_id, "no-such-run"]) == {run_id}


def test_watching_an_orphaned_run_says_so_and_takes_nothing_over(
    orphan: tuple[Path, str],
) -> None:
    home, run_id = orphan
    process = subprocess.Popen(
        [str(GLADIER), "--home", str(home), "runs", "watch", run_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = Lines(process)
    try:
        note = lines.until(lambda line: "No process is running run" in line)[-1]
        assert run_id in note and "gladier worker" in note
        lines.until(lambda line: "Nap" in line)  # watching: the run's states are shown
        untouched(home, run_id)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        lines.close()
    untouched(home, run_id)


def test_writes_about_one_run_leave_the_other_orphans_alone(
    gladier: Invoke, orphan: tuple[Path, str]
) -> None:
    home, orphan_id = orphan
    flow_id = untouched(home, orphan_id)["flow_id"]
    started = gladier("--home", str(home), "flows", "run", flow_id, "--no-wait", "--json")
    assert started.exit_code == 0, started.output
    run_id = json.loads(started.stdout)["run_id"]
    resumed = gladier("--home", str(home), "runs", "resume", run_id)
    assert resumed.exit_code == 0
    assert f"No process is running run {run_id}" in resumed.stderr
    cancelled = gladier("--home", str(home), "runs", "cancel", run_id)
    assert cancelled.exit_code == 0, cancelled.output
    with Runtime(home=home, scheduler=False) as reader:
        assert reader.get_run(run_id)["status"] == "FAILED"
    # The killed script's run was not taken over by any of these commands.
    assert untouched(home, orphan_id)["status"] == "ACTIVE"
