"""Validation of flow definitions, as the Globus Flows service applies it (spec §1.5).

:func:`validate_definition` checks a definition (and optionally its input schema) and returns a
:class:`ValidationReport` listing every problem at once, in the pydantic-style shape the service
answers with on HTTP 422: ``{"loc": [...], "msg": "...", "type": "..."}``, where ``loc`` is the key
path inside the request body and so starts with ``"definition"`` or ``"input_schema"``. It never
raises for bad input: a definition that is a list, a string or ``None`` is reported like any other
problem.

The ``type`` of an error is one of ``value_error`` (a rule is broken), ``value_error.missing`` (a
required field is absent), ``value_error.extra`` (an unknown or unsupported field),
``value_error.path`` / ``value_error.expression`` / ``value_error.url`` / ``value_error.number`` /
``value_error.datetime`` (a field's value is malformed), ``value_error.jsonschema`` (the input
schema is not a valid JSON Schema) and ``type_error.<kind>`` (a field has the wrong JSON type).

The checks live in ``validation_fields`` (paths, Parameters, shared helpers), ``validation_states``
(one function per state type, Catch) and ``validation_choice`` (Choice rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.exc import FlowValidationError
from gladier.runtime.language.json_values import json_problems
from gladier.runtime.language.schemas import schema_problems
from gladier.runtime.language.validation_fields import (
    Context,
    Problems,
    check_closed,
    check_type,
    describe,
    key_name,
    missing_target_message,
)
from gladier.runtime.language.validation_states import check_state
from gladier.runtime.options import RuntimeOptions

__all__ = ["MAX_POSSIBILITIES", "ValidationReport", "validate_definition"]

#: ``analysis.number_of_possibilities`` never exceeds this (nor does the work to count it).
MAX_POSSIBILITIES = 10_000
_MAX_STEPS = 200_000

_TOP_LEVEL = frozenset({"StartAt", "States", "Comment"})
_ASL_TOP_LEVEL = {
    key: f"{key!r} is an Amazon States Language field that Globus Flows does not support; remove "
    "it (allowed top-level fields: Comment, StartAt, States)"
    for key in ("Version", "TimeoutSeconds", "QueryLanguage")
}


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate_definition`.

    ``errors`` holds ``{"loc", "msg", "type"}`` items, ``warnings`` plain messages (such as
    unreachable states), ``analysis`` ``{"number_of_possibilities": n}`` and ``scopes`` the
    ``ActionScope`` values by ``RunAs`` role (``{}`` when no state names a scope).
    """

    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    analysis: dict[str, Any] = field(default_factory=dict)
    scopes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings do not count)."""
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise :class:`~gladier.exc.FlowValidationError` listing every error, if any."""
        if self.errors:
            raise FlowValidationError(self.errors)


def validate_definition(
    definition: Any, input_schema: Any = None, *, options: RuntimeOptions | None = None
) -> ValidationReport:
    """Check a flow definition (and its input schema) the way Globus Flows does.

    Every problem is reported, never only the first, and bad input of any type becomes an error
    instead of an exception. ``options`` supplies ``reject_unreachable`` (unreachable states are
    errors instead of warnings) and ``expressioneval_default_resultpath`` (ExpressionEval states
    may omit ``ResultPath``).

    Example::

        >>> report = validate_definition({"StartAt": "S", "States": {"S": {"Type": "Pass"}}})
        >>> report.ok
        False
        >>> report.errors[0]["loc"], report.errors[0]["type"]
        (['definition', 'States', 'S'], 'value_error')
        >>> validate_definition(
        ...     {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}}
        ... ).analysis
        {'number_of_possibilities': 1}
    """
    opts = options if options is not None else RuntimeOptions()
    problems = Problems()
    # Values of other types are reported by the checks below, each in its own words.
    not_json = json_problems(definition, ("definition",)) if isinstance(definition, dict) else []
    if isinstance(input_schema, dict):
        not_json += json_problems(input_schema, ("input_schema",))
    if not_json:  # the other checks assume JSON (and recurse into it)
        problems.errors.extend(not_json)
        return ValidationReport(
            errors=problems.errors, analysis={"number_of_possibilities": 0}, scopes={}
        )
    states, start = _check_top_level(problems, definition)
    names = tuple(name for name in states if isinstance(name, str))
    ctx = Context(problems=problems, names=names, options=opts)
    for name, state in states.items():
        if isinstance(name, str):
            check_state(ctx, name, state)
        else:
            problems.error(
                ("definition", "States", key_name(name)),
                f"State names must be strings; got {describe(name)}",
                "type_error.str",
            )
    edges = _edges(states)
    possibilities = 0
    if start is not None:
        _check_reachable(problems, states, edges, start, opts)
        possibilities = _count_paths(edges, _terminals(states), start)
    if input_schema is not None:
        _check_input_schema(problems, input_schema)
    return ValidationReport(
        errors=problems.errors,
        warnings=problems.warnings,
        analysis={"number_of_possibilities": possibilities},
        scopes=_scopes(states),
    )


