"""Engine switches for the points where Globus Flows behaviour is disputed (spec §13).

Each switch has the spec's recommended default. Pass overrides as a mapping to
``Runtime(options={...})``; unknown names are refused with the list of known ones.

Example::

    from gladier.runtime import Runtime
    rt = Runtime(options={"pass_inputpath_moves": True, "cancel_status": "ENDED"})
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from gladier.exc import ConfigException


@dataclass(frozen=True)
class RuntimeOptions:
    """All runtime switches, with the defaults of spec §13 and the service limits."""

    #: ``ExceptionOnActionFailure`` when a state omits it (prose docs say true).
    action_failure_default: bool = True
    #: Pass with ``InputPath`` and ``ResultPath`` removes the source key (the documented example).
    pass_inputpath_moves: bool = False
    #: Final status of a cancelled run: ``FAILED`` (code FlowCanceled) or ``ENDED``.
    cancel_status: str = "FAILED"
    #: Whether ``States.ALL`` in a Catch also catches ``States.Runtime``.
    catch_runtime_errors: bool = False
    #: Allow ExpressionEval without ``ResultPath`` (then it replaces the whole state).
    expressioneval_default_resultpath: bool = False
    #: Reject definitions with unreachable states instead of only warning.
    reject_unreachable: bool = False
    #: Add ``len``, ``min``, ``max``, ``abs``, ``round``, ``sum``, ``sorted``, ``range``,
    #: ``bool`` to the expression language.
    extra_expression_functions: bool = False
    #: First poll interval (seconds) of an action that answered ACTIVE; doubled each poll.
    poll_initial_interval: float = 1.0
    #: Longest interval between two polls of one action (seconds).
    poll_max_interval: float = 600.0
    #: Largest run state, in bytes of JSON.
    max_run_state_bytes: int = 200_000
    #: Longest run label.
    max_label_length: int = 64
    #: Seconds a run lease lasts before another process may take the run over.
    lease_seconds: float = 15.0
    #: Unknown compute endpoint ids are an error instead of running on the default endpoint.
    strict_endpoints: bool = False
    #: Largest compute task payload, in bytes of JSON.
    max_compute_payload_bytes: int = 5 * 1024 * 1024
    #: Days a finished run is kept: the scheduler removes finished runs completed longer ago
    #: (with their logs and compute tasks), a batch at a time. ``None`` (the default) keeps
    #: every run until ``gladier runs prune`` or :meth:`Runtime.prune_runs` removes it.
    run_retention_days: float | None = None
    #: Extra, free-form settings for providers (name -> value).
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | RuntimeOptions | None) -> RuntimeOptions:
        """Build options from a mapping, refusing unknown names and bad values."""
        if values is None:
            return cls()
        if isinstance(values, RuntimeOptions):
            return values
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigException(
                f"Unknown runtime option(s) {', '.join(unknown)}; "
                f"known options are: {', '.join(sorted(known))}"
            )
        hints = typing.get_type_hints(cls)
        for name, value in values.items():
            _check_type(name, value, hints.get(name))
        opts = dataclasses.replace(cls(), **dict(values))
        if opts.cancel_status not in ("FAILED", "ENDED"):
            raise ConfigException(
                f"cancel_status must be 'FAILED' or 'ENDED', not {opts.cancel_status!r}"
            )
        for name in ("poll_initial_interval", "poll_max_interval", "lease_seconds"):
            if getattr(opts, name) <= 0:
                raise ConfigException(f"{name} must be a positive number of seconds")
        for name in ("max_run_state_bytes", "max_label_length", "max_compute_payload_bytes"):
            if getattr(opts, name) < 1:
                raise ConfigException(f"{name} must be a positive whole number")
        retention = opts.run_retention_days
        if retention is not None and (
            isinstance(retention, bool) or not isinstance(retention, (int, float)) or retention <= 0
        ):
            raise ConfigException(
                f"run_retention_days must be a positive number of days or None, not {retention!r}"
            )
        return opts


def _check_type(name: str, value: Any, expected: Any) -> None:
    """Refuse an option value whose type does not match the field (``"x"`` for an int, ...)."""
    if expected is bool:
        ok, wanted = isinstance(value, bool), "true or false"
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        wanted = "a whole number"
    elif expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        wanted = "a finite number"
    elif expected is str:
        ok, wanted = isinstance(value, str), "a string"
    elif typing.get_origin(expected) is Mapping:
        ok, wanted = isinstance(value, Mapping), "a mapping"
    else:  # a field type this check does not know: the field's own checks apply
        return
    if not ok:
        raise ConfigException(
            f"The runtime option {name} must be {wanted}, not {type(value).__name__} "
            f"({str(value)[:60]!r}); the default is {getattr(RuntimeOptions(), name)!r}"
        )
