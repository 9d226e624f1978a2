"""Following a run until it ends: :func:`watch_run`.

Example::

    final = watch_run(runtime, run_id)      # draws the progress, returns the final document
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from gladier.progress.display import Display, default_console, print_outcome
from gladier.progress.logs import LogFollower, RunSource
from gladier.progress.model import RunProgress

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["DEFAULT_INTERVAL", "WatchInterrupted", "watch_run"]

#: Seconds between two looks at the run while it goes on.
DEFAULT_INTERVAL: Final = 0.25


class WatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped watching; the run was not cancelled. ``run`` is its latest document.

    Example::

        try:
            watch_run(rt, run_id)
        except WatchInterrupted as stopped:
            print(stopped.run["status"])      # ACTIVE
    """

    def __init__(self, run: Mapping[str, Any]) -> None:
        super().__init__(f"stopped watching run {run.get('run_id')}")
        self.run = dict(run)


def watch_run(
    source: RunSource | Any,
    run_id: str,
    *,
    console: Console | None = None,
    on_update: Callable[[RunProgress], None] | None = None,
    show: bool = True,
    interval: float = DEFAULT_INTERVAL,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Follow ``run_id`` until it ends, showing its progress; return the final run document.

    :param source: anything with ``get_run`` and ``get_run_logs``: a Runtime, a globus-sdk
        ``FlowsClient``, the Gladier client. Its ``wait(run_id, timeout=...)``, if any, is used
        to pause between looks (and returns as soon as the run ends).
    :param console: where to draw (a rich ``Console``; default: standard output).
    :param on_update: called with the :class:`RunProgress` after every change.
    :param show: False draws nothing (``on_update`` is still called).
    :param interval: seconds between two looks while the run goes on.
    :param timeout: give up after this many seconds with ``TimeoutError`` (the run goes on).
    :raises WatchInterrupted: on Ctrl-C, after saying that the run was not cancelled.

    Example::

        final = watch_run(rt, run_id)                       # draws, returns when done
        final = watch_run(rt, run_id, show=False,
                          on_update=lambda p: print(p.status, p.active and p.active.name))
    """
    if console is None and show:
        console = default_console()
    display = Display(console) if show and console is not None else None
    progress = RunProgress(run_id)
    follower = LogFollower(source, run_id)
    deadline = None if timeout is None else time.monotonic() + timeout
    if display is not None:
        display.start()
    try:
        while True:
            changed = progress.set_run(source.get_run(run_id))
            changed = progress.apply(follower.fetch()) or changed
            if changed or (display is not None and display.terminal):
                if display is not None:
                    display.update(progress)
                if on_update is not None and changed:
                    on_update(progress)
            if progress.finished:
                break
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"Run {run_id} is still {progress.status} after {timeout} s")
            _pause(source, run_id, interval)
    except KeyboardInterrupt:
        if display is not None:
            display.stop(progress)
            display = None
        if console is not None:
            console.print(
                f"Stopped watching. The run was not cancelled: run {run_id} is "
                f"{progress.status}. Watch it again with: gladier runs watch {run_id}",
                highlight=False,
            )
        raise WatchInterrupted(progress.run or {"run_id": run_id}) from None
    finally:
        if display is not None:
            display.stop(progress)
    if console is not None and show:
        print_outcome(console, progress)
    return progress.run


def _pause(source: Any, run_id: str, interval: float) -> None:
    wait = getattr(source, "wait", None)
    if callable(wait):
        with contextlib.suppress(TimeoutError):
            wait(run_id, timeout=interval)
        return
    time.sleep(interval)
