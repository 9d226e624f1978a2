from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gladier.tools import ShellCmdState
from gladier.tools.posix import shell_cmd


def test_shell_cmd_captures_output() -> None:
    assert shell_cmd(["echo", "hello"], capture_output=True) == (0, "hello\n", "")
    assert shell_cmd("echo,a,,b", arg_sep_char=",", capture_output=True)[1] == "a b\n"


def test_shell_cmd_files_and_cwd(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("from stdin\n")
    code, out, err = shell_cmd(
        "cat; echo oops >&2",
        cwd=str(tmp_path),
        input_path=str(tmp_path / "in.txt"),
        output_path=str(tmp_path / "out.txt"),
        error_path=str(tmp_path / "err.txt"),
    )
    assert (code, out, err) == (0, None, None)
    assert (tmp_path / "out.txt").read_text() == "from stdin\n"
    assert (tmp_path / "err.txt").read_text() == "oops\n"


def test_shell_cmd_errors() -> None:
    with pytest.raises(subprocess.CalledProcessError):
        shell_cmd("exit 3")
    assert shell_cmd("exit 3", exception_on_error=False)[0] == 3
    with pytest.raises(subprocess.TimeoutExpired):
        shell_cmd("sleep 5", timeout=1)
    with pytest.raises(ValueError, match="capture_output"):
        shell_cmd("true", capture_output=True, output_path="/tmp/x")
    with pytest.raises(ValueError, match="env must be a dict"):
        shell_cmd("true", env="PATH=/bin")  # type: ignore[arg-type]


def test_shell_cmd_env() -> None:
    assert shell_cmd("echo $GREETING", env={"GREETING": "hi"}, capture_output=True)[1] == "hi\n"


def test_shell_cmd_state() -> None:
    state = ShellCmdState(
        state_name="Run", cmd_args=["ls", "-l"], cwd="~/data", input_path="~/in.txt"
    )
    rendered = state.get_flow_state_dict()
    assert "InputPath" not in rendered
    assert rendered["Parameters"] == {
        "endpoint.$": "$.input.compute_endpoint",
        "function.$": "$.input.shell_cmd_function_id",
        "kwargs": {
            "capture_output": False,
            "cwd": "~/data",
            "timeout": 60,
            "exception_on_error": True,
            "input_path": "~/in.txt",
            "args": ["ls", "-l"],
        },
    }
    assert state.get_compute_functions() == [shell_cmd]
