"""``gladier runs``: list, show, log, watch, cancel, resume and release runs.

Example::

    gladier runs list --status FAILED
    gladier runs show RUN_ID --graph
    gladier runs watch RUN_ID
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import Any

import click

from gladier.cli.flows import emit_graph, graph_format_option
from gladier.cli.output import (
    RUN_COLUMNS,
    console,
    exit_for_status,
    fields,
    json_option,
    print_json,
    run_rows,
    runtime,
    short_time,
    table,
)

STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED", "ENDED")


def collect_pages(
    fetch: Callable[[str | None, int], Mapping[str, Any]], key: str, limit: int | None
) -> list[dict[str, Any]]:
    """Follow ``marker`` pagination until ``limit`` items (``None``: all) were gathered.

    Example::

        >>> pages = {None: {"runs": [1, 2], "has_next_page": True, "marker": "m"},
        ...          "m": {"runs": [3], "has_next_page": False}}
        >>> collect_pages(lambda marker, n: pages[marker], "runs", None)
        [1, 2, 3]
    """
    items: list[dict[str, Any]] = []
    marker: str | None = None
    while True:
        want = 100 if limit is None else min(100, max(1, limit - len(items)))
        page = fetch(marker, want)
        items.extend(page.get(key) or [])
        marker = page.get("marker")
        if limit is not None and len(items) >= limit:
            return items[:limit]
        if not page.get("has_next_page") or not marker:
            return items


@click.group()
def runs() -> None:
    """List, inspect, watch and manage runs.

    \b
    Examples:
      gladier runs list
      gladier runs show RUN_ID --graph
      gladier runs watch RUN_ID
    """


@runs.command("list")
@click.option("--flow", "flow_ids", multiple=True, help="Only runs of this flow id (repeatable).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES, case_sensitive=False),
    help="Only runs with this status (repeatable).",
)
@click.option("--label", "labels", multiple=True, help="Only runs with this label (repeatable).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@json_option
def list_runs(
    flow_ids: tuple[str, ...],
    statuses: tuple[str, ...],
    labels: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """List runs, newest first.

    \b
    Examples:
      gladier runs list
      gladier runs list --status FAILED --limit 5
      gladier runs list --flow FLOW_ID --json
    """
    rt = runtime()

    def fetch(marker: str | None, size: int) -> Mapping[str, Any]:
        if marker is not None:
            return rt.list_runs(marker=marker)
        return rt.list_runs(
            filter_flow_id=list(flow_ids) or None,
            filter_status=[s.upper() for s in statuses] or None,
            filter_label=list(labels) or None,
            per_page=size,
        )

    found = collect_pages(fetch, "runs", limit)
    if as_json:
        print_json(found)
        return
    unattended = rt.unattended_runs([run["run_id"] for run in found])
    table(
        None,
        RUN_COLUMNS,
        run_rows(with_worker_status(run, unattended) for run in found),
        empty="No runs yet. Try `gladier demo`.",
        fold=("Label", "Flow"),
    )


#: Added to the status of an unfinished run that no process is running.
NO_WORKER = "no worker"


def with_worker_status(run: Mapping[str, Any], unattended: Container[str]) -> dict[str, Any]:
    """``run`` with its status shown as ``ACTIVE, no worker`` when nothing is running it.

    Only the tables show this; the JSON documents stay as the Flows service shapes them.

    Example::

        >>> with_worker_status({"run_id": "r1", "status": "ACTIVE"}, {"r1"})["status"]
        'ACTIVE, no worker'
    """
    shown = dict(run)
    if run.get("run_id") in unattended:
        shown["status"] = f"{run.get('status')}, {NO_WORKER}"
    return shown


def unattended_note(run_id: str) -> str:
    """What to tell about an unfinished run that no process is running.

    Example::

        >>> unattended_note("r1").startswith("No process is running run r1")
        True
    """
    return (
        f"No process is running run {run_id}: it does not progress, and the tasks it had in "
        "flight will be redone when a worker takes it over. Go on with `gladier worker` "
        "(foreground) or `gladier worker --detach` (background, exits when idle)."
    )


def load_progress(run_id: str) -> Any:
    """The run's document and its whole log, folded into a :class:`RunProgress`.

    Example::

        load_progress(run_id).statuses()    # {'Tar': 'SUCCEEDED', 'Encrypt': 'FAILED'}
    """
    from gladier.progress import LogFollower, RunProgress

    rt = runtime()
    progress = RunProgress(run_id)
    progress.set_run(rt.get_run(run_id))
    progress.apply(LogFollower(rt, run_id).fetch())
    return progress


@runs.command("show")
@click.argument("run_id")
@click.option("--graph", is_flag=True, help="Also draw the flow, coloured by each state's status.")
@graph_format_option(default="text")
@click.option(
    "--output", "output_file", type=click.Path(dir_okay=False), help="Write the graph to a file."
)
@json_option
def show(run_id: str, graph: bool, fmt: str, output_file: str | None, as_json: bool) -> None:
    """Show a run: its status, each state it went through, and why it failed.

    \b
    Examples:
      gladier runs show RUN_ID
      gladier runs show RUN_ID --graph
      gladier runs show RUN_ID --graph --format mermaid
      gladier runs show RUN_ID --json
    """
    from gladier.progress import format_duration, progress_table, run_duration

    progress = load_progress(run_id)
    run = progress.run
    if as_json:
        print_json(run)
        return
    unattended = runtime().unattended_runs([run_id])
    fields(
        [
            ("Run", run.get("run_id")),
            ("Label", run.get("label")),
            ("Flow", f"{run.get('flow_title')} ({run.get('flow_id')})"),
            ("Status", with_worker_status(run, unattended)["status"]),
            ("Started", short_time(run.get("start_time"))),
            ("Completed", short_time(run.get("completion_time"))),
            ("Took", format_duration(run_duration(run)) if run.get("completion_time") else ""),
            ("Tags", run.get("tags")),
        ]
    )
    out = console()
    out.print()
    out.print(progress_table(progress))
    failure = progress.failure()
    if failure is not None:
        out.print(f"Failed at state {failure.name}: {failure.error}", style="red", markup=False)
        if failure.traceback:
            out.print(failure.traceback, style="dim", markup=False, highlight=False)
    if unattended:
        out.print(unattended_note(run_id), markup=False, highlight=False)
    if graph:
        definition = runtime().get_run_definition(run_id)["definition"]
        out.print()
        emit_graph(definition, fmt, progress.statuses(), output_file)


@runs.command("log")
@click.argument("run_id")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many entries.")
@click.option("--reverse", is_flag=True, help="Newest first.")
@json_option
def log(run_id: str, limit: int | None, reverse: bool, as_json: bool) -> None:
    """Print a run's event log (every state started and completed, failures, the end).

    \b
    Examples:
      gladier runs log RUN_ID
      gladier runs log RUN_ID --reverse --limit 3
      gladier runs log RUN_ID --json
    """
    rt = runtime()

    def fetch(marker: str | None, size: int) -> Mapping[str, Any]:
        return rt.get_run_logs(run_id, limit=size, reverse_order=reverse, marker=marker)

    entries = collect_pages(fetch, "entries", limit)
    if as_json:
        print_json(entries)
        return
    for entry in entries:
        click.echo(
            f"{short_time(entry.get('time'))}  {entry.get('code'):<22} {entry.get('description')}"
        )


@runs.command("watch")
@click.argument("run_id")
@json_option
def watch(run_id: str, as_json: bool) -> None:
    """Follow a run live until it ends (Ctrl-C stops watching; the run is not cancelled).

    Watching only reads: the run is advanced by the process that started it or by a
    `gladier worker`; when no process runs it, this says so first. Exits with 0 when the run
    SUCCEEDED, 1 when it did not.

    \b
    Examples:
      gladier runs watch RUN_ID
      gladier runs watch RUN_ID --json     # no display; the final run document
    """
    from gladier.progress import watch_run

    rt = runtime()
    if rt.unattended_runs([run_id]):
        # Watching only reads: say why the run may not move (on stderr, it is not the data).
        click.echo(unattended_note(run_id), err=True)
    final = watch_run(rt, run_id, console=None if as_json else console(), show=not as_json)
    if as_json:
        print_json(final)
    exit_for_status(final.get("status"))


def _run_summary(run: Mapping[str, Any], verb: str) -> None:
    click.echo(f"Run {run.get('run_id')} {verb}; its status is {run.get('status')}.")


@runs.command("cancel")
@click.argument("run_id")
@json_option
def cancel(run_id: str, as_json: bool) -> None:
    """Cancel a run: it ends FAILED with the code FlowCanceled.

    \b
    Examples:
      gladier runs cancel RUN_ID
    """
    rt = runtime()
    before = rt.get_run(run_id)
    if before.get("status") in ("SUCCEEDED", "FAILED", "ENDED"):
        done = before
        message = f"already ended ({before.get('status')}); nothing to cancel"
    else:
        done = rt.cancel_run(run_id)
        message = "was cancelled"
    if as_json:
        print_json(done)
        return
    click.echo(f"Run {run_id} {message}.")


@runs.command("resume")
@click.argument("run_id")
@json_option
def resume(run_id: str, as_json: bool) -> None:
    """Resume an INACTIVE run: its action is asked for its status again now.

    \b
    Examples:
      gladier runs resume RUN_ID
    """
    rt = runtime()
    done = rt.resume_run(run_id)
    if rt.unattended_runs([run_id]):  # only a process that runs the run can poll its action
        click.echo(unattended_note(run_id), err=True)
    if as_json:
        print_json(done)
        return
    _run_summary(done, "was resumed")


@runs.command("release")
@click.argument("run_id")
@json_option
def release(run_id: str, as_json: bool) -> None:
    """Release (delete) a run that has ended: its record and log are removed.

    \b
    Examples:
      gladier runs release RUN_ID
    """
    done = runtime().delete_run(run_id)
    if as_json:
        print_json(done)
        return
    click.echo(f"Run {run_id} ({done.get('status')}) was released; its record and log are gone.")
