"""Flow graphs on the command line: the ``--format`` option and where a graph is written.

``gladier flows graph`` and ``gladier runs show --graph`` both draw through :func:`emit_graph`.

Example::

    emit_graph(definition, "mermaid", None, None)                 # print Mermaid source
    emit_graph(definition, "svg", {"Tar": "SUCCEEDED"}, "run.svg")
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from gladier.cli.output import console

__all__ = ["emit_graph", "graph_format_option"]

F = TypeVar("F", bound=Callable[..., Any])


def graph_format_option(default: str) -> Callable[[F], F]:
    """``--format`` for graphs: text, mermaid, dot, svg or png.

    Example::

        @graph_format_option(default="text")
        def graph(fmt: str) -> None: ...
    """
    from gladier.graph import FORMATS

    return click.option(
        "-F",
        "--format",
        "fmt",
        type=click.Choice(FORMATS, case_sensitive=False),
        default=default,
        show_default=True,
        help="text: a tree for the terminal; mermaid or dot: graph source; svg or png: a "
        "picture (needs Graphviz's dot).",
    )


def emit_graph(
    definition: Mapping[str, Any],
    fmt: str,
    statuses: Mapping[str, str] | None,
    output_file: str | None,
) -> None:
    """Render and print (or write to ``output_file``) a graph; colour the text tree on a TTY.

    Example::

        emit_graph(definition, "svg", {"Tar": "SUCCEEDED"}, "run.svg")
    """
    from gladier.graph import render, text_lines
    from gladier.progress import STATUS_STYLES

    fmt = fmt.lower()
    if fmt == "png" and output_file is None and sys.stdout.isatty():
        raise click.UsageError("PNG is binary: write it to a file with --output FILE.png")
    data = render(definition, fmt, statuses)
    if output_file is not None:
        target = Path(output_file)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data + ("" if data.endswith("\n") else "\n"), encoding="utf-8")
        click.echo(f"Wrote the {fmt} graph to {target}.", err=True)
        return
    if isinstance(data, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if fmt == "text":
        out = console()
        for line, status in text_lines(definition, statuses):
            out.print(
                line, style=STATUS_STYLES.get(status or "", ""), markup=False, highlight=False
            )
        return
    click.echo(data)
