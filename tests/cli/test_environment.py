"""Problems of the machine are messages that say what to do, not "please report it"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gladier.cli.output import environment_message
from tests.cli.conftest import Invoke


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_home_that_cannot_be_made(gladier: Invoke, tmp_path: Path, how: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    home = blocker / "home"
    if how == "option":
        result = gladier("--home", str(home), "runs", "list")
    else:
        result = gladier("runs", "list", env={"GLADIER_HOME": str(home)})
    assert result.exit_code == 1
    # The store refuses it first, naming the home and both ways to choose another.
    assert result.stderr.startswith(f"Error: Cannot create the runtime home {home}: ")
    assert "--home" in result.stderr and "GLADIER_HOME" in result.stderr
    assert "please report" not in result.stderr and "Unexpected" not in result.stderr


def test_the_worker_names_the_home_too(gladier: Invoke, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = gladier("--home", str(blocker / "h"), "worker", "--until-idle")
    assert result.exit_code == 1
    assert "the runtime home" in result.stderr and "please report" not in result.stderr


def test_environment_messages() -> None:
    home = Path("/srv/lab")
    inside = PermissionError(13, "Permission denied", "/srv/lab/runtime.db")
    assert str(environment_message(inside, home)).startswith(
        "Cannot use /srv/lab as the runtime home: Permission denied (/srv/lab/runtime.db)."
    )
    elsewhere = FileNotFoundError(2, "No such file or directory", "/data/scan.h5")
    message = str(environment_message(elsewhere, home))
    assert message.startswith("No such file or directory (/data/scan.h5). Check the path")
    readonly = sqlite3.OperationalError("attempt to write a readonly database")
    assert "the database there cannot be written" in str(environment_message(readonly, home))
    assert environment_message(ValueError("a bug"), home) is None
    assert environment_message(sqlite3.OperationalError("no such table: x"), home) is None


def test_a_globus_login_without_a_terminal_is_a_message(tmp_path: Path) -> None:
    """`gladier run` on Globus in a script needs a login it cannot ask for: say what to do."""
    import os
    import subprocess
    import sys

    from tests.cli.test_run import SDK_CLIENT

    script = tmp_path / "shout.py"
    script.write_text(SDK_CLIENT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLADIER_")}
    env.update(GLADIER_BACKEND="globus", GLADIER_HOME=str(tmp_path / "home"))
    gladier = Path(sys.executable).with_name("gladier")
    done = subprocess.run(
        [str(gladier), "run", f"{script}:ShoutClient", "-i", "word=hi"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Error: A Globus login is needed" in done.stderr
    assert "GLADIER_CLIENT_ID" in done.stderr and "gladier login" in done.stderr
    assert "please report" not in done.stderr and "Unexpected" not in done.stderr
