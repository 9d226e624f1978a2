"""Validation of Choice states and their rules (spec §6.3).

Internal to :mod:`gladier.runtime.language.validation`. :data:`OPERATORS` is the complete list of
data-test operators of the published Flows schema, each mapped to the kind of operand it takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gladier.runtime.language.validation_fields import (
    MAX_DEPTH,
    Context,
    Loc,
    check_closed,
    check_path,
    check_target,
    check_timestamp,
    check_type,
    describe,
    is_number,
)


def _operators() -> dict[str, str]:
    relations = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    table: dict[str, str] = {}
    for prefix, kind in (("String", "string"), ("Numeric", "number"), ("Timestamp", "timestamp")):
        for relation in relations:
            table[prefix + relation] = kind
            table[prefix + relation + "Path"] = "path"
    table["BooleanEquals"] = "boolean"
    table["BooleanEqualsPath"] = "path"
    table["StringMatches"] = "string"
    for test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
        table[test] = "boolean"
    return table


#: Data-test operator -> operand kind: ``string``, ``number``, ``boolean``, ``timestamp``, ``path``.
OPERATORS: Mapping[str, str] = _operators()

_COMBINATORS = ("And", "Or", "Not")
_RULE_KEYS = frozenset({"Comment", "Variable", *_COMBINATORS, *OPERATORS})
_NESTED_NEXT = (
    "Rules nested inside 'And', 'Or' or 'Not' must not have 'Next'; move 'Next' to the top-level "
    "rule in 'Choices'"
)


def check_choice(ctx: Context, state: dict[str, Any], loc: Loc) -> None:
    """Check a Choice state's ``Choices`` and ``Default``."""
    problems = ctx.problems
    if "Default" in state:
        check_target(ctx, state["Default"], (*loc, "Default"), "'Default'")
    if "Choices" not in state:
        problems.error(
            (*loc, "Choices"),
            "A Choice state needs 'Choices': a non-empty list of rules, each "
            'with a \'Next\', e.g. [{"Variable": "$.x", "IsPresent": true, "Next": "S"}]',
            "value_error.missing",
        )
        return
    choices = state["Choices"]
    if not check_type(problems, choices, (*loc, "Choices"), "'Choices'", "list"):
        return
    if not choices:
        problems.error(
            (*loc, "Choices"),
            "'Choices' must hold at least one rule; add a rule or replace the "
            "Choice state with a Pass state",
        )
    for index, rule in enumerate(choices):
        _check_rule(ctx, rule, (*loc, "Choices", index), top=True, depth=0)


def _check_rule(ctx: Context, rule: Any, loc: Loc, *, top: bool, depth: int) -> None:
    problems = ctx.problems
    if not check_type(problems, rule, loc, "A choice rule", "object"):
        return
    if depth > MAX_DEPTH:
        problems.error(loc, f"Choice rules are nested more than {MAX_DEPTH} levels deep; simplify")
        return
    allowed = _RULE_KEYS | {"Next"} if top else _RULE_KEYS
    check_closed(problems, rule, loc, allowed, "a choice rule", {"Next": _NESTED_NEXT})
    if top:
        if "Next" in rule:
            check_target(ctx, rule["Next"], (*loc, "Next"), "'Next'")
        else:
            problems.error(
                (*loc, "Next"),
                "Each rule in 'Choices' needs 'Next': the state to go to when the rule is true",
                "value_error.missing",
            )
    if "Comment" in rule:
        check_type(problems, rule["Comment"], (*loc, "Comment"), "'Comment'", "string_or_null")
    operators = [key for key in rule if key in OPERATORS]
    kinds = [key for key in _COMBINATORS if key in rule]
    if operators or "Variable" in rule:
        kinds.append("a data test")
    if not kinds:
        problems.error(
            loc,
            "A choice rule needs 'Variable' with one comparison operator (e.g. "
            "'StringEquals', 'NumericLessThan', 'IsPresent'), or 'And', 'Or' or 'Not'; add one",
        )
    elif len(kinds) > 1:
        problems.error(
            loc,
            f"A choice rule must be exactly one of a data test, 'And', 'Or' or 'Not'; this "
            f"one mixes {', '.join(kinds)}. Split it and combine the parts with 'And'",
        )
    for key in ("And", "Or"):
        if key in rule:
            _check_rule_list(ctx, rule[key], (*loc, key), key, depth)
    if "Not" in rule:
        _check_rule(ctx, rule["Not"], (*loc, "Not"), top=False, depth=depth + 1)
    if operators or "Variable" in rule:
        _check_data_test(ctx, rule, loc, operators)


def _check_rule_list(ctx: Context, rules: Any, loc: Loc, key: str, depth: int) -> None:
    if not check_type(ctx.problems, rules, loc, f"{key!r}", "list"):
        return
    if not rules:
        ctx.problems.error(loc, f"{key!r} must hold at least one rule; add rules or remove {key!r}")
    for index, rule in enumerate(rules):
        _check_rule(ctx, rule, (*loc, index), top=False, depth=depth + 1)


def _check_data_test(ctx: Context, rule: dict[str, Any], loc: Loc, operators: list[str]) -> None:
    problems = ctx.problems
    if "Variable" in rule:
        check_path(problems, rule["Variable"], (*loc, "Variable"), "'Variable'")
    else:
        problems.error(
            (*loc, "Variable"),
            "A data-test rule needs 'Variable': the path of the value to test, e.g. '$.status'",
            "value_error.missing",
        )
    if not operators:
        problems.error(
            loc,
            "A data-test rule needs exactly one comparison operator, such as "
            "'StringEquals', 'NumericGreaterThan', 'BooleanEquals' or 'IsPresent'; add one",
        )
    elif len(operators) > 1:
        problems.error(
            loc,
            f"A data-test rule has exactly one operator, but this one has "
            f"{', '.join(repr(op) for op in operators)}; split it into several rules inside 'And'",
        )
    for operator in operators:
        _check_operand(ctx, operator, rule[operator], (*loc, operator))


def _check_operand(ctx: Context, operator: str, value: Any, loc: Loc) -> None:
    problems = ctx.problems
    kind = OPERATORS[operator]
    label = f"{operator!r}"
    if kind == "path":
        check_path(problems, value, loc, label)
    elif kind == "timestamp":
        check_timestamp(problems, value, loc, label)
    elif kind == "number":
        if not is_number(value):
            problems.error(
                loc, f"{label} must be a number; got {describe(value)}", "type_error.number"
            )
    elif kind == "boolean":
        check_type(problems, value, loc, label, "boolean")
    else:
        check_type(problems, value, loc, label, "string")
