"""``gladier runs prune``: finished runs older than the cut-off go, unfinished runs stay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from tests.cli.conftest import Invoke

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
NAP = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 31_536_000, "End": True}}}


def old_runs(home: Path) -> dict[str, str]:
    """Runs finished (and one still waiting) in 2020, by status."""
    with Runtime(home=home, clock=ManualClock(start=1_600_000_000.0)) as rt:
        made = {}
        for name, definition in (("SUCCEEDED", PASS), ("FAILED", FAIL), ("ACTIVE", NAP)):
            run = rt.run_flow(rt.create_flow(name, definition)["id"], {})
            if name != "ACTIVE":
                rt.wait(run["run_id"], timeout=30)
            made[name] = run["run_id"]
        rt.recover()
    return made


def statuses(home: Path) -> dict[str, str]:
    with Runtime(home=home, scheduler=False) as rt:
        return {r["run_id"]: r["status"] for r in rt.list_runs(per_page=100)["runs"]}


def test_prune_by_status_then_all_finished(gladier: Invoke) -> None:
    home = Path(os.environ["GLADIER_HOME"])
    made = old_runs(home)
    result = gladier("runs", "prune", "--older-than", "30", "--status", "failed")
    assert result.exit_code == 0, result.output
    assert "Removed 1 FAILED run(s)" in result.output
    assert set(statuses(home)) == {made["SUCCEEDED"], made["ACTIVE"]}
    result = gladier("runs", "prune", "--older-than", "30", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["pruned"] == 1
    assert statuses(home) == {made["ACTIVE"]: "ACTIVE"}


def test_prune_refuses_unfinished_statuses_and_needs_a_cut_off(gladier: Invoke) -> None:
    result = gladier("runs", "prune", "--older-than", "1", "--status", "ACTIVE")
    assert result.exit_code == 2
    assert "ACTIVE" in result.output and "succeeded" in result.output.lower()
    result = gladier("runs", "prune")
    assert result.exit_code == 2 and "--older-than" in result.output
    result = gladier("runs", "prune", "--older-than", "-1")
    assert result.exit_code == 2


def test_prune_in_a_subprocess(tmp_path: Path) -> None:
    home = tmp_path / "sub"
    made = old_runs(home)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gladier.cli",
            "--home",
            str(home),
            "runs",
            "prune",
            "--older-than",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Removed 2 finished run(s)" in done.stdout
    assert statuses(home) == {made["ACTIVE"]: "ACTIVE"}
