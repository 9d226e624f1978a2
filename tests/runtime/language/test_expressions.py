"""Tests for gladier.runtime.language.expressions (spec §5)."""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gladier.exc import ExpressionError
from gladier.runtime.language.expressions import (
    EXTRA_FUNCTION_NAMES,
    MAX_EXPRESSION_LENGTH,
    compile_expression,
)


def ev(text: str, state: Any = None, context: Any = None, **kwargs: Any) -> Any:
    extra = kwargs.pop("extra_functions", False)
    expression = compile_expression(text, extra_functions=extra)
    return expression.evaluate({} if state is None else state, context, **kwargs)


def fails(text: str, state: Any = None, **kwargs: Any) -> str:
    with pytest.raises(ExpressionError) as info:
        ev(text, state, **kwargs)
    return str(info.value)


STATE: dict[str, Any] = {
    "x": 3,
    "y": 5,
    "s": "hello",
    "a": {"b": [1, 2], "items": "i", "name": "n", "_private_x": 1},
    "files": [{"name": "a", "size": 5}, {"name": "b", "size": 50}],
    "my-key": "dash",
    "src": "/data/run1/file.h5",
}

# --- the language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("2 ** 10", 1024),
        ("-x", -3),
        ("3.0", 3.0),
        ("x + y", 8),
        ("s + ' world'", "hello world"),
        ("s * 2", "hellohello"),
        ("a.b + [3]", [1, 2, 3]),
        ("a.b[0]", 1),
        ("a.b[-1]", 2),
        ("s[1:3]", "el"),
        ("a['b'][1]", 2),
        ("a.name", "n"),
        ("x > 2 and y < 10", True),
        ("x < 2 or 'fallback'", "fallback"),
        ("not x", False),
        ("1 < x < 5", True),
        ("x is None", False),
        ("2 in a.b", True),
        ("'ell' in s", True),
        ("3 not in a.b", True),
        ("'big' if x > 2 else 'small'", "big"),
        ("True", True),
        ("None", None),
        ("(1, 2)", [1, 2]),
        ("[1, (2, 3)]", [1, [2, 3]]),
        ("{'k': x, 'l': [y]}", {"k": 3, "l": [5]}),
        ("{**a, 'extra': 1}['extra']", 1),
        ("[*a.b, 3]", [1, 2, 3]),
        ("[f['name'] for f in files if f['size'] > 10]", ["b"]),
        ("{f['name']: f['size'] for f in files}", {"a": 5, "b": 50}),
        ("[n * 2 for n in a.b]", [2, 4]),
        ("[(i, j) for i in a.b for j in 'ab']", [[1, "a"], [1, "b"], [2, "a"], [2, "b"]]),
        ("list(c for c in 'ab')", ["a", "b"]),
        ("f'{s}-{x}'", "hello-3"),
        ("f'{x:03d}'", "003"),
        ("'%s=%d' % (s, x)", "hello=3"),
        ("'a,b'.split(',')", ["a", "b"]),
        ("s.upper()", "HELLO"),
        ("s.replace('l', 'L')", "heLLo"),
        ("'-'.join(['a', 'b'])", "a-b"),
        ("s.center(9, '*')", "**hello**"),
        ("a.get('missing', 4)", 4),
        ("list(a.keys())[:2]", ["b", "items"]),
        ("x.bit_length()", 2),
        ("int('12') + float('0.5')", 12.5),
        ("str(x) + str([1])", "3[1]"),
        ("str()", ""),
        ("tuple([1, 2])", [1, 2]),
        ("dict(k=1)", {"k": 1}),
        ("list(set([1, 1]))", [1]),
        ("rand() < 1", True),
        ("randint(1) == 0", True),
        ("x & 1 | 4 ^ 2", 7),
        ("1 << 4", 16),
        ("~x", -4),
    ],
)
def test_language(text: str, expected: Any) -> None:
    assert ev(text, STATE) == expected


def test_result_types_are_json() -> None:
    assert type(ev("3.0")) is float
    assert type(ev("(1,)")) is list
    assert type(ev("True")) is bool


def test_context_is_a_name() -> None:
    context = {"run_id": "r1", "user_id": "urn:u"}
    assert ev("_context.run_id + '-' + str(x)", STATE, context) == "r1-3"
    assert ev("_context['user_id']", STATE, context) == "urn:u"
    assert "'_context' is not defined" in fails("_context.run_id", STATE)


