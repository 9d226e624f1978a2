"""Older command names kept working: ``runs release``, ``endpoints remove`` and ``collections
remove`` are aliases of ``delete``, hidden from the help (which names them in the command's
own text).

Example::

    add_alias(runs, delete, "release")
"""

from __future__ import annotations

import copy

import click


def add_alias(group: click.Group, command: click.Command, name: str) -> click.Command:
    """Register ``command`` in ``group`` under the extra, hidden ``name``; return the alias.

    Example::

        add_alias(endpoints, delete, "remove")
    """
    alias = copy.copy(command)
    alias.name = name
    alias.hidden = True
    group.add_command(alias, name)
    return alias


__all__ = ["add_alias"]
