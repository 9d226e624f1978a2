"""Limits and failure modes: one run never stalls another, bad input gets a project error.

Everything goes through the public Runtime API with a real SQLite home; time is a ManualClock
where Waits are involved, and runs are awaited with ``Runtime.wait`` (a condition, not a sleep).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ConfigException, FlowInputError, FlowValidationError, PathSyntaxError
from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.language.json_values import MAX_DEPTH, MAX_STATE_DEPTH
from gladier.runtime.language.paths import parse_path

PASS_FLOW = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAIT_PATH_FLOW = {
    "StartAt": "W",
    "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}},
}


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with Runtime(home=tmp_path / "home") as runtime:
        yield runtime


class WaitStarts:
    """Signals when a run's Wait state has been entered (its wake-up time is then fixed)."""

    def __init__(self, rt: Runtime) -> None:
        self._events: defaultdict[str, threading.Event] = defaultdict(threading.Event)
        self._lock = threading.Lock()
        rt.add_event_listener(self._seen)

    def _seen(self, run_id: str, entry: dict[str, Any]) -> None:
        if entry["code"] == "WaitStarted":
            with self._lock:
                self._events[run_id].set()

    def wait(self, run_id: str, timeout: float = 10) -> None:
        with self._lock:
            event = self._events[run_id]
        assert event.wait(timeout), f"run {run_id} never started waiting"


def failure(doc: dict[str, Any]) -> dict[str, Any]:
    assert doc["status"] == "FAILED", doc
    details: dict[str, Any] = doc["details"]["details"]
    return details


# ---------------------------------------------------------------------- 1. no run stalls another
@pytest.mark.parametrize(
    "seconds",
    [-1, 1e300, 10**400, 31_536_001, "5", True, None],
    ids=["negative", "1e300", "huge-int", "over-a-year", "string", "bool", "null"],
)
def test_absurd_wait_seconds_fail_that_run_and_other_waits_go_on(
    tmp_path: Path, seconds: Any
) -> None:
    clock = ManualClock()
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        starts = WaitStarts(rt)
        flow = rt.create_flow("w", WAIT_PATH_FLOW)
        hostile = rt.run_flow(flow["id"], {"s": seconds})
        details = failure(rt.wait(hostile["run_id"], timeout=10))
        assert details["error"] == "States.Runtime"
        assert "must be a number of seconds from 0 to 31,536,000" in details["cause"]
        short = rt.run_flow(flow["id"], {"s": 1})
        starts.wait(short["run_id"])
        clock.advance(1)
        assert rt.wait(short["run_id"], timeout=10)["status"] == "SUCCEEDED"


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf])
def test_non_finite_wait_seconds_cannot_enter_a_run(rt: Runtime, seconds: float) -> None:
    flow = rt.create_flow("w", WAIT_PATH_FLOW)
    with pytest.raises(FlowValidationError) as err:
        rt.run_flow(flow["id"], {"s": seconds})
    assert err.value.errors[0]["loc"] == ["body", "s"]


@pytest.mark.parametrize("wait_time", [10**400, 2**31, 0, 1.5])
def test_absurd_action_wait_time_is_a_validation_error(rt: Runtime, wait_time: Any) -> None:
    action = {
        "Type": "Action",
        "ActionUrl": "https://actions.globus.org/hello_world",
        "Parameters": {"echo_string": "hi"},
        "WaitTime": wait_time,
        "End": True,
    }
    with pytest.raises(FlowValidationError) as err:
        rt.create_flow("a", {"StartAt": "A", "States": {"A": action}})
    assert [e["loc"] for e in err.value.errors] == [["definition", "States", "A", "WaitTime"]]
    assert "up to 2,147,483,647" in err.value.errors[0]["msg"]


def test_quadratic_codec_is_refused_and_other_runs_go_on(rt: Runtime) -> None:
    hostile = rt.create_flow(
        "puny",
        {
            "StartAt": "E",
            "States": {
                "E": {
                    "Type": "ExpressionEval",
                    "Parameters": {"p.=": "s.encode('punycode')"},
                    "ResultPath": "$.out",
                    "End": True,
                }
            },
        },
    )
    text = "".join(chr(0x4E00 + i) for i in range(9000))  # about 10 s of punycode on main
    started = time.monotonic()
    bad = rt.run_flow(hostile["id"], {"s": text})
    other = rt.run_flow(rt.create_flow("p", PASS_FLOW)["id"], {"x": 1})
    assert rt.wait(other["run_id"], timeout=5)["status"] == "SUCCEEDED"
    details = failure(rt.wait(bad["run_id"], timeout=5))
    assert time.monotonic() - started < 5
    assert details["error"] == "States.Runtime"
    assert "the encoding 'punycode' is not available" in details["cause"]


