"""Live progress of a run: every state with its status, start and duration, drawn as it changes.

:func:`watch_run` follows a run through ``get_run`` and ``get_run_logs`` (so it works with the
embedded :class:`~gladier.runtime.Runtime`, a globus-sdk ``FlowsClient`` or the Gladier client)
until the run ends, and returns the final run document. On a terminal it redraws a table in
place (the active state marked ``▶``); otherwise it prints one plain line per change, which
suits logs and CI. On failure it shows the error and, for a failed compute task, its traceback.
A state whose action FAILED while the run went on (``ExceptionOnActionFailure: false``, as in
the Compute states Gladier generates) is shown ``ACTION FAILED`` and named in the closing words.
Ctrl-C stops watching, says that the run goes on, and raises :class:`WatchInterrupted`.

Example::

    from gladier.progress import watch_run
    from gladier.runtime import Runtime

    with Runtime() as rt:
        run = rt.run_flow(flow_id, {"input": {}})
        final = watch_run(rt, run["run_id"])
        print(final["status"])                # SUCCEEDED

:class:`RunProgress` is the model behind the display, built from the run's event log; it is
also what ``on_update`` receives, and what ``gladier runs show`` prints.
"""

from __future__ import annotations

from gladier.progress.display import (
    STATUS_STYLES,
    format_duration,
    plain_line,
    print_failed_actions,
    print_outcome,
    progress_table,
    result_preview,
    run_duration,
)
from gladier.progress.logs import PAGE_SIZE, LogFollower, RunSource, read_progress
from gladier.progress.model import (
    ACTION_FAILED,
    TERMINAL,
    ActionFailure,
    RunProgress,
    StateVisit,
    action_failure,
    explain_error,
)
from gladier.progress.watch import DEFAULT_INTERVAL, WatchInterrupted, watch_run

__all__ = [
    "ACTION_FAILED",
    "DEFAULT_INTERVAL",
    "PAGE_SIZE",
    "STATUS_STYLES",
    "TERMINAL",
    "ActionFailure",
    "LogFollower",
    "RunProgress",
    "RunSource",
    "StateVisit",
    "WatchInterrupted",
    "action_failure",
    "explain_error",
    "format_duration",
    "plain_line",
    "print_failed_actions",
    "print_outcome",
    "progress_table",
    "read_progress",
    "result_preview",
    "run_duration",
    "watch_run",
]
