"""Tests for gladier.runtime.language.choice (spec §6.3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gladier.exc import FlowRunError, PathSyntaxError
from gladier.runtime.language.choice import OPERATORS, ChoiceError, compile_choice

STATE: dict[str, Any] = {
    "s": "beta",
    "n": 10,
    "f": 2.5,
    "t": True,
    "z": None,
    "ts": "2026-01-01T12:00:00Z",
    "ts_other_zone": "2026-01-01T13:00:00+01:00",
    "later": "2026-06-01T00:00:00Z",
    "not_ts": "yesterday",
    "obj": {"k": 1},
    "list": [1],
    "same_s": "beta",
    "ten": 10.0,
}


def matches(rule: dict[str, Any], state: Any = None, context: Any = None) -> bool:
    choice = compile_choice({"Choices": [{**rule, "Next": "Yes"}], "Default": "No"})
    result = choice.choose(STATE if state is None else state, context)
    assert result in ("Yes", "No")
    return result == "Yes"


# --- comparisons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "operator", "operand", "expected"),
    [
        ("$.s", "StringEquals", "beta", True),
        ("$.s", "StringEquals", "Beta", False),
        ("$.s", "StringLessThan", "gamma", True),
        ("$.s", "StringLessThan", "alpha", False),
        ("$.s", "StringGreaterThan", "alpha", True),
        ("$.s", "StringLessThanEquals", "beta", True),
        ("$.s", "StringGreaterThanEquals", "beta", True),
        ("$.s", "StringGreaterThanEquals", "c", False),
        ("$.n", "StringEquals", "10", False),
        ("$.n", "NumericEquals", 10, True),
        ("$.n", "NumericEquals", 10.0, True),
        ("$.f", "NumericLessThan", 3, True),
        ("$.f", "NumericGreaterThan", 3, False),
        ("$.n", "NumericLessThanEquals", 10, True),
        ("$.n", "NumericGreaterThanEquals", 10.5, False),
        ("$.t", "NumericEquals", 1, False),
        ("$.s", "NumericEquals", 1, False),
        ("$.z", "NumericLessThan", 1, False),
        ("$.t", "BooleanEquals", True, True),
        ("$.t", "BooleanEquals", False, False),
        ("$.n", "BooleanEquals", True, False),
        ("$.ts", "TimestampEquals", "2026-01-01T12:00:00Z", True),
        ("$.ts_other_zone", "TimestampEquals", "2026-01-01T12:00:00Z", True),
        ("$.ts", "TimestampLessThan", "2026-01-01T12:00:01Z", True),
        ("$.ts", "TimestampGreaterThan", "2026-01-01T07:00:01-05:00", False),
        ("$.ts", "TimestampGreaterThan", "2025-12-31T23:59:59-05:00", True),
        ("$.ts", "TimestampLessThanEquals", "2026-01-01T12:00:00Z", True),
        ("$.ts", "TimestampGreaterThanEquals", "2026-01-01T12:00:00.000001Z", False),
        ("$.not_ts", "TimestampLessThan", "2030-01-01T00:00:00Z", False),
        ("$.n", "TimestampEquals", "2026-01-01T12:00:00Z", False),
    ],
)
def test_comparisons(variable: str, operator: str, operand: Any, expected: bool) -> None:
    assert matches({"Variable": variable, operator: operand}) is expected


@pytest.mark.parametrize(
    ("variable", "operator", "path", "expected"),
    [
        ("$.s", "StringEqualsPath", "$.same_s", True),
        ("$.s", "StringLessThanPath", "$.same_s", False),
        ("$.s", "StringEqualsPath", "$.n", False),
        ("$.n", "NumericEqualsPath", "$.ten", True),
        ("$.f", "NumericLessThanPath", "$.n", True),
        ("$.n", "NumericEqualsPath", "$.t", False),
        ("$.n", "NumericGreaterThanEqualsPath", "$.ten", True),
        ("$.t", "BooleanEqualsPath", "$.t", True),
        ("$.t", "BooleanEqualsPath", "$.n", False),
        ("$.ts", "TimestampEqualsPath", "$.ts_other_zone", True),
        ("$.ts", "TimestampLessThanPath", "$.later", True),
        ("$.ts", "TimestampGreaterThanPath", "$.later", False),
        ("$.ts", "TimestampLessThanPath", "$.not_ts", False),
        ("$.n", "NumericLessThanPath", "$._context.limit", True),
    ],
)
def test_path_comparisons(variable: str, operator: str, path: str, expected: bool) -> None:
    assert matches({"Variable": variable, operator: path}, context={"limit": 11}) is expected


def test_every_comparison_operator_has_a_path_variant() -> None:
    comparisons = {op for op in OPERATORS if op.startswith(("String", "Numeric", "Boolean", "Ti"))}
    for op in comparisons - {"StringMatches"}:
        assert op.endswith("Path") or f"{op}Path" in OPERATORS
    assert "StringMatchesPath" not in OPERATORS
    assert len(OPERATORS) == 39


def test_bool_is_never_a_number_and_one_is_never_true() -> None:
    assert not matches({"Variable": "$.v", "NumericEquals": 1}, {"v": True})
    assert not matches({"Variable": "$.v", "BooleanEquals": True}, {"v": 1})
    assert not matches({"Variable": "$.v", "NumericEqualsPath": "$.w"}, {"v": 1, "w": True})
    assert not matches({"Variable": "$.v", "IsNumeric": True}, {"v": False})


# --- StringMatches -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*.h5", "file.h5", True),
        ("*.h5", ".h5", True),
        ("*.h5", "file.h55", False),
        ("log-*", "log-2026", True),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "acb", False),
        ("a*b*c", "abc", True),
        ("*", "", True),
        ("**", "anything", True),
        ("", "", True),
        ("", "x", False),
        ("exact", "exact", True),
        ("a*a", "a", False),
        ("ab*ba", "aba", False),
        ("ab*ba", "abba", True),
        ("a*b*b", "ab", False),
        ("a*b*b", "abb", True),
        ("*a*a*a*b", "a" * 5000, False),
        ("x.y", "xzy", False),
        ("[ab]", "[ab]", True),
        ("[ab]", "a", False),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a\\\\*", "a\\anything", True),
        ("a\\\\*", "a*", False),
        ("trailing\\", "trailing\\", True),
    ],
)
def test_string_matches(pattern: str, value: str, expected: bool) -> None:
    assert matches({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is expected


def test_string_matches_is_false_for_non_strings() -> None:
    assert not matches({"Variable": "$.v", "StringMatches": "*"}, {"v": 1})
    assert not matches({"Variable": "$.v", "StringMatches": "*"}, {"v": None})


@given(
    st.lists(st.text(alphabet="ab.*", max_size=4), max_size=4).map("*".join),
    st.text(alphabet="ab.*", max_size=12),
)
def test_string_matches_agrees_with_a_regular_expression(pattern: str, value: str) -> None:
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    expected = re.fullmatch(regex, value, re.DOTALL) is not None
    assert matches({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is expected


# --- type tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "true_for", "false_for"),
    [
        ("IsNull", [None], [0, "", False, [], {}]),
        ("IsNumeric", [0, -1.5, 10**20], [True, "1", None, [1]]),
        ("IsString", ["", "x", "2026-01-01T00:00:00Z"], [1, None, ["x"]]),
        ("IsBoolean", [True, False], [0, 1, "true", None]),
        ("IsTimestamp", ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.5+02:00"], ["2026", 1, None]),
    ],
)
def test_type_tests(operator: str, true_for: list[Any], false_for: list[Any]) -> None:
    for value in true_for:
        assert matches({"Variable": "$.v", operator: True}, {"v": value}), value
        assert not matches({"Variable": "$.v", operator: False}, {"v": value}), value
    for value in false_for:
        assert not matches({"Variable": "$.v", operator: True}, {"v": value}), value
        assert matches({"Variable": "$.v", operator: False}, {"v": value}), value


def test_is_present_never_fails() -> None:
    assert matches({"Variable": "$.z", "IsPresent": True})
    assert matches({"Variable": "$.missing.deep[3]", "IsPresent": False})
    assert not matches({"Variable": "$.missing", "IsPresent": True})
    assert matches({"Variable": "$._context.run_id", "IsPresent": True}, context={"run_id": "r"})
    assert matches({"Variable": "$._context.run_id", "IsPresent": False})


def test_type_test_on_a_missing_variable_is_an_error() -> None:
    with pytest.raises(FlowRunError, match=r"'\$\.missing'"):
        matches({"Variable": "$.missing", "IsNull": True})


# --- combinators, order, default -----------------------------------------------------------------


def test_and_not_from_conformance_case_22() -> None:
    choice = compile_choice(
        {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.n", "NumericGreaterThanEquals": 10},
                        {"Not": {"Variable": "$.kind", "StringEquals": "skip"}},
                    ],
                    "Next": "Big",
                },
                {"Variable": "$.n", "NumericLessThan": 10, "Next": "Small"},
            ],
            "Default": "Other",
        }
    )
    assert choice.choose({"n": 12, "kind": "keep"}) == "Big"
    assert choice.choose({"n": 12, "kind": "skip"}) == "Other"
    assert choice.choose({"n": 3, "kind": "skip"}) == "Small"
    assert choice.default == "Other"
    assert choice.next_states == ("Big", "Small")


def test_or_and_nesting() -> None:
    rule = {
        "Or": [
            {"Variable": "$.s", "StringEquals": "alpha"},
            {
                "And": [
                    {"Variable": "$.n", "NumericEquals": 10},
                    {"Variable": "$.t", "IsBoolean": True},
                ]
            },
        ]
    }
    assert matches(rule)
    assert not matches(rule, {"s": "x", "n": 9, "t": True})
    assert matches({"Not": {"Not": {"Variable": "$.n", "NumericEquals": 10}}})


def test_short_circuit_skips_rules_that_would_fail() -> None:
    assert matches(
        {"Or": [{"Variable": "$.n", "IsPresent": True}, {"Variable": "$.x", "IsNull": True}]}
    )
    assert not matches(
        {"And": [{"Variable": "$.x", "IsPresent": True}, {"Variable": "$.x", "IsNull": True}]}
    )


def test_first_true_rule_wins_and_none_without_default() -> None:
    choice = compile_choice(
        {
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 5, "Next": "First"},
                {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Second"},
            ]
        }
    )
    assert choice.choose({"n": 9}) == "First"
    assert choice.choose({"n": 3}) == "Second"
    assert choice.choose({"n": 0}) is None
    assert choice.default is None


def test_choose_does_not_change_the_state() -> None:
    state = {"n": 1, "l": [1]}
    compile_choice({"Choices": [{"Variable": "$.l[0]", "NumericEquals": 1, "Next": "A"}]}).choose(
        state
    )
    assert state == {"n": 1, "l": [1]}


# --- run-time errors -----------------------------------------------------------------------------


def test_missing_variable_is_a_runtime_error_naming_the_path() -> None:
    with pytest.raises(FlowRunError) as info:
        matches({"Variable": "$.missing.x", "StringEquals": "a"})
    assert info.value.error == "States.Runtime"
    assert "Variable path '$.missing.x'" in info.value.cause
    assert "the key 'missing' is not in the object at '$'" in info.value.cause


def test_missing_operand_path_is_a_runtime_error_naming_both_paths() -> None:
    with pytest.raises(FlowRunError) as info:
        matches({"Variable": "$.n", "NumericEqualsPath": "$.nope"})
    assert info.value.error == "States.Runtime"
    assert "'$.nope'" in info.value.cause
    assert "'NumericEqualsPath'" in info.value.cause
    assert "Variable '$.n'" in info.value.cause


# --- compile errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "fragment"),
    [
        ({}, "Choices must be a non-empty list"),
        ({"Choices": []}, "Choices must be a non-empty list"),
        ({"Choices": [{"Variable": "$.n", "NumericEquals": 1}]}, "Choices[0]: a top-level"),
        ({"Choices": ["x"]}, "must be an object"),
        ({"Choices": [{"Next": "A"}]}, "needs 'Variable'"),
        ({"Choices": [{"Variable": "$.n", "Next": "A"}]}, "exactly one operator (found: none)"),
        (
            {"Choices": [{"Variable": "$.n", "NumericEquals": 1, "IsNull": True, "Next": "A"}]},
            "found: NumericEquals, IsNull",
        ),
        ({"Choices": [{"Variable": "$.n", "NumberEquals": 1, "Next": "A"}]}, "unknown Choice"),
        ({"Choices": [{"Variable": "$.n", "StringEquals": 1, "Next": "A"}]}, "must be a string"),
        ({"Choices": [{"Variable": "$.n", "NumericEquals": "1", "Next": "A"}]}, "a number"),
        ({"Choices": [{"Variable": "$.n", "NumericEquals": True, "Next": "A"}]}, "a number"),
        ({"Choices": [{"Variable": "$.n", "BooleanEquals": 1, "Next": "A"}]}, "true or false"),
        ({"Choices": [{"Variable": "$.n", "IsNull": "yes", "Next": "A"}]}, "true or false"),
        ({"Choices": [{"Variable": "$.n", "StringMatches": 1, "Next": "A"}]}, "pattern"),
        (
            {"Choices": [{"Variable": "$.t", "TimestampEquals": "2026-01-01", "Next": "A"}]},
            "RFC 3339",
        ),
        ({"Choices": [{"Variable": 5, "IsNull": True, "Next": "A"}]}, "Variable: must be a path"),
        ({"Choices": [{"Variable": "$.n", "NumericEqualsPath": 3, "Next": "A"}]}, "a path"),
        ({"Choices": [{"And": [], "Next": "A"}]}, "Choices[0].And: must be a non-empty list"),
        ({"Choices": [{"Or": {"Variable": "$.n"}, "Next": "A"}]}, "non-empty list"),
        (
            {"Choices": [{"And": [{"Variable": "$.n"}], "Next": "A"}]},
            "Choices[0].And[0]: a rule needs exactly one operator",
        ),
        ({"Choices": [{"Not": "x", "Next": "A"}]}, "Choices[0].Not: a Choice rule must be"),
        (
            {"Choices": [{"Not": {"Variable": "$.n", "IsNull": True}, "And": [], "Next": "A"}]},
            "exactly one of",
        ),
        ({"Choices": [{"Variable": "$.n", "IsNull": True, "Next": "A"}], "Default": 3}, "Default"),
    ],
)
def test_compile_errors(definition: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ChoiceError) as info:
        compile_choice(definition)
    assert fragment in str(info.value)


def test_bad_path_syntax_is_a_path_syntax_error_with_location() -> None:
    with pytest.raises(PathSyntaxError, match=r"Choices\[1\]\.Variable"):
        compile_choice(
            {
                "Choices": [
                    {"Variable": "$.n", "IsNull": True, "Next": "A"},
                    {"Variable": "$.a[-1]", "IsNull": True, "Next": "B"},
                ]
            }
        )
    with pytest.raises(PathSyntaxError, match=r"Choices\[0\]\.StringEqualsPath"):
        compile_choice({"Choices": [{"Variable": "$.n", "StringEqualsPath": "$$.x", "Next": "A"}]})


def test_choice_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        compile_choice({"Choices": []})


def test_comment_is_allowed_in_rules() -> None:
    assert matches({"Variable": "$.n", "NumericEquals": 10, "Comment": "ten"})
