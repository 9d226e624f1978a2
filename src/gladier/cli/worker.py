"""``gladier worker``: keep a runtime running in the foreground.

Runs started by short-lived scripts (``run_flow`` then exit) stop advancing when their process
ends; a worker on the same home takes them over within a second and finishes them. It prints
each run event it sees (one JSON object per line with ``--json``, for service managers) and each
takeover, and stops cleanly on SIGINT or SIGTERM, leaving unfinished runs resumable.

Example::

    gladier worker                     # readable lines
    gladier --home /srv/gladier worker --json >> /var/log/gladier-worker.jsonl
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from gladier.cli.output import app_state
from gladier.cli.pages import collect_pages

if TYPE_CHECKING:
    from gladier.progress import LogFollower
    from gladier.runtime import Runtime

UNFINISHED = ["ACTIVE", "INACTIVE"]
FINAL_CODES = frozenset({"FlowSucceeded", "FlowFailed", "FlowCanceled"})
#: How many of the newest runs are checked each turn for runs that started and ended between
#: two turns.
RECENT = 50


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Reporter:
    """Prints worker records: JSON lines or readable text.

    Example::

        Reporter(as_json=True).emit({"type": "takeover", "run_id": "r1", "attempt": 2})
    """

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.lock = threading.Lock()

    def emit(self, record: dict[str, Any]) -> None:
        record = {"time": _now(), **record}
        with self.lock:
            if self.as_json:
                click.echo(json.dumps(record, default=str))
            else:
                click.echo(_readable(record))


def _readable(record: Mapping[str, Any]) -> str:
    stamp = str(record["time"])[11:19]
    kind = record.get("type")
    if kind == "event":
        run = str(record["run_id"])[:8]
        text = f"{stamp}  run {run}  {record['code']:<20} {record['description']}"
        return f"{text} ({record['error']})" if record.get("error") else text
    if kind == "takeover":
        return (
            f"{stamp}  run {str(record['run_id'])[:8]}  took over this run "
            f"(attempt {record.get('attempt')})"
        )
    if kind == "worker":
        return f"{stamp}  {record['message']}"
    return f"{stamp}  {str(record.get('level', '')).lower()}: {record.get('message')}"


class _TakeoverHandler(logging.Handler):
    """Turns the runtime's log records into worker records (takeovers, warnings)."""

    def __init__(self, reporter: Reporter) -> None:
        super().__init__(logging.INFO)
        self.reporter = reporter

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if str(record.msg).startswith("took over run") and len(args) == 2:
            self.reporter.emit({"type": "takeover", "run_id": args[0], "attempt": args[1]})
        elif record.levelno >= logging.WARNING:
            self.reporter.emit(
                {"type": "log", "level": record.levelname, "message": record.getMessage()}
            )


class EventFeed:
    """Finds the runs of the home and reports the new entries of their logs.

    Example::

        feed = EventFeed(rt, Reporter(as_json=False))
        feed.prime()
        feed.turn()        # prints the events since the last turn
    """

    def __init__(self, rt: Runtime, reporter: Reporter) -> None:
        self.rt = rt
        self.reporter = reporter
        self.since = _now()
        self.followers: dict[str, LogFollower] = {}
        self.done: set[str] = set()

    def prime(self) -> None:
        """Follow the unfinished runs from now on (their past events are not repeated)."""
        for run in self._unfinished():
            follower = self._follow(run["run_id"])
            follower.fetch()

    def _follow(self, run_id: str) -> LogFollower:
        from gladier.progress import LogFollower

        follower = LogFollower(self.rt, run_id)
        self.followers[run_id] = follower
        return follower

    def _unfinished(self) -> list[dict[str, Any]]:
        def fetch(marker: str | None, size: int) -> Mapping[str, Any]:
            if marker is not None:
                return self.rt.list_runs(marker=marker)
            return self.rt.list_runs(filter_status=UNFINISHED, per_page=size)

        return collect_pages(fetch, "runs", None)

    def turn(self) -> None:
        """One look at the store: new runs, new events."""
        from gladier.exc import NotFound

        candidates = self._unfinished()
        recent = self.rt.list_runs(per_page=RECENT)["runs"]
        candidates += [r for r in recent if str(r.get("start_time") or "") >= self.since]
        for run in candidates:
            run_id = run["run_id"]
            if run_id not in self.followers and run_id not in self.done:
                self._follow(run_id)
        for run_id, follower in list(self.followers.items()):
            try:
                entries = follower.fetch()
            except NotFound:  # released meanwhile
                entries = []
                self._finish(run_id)
            for entry in entries:
                self.reporter.emit(_event_record(run_id, entry))
                if entry.get("code") in FINAL_CODES:
                    self._finish(run_id)

    def _finish(self, run_id: str) -> None:
        self.followers.pop(run_id, None)
        self.done.add(run_id)


