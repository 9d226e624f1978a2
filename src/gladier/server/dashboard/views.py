"""What the dashboard's pages show, built from the runtime's documents (no HTTP here).

Each function takes the documents the runtime returns (run documents, log entries, flow
definitions) and gives plain data the templates lay out; the templates escape every value.

Example::

    >>> entries = [
    ...     {"time": "2026-01-01T00:00:00+00:00", "code": "PassStarted",
    ...      "details": {"state_name": "A", "state_type": "Pass", "input": {"n": 1}}},
    ...     {"time": "2026-01-01T00:00:02+00:00", "code": "PassCompleted",
    ...      "details": {"state_name": "A", "state_type": "Pass", "output": {"n": 2}}},
    ... ]
    >>> [(s.name, s.status, s.duration, s.input) for s in timeline({"status": "ACTIVE"}, entries)]
    [('A', 'SUCCEEDED', '2.0 s', {'n': 1})]
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from gladier.progress.display import format_duration
from gladier.progress.model import TERMINAL, RunProgress, epoch_seconds

__all__ = [
    "RUN_STATUSES",
    "StateRow",
    "dot_available",
    "graph_svg",
    "json_text",
    "run_duration",
    "statuses_of",
    "timeline",
]

#: The statuses a run can have, in the order the filter offers them.
RUN_STATUSES: Final = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED", "ENDED")
#: Longest JSON text shown on a page before it is cut (the full value stays in the API).
MAX_JSON_CHARS: Final = 20_000


def json_text(value: Any, limit: int = MAX_JSON_CHARS) -> str:
    """``value`` as indented JSON, cut after ``limit`` characters with a note saying so.

    Example::

        >>> print(json_text({"a": [1, 2]}))
        {
          "a": [
            1,
            2
          ]
        }
        >>> json_text("x" * 50, limit=10)
        '"xxxxxxxxx… (52 characters in all; cut at 10)'
    """
    text = json.dumps(value, indent=2, sort_keys=False, default=str, ensure_ascii=False)
    if len(text) > limit:
        return f"{text[:limit]}… ({len(text)} characters in all; cut at {limit})"
    return text


def run_duration(run: Mapping[str, Any], now: float) -> str:
    """How long the run took (or has taken so far, for one still going), shortly.

    Example::

        >>> run_duration({"start_time": "2026-01-01T00:00:00+00:00",
        ...               "completion_time": "2026-01-01T00:02:05+00:00"}, now=0)
        '2 m 05 s'
    """
    start = epoch_seconds(run.get("start_time"))
    if start is None:
        return ""
    end = epoch_seconds(run.get("completion_time"))
    if end is None:
        end = now if run.get("status") not in TERMINAL else None
    return "" if end is None else format_duration(max(0.0, end - start))


@dataclass(frozen=True)
class StateRow:
    """One pass through a state, as the run page's timeline shows it."""

    name: str
    type: str
    status: str
    started: str | None
    ended: str | None
    duration: str
    input: Any
    output: Any
    has_output: bool
    note: str | None
    error: str | None
    traceback: str | None


def timeline(
    run: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], now: float | None = None
) -> list[StateRow]:
    """The states the run went through, oldest first, from its log ``entries``.

    A state's input is the one its ``…Started`` event recorded; its output the one of its
    ``…Completed`` event. ``now`` gives the running time of the active state.
    """
    progress = RunProgress(str(run.get("run_id", "")))
    progress.set_run(run)
    progress.apply(entries)
    inputs = [
        (entry.get("details") or {}).get("input")
        for entry in entries
        if str(entry.get("code", "")).endswith("Started")
        and entry.get("code") != "FlowStarted"
        and isinstance((entry.get("details") or {}).get("state_name"), str)
    ]
    rows = []
    for index, visit in enumerate(progress.visits):
        failure = visit.failed_action
        error = visit.error or (failure.summary() if failure is not None else None)
        trace = visit.traceback or (failure.traceback if failure is not None else None)
        rows.append(
            StateRow(
                name=visit.name,
                type=visit.type,
                status=visit.shown_status,
                started=visit.started,
                ended=visit.ended,
                duration=format_duration(visit.duration(now)),
                input=inputs[index] if index < len(inputs) else None,
                output=visit.output,
                has_output=visit.ended is not None and visit.status != "FAILED",
                note=visit.note,
                error=error,
                traceback=trace,
            )
        )
    return rows


def statuses_of(rows: Sequence[StateRow]) -> dict[str, str]:
    """``{state: status of its latest pass}`` for colouring the graph (action failures FAILED).

    Example::

        >>> row = StateRow("A", "Pass", "SUCCEEDED", None, None, "", None, None, True,
        ...                None, None, None)
        >>> statuses_of([row])
        {'A': 'SUCCEEDED'}
    """
    out: dict[str, str] = {}
    for row in rows:
        out[row.name] = "FAILED" if row.status == "ACTION FAILED" else row.status
    return out


def dot_available(dot_program: str | None = None) -> bool:
    """Whether Graphviz's ``dot`` (``dot_program`` or the one on ``PATH``) can draw SVG."""
    program = dot_program or shutil.which("dot")
    return program is not None and shutil.which(program) is not None


def graph_svg(
    definition: Mapping[str, Any],
    statuses: Mapping[str, str] | None = None,
    *,
    dot_program: str | None = None,
) -> str | None:
    """``definition`` drawn as SVG by Graphviz (states coloured by ``statuses``), or ``None``
    when ``dot`` is missing or cannot draw it (the page then shows the text tree).

    Example::

        >>> d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> graph_svg(d, dot_program="no-such-dot") is None
        True
    """
    from gladier.exc import ConfigException
    from gladier.graph import render

    if not dot_available(dot_program):
        return None
    try:
        return str(render(definition, "svg", statuses, dot_program=dot_program))
    except ConfigException:
        return None