def test_globus_functions() -> None:
    # Conformance case 18.
    state = {"y": 5, "a": {"b": [1, 2]}}
    assert ev("getattr('x', 10)", state) == 10
    assert ev("is_present('x')", state) is False
    assert ev("getattr('missing_property')", state) is None
    assert ev("y if is_present('y') else 10", state) == 5
    assert ev("getattr('a.b[1]', 'none')", state) == 2
    assert ev("getattr('a.b[5]', False)", state) is False
    assert ev("getattr('$.a.b')", state) == [1, 2]
    assert ev("is_present('a.b[1]')", state) is True
    assert ev("is_present('_context.run_id')", state, {"run_id": None}) is True
    assert ev("getattr('my-key')", STATE) == "dash"
    assert ev("getattr('x', default=1)", {"x": None}) is None


def test_pathsplit() -> None:
    # Conformance case 19, plus the POSIX edge cases the spec recommends.
    assert ev("pathsplit('/foo/bar/blech')") == ["/foo/bar", "blech"]
    assert ev("pathsplit('/~/path')") == ["/~/", "path"]
    assert ev("pathsplit(src)[0]", STATE) == "/data/run1"
    assert ev("pathsplit('/x')") == ["/", "x"]
    assert ev("pathsplit('/foo/bar/')") == ["/foo/bar", ""]
    assert ev("pathsplit('name')") == ["", "name"]
    assert ev("pathsplit('/~/')") == ["/~/", ""]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("getattr(1)", "getattr() takes a path string"),
        ("is_present(None)", "is_present() takes a path string"),
        ("pathsplit(3)", "pathsplit() takes a path string"),
        ("getattr('a[')", "Invalid path"),
    ],
)
def test_function_argument_errors(text: str, fragment: str) -> None:
    assert fragment in fails(text, STATE)


# --- extra functions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("len(s)", 5),
        ("min(a.b)", 1),
        ("max(3, x, 4)", 4),
        ("abs(-x)", 3),
        ("round(3.14159, 2)", 3.14),
        ("sum(a.b)", 3),
        ("sum([[1], [2, 3]], [])", [1, 2, 3]),
        ("sum([(1,), (2,)], ())", [1, 2]),
        ("sorted([3, 1, 2], reverse=True)", [3, 2, 1]),
        ("range(3)", [0, 1, 2]),
        ("[i * i for i in range(1, 4)]", [1, 4, 9]),
        ("bool(0)", False),
    ],
)
def test_extra_functions(text: str, expected: Any) -> None:
    assert ev(text, STATE, extra_functions=True) == expected


@pytest.mark.parametrize("name", sorted(EXTRA_FUNCTION_NAMES))
def test_extra_functions_need_the_option(name: str) -> None:
    message = fails(f"{name}([1])", STATE)
    assert f"'{name}'" in message
    assert "extra_expression_functions" in message


def test_sum_of_lists_refuses_mixed_types() -> None:
    assert "can only concatenate list" in fails("sum([[1], (2,)], [])", extra_functions=True)


# --- result conversion ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{1, 2}", "set"),
        ("{1: 'a'}", "key 1 of type int"),
        ("{(1, 2): 'a'}", "of type tuple"),
        ("a.items", "x['items']"),
        ("a.keys()", "dict_keys"),
        ("str", "function"),
        ("float('nan')", "nan"),
        ("float('inf')", "inf"),
        ("1j", "complex"),
        ("b'x'", "bytes"),
        ("2 ** 20000", "4,000 digits"),
    ],
)
def test_non_json_results_are_errors_naming_the_type(text: str, fragment: str) -> None:
    assert fragment in fails(text, STATE)


def test_result_shares_nothing_with_the_state() -> None:
    state = {"d": {"l": [1, {"k": 2}]}}
    result = ev("d", state)
    assert result == state["d"]
    result["l"][1]["k"] = 99
    assert state == {"d": {"l": [1, {"k": 2}]}}


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("nope + 1", "the name 'nope' is not defined"),
        ("a.missing", "'missing' does not exist"),
        ("a['missing']", "the key 'missing' does not exist"),
        ("a.b[5]", "IndexError"),
        ("1 / 0", "ZeroDivisionError"),
        ("s + 1", "TypeError"),
        ("a._private_x", "attributes starting with '_'"),
        ("s.__class__", "attributes starting with '_'"),
        ("x.func_globals", "attributes starting with '_' or 'func_'"),
        ("s.format(1)", "'format' is not available"),
        ("a.b.append(3)", "cannot modify values"),
        ("a.update({})", "cannot modify values"),
        ("a.pop('b')", "cannot modify values"),
        ("s.translate({})", "'translate' of str is not available"),
        ("dict.fromkeys('ab')", "'fromkeys' of type is not available"),
    ],
)
def test_evaluation_errors(text: str, fragment: str) -> None:
    assert fragment in fails(text, STATE)


