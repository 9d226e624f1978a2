"""Handing runs to a background ``gladier worker``, and saying so when nothing runs a run.

On the embedded runtime a run is advanced by the process that has the runtime open with its
scheduler: ``gladier run`` and ``gladier flows run`` while they follow the run, or a
``gladier worker``. When such a command stops early (Ctrl-C, a closed pipe, ``--no-wait``) and
nothing else runs the run, the run stays ACTIVE, does not progress, and the tasks it had in
flight are redone when a worker takes it over. :func:`start_background_worker` starts a worker
that is fully detached from the terminal (its own session, output to ``<home>/worker.log``)
and exits by itself once no unfinished run is left.

Example::

    worker = start_background_worker(Path("~/.gladier").expanduser())
    print(worker.pid, worker.log)
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import click

from gladier.cli.output import EXIT_INTERRUPTED

F = TypeVar("F", bound=Callable[..., Any])

#: The log of background workers, in the runtime home.
WORKER_LOG: Final = "worker.log"

#: What ``--on-interrupt`` may say to do with the run when Ctrl-C stops following it.
ON_INTERRUPT: Final = ("ask", "detach", "stop")

#: How long handing a run over waits for the background worker to hold it (seconds).
HANDOVER_TIMEOUT: Final = 30.0


@dataclass(frozen=True)
class BackgroundWorker:
    """A ``gladier worker --until-idle`` started in the background.

    Example::

        BackgroundWorker(pid=4242, log=Path("/tmp/h/worker.log")).pid      # 4242
    """

    pid: int
    log: Path
    #: The worker's process, when this process started it (to notice that it stopped).
    process: subprocess.Popen[bytes] | None = field(default=None, compare=False, repr=False)


def start_background_worker(home: Path) -> BackgroundWorker:
    """Start ``gladier --home HOME worker --until-idle`` detached from this terminal.

    The worker gets a session of its own (Ctrl-C and closing the terminal do not reach it),
    reads nothing, and appends its output to ``HOME/worker.log``. It exits once no run of the
    home is unfinished.

    Example::

        worker = start_background_worker(Path("/tmp/lab"))
    """
    home = home.expanduser()
    home.mkdir(parents=True, exist_ok=True)
    log = home / WORKER_LOG
    command = [sys.executable, "-m", "gladier.cli", "--home", str(home), "worker", "--until-idle"]
    options: dict[str, object] = {}
    if os.name == "nt":  # pragma: no cover - Windows
        flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
            subprocess, "CREATE_NEW_PROCESS_GROUP", 0
        )
        options["creationflags"] = flags
    else:
        options["start_new_session"] = True
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            close_fds=True,
            **options,  # type: ignore[call-overload]
        )
    return BackgroundWorker(process.pid, log, process)


def wait_until_held(
    home: Path, run_id: str, worker: BackgroundWorker, timeout: float = HANDOVER_TIMEOUT
) -> str | None:
    """Wait until ``worker`` runs ``run_id`` (or the run has ended); ``None`` when it does,
    else what went wrong, to tell the user.

    Until the worker has started and taken the run over, nothing runs it: returning earlier
    would leave ``runs list`` saying "ACTIVE, no worker" and ``runs watch`` saying that no
    process runs it, right after being told that a worker does.

    Example::

        problem = wait_until_held(home, run_id, start_background_worker(home))
    """
    from gladier.runtime import Runtime

    deadline = time.monotonic() + timeout
    with Runtime(home=home, scheduler=False) as reader:
        while reader.unattended_runs([run_id]):
            if worker.process is not None and worker.process.poll() is not None:
                return (
                    f"the background worker (pid {worker.pid}) stopped before taking run "
                    f"{run_id} over; see {worker.log}, then go on with `gladier worker`"
                )
            if time.monotonic() >= deadline:
                return (
                    f"the background worker (pid {worker.pid}) has not taken run {run_id} "
                    f"over after {timeout:.0f} s; see {worker.log}"
                )
            time.sleep(0.05)
    return None


def _start_and_hand_over(home: Path, run_id: str) -> tuple[BackgroundWorker, str | None]:
    worker = start_background_worker(home)
    return worker, wait_until_held(home, run_id, worker)


def detached_message(run_id: str, worker: BackgroundWorker, *, started: bool = False) -> str:
    """What to tell after handing ``run_id`` to ``worker`` (``started``: just now).

    Example::

        >>> detached_message("r1", BackgroundWorker(7, Path("/h/worker.log")))[:40]
        'Run r1 goes on in a background worker (p'
    """
    lead = f"Started run {run_id}: it goes on" if started else f"Run {run_id} goes on"
    return (
        f"{lead} in a background worker (pid {worker.pid}, log {worker.log}), which exits "
        f"when no run is left. Follow it with: gladier runs watch {run_id}"
    )


def stopped_message(run_id: str, why: str) -> str:
    """What to tell when this process stops and nothing else runs ``run_id``.

    Example::

        >>> stopped_message("r1", "Interrupted")[:45]
        'Interrupted. No process is running run r1 now'
    """
    return (
        f"{why}. No process is running run {run_id} now: it stays ACTIVE without progressing, "
        "and the tasks it had in flight will be redone when a worker takes it over. Go on with "
        "`gladier worker` (foreground) or `gladier worker --detach` (background), then "
        f"`gladier runs watch {run_id}`."
    )


def hand_over(run_id: str, home: Path, *, why: str) -> None:
    """Start a background worker for ``run_id`` and say so on stderr.

    Example::

        hand_over(run_id, Path("/tmp/lab"), why="Detached")
    """
    worker, problem = _start_and_hand_over(home, run_id)
    if problem is not None:
        click.echo(f"{why}. Run {run_id} is not running: {problem}.", err=True)
        return
    click.echo(f"{why}. {detached_message(run_id, worker)}", err=True)


def interrupted(run_id: str, home: Path, on_interrupt: str) -> None:
    """After Ctrl-C stopped following ``run_id``: hand it over, or say that nothing runs it.

    ``on_interrupt`` is ``detach``, ``stop``, or ``ask`` (ask on a terminal; ``stop``
    elsewhere). Nothing is asked when the run has ended or another live gladier process
    (a worker) will take it over.

    Example::

        interrupted(run_id, home, "detach")
    """
    status, others = _after_this_process(home, run_id)
    if status is not None or others:
        click.echo(_taken_or_ended(run_id, "Interrupted", status, others), err=True)
        return
    choice = on_interrupt
    if choice == "ask":
        choice = "stop"
        if sys.stdin.isatty():
            try:
                keep = click.confirm(
                    f"Keep run {run_id} going in a background worker?",
                    default=True,
                    err=True,
                )
            except (click.Abort, EOFError, KeyboardInterrupt):
                keep = False
            choice = "detach" if keep else "stop"
    if choice == "detach":
        hand_over(run_id, home, why="Interrupted")
    else:
        click.echo(stopped_message(run_id, "Interrupted"), err=True)


def _after_this_process(home: Path, run_id: str) -> tuple[str | None, list[tuple[str, int]]]:
    """The run's final status (``None`` while unfinished), and the other live schedulers."""
    from gladier.runtime import Runtime
    from gladier.runtime.live import TERMINAL_STATUSES

    me = (socket.gethostname(), os.getpid())
    with Runtime(home=home, scheduler=False) as reader:
        status = str(reader.get_run(run_id).get("status"))
        others = [
            owner for owner in reader.live_owners() if owner != me and _takes_runs_over(*owner)
        ]
    return (status if status in TERMINAL_STATUSES else None), others


