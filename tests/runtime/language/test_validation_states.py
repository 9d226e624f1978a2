"""Tests of flow validation: the rules of each state type, Catch, paths and Parameters."""

from __future__ import annotations

from typing import Any

import pytest

from gladier.runtime.language.validation import ValidationReport, validate_definition
from gladier.runtime.options import RuntimeOptions

END = {"Type": "Pass", "End": True}
URL = "https://transfer.actions.globus.org/transfer"
S = ["definition", "States", "S"]


def check(state: dict[str, Any], options: RuntimeOptions | None = None) -> ValidationReport:
    """Validate a flow whose start state ``S`` is ``state``; ``Done`` is a valid end state."""
    return validate_definition(
        {"StartAt": "S", "States": {"S": state, "Done": END}}, options=options
    )


def locs(report: ValidationReport) -> list[list[Any]]:
    return [e["loc"] for e in report.errors]


def only(report: ValidationReport) -> dict[str, Any]:
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


def action(**fields: Any) -> dict[str, Any]:
    return {"Type": "Action", "ActionUrl": URL, "Parameters": {}, "Next": "Done", **fields}


def expression_eval(**fields: Any) -> dict[str, Any]:
    return {
        "Type": "ExpressionEval",
        "Parameters": {},
        "ResultPath": "$.r",
        "Next": "Done",
        **fields,
    }


# --- Type ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        action(),
        {"Type": "Pass", "Next": "Done"},
        {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Done"}]},
        {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        {"Type": "Fail"},
        expression_eval(),
    ],
)
def test_the_six_types_are_accepted(state: dict[str, Any]) -> None:
    assert check(state).ok


@pytest.mark.parametrize(
    ("type_", "advice"),
    [("Task", "'Action'"), ("Parallel", "one after another"), ("Map", "loop"),
     ("Succeed", "\"End\": true")],
)  # fmt: skip
def test_asl_types_are_refused_with_an_alternative(type_: str, advice: str) -> None:
    error = only(check({"Type": type_, "End": True}))
    assert error["loc"] == [*S, "Type"]
    assert "Globus Flows does not support" in error["msg"] and advice in error["msg"]


def test_unknown_type_lists_the_types() -> None:
    error = only(check({"Type": "action", "End": True}))
    assert "did you mean 'Action'?" in error["msg"]
    assert "Action, Choice, ExpressionEval, Fail, Pass, Wait" in error["msg"]


def test_missing_or_non_string_type() -> None:
    error = only(check({"End": True}))
    assert error["loc"] == [*S, "Type"] and error["type"] == "value_error.missing"
    error = only(check({"Type": ["Pass"], "End": True}))
    assert error["loc"] == [*S, "Type"] and error["type"] == "type_error.str"


def test_unknown_field_names_the_allowed_fields() -> None:
    error = only(check({"Type": "Pass", "End": True, "ResultPth": "$.x"}))
    assert error["loc"] == [*S, "ResultPth"] and error["type"] == "value_error.extra"
    assert "did you mean 'ResultPath'?" in error["msg"]
    assert "Comment, End, InputPath, Next, Parameters, Result, ResultPath, Type" in error["msg"]


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("OutputPath", "ResultPath"),
        ("ResultSelector", "ExpressionEval"),
        ("Retry", "Choice"),
        ("Assign", "not supported"),
        ("Output", "not supported"),
        ("Arguments", "'Parameters'"),
        ("QueryLanguage", "JSONPath"),
    ],
)
def test_unsupported_asl_fields_say_so(key: str, words: str) -> None:
    error = only(check({"Type": "Pass", "End": True, key: "$.x"}))
    assert error["loc"] == [*S, key]
    assert "not supported by Globus Flows" in error["msg"] and words in error["msg"]


def test_retry_suggests_loops_or_catch() -> None:
    msg = only(check(action(Retry=[{"ErrorEquals": ["States.ALL"]}])))["msg"]
    assert "Choice" in msg and "ExpressionEval" in msg and "Catch" in msg


# --- Next / End --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Pass"},
        {"Type": "Wait", "Seconds": 1},
        {"Type": "ExpressionEval", "Parameters": {}, "ResultPath": "$.r"},
        {"Type": "Action", "ActionUrl": URL, "InputPath": "$.x"},
    ],
)
def test_next_or_end_required_with_the_service_message(state: dict[str, Any]) -> None:
    error = only(check(state))
    assert error == {
        "loc": S,
        "msg": f"A state of type {state['Type']!r} must be defined as either terminal "
        '("End": true) or transitional ("Next": "NextStateId")',
        "type": "value_error",
    }