def test_slow_states_of_one_run_do_not_hold_up_another(rt: Runtime) -> None:
    # Each ExpressionEval is allowed (well under the 0.5 s limit) but not cheap, and the run
    # loops forever. Without time slices it kept the scheduler for 256 transitions in a row.
    looping = rt.create_flow(
        "loop",
        {
            "StartAt": "Burn",
            "States": {
                "Burn": {
                    "Type": "ExpressionEval",
                    "Parameters": {"hits.=": "[x for x in xs if x in xs][-1]"},
                    "ResultPath": "$.hits",
                    "Next": "Again",
                },
                "Again": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.hits", "NumericGreaterThan": -1, "Next": "Burn"}],
                    "Default": "Burn",
                },
            },
        },
    )
    hog = rt.run_flow(looping["id"], {"xs": list(range(4000))})
    started = time.monotonic()
    other = rt.run_flow(rt.create_flow("p", PASS_FLOW)["id"], {})
    assert rt.wait(other["run_id"], timeout=5)["status"] == "SUCCEEDED"
    assert time.monotonic() - started < 5
    assert rt.get_run(hog["run_id"])["status"] == "ACTIVE"
    assert rt.cancel_run(hog["run_id"])["status"] == "FAILED"


def test_the_expressions_of_one_state_share_one_time_limit(rt: Runtime) -> None:
    # 40 fields of about 40 ms each: every one is within its own 0.5 s, not all of them.
    fields = {f"f{i}.=": "[x for x in xs if x in xs][0]" for i in range(40)}
    state = {"Type": "Pass", "Parameters": fields, "End": True}
    flow = rt.create_flow("many", {"StartAt": "P", "States": {"P": state}})
    started = time.monotonic()
    details = failure(rt.wait(rt.run_flow(flow["id"], {"xs": list(range(3000))})["run_id"], 10))
    assert time.monotonic() - started < 3
    assert details["error"] == "States.Runtime"
    assert "0.5 s" in details["cause"]


@pytest.mark.parametrize("depth", [MAX_STATE_DEPTH + 1, 1000, 20_000])
def test_a_result_path_nesting_the_state_too_deeply_fails_that_run(rt: Runtime, depth: int) -> None:
    # The Pass state writes its result far down, in place. 1,000 levels and more could not be
    # stored as JSON: the run stayed ACTIVE for ever (its failure could not be recorded
    # either). Less deep, it was stored, and then reading the run raised RecursionError where
    # the stack was deeper or the recursion limit higher. Now it fails, and other runs go on.
    deep = "$." + ".".join(["a"] * depth)
    state = {"Type": "Pass", "Result": 1, "ResultPath": deep, "End": True}
    flow = rt.create_flow("deep", {"StartAt": "P", "States": {"P": state}})
    bad = rt.run_flow(flow["id"], {"keep": 1})
    other = rt.run_flow(rt.create_flow("p", PASS_FLOW)["id"], {})
    assert rt.wait(other["run_id"], timeout=10)["status"] == "SUCCEEDED"
    done = rt.wait(bad["run_id"], timeout=10)
    details = failure(done)
    assert details["error"] == "States.Runtime"
    assert f"more than {MAX_STATE_DEPTH} levels deep" in details["cause"]
    assert done["details"]["output"] is None
    assert rt.get_run(bad["run_id"])["status"] == "FAILED"
    assert rt.get_run_logs(bad["run_id"])["entries"]


def test_a_run_state_at_the_depth_limit_is_kept(rt: Runtime) -> None:
    deep = "$." + ".".join(["a"] * MAX_STATE_DEPTH)
    state = {"Type": "Pass", "Result": 1, "ResultPath": deep, "End": True}
    flow = rt.create_flow("deep", {"StartAt": "P", "States": {"P": state}})
    done = rt.wait(rt.run_flow(flow["id"], {})["run_id"], timeout=10)
    assert done["status"] == "SUCCEEDED"


