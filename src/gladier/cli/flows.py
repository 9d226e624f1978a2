"""``gladier flows``: list, show, create, deploy, update, validate, run, draw and delete flows.

Wherever a flow id is taken, a unique prefix of it works too.

Example::

    gladier flows deploy my_flow.json --title "Tar and transfer"     # create or update
    gladier flows validate my_flow.json
    gladier flows graph FLOW_ID --format mermaid
    gladier flows graph --run RUN_ID --format svg --output run.svg
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from gladier.cli.detach import detach_option, on_interrupt_option
from gladier.cli.follow import follow_started, load_progress
from gladier.cli.graphs import emit_graph, graph_format_option
from gladier.cli.ids import flows_titled, resolve_flow, resolve_id
from gladier.cli.inputs import build_input, input_options, run_options
from gladier.cli.output import (
    exit_for_status,
    fields,
    json_option,
    load_json_file,
    print_json,
    runtime,
    short_time,
    table,
)
from gladier.cli.pages import collect_pages


def load_definition(source: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``(definition, input schema)`` of a flow id, or of a JSON file holding a definition or a
    flow document.

    Example::

        definition, schema = load_definition("flow.json")
        definition, schema = load_definition("9b7e4043-8413-47a3-84f0-cd5baf5e5a6f")
    """
    if Path(source).is_file() or source.endswith(".json"):
        data = load_json_file(source, "flow definition")
        if not isinstance(data, dict):
            raise click.BadParameter(f"{source} must hold a JSON object")
        if "definition" in data and isinstance(data["definition"], dict):
            return data["definition"], data.get("input_schema")
        return data, None
    flow = runtime().get_flow(resolve_flow(source))
    return flow["definition"], flow.get("input_schema")


@click.group()
def flows() -> None:
    """Create, deploy, inspect, run and draw flows.

    \b
    Examples:
      gladier flows list
      gladier flows deploy flow.json --title "Scan check"
      gladier flows validate flow.json
      gladier flows graph FLOW_ID
    """