def test_next_and_end_together_are_refused() -> None:
    error = only(check({"Type": "Pass", "Next": "Done", "End": True}))
    assert error["loc"] == S and "remove one" in error["msg"]


def test_end_false_is_not_an_end() -> None:
    error = only(check({"Type": "Pass", "End": False}))
    assert error["loc"] == S and '"End" is not true' in error["msg"]
    assert check({"Type": "Pass", "Next": "Done", "End": False}).ok


def test_next_and_end_types() -> None:
    report = check({"Type": "Pass", "Next": 3})
    assert locs(report) == [[*S, "Next"]]
    report = check({"Type": "Pass", "End": "yes"})
    assert locs(report) == [[*S, "End"], S]


def test_next_must_name_an_existing_state() -> None:
    error = only(check({"Type": "Pass", "Next": "Dnoe"}))
    assert error["loc"] == [*S, "Next"]
    assert "'Dnoe'" in error["msg"] and "did you mean 'Done'?" in error["msg"]
    assert "'S', 'Done'" in error["msg"]


def test_next_to_a_missing_state_with_many_states_does_not_list_them() -> None:
    states: dict[str, Any] = {f"N{i}": END for i in range(20)}
    states["S"] = {"Type": "Pass", "Next": "Nowhere"}
    report = validate_definition({"StartAt": "S", "States": states})
    error = only(report)
    assert "21 states" in error["msg"] and "'N0'" not in error["msg"]


@pytest.mark.parametrize("type_", ["Choice", "Fail"])
@pytest.mark.parametrize("key", ["Next", "End"])
def test_choice_and_fail_have_neither_next_nor_end(type_: str, key: str) -> None:
    state: dict[str, Any] = {"Type": type_, key: "Done" if key == "Next" else True}
    if type_ == "Choice":
        state["Choices"] = [{"Variable": "$.x", "IsNull": True, "Next": "Done"}]
    error = only(check(state))
    assert error["loc"] == [*S, key] and error["type"] == "value_error.extra"
    assert f"{type_} state" in error["msg"]


# --- Action ------------------------------------------------------------------------------------


def test_action_needs_exactly_one_of_parameters_or_inputpath() -> None:
    assert check(action(Parameters={"a": 1})).ok
    assert check({"Type": "Action", "ActionUrl": URL, "InputPath": "$.body", "End": True}).ok
    error = only(check(action(InputPath="$.x")))
    assert error["loc"] == S and "not both" in error["msg"]
    state = action()
    del state["Parameters"]
    error = only(check(state))
    assert error["loc"] == S and "add one" in error["msg"]


@pytest.mark.parametrize("url", [URL, "http://localhost:8080/ap", "https://x.org"])
def test_action_url_accepted(url: str) -> None:
    assert check(action(ActionUrl=url)).ok


@pytest.mark.parametrize(
    "url", ["transfer", "ftp://x.org/", "https://", "https:///path", "https://x.org/a b", ""]
)
def test_action_url_must_be_http_with_host(url: str) -> None:
    error = only(check(action(ActionUrl=url)))
    assert error["loc"] == [*S, "ActionUrl"] and error["type"] == "value_error.url"
    assert "https://transfer.actions.globus.org/transfer" in error["msg"]


def test_action_url_type_and_absence() -> None:
    error = only(check(action(ActionUrl=3)))
    assert error["type"] == "type_error.str"
    state = action()
    del state["ActionUrl"]
    error = only(check(state))
    assert error["loc"] == [*S, "ActionUrl"] and error["type"] == "value_error.missing"
    assert "Handler" in error["msg"]


@pytest.mark.parametrize(
    "handler",
    [
        "urn:globus:flows:handle:globus:transfer.submit",
        {"Type": "RegisteredAPI", "Id": "c0ffee"},
    ],
)
def test_handler_instead_of_action_url(handler: Any) -> None:
    state = action(Handler=handler)
    del state["ActionUrl"]
    assert check(state).ok
    error = only(check(action(Handler=handler)))
    assert error["loc"] == S and "keep only one" in error["msg"]