def _check_top_level(problems: Problems, definition: Any) -> tuple[dict[Any, Any], str | None]:
    """Check the top-level fields; return the states to check and the valid ``StartAt``."""
    loc = ("definition",)
    if not isinstance(definition, dict):
        problems.error(
            loc,
            "The flow definition must be an object with 'StartAt' and 'States'; got "
            f"{describe(definition)}",
            "type_error.dict",
        )
        return {}, None
    check_closed(problems, definition, loc, _TOP_LEVEL, "the flow definition", _ASL_TOP_LEVEL)
    if "Comment" in definition:
        check_type(
            problems, definition["Comment"], (*loc, "Comment"), "'Comment'", "string_or_null"
        )
    states: dict[Any, Any] = {}
    if "States" not in definition:
        problems.error(
            (*loc, "States"),
            "The flow definition needs 'States': an object mapping each state "
            "name to its definition",
            "value_error.missing",
        )
    elif check_type(problems, definition["States"], (*loc, "States"), "'States'", "object"):
        states = definition["States"]
        if not states:
            problems.error(
                (*loc, "States"),
                "'States' must define at least one state, e.g. "
                '{"Done": {"Type": "Pass", "End": true}}',
            )
    if "StartAt" not in definition:
        problems.error(
            (*loc, "StartAt"),
            "The flow definition needs 'StartAt': the name of the first state to run",
            "value_error.missing",
        )
        return states, None
    start = definition["StartAt"]
    if not check_type(problems, start, (*loc, "StartAt"), "'StartAt'", "string"):
        return states, None
    if start not in states:
        if isinstance(definition.get("States"), dict):
            names = [name for name in states if isinstance(name, str)]
            problems.error((*loc, "StartAt"), missing_target_message("'StartAt'", start, names))
        return states, None
    return states, start


def _edges(states: Mapping[Any, Any]) -> dict[str, list[str]]:
    """Transitions between existing states (whatever the state types), without duplicates."""
    edges: dict[str, list[str]] = {}
    for name, state in states.items():
        if not isinstance(name, str) or not isinstance(state, dict):
            continue
        targets = [state.get("Next"), state.get("Default")]
        for key in ("Choices", "Catch"):
            entries = state.get(key)
            if isinstance(entries, list):
                targets.extend(e.get("Next") for e in entries if isinstance(e, dict))
        found: list[str] = []
        for target in targets:
            if isinstance(target, str) and target in states and target not in found:
                found.append(target)
        edges[name] = found
    return edges


def _terminals(states: Mapping[Any, Any]) -> set[str]:
    """States at which a run can end: ``"End": true`` and Fail states."""
    return {
        name
        for name, state in states.items()
        if isinstance(name, str)
        and isinstance(state, dict)
        and (state.get("End") is True or state.get("Type") == "Fail")
    }