# ---------------------------------------------------------------------- 2. bodies are JSON
def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"s": math.nan}, ["body", "s"], "not a JSON number"),
        ({"s": [1, math.inf]}, ["body", "s", 1], "not a JSON number"),
        ({"s": {1, 2}}, ["body", "s"], "a set is not a JSON value"),
        ({"s": b"bytes"}, ["body", "s"], "a bytes is not a JSON value"),
        ({"s": 10**5000}, ["body", "s"], "too large for JSON"),
        ({"s": {1: "x"}}, ["body", "s", "1"], "keys must be strings"),
        ({"s": object()}, ["body", "s"], "is not a JSON value"),
        (_nested(MAX_DEPTH + 1), ["body", *["a"] * MAX_DEPTH], f"more than {MAX_DEPTH} levels"),
    ],
)
def test_run_body_that_is_not_json_is_refused(
    rt: Runtime, body: dict[str, Any], loc: list[Any], words: str
) -> None:
    flow = rt.create_flow("p", PASS_FLOW)
    with pytest.raises(FlowValidationError) as err:
        rt.run_flow(flow["id"], body)
    assert [e["loc"] for e in err.value.errors] == [loc]
    assert words in err.value.errors[0]["msg"]
    assert rt.list_runs()["runs"] == []


def test_run_body_at_the_nesting_limit_runs(rt: Runtime) -> None:
    flow = rt.create_flow("p", PASS_FLOW)
    body = _nested(MAX_DEPTH)
    done = rt.wait(rt.run_flow(flow["id"], body)["run_id"], timeout=10)
    assert done["status"] == "SUCCEEDED" and done["details"]["output"] == body


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"max_run_state_bytes": "x"}, "max_run_state_bytes must be a whole number"),
        ({"max_run_state_bytes": 0}, "max_run_state_bytes must be a positive"),
        ({"max_label_length": 1.5}, "max_label_length must be a whole number"),
        ({"pass_inputpath_moves": "yes"}, "pass_inputpath_moves must be true or false"),
        ({"poll_initial_interval": "1"}, "poll_initial_interval must be a finite number"),
        ({"lease_seconds": math.nan}, "lease_seconds must be a finite number"),
        ({"cancel_status": 1}, "cancel_status must be a string"),
        ({"extra": []}, "extra must be a mapping"),
    ],
)
def test_runtime_options_are_type_checked(
    tmp_path: Path, options: dict[str, Any], words: str
) -> None:
    with pytest.raises(ConfigException, match=words):
        Runtime(home=tmp_path / "h", options=options)


def test_runtime_options_of_the_right_type_are_accepted(tmp_path: Path) -> None:
    options = {"max_run_state_bytes": 1000, "poll_initial_interval": 2, "extra": {"k": 1}}
    with Runtime(home=tmp_path / "h", options=options) as rt:
        assert rt.options.max_run_state_bytes == 1000
        assert rt.options.poll_initial_interval == 2


# ---------------------------------------------------------------------- 3. schemas cannot hurt
@pytest.mark.parametrize(
    ("schema", "loc", "words"),
    [
        ({"$ref": "#"}, ["input_schema"], "loop without descending"),
        ({"anyOf": [{"$ref": "#"}]}, ["input_schema"], "loop without descending"),
        (
            {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}},
            ["input_schema"],
            "loop without descending",
        ),
        ({"$ref": "#/$defs/nope"}, ["input_schema", "$ref"], "does not resolve"),
        ({"$ref": "#nowhere"}, ["input_schema", "$ref"], "names no '$anchor'"),
        ({"$ref": "https://example.org/s.json"}, ["input_schema", "$ref"], "is not local"),
        ({"$ref": "other.json#/x"}, ["input_schema", "$ref"], "is not local"),
        (
            {"properties": {"a": {"pattern": "(?<name"}}},
            ["input_schema", "properties", "a", "pattern"],
            "not a valid JSON Schema",
        ),
        (
            {"patternProperties": {"^x": {}}, "unevaluatedProperties": False},
            ["input_schema"],
            "cannot be combined",
        ),
    ],
)
def test_harmful_input_schemas_are_refused(
    rt: Runtime, schema: dict[str, Any], loc: list[Any], words: str
) -> None:
    with pytest.raises(FlowValidationError) as err:
        rt.create_flow("s", PASS_FLOW, schema)
    assert [e["loc"] for e in err.value.errors] == [loc]
    assert words in err.value.errors[0]["msg"]
    flow = rt.create_flow("s", PASS_FLOW)
    with pytest.raises(FlowValidationError, match=re.escape(words)):
        rt.update_flow(flow["id"], input_schema=schema)
    with pytest.raises(FlowValidationError, match=re.escape(words)):
        rt.validate_flow(PASS_FLOW, schema)