@pytest.mark.parametrize(
    ("handler", "where"),
    [
        ("transfer", []),
        (3, []),
        ({"Type": "RegisteredAPI"}, ["Id"]),
        ({"Type": "RegisteredAPI", "Id": ""}, ["Id"]),
        ({"Type": 1, "Id": "x"}, ["Type"]),
        ({"Type": "RegisteredAPI", "Id": "x", "Url": "y"}, ["Url"]),
    ],
)
def test_bad_handler(handler: Any, where: list[str]) -> None:
    state = action(Handler=handler)
    del state["ActionUrl"]
    assert locs(check(state)) == [[*S, "Handler", *where]]


@pytest.mark.parametrize("value", [1, 300, 86400, 60.0])
def test_wait_time_positive_integer(value: Any) -> None:
    assert check(action(WaitTime=value)).ok


@pytest.mark.parametrize("value", [0, -5, 1.5, "300", True, None])
def test_wait_time_refused(value: Any) -> None:
    error = only(check(action(WaitTime=value)))
    assert error["loc"] == [*S, "WaitTime"] and "positive" in error["msg"]


def test_action_scalar_fields() -> None:
    good = action(ExceptionOnActionFailure=False, RunAs="Flow", ActionScope="urn:x", Comment=None)
    assert check(good).ok
    report = check(action(ExceptionOnActionFailure="true", RunAs=1, ActionScope=""))
    assert locs(report) == [
        [*S, "ExceptionOnActionFailure"],
        [*S, "RunAs"],
        [*S, "ActionScope"],
    ]
    assert report.errors[0]["type"] == "type_error.bool"


def test_action_result_path() -> None:
    assert check(action(ResultPath="$.result")).ok
    assert locs(check(action(ResultPath="result"))) == [[*S, "ResultPath"]]


# --- Catch -------------------------------------------------------------------------------------


def test_valid_catch() -> None:
    catch = [
        {"ErrorEquals": ["ActionFailedException", "ActionTimeout"], "Next": "Done"},
        {"ErrorEquals": ["States.ALL"], "Next": "S", "ResultPath": "$.error"},
    ]
    assert check(action(Catch=catch)).ok


@pytest.mark.parametrize(
    ("catch", "where", "words"),
    [
        ([], [], "at least one"),
        ({"ErrorEquals": ["States.ALL"]}, [], "list"),
        (["States.ALL"], [0], "object"),
        ([{"Next": "Done"}], [0, "ErrorEquals"], "ErrorEquals"),
        ([{"ErrorEquals": ["States.ALL"]}], [0, "Next"], "Next"),
        ([{"ErrorEquals": [], "Next": "Done"}], [0, "ErrorEquals"], "at least one"),
        ([{"ErrorEquals": "States.ALL", "Next": "Done"}], [0, "ErrorEquals"], "list"),
        ([{"ErrorEquals": [1], "Next": "Done"}], [0, "ErrorEquals", 0], "string"),
        ([{"ErrorEquals": ["A", "A"], "Next": "Done"}], [0, "ErrorEquals", 1], "twice"),
        ([{"ErrorEquals": ["A"], "Next": "Gone"}], [0, "Next"], "'Gone'"),
        ([{"ErrorEquals": ["A"], "Next": "Done", "Comment": "x"}], [0, "Comment"], "Unknown"),
        ([{"ErrorEquals": ["A"], "Next": "Done", "ResultPath": "$._context"}], [0, "ResultPath"],
         "read-only"),
    ],
)  # fmt: skip
def test_bad_catch(catch: Any, where: list[Any], words: str) -> None:
    error = only(check(action(Catch=catch)))
    assert error["loc"] == [*S, "Catch", *where]
    assert words in error["msg"]


@pytest.mark.parametrize("type_", ["Pass", "Wait", "ExpressionEval"])
def test_catch_only_on_action(type_: str) -> None:
    base: dict[str, dict[str, Any]] = {
        "Pass": {},
        "Wait": {"Seconds": 1},
        "ExpressionEval": {"Parameters": {}, "ResultPath": "$.r"},
    }
    state: dict[str, Any] = {"Type": type_, **base[type_], "Next": "Done"}
    state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]
    error = only(check(state))
    assert error["loc"] == [*S, "Catch"] and "only allowed on Action" in error["msg"]