@flows.command("list")
@click.option("--filter", "text", help="Only flows whose title or definition contain this text.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@json_option
def list_flows(text: str | None, limit: int, as_json: bool) -> None:
    """List flows, most recently updated first.

    \b
    Examples:
      gladier flows list
      gladier flows list --filter demo --json
    """

    rt = runtime()

    def fetch(marker: str | None, size: int) -> Mapping[str, Any]:
        if marker is not None:
            return rt.list_flows(marker=marker)
        return rt.list_flows(filter_fulltext=text, per_page=size)

    found = collect_pages(fetch, "flows", limit)
    if as_json:
        print_json(found)
        return
    rows = [
        [
            flow.get("id"),
            flow.get("title"),
            len((flow.get("definition") or {}).get("States") or {}),
            short_time(flow.get("updated_at")),
        ]
        for flow in found
    ]
    table(
        None,
        ("Flow id", "Title", "States", "Updated"),
        rows,
        empty="No flows yet.",
        fold=("Title",),
    )


@flows.command("show")
@click.argument("flow_id")
@json_option
def show(flow_id: str, as_json: bool) -> None:
    """Show a flow: its details and its states as a tree.

    \b
    Examples:
      gladier flows show FLOW_ID
      gladier flows show FLOW_ID --json
    """
    flow = runtime().get_flow(resolve_flow(flow_id))
    if as_json:
        print_json(flow)
        return
    fields(
        [
            ("Flow", flow.get("id")),
            ("Title", flow.get("title")),
            ("Subtitle", flow.get("subtitle")),
            ("Description", flow.get("description")),
            ("Keywords", flow.get("keywords")),
            ("Created", short_time(flow.get("created_at"))),
            ("Updated", short_time(flow.get("updated_at"))),
        ]
    )
    click.echo()
    emit_graph(flow["definition"], "text", None, None)


@flows.command("create")
@click.argument("definition_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--title", help="The flow's title (default: the file name).")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--description", default="", help="A longer description.")
@json_option
def create(
    definition_file: str,
    title: str | None,
    schema_file: str | None,
    description: str,
    as_json: bool,
) -> None:
    """Create a flow from a JSON definition (or a flow document with a "definition").

    \b
    Examples:
      gladier flows create flow.json --title "Tar and transfer"
      gladier flows create flow.json --schema schema.json --json
    """
    definition, schema = load_definition(definition_file)
    if schema_file is not None:
        schema = load_json_file(schema_file, "input schema")
    flow = runtime().create_flow(
        title or Path(definition_file).stem,
        definition,
        schema,
        description=description,
    )
    if as_json:
        print_json(flow)
        return
    click.echo(f"Created flow {flow['id']} ({flow['title']}).")
    click.echo(f"Run it with: gladier flows run {flow['id']} -i key=value")


def _definition_and_schema(
    definition_file: str, schema_file: str | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    definition, schema = load_definition(definition_file)
    if schema_file is not None:
        schema = load_json_file(schema_file, "input schema")
    return definition, schema


@flows.command("update")
@click.argument("flow_id")
@click.argument("definition_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--title", help="The flow's new title.")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--description", help="A new longer description.")
@json_option
def update(
    flow_id: str,
    definition_file: str | None,
    title: str | None,
    schema_file: str | None,
    description: str | None,
    as_json: bool,
) -> None:
    """Change a flow's definition, schema, title or description.

    The definition comes from DEFINITION_FILE.
    Runs already started keep the definition they started with.

    \b
    Examples:
      gladier flows update FLOW_ID flow.json
      gladier flows update 9b7e --title "Scan check v2" --description "Now with a Catch"
      gladier flows update FLOW_ID --schema schema.json
    """
    if definition_file is None and title is None and schema_file is None and description is None:
        raise click.UsageError(
            "Say what to change: a DEFINITION_FILE, --title, --schema or --description."
        )
    definition: dict[str, Any] | None = None
    schema: dict[str, Any] | None = None
    if definition_file is not None:
        definition, schema = load_definition(definition_file)
    if schema_file is not None:
        schema = load_json_file(schema_file, "input schema")
    extra = {} if description is None else {"description": description}
    doc = runtime().update_flow(
        resolve_flow(flow_id),
        title=title,
        definition=definition,
        input_schema=schema,
        **extra,
    )
    if as_json:
        print_json(doc)
        return
    click.echo(f"Updated flow {doc['id']} ({doc['title']}).")


@flows.command("deploy")
@click.argument("definition_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--title", help="The flow's title (default: the file name); it names the flow.")
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--description", help="A longer description.")
@json_option
def deploy(
    definition_file: str,
    title: str | None,
    schema_file: str | None,
    description: str | None,
    as_json: bool,
) -> None:
    """Create or update the flow of a title from a file.

    Idempotent: the flow titled TITLE is created, or updated when the file differs.
    The title (default: the file name) names the flow: run it as often as you like, e.g. from
    a deployment script; the flow is created once and changed only when the file changed.

    \b
    Examples:
      gladier flows deploy flow.json --title "Scan check"
      gladier flows deploy flow.json --schema schema.json --json
    """
    name = title or Path(definition_file).stem
    definition, schema = _definition_and_schema(definition_file, schema_file)
    rt = runtime()
    same = flows_titled(name)
    if len(same) > 1:
        listed = ", ".join(str(flow["id"]) for flow in same)
        raise click.ClickException(
            f"{len(same)} flows are titled {name!r} ({listed}); deploy needs one. Delete the "
            "extra ones with `gladier flows delete FLOW_ID`, or change one with "
            "`gladier flows update FLOW_ID FILE`."
        )
    if not same:
        doc = rt.create_flow(name, definition, schema, description=description or "")
        action = "Created"
    else:
        current = same[0]
        changes: dict[str, Any] = {}
        if current.get("definition") != definition:
            changes["definition"] = definition
        if (current.get("input_schema") or {}) != (schema or {}):
            changes["input_schema"] = schema or {}
        if description is not None and current.get("description") != description:
            changes["description"] = description
        if changes:
            doc = rt.update_flow(str(current["id"]), **changes)
            action = "Updated"
        else:
            doc = current
            action = "Unchanged"
    if as_json:
        print_json(doc)
        return
    if action == "Unchanged":
        click.echo(f"Flow {doc['id']} ({doc['title']}) is up to date.")
    else:
        click.echo(f"{action} flow {doc['id']} ({doc['title']}).")


@flows.command("validate")
@click.argument("definition_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--schema", "schema_file", type=click.Path(exists=True, dir_okay=False))
@json_option
def validate(definition_file: str, schema_file: str | None, as_json: bool) -> None:
    """Check a flow definition without storing it; list every problem.

    \b
    Examples:
      gladier flows validate flow.json
      gladier flows validate flow.json --schema schema.json
    """
    from gladier.runtime.language.validation import validate_definition

    definition, schema = load_definition(definition_file)
    if schema_file is not None:
        schema = load_json_file(schema_file, "input schema")
    report = validate_definition(definition, schema)
    report.raise_for_errors()
    if as_json:
        print_json({"valid": True, "warnings": report.warnings, "analysis": report.analysis})
        return
    states = definition.get("States") or {}
    click.echo(f"{definition_file} is a valid flow definition ({len(states)} states).")
    for warning in report.warnings:
        click.echo(f"Warning: {warning}")


@flows.command("run")
@click.argument("flow_id")
@input_options
@run_options
@detach_option
@on_interrupt_option
@json_option
def run_flow(
    flow_id: str,
    input_file: str | None,
    pairs: tuple[str, ...],
    label: str | None,
    tags: tuple[str, ...],
    no_wait: bool,
    detach: bool,
    on_interrupt: str,
    as_json: bool,
) -> None:
    """Start a run of a flow, and watch it until it ends (unless --no-wait or --detach).

    This command runs the run while it watches it. --detach hands the run to a background
    `gladier worker` (which exits when no run is left) and returns at once. --no-wait returns
    at once too, leaving the run to whichever `gladier worker` runs on this home. Ctrl-C asks
    whether to hand the run to a background worker (--on-interrupt detach or stop answers in
    advance). Exits with 0 when the run SUCCEEDED, 3 when it SUCCEEDED although a state's
    action FAILED, 1 when it did not succeed, 130 on Ctrl-C.

    \b
    Examples:
      gladier flows run FLOW_ID -i name=scan-042 -i count=3
      gladier flows run FLOW_ID --input input.json --label nightly --tag beamline
      gladier flows run FLOW_ID --detach --json
    """
    body = build_input(input_file, pairs)
    rt = runtime()
    started = rt.run_flow(resolve_flow(flow_id), body, label=label, tags=list(tags))
    follow_started(
        rt,
        started,
        let_go=no_wait or detach,
        detach=detach,
        on_interrupt=on_interrupt,
        as_json=as_json,
    )


@flows.command("graph")
@click.argument("flow", required=False)
@click.option("--run", "run_id", help="Draw the definition of this run, coloured by status.")
@graph_format_option(default="text")
@click.option("--output", "output_file", type=click.Path(dir_okay=False), help="Write to a file.")
def graph(flow: str | None, run_id: str | None, fmt: str, output_file: str | None) -> None:
    """Draw a flow (a flow id or a JSON file), or a run coloured by each state's status.

    Choice rules are solid arrows labelled with the rule, Default branches dashed, Catch
    branches dashed red and labelled with their ErrorEquals.

    \b
    Examples:
      gladier flows graph FLOW_ID
      gladier flows graph flow.json --format mermaid
      gladier flows graph --run RUN_ID --format dot
      gladier flows graph --run RUN_ID --format svg --output run.svg
    """
    statuses: dict[str, str] | None = None
    if run_id is not None:
        run_id = resolve_id("run", run_id)
        definition = runtime().get_run_definition(run_id)["definition"]
        statuses = load_progress(run_id).statuses()
    elif flow is not None:
        definition, _ = load_definition(flow)
    else:
        raise click.UsageError("Name a flow (an id or a JSON file), or a run with --run RUN_ID.")
    emit_graph(definition, fmt, statuses, output_file)


@flows.command("delete")
@click.argument("flow_id")
@json_option
def delete(flow_id: str, as_json: bool) -> None:
    """Delete a flow (its runs keep their own copy of the definition).

    \b
    Examples:
      gladier flows delete FLOW_ID
    """
    doc = runtime().delete_flow(resolve_flow(flow_id))
    if as_json:
        print_json(doc)
        return
    click.echo(f"Deleted flow {flow_id} ({doc.get('title')}).")


__all__ = ["emit_graph", "exit_for_status", "flows", "graph_format_option", "load_definition"]