#: ``gladier`` commands that run only the runs they start or are asked about (their runtime
#: has ``takeover=False``): they never take over a run another process left.
_ONLY_THEIR_OWN: Final = frozenset(
    {"run", "demo", "flows", "runs", "functions", "endpoints", "collections", "search", "store"}
)


def gladier_command(argv: list[str]) -> str | None:
    """The subcommand of a ``gladier`` command line (``None`` when ``argv`` is not one).

    Example::

        >>> gladier_command(["/venv/bin/python", "/venv/bin/gladier", "--home", "/h", "worker"])
        'worker'
        >>> gladier_command(["python", "-m", "gladier.demo"])
        'demo'
        >>> gladier_command(["python", "analysis.py"]) is None
        True
    """
    rest: list[str] | None = None
    for index, arg in enumerate(argv):
        name = Path(arg).name.lower()
        if name in ("gladier", "gladier.exe", "gladier-script.py"):
            rest = argv[index + 1 :]
            break
        if arg == "-m" and index + 1 < len(argv):
            module = argv[index + 1]
            if module == "gladier.demo":
                return "demo"
            if module in ("gladier.cli", "gladier"):
                rest = argv[index + 2 :]
            break
    if rest is None:
        return None
    skip = False
    for arg in rest:
        if skip:
            skip = False
        elif arg == "--home":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return ""


def _takes_runs_over(host: str, pid: int) -> bool:
    """Whether the live scheduler ``(host, pid)`` takes over runs left by others: a
    ``gladier worker`` or a script does; the other ``gladier`` commands run only their own.
    A process of another host is taken to (nothing here can tell)."""
    if host != socket.gethostname():
        return True
    import psutil

    try:
        argv = psutil.Process(pid).cmdline()
    except (psutil.Error, OSError):
        return True
    return gladier_command(argv) not in _ONLY_THEIR_OWN


