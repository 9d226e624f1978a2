"""Where every command turns what was typed into an id: full ids, unique prefixes, titles.

A unique prefix stands for the whole id wherever a command takes one (``gladier runs show
2cb08e09``, the 8 characters the worker prints). A prefix that matches several ids is refused
with the list of matches; text that matches nothing is passed on as it is, so the runtime's
own "No run with id ..." error (with its hint) says so.

Example::

    run_id = resolve_id("run", "2cb08e09")      # '2cb08e09-5ec8-43b5-90f5-5ff3cc301666'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import click

from gladier.cli.output import runtime
from gladier.cli.pages import collect_pages

#: How many matches an ambiguous prefix lists.
SHOWN_MATCHES: Final = 10
_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def resolve_id(kind: str, text: str) -> str:
    """The full id of ``kind`` (run, flow, function, endpoint, collection) that ``text``
    names: the id itself, or the one id it is a prefix of.

    Example::

        resolve_id("flow", "9b7e")      # '9b7e4043-8413-47a3-84f0-cd5baf5e5a6f'
    """
    from gladier.runtime.lookup import ids_starting_with

    found = ids_starting_with(runtime(), kind, text, limit=SHOWN_MATCHES + 1)
    if text.strip().lower() in found or not found:
        return text.strip()
    if len(found) == 1:
        return found[0]
    more = len(found) > SHOWN_MATCHES
    listed = "\n".join(f"  {match}" for match in found[:SHOWN_MATCHES])
    count = f"more than {SHOWN_MATCHES}" if more else str(len(found))
    raise click.ClickException(
        f"The {kind} id prefix {text!r} matches {count} {kind}s:\n{listed}"
        + ("\n  ..." if more else "")
        + "\nType more of the id to pick one."
    )


def resolve_endpoint(text: str) -> str:
    """An endpoint's name, id or mapped id as typed, or the endpoint id it is a prefix of.

    Example::

        resolve_endpoint("default")     # 'default' (a name is used as it is)
    """
    from gladier.exc import NotFound

    try:
        runtime().get_endpoint(text)
    except NotFound:
        return resolve_id("endpoint", text)
    return text


def latest_run_id() -> str:
    """The id of the newest run (what ``runs show``, ``watch`` and ``log`` use with no id).

    Example::

        latest_run_id()     # '2cb08e09-5ec8-43b5-90f5-5ff3cc301666'
    """
    runs = runtime().list_runs(per_page=1)["runs"]
    if not runs:
        raise click.ClickException("There are no runs yet; start one with `gladier run` first.")
    return str(runs[0]["run_id"])


def run_id_or_latest(text: str | None) -> str:
    """``resolve_id("run", text)``, or the newest run when ``text`` is None.

    Example::

        run_id_or_latest(None)      # the newest run's id
    """
    return latest_run_id() if text is None else resolve_id("run", text)


def flows_titled(title: str) -> list[dict[str, Any]]:
    """Every flow whose title is ``title`` (ignoring case and surrounding spaces), newest first.

    Example::

        [f["id"] for f in flows_titled("Scan check")]
    """
    rt = runtime()
    wanted = " ".join(title.split()).casefold()

    def fetch(marker: str | None, size: int) -> Mapping[str, Any]:
        if marker is not None:
            return rt.list_flows(marker=marker)
        return rt.list_flows(per_page=size)

    return [
        flow
        for flow in collect_pages(fetch, "flows", None)
        if " ".join(str(flow.get("title") or "").split()).casefold() == wanted
    ]


def resolve_flow(text: str) -> str:
    """The flow id ``text`` names: a flow id or a unique prefix of one, else the title of
    exactly one flow.

    Example::

        resolve_flow("Scan check")      # 'a6bffcae-d9f0-415c-a73a-dbc6d529c972'
    """
    from gladier.runtime.lookup import ids_starting_with

    if ids_starting_with(runtime(), "flow", text, limit=1):
        return resolve_id("flow", text)
    titled = [str(flow["id"]) for flow in flows_titled(text)]
    if len(titled) > 1:
        listed = "\n".join(f"  {flow_id}" for flow_id in titled[:SHOWN_MATCHES])
        raise click.ClickException(
            f"{len(titled)} flows are titled {text!r}:\n{listed}\nName one by its id."
        )
    return titled[0] if titled else text.strip()


def flow_ids_for(text: str) -> list[str]:
    """The flow ids ``text`` names: a flow id (or a unique prefix of one), else every flow
    with that title.

    Example::

        flow_ids_for("Scan check")     # ['a6bffcae-d9f0-415c-a73a-dbc6d529c972']
    """
    from gladier.runtime.lookup import ids_starting_with

    if ids_starting_with(runtime(), "flow", text, limit=1):
        return [resolve_id("flow", text)]
    titled = [str(flow["id"]) for flow in flows_titled(text)]
    if titled:
        return titled
    if _UUID.match(text.strip()):  # a deleted flow's runs are still listed by its id
        return [text.strip()]
    raise click.ClickException(
        f"No flow has the id or title {text!r}; list flows with `gladier flows list`."
    )


__all__ = [
    "flow_ids_for",
    "flows_titled",
    "latest_run_id",
    "resolve_endpoint",
    "resolve_flow",
    "resolve_id",
    "run_id_or_latest",
]
