"""Input schema checks at create time and bounded validation of run bodies."""

from __future__ import annotations

from typing import Any

import pytest

from gladier.exc import FlowInputError
from gladier.runtime.language.schemas import InputChecker, schema_problems


def messages(schema: dict[str, Any]) -> list[str]:
    return [msg for _, msg in schema_problems(schema)]


@pytest.mark.parametrize(
    "schema",
    [
        {"$defs": {"a": {"type": "string"}}, "properties": {"x": {"$ref": "#/$defs/a"}}},
        {"definitions": {"a~b/c": {}}, "properties": {"x": {"$ref": "#/definitions/a~0b~1c"}}},
        {"$defs": {"a": {"$anchor": "here"}}, "properties": {"x": {"$ref": "#here"}}},
        {"$id": "https://example.org/s", "properties": {"x": {"$ref": "https://example.org/s#"}}},
        {"properties": {"x": {"$ref": "#/properties/y"}, "y": True}},
        {"items": {"$ref": "#"}},
        {"properties": {"next": {"$ref": "#"}}},
        {"$defs": {"a": {"if": {"$ref": "#/$defs/b"}}, "b": {"type": "string"}}},
        {"properties": {"x": {"const": {"$ref": "https://not.followed/at/all"}}}},
    ],
)
def test_safe_schemas_have_no_problems(schema: dict[str, Any]) -> None:
    assert schema_problems(schema) == []


def test_problems_name_the_place_of_the_reference() -> None:
    schema = {"properties": {"a": {"items": [{"$ref": "#/$defs/x"}]}}}
    [(loc, msg)] = schema_problems(schema)
    assert loc == ("properties", "a", "items", 0, "$ref")
    assert "there is no '$defs' at '#'" in msg


def test_a_reference_to_a_non_schema_is_refused() -> None:
    assert "not a schema" in messages({"required": ["a"], "not": {"$ref": "#/required/0"}})[0]


def test_a_loop_through_then_and_else_is_refused() -> None:
    schema = {"$defs": {"a": {"if": {}, "then": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"}
    assert "loop without descending" in messages(schema)[0]


def test_patterns_must_compile() -> None:
    [msg] = messages({"patternProperties": {"(": {}}})
    assert "not a valid regular expression" in msg


def test_unique_items_follows_json_schema_equality() -> None:
    checker = InputChecker({"uniqueItems": True})
    checker.check([1, True, "1", [1], [True], {"a": 1}, {"a": True}, None, 0, False])
    for duplicated in ([1, 1.0], [{"a": [1]}, {"a": [1.0]}], [[], []], [None, None]):
        with pytest.raises(FlowInputError, match="1 error"):
            checker.check(duplicated)


def test_additional_properties_respect_pattern_properties() -> None:
    checker = InputChecker(
        {"properties": {"a": {}}, "patternProperties": {"^x_": {}}, "additionalProperties": False}
    )
    checker.check({"a": 1, "x_1": 2})
    with pytest.raises(FlowInputError) as err:
        checker.check({"a": 1, "x_1": 2, "y": 3})
    assert "'y' unexpected" in err.value.detail[0]["msg"]  # type: ignore[index]


def test_every_violation_is_listed_with_its_path() -> None:
    checker = InputChecker(
        {
            "type": "object",
            "properties": {"n": {"type": "integer"}, "s": {"pattern": "^a"}},
            "required": ["r"],
        }
    )
    with pytest.raises(FlowInputError) as err:
        checker.check({"n": "x", "s": "b"})
    assert [d["loc"] for d in err.value.detail] == [["$"], ["$.n"], ["$.s"]]  # type: ignore[index]


def test_a_schema_that_breaks_inside_jsonschema_gives_a_flow_input_error() -> None:
    # Stored before create-time checks existed: validation must still answer a project error.
    with pytest.raises(FlowInputError, match="could not be applied"):
        InputChecker({"$ref": "#/nope"}).check({})
    with pytest.raises(FlowInputError):
        InputChecker({"$ref": "#"}).check({})
