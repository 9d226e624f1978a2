"""``gladier runs``: list, show, log, watch, update, rerun, cancel, resume and delete runs.

Wherever a run id is taken, a unique prefix of it works too (``gladier runs show 2cb08e09``);
``show``, ``watch`` and ``log`` without an id use the newest run.

Example::

    gladier runs list --status FAILED --since 2h
    gladier runs show --graph
    gladier runs rerun 2cb08e09 --from Publish
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import click

from gladier.cli.aliases import add_alias
from gladier.cli.flows import emit_graph
from gladier.cli.ids import flow_ids_for, resolve_id, run_id_or_latest
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
#: Log codes after which a run's log gets no more entries.
FINAL_CODES: Final = frozenset({"FlowSucceeded", "FlowFailed", "FlowCanceled"})
#: Seconds between two looks at the log of a run being followed.
FOLLOW_INTERVAL: Final = 0.5
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


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
    """List, inspect, watch, rerun and manage runs.

    A unique prefix of a run id works wherever a run id is taken; show, watch and log
    without one use the newest run.

    \b
    Examples:
      gladier runs list --since 2h
      gladier runs show --graph
      gladier runs watch 2cb08e09
      gladier runs rerun 2cb08e09 --from Publish
    """


class SinceType(click.ParamType):
    """``--since``: an ISO date or time (local unless it names a zone), or an age such as
    ``90s``, ``30m``, ``2h``, ``3d``, ``1w``; converted to an aware UTC datetime.

    Example::

        SinceType().convert("2026-11-27T20:00", None, None)
    """

    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        unit = text[-1:].lower()
        if unit in _UNITS and text[:-1].replace(".", "", 1).isdigit():
            return datetime.now(timezone.utc) - timedelta(seconds=float(text[:-1]) * _UNITS[unit])
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(
                f"{text!r} is neither a date/time (2026-11-27, 2026-11-27T20:00) nor an age "
                "(90s, 30m, 2h, 3d, 1w)",
                param,
                ctx,
            )
        if moment.tzinfo is None:
            moment = moment.astimezone()
        return moment.astimezone(timezone.utc)


def _started(run: Mapping[str, Any]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(run.get("start_time")).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def matching_runs(
    fetch: Callable[[str | None, int], Mapping[str, Any]],
    keep: Callable[[Mapping[str, Any]], bool],
    since: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The first ``limit`` runs (newest first) that ``keep`` accepts and that started at or
    after ``since``; stops reading pages at the first run older than ``since``.

    Example::

        >>> page = {"runs": [{"run_id": "a", "tags": ["x"]}, {"run_id": "b", "tags": []}]}
        >>> [r["run_id"] for r in matching_runs(lambda m, n: page, lambda r: "x" in r["tags"],
        ...                                     None, 5)]
        ['a']
    """
    found: list[dict[str, Any]] = []
    for run in _pages(fetch):
        if since is not None:
            started = _started(run)
            if started is not None and started < since:
                break
        if keep(run):
            found.append(run)
            if len(found) >= limit:
                break
    return found


