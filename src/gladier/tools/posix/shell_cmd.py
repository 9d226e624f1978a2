"""Run a shell command on a compute endpoint: the ``shell_cmd`` function and its state.

Example::

    >>> state = ShellCmdState(state_name="List", cmd_args=["ls", "-l"], capture_output=True)
    >>> state.get_flow_state_dict()["Parameters"]["kwargs"]["args"]
    ['ls', '-l']
"""

from __future__ import annotations

from typing import Any

from gladier.tools.globus.compute import Compute, ComputeFunctionType

__all__ = ["ShellCmdState", "shell_cmd"]


def shell_cmd(
    args: list[str] | str,
    arg_sep_char: str = " ",
    capture_output: bool = False,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    timeout: int | None = 60,
    exception_on_error: bool = True,
    input_path: str | None = None,
    output_path: str | None = None,
    error_path: str | None = None,
    **kwargs: Any,
) -> tuple[int, str | None, str | None]:
    """Run ``args`` in a shell and return ``(returncode, stdout, stderr)``.

    ``args`` is a list of words or one string split on ``arg_sep_char``. Output is returned only
    with ``capture_output``; otherwise it may go to ``output_path``/``error_path``. Standard
    input comes from ``input_path`` if given. ``env`` replaces the environment. A non-zero exit
    raises :class:`subprocess.CalledProcessError` when ``exception_on_error``; a command running
    longer than ``timeout`` seconds raises :class:`subprocess.TimeoutExpired`. Paths may start
    with ``~``. The function imports what it needs, so it can run on a remote endpoint.

    Example::

        >>> shell_cmd("echo hello", capture_output=True)
        (0, 'hello\\n', '')
    """
    import contextlib
    import os
    import subprocess

    if isinstance(args, str):
        args = [word for word in args.split(arg_sep_char) if word]
    if capture_output and (output_path or error_path):
        raise ValueError("output_path and error_path cannot be used with capture_output")
    if env is not None and not isinstance(env, dict):
        raise ValueError(f"env must be a dict of environment variables, got {env!r}")

    with contextlib.ExitStack() as files:
        streams: dict[str, Any] = {}
        if input_path is not None:
            streams["stdin"] = files.enter_context(open(os.path.expanduser(input_path)))
        if output_path is not None:
            streams["stdout"] = files.enter_context(open(os.path.expanduser(output_path), "w"))
        if error_path is not None:
            streams["stderr"] = files.enter_context(open(os.path.expanduser(error_path), "w"))
        completed = subprocess.run(
            " ".join(args),
            shell=True,
            cwd=os.path.expanduser(cwd) if cwd is not None else None,
            env=env,
            timeout=timeout,
            check=exception_on_error,
            capture_output=capture_output,
            text=True if capture_output else None,
            **streams,
        )
    return completed.returncode, completed.stdout, completed.stderr


_COMMAND_OPTIONS = (
    "capture_output",
    "cwd",
    "env",
    "timeout",
    "exception_on_error",
    "input_path",
    "output_path",
    "error_path",
)


class ShellCmdState(Compute):
    """A Compute state running :func:`shell_cmd` with ``cmd_args`` and the options as fields.

    ``input_path``, ``output_path`` and ``error_path`` are files for the command's standard
    streams; they never become the state's ``InputPath``.
    """

    cmd_args: list[str] | str
    capture_output: bool = False
    cwd: str | None = None
    env: dict[str, str] | str | None = None
    timeout: int = 60
    exception_on_error: bool = True
    input_path: str | None = None
    output_path: str | None = None
    error_path: str | None = None
    function_to_call: ComputeFunctionType = shell_cmd
    function_parameters: dict[str, Any] | str | None = ""

    def state_input_path(self) -> str | None:
        return None

    def get_function_parameters(self) -> dict[str, Any] | str | None:
        values = self.model_dump()
        parameters = {name: values[name] for name in _COMMAND_OPTIONS}
        parameters["args"] = self.cmd_args
        return parameters
