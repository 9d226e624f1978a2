"""Tests of flow validation: Choice states and their rules."""

from __future__ import annotations

from typing import Any

import pytest

from gladier.runtime.language.validation import ValidationReport, validate_definition
from gladier.runtime.language.validation_choice import OPERATORS

END = {"Type": "Pass", "End": True}
C = ["definition", "States", "C"]


def check(choices: Any, **fields: Any) -> ValidationReport:
    state = {"Type": "Choice", "Choices": choices, **fields}
    return validate_definition({"StartAt": "C", "States": {"C": state, "Done": END}})


def rule(**fields: Any) -> dict[str, Any]:
    return {"Variable": "$.x", **fields}


def locs(report: ValidationReport) -> list[list[Any]]:
    return [e["loc"] for e in report.errors]


def only(report: ValidationReport) -> dict[str, Any]:
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


GOOD_OPERANDS = {
    "string": "abc",
    "number": 1.5,
    "boolean": True,
    "timestamp": "2026-01-02T03:04:05Z",
    "path": "$.y",
}
BAD_OPERANDS = {
    "string": 1,
    "number": True,
    "boolean": "true",
    "timestamp": "yesterday",
    "path": "y",
}


def test_operator_list_is_complete() -> None:
    assert len(OPERATORS) == 39
    assert OPERATORS["BooleanEqualsPath"] == "path"
    assert OPERATORS["StringMatches"] == "string"
    assert "StringMatchesPath" not in OPERATORS
    assert OPERATORS["TimestampGreaterThanEqualsPath"] == "path"
    assert all(OPERATORS[k] == "boolean" for k in OPERATORS if k.startswith("Is"))


@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_each_operator_with_a_good_operand(operator: str) -> None:
    operand = GOOD_OPERANDS[OPERATORS[operator]]
    assert check([rule(**{operator: operand}, Next="Done")]).ok


@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_each_operator_with_a_bad_operand(operator: str) -> None:
    operand = BAD_OPERANDS[OPERATORS[operator]]
    error = only(check([rule(**{operator: operand}, Next="Done")]))
    assert error["loc"] == [*C, "Choices", 0, operator]
    assert repr(operator) in error["msg"]


def test_numeric_operands_accept_integers() -> None:
    assert check([rule(NumericEquals=0, Next="Done")]).ok


def test_default_is_optional_and_must_exist() -> None:
    assert check([rule(IsNull=True, Next="Done")], Default="Done").ok
    error = only(check([rule(IsNull=True, Next="Done")], Default="Nope"))
    assert error["loc"] == [*C, "Default"] and "'Nope'" in error["msg"]


def test_choices_required_non_empty_list() -> None:
    report = validate_definition({"StartAt": "C", "States": {"C": {"Type": "Choice"}}})
    error = only(report)
    assert error["loc"] == [*C, "Choices"] and error["type"] == "value_error.missing"
    assert only(check([]))["loc"] == [*C, "Choices"]
    assert only(check({"Variable": "$.x"}))["type"] == "type_error.list"


def test_top_level_rules_need_next_that_exists() -> None:
    error = only(check([rule(IsNull=True)]))
    assert error["loc"] == [*C, "Choices", 0, "Next"] and error["type"] == "value_error.missing"
    error = only(check([rule(IsNull=True, Next="Gone")]))
    assert error["loc"] == [*C, "Choices", 0, "Next"] and "'Gone'" in error["msg"]


def test_nested_rules_must_not_have_next() -> None:
    nested = {"And": [rule(IsNull=False, Next="Done"), rule(IsString=True)], "Next": "Done"}
    error = only(check([nested]))
    assert error["loc"] == [*C, "Choices", 0, "And", 0, "Next"]
    assert "must not have 'Next'" in error["msg"]
    error = only(check([{"Not": rule(IsNull=True, Next="Done"), "Next": "Done"}]))
    assert error["loc"] == [*C, "Choices", 0, "Not", "Next"]


def test_and_or_not_accepted() -> None:
    tree = {
        "Or": [
            {"And": [rule(IsPresent=True), rule(StringEquals="a")]},
            {"Not": rule(NumericGreaterThanPath="$.limit")},
        ],
        "Next": "Done",
    }
    assert check([tree]).ok


@pytest.mark.parametrize(
    ("combinator", "value", "words"),
    [
        ("And", [], "at least one"),
        ("Or", [], "at least one"),
        ("And", rule(IsNull=True), "list"),
        ("Or", ["x"], "object"),
        ("Not", [rule(IsNull=True)], "object"),
    ],
)
def test_bad_combinators(combinator: str, value: Any, words: str) -> None:
    error = only(check([{combinator: value, "Next": "Done"}]))
    assert error["loc"][: len(C) + 3] == [*C, "Choices", 0, combinator]
    assert words in error["msg"]


def test_data_test_needs_exactly_one_operator() -> None:
    error = only(check([{"Variable": "$.x", "Next": "Done"}]))
    assert error["loc"] == [*C, "Choices", 0] and "exactly one comparison operator" in error["msg"]
    error = only(check([rule(IsNull=True, IsString=True, Next="Done")]))
    assert error["loc"] == [*C, "Choices", 0] and "'IsNull', 'IsString'" in error["msg"]


def test_data_test_needs_variable() -> None:
    error = only(check([{"StringEquals": "a", "Next": "Done"}]))
    assert error["loc"] == [*C, "Choices", 0, "Variable"] and error["type"] == "value_error.missing"


@pytest.mark.parametrize("variable", ["x", 5, "$.a["])
def test_variable_must_be_a_path(variable: Any) -> None:
    error = only(check([{"Variable": variable, "IsNull": True, "Next": "Done"}]))
    assert error["loc"] == [*C, "Choices", 0, "Variable"]


def test_empty_rule() -> None:
    report = check([{"Next": "Done"}])
    error = only(report)
    assert error["loc"] == [*C, "Choices", 0] and "'And', 'Or' or 'Not'" in error["msg"]


def test_mixed_rule_kinds() -> None:
    error = only(check([{"And": [rule(IsNull=True)], **rule(IsString=True), "Next": "Done"}]))
    assert error["loc"] == [*C, "Choices", 0] and "mixes And, a data test" in error["msg"]


def test_unknown_operator_is_suggested() -> None:
    report = check([rule(NumericEqual=1, Next="Done")])
    assert locs(report) == [[*C, "Choices", 0, "NumericEqual"], [*C, "Choices", 0]]
    assert "did you mean 'NumericEquals'?" in report.errors[0]["msg"]


def test_rules_must_be_objects() -> None:
    error = only(check(["x"]))
    assert error["loc"] == [*C, "Choices", 0] and error["type"] == "type_error.dict"


def test_many_rule_problems_reported_together() -> None:
    choices = [
        rule(StringEquals=1, Next="Done"),
        {"And": [rule(NumericLessThan="3", Next="Done")], "Next": "Nowhere"},
        {"Or": []},
    ]
    report = check(choices, Default=5)
    assert locs(report) == [
        [*C, "Default"],
        [*C, "Choices", 0, "StringEquals"],
        [*C, "Choices", 1, "Next"],
        [*C, "Choices", 1, "And", 0, "Next"],
        [*C, "Choices", 1, "And", 0, "NumericLessThan"],
        [*C, "Choices", 2, "Next"],
        [*C, "Choices", 2, "Or"],
    ]
