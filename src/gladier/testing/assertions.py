"""Assertions on a finished run and its log, with messages that say what happened instead.

Each takes a :class:`~gladier.testing.ClientRun` and raises :class:`AssertionError` (so pytest
shows the message) or returns what it found.

Example::

    result = run_client(MyClient, {"input": {...}})
    assert_run_succeeded(result)
    assert_state_succeeded(result, "Tar")
    assert_state_failed(other, "Transfer", error="ActionFailedException")
    assert_log_contains(result, code="ActionStarted", state="Tar")
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gladier.testing.result import ClientRun

__all__ = [
    "assert_log_contains",
    "assert_run_failed",
    "assert_run_succeeded",
    "assert_state_failed",
    "assert_state_succeeded",
]


def _summary(result: ClientRun) -> str:
    lines = []
    for entry in result.log:
        details = entry.get("details")
        state = details.get("state_name") if isinstance(details, Mapping) else None
        lines.append(f"  {entry.get('code')}" + (f" ({state})" if state else ""))
    return "\n".join(lines) or "  (empty)"


def _contains(actual: Any, expected: Any) -> bool:
    """Whether ``actual`` has every key of ``expected`` with a matching value (recursively for
    dicts; other values must be equal)."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and _contains(actual[key], value) for key, value in expected.items()
        )
    return bool(actual == expected)


def assert_run_succeeded(result: ClientRun) -> ClientRun:
    """The run ended ``SUCCEEDED``; otherwise the message names the failed state and error.

    Example::

        assert_run_succeeded(run_client(MyClient, {"input": {}}))
    """
    if result.status != "SUCCEEDED":
        raise AssertionError(f"Expected the run to succeed. {result.describe()}")
    return result


def assert_run_failed(
    result: ClientRun, *, state: str | None = None, error: str | None = None
) -> dict[str, Any]:
    """The run ended ``FAILED`` (in ``state``, with ``error`` such as ``ActionFailedException``,
    when given); returns the failure ``{"state_name", "exception", "error", "cause"}``.

    Example::

        failure = assert_run_failed(result, state="Transfer")
        failure["cause"]["details"]
    """
    failure = result.failure
    if failure is None:
        raise AssertionError(f"Expected the run to fail. {result.describe()}")
    if state is not None and failure.get("state_name") != state:
        raise AssertionError(f"Expected the run to fail in state {state!r}. {result.describe()}")
    if error is not None and failure.get("error") != error:
        raise AssertionError(f"Expected the run to fail with {error}. {result.describe()}")
    return failure


def assert_state_succeeded(result: ClientRun, state: str) -> Any:
    """``state`` completed, and, for an Action state, its action ended ``SUCCEEDED``; returns
    the state's output.

    Example::

        action = assert_state_succeeded(result, "Tar")
        action["details"]["results"][0]["output"]
    """
    outputs = result.outputs(state)
    if not outputs:
        raise AssertionError(
            f"Expected state {state!r} to succeed, but it never completed. {result.describe()}"
        )
    output = outputs[-1]
    codes = result.codes(state)
    last_completion = max(i for i, code in enumerate(codes) if code.endswith("Completed"))
    if codes[last_completion] == "ActionCompleted":
        status = output.get("status") if isinstance(output, Mapping) else None
        if status != "SUCCEEDED":
            raise AssertionError(
                f"Expected state {state!r} to succeed, but its action ended {status} with "
                f"details {output.get('details') if isinstance(output, Mapping) else output!r}"
            )
    return output


def assert_state_failed(result: ClientRun, state: str, *, error: str | None = None) -> Any:
    """``state`` failed: the run failed there, or its error was caught (an ``ActionFailed`` or
    ``StateFailed`` event), or its action ended ``FAILED`` with ``ExceptionOnActionFailure``
    off. ``error`` (such as ``ActionUnableToRun``) must match when given. Returns the cause.

    Example::

        cause = assert_state_failed(result, "Transfer", error="ActionFailedException")
    """
    failure = result.failure
    if failure is not None and failure.get("state_name") == state:
        if error is not None and failure.get("error") != error:
            raise AssertionError(
                f"State {state!r} failed with {failure.get('error')}, not {error}. "
                f"{result.describe()}"
            )
        return failure.get("cause")
    for entry in result.log:
        details = entry.get("details")
        if not isinstance(details, Mapping) or details.get("state_name") != state:
            continue
        if entry.get("code") in ("ActionFailed", "StateFailed") and (
            error is None or details.get("error") == error
        ):
            return details.get("cause")
        if error is None and entry.get("code") == "ActionCompleted":
            output = details.get("output")
            if isinstance(output, Mapping) and output.get("status") == "FAILED":
                return output.get("details")
    wanted = f" with {error}" if error else ""
    raise AssertionError(
        f"Expected state {state!r} to fail{wanted}. {result.describe()}\nLog:\n{_summary(result)}"
    )


def assert_log_contains(
    result: ClientRun,
    *,
    code: str | None = None,
    state: str | None = None,
    description: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Some log entry matches every criterion given; returns the first that does.

    ``code`` is the event code (``ActionStarted``, ``FlowSucceeded``, ...), ``state`` the state
    it is about, ``description`` a substring of its description, and ``details`` a dict whose
    keys must all be in the entry's details with matching values (nested dicts match by
    their keys too).

    Example::

        entry = assert_log_contains(result, code="ActionStarted", state="Tar",
                                    details={"input": {"tasks": [...]}})
    """
    if code is None and state is None and description is None and details is None:
        from gladier.exc import ConfigException

        raise ConfigException("assert_log_contains needs code=, state=, description= or details=")
    for entry in result.log:
        entry_details = entry.get("details")
        if code is not None and entry.get("code") != code:
            continue
        if state is not None and (
            not isinstance(entry_details, Mapping) or entry_details.get("state_name") != state
        ):
            continue
        if description is not None and description not in str(entry.get("description", "")):
            continue
        if details is not None and not _contains(entry_details, details):
            continue
        return entry
    wanted = {
        key: value
        for key, value in (
            ("code", code),
            ("state", state),
            ("description", description),
            ("details", details),
        )
        if value is not None
    }
    raise AssertionError(
        f"No log entry matches {json.dumps(wanted, default=repr)}. The log of run "
        f"{result.run_id}:\n{_summary(result)}"
    )
