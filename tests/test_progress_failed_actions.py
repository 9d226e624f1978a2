"""gladier.progress: a state whose action FAILED while its run went on is never shown as fine."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from gladier.progress import (
    ACTION_FAILED,
    RunProgress,
    action_failure,
    plain_line,
    print_outcome,
    progress_table,
    result_preview,
)

TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/lab/steps.py", line 12, in tar\n'
    "    raise ValueError('no such folder')\n"
    "ValueError: no such folder\n"
)


def failed_action(tasks: int = 1) -> dict[str, Any]:
    errors = [
        {
            "task_id": "t1",
            "index": 0,
            "function_id": "f1",
            "function_name": "tar",
            "code": "TaskFailed",
            "type": "ValueError",
            "message": "no such folder",
            "traceback": TRACE,
        }
    ]
    results: list[dict[str, Any]] = [{"task_id": "t1", "exception": TRACE}]
    results += [{"task_id": f"t{n}", "output": n} for n in range(2, tasks + 1)]
    return {
        "action_id": "tg_1",
        "status": "FAILED",
        "display_status": "FAILED",
        "details": {
            "code": "TaskFailed",
            "description": "Task 1 of 1 (function 'tar', f1) raised ValueError: no such folder",
            "exception": TRACE,
            "result": [TRACE],
            "results": results,
            "errors": errors,
        },
    }


def progress_of(output: Any, status: str = "SUCCEEDED") -> RunProgress:
    progress = RunProgress("r1", run={"run_id": "r1", "status": status})
    details = {"state_name": "Tar", "state_type": "Action"}
    progress.apply(
        [
            {"time": "2026-01-01T00:00:00+00:00", "code": "ActionStarted", "details": details},
            {
                "time": "2026-01-01T00:00:01+00:00",
                "code": "ActionCompleted",
                "details": {**details, "output": output},
            },
        ]
    )
    return progress


def text_of(renderable: Any = None, *, outcome: RunProgress | None = None) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, no_color=True)
    if outcome is not None:
        print_outcome(console, outcome)
    else:
        console.print(renderable)
    return buffer.getvalue()


def test_the_failure_is_read_from_the_action_document() -> None:
    failure = action_failure(failed_action(tasks=3))
    assert failure is not None
    assert failure.summary() == "tar raised ValueError: no such folder (1 of 3 tasks failed)"
    assert failure.where == 'File "/lab/steps.py", line 12, in tar'
    assert failure.traceback == TRACE.rstrip("\n")
    assert action_failure({"action_id": "a", "status": "SUCCEEDED"}) is None
    assert action_failure({"status": "FAILED"}) is None  # not an action's document


def test_the_state_is_shown_action_failed_everywhere() -> None:
    progress = progress_of(failed_action())
    visit = progress.visits[0]
    assert visit.status == "SUCCEEDED" and visit.shown_status == ACTION_FAILED
    assert progress.statuses() == {"Tar": "FAILED"}
    assert [v.name for v in progress.failed_actions()] == ["Tar"]
    assert "ACTION FAILED" in plain_line(visit)
    assert "tar raised ValueError: no such folder" in plain_line(visit)
    table = text_of(progress_table(progress))
    assert "ACTION FAILED" in table and "tar raised ValueError" in table


def test_the_closing_words_name_it_even_when_the_run_succeeded() -> None:
    said = text_of(outcome=progress_of(failed_action()))
    assert "1 action FAILED, but the run went on" in said
    assert "  Tar: tar raised ValueError: no such folder" in said
    assert '    at File "/lab/steps.py", line 12, in tar' in said
    assert "    the whole traceback: gladier runs show r1 --state Tar" in said


def test_a_clean_run_says_nothing_more() -> None:
    fine = {"action_id": "a", "status": "SUCCEEDED", "details": {"result": [1]}}
    progress = progress_of(fine)
    assert progress.failed_actions() == []
    assert "FAILED" not in text_of(outcome=progress)
    last = progress.last_output()
    assert last is not None and result_preview(last.output) == "[1]"
