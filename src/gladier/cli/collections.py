"""``gladier collections`` and ``gladier search``: Transfer collections and the search index.

Example::

    gladier collections create /data/beamline --name beamline
    gladier search query gladier-demo "scan"
"""

from __future__ import annotations

import click

from gladier.cli.aliases import add_alias
from gladier.cli.ids import resolve_id
from gladier.cli.output import fields, json_option, print_json, runtime, table


@click.group()
def collections() -> None:
    """Map Transfer collection ids to local directories.

    \b
    Examples:
      gladier collections list
      gladier collections create /data/beamline --name beamline
    """


@collections.command("list")
@click.option("--sandboxes", is_flag=True, help="Also list the sandbox folders of unknown ids.")
@json_option
def list_collections(sandboxes: bool, as_json: bool) -> None:
    """List the mapped collections.

    \b
    Examples:
      gladier collections list
      gladier collections list --sandboxes --json
    """
    found = runtime().list_collections(include_sandboxes=sandboxes)
    if as_json:
        print_json(found)
        return
    rows = [[c.get("id"), c.get("display_name"), c.get("root")] for c in found]
    table(
        None,
        ("Collection id", "Name", "Directory"),
        rows,
        empty="No collections are mapped.",
        fold=("Name", "Directory"),
    )


@collections.command("show")
@click.argument("collection_id")
@json_option
def show(collection_id: str, as_json: bool) -> None:
    """Show a mapped collection.

    \b
    Examples:
      gladier collections show COLLECTION_ID
    """
    doc = runtime().get_collection(resolve_id("collection", collection_id))
    if as_json:
        print_json(doc)
        return
    fields(
        [
            ("Collection", doc.get("id")),
            ("Name", doc.get("display_name")),
            ("Directory", doc.get("root")),
            ("Home", doc.get("home")),
        ]
    )


@collections.command("create")
@click.argument("root", type=click.Path(exists=True, file_okay=False))
@click.option("--id", "collection_id", help="The collection id to map (default: a new UUID).")
@click.option("--name", "display_name", help="A display name.")
@json_option
def create(root: str, collection_id: str | None, display_name: str | None, as_json: bool) -> None:
    """Map a collection id to an existing directory.

    \b
    Examples:
      gladier collections create /data/beamline --name beamline
      gladier collections create /data/out --id 6c54cade-bde5-45c1-bdea-f4bd71dba2cc
    """
    doc = runtime().create_collection(root, collection_id=collection_id, display_name=display_name)
    if as_json:
        print_json(doc)
        return
    click.echo(f"Collection {doc['id']} is {doc['root']}.")


@collections.command("delete")
@click.argument("collection_id")
@json_option
def delete(collection_id: str, as_json: bool) -> None:
    """Forget a collection mapping (its files are never touched).

    `gladier collections remove` is the same command.

    \b
    Examples:
      gladier collections delete COLLECTION_ID
    """
    collection_id = resolve_id("collection", collection_id)
    doc = runtime().delete_collection(collection_id)
    if as_json:
        print_json(doc)
        return
    click.echo(f"Collection {collection_id} is no longer mapped; {doc.get('root')} is untouched.")


add_alias(collections, delete, "remove")


@click.group()
def search() -> None:
    """Query the local search index that flows publish to.

    \b
    Examples:
      gladier search indexes
      gladier search query gladier-demo "scan"
    """


@search.command("indexes")
@json_option
def indexes(as_json: bool) -> None:
    """List the search indexes.

    \b
    Examples:
      gladier search indexes
    """
    found = runtime().list_search_indexes()
    if as_json:
        print_json(found)
        return
    rows = [[i.get("id"), i.get("display_name"), i.get("num_entries")] for i in found]
    table(
        None, ("Index id", "Name", "Entries"), rows, empty="No search indexes yet.", fold=("Name",)
    )


@search.command("query")
@click.argument("index_id")
@click.argument("q", default="*")
@click.option("--advanced", is_flag=True, help="Use the advanced syntax (field:value, AND/OR).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 10000))
@json_option
def query(index_id: str, q: str, advanced: bool, limit: int, as_json: bool) -> None:
    """Search an index.

    \b
    Examples:
      gladier search query gladier-demo
      gladier search query gladier-demo "scans:[5 TO 10]" --advanced --json
    """
    result = runtime().search_query(index_id, q, advanced=advanced, limit=limit)
    if as_json:
        print_json(result)
        return
    click.echo(f"{result.get('total', 0)} result(s) for {q!r} in {index_id}:")
    for item in result.get("gmeta") or []:
        for entry in item.get("entries") or []:
            content = entry.get("content") or {}
            title = content.get("title") if isinstance(content, dict) else None
            click.echo(f"  {item.get('subject')}  {title or ''}".rstrip())