def _taken_or_ended(
    run_id: str, lead: str, status: str | None, others: list[tuple[str, int]]
) -> str:
    if status is not None:
        return f"{lead}. Run {run_id} has already ended: {status}."
    return (
        f"{lead}. A running gladier process ({_processes(others)}) takes run {run_id} over "
        f"within seconds. Follow it with: gladier runs watch {run_id}"
    )


def _processes(owners: list[tuple[str, int]]) -> str:
    here = socket.gethostname()
    named = (f"pid {pid}" if host == here else f"pid {pid} on {host}" for host, pid in owners)
    return ", ".join(named)


def what_becomes_of(run_id: str, home: Path, why: str) -> str:
    """What to tell when this process stopped running ``run_id`` for reason ``why``.

    Example::

        click.echo(what_becomes_of(run_id, rt.home, "The output was closed"), err=True)
    """
    status, others = _after_this_process(home, run_id)
    if status is not None or others:
        return _taken_or_ended(run_id, why, status, others)
    return stopped_message(run_id, why)


def not_waiting_message(run_id: str, others: list[tuple[str, int]]) -> str:
    """What ``--no-wait`` tells on the embedded runtime, given the other live schedulers.

    Example::

        >>> not_waiting_message("r1", [])[:44]
        'Started run r1. No process is running it now'
    """
    if others:
        return (
            f"Started run {run_id}; a running gladier process ({_processes(others)}) takes it "
            f"over within seconds. Follow it with: gladier runs watch {run_id}"
        )
    return (
        f"Started run {run_id}. No process is running it now: it stays ACTIVE until a worker "
        "takes it over (`gladier worker`, or `gladier worker --detach` in the background; "
        f"`--detach` instead of `--no-wait` does both). Then: gladier runs watch {run_id}"
    )


def report_started(started: Mapping[str, Any], home: Path, *, detach: bool, as_json: bool) -> None:
    """After an embedded run was started and this process let go of it (``--detach`` or
    ``--no-wait``): hand it to a background worker if ``detach``, and say what runs it.

    The message goes to stdout, or to stderr under ``--json`` (stdout then holds the run
    document).

    Example::

        report_started(rt.run_flow(flow_id, body), rt.home, detach=True, as_json=False)
    """
    from gladier.cli.output import print_json

    run_id = str(started.get("run_id"))
    status, others = _after_this_process(home, run_id)
    problem = None
    if status is not None:  # it ended before this process let go of it
        message = f"Started run {run_id}; it has already ended: {status}."
    elif detach:
        worker, problem = _start_and_hand_over(home, run_id)
        message = detached_message(run_id, worker, started=True)
    else:
        message = not_waiting_message(run_id, others)
    if as_json:
        print_json(dict(started))
    if problem is not None:
        raise click.ClickException(f"Started run {run_id}, but {problem}.")
    click.echo(message, err=as_json)


@contextlib.contextmanager
def following(
    run_id: str, home: Path, *, on_interrupt: str, stop: Callable[[], None]
) -> Iterator[None]:
    """Follow a run this process runs; on Ctrl-C or a closed pipe, ``stop`` running it and say
    what becomes of it (or hand it to a background worker, as ``on_interrupt`` says).

    Ctrl-C ends the command with exit code 130; a closed pipe goes on as ``BrokenPipeError``
    (exit code 141).

    Example::

        with following(run_id, rt.home, on_interrupt="ask", stop=rt.close):
            watch_run(rt, run_id)
    """
    try:
        yield
    except KeyboardInterrupt:
        stop()
        interrupted(run_id, home, on_interrupt)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        stop()
        with contextlib.suppress(OSError, ValueError):
            click.echo(what_becomes_of(run_id, home, "The output was closed"), err=True)
        raise


def on_interrupt_option(function: F) -> F:
    """The ``--on-interrupt`` option of the commands that follow a run they run themselves.

    Example::

        @click.command()
        @on_interrupt_option
        def run(on_interrupt: str) -> None: ...
    """
    return click.option(
        "--on-interrupt",
        type=click.Choice(ON_INTERRUPT),
        default="ask",
        show_default=True,
        help="What Ctrl-C does to the run: ask (on a terminal; else stop), detach (hand it to "
        "a background worker) or stop (leave it for a later `gladier worker`).",
    )(function)


def detach_option(function: F) -> F:
    """The ``--detach`` option: hand the run to a background worker and return at once.

    Example::

        @click.command()
        @detach_option
        def run(detach: bool) -> None: ...
    """
    return click.option(
        "--detach",
        is_flag=True,
        help="Start the run, hand it to a background `gladier worker` (which exits when idle) "
        "and return at once; the run outlives the terminal.",
    )(function)


__all__ = [
    "BackgroundWorker",
    "detach_option",
    "detached_message",
    "following",
    "hand_over",
    "interrupted",
    "not_waiting_message",
    "on_interrupt_option",
    "report_started",
    "start_background_worker",
    "stopped_message",
    "wait_until_held",
    "what_becomes_of",
]
