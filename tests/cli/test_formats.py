"""-F/--format text|json|unix, --jq/--jmespath, and tables at any width, through `gladier`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from gladier.cli import cli
from gladier.cli.formats import unix_lines
from tests.cli.conftest import BRANCHING, Invoke, created_flow


@pytest.fixture
def two_runs(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> dict[str, Any]:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING), "branching")
    ids = []
    for mean, label in ((2, "good"), (8, "a rather long label that has to fold")):
        result = gladier(
            "flows", "run", flow_id, "-i", f"mean={mean}", "-i", "name=a", "--label", label,
            "--tag", "nightly", "--json",
        )  # fmt: skip
        ids.append(json.loads(result.stdout)["run_id"])
    return {"flow_id": flow_id, "ok": ids[0], "bad": ids[1]}


def test_format_json_is_the_json_flag(gladier: Invoke, two_runs: dict[str, Any]) -> None:
    by_flag = gladier("runs", "list", "--json")
    by_format = gladier("runs", "list", "-F", "json")
    assert by_flag.exit_code == by_format.exit_code == 0
    assert json.loads(by_flag.stdout) == json.loads(by_format.stdout)
    assert {r["run_id"] for r in json.loads(by_format.stdout)} == {two_runs["ok"], two_runs["bad"]}
    assert gladier("runs", "list", "--format", "JSON").stdout == by_format.stdout


def test_unix_prints_one_record_per_line(gladier: Invoke, two_runs: dict[str, Any]) -> None:
    result = gladier("runs", "list", "-F", "unix")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    newest = dict(field.split("=", 1) for field in lines[0].split("\t"))
    assert newest["run_id"] == two_runs["bad"]
    assert newest["status"] == "FAILED"
    assert newest["tags.0"] == "nightly"
    assert newest["details.code"] == "FlowFailed"


def test_jq_filters_and_unix_prints_lists_tab_separated(
    gladier: Invoke, two_runs: dict[str, Any]
) -> None:
    result = gladier("runs", "list", "-F", "unix", "--jq", "[].[run_id, status]")
    assert result.stdout.splitlines() == [
        f"{two_runs['bad']}\tFAILED",
        f"{two_runs['ok']}\tSUCCEEDED",
    ]
    failed = gladier("runs", "list", "--jmespath", "[?status=='FAILED'].run_id")
    assert json.loads(failed.stdout) == [two_runs["bad"]]  # a query implies -F json
    one = gladier("runs", "show", two_runs["ok"], "-F", "unix", "--jq", "status")
    assert one.stdout == "SUCCEEDED\n"


def test_every_data_command_takes_the_same_switches() -> None:
    def commands(group: click.Group, path: str) -> Iterator[tuple[str, click.Command]]:
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from commands(command, f"{path} {name}")
            else:
                yield f"{path} {name}", command

    checked = 0
    for path, command in commands(cli, "gladier"):
        names = {p.name for p in command.params}
        if "as_json" not in names or path == "gladier worker":
            continue
        flags = {opt for p in command.params for opt in p.opts}
        assert {"-F", "--format", "--jq", "--jmespath", "--json"} <= flags, path
        checked += 1
    assert checked >= 25


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jq", "[?status=="], "is not a JMESPath expression"),
        (["--json", "-F", "unix"], "--json means -F json"),
        (["-F", "yaml"], "'yaml' is not one of 'text', 'json', 'unix'"),
    ],
)
def test_bad_format_switches_are_usage_errors(
    gladier: Invoke, args: list[str], message: str
) -> None:
    result = gladier("runs", "list", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_runs_show_takes_output_and_graph_formats(
    gladier: Invoke, two_runs: dict[str, Any]
) -> None:
    doc = json.loads(gladier("runs", "show", two_runs["bad"], "-F", "json").stdout)
    assert doc["status"] == "FAILED"
    mermaid = gladier("runs", "show", two_runs["bad"], "-F", "mermaid")
    assert mermaid.exit_code == 0 and "flowchart TD" in mermaid.stdout
    graphed = gladier("runs", "show", two_runs["bad"], "--graph", "--format", "mermaid")
    assert "flowchart TD" in graphed.stdout
    drawn = gladier("flows", "graph", two_runs["flow_id"], "-F", "mermaid")
    assert drawn.stdout.startswith("flowchart TD")


def test_tables_print_plain_rows_when_not_a_terminal(
    gladier: Invoke, two_runs: dict[str, Any]
) -> None:
    lines = gladier("runs", "list").stdout.splitlines()
    assert lines[0].split() == ["Run", "id", "Label", "Flow", "Status", "Started", "Took"]
    assert not any(ch in "".join(lines) for ch in "┃│━╇…")
    assert lines[1].startswith(two_runs["bad"] + "  a rather long label that has to fold  ")
    assert lines[2].startswith(two_runs["ok"] + "  good ")


@pytest.mark.parametrize("columns", [80, 60, 40])
def test_narrow_terminals_get_one_block_per_row(
    gladier: Invoke, two_runs: dict[str, Any], columns: int
) -> None:
    result = gladier("runs", "list", env={"TTY_COMPATIBLE": "1", "COLUMNS": str(columns)})
    out = result.stdout
    assert "…" not in out
    assert f"Run id   {two_runs['bad']}" in out and f"Run id   {two_runs['ok']}" in out
    assert "Label    a rather long label that has to fold" in out
    assert "Status   FAILED" in out and "Status   SUCCEEDED" in out


def test_wide_terminals_get_a_table(gladier: Invoke, two_runs: dict[str, Any]) -> None:
    out = gladier("runs", "list", env={"TTY_COMPATIBLE": "1", "COLUMNS": "160"}).stdout
    assert "┃" in out and "…" not in out
    assert two_runs["ok"] in out and two_runs["bad"] in out


def test_unix_lines_escape_and_flatten() -> None:
    assert unix_lines({"a": "x\ty\nz", "b": [], "c": {"d": True, "e": 1.5}, "f": None}) == [
        "a=x\\ty\\nz\tb=[]\tc.d=true\tc.e=1.5\tf="
    ]
    assert unix_lines([["a", 1, None, {"k": 2}], "plain"]) == ['a\t1\t\t{"k":2}', "plain"]
    assert unix_lines(7) == ["7"]
