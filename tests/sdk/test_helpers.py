from __future__ import annotations

from typing import Any

from gladier.helpers import (
    deep_update_dict,
    eliminate_none_values,
    ensure_json_path,
    ensure_parameter_values,
)


def test_deep_update_merges_nested_dicts_and_replaces_the_rest() -> None:
    dest: dict[str, Any] = {"a": {"x": 1, "y": {"z": 1}}, "b": [1], "c": 1}
    result = deep_update_dict(dest, {"a": {"y": {"w": 2}}, "b": [2], "d": {"e": 1}})
    assert result is dest
    assert dest == {"a": {"x": 1, "y": {"z": 1, "w": 2}}, "b": [2], "c": 1, "d": {"e": 1}}


def test_deep_update_replaces_a_non_dict_with_a_dict() -> None:
    assert deep_update_dict({"a": 1}, {"a": {"b": 2}}) == {"a": {"b": 2}}


def test_ensure_json_path() -> None:
    assert ensure_json_path("input.x") == "$.input.x"
    assert ensure_json_path("$.input.x") == "$.input.x"
    assert ensure_json_path(None) is None


def test_eliminate_none_values_shallow_and_deep() -> None:
    shallow: dict[str, Any] = {"a": None, "b": {"c": None}}
    eliminate_none_values(shallow)
    assert shallow == {"b": {"c": None}}
    deep: dict[str, Any] = {"a": None, "b": {"c": None, "d": 1}, "e": [{"f": None}, 3]}
    eliminate_none_values(deep, deep=True)
    assert deep == {"b": {"d": 1}, "e": [{}, 3]}


def test_ensure_parameter_values_suffixes() -> None:
    params = {"path": "$.input.p", "expr": "=a + 1", "plain": "text", "fixed.$": "input.q"}
    assert ensure_parameter_values(params) == {
        "path.$": "$.input.p",
        "expr.=": "a + 1",
        "plain": "text",
        "fixed.$": "$.input.q",
    }


def test_ensure_parameter_values_keeps_explicit_expression_keys() -> None:
    assert ensure_parameter_values({"c.=": "'x'"}) == {"c.=": "'x'"}


def test_ensure_parameter_values_deep_and_shallow() -> None:
    params = {"outer": {"inner": "$.x"}, "items": [{"p": "$.y"}, "$.z", 3]}
    assert ensure_parameter_values(params) == {
        "outer": {"inner.$": "$.x"},
        "items": [{"p.$": "$.y"}, "$.z", 3],
    }
    assert ensure_parameter_values(params, deep=False) == params


def test_ensure_parameter_values_drops_nones_on_request() -> None:
    params = {"a": None, "b": {"c": None, "d": 1}}
    assert ensure_parameter_values(params) == params
    assert ensure_parameter_values(params, eliminate_none_values=True) == {"b": {"d": 1}}


def test_ensure_parameter_values_turns_models_into_dicts() -> None:
    class Model:
        def model_dump(self) -> dict[str, Any]:
            return {"src": "$.input.src"}

    assert ensure_parameter_values({"item": Model(), "items": [Model()]}) == {
        "item": {"src.$": "$.input.src"},
        "items": [{"src.$": "$.input.src"}],
    }
