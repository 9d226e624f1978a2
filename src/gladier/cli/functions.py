"""``gladier functions``: the compute functions registered in the runtime.

Example::

    gladier functions list
    gladier functions show FUNCTION_ID --source
"""

from __future__ import annotations

import click

from gladier.cli.ids import resolve_id
from gladier.cli.output import fields, json_option, print_json, runtime, short_time, table


@click.group()
def functions() -> None:
    """List and inspect registered compute functions.

    \b
    Examples:
      gladier functions list
      gladier functions show FUNCTION_ID
    """


@functions.command("list")
@json_option
def list_functions(as_json: bool) -> None:
    """List every registered function, oldest first.

    \b
    Examples:
      gladier functions list
      gladier functions list --json
    """
    found = runtime().list_functions()
    if as_json:
        print_json(found)
        return
    rows = [
        [
            f.get("function_id"),
            f.get("function_name"),
            str(f.get("checksum", ""))[:12],
            short_time(f.get("created_at")),
        ]
        for f in found
    ]
    table(
        None,
        ("Function id", "Name", "Checksum", "Registered"),
        rows,
        empty="No functions are registered yet.",
    )


@functions.command("show")
@click.argument("function_id")
@click.option("--source", is_flag=True, help="Also print the function's source code.")
@json_option
def show(function_id: str, source: bool, as_json: bool) -> None:
    """Show a function: its name, checksum, serializer and (with --source) its code.

    \b
    Examples:
      gladier functions show FUNCTION_ID
      gladier functions show FUNCTION_ID --source
    """
    doc = runtime().get_function(resolve_id("function", function_id))
    if as_json:
        print_json(doc)
        return
    fields(
        [
            ("Function", doc.get("function_id")),
            ("Name", doc.get("function_name")),
            ("Description", doc.get("description")),
            ("Checksum", doc.get("checksum")),
            ("Serializer", doc.get("serializer")),
            ("Python", doc.get("python_version")),
            ("Registered", short_time(doc.get("created_at"))),
        ]
    )
    if source and doc.get("source"):
        click.echo()
        click.echo(str(doc["source"]).rstrip("\n"))
