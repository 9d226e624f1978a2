"""Fuzzing the runtime's inputs: definitions, paths, expressions, schemas and run bodies.

Whatever hypothesis generates, the outcome is success or a Gladier exception: never a builtins
exception, never a hang (each example has a deadline) and never a stall of other runs (a Pass run
completes promptly after the run bodies). The budget is a few seconds in all; set
GLADIER_FUZZ_EXAMPLES to search deeper.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gladier.exc import ExpressionError, FlowRunError, GladierException, PathSyntaxError
from gladier.runtime import Runtime
from gladier.runtime.language.expressions import compile_expression
from gladier.runtime.language.json_values import json_problems
from gladier.runtime.language.paths import parse_path
from gladier.runtime.language.schemas import InputChecker
from gladier.runtime.language.validation import validate_definition

#: Examples per property; raise it locally for a deeper search (GLADIER_FUZZ_EXAMPLES=5000).
EXAMPLES = int(os.environ.get("GLADIER_FUZZ_EXAMPLES", "60"))
PASS_FLOW = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- strategies ----------------------------------------------------------------------------------

names = st.sampled_from(["a", "b", "n", "xs", "s", "_context", "A", "Done", "$", "k k", ""])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=30,
)
# Everything a caller might pass by mistake, next to JSON.
hostile_scalars = st.one_of(
    scalars,
    st.sampled_from([math.nan, math.inf, -math.inf, b"x", 1j]),
    st.sampled_from([4500, -5000]).map(lambda e: 10 ** abs(e) * (1 if e > 0 else -1)),
    st.frozensets(st.integers(), max_size=3),
    st.sets(st.text(max_size=3), max_size=3),
)
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers(0, 3)), inner, max_size=4),
    ),
    max_leaves=20,
)

path_texts = st.one_of(
    st.text(alphabet="$.[]'\"*:0123456789-?ab _", max_size=30),
    st.builds(lambda d: f"$.a[{d}]", st.text(alphabet="0123456789", min_size=1, max_size=5000)),
    st.builds(
        lambda parts: "$" + "".join(parts),
        st.lists(st.sampled_from([".a", ".b", "[0]", "[1]", "[*]", ".*", "[1:]", "['k']"])),
    ),
)

_TOKENS = [
    "a", "b", "n", "xs", "s", "_context", "1", "2.5", "'x'", "0", "-1", "10**9", "9" * 5000,
    "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "==", "<", " and ", " or ", " not ", " in ",
    " if ", " else ", " for ", "(", ")", "[", "]", "{", "}", ",", ":", ".", "`$.a`",
    "getattr('a')", "is_present('b')", "pathsplit('/a/b')", "str(", "int(", "float(", "len(",
    "sorted(", "range(", "sum(", ".encode('punycode')", ".encode()", ".upper()", ".join(",
    ".replace('a', 'bb')", "*100000", "[::-1]", "[0]", "f'{a}'", "__class__", ".keys()",
]  # fmt: skip
_ATOMS = ["a", "b", "n", "xs", "s", "x", "_context", "1", "-7", "2.5", "'ab'", "''", "[1, 2]",
          "{'k': 1}", "None", "True", "10**9", "'é' * 300", "`$.a`"]  # fmt: skip
_OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "<<", "==", "<", "and", "or", "in", "|", "&"]
_CALLS = ["str", "int", "float", "len", "sorted", "range", "sum", "min", "abs", "round", "list",
          "getattr", "is_present", "pathsplit", "bool"]  # fmt: skip
_METHODS = [".upper()", ".split()", ".encode()", ".encode('punycode')", ".decode('utf-16')",
            ".join(xs)", ".replace('a', 'bbb')", ".center(99999)", ".zfill(10**6)", ".keys()",
            ".count('a')", ".append(1)", ".__class__", ".hex()"]  # fmt: skip

structured_expressions = st.recursive(
    st.sampled_from(_ATOMS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(_OPERATORS), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(_CALLS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.sampled_from(_METHODS)).map("".join),
        st.tuples(inner, inner).map(lambda t: f"[{t[0]} for x in {t[1]}]"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, inner).map(lambda t: f"f'{{{t[0]}}}{{{t[1]}:>9}}'"),
    ),
    max_leaves=8,
)
expression_texts = st.one_of(
    structured_expressions,
    st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=12).map("".join),
    st.text(max_size=30),
)

_STATE_TYPES = ["Pass", "Wait", "Choice", "Fail", "ExpressionEval", "Action", "Map", None, 3]


@st.composite
def states(draw: st.DrawFn) -> Any:
    state: dict[str, Any] = {"Type": draw(st.sampled_from(_STATE_TYPES))}
    fields = {
        "Next": st.sampled_from(["A", "B", "Nope", 1]),
        "End": st.sampled_from([True, False, "yes"]),
        "InputPath": path_texts,
        "ResultPath": path_texts,
        "Parameters": st.dictionaries(
            st.sampled_from(["x", "y.$", "z.=", "w.$"]),
            st.one_of(path_texts, expression_texts, hostile_values),
            max_size=3,
        ),
        "Result": hostile_values,
        "Seconds": st.one_of(st.integers(), st.floats(), st.text(max_size=3)),
        "SecondsPath": path_texts,
        "Timestamp": st.text(max_size=25),
        "Choices": st.lists(
            st.dictionaries(
                st.sampled_from(["Variable", "StringEquals", "NumericGreaterThan", "Next", "Not"]),
                hostile_values,
                max_size=4,
            ),
            max_size=2,
        ),
        "Default": st.sampled_from(["A", "B", "Nope"]),
        "ActionUrl": st.sampled_from(["https://x.org/a", "ftp://x", "", 3]),
        "WaitTime": st.one_of(st.integers(), st.floats(), st.just(10**400)),
        "Error": st.text(max_size=5),
    }
    for key in draw(st.lists(st.sampled_from(sorted(fields)), max_size=5, unique=True)):
        state[key] = draw(fields[key])
    return state


definitions = st.one_of(
    st.fixed_dictionaries(
        {
            "StartAt": st.sampled_from(["A", "B", "Nope", 3]),
            "States": st.dictionaries(st.sampled_from(["A", "B", "C"]), states(), max_size=3),
        }
    ),
    hostile_values,
)

_SCHEMA_KEYWORDS: dict[str, Any] = {
    "type": st.sampled_from(["object", "array", "string", "integer", "bogus", ["string", "null"]]),
    "$ref": st.sampled_from(["#", "#/$defs/a", "#/nope", "https://x.org/s", "#anchor", "#/"]),
    "pattern": st.sampled_from(["^(a+)+$", "(?<n", "^[a-z]*$", "(x|xx)*y", ".*"]),
    "minLength": st.integers(-1, 5),
    "uniqueItems": st.booleans(),
    "enum": st.lists(json_values, max_size=3),
    "const": json_values,
    "required": st.lists(st.sampled_from(["a", "b"]), max_size=2),
    "additionalProperties": st.booleans(),
    "$anchor": st.just("anchor"),
    "multipleOf": st.sampled_from([0, 1e-300, 0.5, 3]),
    "format": st.sampled_from(["regex", "email", "date-time", "ipv4"]),
}


@st.composite
def schemas(draw: st.DrawFn, depth: int = 0) -> Any:
    schema: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(sorted(_SCHEMA_KEYWORDS)), max_size=4, unique=True)):
        schema[key] = draw(_SCHEMA_KEYWORDS[key])
    if depth < 2:
        children = st.deferred(lambda: schemas(depth + 1))
        for key in draw(
            st.lists(
                st.sampled_from(["properties", "items", "anyOf", "allOf", "not", "$defs"]),
                max_size=2,
                unique=True,
            )
        ):
            if key in ("properties", "$defs"):
                schema[key] = draw(st.dictionaries(st.sampled_from(["a", "b"]), children))
            elif key in ("anyOf", "allOf"):
                schema[key] = draw(st.lists(children, min_size=1, max_size=2))
            else:
                schema[key] = draw(children)
    if depth == 0 and draw(st.booleans()):
        schema["patternProperties"] = {draw(_SCHEMA_KEYWORDS["pattern"]): {}}
    return schema


# --- the properties ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    home: Path = tmp_path_factory.mktemp("fuzz") / "home"
    with Runtime(home=home) as rt:
        yield rt


@FUZZ
@given(definition=definitions, schema=st.one_of(st.none(), schemas(), hostile_values))
def test_definitions_and_schemas_give_a_report_never_an_exception(
    definition: Any, schema: Any
) -> None:
    report = validate_definition(definition, schema)
    assert all(set(e) == {"loc", "msg", "type"} for e in report.errors)


@FUZZ
@given(definition=definitions)
def test_creating_flows_succeeds_or_raises_a_project_error(
    runtime: Runtime, definition: Any
) -> None:
    try:
        flow = runtime.create_flow("fuzz", definition)
    except GladierException:
        return
    run = runtime.run_flow(flow["id"], {"a": 1, "xs": [1, 2], "s": "x"})
    runtime.cancel_run(run["run_id"])  # whatever it does, it can be stopped


@FUZZ
@given(text=path_texts, state=json_values, value=json_values)
def test_paths_parse_read_and_write_or_raise_project_errors(
    text: str, state: Any, value: Any
) -> None:
    try:
        path = parse_path(text)
    except PathSyntaxError:
        return
    for operation in (
        lambda: path.read(state, {"run_id": "r"}),
        lambda: path.exists(state),
        lambda: path.write(state if isinstance(state, dict) else {}, value),
    ):
        with contextlib.suppress(FlowRunError):
            operation()


@FUZZ
@given(text=expression_texts, state=st.dictionaries(names, json_values, max_size=4))
def test_expressions_compile_and_evaluate_in_bounded_time_or_raise(
    text: str, state: dict[str, Any]
) -> None:
    started = time.monotonic()
    for extra in (False, True):
        try:
            result = compile_expression(text, extra_functions=extra).evaluate(
                state, {"run_id": "r"}
            )
        except ExpressionError:
            continue
        assert json_problems(result) == []
    assert time.monotonic() - started < 1.5  # two evaluations of at most 0.5 s, plus parsing


@FUZZ
@given(schema=schemas(), body=st.dictionaries(st.sampled_from(["a", "b"]), json_values))
def test_accepted_schemas_validate_bodies_or_raise_project_errors(
    schema: dict[str, Any], body: dict[str, Any]
) -> None:
    if not validate_definition(PASS_FLOW, schema).ok:
        return
    with contextlib.suppress(GladierException):
        InputChecker(schema).check(body)


@FUZZ
@given(body=st.one_of(st.dictionaries(st.text(max_size=4), hostile_values), hostile_values))
def test_run_bodies_start_a_run_or_raise_project_errors(runtime: Runtime, body: Any) -> None:
    flow = runtime.create_flow("p", PASS_FLOW)
    try:
        run = runtime.run_flow(flow["id"], body)
    except GladierException:
        return
    assert runtime.wait(run["run_id"], timeout=10)["status"] == "SUCCEEDED"


deep_paths = st.integers(min_value=1500, max_value=5000).map(lambda n: "$" + ".a" * n)


@st.composite
def chains(draw: st.DrawFn) -> dict[str, Any]:
    """A flow of Pass and ExpressionEval states, one after the other: it always ends."""
    paths = st.one_of(path_texts, deep_paths)
    count = draw(st.integers(1, 3))
    names = [f"S{i}" for i in range(count)]
    flow_states: dict[str, Any] = {}
    for index, name in enumerate(names):
        kind = draw(st.sampled_from(["Pass", "ExpressionEval"]))
        state: dict[str, Any] = {"Type": kind}
        if kind == "ExpressionEval" or draw(st.booleans()):
            state["Parameters"] = draw(
                st.dictionaries(
                    st.sampled_from(["x", "y.$", "z.=", "w.$"]),
                    st.one_of(paths, expression_texts, json_values),
                    min_size=1 if kind == "ExpressionEval" else 0,
                    max_size=3,
                )
            )
        for key in draw(st.lists(st.sampled_from(["InputPath", "ResultPath"]), unique=True)):
            state[key] = draw(paths)
        if kind == "Pass" and draw(st.booleans()):
            state["Result"] = draw(json_values)
        if index + 1 < count:
            state["Next"] = names[index + 1]
        else:
            state["End"] = True
        flow_states[name] = state
    return {"StartAt": names[0], "States": flow_states}


@FUZZ
@given(definition=chains(), body=st.dictionaries(names, json_values, max_size=4))
@example(  # a result written 2,000 levels down: the run once stayed ACTIVE for ever
    definition={
        "StartAt": "S0",
        "States": {
            "S0": {"Type": "Pass", "Result": 1, "ResultPath": "$" + ".a" * 2000, "End": True}
        },
    },
    body={},
)
def test_runs_of_accepted_flows_end_with_a_project_failure_at_worst(
    runtime: Runtime, definition: dict[str, Any], body: dict[str, Any]
) -> None:
    # Nothing in these flows waits, so every run must end promptly: never stay ACTIVE (a
    # state whose failure could not be recorded), and never fail with a runtime bug.
    try:
        flow = runtime.create_flow("chain", definition)
    except GladierException:
        return
    done = runtime.wait(runtime.run_flow(flow["id"], body)["run_id"], timeout=10)
    assert done["status"] in ("SUCCEEDED", "FAILED"), done["status"]
    if done["status"] == "FAILED":
        cause = done["details"]["details"]["cause"]
        assert "bug in the runtime" not in cause, cause


def test_after_fuzzing_other_runs_still_complete_promptly(runtime: Runtime) -> None:
    flow = runtime.create_flow("p", PASS_FLOW)
    started = time.monotonic()
    run = runtime.run_flow(flow["id"], {"x": 1})
    assert runtime.wait(run["run_id"], timeout=5)["status"] == "SUCCEEDED"
    assert time.monotonic() - started < 5
