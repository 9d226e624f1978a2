"""POSIX states: run shell commands on a compute endpoint.

Example::

    from gladier.tools.posix import ShellCmdState, shell_cmd
"""

from __future__ import annotations

from gladier.tools.posix.shell_cmd import ShellCmdState, shell_cmd

__all__ = ["ShellCmdState", "shell_cmd"]
