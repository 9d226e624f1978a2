"""Which Python values count as JSON for run bodies, definitions and schemas."""

from __future__ import annotations

from typing import Any

from gladier.runtime.language.json_values import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_PROBLEMS,
    is_plain_json,
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


class Text(str):
    """A str subclass: JSON, though not plain at a glance."""


def deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels - 1):
        value = {"k": value} if levels % 2 else [value]
    return [value]


def test_the_quick_check_never_passes_what_json_problems_refuses() -> None:
    loop: dict[str, Any] = {}
    loop["me"] = loop
    values: list[Any] = [
        {"a": [None, True, 1, -2.5, "x", (1, 2)], "b": {"c": 10**MAX_INT_DIGITS - 1}},
        {"i": 7},
        {},
        {"n": float("nan")},
        {"a": [float("inf")]},
        {"a": {1: "x"}},
        {"a": {(1, 2): "x"}},
        {"s": {1, 2}},
        {"b": b"x"},
        {"o": object()},
        {"big": 10**MAX_INT_DIGITS},
        {"big": [-(10**MAX_INT_DIGITS)]},
        {"t": Text("x")},
        {Text("k"): 1},
        deep(MAX_DEPTH),
        deep(MAX_DEPTH + 1),
        {"d": deep(MAX_DEPTH - 1)},
        {"d": deep(MAX_DEPTH)},
        loop,
    ]
    for value in values:
        if is_plain_json(value):
            assert json_problems(value) == [], value
    plain = {"a": [None, True, 1, -2.5, "x", (1, 2)], "b": {"c": 10**300}}
    assert is_plain_json(plain) and is_plain_json({"i": 7}) and is_plain_json(deep(MAX_DEPTH))
    assert not is_plain_json(values[0]) and json_problems(values[0]) == []  # asks json_problems
    for refused in [*values[3:12], deep(MAX_DEPTH + 1), {"d": deep(MAX_DEPTH)}, loop]:
        assert not is_plain_json(refused) and json_problems(refused), refused
