"""Tests for gladier.runtime.language.paths (spec §3)."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gladier.exc import FlowRunError, PathSyntaxError
from gladier.runtime.language.paths import (
    WILDCARD,
    JsonPath,
    PathNotFound,
    parse_path,
    read_dotted,
)

# --- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "segments", "definite"),
    [
        ("$", (), True),
        ("$.a", ("a",), True),
        ("$.a.b", ("a", "b"), True),
        ("$.a[0]", ("a", 0), True),
        ("$.a[10][2]", ("a", 10, 2), True),
        ("$['key with space']", ("key with space",), True),
        ('$["k"]', ("k",), True),
        ("$.a['b'].c[2]", ("a", "b", "c", 2), True),
        ("$['']", ("",), True),
        ("$['it\\'s']", ("it's",), True),
        ('$["a\\\\b"]', ("a\\b",), True),
        ("$['a.b[0]']", ("a.b[0]",), True),
        ("$.Dials Create Phil.details", ("Dials Create Phil", "details"), True),
        ("$.my-key.sub-key", ("my-key", "sub-key"), True),
        ("$.ünïcödé.名前", ("ünïcödé", "名前"), True),
        ("$.0", ("0",), True),
        ("$[0]", (0,), True),
        ("$.a[*]", ("a", WILDCARD), False),
        ("$.a.*", ("a", WILDCARD), False),
        ("$.*.b", (WILDCARD, "b"), False),
        ("$['*']", ("*",), True),
        ("$.a[1:3]", ("a", slice(1, 3, None)), False),
        ("$.a[:2]", ("a", slice(None, 2, None)), False),
        ("$.a[::2]", ("a", slice(None, None, 2)), False),
        ("$.a[:]", ("a", slice(None, None, None)), False),
    ],
)
def test_parse_valid_paths(text: str, segments: tuple[Any, ...], definite: bool) -> None:
    path = parse_path(text)
    assert path.text == text
    assert path.segments == segments
    assert path.definite is definite
    assert path.is_root is (segments == ())


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "must start with '$'"),
        ("a.b", "must start with '$'"),
        (" $.a", "must start with '$'"),
        ("$a", "expected '.' or '['"),
        ("$.", "ends with '.'"),
        ("$.a.", "ends with '.'"),
        ("$..a", "recursive descent"),
        ("$.[0]", "without the dot"),
        ("$.a[-1]", "negative index"),
        ("$.a[", "unterminated '['"),
        ("$.a[0", "unterminated '['"),
        ("$['a", "unterminated quoted name"),
        ("$['a'x]", "expected ']'"),
        ("$.a[x]", "write ['x']"),
        ("$.a[]", "empty brackets"),
        ("$.a[0]]", "unexpected ']'"),
        ("$.a]b", "unexpected ']'"),
        ("$.a[0]b", "expected '.' or '['"),
        ("$.a[?(@.x > 1)]", "filter"),
        ("$.a[(@.length-1)]", "filter"),
        ("$.a[0,1]", "unions"),
        ("$.a[1:2:0]", "zero step"),
        ("$.a[-2:]", "non-negative"),
        ("$.a[1:2:3:4]", "too many"),
    ],
)
def test_parse_errors_quote_the_path_and_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(PathSyntaxError) as info:
        parse_path(text)
    message = str(info.value)
    assert repr(text) in message
    assert fragment in message


def test_double_dollar_is_refused_with_a_pointer_to_context() -> None:
    with pytest.raises(PathSyntaxError, match=r"\$\._context"):
        parse_path("$$.Execution.Id")


def test_path_syntax_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_path("nope")


def test_non_string_path_is_refused() -> None:
    with pytest.raises(PathSyntaxError, match="must be a string"):
        JsonPath(5)  # type: ignore[arg-type]


def test_parse_is_cached() -> None:
    assert parse_path("$.cached.path") is parse_path("$.cached.path")


def test_context_flag() -> None:
    assert parse_path("$._context.run_id").targets_context
    assert parse_path("$['_context']").targets_context
    assert parse_path("$._context").targets_context
    assert not parse_path("$.a._context").targets_context
    assert not parse_path("$").targets_context


def test_json_path_is_immutable_hashable_and_picklable() -> None:
    path = parse_path("$.a[0]")
    with pytest.raises(AttributeError):
        path.text = "$.b"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del path.definite
    assert path == JsonPath("$.a[0]")
    assert path != parse_path("$.a[1]")
    assert len({path, JsonPath("$.a[0]")}) == 1
    assert pickle.loads(pickle.dumps(path)) is path
    assert copy.deepcopy(path) is path
    assert repr(path) == "JsonPath('$.a[0]')"
    assert str(path) == "$.a[0]"


# --- reading -------------------------------------------------------------------------------------

STATE: dict[str, Any] = {
    "a": {"b": [1, {"c": None}], "s": "text", "n": 0},
    "Dials Create Phil": {"details": {"ok": True}},
    "list": [{"x": 1}, {"x": 2}, {"y": 3}],
    "key with space": 7,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$.a.b[0]", 1),
        ("$.a.b[1].c", None),
        ("$.a.b[1]", {"c": None}),
        ("$.a.s", "text"),
        ("$.a.n", 0),
        ("$['key with space']", 7),
        ("$.Dials Create Phil.details.ok", True),
        ("$.list[2]['y']", 3),
    ],
)
def test_read_definite(text: str, expected: Any) -> None:
    assert parse_path(text).read(STATE) == expected


def test_read_root_returns_the_state_itself() -> None:
    assert parse_path("$").read(STATE) is STATE


def test_read_returns_the_stored_object() -> None:
    assert parse_path("$.a.b").read(STATE) is STATE["a"]["b"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("$.missing", "the key 'missing' is not in the object at '$'"),
        ("$.a.b[2]", "the index [2] is out of range for the list at '$.a.b' (length 2)"),
        ("$.a.s.x", "'$.a.s' is a string, not an object"),
        ("$.a.s[0]", "'$.a.s' is a string, not a list"),
        ("$.a.b.c", "'$.a.b' is a list, not an object"),
        ("$.a[0]", "'$.a' is an object, not a list"),
        ("$.a.b[1].c.d", "'$.a.b[1].c' is null, not an object"),
        ("$.a.n[0]", "'$.a.n' is a number, not a list"),
        ("$['key with space'].x", "'$.key with space' is a number, not an object"),
    ],
)
def test_read_missing_raises_path_not_found(text: str, reason: str) -> None:
    with pytest.raises(PathNotFound) as info:
        parse_path(text).read(STATE)
    err = info.value
    assert isinstance(err, FlowRunError)
    assert err.error == "States.Runtime"
    assert err.path == text
    assert err.reason == reason
    assert f"'{text}'" in err.cause


def test_indexing_a_string_is_not_found() -> None:
    assert not parse_path("$.s[0]").exists({"s": "abc"})


def test_read_context_never_reads_the_state() -> None:
    state = {"_context": {"run_id": "from-state"}}
    context = {"run_id": "r-1", "identities": ("urn:a", "urn:b")}
    assert parse_path("$._context.run_id").read(state, context) == "r-1"
    assert parse_path("$._context.identities[1]").read(state, context) == "urn:b"
    assert parse_path("$._context").read(state, context) is context
    with pytest.raises(PathNotFound, match="no run context"):
        parse_path("$._context.run_id").read(state)
    with pytest.raises(PathNotFound, match=r"not in the object at '\$\._context'"):
        parse_path("$._context.nope").read(state, context)


def test_read_indefinite_returns_all_matches() -> None:
    assert parse_path("$.list[*].x").read(STATE) == [1, 2]
    assert parse_path("$.list.*.y").read(STATE) == [3]
    assert parse_path("$.list[0:2]").read(STATE) == [{"x": 1}, {"x": 2}]
    assert parse_path("$.list[::2].x").read(STATE) == [1]
    assert parse_path("$.a.*").read(STATE) == [[1, {"c": None}], "text", 0]
    assert parse_path("$.nothing[*]").read(STATE) == []
    assert parse_path("$.a.s[*]").read(STATE) == []
    assert parse_path("$.list[5:9]").read(STATE) == []
    assert parse_path("$.list[*][0]").read({"list": [[1, 2], [], [3]]}) == [1, 3]


def test_exists() -> None:
    assert parse_path("$.a.b[1].c").exists(STATE)
    assert not parse_path("$.a.b[1].d").exists(STATE)
    assert parse_path("$").exists(None)
    assert parse_path("$.list[*].x").exists(STATE)
    assert not parse_path("$.list[*].z").exists(STATE)
    assert not parse_path("$._context.run_id").exists(STATE)
    assert parse_path("$._context.run_id").exists(STATE, {"run_id": None})


def test_read_works_on_non_dict_roots() -> None:
    assert parse_path("$[1]").read([5, 6]) == 6
    assert parse_path("$").read("scalar") == "scalar"
    with pytest.raises(PathNotFound):
        parse_path("$.a").read([1])


# --- writing -------------------------------------------------------------------------------------


def test_write_root_returns_the_value() -> None:
    state = {"a": 1}
    assert parse_path("$").write(state, [1, 2]) == [1, 2]
    assert state == {"a": 1}


def test_write_creates_intermediate_objects_in_place() -> None:
    state: dict[str, Any] = {"keep": 1}
    result = parse_path("$.x.y.z").write(state, "v")
    assert result is state
    assert state == {"keep": 1, "x": {"y": {"z": "v"}}}


def test_write_replaces_never_merges() -> None:
    state = {"state": {"counter": 1, "other": True}, "keep": 2}
    parse_path("$.state").write(state, {"counter": 2})
    assert state == {"state": {"counter": 2}, "keep": 2}


def test_write_descends_into_existing_objects() -> None:
    state = {"a": {"old": 1}}
    parse_path("$.a.new").write(state, None)
    assert state == {"a": {"old": 1, "new": None}}


def test_write_with_spaces_and_brackets() -> None:
    state: dict[str, Any] = {}
    parse_path("$.Dials Create Phil['out put']").write(state, 1)
    assert state == {"Dials Create Phil": {"out put": 1}}


def test_write_into_list_elements() -> None:
    state = {"a": [{"x": 1}, {"x": 2}]}
    parse_path("$.a[1].x").write(state, 9)
    parse_path("$.a[0]").write(state, "first")
    assert state == {"a": ["first", {"x": 9}]}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("$.s.x", "the value at '$.s' is a string, so the key 'x' cannot be set in it"),
        ("$.n.x.y", "the value at '$.n' is a number, so the key 'x' cannot be set in it"),
        ("$.l.x", "the value at '$.l' is a list, so the key 'x' cannot be set in it"),
        ("$.l[3]", "the index [3] is out of range (length 1)"),
        ("$.d[0]", "the value at '$.d' is an object, so the index [0] cannot be set in it"),
        ("$.new[0]", "there is no value at '$.new', so the list element [0] cannot be created"),
        ("$.new.deep[0].x", "there is no value at '$.new.deep', so the list element [0]"),
        ("$.z.k", "the value at '$.z' is null, so the key 'k' cannot be set in it"),
    ],
)
def test_write_mismatch_is_result_path_match_failure(text: str, fragment: str) -> None:
    state: dict[str, Any] = {"s": "str", "n": 1, "l": [0], "d": {}, "z": None}
    before = copy.deepcopy(state)
    with pytest.raises(FlowRunError) as info:
        parse_path(text).write(state, "v")
    assert info.value.error == "States.ResultPathMatchFailure"
    assert f"Cannot write to the path '{text}'" in info.value.cause
    assert fragment in info.value.cause
    assert state == before, "a failed write must not change the state"


def test_write_into_a_non_object_root() -> None:
    with pytest.raises(FlowRunError, match="the value at '\\$' is a list") as info:
        parse_path("$.a").write([1], "v")
    assert info.value.error == "States.ResultPathMatchFailure"
    assert parse_path("$[0]").write([1], "v") == ["v"]


@pytest.mark.parametrize("text", ["$.a[*]", "$.a.*", "$.a[0:1]"])
def test_write_indefinite_path_is_a_runtime_error(text: str) -> None:
    with pytest.raises(FlowRunError, match="a ResultPath must name one location") as info:
        parse_path(text).write({"a": [1]}, "v")
    assert info.value.error == "States.Runtime"


def test_write_to_context_is_a_runtime_error() -> None:
    state: dict[str, Any] = {}
    with pytest.raises(FlowRunError, match="read-only") as info:
        parse_path("$._context.x").write(state, 1)
    assert info.value.error == "States.Runtime"
    assert state == {}


# --- read_dotted ---------------------------------------------------------------------------------


def test_read_dotted_forms() -> None:
    state = {"DestinationPathInfo": {"details": {"DATA": [{"is_folder": True}]}}, "x": None}
    assert read_dotted(state, "DestinationPathInfo.details.DATA[0].is_folder") is True
    assert read_dotted(state, "$.DestinationPathInfo.details.DATA[0].is_folder") is True
    assert read_dotted(state, "['DestinationPathInfo']['details']") == {
        "DATA": [{"is_folder": True}]
    }
    assert read_dotted(state, "x", default=5) is None
    assert read_dotted(state, "DestinationPathInfo.details.DATA[3]", default=False) is False
    assert read_dotted(state, "_context.run_id", {"run_id": "r"}) == "r"
    assert read_dotted(state, "$") is state
    with pytest.raises(PathNotFound):
        read_dotted(state, "nope")


def test_read_dotted_syntax_error_quotes_the_given_text() -> None:
    with pytest.raises(PathSyntaxError, match=r"'a\[' \(read as '\$\.a\['\)"):
        read_dotted({}, "a[")
    with pytest.raises(PathSyntaxError, match="must be a string"):
        read_dotted({}, 3)  # type: ignore[arg-type]
    with pytest.raises(PathSyntaxError, match="must be a string"):
        read_dotted({}, ["a"])  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------------

names = st.text(min_size=0, max_size=12)
dotted_names = st.text(min_size=1, max_size=12).filter(
    lambda s: not any(c in s for c in ".[]") and s != "*"
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=20,
)


def _quoted(name: str) -> str:
    return "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']"


@given(st.lists(names | st.integers(min_value=0, max_value=10**6), max_size=6))
def test_bracket_notation_round_trips_any_key(segments: list[Any]) -> None:
    text = "$" + "".join(f"[{s}]" if isinstance(s, int) else _quoted(s) for s in segments)
    assert parse_path(text).segments == tuple(segments)


@given(st.lists(dotted_names, min_size=1, max_size=6))
def test_dotted_notation_takes_everything_up_to_the_next_dot(segments: list[str]) -> None:
    text = "$." + ".".join(segments)
    assert parse_path(text).segments == tuple(segments)


@st.composite
def document_and_location(draw: st.DrawFn) -> tuple[Any, list[Any], Any]:
    """A JSON document, the segments of one location in it, and the value there."""
    doc = draw(json_values)
    segments: list[Any] = []
    node = doc
    while isinstance(node, (dict, list)) and node and draw(st.booleans()):
        key: Any
        if isinstance(node, dict):
            key = draw(st.sampled_from(sorted(node)))
        else:
            key = draw(st.integers(min_value=0, max_value=len(node) - 1))
        segments.append(key)
        node = node[key]
    return doc, segments, node


@given(document_and_location())
def test_read_finds_every_location_of_a_document(case: tuple[Any, list[Any], Any]) -> None:
    doc, segments, value = case
    text = "$" + "".join(f"[{s}]" if isinstance(s, int) else _quoted(s) for s in segments)
    path = parse_path(text)
    assert path.read(doc) is value
    assert path.exists(doc)


@given(
    st.dictionaries(names, json_values, max_size=5),
    st.lists(names.filter(lambda s: s != "_context"), min_size=1, max_size=4),
    json_values,
)
@settings(max_examples=200)
def test_write_then_read_returns_the_value(
    state: dict[str, Any], keys: list[str], value: Any
) -> None:
    path = parse_path("$" + "".join(_quoted(k) for k in keys))
    before = copy.deepcopy(state)
    try:
        result = path.write(state, value)
    except FlowRunError as err:
        assert err.error == "States.ResultPathMatchFailure"
        assert state == before
        return
    assert result is state
    assert path.read(state) is value
    for key, old in before.items():
        if key != keys[0]:
            assert state[key] == old
