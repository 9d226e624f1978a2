"""Output formats of every command that shows data: ``-F/--format text|json|unix`` and ``--jq``.

``text`` (the default) is for people: tables and aligned fields. ``json`` prints the
Globus-shaped documents, indented. ``unix`` is for shell pipelines: one record per line, where
the records are the items of a list (or the one document shown) and each record is written as

- a scalar: its text (a string without quotes; ``null`` as an empty field),
- a list: its items, tab-separated,
- an object: its leaves as ``key=value``, tab-separated, nested keys joined with dots
  (``details.code=FlowSucceeded``, ``tags.0=nightly``).

Tabs, newlines and backslashes inside values are written as ``\\t``, ``\\n`` and ``\\\\``, so a
record never spans lines. ``--jq``/``--jmespath EXPR`` (the same option, as in the ``globus``
command) applies a JMESPath expression to the documents first; with the text format it implies
``json``. ``--json`` stays an alias of ``-F json``.

Example::

    >>> unix_lines([{"run_id": "r1", "status": "SUCCEEDED", "tags": ["a"]}])
    ['run_id=r1\\tstatus=SUCCEEDED\\ttags.0=a']
    >>> unix_lines(apply_query([{"run_id": "r1", "status": "FAILED"}], "[].[run_id, status]"))
    ['r1\\tFAILED']
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import click

#: The output formats, ``text`` first (the default).
OUTPUT_FORMATS: Final = ("text", "json", "unix")
_META_KEY: Final = "gladier.output_format"


@dataclass(frozen=True)
class OutputFormat:
    """How the running command prints its data.

    Example::

        OutputFormat("unix", "[].run_id").structured     # True
    """

    kind: str = "text"
    query: str | None = None

    @property
    def structured(self) -> bool:
        """True when documents are printed (json or unix) instead of tables."""
        return self.kind != "text"


def resolve_format(kind: str | None, as_json: bool, query: str | None) -> OutputFormat:
    """The format ``-F``, ``--json`` and ``--jq`` select; a usage error when they disagree.

    Example::

        >>> resolve_format(None, False, "[0]")
        OutputFormat(kind='json', query='[0]')
    """
    chosen = (kind or "").lower() or None
    if as_json:
        if chosen not in (None, "json"):
            raise click.UsageError(f"--json means -F json; drop it or drop -F {chosen}.")
        chosen = "json"
    if query is not None:
        compile_query(query)
        if chosen in (None, "text"):
            chosen = "json"
    return OutputFormat(chosen or "text", query)


def compile_query(query: str) -> Any:
    """The compiled JMESPath expression; a usage error naming the problem when it is invalid.

    Example::

        compile_query("[?status=='FAILED'].run_id")
    """
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        return jmespath.compile(query)
    except JMESPathError as err:
        message = " ".join(str(err).split())
        raise click.BadParameter(
            f"{query!r} is not a JMESPath expression ({message}); see https://jmespath.org, "
            "e.g. --jq '[].run_id'",
            param_hint="'--jq' / '--jmespath'",
        ) from None


def apply_query(data: Any, query: str | None) -> Any:
    """``data`` filtered by the JMESPath ``query`` (unchanged when there is none).

    Example::

        >>> apply_query({"a": {"b": 1}}, "a.b")
        1
    """
    if query is None:
        return data
    return compile_query(query).search(json.loads(json.dumps(data, default=str)))


def set_current(fmt: OutputFormat) -> None:
    """Remember ``fmt`` as the format of the running command (see :func:`current`)."""
    click.get_current_context().meta[_META_KEY] = fmt


def current() -> OutputFormat:
    """The format of the running command (text outside a command).

    Example::

        current().kind       # 'unix' under `gladier runs list -F unix`
    """
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return OutputFormat()
    found = ctx.meta.get(_META_KEY)
    return found if isinstance(found, OutputFormat) else OutputFormat()


def emit(data: Any) -> None:
    """Print ``data`` in the running command's format (JSON when that is text).

    Example::

        emit([{"run_id": "r1"}])
    """
    fmt = current()
    data = apply_query(data, fmt.query)
    if fmt.kind == "unix":
        for line in unix_lines(data):
            click.echo(line)
        return
    click.echo(json.dumps(data, indent=2, default=str))


# --------------------------------------------------------------------------- unix
def unix_lines(data: Any) -> list[str]:
    """``data`` as unix records: one line per item of a list (or for the one document).

    Example::

        >>> unix_lines({"a": 1, "b": {"c": None}})
        ['a=1\\tb.c=']
        >>> unix_lines(["x", "y z"])
        ['x', 'y z']
    """
    records = data if isinstance(data, list) else [data]
    return [_record(item) for item in records]


def _record(item: Any) -> str:
    if isinstance(item, Mapping):
        return "\t".join(f"{key}={_scalar(value)}" for key, value in _leaves(item, ""))
    if isinstance(item, list):
        return "\t".join(
            _scalar(v) if not isinstance(v, (list, Mapping)) else _compact(v) for v in item
        )
    return _scalar(item)


def _leaves(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping) and value:
        for key, inner in value.items():
            yield from _leaves(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value:
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, value


def _compact(value: Any) -> str:
    return _escape(json.dumps(value, separators=(",", ":"), default=str))


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, (list, dict)):  # an empty one (non-empty ones are flattened)
        return _compact(value)
    return _escape(str(value))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


__all__ = [
    "OUTPUT_FORMATS",
    "OutputFormat",
    "apply_query",
    "compile_query",
    "current",
    "emit",
    "resolve_format",
    "set_current",
    "unix_lines",
]
