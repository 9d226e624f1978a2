"""``gladier runs``: list, show, log, watch, update, rerun, cancel, resume, delete and prune runs.

Wherever a run id is taken, a unique prefix of it works too (``gladier runs show 2cb08e09``);
``show``, ``watch`` and ``log`` without an id use the newest run.

Example::

    gladier runs list --status FAILED --since 2h
    gladier runs show --graph
    gladier runs rerun 2cb08e09 --from Publish
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Container, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

import click

from gladier.cli.aliases import add_alias
from gladier.cli.detach import detach_option, on_interrupt_option
from gladier.cli.follow import follow_started, load_progress, watch_until_done
from gladier.cli.graphs import emit_graph
from gladier.cli.ids import flow_ids_for, resolve_id, run_id_or_latest
from gladier.cli.output import (
    EXIT_INTERRUPTED,
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
from gladier.cli.pages import collect_pages

if TYPE_CHECKING:
    from rich.console import Console

    from gladier.progress import RunProgress, StateVisit

STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED", "ENDED")
#: ``runs show --output`` without a state name: the run's own output.
RUN_OUTPUT = "\0run"
#: Log codes after which a run's log gets no more entries.
FINAL_CODES: Final = frozenset({"FlowSucceeded", "FlowFailed", "FlowCanceled"})
#: Seconds between two looks at the log of a run being followed.
FOLLOW_INTERVAL: Final = 0.5
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


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
    unattended = rt.unattended_runs([run["run_id"] for run in found])
    table(
        None,
        RUN_COLUMNS,
        mark_failed_actions(
            rt, found, run_rows(with_worker_status(run, unattended) for run in found)
        ),
        empty="No runs match these filters." if filtered else "No runs yet. Try `gladier demo`.",
        fold=("Label", "Flow"),
        wrap=("Status",),
    )


def mark_failed_actions(
    rt: Any, found: list[dict[str, Any]], rows: list[list[Any]]
) -> list[list[Any]]:
    """Rows whose Status says how many actions FAILED in a run that SUCCEEDED all the same.

    Example::

        mark_failed_actions(rt, runs, run_rows(runs))   # Status: 'SUCCEEDED, 1 action FAILED'
    """
    from gladier.progress import read_progress
    from gladier.runtime.run_failures import failed_action_counts

    column = RUN_COLUMNS.index("Status")
    succeeded = [str(run["run_id"]) for run in found if run.get("status") == "SUCCEEDED"]
    counts = failed_action_counts(rt.db.read(), succeeded) if succeeded else {}
    for run, row in zip(found, rows, strict=True):
        if run.get("status") != "SUCCEEDED":
            continue
        run_id = str(run["run_id"])
        failed = counts.get(run_id)
        if failed is None:  # only the whole log can tell
            failed = len(read_progress(rt, run_id).failed_actions())
        if failed:
            row[column] = f"{row[column]}, {failed} action{'s' if failed > 1 else ''} FAILED"
    return rows


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


def _graph_formats() -> tuple[str, ...]:
    from gladier.graph import FORMATS

    return tuple(f for f in FORMATS if f != "text")


@runs.command("show")
@click.argument("run_id", required=False)
@click.option("--graph", is_flag=True, help="Also draw the flow, coloured by each state's status.")
@click.option(
    "--graph-file",
    "output_file",
    type=click.Path(dir_okay=False),
    help="Write the graph to this file.",
)
@click.option(
    "--output",
    "output_state",
    is_flag=False,
    flag_value=RUN_OUTPUT,
    default=None,
    metavar="[STATE]",
    help="Print the run's output as JSON; with STATE, what that state produced.",
)
@click.option(
    "--state",
    "state_name",
    metavar="STATE",
    help="Show one state: its status, error and whole traceback, and what each task printed.",
)
@json_option(graph_formats=_graph_formats())
def show(
    run_id: str | None,
    graph: bool,
    fmt: str,
    output_file: str | None,
    output_state: str | None,
    state_name: str | None,
    as_json: bool,
) -> None:
    """Show a run: its status, each state it went through, and why it failed.

    Without RUN_ID: the newest run.
    -F mermaid|dot|svg|png draws the flow in that format (as --graph does, in text).

    A state whose action FAILED while the run went on (ExceptionOnActionFailure false, as in
    generated Compute states) is shown ACTION FAILED and listed below the table.

    \b
    Examples:
      gladier runs show
      gladier runs show 2cb08e09 --graph
      gladier runs show RUN_ID --output                # the run's output (JSON)
      gladier runs show RUN_ID --output CountWords     # what one state produced
      gladier runs show RUN_ID --state CountWords      # its traceback and printed output
      gladier runs show RUN_ID --graph --format mermaid
      gladier runs show RUN_ID --json
    """
    from gladier.progress import format_duration, print_failed_actions, progress_table, run_duration

    run_id = run_id_or_latest(run_id)
    graph = graph or fmt != "text"
    progress = load_progress(run_id)
    run = progress.run
    if output_state is not None:
        print_json(_output_of(progress, output_state))
        return
    if state_name is not None:
        visit = _find_visit(progress, state_name)
        if as_json:
            print_json(_state_document(visit))
        else:
            _show_state(console(), progress, visit)
        return
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
    out.print(progress_table(progress, width=out.width))
    failure = progress.failure()
    if failure is not None:
        out.print(f"Failed at state {failure.name}: {failure.error}", style="red", markup=False)
        if failure.traceback:
            out.print(failure.traceback, style="dim", markup=False, highlight=False)
    print_failed_actions(out, progress)
    if unattended:
        out.print(unattended_note(run_id), markup=False, highlight=False)
    if graph:
        definition = runtime().get_run_definition(run_id)["definition"]
        out.print()
        emit_graph(definition, fmt, progress.statuses(), output_file)


def _find_visit(progress: RunProgress, name: str) -> StateVisit:
    visit = progress.visit(name)
    if visit is None:
        entered = ", ".join(dict.fromkeys(v.name for v in progress.visits)) or "none"
        raise click.BadParameter(
            f"run {progress.run_id} never entered a state named {name!r}; states it entered: "
            f"{entered}",
            param_hint="STATE",
        )
    return visit


def _output_of(progress: RunProgress, state: str) -> Any:
    if state == RUN_OUTPUT:
        details = progress.run.get("details")
        if not isinstance(details, Mapping) or "output" not in details:
            raise click.ClickException(
                f"run {progress.run_id} has no output yet: it is {progress.status}; watch it "
                f"with `gladier runs watch {progress.run_id}`"
            )
        return details["output"]
    visit = _find_visit(progress, state)
    if visit.ended is None or visit.status not in ("SUCCEEDED", "CAUGHT"):
        raise click.BadParameter(
            f"state {state!r} produced no output: it is {visit.status}; see "
            f"`gladier runs show {progress.run_id} --state {shlex.quote(state)}`",
            param_hint="STATE",
        )
    return visit.output


def task_outputs(output: Any) -> list[dict[str, Any]]:
    """``[{"task", "task_id", "stdout"?, "stderr"?}]`` of a Compute action's result: what each
    of its tasks printed (only the tasks that printed something).

    Example::

        >>> task_outputs({"action_id": "a", "status": "SUCCEEDED", "details": {"results": [
        ...     {"task_id": "t1", "output": 1, "stdout": "hi\\n"}, {"task_id": "t2"}]}})
        [{'task': 1, 'task_id': 't1', 'stdout': 'hi\\n'}]
    """
    details = output.get("details") if isinstance(output, Mapping) else None
    results = details.get("results") if isinstance(details, Mapping) else None
    found: list[dict[str, Any]] = []
    for number, entry in enumerate(results if isinstance(results, list) else [], start=1):
        if not isinstance(entry, Mapping):
            continue
        printed = {k: entry[k] for k in ("stdout", "stderr") if entry.get(k)}
        if printed:
            found.append({"task": number, "task_id": entry.get("task_id"), **printed})
    return found


def _state_document(visit: StateVisit) -> dict[str, Any]:
    failure = visit.failed_action
    return {
        "state_name": visit.name,
        "state_type": visit.type,
        "status": visit.shown_status,
        "started": visit.started,
        "ended": visit.ended,
        "action_id": visit.action_id,
        "error": visit.error or (failure.summary() if failure else None),
        "traceback": visit.traceback or (failure.traceback if failure else None),
        "tasks": task_outputs(visit.output),
        "output": visit.output,
    }


def _show_state(out: Console, progress: RunProgress, visit: StateVisit) -> None:
    from gladier.progress import format_duration

    failure = visit.failed_action
    fields(
        [
            ("State", f"{visit.name} ({visit.type})"),
            ("Status", visit.shown_status),
            ("Started", short_time(visit.started)),
            ("Took", format_duration(visit.duration()) if visit.ended else ""),
            ("Action", visit.action_id),
            ("Error", visit.error or (failure.summary() if failure else None)),
        ]
    )
    if failure is not None:
        out.print(
            "Its action FAILED, but the run went on (ExceptionOnActionFailure is false).",
            style="red",
            markup=False,
            highlight=False,
        )
    trace = visit.traceback or (failure.traceback if failure else None)
    if trace:
        out.print()
        out.print(trace, markup=False, highlight=False)
    for task in task_outputs(visit.output):
        for stream in ("stdout", "stderr"):
            if task.get(stream):
                out.print()
                out.print(
                    f"Task {task['task']} {stream} ({task['task_id']}):",
                    style="bold",
                    markup=False,
                    highlight=False,
                )
                out.print(str(task[stream]).rstrip("\n"), markup=False, highlight=False)
    if visit.output is not None:
        command = f"gladier runs show {progress.run_id} --output {shlex.quote(visit.name)}"
        out.print()
        out.print(f"What it produced: {command}", style="dim", markup=False, highlight=False)


def _log_line(entry: Mapping[str, Any]) -> str:
    return f"{short_time(entry.get('time'))}  {entry.get('code'):<22} {entry.get('description')}"


def _echo_entry(entry: Mapping[str, Any]) -> None:
    """One log entry as text, followed by what each of its tasks printed."""
    click.echo(_log_line(entry))
    details = entry.get("details")
    output = details.get("output") if isinstance(details, Mapping) else None
    for task in task_outputs(output):
        for stream in ("stdout", "stderr"):
            if task.get(stream):
                click.echo(f"    task {task['task']} {stream}:")
                for line in str(task[stream]).rstrip("\n").splitlines():
                    click.echo(f"    │ {line}")


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

    Under a Compute state's completion, what each of its tasks printed (stdout, stderr).

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
        _echo_entry(entry)


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
                _echo_entry(entry)
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
    try:
        if rt.unattended_runs([run_id]):
            # following only reads: say why the log may not grow (on stderr, not the data)
            click.echo(unattended_note(run_id), err=True)
        while True:
            ended = False
            try:
                rt.wait(run_id, timeout=FOLLOW_INTERVAL)
                ended = True
            except TimeoutError:
                pass
            if show(follower.fetch()) or ended:
                return
    except KeyboardInterrupt:
        click.echo(
            f"Stopped following. The run was not cancelled; follow it again with: "
            f"gladier runs log {run_id} --follow",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


@runs.command("watch")
@click.argument("run_id", required=False)
@json_option
def watch(run_id: str | None, as_json: bool) -> None:
    """Follow a run live until it ends (Ctrl-C stops watching; the run is not cancelled).

    Watching only reads: the run is advanced by the process that started it or by a
    `gladier worker`; when no process runs it, this says so first. Without RUN_ID: the newest
    run. Exits with 0 when the run SUCCEEDED, 3 when it SUCCEEDED although a state's action
    FAILED, 1 when it did not succeed.

    \b
    Examples:
      gladier runs watch
      gladier runs watch 2cb08e09
      gladier runs watch RUN_ID --json     # no display; the final run document
    """
    run_id = run_id_or_latest(run_id)
    rt = runtime()
    if rt.unattended_runs([run_id]):
        # Watching only reads: say why the run may not move (on stderr, it is not the data).
        click.echo(unattended_note(run_id), err=True)
    final, failed = watch_until_done(rt, run_id, as_json=as_json)
    if as_json:
        print_json(final)
    exit_for_status(final.get("status"), failed)


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
@detach_option
@on_interrupt_option
@json_option
def rerun(
    run_id: str,
    from_state: str | None,
    label: str | None,
    tags: tuple[str, ...],
    no_wait: bool,
    detach: bool,
    on_interrupt: str,
    as_json: bool,
) -> None:
    """Start a new run of a run's flow with the same input, and watch it.

    With --from STATE the new run starts at STATE, with the run state the old run's log
    recorded on (its last) entering it; the states before are not run again. The new run is
    tagged rerun-of:RUN_ID and keeps the old run's tags. Exits with 0 when it SUCCEEDED, 3 when
    it SUCCEEDED although a state's action FAILED, 1 when it did not succeed, 2 when STATE is
    not one the old run entered.

    \b
    Examples:
      gladier runs rerun 2cb08e09
      gladier runs rerun 2cb08e09 --from Publish --label "publish again"
      gladier runs rerun RUN_ID --no-wait --json
    """
    from gladier.exc import ServiceError

    rt = runtime()
    old = resolve_id("run", run_id)
    try:
        started = rt.rerun_run(old, from_state=from_state, label=label, tags=list(tags))
    except ServiceError as err:
        unknown = err.code == "STATE_NOT_ENTERED" or "has no state named" in err.message
        if from_state is not None and unknown:
            # a STATE the flow does not have, or the run never entered: a usage error (2)
            raise click.BadParameter(err.message.rstrip("."), param_hint="--from") from None
        raise
    new_id = started["run_id"]
    if no_wait or detach:
        where = f" from state {from_state}" if from_state else ""
        click.echo(f"Run {new_id} reruns {old}{where}.", err=as_json)
    follow_started(
        rt,
        started,
        let_go=no_wait or detach,
        detach=detach,
        on_interrupt=on_interrupt,
        as_json=as_json,
    )


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
    run_id = resolve_id("run", run_id)
    rt = runtime()
    done = rt.resume_run(run_id)
    if rt.unattended_runs([run_id]):  # only a process that runs the run can poll its action
        click.echo(unattended_note(run_id), err=True)
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


@runs.command("prune")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    required=True,
    metavar="DAYS",
    help="Remove runs that finished more than DAYS days ago (fractions work: 0.5 is 12 h).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["SUCCEEDED", "FAILED", "ENDED"], case_sensitive=False),
    help="Only runs with this status (repeatable); default: every finished status.",
)
@json_option
def prune(days: float, statuses: tuple[str, ...], as_json: bool) -> None:
    """Remove finished runs older than DAYS, with their logs and compute tasks.

    ACTIVE and INACTIVE runs are never removed. Runs go in batches of a few hundred per
    transaction (workers keep running meanwhile), then the freed space is given back to
    the file system. To prune automatically, set the runtime option run_retention_days.

    \b
    Examples:
      gladier runs prune --older-than 30
      gladier runs prune --older-than 7 --status FAILED --status ENDED
    """
    removed = runtime().prune_runs(days, [s.upper() for s in statuses] or None)
    if as_json:
        print_json({"pruned": removed, "older_than_days": days, "statuses": list(statuses)})
        return
    which = "/".join(s.upper() for s in statuses) or "finished"
    click.echo(f"Removed {removed} {which} run(s) that finished more than {days:g} day(s) ago.")
