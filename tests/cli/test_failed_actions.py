"""A task that raised does not look like a success: `gladier run`, `runs show/list/watch/log`.

The client is a real GladierBaseClient on the embedded runtime; its generated Compute state
keeps 0.11's ``ExceptionOnActionFailure: false``, so a missing file leaves the run SUCCEEDED
with a FAILED action.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke

COUNTER_CODE = '''
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def count_words(**data):
    """Count the words of a file."""
    print("counting", data["path"])
    with open(data["path"]) as text:
        return len(text.read().split())


@generate_flow_definition
class CountWords(GladierBaseTool):
    compute_functions = [count_words]
    required_input = ["path", "compute_endpoint"]


@generate_flow_definition
class WordCounter(GladierBaseClient):
    gladier_tools = [CountWords]


class StrictWordCounter(WordCounter):
    strict_compute = True
'''

EXIT_ACTION_FAILED = 3


@pytest.fixture
def counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The client module, in a runtime home of its own (closed after the test, with its
    worker processes)."""
    from gladier.services.local import close_shared_runtimes

    monkeypatch.setenv("GLADIER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GLADIER_LEGACY_CONFIG", str(tmp_path / "no-legacy.cfg"))
    monkeypatch.delenv("GLADIER_BACKEND", raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "counter.py"
    path.write_text(COUNTER_CODE)
    (tmp_path / "words.txt").write_text("one two three\n")
    yield path
    close_shared_runtimes()


def run_id_in(text: str) -> str:
    match = re.search(r"Run ([0-9a-f-]{36})", text)
    assert match, text
    return match.group(1)


def test_run_names_the_failed_action_and_exits_3(gladier: Invoke, counter: Path) -> None:
    result = gladier("run", f"{counter}:WordCounter", "-i", "path=missing.txt")
    assert result.exit_code == EXIT_ACTION_FAILED, result.output
    out = result.stdout
    run_id = run_id_in(out)
    assert re.search(r"CountWords\s+ACTION FAILED", out), out
    assert f"Run {run_id} SUCCEEDED" in out
    assert "1 action FAILED, but the run went on" in out
    assert (
        "CountWords: count_words raised FileNotFoundError: [Errno 2] No such file or "
        "directory: 'missing.txt'" in out
    )
    assert f'at File "{counter}", line 8, in count_words' in out
    assert f"gladier runs show {run_id} --state CountWords" in out
    assert "CountWords returned no result: its action FAILED" in out


def test_json_run_keeps_the_globus_document_and_the_exit_code(
    gladier: Invoke, counter: Path
) -> None:
    result = gladier("run", f"{counter}:WordCounter", "-i", "path=missing.txt", "--json")
    assert result.exit_code == EXIT_ACTION_FAILED
    final = json.loads(result.stdout)
    assert final["status"] == "SUCCEEDED"
    assert final["details"]["output"]["CountWords"]["status"] == "FAILED"
    assert "ACTION FAILED" in result.stderr


def test_strict_fails_the_run_itself(gladier: Invoke, counter: Path) -> None:
    result = gladier("run", f"{counter}:WordCounter", "-i", "path=missing.txt", "--strict")
    assert result.exit_code == 1, result.output
    run_id = run_id_in(result.stdout)
    assert f"Run {run_id} FAILED" in result.stdout
    assert "raised FileNotFoundError" in result.stdout
    shown = json.loads(gladier("runs", "show", run_id, "--json").stdout)
    assert shown["status"] == "FAILED"
    definition = json.loads(gladier("flows", "show", shown["flow_id"], "--json").stdout)
    state = definition["definition"]["States"]["CountWords"]
    assert state["ExceptionOnActionFailure"] is True


def test_the_client_attribute_is_strict_too(gladier: Invoke, counter: Path) -> None:
    result = gladier("run", f"{counter}:StrictWordCounter", "-i", "path=missing.txt")
    assert result.exit_code == 1, result.output
    assert "FAILED in" in result.stdout


def test_strict_needs_a_gladier_client(gladier: Invoke, tmp_path: Path) -> None:
    module = tmp_path / "other.py"
    module.write_text(
        "class Thing:\n    def run_flow(self, **kw): ...\n    def progress(self, run_id): ...\n"
    )
    result = gladier("run", f"{module}:Thing", "--strict")
    assert result.exit_code == 2
    assert "--strict needs a GladierBaseClient" in result.stderr


def test_runs_commands_mark_the_failed_action(gladier: Invoke, counter: Path) -> None:
    run_id = run_id_in(gladier("run", f"{counter}:WordCounter", "-i", "path=missing.txt").stdout)
    good = run_id_in(gladier("run", f"{counter}:WordCounter", "-i", "path=words.txt").stdout)

    listed = gladier("runs", "list").stdout
    assert re.search(rf"{run_id} .*SUCCEEDED, 1 action FAILED", listed), listed
    assert re.search(rf"{good} .*SUCCEEDED ", listed), listed
    assert not re.search(rf"{good} .*action FAILED", listed)

    shown = gladier("runs", "show", run_id)
    assert shown.exit_code == 0
    assert "ACTION FAILED" in shown.stdout
    assert "CountWords: count_words raised FileNotFoundError" in shown.stdout
    assert f"gladier runs show {run_id} --state CountWords" in shown.stdout

    state = gladier("runs", "show", run_id, "--state", "CountWords")
    assert state.exit_code == 0, state.output
    assert "Status:  ACTION FAILED" in state.stdout
    assert "Traceback (most recent call last):" in state.stdout
    assert 'with open(data["path"]) as text:' in state.stdout  # the whole traceback
    assert "Task 1 stdout" in state.stdout and "counting missing.txt" in state.stdout

    watched = gladier("runs", "watch", run_id)
    assert watched.exit_code == EXIT_ACTION_FAILED
    assert "1 action FAILED" in watched.stdout
    assert gladier("runs", "watch", good).exit_code == 0


def test_unknown_state_is_a_usage_error(gladier: Invoke, counter: Path) -> None:
    run_id = run_id_in(gladier("run", f"{counter}:WordCounter", "-i", "path=words.txt").stdout)
    result = gladier("runs", "show", run_id, "--state", "Nope")
    assert result.exit_code == 2
    assert "never entered a state named 'Nope'; states it entered: CountWords" in result.stderr


def refuse(**data: object) -> None:
    raise PermissionError("not today")


def test_flows_run_exits_3_too(gladier: Invoke, tmp_path: Path) -> None:
    from gladier.runtime import Runtime
    from gladier.runtime.compute import DEFAULT_ENDPOINT_ID

    home = tmp_path / "flows-home"
    with Runtime(home=home) as rt:
        function_id = rt.register_function(refuse)
        flow = rt.create_flow(
            "refuser",
            {
                "StartAt": "Refuse",
                "States": {
                    "Refuse": {
                        "Type": "Action",
                        "ActionUrl": "https://compute.actions.globus.org",
                        "ExceptionOnActionFailure": False,
                        "Parameters": {
                            "tasks": [{"endpoint": DEFAULT_ENDPOINT_ID, "function": function_id}]
                        },
                        "ResultPath": "$.Refuse",
                        "End": True,
                    }
                },
            },
        )
    result = gladier("--home", str(home), "flows", "run", flow["id"])
    assert result.exit_code == EXIT_ACTION_FAILED, result.output
    assert "Refuse: refuse raised PermissionError: not today" in result.stdout


def test_runs_list_at_120_columns_is_a_table_with_every_status_whole(
    gladier: Invoke, counter: Path, tmp_path: Path
) -> None:
    """'SUCCEEDED, 1 action FAILED' and 'ACTIVE, no worker' together still fit a table: the
    status breaks between words, ids are never cut, no line is wider than the terminal."""
    from gladier.runtime import Runtime

    failed = run_id_in(gladier("run", f"{counter}:WordCounter", "-i", "path=missing.txt").stdout)
    with Runtime(home=tmp_path / "home", takeover=False) as rt:
        nap = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
        flow_id = rt.create_flow("an hour", nap)["id"]
        orphan = rt.run_flow(flow_id, {}, label="left behind when its process stopped")["run_id"]
    import click

    out = click.unstyle(
        gladier("runs", "list", env={"TTY_COMPATIBLE": "1", "COLUMNS": "120"}).stdout
    )
    lines = out.splitlines()
    assert "┃" in out and "…" not in out, out
    assert all(len(line) <= 120 for line in lines), out
    assert failed in out and orphan in out
    cells = (line.split("│")[3].strip() for line in lines[2:] if line.count("│") >= 5)
    statuses = " ".join(cell for cell in cells if cell)
    assert "SUCCEEDED, 1 action FAILED" in statuses and "ACTIVE, no worker" in statuses, out


@pytest.mark.parametrize("columns", [80, 50])
def test_runs_show_on_a_narrow_terminal_cuts_the_note_not_the_state(
    gladier: Invoke, counter: Path, columns: int
) -> None:
    import click

    run_id = run_id_in(gladier("run", f"{counter}:WordCounter", "-i", "path=missing.txt").stdout)
    env = {"TTY_COMPATIBLE": "1", "COLUMNS": str(columns)}
    out = click.unstyle(gladier("runs", "show", run_id, env=env).stdout)
    table = out.split("\n\n", 1)[1].split("1 action FAILED")[0]  # the states, not the fields
    assert all(len(line) <= columns for line in table.splitlines()), table
    assert "CountWords" in table and "ACTION FAILED" in table, table
    if columns == 50:  # too narrow for the table: one line a state, its note below
        assert re.search(r"CountWords \(Action\)  ACTION FAILED  \d\d:\d\d:\d\d", table), table
        assert "    count_words raised FileNotFoundError" in table
    else:
        assert "┃" in table and "count_words" in table


@pytest.mark.parametrize(
    "command", [["run"], ["flows", "run"], ["runs", "watch"], ["runs", "rerun"]]
)
def test_every_command_that_follows_a_run_documents_exit_code_3(
    gladier: Invoke, command: list[str]
) -> None:
    text = " ".join(gladier(*command, "--help").stdout.split())
    assert "3 when it SUCCEEDED although a state's action FAILED" in text, text
