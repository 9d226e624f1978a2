"""``gladier runs``: list, show, log, watch, cancel, resume and release runs.

Example::

    gladier runs list --status FAILED
    gladier runs show RUN_ID --graph
    gladier runs watch RUN_ID
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from rich.console import Console

    from gladier.progress import RunProgress, StateVisit

STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED", "ENDED")
#: ``runs show --output`` without a state name: the run's own output.
RUN_OUTPUT = "\0run"


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
    table(
        None,
        RUN_COLUMNS,
        mark_failed_actions(rt, found, run_rows(found)),
        empty="No runs yet. Try `gladier demo`.",
        fold=("Label", "Flow"),
    )


def mark_failed_actions(
    rt: Any, found: list[dict[str, Any]], rows: list[list[Any]]
) -> list[list[Any]]:
    """Rows whose Status says how many actions FAILED in a run that SUCCEEDED all the same.

    Example::

        mark_failed_actions(rt, runs, run_rows(runs))   # Status: 'SUCCEEDED, 1 action FAILED'
    """
    from gladier.progress import read_progress

    column = RUN_COLUMNS.index("Status")
    for run, row in zip(found, rows, strict=True):
        if run.get("status") != "SUCCEEDED":
            continue
        failed = len(read_progress(rt, str(run["run_id"])).failed_actions())
        if failed:
            row[column] = f"{row[column]}, {failed} action{'s' if failed > 1 else ''} FAILED"
    return rows


def load_progress(run_id: str) -> RunProgress:
    """The run's document and its whole log, folded into a :class:`RunProgress`.

    Example::

        load_progress(run_id).statuses()    # {'Tar': 'SUCCEEDED', 'Encrypt': 'FAILED'}
    """
    from gladier.progress import read_progress

    return read_progress(runtime(), run_id)


def watch_until_done(rt: Any, run_id: str, *, as_json: bool) -> tuple[dict[str, Any], int]:
    """Follow a run to its end (drawn unless ``as_json``); ``(final document, how many of its
    states' actions FAILED while it went on)``.

    Example::

        final, failed = watch_until_done(rt, run_id, as_json=False)
        exit_for_status(final["status"], failed)
    """
    from gladier.progress import watch_run

    seen: list[RunProgress] = []
    final = watch_run(
        rt, run_id, console=None if as_json else console(), show=not as_json, on_update=seen.append
    )
    return final, len(seen[-1].failed_actions()) if seen else 0


@runs.command("show")
@click.argument("run_id")
@click.option("--graph", is_flag=True, help="Also draw the flow, coloured by each state's status.")
@graph_format_option(default="text")
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
@json_option
def show(
    run_id: str,
    graph: bool,
    fmt: str,
    output_file: str | None,
    output_state: str | None,
    state_name: str | None,
    as_json: bool,
) -> None:
    """Show a run: its status, each state it went through, and why it failed.

    A state whose action FAILED while the run went on (ExceptionOnActionFailure false, as in
    generated Compute states) is shown ACTION FAILED and listed below the table.

    \b
    Examples:
      gladier runs show RUN_ID
      gladier runs show RUN_ID --output                # the run's output (JSON)
      gladier runs show RUN_ID --output CountWords     # what one state produced
      gladier runs show RUN_ID --state CountWords      # its traceback and printed output
      gladier runs show RUN_ID --graph
      gladier runs show RUN_ID --graph --format mermaid
      gladier runs show RUN_ID --json
    """
    from gladier.progress import format_duration, print_failed_actions, progress_table, run_duration

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
    print_failed_actions(out, progress)
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


@runs.command("log")
@click.argument("run_id")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many entries.")
@click.option("--reverse", is_flag=True, help="Newest first.")
@json_option
def log(run_id: str, limit: int | None, reverse: bool, as_json: bool) -> None:
    """Print a run's event log (every state started and completed, failures, the end).

    Under a Compute state's completion, what each of its tasks printed (stdout, stderr).

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
        details = entry.get("details")
        output = details.get("output") if isinstance(details, Mapping) else None
        for task in task_outputs(output):
            for stream in ("stdout", "stderr"):
                if task.get(stream):
                    click.echo(f"    task {task['task']} {stream}:")
                    for line in str(task[stream]).rstrip("\n").splitlines():
                        click.echo(f"    │ {line}")


@runs.command("watch")
@click.argument("run_id")
@json_option
def watch(run_id: str, as_json: bool) -> None:
    """Follow a run live until it ends (Ctrl-C stops watching; the run goes on).

    Exits with 0 when the run SUCCEEDED, 3 when it SUCCEEDED although a state's action
    FAILED, 1 when it did not succeed.

    \b
    Examples:
      gladier runs watch RUN_ID
      gladier runs watch RUN_ID --json     # no display; the final run document
    """
    final, failed = watch_until_done(runtime(), run_id, as_json=as_json)
    if as_json:
        print_json(final)
    exit_for_status(final.get("status"), failed)


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
    done = runtime().resume_run(run_id)
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
