"""After a command started a run: watch it to its end, or let go of it.

``gladier flows run`` and ``gladier runs rerun`` end with :func:`follow_started`;
; ``gladier runs watch`` with :func:`watch_until_done`.

Example::

    started = rt.run_flow(flow_id, body)
    follow_started(rt, started, let_go=False, detach=False, on_interrupt="ask", as_json=False)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gladier.cli.detach import following, report_started
from gladier.cli.output import console, exit_for_status, print_json, runtime

if TYPE_CHECKING:
    from gladier.progress import RunProgress

__all__ = ["follow_started", "load_progress", "watch_until_done"]


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


def follow_started(
    rt: Any,
    started: Mapping[str, Any],
    *,
    let_go: bool,
    detach: bool,
    on_interrupt: str,
    as_json: bool,
) -> None:
    """After this command started a run: let go of it (``--no-wait``/``--detach``, handing it
    to a background worker when ``detach``), or run and watch it to its end and exit with its
    code (Ctrl-C does what ``on_interrupt`` says).

    Example::

        started = rt.run_flow(flow_id, body)
        follow_started(rt, started, let_go=False, detach=False, on_interrupt="ask", as_json=False)
    """
    run_id = str(started["run_id"])
    if let_go:
        rt.close()  # this process stops running the run: it is released at once
        report_started(started, rt.home, detach=detach, as_json=as_json)
        return
    with following(run_id, rt.home, on_interrupt=on_interrupt, stop=rt.close):
        final, failed = watch_until_done(rt, run_id, as_json=as_json)
    if as_json:
        print_json(final)
    exit_for_status(final.get("status"), failed)
