"""New verbs: runs update/rerun/delete, runs log --tail/--follow, flows update/deploy, and the
old names kept as aliases; all through `gladier`."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from tests.cli.conftest import BRANCHING, Invoke, created_flow

GLADIER = Path(sys.executable).with_name("gladier")

#: Two Actions in a row (the state between them is only in the log as results) and a Pass.
CHAIN: dict[str, Any] = {
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.input.word"},
            "ResultPath": "$.hello",
            "Next": "Echo",
        },
        "Echo": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.hello.details.hello"},
            "ResultPath": "$.echo",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "Parameters": {"said.$": "$.echo.details.hello"}, "End": True},
    },
}


def _run(gladier: Invoke, *args: str) -> dict[str, Any]:
    result = gladier(*args, "--json")
    assert result.exit_code in (0, 1), result.output
    return dict(json.loads(result.stdout))


def _log(gladier: Invoke, run_id: str) -> list[dict[str, Any]]:
    return list(json.loads(gladier("runs", "log", run_id, "--json").stdout))


def test_runs_update_label_and_tags(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    run = _run(gladier, "flows", "run", flow_id, "-i", "mean=1", "-i", "name=n", "--tag", "draft")
    run_id = run["run_id"]
    done = gladier("runs", "update", run_id[:8], "--label", "night-7", "--add-tag", "reviewed")
    assert done.exit_code == 0
    assert done.stdout.strip() == f"Run {run_id} updated: label 'night-7', tags draft, reviewed."
    doc = _run(gladier, "runs", "update", run_id, "--remove-tag", "draft")
    assert doc["tags"] == ["reviewed"] and doc["label"] == "night-7"
    assert _run(gladier, "runs", "update", run_id, "--tag", "a", "--tag", "b")["tags"] == ["a", "b"]
    assert _run(gladier, "runs", "update", run_id, "--clear-tags")["tags"] == []
    nothing = gladier("runs", "update", run_id)
    assert nothing.exit_code == 2 and "Say what to change" in nothing.stderr
    too_long = gladier("runs", "update", run_id, "--label", "x" * 65)
    assert too_long.exit_code == 1 and "at most 64 characters" in too_long.stderr


def test_rerun_starts_the_same_flow_with_the_same_input(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    old = _run(gladier, "flows", "run", flow_id, "-i", "mean=1", "-i", "name=n", "--tag", "beam")
    result = gladier("runs", "rerun", old["run_id"][:8])
    assert result.exit_code == 0
    new = _run(gladier, "runs", "show")
    assert new["run_id"] != old["run_id"] and new["flow_id"] == flow_id
    assert new["status"] == "SUCCEEDED"
    assert new["details"]["output"]["input"] == {"mean": 1, "name": "n"}
    assert new["label"] == f"rerun of {old['run_id'][:8]}"
    assert new["tags"] == ["beam", f"rerun-of:{old['run_id']}"]
    assert f"Run {new['run_id']} SUCCEEDED" in result.stdout


def test_rerun_from_a_state_after_two_actions(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("chain.json", CHAIN), "chain")
    old = _run(gladier, "flows", "run", flow_id, "-i", "word=hi")
    assert old["status"] == "SUCCEEDED"
    started = _run(gladier, "runs", "rerun", old["run_id"], "--from", "Echo", "--no-wait")
    # --no-wait leaves the run to a worker: `runs watch` only reads, so run one first.
    assert gladier("worker", "--until-idle").exit_code == 0
    new = _run(gladier, "runs", "watch", started["run_id"])
    assert new["status"] == "SUCCEEDED"
    assert new["details"]["output"] == {"said": "hi"}
    assert new["label"] == f"rerun of {old['run_id'][:8]} from Echo"
    entries = _log(gladier, new["run_id"])
    first = entries[0]
    assert first["code"] == "FlowStarted"
    assert first["details"]["start_at"] == "Echo"
    assert first["details"]["rerun_of"] == old["run_id"]
    old_hello = next(e for e in _log(gladier, old["run_id"]) if e["code"] == "ActionCompleted")
    assert first["details"]["input"]["hello"] == old_hello["details"]["output"]
    states = [e["details"].get("state_name") for e in entries if e["code"].endswith("Started")]
    assert "Hello" not in states and "Echo" in states  # the states before were not run again


def test_rerun_from_refuses_states_not_entered_or_absent(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    good = _run(gladier, "flows", "run", flow_id, "-i", "mean=1", "-i", "name=n")
    never = gladier("runs", "rerun", good["run_id"], "--from", "Flag")
    assert never.exit_code == 2  # a usage error, as `runs show --state` of such a state
    assert "The run never entered state 'Flag'; its log shows it entered 'Measure'" in never.stderr
    absent = gladier("runs", "rerun", good["run_id"], "--from", "Nowhere")
    assert absent.exit_code == 2
    assert "has no state named 'Nowhere'; its states are 'Measure'" in absent.stderr
    bad = _run(gladier, "flows", "run", flow_id, "-i", "mean=9", "-i", "name=n")
    again = gladier("runs", "rerun", bad["run_id"], "--from", "Flag")
    assert again.exit_code == 1  # the Fail state fails again
    assert "TooNoisy" in again.stdout


def test_delete_everywhere_and_the_old_names_still_work(
    gladier: Invoke, write_json: Callable[[str, Any], Path], tmp_path: Path
) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    runs = [_run(gladier, "flows", "run", flow_id, "-i", "mean=1", "-i", "name=n") for _ in "ab"]
    released = gladier("runs", "release", runs[0]["run_id"])
    assert (
        released.exit_code == 0 and "was released; its record and log are gone." in released.stdout
    )
    assert gladier("runs", "delete", runs[1]["run_id"]).exit_code == 0
    listed = [
        line.split()[0]
        for line in gladier("runs", "--help").stdout.splitlines()
        if line.startswith("  ") and line.split()
    ]
    assert "delete" in listed and "release" not in listed  # a hidden alias

    for name in ("one", "two"):
        gladier("endpoints", "create", name)
    assert "Removed endpoint" in gladier("endpoints", "remove", "one").stdout
    assert "Deleted endpoint" in gladier("endpoints", "delete", "two").stdout
    folder = tmp_path / "c"
    folder.mkdir()
    ids = [_run(gladier, "collections", "create", str(folder))["id"] for _ in "ab"]
    assert gladier("collections", "remove", ids[0]).exit_code == 0
    assert gladier("collections", "delete", ids[1]).exit_code == 0
    assert gladier("collections", "list").stdout.strip() == "No collections are mapped."


def test_log_tail(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    run = _run(gladier, "flows", "run", flow_id, "-i", "mean=1", "-i", "name=n")
    everything = gladier("runs", "log", run["run_id"]).stdout.splitlines()
    tail = gladier("runs", "log", run["run_id"], "--tail", "2").stdout.splitlines()
    assert tail == everything[-2:] and "FlowSucceeded" in tail[-1]
    ended = gladier("runs", "log", run["run_id"], "--follow", "--tail", "1")
    assert ended.exit_code == 0 and len(ended.stdout.splitlines()) == 1
    clash = gladier("runs", "log", run["run_id"], "--tail", "2", "--reverse")
    assert clash.exit_code == 2


def test_log_follow_follows_a_live_run_until_it_ends(tmp_path: Path) -> None:
    home = tmp_path / "live"
    clock = ManualClock(start=1_900_000_000.0)
    napping = {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 60, "Next": "Wake"},
            "Wake": {"Type": "Pass", "End": True},
        },
    }
    with Runtime(home=home, clock=clock) as rt:
        flow = rt.create_flow("nap", napping)
        run_id = rt.run_flow(flow["id"], {"n": 1})["run_id"]
        command = [str(GLADIER), "--home", str(home), "runs", "log", run_id[:8], "--follow",
                   "-F", "json"]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        ) as follower:
            lines: queue.Queue[str] = queue.Queue()
            out = follower.stdout
            assert out is not None
            reader = threading.Thread(target=lambda: [lines.put(x) for x in out], daemon=True)
            reader.start()
            seen = []
            while not seen or seen[-1]["code"] != "WaitStarted":
                seen.append(json.loads(lines.get(timeout=60)))
            clock.advance(60)  # the Wait ends now: the follower prints the rest and exits
            code = follower.wait(timeout=60)
            reader.join(timeout=10)
            errors = follower.stderr.read() if follower.stderr else ""
        assert code == 0, errors
        while not lines.empty():
            seen.append(json.loads(lines.get()))
    assert [entry["code"] for entry in seen] == [
        "FlowStarted",
        "WaitStarted",
        "WaitCompleted",
        "PassStarted",
        "PassCompleted",
        "FlowSucceeded",
    ]


def test_flows_update(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING), "old")
    changed = dict(BRANCHING, Comment="changed")
    result = gladier(
        "flows", "update", flow_id[:8], str(write_json("new.json", changed)), "--title", "new",
        "--description", "Now changed",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout.strip() == f"Updated flow {flow_id} (new)."
    doc = _run(gladier, "flows", "show", flow_id)
    assert doc["title"] == "new" and doc["definition"]["Comment"] == "changed"
    assert doc["description"] == "Now changed"
    nothing = gladier("flows", "update", flow_id)
    assert nothing.exit_code == 2 and "Say what to change" in nothing.stderr


def test_flows_deploy_is_idempotent_by_title(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    path = write_json("scan.json", BRANCHING)
    first = gladier("flows", "deploy", str(path), "--title", "Scan check")
    assert first.exit_code == 0 and first.stdout.startswith("Created flow ")
    flow = _run(gladier, "flows", "deploy", str(path), "--title", "Scan check")
    again = gladier("flows", "deploy", str(path), "--title", "Scan check")
    assert again.stdout.strip() == f"Flow {flow['id']} (Scan check) is up to date."
    assert _run(gladier, "flows", "show", flow["id"])["updated_at"] == flow["updated_at"]
    write_json("scan.json", dict(BRANCHING, Comment="v2"))
    updated = gladier("flows", "deploy", str(path), "--title", "Scan check")
    assert updated.stdout.strip() == f"Updated flow {flow['id']} (Scan check)."
    assert _run(gladier, "flows", "show", flow["id"])["definition"]["Comment"] == "v2"
    assert len(json.loads(gladier("flows", "list", "--json").stdout)) == 1
    by_stem = gladier("flows", "deploy", str(path))
    assert by_stem.stdout.startswith("Created flow ") and "(scan)" in by_stem.stdout

    gladier("flows", "create", str(path), "--title", "scan")
    twice = gladier("flows", "deploy", str(path))
    assert twice.exit_code == 1
    assert "2 flows are titled 'scan'" in twice.stderr


@pytest.mark.parametrize("command", ["update", "rerun", "delete"])
def test_unknown_run_for_the_new_verbs(gladier: Invoke, command: str) -> None:
    extra = ["--label", "x"] if command == "update" else []
    result = gladier("runs", command, "no-such-run", *extra)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No run with id no-such-run exists in ")