def _check_reachable(
    problems: Problems,
    states: Mapping[Any, Any],
    edges: Mapping[str, list[str]],
    start: str,
    options: RuntimeOptions,
) -> None:
    seen = {start}
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    for name in states:
        if not isinstance(name, str) or name in seen:
            continue
        msg = (
            f"The state {name!r} is unreachable: no transition from StartAt {start!r} leads to "
            "it. Remove it, or name it in a 'Next', 'Default', 'Choices[].Next' or "
            "'Catch[].Next'"
        )
        if options.reject_unreachable:
            problems.error(("definition", "States", name), msg + " (reject_unreachable is on)")
        else:
            problems.warn(msg)


def _count_paths(edges: Mapping[str, list[str]], terminals: set[str], start: str) -> int:
    """Distinct paths from ``start`` to a terminal state, using each transition at most once.

    Using each transition once means that a loop is followed once, not endlessly. The count stops
    at :data:`MAX_POSSIBILITIES`, which is also returned when counting takes too many steps.
    """
    count = 1 if start in terminals else 0
    used: set[tuple[str, int]] = set()
    stack: list[tuple[str, int]] = [(start, 0)]
    steps = 0
    while stack:
        node, index = stack[-1]
        targets = edges.get(node, [])
        if index >= len(targets):
            stack.pop()
            if stack:
                parent, parent_index = stack[-1]
                used.discard((parent, parent_index - 1))
            continue
        stack[-1] = (node, index + 1)
        if (node, index) in used:
            continue
        steps += 1
        if steps > _MAX_STEPS:
            return MAX_POSSIBILITIES
        used.add((node, index))
        target = targets[index]
        if target in terminals:
            count += 1
            if count >= MAX_POSSIBILITIES:
                return MAX_POSSIBILITIES
        stack.append((target, 0))
    return count


def _scopes(states: Mapping[Any, Any]) -> dict[str, Any]:
    """``ActionScope`` values grouped by ``RunAs`` role (default ``User``)."""
    scopes: dict[str, list[str]] = {}
    for state in states.values():
        if not isinstance(state, dict) or state.get("Type") != "Action":
            continue
        scope, role = state.get("ActionScope"), state.get("RunAs", "User")
        if isinstance(scope, str) and scope and isinstance(role, str):
            found = scopes.setdefault(role, [])
            if scope not in found:
                found.append(scope)
    return {role: sorted(found) for role, found in sorted(scopes.items())}


def _check_input_schema(problems: Problems, schema: Any) -> None:
    """The input schema must be an object and a valid JSON Schema (every error is listed)."""
    from jsonschema import validators

    loc = ("input_schema",)
    if not check_type(problems, schema, loc, "'input_schema'", "object"):
        return
    if "$schema" in schema:
        dialect = schema["$schema"]
        if not check_type(problems, dialect, (*loc, "$schema"), "'$schema'", "string"):
            return
        known = {
            str(cls.ID_OF(cls.META_SCHEMA)).rstrip("#")
            for cls in (
                validators.Draft3Validator,
                validators.Draft4Validator,
                validators.Draft6Validator,
                validators.Draft7Validator,
                validators.Draft201909Validator,
                validators.Draft202012Validator,
            )
        }
        if dialect.rstrip("#") not in known:
            problems.warn(
                f"input_schema names the unknown JSON Schema dialect {dialect!r}; it was checked "
                "as Draft 2020-12 ('https://json-schema.org/draft/2020-12/schema')"
            )
            schema = {k: v for k, v in schema.items() if k != "$schema"}
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    checker = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    before = len(problems.errors)
    for error in checker.iter_errors(schema):
        problems.error(
            loc + tuple(error.absolute_path),
            f"input_schema is not a valid JSON Schema: {error.message}; fix it so that it "
            "follows the JSON Schema specification",
            "value_error.jsonschema",
        )
    if len(problems.errors) > before:
        return
    for where, msg in schema_problems(schema):
        problems.error(loc + where, f"input_schema cannot be used: {msg}", "value_error.jsonschema")
