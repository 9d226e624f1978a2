"""Run input from the command line: ``--input FILE|-|JSON`` and ``-i key=value`` options.

``--input`` holds ``{"input": {...}}`` (what ``client.run_flow`` takes): a JSON file, ``-`` for
standard input, or the JSON itself (``--input '{"input": {"n": 3}}'``). Each ``-i key=value``
then sets one key of that ``input`` object, its value parsed as JSON when it parses (``-i
count=3``, ``-i fast=true``, ``-i 'tags=["a"]'``) and kept as a string otherwise (``-i
name=scan-042``, ``-i 'note=hello world'``). A value that starts like JSON (``{``, ``[`` or
``"``) but does not parse is refused, and so are ``NaN`` and ``Infinity``, which JSON has not.

Example::

    >>> build_input(None, ["count=3", "name=scan-042", 'dims=[2, 3]'])
    {'input': {'count': 3, 'name': 'scan-042', 'dims': [2, 3]}}
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

import click

from gladier.cli.output import load_json_file, strict_json_loads

F = TypeVar("F", bound=Callable[..., Any])

#: How a value that must be JSON starts.
_JSON_STARTS: Final = ("{", "[", '"')


def parse_value(text: str, key: str = "key") -> Any:
    """``text`` as JSON when it parses, else the string itself; ``click.BadParameter`` when it
    starts like JSON (``{``, ``[``, ``"``) but does not parse, or is NaN or Infinity.

    Example::

        >>> parse_value("7"), parse_value("true"), parse_value("007"), parse_value("a b")
        (7, True, '007', 'a b')
    """
    hint = "'-i' / '--input-value'"
    stripped = text.strip()
    try:
        return strict_json_loads(text)
    except json.JSONDecodeError as err:
        if not stripped.startswith(_JSON_STARTS):
            return text
        raise click.BadParameter(
            f"{key}={text} looks like JSON but does not parse (column {err.colno}: {err.msg}); "
            f"fix it, or pass it as a JSON string: -i '{key}={json.dumps(text)}'",
            param_hint=hint,
        ) from None
    except ValueError as err:  # NaN, Infinity, an infinite number or a huge integer inside
        shown = text if len(text) <= 80 else f"{text[:40]}... ({len(text):,} characters)"
        if "integer of" in str(err):  # already says to pass it as a string
            raise click.BadParameter(f"{key}={shown}: {err}", param_hint=hint) from None
        raise click.BadParameter(
            f"{key}={shown}: {err}; pass a finite number, or quote the text: "
            f"-i '{key}={json.dumps(text)}'",
            param_hint=hint,
        ) from None


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
    return key, parse_value(value, key)


def build_input(path: str | None, pairs: Sequence[str]) -> dict[str, Any]:
    """The ``{"input": {...}}`` body from ``--input FILE`` and ``-i key=value`` options.

    Example::

        >>> build_input(None, ["name=scan-042"])
        {'input': {'name': 'scan-042'}}
    """
    body: dict[str, Any] = {"input": {}}
    if path is not None:
        loaded, source = read_input(path)
        if not isinstance(loaded, dict) or not isinstance(loaded.get("input"), dict):
            raise click.BadParameter(
                f'{source} must hold a JSON object of the form {{"input": {{...}}}}, as '
                "client.run_flow(flow_input=...) takes it, e.g. "
                """--input '{"input": {"name": "scan-042"}}'""",
                param_hint="'--input'",
            )
        body = loaded
    for item in pairs:
        key, value = parse_pair(item)
        body["input"][key] = value
    return body


def read_input(value: str) -> tuple[Any, str]:
    """The JSON ``--input`` gives (a file, ``-`` for stdin, or inline JSON) and what to call it
    in messages.

    Example::

        >>> read_input('{"input": {"n": 3}}')
        ({'input': {'n': 3}}, 'the --input JSON')
    """
    hint = "'--input'"
    if value == "-":
        text, source = sys.stdin.read(), "the JSON on standard input"
    elif value.lstrip().startswith(("{", "[")):
        text, source = value, "the --input JSON"
    else:
        return load_json_file(value, "input"), value
    if not text.strip():
        raise click.BadParameter(f"{source} is empty", param_hint=hint)
    try:
        return strict_json_loads(text), source
    except ValueError as err:
        where = (
            f" (line {err.lineno}, column {err.colno}: {err.msg})"
            if isinstance(err, json.JSONDecodeError)
            else f" ({err})"
        )
        raise click.BadParameter(f"{source} is not valid JSON{where}", param_hint=hint) from None


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
        metavar="FILE|-|JSON",
        help='{"input": {...}} from a JSON file, from stdin (-) or given inline; -i values are '
        "applied on top.",
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