def _pages(fetch: Callable[[str | None, int], Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    marker: str | None = None
    while True:
        page = fetch(marker, 100)
        yield from page.get("runs") or []
        marker = page.get("marker")
        if not page.get("has_next_page") or not marker:
            return


@runs.command("list")
@click.option(
    "--flow",
    "flows",
    multiple=True,
    help="Only runs of this flow: an id, a unique id prefix or a title (repeatable).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES, case_sensitive=False),
    help="Only runs with this status (repeatable).",
)
@click.option("--label", "labels", multiple=True, help="Only runs with this label (repeatable).")
@click.option(
    "--tag", "tags", multiple=True, help="Only runs with this tag (repeatable: every one)."
)
@click.option(
    "--since",
    type=SinceType(),
    help="Only runs started since then: a date/time (2026-11-27T20:00) or an age (30m, 2h, 3d).",
)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@json_option
def list_runs(
    flows: tuple[str, ...],
    statuses: tuple[str, ...],
    labels: tuple[str, ...],
    tags: tuple[str, ...],
    since: datetime | None,
    limit: int,
    as_json: bool,
) -> None:
    """List runs, newest first.

    \b
    Examples:
      gladier runs list
      gladier runs list --status FAILED --limit 5
      gladier runs list --flow "Scan check" --since 2h
      gladier runs list --tag nightly -F unix --jq '[].[run_id, status]'
    """
    rt = runtime()
    flow_ids = [flow_id for text in flows for flow_id in flow_ids_for(text)]
    wanted_tags = [" ".join(t.split()) for t in tags]

    def fetch(marker: str | None, size: int) -> Mapping[str, Any]:
        if marker is not None:
            return rt.list_runs(marker=marker)
        return rt.list_runs(
            filter_flow_id=flow_ids or None,
            filter_status=[s.upper() for s in statuses] or None,
            filter_label=list(labels) or None,
            per_page=size,
        )

    def keep(run: Mapping[str, Any]) -> bool:
        return all(tag in (run.get("tags") or []) for tag in wanted_tags)

    if wanted_tags or since is not None:
        found = matching_runs(fetch, keep, since, limit)
    else:
        found = collect_pages(fetch, "runs", limit)
    if as_json:
        print_json(found)
        return
    filtered = bool(flows or statuses or labels or tags or since)
    table(
        None,
        RUN_COLUMNS,
        run_rows(found),
        empty="No runs match these filters." if filtered else "No runs yet. Try `gladier demo`.",
        fold=("Label", "Flow"),
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


def _graph_formats() -> tuple[str, ...]:
    from gladier.graph import FORMATS

    return tuple(f for f in FORMATS if f != "text")


@runs.command("show")
@click.argument("run_id", required=False)
@click.option("--graph", is_flag=True, help="Also draw the flow, coloured by each state's status.")
@click.option(
    "--output", "output_file", type=click.Path(dir_okay=False), help="Write the graph to a file."
)
@json_option(graph_formats=_graph_formats())
def show(run_id: str | None, graph: bool, fmt: str, output_file: str | None, as_json: bool) -> None:
    """Show a run: its status, its states, why it failed.

    Without RUN_ID: the newest run.
    -F mermaid|dot|svg|png draws the flow in that format (as --graph does, in text).

    \b
    Examples:
      gladier runs show
      gladier runs show 2cb08e09 --graph
      gladier runs show RUN_ID --graph --format mermaid
      gladier runs show RUN_ID --json
    """
    from gladier.progress import format_duration, progress_table, run_duration

    run_id = run_id_or_latest(run_id)
    graph = graph or fmt != "text"
    progress = load_progress(run_id)
    run = progress.run
    if as_json:
        print_json(run)
        return
    fields(
        [
            ("Run", run.get("run_id")),
            ("Label", run.get("label")),
            ("Flow", f"{run.get('flow_title')} ({run.get('flow_id')})"),
            ("Status", run.get("status")),
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
    if graph:
        definition = runtime().get_run_definition(run_id)["definition"]
        out.print()
        emit_graph(definition, fmt, progress.statuses(), output_file)


def _log_line(entry: Mapping[str, Any]) -> str:
    return f"{short_time(entry.get('time'))}  {entry.get('code'):<22} {entry.get('description')}"


@runs.command("log")
@click.argument("run_id", required=False)
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many entries.")
@click.option("--reverse", is_flag=True, help="Newest first.")
@click.option("--tail", type=click.IntRange(min=1), help="Only the last N entries.")
@click.option(
    "--follow",
    "-f",
    is_flag=True,
    help="Keep printing new entries as they come, until the run ends (Ctrl-C stops).",
)
@json_option
def log(
    run_id: str | None,
    limit: int | None,
    reverse: bool,
    tail: int | None,
    follow: bool,
    as_json: bool,
) -> None:
    """Print a run's event log.

    Every state started and completed, failures, the end.
    Without RUN_ID: the newest run's log.
    With --follow, -F json prints one JSON object per line (JSON Lines).

    \b
    Examples:
      gladier runs log
      gladier runs log 2cb08e09 --tail 5
      gladier runs log RUN_ID --follow
      gladier runs log RUN_ID --reverse --limit 3
      gladier runs log RUN_ID --json
    """
    run_id = run_id_or_latest(run_id)
    if follow:
        if reverse or limit is not None:
            raise click.UsageError("--follow prints the log in order: drop --reverse and --limit.")
        follow_log(run_id, tail, as_json)
        return
    rt = runtime()
    if tail is not None:
        if reverse or limit is not None:
            raise click.UsageError("--tail picks the last entries: drop --reverse and --limit.")
        page = collect_pages(
            lambda marker, size: rt.get_run_logs(
                run_id, limit=size, reverse_order=True, marker=marker
            ),
            "entries",
            tail,
        )
        entries = list(reversed(page))
    else:

        def fetch(marker: str | None, size: int) -> Mapping[str, Any]:
            return rt.get_run_logs(run_id, limit=size, reverse_order=reverse, marker=marker)

        entries = collect_pages(fetch, "entries", limit)
    if as_json:
        print_json(entries)
        return
    for entry in entries:
        click.echo(_log_line(entry))


def follow_log(run_id: str, tail: int | None, structured: bool) -> None:
    """Print the log of ``run_id`` (its last ``tail`` entries), then each new entry, until the
    run ends.

    Example::

        follow_log(run_id, tail=5, structured=False)
    """
    import json

    from gladier.cli.formats import apply_query, current, unix_lines
    from gladier.progress import LogFollower

    rt = runtime()
    follower = LogFollower(rt, run_id)
    fmt = current()

    def show(entries: list[dict[str, Any]]) -> bool:
        for entry in entries:
            if not structured:
                click.echo(_log_line(entry))
                continue
            data = apply_query(entry, fmt.query)
            if fmt.kind == "unix":
                for line in unix_lines(data):
                    click.echo(line)
            else:
                click.echo(json.dumps(data, default=str))
        return any(entry.get("code") in FINAL_CODES for entry in entries)

    entries = follower.fetch()
    if show(entries if tail is None else entries[-tail:]):
        return
    while True:
        ended = False
        try:
            rt.wait(run_id, timeout=FOLLOW_INTERVAL)
            ended = True
        except TimeoutError:
            pass
        if show(follower.fetch()) or ended:
            return


@runs.command("watch")
@click.argument("run_id", required=False)
@json_option
def watch(run_id: str | None, as_json: bool) -> None:
    """Follow a run live until it ends.

    Ctrl-C stops watching; the run goes on.
    Without RUN_ID: the newest run.
    Exits with 0 when the run SUCCEEDED, 1 when it did not.

    \b
    Examples:
      gladier runs watch
      gladier runs watch 2cb08e09
      gladier runs watch RUN_ID --json     # no display; the final run document
    """
    from gladier.progress import watch_run

    run_id = run_id_or_latest(run_id)
    final = watch_run(runtime(), run_id, console=None if as_json else console(), show=not as_json)
    if as_json:
        print_json(final)
    exit_for_status(final.get("status"))


def _run_summary(run: Mapping[str, Any], verb: str) -> None:
    click.echo(f"Run {run.get('run_id')} {verb}; its status is {run.get('status')}.")


@runs.command("update")
@click.argument("run_id")
@click.option("--label", help="The run's new label (at most 64 characters).")
@click.option("--tag", "tags", multiple=True, help="Set the tags to these (repeatable).")
@click.option("--add-tag", "added", multiple=True, help="Add this tag (repeatable).")
@click.option("--remove-tag", "removed", multiple=True, help="Remove this tag (repeatable).")
@click.option("--clear-tags", is_flag=True, help="Remove every tag.")
@json_option
def update(
    run_id: str,
    label: str | None,
    tags: tuple[str, ...],
    added: tuple[str, ...],
    removed: tuple[str, ...],
    clear_tags: bool,
    as_json: bool,
) -> None:
    """Change a run's label or tags.

    \b
    Examples:
      gladier runs update 2cb08e09 --label night-7
      gladier runs update RUN_ID --add-tag reviewed --remove-tag draft
      gladier runs update RUN_ID --tag a --tag b        # the tags are now exactly a, b
    """
    if label is None and not (tags or added or removed or clear_tags):
        raise click.UsageError(
            "Say what to change: --label, --tag, --add-tag, --remove-tag or --clear-tags."
        )
    if tags and clear_tags:
        raise click.UsageError("--tag sets the tags and --clear-tags removes them: pick one.")
    rt = runtime()
    run_id = resolve_id("run", run_id)
    new_tags: list[str] | None = None
    if tags or added or removed or clear_tags:
        base = [] if clear_tags else list(tags) if tags else list(rt.get_run(run_id)["tags"])
        gone = {" ".join(t.split()) for t in removed}
        new_tags = [t for t in dict.fromkeys([*base, *added]) if " ".join(t.split()) not in gone]
    done = rt.update_run(run_id, label=label, tags=new_tags)
    if as_json:
        print_json(done)
        return
    shown_tags = ", ".join(done.get("tags") or []) or "none"
    click.echo(f"Run {run_id} updated: label {done.get('label')!r}, tags {shown_tags}.")


@runs.command("rerun")
@click.argument("run_id")
@click.option(
    "--from",
    "from_state",
    metavar="STATE",
    help="Start at this state, with the run state the old run had on entering it.",
)
@click.option("--label", help="A label for the new run (default: 'rerun of RUN [from STATE]').")
@click.option("--tag", "tags", multiple=True, help="Also tag the new run (repeatable).")
@click.option("--no-wait", is_flag=True, help="Print the new run's id and return.")
@json_option
def rerun(
    run_id: str,
    from_state: str | None,
    label: str | None,
    tags: tuple[str, ...],
    no_wait: bool,
    as_json: bool,
) -> None:
    """Start a new run of a run's flow with the same input, and watch it.

    With --from STATE the new run starts at STATE, with the run state the old run's log
    recorded on (its last) entering it; the states before are not run again. The new run is
    tagged rerun-of:RUN_ID and keeps the old run's tags. Exits with 0 when it SUCCEEDED.

    \b
    Examples:
      gladier runs rerun 2cb08e09
      gladier runs rerun 2cb08e09 --from Publish --label "publish again"
      gladier runs rerun RUN_ID --no-wait --json
    """
    from gladier.progress import watch_run

    rt = runtime()
    old = resolve_id("run", run_id)
    started = rt.rerun_run(old, from_state=from_state, label=label, tags=list(tags))
    new_id = started["run_id"]
    if no_wait:
        if as_json:
            print_json(started)
        else:
            where = f" from state {from_state}" if from_state else ""
            click.echo(
                f"Started run {new_id}, a rerun of {old}{where}. "
                f"Watch it with: gladier runs watch {new_id}"
            )
        return
    final = watch_run(rt, new_id, console=None if as_json else console(), show=not as_json)
    if as_json:
        print_json(final)
    exit_for_status(final.get("status"))


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
    run_id = resolve_id("run", run_id)
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
    done = runtime().resume_run(resolve_id("run", run_id))
    if as_json:
        print_json(done)
        return
    _run_summary(done, "was resumed")


@runs.command("delete")
@click.argument("run_id")
@json_option
def delete(run_id: str, as_json: bool) -> None:
    """Delete a run that has ended, with its log.

    Its record and log are removed.
    `gladier runs release` is the same command.

    \b
    Examples:
      gladier runs delete RUN_ID
    """
    run_id = resolve_id("run", run_id)
    done = runtime().delete_run(run_id)
    if as_json:
        print_json(done)
        return
    verb = "released" if click.get_current_context().info_name == "release" else "deleted"
    click.echo(f"Run {run_id} ({done.get('status')}) was {verb}; its record and log are gone.")


add_alias(runs, delete, "release")
