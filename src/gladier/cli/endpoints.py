"""``gladier endpoints``: the local compute endpoints and the cloud ids mapped to them.

Example::

    gladier endpoints create big --executor process --config workers=8
    gladier endpoints map 4b116d3c-1703-4f8f-9f6f-39921e5864df big
"""

from __future__ import annotations

import click

from gladier.cli.aliases import add_alias
from gladier.cli.ids import resolve_endpoint
from gladier.cli.inputs import parse_pair
from gladier.cli.output import fields, json_option, print_json, runtime, table
from gladier.runtime.compute.constants import EXECUTOR_KINDS


@click.group()
def endpoints() -> None:
    """List, create, map and delete compute endpoints.

    \b
    Examples:
      gladier endpoints list
      gladier endpoints create big --executor process --config workers=8
      gladier endpoints map CLOUD_ENDPOINT_ID big
    """


@endpoints.command("list")
@json_option
def list_endpoints(as_json: bool) -> None:
    """List every endpoint, the default one first.

    \b
    Examples:
      gladier endpoints list
      gladier endpoints list --json
    """
    found = runtime().list_endpoints()
    if as_json:
        print_json(found)
        return
    rows = [
        [
            e.get("endpoint_id"),
            e.get("name") + (" (default)" if e.get("default") else ""),
            e.get("executor"),
            ", ".join(f"{k}={v}" for k, v in (e.get("config") or {}).items()),
            ", ".join(e.get("aliases") or []),
        ]
        for e in found
    ]
    table(
        None,
        ("Endpoint id", "Name", "Executor", "Config", "Mapped ids"),
        rows,
        fold=("Config", "Mapped ids"),
    )


@endpoints.command("show")
@click.argument("endpoint")
@json_option
def show(endpoint: str, as_json: bool) -> None:
    """Show an endpoint (by id, name or mapped id).

    \b
    Examples:
      gladier endpoints show default
    """
    doc = runtime().get_endpoint(resolve_endpoint(endpoint))
    if as_json:
        print_json(doc)
        return
    fields(
        [
            ("Endpoint", doc.get("endpoint_id")),
            ("Name", doc.get("name")),
            ("Executor", doc.get("executor")),
            ("Config", ", ".join(f"{k}={v}" for k, v in (doc.get("config") or {}).items())),
            ("Description", doc.get("description")),
            ("Mapped ids", doc.get("aliases")),
        ]
    )


@endpoints.command("create")
@click.argument("name")
@click.option("--executor", type=click.Choice(EXECUTOR_KINDS), default="process", show_default=True)
@click.option(
    "--config",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="An executor setting (repeatable), e.g. workers=8; values are parsed as JSON.",
)
@click.option("--description", help="What the endpoint is for.")
@json_option
def create(
    name: str, executor: str, settings: tuple[str, ...], description: str | None, as_json: bool
) -> None:
    """Create an endpoint: a named executor configuration (see docs/compute.md).

    \b
    Examples:
      gladier endpoints create big --executor process --config workers=8
      gladier endpoints create cluster --executor dask --config address=tcp://10.0.0.5:8786
    """
    config = dict(parse_pair(item) for item in settings)
    doc = runtime().create_endpoint(name, executor=executor, config=config, description=description)
    if as_json:
        print_json(doc)
        return
    click.echo(f"Created endpoint {doc['endpoint_id']} ({doc['name']}, {doc['executor']}).")


@endpoints.command("map")
@click.argument("cloud_endpoint_id")
@click.argument("local_endpoint")
@json_option
def map_endpoint(cloud_endpoint_id: str, local_endpoint: str, as_json: bool) -> None:
    """Run tasks addressed to a (cloud) endpoint id on a local endpoint.

    \b
    Examples:
      gladier endpoints map 4b116d3c-1703-4f8f-9f6f-39921e5864df default
    """
    doc = runtime().map_endpoint(cloud_endpoint_id, resolve_endpoint(local_endpoint))
    if as_json:
        print_json(doc)
        return
    click.echo(f"Tasks for {cloud_endpoint_id} now run on endpoint {doc['name']}.")


@endpoints.command("unmap")
@click.argument("cloud_endpoint_id")
def unmap(cloud_endpoint_id: str) -> None:
    """Forget a mapping made with `gladier endpoints map`.

    \b
    Examples:
      gladier endpoints unmap 4b116d3c-1703-4f8f-9f6f-39921e5864df
    """
    runtime().unmap_endpoint(cloud_endpoint_id)
    click.echo(f"{cloud_endpoint_id} is no longer mapped.")


@endpoints.command("delete")
@click.argument("endpoint")
@json_option
def delete(endpoint: str, as_json: bool) -> None:
    """Delete an endpoint and its mappings (the default endpoint stays).

    `gladier endpoints remove` is the same command.

    \b
    Examples:
      gladier endpoints delete big
    """
    doc = runtime().delete_endpoint(resolve_endpoint(endpoint))
    if as_json:
        print_json(doc)
        return
    verb = "Removed" if click.get_current_context().info_name == "remove" else "Deleted"
    click.echo(f"{verb} endpoint {doc['endpoint_id']} ({doc['name']}).")


add_alias(endpoints, delete, "remove")
