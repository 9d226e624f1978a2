"""Id prefixes, the newest run by default, and flows named by title, through `gladier`."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from tests.cli.conftest import BRANCHING, Invoke, created_flow

PASS: dict[str, Any] = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _home_runtime() -> Runtime:
    return Runtime(home=os.environ["GLADIER_HOME"])


@pytest.fixture
def many_runs() -> list[str]:
    """17 finished runs: at least two share their first character."""
    with _home_runtime() as rt:
        flow = rt.create_flow("quick", PASS)
        ids = [rt.run_flow(flow["id"], {"n": n})["run_id"] for n in range(17)]
        for run_id in ids:
            rt.wait(run_id, timeout=30)
    return ids


def test_a_unique_prefix_names_a_run_everywhere(gladier: Invoke, many_runs: list[str]) -> None:
    run_id = many_runs[0]
    prefix = next(
        run_id[:n]
        for n in range(4, 37)
        if sum(other.startswith(run_id[:n]) for other in many_runs) == 1
    )
    assert json.loads(gladier("runs", "show", prefix, "--json").stdout)["run_id"] == run_id
    assert json.loads(gladier("runs", "show", prefix.upper(), "--json").stdout)["run_id"] == run_id
    assert "FlowSucceeded" in gladier("runs", "log", prefix).stdout
    assert gladier("runs", "watch", prefix).exit_code == 0
    assert f"Run {run_id} already ended" in gladier("runs", "cancel", prefix).stdout
    updated = gladier("runs", "update", prefix, "--label", "renamed", "--json")
    assert json.loads(updated.stdout)["label"] == "renamed"
    assert gladier("flows", "graph", "--run", prefix).exit_code == 0
    deleted = gladier("runs", "delete", prefix)
    assert (
        deleted.stdout.strip()
        == f"Run {run_id} (SUCCEEDED) was deleted; its record and log are gone."
    )


def test_an_ambiguous_prefix_lists_the_matches(gladier: Invoke, many_runs: list[str]) -> None:
    first, count = Counter(run_id[0] for run_id in many_runs).most_common(1)[0]
    assert count >= 2
    result = gladier("runs", "show", first)
    assert result.exit_code == 1
    assert f"Error: The run id prefix '{first}' matches {count} runs:" in result.stderr
    for run_id in many_runs:
        assert (f"  {run_id}" in result.stderr) == run_id.startswith(first)
    assert "Type more of the id to pick one." in result.stderr


def test_an_unknown_id_is_a_clear_error(gladier: Invoke, many_runs: list[str]) -> None:
    result = gladier("runs", "show", "zz")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No run with id zz exists in ")
    assert "list runs with `gladier runs list`" in result.stderr


def test_flow_ids_take_prefixes_and_ambiguity_is_refused(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    with _home_runtime() as rt:
        for last in "12":
            rt.create_flow(f"f{last}", PASS, flow_id=f"abcd0000-0000-4000-8000-00000000000{last}")
    shown = gladier("flows", "show", "abcd0000-0000-4000-8000-0000000000012"[:-1], "--json")
    assert json.loads(shown.stdout)["title"] == "f1"
    ambiguous = gladier("flows", "run", "abcd")
    assert ambiguous.exit_code == 1
    assert "The flow id prefix 'abcd' matches 2 flows:" in ambiguous.stderr
    assert "abcd0000-0000-4000-8000-000000000001" in ambiguous.stderr
    ran = gladier("flows", "run", "abcd0000-0000-4000-8000-0000000000012"[:-1], "--json")
    assert json.loads(ran.stdout)["status"] == "SUCCEEDED"


def test_show_log_and_watch_use_the_newest_run(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    for command in ("show", "log", "watch"):
        empty = gladier("runs", command)
        assert empty.exit_code == 1
        assert "There are no runs yet; start one with `gladier run` first." in empty.stderr
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    gladier("flows", "run", flow_id, "-i", "mean=2", "-i", "name=a", "--json")
    newest = json.loads(
        gladier("flows", "run", flow_id, "-i", "mean=9", "-i", "name=b", "--json").stdout
    )["run_id"]
    assert json.loads(gladier("runs", "show", "--json").stdout)["run_id"] == newest
    assert f"Run:       {newest}" in gladier("runs", "show").stdout
    assert "FlowFailed" in gladier("runs", "log").stdout.splitlines()[-1]
    watched = gladier("runs", "watch")
    assert watched.exit_code == 1 and f"Run {newest} FAILED" in watched.stdout


def test_list_by_flow_title_and_empty_filters(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING), "Scan check")
    other = created_flow(gladier, write_json("pass.json", PASS), "Other")
    run = json.loads(
        gladier("flows", "run", flow_id, "-i", "mean=1", "-i", "name=x", "--json").stdout
    )
    gladier("flows", "run", other, "--json")
    by_title = json.loads(gladier("runs", "list", "--flow", "scan  CHECK", "--json").stdout)
    assert [r["run_id"] for r in by_title] == [run["run_id"]]
    by_prefix = json.loads(gladier("runs", "list", "--flow", flow_id[:8], "--json").stdout)
    assert [r["run_id"] for r in by_prefix] == [run["run_id"]]

    none = gladier("runs", "list", "--flow", "Other", "--status", "FAILED")
    assert none.exit_code == 0
    assert none.stdout.strip() == "No runs match these filters."
    unknown = gladier("runs", "list", "--flow", "No such flow")
    assert unknown.exit_code == 1
    assert "No flow has the id or title 'No such flow'" in unknown.stderr


def test_list_since_and_tag(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> None:
    flow_id = created_flow(gladier, write_json("pass.json", PASS))
    tagged = json.loads(
        gladier("flows", "run", flow_id, "--tag", "nightly", "--tag", "beam", "--json").stdout
    )["run_id"]
    plain = json.loads(gladier("flows", "run", flow_id, "--json").stdout)["run_id"]

    def listed(*args: str) -> list[str]:
        result = gladier("runs", "list", *args, "--jq", "[].run_id")
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout))

    assert listed("--tag", "nightly") == [tagged]
    assert listed("--tag", "nightly", "--tag", "beam") == [tagged]
    assert listed("--tag", "nightly", "--tag", "other") == []
    assert listed("--since", "1h") == [plain, tagged]
    assert listed("--since", "2000-01-01") == [plain, tagged]
    assert listed("--since", "2999-01-01T00:00Z") == []
    assert gladier("runs", "list", "--since", "2999-01-01").stdout.strip() == (
        "No runs match these filters."
    )
    bad = gladier("runs", "list", "--since", "yesterday")
    assert bad.exit_code == 2
    assert "'yesterday' is neither a date/time" in bad.stderr


def test_endpoints_and_collections_take_prefixes(gladier: Invoke, tmp_path: Path) -> None:
    created = json.loads(gladier("endpoints", "create", "big", "--json").stdout)
    shown = gladier("endpoints", "show", created["endpoint_id"][:10], "--json")
    assert json.loads(shown.stdout)["name"] == "big"
    assert json.loads(gladier("endpoints", "show", "big", "--json").stdout)["name"] == "big"
    folder = tmp_path / "data"
    folder.mkdir()
    collection = json.loads(gladier("collections", "create", str(folder), "--json").stdout)
    shown = gladier("collections", "show", collection["id"][:8], "--json")
    assert json.loads(shown.stdout)["root"] == collection["root"]


def test_flows_are_also_named_by_a_unique_title(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("pass.json", PASS), "Quick pass")
    ran = gladier("flows", "run", "quick pass", "--json")
    assert json.loads(ran.stdout)["flow_id"] == flow_id
    assert json.loads(gladier("flows", "show", "Quick pass", "--json").stdout)["id"] == flow_id
    created_flow(gladier, write_json("pass.json", PASS), "Quick pass")
    twice = gladier("flows", "show", "Quick pass")
    assert twice.exit_code == 1
    assert "2 flows are titled 'Quick pass':" in twice.stderr and flow_id in twice.stderr
    unknown = gladier("flows", "show", "Nothing like it")
    assert unknown.exit_code == 1
    assert "No flow with id Nothing like it exists" in unknown.stderr