# --- Pass --------------------------------------------------------------------------------------


def test_pass_optional_fields() -> None:
    state = {
        "Type": "Pass",
        "InputPath": "$.in",
        "Parameters": {"a.$": "$.b"},
        "Result": {"x": [1, None, True, 2.5, "s"]},
        "ResultPath": "$.out",
        "End": True,
    }
    assert check(state).ok
    assert check({"Type": "Pass", "Result": "any JSON", "End": True}).ok


def test_pass_result_must_be_json() -> None:
    error = only(check({"Type": "Pass", "Result": {"a": {1, 2}}, "End": True}))
    assert error["loc"] == [*S, "Result", "a"] and "JSON" in error["msg"]


# --- ExpressionEval ----------------------------------------------------------------------------


def test_expression_eval_needs_parameters() -> None:
    state = expression_eval()
    del state["Parameters"]
    error = only(check(state))
    assert error["loc"] == [*S, "Parameters"] and error["type"] == "value_error.missing"


def test_expression_eval_refuses_inputpath() -> None:
    error = only(check(expression_eval(InputPath="$.x")))
    assert error["loc"] == [*S, "InputPath"] and "'.$' or '.=' keys" in error["msg"]


def test_expression_eval_resultpath_required_unless_option() -> None:
    state = expression_eval()
    del state["ResultPath"]
    error = only(check(state))
    assert error["loc"] == [*S, "ResultPath"] and error["type"] == "value_error.missing"
    assert "expressioneval_default_resultpath" in error["msg"]
    assert check(state, RuntimeOptions(expressioneval_default_resultpath=True)).ok


def test_expression_eval_may_end() -> None:
    state = expression_eval(End=True)
    del state["Next"]
    assert check(state).ok


# --- Wait --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "timing",
    [
        {"Seconds": 0},
        {"Seconds": 31536000},
        {"SecondsPath": "$.delay"},
        {"Timestamp": "2026-01-02T03:04:05Z"},
        {"Timestamp": "2026-01-02T03:04:05.25+01:00"},
        {"TimestampPath": "$.when"},
    ],
)
def test_wait_timing_accepted(timing: dict[str, Any]) -> None:
    assert check({"Type": "Wait", **timing, "Next": "Done"}).ok


def test_wait_needs_exactly_one_timing_field() -> None:
    error = only(check({"Type": "Wait", "Next": "Done"}))
    assert error["loc"] == S and "exactly one of" in error["msg"]
    error = only(check({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "Next": "Done"}))
    assert error["loc"] == S and "'Seconds' and 'SecondsPath'" in error["msg"]


@pytest.mark.parametrize("seconds", [-1, 31536001, 1.5, "10", True, None])
def test_wait_seconds_range_and_type(seconds: Any) -> None:
    error = only(check({"Type": "Wait", "Seconds": seconds, "Next": "Done"}))
    assert error["loc"] == [*S, "Seconds"] and "31536000" in error["msg"]


@pytest.mark.parametrize("stamp", ["2026-01-02", "2026-01-02 03:04:05Z", "2026-13-01T00:00:00Z", 5])
def test_wait_timestamp_must_be_rfc3339(stamp: Any) -> None:
    error = only(check({"Type": "Wait", "Timestamp": stamp, "Next": "Done"}))
    assert error["loc"] == [*S, "Timestamp"] and "RFC 3339" in error["msg"]


@pytest.mark.parametrize("key", ["SecondsPath", "TimestampPath"])
def test_wait_paths_are_checked(key: str) -> None:
    assert locs(check({"Type": "Wait", key: "delay", "Next": "Done"})) == [[*S, key]]


# --- Fail --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{}, {"Error": "E", "Cause": "C"}, {"ErrorPath": "$.e", "CausePath": "$.c"},
     {"Error": "E", "CausePath": "$.c"}],
)  # fmt: skip
def test_fail_fields(fields: dict[str, Any]) -> None:
    assert check({"Type": "Fail", **fields}).ok


@pytest.mark.parametrize("key", ["Error", "Cause"])
def test_fail_x_and_x_path_exclusive(key: str) -> None:
    error = only(check({"Type": "Fail", key: "x", f"{key}Path": "$.x"}))
    assert error["loc"] == S and "not both" in error["msg"]


