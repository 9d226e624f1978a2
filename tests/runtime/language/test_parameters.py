"""Tests for gladier.runtime.language.parameters (spec §4 and §2.2)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gladier.exc import ExpressionError, FlowRunError, PathSyntaxError
from gladier.runtime.language.parameters import (
    Parameters,
    ParametersError,
    compile_parameters,
    hide_private,
)

STATE: dict[str, Any] = {
    "input": {"path": "/data/a", "files": ["x", "y"], "endpoint": "ep-1"},
    "n": 4,
    "_private_token": "secret",
    "flag": None,
}
CONTEXT = {"run_id": "run-1", "user_id": "urn:me"}


def render(template: Any, state: Any = None, **kwargs: Any) -> Any:
    return compile_parameters(template).render(STATE if state is None else state, CONTEXT, **kwargs)


# --- rendering -----------------------------------------------------------------------------------


def test_plain_values_are_copied() -> None:
    template = {"s": "text", "i": 1, "f": 1.5, "b": False, "z": None, "l": [1, "a"], "o": {"k": 1}}
    assert render(template) == template


def test_path_values() -> None:
    assert render({"p.$": "$.input.path", "f.$": "$.input.files[1]", "z.$": "$.flag"}) == {
        "p": "/data/a",
        "f": "y",
        "z": None,
    }
    assert render({"all.$": "$"}) == {"all": STATE}
    assert render({"files.$": "$.input.files[*]"}) == {"files": ["x", "y"]}


def test_expression_values() -> None:
    assert render({"double.=": "n * 2", "first.=": "input.files[0] + '!'"}) == {
        "double": 8,
        "first": "x!",
    }


def test_context_in_paths_and_expressions() -> None:
    assert render({"r.$": "$._context.run_id", "u.=": "_context.user_id"}) == {
        "r": "run-1",
        "u": "urn:me",
    }


def test_nested_objects_and_objects_inside_lists_at_any_depth() -> None:
    template = {
        "transfer_items": [
            {"source_path.$": "$.input.path", "recursive": True},
            {"source_path": "/literal", "deeper": [[{"n.=": "n + 1"}]]},
        ],
        "outer": {"inner": {"endpoint.$": "$.input.endpoint", "tasks": [{"payload.$": "$.n"}]}},
    }
    assert render(template) == {
        "transfer_items": [
            {"source_path": "/data/a", "recursive": True},
            {"source_path": "/literal", "deeper": [[{"n": 5}]]},
        ],
        "outer": {"inner": {"endpoint": "ep-1", "tasks": [{"payload": 4}]}},
    }


def test_values_that_look_like_paths_or_expressions_stay_literal() -> None:
    template = {"p": "$.input.path", "e": "=n + 1", "l": ["$.n"], "k.$ ": "$.n"}
    assert render(template) == template


def test_list_template_at_the_top() -> None:
    assert render([{"a.$": "$.n"}, "$.n", 3]) == [{"a": 4}, "$.n", 3]


def test_non_object_state() -> None:
    assert render({"first.$": "$[0]", "v.=": "1 + 1"}, state=["a", "b"]) == {"first": "a", "v": 2}


def test_missing_path_is_the_globus_runtime_error() -> None:
    # Conformance case 09 (the message Globus returns, word for word).
    with pytest.raises(FlowRunError) as info:
        render({"subject.$": "$.destination.path"}, state={"destination": {"id": "abc"}})
    assert info.value.error == "States.Runtime"
    assert info.value.cause == (
        "The path '$.destination.path' specified for the field 'subject.$' "
        "could not be found in the state input."
    )


def test_missing_path_inside_a_list_names_the_local_key() -> None:
    with pytest.raises(FlowRunError) as info:
        render({"tasks": [{"payload.$": "$.nope"}]})
    assert "for the field 'payload.$'" in info.value.cause


def test_expression_failure_names_key_expression_and_problem() -> None:
    with pytest.raises(FlowRunError) as info:
        render({"v.=": "nope + 1"})
    assert info.value.error == "States.Runtime"
    cause = info.value.cause
    assert "'v.='" in cause
    assert "'nope + 1'" in cause
    assert "the name 'nope' is not defined" in cause


def test_extra_functions_follow_the_render_flag() -> None:
    params = compile_parameters({"n.=": "len(input.files)"})
    with pytest.raises(FlowRunError, match="extra_expression_functions"):
        params.render(STATE, CONTEXT)
    assert params.render(STATE, CONTEXT, extra_functions=True) == {"n": 2}


def test_rendered_value_shares_nothing_with_state_or_template() -> None:
    template = {"copy.$": "$.input", "lit": {"l": [1]}, "e.=": "input"}
    state = copy.deepcopy(STATE)
    params = compile_parameters(template)
    first = params.render(state, CONTEXT)
    first["copy"]["files"].append("z")
    first["lit"]["l"].append(2)
    first["e"]["path"] = "changed"
    assert state == STATE
    assert template == {"copy.$": "$.input", "lit": {"l": [1]}, "e.=": "input"}
    assert params.render(state, CONTEXT) == {
        "copy": STATE["input"],
        "lit": {"l": [1]},
        "e": STATE["input"],
    }


def test_template_attribute_and_repr() -> None:
    params = compile_parameters({"a": 1})
    assert isinstance(params, Parameters)
    assert params.template == {"a": 1}
    assert repr(params) == "Parameters({'a': 1})"


# --- compile errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "error", "fragment"),
    [
        ({"a": 1, "a.$": "$.x"}, ParametersError, "the keys 'a' and 'a.$'"),
        ({"a.$": "$.x", "a.=": "x"}, ParametersError, "the keys 'a.$' and 'a.='"),
        ({"o": {"b.=": "1", "b": 2}}, ParametersError, "In Parameters at 'o'"),
        ({".$": "$.x"}, ParametersError, "no name before its suffix"),
        ({"__Private_Parameters": "a"}, ParametersError, "must be a list of key names"),
        ({"__Private_Parameters": [1]}, ParametersError, "must be a list of key names"),
        ({1: "x"}, ParametersError, "is not a string"),
        ({"a.$": 5}, PathSyntaxError, "must be a path string"),
        ({"a.$": "input.x"}, PathSyntaxError, "must start with '$'"),
        ({"l": [{"p.$": "$.a["}]}, PathSyntaxError, "In Parameters at 'l[0].p.$'"),
        ({"e.=": ["x"]}, ExpressionError, "must be an expression string"),
        ({"o": {"e.=": "x +"}}, ExpressionError, "In Parameters at 'o.e.='"),
        ({"e.=": "lambda: 1"}, ExpressionError, "lambda"),
    ],
)
def test_compile_errors_name_the_key(template: Any, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error) as info:
        compile_parameters(template)
    assert fragment in str(info.value)


def test_parameters_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        compile_parameters({"a": 1, "a.=": "1"})


# --- private parameters --------------------------------------------------------------------------


def test_private_parameters_directive_is_not_emitted_and_values_are_rendered() -> None:
    template = {
        "token.$": "$._private_token",
        "visible": 1,
        "__Private_Parameters": ["token"],
        "tasks": [{"key.=": "n * 10", "other": 2, "__Private_Parameters": ["key.="]}],
    }
    params = compile_parameters(template)
    assert params.has_private
    rendered = params.render(STATE, CONTEXT)
    assert rendered == {"token": "secret", "visible": 1, "tasks": [{"key": 40, "other": 2}]}
    assert params.redact(rendered) == {"visible": 1, "tasks": [{"other": 2}]}
    assert rendered["token"] == "secret", "redact must not change the rendered value"


def test_redact_handles_suffixes_nesting_and_copies() -> None:
    template = {
        "a.$": "$.input",
        "b": {"c": 1, "d": {"e": 2}, "__Private_Parameters": ["d"]},
        "__Private_Parameters": ["a.$", "not-a-key"],
    }
    params = compile_parameters(template)
    rendered = params.render(STATE, CONTEXT)
    shown = params.redact(rendered)
    assert shown == {"b": {"c": 1}}
    shown["b"]["c"] = 99
    assert rendered["b"]["c"] == 1


def test_redact_without_private_is_a_deep_copy() -> None:
    params = compile_parameters({"a.$": "$.input", "l": [{"x": 1}]})
    assert not params.has_private
    rendered = params.render(STATE, CONTEXT)
    shown = params.redact(rendered)
    assert shown == rendered
    shown["a"]["files"].append("z")
    shown["l"][0]["x"] = 2
    assert rendered == {"a": STATE["input"], "l": [{"x": 1}]}


def test_redact_tolerates_values_of_another_shape() -> None:
    params = compile_parameters({"l": [{"s": 1, "__Private_Parameters": ["s"]}]})
    assert params.redact({"l": "not a list"}) == {"l": "not a list"}
    assert params.redact({"l": [{"s": 1}, {"s": 2}]}) == {"l": [{"s": 1}, {"s": 2}]}
    assert params.redact({"l": [{"s": 1}]}) == {"l": [{}]}
    assert params.redact(None) is None


def test_hide_private() -> None:
    state = {
        "_private": 1,
        "_private_token": "t",
        "_privateer": "also hidden",
        "public": {"_private_x": 2, "y": [{"_private": 3, "z": 4}]},
        "_context_like": 5,
    }
    before = copy.deepcopy(state)
    assert hide_private(state) == {"public": {"y": [{"z": 4}]}, "_context_like": 5}
    assert state == before
    assert hide_private([1, {"_private": 1}]) == [1, {}]
    assert hide_private("x") == "x"


# --- properties ----------------------------------------------------------------------------------

plain_keys = st.text(max_size=8).filter(
    lambda k: not k.endswith((".$", ".=")) and k != "__Private_Parameters"
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
plain_templates = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(plain_keys, inner, max_size=4),
    max_leaves=25,
)


@given(plain_templates)
def test_templates_without_special_keys_render_to_themselves(template: Any) -> None:
    params = compile_parameters(template)
    rendered = params.render({}, None)
    assert rendered == template
    assert params.redact(rendered) == template


@given(
    st.dictionaries(st.text(min_size=1, max_size=6), json_scalars, min_size=1, max_size=6),
    st.data(),
)
def test_path_keys_render_the_values_they_point_to(state: dict[str, Any], data: Any) -> None:
    keys = sorted(state)
    chosen = data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=5))
    template: dict[str, Any] = {}
    for index, key in enumerate(chosen):
        quoted = key.replace("\\", "\\\\").replace("'", "\\'")
        template[f"f{index}.$"] = f"$['{quoted}']"
        template[f"l{index}"] = [{"inner.$": f"$['{quoted}']"}]
    rendered = compile_parameters(template).render(state, None)
    for index, key in enumerate(chosen):
        assert rendered[f"f{index}"] == state[key]
        assert rendered[f"l{index}"] == [{"inner": state[key]}]


@given(st.dictionaries(plain_keys, json_scalars, max_size=6), st.data())
def test_redact_removes_exactly_the_private_keys(template: dict[str, Any], data: Any) -> None:
    private = data.draw(st.lists(st.sampled_from(sorted(template) or ["x"]), max_size=3))
    params = compile_parameters({**template, "__Private_Parameters": private})
    rendered = params.render({}, None)
    assert rendered == template
    assert params.redact(rendered) == {k: v for k, v in template.items() if k not in private}


def test_the_budget_of_a_rendering_is_the_budget_of_one_expression() -> None:
    from gladier.runtime.language.expressions import DEFAULT_TIME_LIMIT
    from gladier.runtime.language.parameters import RENDER_TIME_LIMIT

    assert RENDER_TIME_LIMIT == DEFAULT_TIME_LIMIT


def test_templates_without_expressions_do_not_load_the_expression_language() -> None:
    # A fresh interpreter: a template of paths and constants renders without the sandbox.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from gladier.runtime.language.parameters import compile_parameters\n"
        "p = compile_parameters({'a.$': '$.x', 'b': [1, {'c.$': '$.x'}]})\n"
        "assert p.render({'x': 2}, {}) == {'a': 2, 'b': [1, {'c': 2}]}\n"
        "print('gladier.runtime.language.expressions' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