def test_recursive_schemas_that_descend_still_work(rt: Runtime) -> None:
    schema = {
        "$defs": {"node": {"type": "object", "properties": {"kids": {"$ref": "#/$defs/list"}}}},
        "type": "object",
        "properties": {"tree": {"$ref": "#/$defs/node"}},
        "additionalProperties": False,
    }
    schema["$defs"]["list"] = {"type": "array", "items": {"$ref": "#/$defs/node"}}
    flow = rt.create_flow("tree", PASS_FLOW, schema)
    body = {"tree": {"kids": [{"kids": []}, {"kids": [{}]}]}}
    assert rt.wait(rt.run_flow(flow["id"], body)["run_id"], timeout=10)["status"] == "SUCCEEDED"
    with pytest.raises(FlowInputError) as err:
        rt.run_flow(flow["id"], {"tree": {"kids": [{"kids": 3}]}})
    assert err.value.detail[0]["loc"] == ["$.tree.kids[0].kids"]  # type: ignore[index]


def test_catastrophic_pattern_is_bounded(rt: Runtime) -> None:
    schema = {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a+)+$"}}}
    flow = rt.create_flow("re", PASS_FLOW, schema)
    started = time.monotonic()
    with pytest.raises(FlowInputError) as err:
        rt.run_flow(flow["id"], {"s": "a" * 30 + "!"})  # 47 s with the standard re module
    assert "does not match" in err.value.detail[0]["msg"]  # type: ignore[index]
    with pytest.raises(FlowInputError, match="took longer than"):
        rt.run_flow(flow["id"], {"s": "a" * 150_000 + "!"})
    assert time.monotonic() - started < 5
    ok = rt.run_flow(flow["id"], {"s": "aaaa"})
    assert rt.wait(ok["run_id"], timeout=10)["status"] == "SUCCEEDED"


def test_unique_items_is_checked_in_linear_time(rt: Runtime) -> None:
    flow = rt.create_flow("u", PASS_FLOW, {"properties": {"xs": {"uniqueItems": True}}})
    items: list[Any] = [{"k": i} for i in range(15_000)]
    started = time.monotonic()
    with pytest.raises(FlowInputError, match="1 error"):
        rt.run_flow(flow["id"], {"xs": [*items, {"k": 7}]})
    ok = rt.run_flow(flow["id"], {"xs": [*items, True, 1, [1], [True]]})
    assert time.monotonic() - started < 5
    assert rt.wait(ok["run_id"], timeout=10)["status"] == "SUCCEEDED"


# ---------------------------------------------------------------------- 4. absurd path indexes
def test_a_regex_value_nesting_too_deeply_is_blamed_on_the_input_too(rt: Runtime) -> None:
    schema = {"properties": {"s": {"type": "string", "format": "regex"}}}
    flow = rt.create_flow("re", PASS_FLOW, input_schema=schema)
    with pytest.raises(FlowInputError) as caught:
        rt.run_flow(flow["id"], {"s": "(" * 5000})
    assert "or a value of the input does" in str(caught.value)
    assert rt.wait(rt.run_flow(flow["id"], {"s": "^a+$"})["run_id"], 10)["status"] == "SUCCEEDED"


def test_absurd_path_index_is_a_validation_error(rt: Runtime) -> None:
    digits = "9" * 4300
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "InputPath": f"$.a[{digits}]", "End": True}},
    }
    with pytest.raises(FlowValidationError) as err:
        rt.create_flow("p", definition)
    [problem] = err.value.errors
    assert problem["loc"] == ["definition", "States", "P", "InputPath"]
    assert "is too large; indexes go up to 2,147,483,647" in problem["msg"]
    assert len(problem["msg"]) < 1000
    for text in (f"$.a[{digits}]", f"$.a[1:{digits}]", "$.a[2147483648]"):
        with pytest.raises(PathSyntaxError, match="too large"):
            parse_path(text)
    assert parse_path(f"$.a[{'0' * 5000}7]").segments == ("a", 7)