def test_fail_field_types() -> None:
    report = check({"Type": "Fail", "Error": 1, "CausePath": "cause"})
    assert locs(report) == [[*S, "Error"], [*S, "CausePath"]]


# --- Paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["$", "$.a", "$.a.b[0]", "$['key with space']", "$._context.run_id", "$.a[*].b"]
)
def test_input_paths_accepted(path: str) -> None:
    assert check({"Type": "Pass", "InputPath": path, "End": True}).ok


@pytest.mark.parametrize(
    ("path", "words"),
    [
        (5, "path string"),
        ("a.b", "starting with '$'"),
        ("$$.Execution.Id", "'$._context'"),
        ("$.a[", "Invalid path '$.a['"),
        ("$..a", "not supported"),
    ],
)
def test_bad_paths(path: Any, words: str) -> None:
    error = only(check({"Type": "Pass", "InputPath": path, "End": True}))
    assert error["loc"] == [*S, "InputPath"] and words in error["msg"]


@pytest.mark.parametrize("path", ["$", "$.a", "$.a.b[0]", "$['x y']", "$.context"])
def test_result_paths_accepted(path: str) -> None:
    assert check({"Type": "Pass", "ResultPath": path, "End": True}).ok


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("$._context", "read-only"),
        ("$._context.run_id", "read-only"),
        ("$['_context']", "read-only"),
        ("$.a[*]", "definite"),
        ("$.a[0:2]", "definite"),
    ],
)
def test_bad_result_paths(path: str, words: str) -> None:
    error = only(check({"Type": "Pass", "ResultPath": path, "End": True}))
    assert error["loc"] == [*S, "ResultPath"] and words in error["msg"]


# --- Parameters --------------------------------------------------------------------------------


def test_parameters_templates_accepted() -> None:
    params = {
        "a": 1,
        "b.$": "$.b",
        "c.=": "x + 1",
        "nested": {"d.$": "$._context.run_id", "list": [{"e.$": "$.e"}, 1, None]},
        "__Private_Parameters": ["a", "b"],
    }
    assert check(expression_eval(Parameters=params)).ok


def test_parameters_must_be_an_object() -> None:
    error = only(check(expression_eval(Parameters=[1])))
    assert error["loc"] == [*S, "Parameters"] and error["type"] == "type_error.dict"


def test_path_values_at_any_depth_including_lists() -> None:
    params = {"top.$": "x", "n": {"deep.$": 1}, "l": [[{"in_list.$": "$.a["}]]}
    report = check(expression_eval(Parameters=params))
    assert locs(report) == [
        [*S, "Parameters", "top.$"],
        [*S, "Parameters", "n", "deep.$"],
        [*S, "Parameters", "l", 0, 0, "in_list.$"],
    ]


def test_expressions_must_compile() -> None:
    report = check(expression_eval(Parameters={"a.=": "1 +", "b.=": 5, "c": {"d.=": "ok + 1"}}))
    assert locs(report) == [[*S, "Parameters", "a.="], [*S, "Parameters", "b.="]]
    assert report.errors[0]["type"] == "value_error.expression"
    assert "drop the '.=' suffix" in report.errors[0]["msg"]


@pytest.mark.parametrize(
    "params", [{"a": 1, "a.$": "$.a"}, {"a.$": "$.a", "a.=": "a"}, {"a": 1, "a.=": "2"}]
)
def test_key_collisions(params: dict[str, Any]) -> None:
    error = only(check(expression_eval(Parameters=params)))
    assert error["loc"] == [*S, "Parameters"] and "keep only one" in error["msg"]


def test_plain_values_that_look_like_paths_are_literals() -> None:
    assert check(expression_eval(Parameters={"a": "$.not.a.path[", "b": "=1 +"})).ok


@pytest.mark.parametrize("private", ["a", [1], {"a": 1}])
def test_private_parameters_must_be_a_list_of_strings(private: Any) -> None:
    error = only(check(expression_eval(Parameters={"a": 1, "__Private_Parameters": private})))
    assert error["loc"] == [*S, "Parameters", "__Private_Parameters"]


def test_parameters_keys_must_be_strings_and_values_json() -> None:
    report = check(expression_eval(Parameters={1: "a", "b": object()}))
    assert locs(report) == [[*S, "Parameters", "1"], [*S, "Parameters", "b"]]
