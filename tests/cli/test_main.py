"""The ``gladier`` command itself: help, version, completion, errors and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from gladier.cli import cli, main
from gladier.version import __version__
from tests.cli.conftest import Invoke

GLADIER = Path(sys.executable).with_name("gladier")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


ALL_COMMANDS = _commands(cli)


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(gladier: Invoke, path: tuple[str, ...]) -> None:
    result = gladier(*path, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "gladier " + " ".join(path) in result.stdout or path[0] == "run"


def test_every_data_command_has_json(gladier: Invoke) -> None:
    # graph prints graph source (--format); login/logout/unmap print only a sentence
    without = {("login",), ("logout",), ("endpoints", "unmap"), ("flows", "graph")}
    for path in ALL_COMMANDS:
        command = cli
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        if isinstance(command, click.Group) or path in without:
            continue
        names = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert "--json" in names, path


def test_version(gladier: Invoke) -> None:
    result = gladier("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"gladier, version {__version__}"


def test_usage_errors_exit_2(gladier: Invoke) -> None:
    result = gladier("runs", "list", "--status", "SLEEPY")
    assert result.exit_code == 2
    assert "Invalid value for '--status'" in result.stderr
    assert gladier("no-such-command").exit_code == 2


def test_main_returns_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whoami", "--json"]) == 0
    assert main(["runs", "show", "nope"]) == 1
    assert main(["--bogus"]) == 2
    captured = capsys.readouterr()
    assert "No run with id nope" in captured.err


def test_unexpected_errors_are_one_line_unless_debug(
    gladier: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(**kwargs: object) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(cli.commands["whoami"], "callback", explode)
    plain = gladier("whoami")
    assert plain.exit_code == 1
    assert plain.stderr.splitlines()[0] == "Unexpected error: RuntimeError: the disk caught fire"
    assert "gladier --debug" in plain.stderr and "Traceback" not in plain.stderr
    debug = gladier("--debug", "whoami")
    assert debug.exit_code == 1 and "Traceback" in debug.stderr


def test_ctrl_c_exits_130(gladier: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(**kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.commands["whoami"], "callback", interrupt)
    result = gladier("whoami")
    assert result.exit_code == 130 and "Interrupted." in result.stderr


def test_real_command_and_completion(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(GLADIER), "--home", str(tmp_path / "h"), "runs", "show", "missing"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: No run with id missing exists in ")
    bash = subprocess.run(
        [str(GLADIER)],
        env={"_GLADIER_COMPLETE": "bash_source", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bash.returncode == 0 and "_gladier_completion" in bash.stdout
    words = subprocess.run(
        [str(GLADIER)],
        env={
            "_GLADIER_COMPLETE": "bash_complete",
            "COMP_WORDS": "gladier ru",
            "COMP_CWORD": "1",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "plain,run\n" in words.stdout and "plain,runs\n" in words.stdout


def test_importing_gladier_does_not_load_the_cli() -> None:
    modules = "('click', 'rich', 'gladier.cli', 'gladier.progress')"
    code = f"import gladier, sys; print(any(m in sys.modules for m in {modules}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_closed_pipe_stops_quietly(gladier: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    def closed(**kwargs: object) -> None:
        raise BrokenPipeError

    monkeypatch.setattr(cli.commands["whoami"], "callback", closed)
    result = gladier("whoami")
    assert result.exit_code == 141
    assert "Unexpected error" not in result.stderr