def test_evaluation_never_changes_the_state() -> None:
    state = copy.deepcopy(STATE)
    for text in ("a.b.append(3)", "a.update({'z': 1})", "a.b.sort()", "a.setdefault('q', 1)"):
        fails(text, state)
    assert state == STATE


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x +", "invalid syntax"),
        ("", "empty"),
        ("   ", "empty"),
        ("x = 1", "invalid syntax"),
        ("x; y", "invalid syntax"),
        ("import os", "invalid syntax"),
        ("lambda: 1", "lambda"),
        ("(x := 1)", "assignment"),
        ("{c for c in s}", "set comprehensions"),
        ("a @ b", "'@'"),
        ("str(*a)", "'*' unpacking"),
        ("dict(**a)", "'**' unpacking"),
        ("nope(1)", "the function 'nope' is not available"),
        ("getattr('x')(1)", "only named functions and methods can be called"),
        ("[x for a.b in s]", "comprehension variable"),
        ("x._y", "attributes starting with '_'"),
        ("x.mro()", "'mro' is not available"),
        ("-" * 500 + "1", "nests too deeply"),
        ("+".join(["1"] * 5000), "nests too deeply"),
        ("(" * 300 + "1" + ")" * 300, "invalid syntax"),
    ],
)
def test_compile_errors(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert fragment in str(info.value)


def test_source_length_limit() -> None:
    text = "1" + " " * (MAX_EXPRESSION_LENGTH - 1)
    assert compile_expression(text).evaluate({}) == 1
    with pytest.raises(ExpressionError, match="limit is 10,000"):
        compile_expression(text + " ")


def test_non_string_expression() -> None:
    with pytest.raises(ExpressionError, match="must be a string"):
        compile_expression(5)  # type: ignore[arg-type]


def test_extra_function_names_compile_without_the_option() -> None:
    # The validator compiles without knowing the runtime option; evaluation decides.
    compile_expression("len(x)")


def test_compile_is_cached() -> None:
    assert compile_expression("x + 41") is compile_expression("x + 41")
    assert compile_expression("x + 41") is not compile_expression("x + 41", extra_functions=True)
    assert repr(compile_expression("x + 41")) == "Expression('x + 41', extra_functions=False)"


def test_syntax_warnings_do_not_escape() -> None:
    # pytest turns warnings into errors: the parser's SyntaxWarning must stay inside.
    assert ev("x is 3", STATE) is True
    assert ev("'\\d'", STATE) == "\\d"


# --- legacy back-quoted paths --------------------------------------------------------------------


def test_backquoted_paths_are_replaced_by_their_values() -> None:
    assert ev("'Constant string ' + `$.s`", STATE) == "Constant string hello"
    assert ev("`$.a.b`[1] + `$.x`", STATE) == 5
    assert ev("`$._context.run_id`", STATE, {"run_id": "r"}) == "r"
    assert ev("'`$.s` stays literal'", STATE) == "`$.s` stays literal"
    assert ev('"it\'s `x`" + `$.s`', STATE) == "it's `x`hello"


def test_backquoted_path_errors() -> None:
    assert "back-quoted path `$.nope` could not be read" in fails("`$.nope`", STATE)
    with pytest.raises(ExpressionError, match="unterminated back-quoted path"):
        compile_expression("`$.x")
    with pytest.raises(ExpressionError, match="in a back-quoted path"):
        compile_expression("`$.x[`")


# --- limits: every attack ends quickly with an ExpressionError ----------------------------------

BIG_STATE: dict[str, Any] = {"big": list(range(50_000)), "long": "x" * 150_000}

ATTACKS = [
    "'x' * 10**9",
    "[1] * 10**9",
    "10 ** 4000000",
    "4000000 ** 4000000",
    "2 ** 4000000",
    "(2 ** 99999) ** 10",
    "[[1] * 100000] * 100000",
    "['x' * 100000] * 100000",
    "str([long] * 100)",
    "f'{big}'",
    "'%s' % (big,)",
    "[[[1 for a in 'x' * 100] for b in 'x' * 100] for c in 'x' * 100]",
    "[x for x in 'x' * 10001]",
    "[long for i in 'x' * 10000]",
    "[big for i in 'x' * 10000] == [big for i in 'x' * 10000]",
    "[long[1:] for i in 'x' * 10000]",
    "[-(2 ** 99999) for i in 'x' * 10000]",
    "[(3 ** 63000) % 7 for i in 'x' * 10000]",
    "[str(3 ** 8000) for i in 'x' * 10000]",
    "3 ** 63094",
    "(2 ** 60000) * (2 ** 60000)",
    "[('x' * 100000) for i in 'x' * 10000]",
    "(('x' * 100000)).center(10**9)",
    "('x' * 1000).replace('x', 'x' * 1000)",
    "'-'.join(['x' * 50000] * 3)",
    "('\\t' * 1000).expandtabs(1000)",
    "'%999999999s' % 1",
    "'%*s' % (10**9, 'x')",
    "('%99999s' * 14000) % tuple('x' * 14000)",
    "f'{1:>999999999}'",
    "f'{1.5:.999999999f}'",
    "-" * 5000 + "1",
    "(" * 1000 + ")" * 1000,
    "{i: big for i in big[:10000]}",
    "((((big,) * 100,) * 100,) * 100,)",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_attacks_fail_fast(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        ev(text, BIG_STATE, time_limit=60.0)
    # The size limits stop it, far inside the 60 s time budget (a generous bound, not a
    # performance assertion: it only proves the attack did not run to the budget).
    assert time.perf_counter() - start < 15.0


EXTRA_ATTACKS = [
    "range(10**9)",
    "list(range(10**6))",
    "sum([[1] * 1000] * 10000, [])",
    "sorted(['x' * 100000 for i in range(10000)])",
    "max([long for i in range(10000)])",
    "[[j for j in range(10000)] for i in range(10000)]",
]


@pytest.mark.parametrize("text", EXTRA_ATTACKS)
def test_attacks_with_extra_functions_fail_fast(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        ev(text, BIG_STATE, extra_functions=True, time_limit=60.0)
    assert time.perf_counter() - start < 15.0


def test_step_budget() -> None:
    text = "[[c for c in 'abcdefghij'] for d in 'abcdefghij']"
    assert len(ev(text)) == 10
    assert "evaluation steps" in fails(text, step_limit=100)


def test_time_budget() -> None:
    text = "[c + c for c in 'x' * 1000]"
    assert len(ev(text)) == 1000
    assert "took longer than" in fails(text, time_limit=-1.0)


def test_large_state_values_can_still_be_read() -> None:
    assert ev("long", BIG_STATE) == BIG_STATE["long"]
    assert ev("big[-1]", BIG_STATE) == 49_999
    assert ev("len(big)", BIG_STATE, extra_functions=True) == 50_000


# --- concurrency and properties ------------------------------------------------------------------


def test_concurrent_evaluations_do_not_interfere() -> None:
    expression = compile_expression("[n * k for n in nums]")

    def run(k: int) -> list[int]:
        return expression.evaluate({"nums": list(range(50)), "k": k})

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(200)))
    assert results == [[n * k for n in range(50)] for k in range(200)]


def test_an_error_leaves_the_evaluator_usable() -> None:
    fails("[1 for c in 'x' * 10001]")
    assert ev("[1 for c in 'x' * 10000]") == [1] * 10000


ints = st.integers(min_value=-(10**30), max_value=10**30)


@given(ints, ints)
def test_integer_arithmetic_matches_python(a: int, b: int) -> None:
    state = {"a": a, "b": b}
    assert ev("a + b", state) == a + b
    assert ev("a - b", state) == a - b
    assert ev("a * b", state) == a * b
    assert ev("a < b", state) == (a < b)
    if b:
        assert ev("a // b", state) == a // b
        assert ev("a % b", state) == a % b


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_reading_a_name_returns_an_equal_copy(value: Any) -> None:
    state = {"v": value}
    result = ev("v", state)
    assert result == value
    if isinstance(value, (dict, list)):
        assert result is not value


@given(st.text(max_size=50), st.text(max_size=5))
def test_string_methods_match_python(text: str, sep: str) -> None:
    state = {"t": text, "sep": sep}
    assert ev("t.upper()", state) == text.upper()
    assert ev("t.strip()", state) == text.strip()
    assert ev("t + sep", state) == text + sep
    if sep:
        assert ev("t.split(sep)", state) == text.split(sep)


@pytest.mark.parametrize("text", ["str(9 ** 19000)", "int('9' * 4400)"])
def test_integers_too_long_for_text_get_advice_that_fits_an_expression(text: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text).evaluate({}, {})
    message = str(caught.value)
    assert "more than 4,300 digits cannot be converted to or from text" in message
    assert "set_int_max_str_digits" not in message
