"""The ``gladier`` commands shown in console transcripts are commands the CLI accepts.

Transcripts (```` ```console ```` blocks: ``$ command`` and its output) are not run: their
output holds run ids and times of the session that produced them. Each ``$ gladier ...``
line is still checked against the real command tree, in process with click's CliRunner:
with ``--help`` appended, every subcommand and option it names must exist (the parser
rejects unknown ones before ``--help`` answers), so a renamed command or option cannot
linger in the docs. A transcript followed by "(exit code 2)" shows a usage error on purpose:
that command must really be refused as one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gladier.cli import cli
from tests.docs.snippets import ConsoleCommand, find_console_commands

ROOT = Path(__file__).resolve().parents[2]


def _params() -> list[Any]:
    return [pytest.param(c, id=c.id) for c in find_console_commands(ROOT)]


@pytest.mark.parametrize("command", _params())
def test_documented_command_is_accepted(command: ConsoleCommand) -> None:
    args = list(command.argv[1:])
    if command.exit_code == 2:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "Usage:" in result.output, (
            f"{command.id}: `{command.text}` is shown as a usage error (exit code 2), but the "
            f"CLI answered with exit code {result.exit_code}:\n{result.output}"
        )
        return
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0 and result.output.startswith("Usage:"), (
        f"{command.id}: `{command.text}` names a command or option the CLI does not have "
        f"(exit code {result.exit_code}):\n{result.output}"
    )
