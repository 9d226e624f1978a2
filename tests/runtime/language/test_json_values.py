"""Which Python values count as JSON for run bodies, definitions and schemas."""

from __future__ import annotations

from typing import Any

from gladier.runtime.language.json_values import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_PROBLEMS,
    json_problems,
)


def test_json_values_have_no_problems() -> None:
    value = {"a": [None, True, 1, -2.5, "x", (1, 2)], "b": {"c": 10**MAX_INT_DIGITS - 1}}
    assert json_problems(value) == []


def test_integers_beyond_the_digit_limit_are_refused() -> None:
    [problem] = json_problems([-(10**MAX_INT_DIGITS)], ("body",))
    assert problem["loc"] == ["body", 0] and "too large for JSON" in problem["msg"]


def test_a_very_deep_value_is_one_problem_and_no_recursion() -> None:
    value: Any = []
    for _ in range(100_000):
        value = [value]
    [problem] = json_problems(value)
    assert len(problem["loc"]) == MAX_DEPTH
    assert f"more than {MAX_DEPTH} levels" in problem["msg"]


def test_a_self_containing_value_ends() -> None:
    value: dict[str, Any] = {}
    value["me"] = value
    assert len(json_problems(value)) == 1


def test_problems_are_capped() -> None:
    problems = json_problems({str(i): {i} for i in range(1000)})
    assert len(problems) == MAX_PROBLEMS
