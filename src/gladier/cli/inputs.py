"""Run input from the command line: ``--input FILE`` and ``-i key=value`` options.

``--input FILE`` is a JSON file holding ``{"input": {...}}`` (what ``client.run_flow`` takes);
each ``-i key=value`` then sets one key of that ``input`` object, its value parsed as JSON when it
parses (``-i count=3``, ``-i fast=true``, ``-i 'tags=["a"]'``) and kept as a string otherwise
(``-i name=scan-042``, ``-i 'note=hello world'``).

Example::

    >>> build_input(None, ["count=3", "name=scan-042", 'dims=[2, 3]'])
    {'input': {'count': 3, 'name': 'scan-042', 'dims': [2, 3]}}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from gladier.cli.output import load_json_file

F = TypeVar("F", bound=Callable[..., Any])


def parse_value(text: str) -> Any:
    """``text`` as JSON when it parses, else the string itself.

    Example::

        >>> parse_value("7"), parse_value("true"), parse_value("007"), parse_value("a b")
        (7, True, '007', 'a b')
    """
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_pair(item: str) -> tuple[str, Any]:
    """``key=value`` → ``(key, parsed value)``; a ``click.BadParameter`` otherwise.

    Example::

        >>> parse_pair("count=3")
        ('count', 3)
    """
    key, sep, value = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise click.BadParameter(
            f"{item!r} is not key=value; write e.g. -i name=scan-042 or -i count=3",
            param_hint="'-i' / '--input-value'",
        )
    return key, parse_value(value)


def build_input(path: str | None, pairs: Sequence[str]) -> dict[str, Any]:
    """The ``{"input": {...}}`` body from ``--input FILE`` and ``-i key=value`` options.

    Example::

        >>> build_input(None, ["name=scan-042"])
        {'input': {'name': 'scan-042'}}
    """
    body: dict[str, Any] = {"input": {}}
    if path is not None:
        loaded = load_json_file(path, "input")
        if not isinstance(loaded, dict) or not isinstance(loaded.get("input"), dict):
            raise click.BadParameter(
                f'{path} must hold a JSON object of the form {{"input": {{...}}}}, as '
                "client.run_flow(flow_input=...) takes it",
                param_hint="'--input'",
            )
        body = loaded
    for item in pairs:
        key, value = parse_pair(item)
        body["input"][key] = value
    return body


def input_options(function: F) -> F:
    """``--input FILE`` and ``-i key=value`` (repeatable).

    Example::

        @input_options
        def run(input_file: str | None, pairs: tuple[str, ...]) -> None: ...
    """
    function = click.option(
        "-i",
        "--input-value",
        "pairs",
        multiple=True,
        metavar="KEY=VALUE",
        help="Set one input key (repeatable); the value is parsed as JSON when it parses.",
    )(function)
    return click.option(
        "--input",
        "input_file",
        type=click.Path(dir_okay=False),
        help='JSON file holding {"input": {...}}; -i values are applied on top.',
    )(function)


def run_options(function: F) -> F:
    """``--label``, ``--tag`` (repeatable) and ``--no-wait``.

    Example::

        @run_options
        def run(label: str | None, tags: tuple[str, ...], no_wait: bool) -> None: ...
    """
    function = click.option(
        "--no-wait", is_flag=True, help="Print the run id and return without watching."
    )(function)
    function = click.option("--tag", "tags", multiple=True, help="Tag the run (repeatable).")(
        function
    )
    return click.option("--label", help="A label for the run (at most 64 characters).")(function)