def _event_record(run_id: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    details = entry.get("details") if isinstance(entry.get("details"), Mapping) else {}
    record: dict[str, Any] = {
        "type": "event",
        "run_id": run_id,
        "event_time": entry.get("time"),
        "code": entry.get("code"),
        "description": entry.get("description"),
    }
    if details and details.get("state_name"):
        record["state_name"] = details["state_name"]
    if entry.get("code") == "FlowFailed":
        from gladier.progress import explain_error

        failure = details.get("details") if details else None
        if isinstance(failure, Mapping):
            record["state_name"] = failure.get("state_name")
            record["error"] = explain_error(failure.get("error"), failure.get("cause"))[0]
    return record


def _install_signals(stop: threading.Event) -> Callable[[], None]:
    """Stop on SIGINT and SIGTERM; returns a function that restores the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


@click.command(short_help="Keep a runtime running so that every run progresses.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (for logs).")
@click.option(
    "--interval",
    default=0.5,
    show_default=True,
    type=click.FloatRange(min=0.05),
    help="Seconds between two looks at the store for new events.",
)
@click.option(
    "--until-idle",
    is_flag=True,
    help="Stop once no run of the home is unfinished (ACTIVE or INACTIVE).",
)
@click.option(
    "--detach",
    is_flag=True,
    help="Start a worker --until-idle in the background (output in HOME/worker.log).",
)
def worker(as_json: bool, interval: float, until_idle: bool, detach: bool) -> None:
    """Keep the runtime running in the foreground, so that every run progresses.

    Runs started by scripts that have exited are taken over and finished. Each run event is
    printed (one JSON object per line with --json), and each takeover. SIGINT (Ctrl-C) or
    SIGTERM stops the worker cleanly; unfinished runs stay resumable by the next process.
    --until-idle stops it once no run of the home is unfinished (ACTIVE or INACTIVE);
    --detach starts such a worker in the background, detached from the terminal, with its
    output in HOME/worker.log.

    \b
    Examples:
      gladier worker
      gladier worker --detach
      gladier --home /srv/gladier worker --json >> worker.jsonl
    """
    from gladier.runtime import Runtime

    state = app_state()
    if detach:
        from gladier.cli.detach import start_background_worker

        # Refuse here what the worker would refuse (a damaged store, a home of another user,
        # a full disk) rather than report a worker started that then exits at once.
        state.runtime()
        started = start_background_worker(state.resolved_home)
        click.echo(
            f"Started a background worker (pid {started.pid}, log {started.log}); it exits "
            "when no run is left."
        )
        return
    reporter = Reporter(as_json)
    stop = threading.Event()
    restore = _install_signals(stop)
    runtime_log = logging.getLogger("gladier.runtime")
    handler = _TakeoverHandler(reporter)
    old_level = runtime_log.level
    runtime_log.addHandler(handler)
    runtime_log.setLevel(logging.INFO)
    rt = Runtime(home=state.home)
    try:
        rt.open()
        feed = EventFeed(rt, reporter)
        feed.prime()
        reporter.emit(
            {
                "type": "worker",
                "status": "started",
                "home": str(rt.home),
                "pid": os.getpid(),
                "message": f"worker started on {rt.home} (pid {os.getpid()}); "
                + (
                    "it stops when no run is left"
                    if until_idle
                    else "stop it with Ctrl-C or SIGTERM"
                ),
            }
        )
        while not stop.is_set():
            feed.turn()
            if until_idle and not rt.list_runs(filter_status=UNFINISHED, per_page=1)["runs"]:
                break
            stop.wait(interval)
        feed.turn()
    finally:
        left = _unfinished_count(rt)
        rt.close()
        runtime_log.removeHandler(handler)
        runtime_log.setLevel(old_level)
        restore()
    reporter.emit(
        {
            "type": "worker",
            "status": "stopped",
            "unfinished_runs": left,
            "message": f"worker stopped; {left} unfinished run(s) stay resumable",
        }
    )


def _unfinished_count(rt: Runtime) -> int:
    try:
        return len(rt.list_runs(filter_status=UNFINISHED, per_page=100)["runs"])
    except Exception:  # the store could not be read while stopping: say nothing more
        return 0


__all__ = ["worker"]
