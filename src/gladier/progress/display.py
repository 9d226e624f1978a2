"""Drawing a run's progress: a rich table for terminals, plain lines for logs, closing words.

Example::

    from rich.console import Console
    Console().print(progress_table(progress))
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from gladier.progress.model import ACTION_FAILED, RunProgress, StateVisit, epoch_seconds

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

__all__ = [
    "PLAIN_WIDTH",
    "STATUS_STYLES",
    "Display",
    "default_console",
    "format_duration",
    "plain_header",
    "plain_line",
    "print_failed_actions",
    "print_outcome",
    "progress_table",
    "result_preview",
    "run_duration",
]

#: Width of tables when the output is not a terminal (pipes, CI logs, tests).
PLAIN_WIDTH: Final = 120
#: Longest error shown on the plain line of a failed state (the closing words give it whole).
PLAIN_ERROR_WIDTH: Final = 100
#: Longest result shown at the end of ``gladier run`` (the command it names prints it whole).
RESULT_PREVIEW_WIDTH: Final = 200

STATUS_STYLES: Final = {
    "SUCCEEDED": "green",
    "FAILED": "bold red",
    ACTION_FAILED: "bold red",
    "ACTIVE": "yellow",
    "INACTIVE": "dark_orange",
    "CAUGHT": "red",
    "CANCELED": "dim",
    "ENDED": "dim",
}


def _clock(stamp: Any) -> str:
    seconds = epoch_seconds(stamp)
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds).strftime("%H:%M:%S")


def default_console(*, stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr): as detected on a terminal; elsewhere (pipes, CI
    logs) without colour, 120 columns wide (or ``$COLUMNS``) and without wrapping free text.

    Example::

        default_console().print(progress_table(progress))
    """
    import os

    console_class = _pipe_console_class()
    probe = console_class(stderr=stderr, highlight=False)
    if probe.is_terminal:
        return probe
    width = int(os.environ.get("COLUMNS", 0) or 0) or PLAIN_WIDTH
    return console_class(stderr=stderr, width=width, no_color=True, highlight=False, soft_wrap=True)


@functools.cache
def _pipe_console_class() -> type[Console]:
    """A rich ``Console`` that lets a closed pipe raise ``BrokenPipeError`` (rich's own exits
    with code 1, which hides why; the ``gladier`` command exits 141 as a shell would)."""
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError("the reader of the output went away")

    return PipeConsole


def format_duration(seconds: float | None) -> str:
    """A short human duration.

    Example::

        >>> [format_duration(s) for s in (0.0423, 7.25, 125, 4000, None)]
        ['0.04 s', '7.2 s', '2 m 05 s', '1 h 06 m', '']
    """
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} m {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} m"


def run_duration(run: Mapping[str, Any], now: float | None = None) -> float | None:
    """Seconds from the run's start to its completion (or to ``now``).

    Example::

        >>> run_duration({"start_time": "2026-01-01T00:00:00+00:00",
        ...               "completion_time": "2026-01-01T00:00:02.5+00:00"})
        2.5
    """
    start = epoch_seconds(run.get("start_time"))
    end = epoch_seconds(run.get("completion_time")) or now
    return None if start is None or end is None else max(0.0, end - start)


#: The widest the Note column of the progress table gets.
NOTE_MAX_WIDTH: Final = 50

#: Columns of the progress table other than its Note, and the borders and padding of all 7.
_TABLE_FRAME: Final = 8 + 7 * 2


def progress_table(
    progress: RunProgress, now: float | None = None, *, width: int | None = None
) -> RenderableType:
    """The rich table of a run's states (the live view and ``gladier runs show``).

    With the terminal's ``width``, the Note column (the error of a failed state, the branch
    a Choice took) gets only the room the other columns leave, so on a narrow terminal the
    note is cut short rather than the state names and statuses.

    Example::

        from rich.console import Console
        console = Console()
        console.print(progress_table(progress, width=console.width))
    """
    from rich.table import Table

    rows = _table_rows(progress, now)
    note_width = NOTE_MAX_WIDTH
    if width is not None:
        headers = ("", "State", "Type", "Status", "Started", "Duration")
        fixed = sum(
            max([len(header), *(len(row[index].plain) for row in rows)])
            for index, header in enumerate(headers)
        )
        room = width - fixed - _TABLE_FRAME
        if room < len("Note"):  # not even the table without its notes fits: one line a state
            return _narrow_view(progress, rows, now)
        note_width = min(NOTE_MAX_WIDTH, room)
    run = progress.run
    title = run.get("label") or run.get("flow_title") or "run"
    table = Table(
        title=f"{title} · {progress.run_id}",
        title_justify="left",
        caption=_caption(progress, now),
        caption_justify="left",
        expand=False,
    )
    table.add_column("", width=1, no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("Type", style="dim", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Started", no_wrap=True, min_width=8)
    table.add_column("Duration", justify="right", no_wrap=True, min_width=8)
    table.add_column("Note", no_wrap=True, overflow="ellipsis", max_width=note_width)
    for row in rows:
        table.add_row(*row)
    return table


def _narrow_view(
    progress: RunProgress, rows: list[list[Text]], now: float | None
) -> RenderableType:
    """The progress table for a terminal too narrow for it: each state on a line of its own
    (marker, name, type, status, start, duration), its note on the next, lines wrapped whole.
    """
    from rich.console import Group
    from rich.text import Text

    run = progress.run
    title = run.get("label") or run.get("flow_title") or "run"
    lines: list[Text] = [Text(f"{title} · {progress.run_id}")]
    for marker, name, kind, status, started, took, note in rows:
        line = Text.assemble(
            (marker.plain or " ", marker.style),
            " ",
            name,
            (f" ({kind.plain})", "dim"),
            "  ",
            status,
            f"  {started.plain}  {took.plain}".rstrip(),
        )
        lines.append(line)
        if note.plain:
            note.truncate(PLAIN_ERROR_WIDTH, overflow="ellipsis")
            lines.append(Text.assemble("    ", note))
    lines.append(Text(_caption(progress, now), style="dim"))
    return Group(*lines)


def _table_rows(progress: RunProgress, now: float | None) -> list[list[Text]]:
    from rich.text import Text

    rows = []
    active = progress.active if not progress.finished else None
    for visit in progress.visits:
        marker = "▶" if visit is active else ""
        alarm = visit.error or (visit.failed_action and visit.failed_action.summary())
        note = alarm or visit.note or ""
        status = visit.shown_status
        rows.append(
            [
                Text(marker, style="bold yellow"),
                Text(visit.name, style="bold" if visit is active else ""),
                Text(visit.type),
                Text(status, style=STATUS_STYLES.get(status, "")),
                Text(_clock(visit.started)),
                Text(format_duration(visit.duration(now))),
                Text(note, style="red" if alarm else "dim"),
            ]
        )
    return rows


def _caption(progress: RunProgress, now: float | None) -> str:
    status = progress.status
    took = format_duration(run_duration(progress.run, now))
    return f"{status} · {took}" if took else status


def plain_line(visit: StateVisit) -> str:
    """One line for a visit, for output that is not a terminal.

    Example::

        >>> plain_line(StateVisit("Tar", "Action", "ACTIVE"))
        'Tar                       ACTIVE'
    """
    took = format_duration(visit.duration()) if visit.ended else ""
    status = visit.shown_status
    parts = [_clock(visit.ended or visit.started), f"{visit.name:<24}", f"{status:<9}", took]
    failed = visit.failed_action.summary() if visit.failed_action is not None else None
    if visit.error or failed:
        # A failure is told in full by the closing words; a caught error only here.
        error = str(visit.error or failed)
        if status in ("FAILED", ACTION_FAILED) and len(error) > PLAIN_ERROR_WIDTH:
            error = error[: PLAIN_ERROR_WIDTH - 1] + "…"
        parts.append(f"- {error}")
    elif visit.note:
        parts.append(visit.note)
    return "  ".join(p for p in parts if p).rstrip()


def plain_header(progress: RunProgress) -> str:
    """The first plain line: which run is being watched.

    Example::

        >>> plain_header(RunProgress("r1", run={"label": "first", "flow_title": "Tar"}))
        "Run r1 · first · flow 'Tar'"
    """
    run = progress.run
    words = [f"Run {progress.run_id}"]
    if run.get("label"):
        words.append(str(run["label"]))
    if run.get("flow_title"):
        words.append(f"flow {run['flow_title']!r}")
    return " · ".join(words)


def print_outcome(console: Console, progress: RunProgress) -> None:
    """The closing words: how the run ended and, on failure, why (with the traceback).

    Example::

        print_outcome(default_console(), progress)   # Run r1 FAILED in 2.1 s. / Failed at state ...
    """
    from rich.text import Text

    run = progress.run
    status = progress.status
    took = format_duration(run_duration(run))
    ending = f" in {took}." if took else "."
    style = STATUS_STYLES.get(status, "")
    console.print(Text.assemble(f"Run {progress.run_id} ", (status, style), ending))
    print_failed_actions(console, progress)
    if status == "SUCCEEDED":
        return
    details = run.get("details") if isinstance(run.get("details"), Mapping) else {}
    if (details or {}).get("code") == "FlowCanceled":
        console.print("It was cancelled.", highlight=False)
        return
    visit = progress.failure()
    if visit is not None:
        console.print(f"Failed at state {visit.name}: {visit.error}", style="red", highlight=False)
        if visit.traceback:
            console.print(visit.traceback, style="dim", highlight=False, markup=False)
    for caught in progress.visits:
        if caught.status == "CAUGHT" and caught.traceback and caught is not visit:
            console.print(f"Caught at {caught.name}: {caught.error}", highlight=False)


def print_failed_actions(console: Console, progress: RunProgress) -> None:
    """Name every state whose action FAILED while the run went on: the function, the
    exception's type and message, where it was raised, and the command that shows it all.

    Example::

        print_failed_actions(default_console(), progress)
        # 1 action FAILED, but the run went on (ExceptionOnActionFailure is false): ...
    """
    import shlex

    failed = progress.failed_actions()
    if not failed:
        return
    count = f"{len(failed)} action{'s' if len(failed) != 1 else ''}"
    console.print(
        f"{count} FAILED, but the run went on (ExceptionOnActionFailure is false; "
        "`gladier run --strict` or strict_compute = True on the client fails the run instead):",
        style="red",
        markup=False,
        highlight=False,
    )
    for visit in failed:
        failure = visit.failed_action
        assert failure is not None
        console.print(f"  {visit.name}: {failure.summary()}", markup=False, highlight=False)
        if failure.where:
            console.print(f"    at {failure.where}", style="dim", markup=False, highlight=False)
        command = f"gladier runs show {progress.run_id} --state {shlex.quote(visit.name)}"
        console.print(
            f"    the whole traceback: {command}", style="dim", markup=False, highlight=False
        )


def result_preview(output: Any, width: int = RESULT_PREVIEW_WIDTH) -> str:
    """A state's result as one line of compact JSON, cut to ``width`` characters.

    For an action's status document that is its ``details.result`` (what a Compute function
    returned) when it has one, else its ``details``.

    Example::

        >>> result_preview({"action_id": "a", "status": "SUCCEEDED",
        ...                 "details": {"result": [42], "results": []}})
        '[42]'
        >>> result_preview({"text": "x" * 300}, width=20)
        '{"text": "xxxxxxxxx…'
    """
    import json

    value = output
    if isinstance(output, Mapping) and "action_id" in output and "status" in output:
        details = output.get("details")
        if isinstance(details, Mapping):
            value = details.get("result", details)
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


class Display:
    """Draws progress: a live table on a terminal, plain lines elsewhere.

    Example::

        display = Display(default_console())
        display.start()
        display.update(progress)     # after each change
        display.stop(progress)
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self.terminal = console.is_terminal
        self.live: Any = None
        self._printed: dict[int, str] = {}
        self._header_done = False

    def start(self) -> None:
        if self.terminal:
            from rich.live import Live

            self.live = Live(console=self.console, auto_refresh=False, transient=False)
            self.live.start()

    def update(self, progress: RunProgress) -> None:
        if self.live is not None:
            self.live.update(
                progress_table(progress, time.time(), width=self.console.width), refresh=True
            )
            return
        if not self._header_done and progress.run:
            self._header_done = True
            self.console.print(plain_header(progress), highlight=False, markup=False)
        for index, visit in enumerate(progress.visits):
            line = plain_line(visit)
            key = f"{visit.shown_status}:{visit.error}:{visit.note}"
            if self._printed.get(index) != key:
                self._printed[index] = key
                self.console.print(line, highlight=False, markup=False, soft_wrap=True)

    def stop(self, progress: RunProgress) -> None:
        if self.live is not None:
            self.live.update(progress_table(progress, width=self.console.width), refresh=True)
            self.live.stop()
            self.live = None
