"""Tests of flow validation: the report, the top level, graph analysis, input schemas, garbage.

Per-state rules are in ``test_validation_states.py`` and Choice rules in
``test_validation_choice.py``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gladier.exc import FlowValidationError
from gladier.runtime.language.validation import (
    MAX_POSSIBILITIES,
    ValidationReport,
    validate_definition,
)
from gladier.runtime.options import RuntimeOptions

END = {"Type": "Pass", "End": True}


def flow(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {"StartAt": start if start is not None else next(iter(states)), "States": states, **top}


def locs(report: ValidationReport) -> list[list[Any]]:
    return [e["loc"] for e in report.errors]


def only(report: ValidationReport) -> dict[str, Any]:
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


# --- The report --------------------------------------------------------------------------------


def test_valid_flow_gives_clean_report() -> None:
    report = validate_definition(flow({"A": {"Type": "Pass", "Next": "B"}, "B": END}))
    assert report.ok
    assert report.errors == [] and report.warnings == []
    assert report.analysis == {"number_of_possibilities": 1}
    assert report.scopes == {}
    report.raise_for_errors()  # no error, no exception


def test_report_is_frozen() -> None:
    report = validate_definition(flow({"A": END}))
    with pytest.raises(AttributeError):
        report.errors = []  # type: ignore[misc]


def test_errors_are_pydantic_style_items() -> None:
    report = validate_definition(flow({"A": {"Type": "Pass"}}))
    for error in report.errors:
        assert set(error) == {"loc", "msg", "type"}
        assert isinstance(error["loc"], list) and error["loc"][0] == "definition"
        assert isinstance(error["msg"], str) and isinstance(error["type"], str)


def test_raise_for_errors_carries_the_list_and_a_readable_message() -> None:
    report = validate_definition({"StartAt": "Nope", "States": {"A": {"Type": "Pass"}}})
    assert len(report.errors) == 2
    with pytest.raises(FlowValidationError) as caught:
        report.raise_for_errors()
    err = caught.value
    assert err.errors == report.errors
    assert err.detail == report.errors
    assert err.http_status == 422 and err.code == "UNPROCESSABLE_ENTITY"
    assert err.message.startswith("2 validation errors in body. ")
    assert "$.definition.StartAt: 'StartAt' names the state 'Nope'" in err.message
    assert "$.definition.States.A: A state of type 'Pass' must be defined" in err.message
    assert err.to_json()["error"]["detail"] == report.errors


def test_options_default_and_explicit() -> None:
    definition = flow({"A": END, "B": END})
    assert validate_definition(definition).ok
    assert validate_definition(definition, options=RuntimeOptions()).ok
    assert not validate_definition(definition, options=RuntimeOptions(reject_unreachable=True)).ok


def test_input_is_not_modified() -> None:
    definition = flow({"A": {"Type": "Pass", "Next": "Missing", "OutputPath": "$.x"}})
    before = copy.deepcopy(definition)
    validate_definition(definition, {"type": "object"})
    assert definition == before


# --- Conformance cases 29 and 30 ---------------------------------------------------------------

CASE_29 = {
    "Comment": "Simple flow",
    "StartAt": "Step1",
    "States": {
        "Step1": {
            "Type": "Action",
            "ActionUrl": "https://transfer.actions.globus.org/transfer",
            "Parameters": {
                "source_endpoint.$": "$.source_endpoint_id",
                "destination_endpoint.$": "$.destination_endpoint_id",
                "DATA": [
                    {
                        "source_path.$": "$.source_path",
                        "destination_path.$": "$.destination_path",
                    }
                ],
            },
            "ResultPath": "$.TransferResult",
        }
    },
}

CASE_30 = {
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Pass",
            "Result": {"a": 1},
            "ResultPath": "$.r",
            "OutputPath": "$.r",
            "End": True,
        }
    },
}


def test_case_29_missing_next_or_end_exact_detail() -> None:
    report = validate_definition(CASE_29)
    assert report.errors == [
        {
            "loc": ["definition", "States", "Step1"],
            "msg": "A state of type 'Action' must be defined as either terminal "
            '("End": true) or transitional ("Next": "NextStateId")',
            "type": "value_error",
        }
    ]


def test_case_30_outputpath_rejected_under_the_state() -> None:
    error = only(validate_definition(CASE_30))
    assert error["loc"][:3] == ["definition", "States", "P"]
    assert error["loc"] == ["definition", "States", "P", "OutputPath"]
    assert "not supported by Globus Flows" in error["msg"] and "ResultPath" in error["msg"]


# --- Top level ---------------------------------------------------------------------------------


def test_top_level_requires_startat_and_states() -> None:
    report = validate_definition({})
    assert locs(report) == [["definition", "States"], ["definition", "StartAt"]]
    assert {e["type"] for e in report.errors} == {"value_error.missing"}


def test_startat_must_name_an_existing_state() -> None:
    error = only(validate_definition(flow({"A": END, "B": END}, start="C")))
    assert error["loc"] == ["definition", "StartAt"]
    assert "'C'" in error["msg"] and "'A', 'B'" in error["msg"]


def test_startat_suggests_a_close_name() -> None:
    error = only(validate_definition(flow({"Transfer": END}, start="Transfr")))
    assert "did you mean 'Transfer'?" in error["msg"]


def test_startat_must_be_a_string() -> None:
    error = only(validate_definition({"StartAt": 3, "States": {"A": END}}))
    assert error["loc"] == ["definition", "StartAt"] and error["type"] == "type_error.str"


def test_states_must_be_a_non_empty_object() -> None:
    report = validate_definition({"StartAt": "A", "States": {}})
    assert ["definition", "States"] in locs(report)
    assert any("at least one state" in e["msg"] for e in report.errors)
    error = only(validate_definition({"StartAt": "A", "States": [END]}))
    assert error["loc"] == ["definition", "States"] and error["type"] == "type_error.dict"


@pytest.mark.parametrize("key", ["Version", "TimeoutSeconds", "QueryLanguage"])
def test_asl_only_top_level_fields_are_rejected(key: str) -> None:
    error = only(validate_definition(flow({"A": END}, **{key: "1.0"})))
    assert error["loc"] == ["definition", key]
    assert "Amazon States Language" in error["msg"] and "remove it" in error["msg"]


def test_unknown_top_level_field_lists_the_allowed_ones() -> None:
    error = only(validate_definition(flow({"A": END}, Startat="A")))
    assert error["loc"] == ["definition", "Startat"] and error["type"] == "value_error.extra"
    assert "Comment, StartAt, States" in error["msg"] and "did you mean 'StartAt'?" in error["msg"]


@pytest.mark.parametrize("comment", ["text", None])
def test_comment_may_be_a_string_or_null(comment: Any) -> None:
    states = {"A": {"Type": "Pass", "Comment": comment, "End": True}}
    assert validate_definition(flow(states, Comment=comment)).ok


def test_comment_of_another_type_is_rejected() -> None:
    report = validate_definition(
        flow({"A": {"Type": "Pass", "Comment": 1, "End": True}}, Comment=[])
    )
    assert locs(report) == [["definition", "Comment"], ["definition", "States", "A", "Comment"]]


# --- Garbage input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "definition", [None, [], "flow", 3, 2.5, True, b"{}", object(), {"StartAt", "States"}]
)
def test_definition_of_any_other_type_is_one_error(definition: Any) -> None:
    error = only(validate_definition(definition))
    assert error["loc"] == ["definition"] and error["type"] == "type_error.dict"
    assert "must be an object" in error["msg"]


@pytest.mark.parametrize("state", [None, [], "Pass", 1, True])
def test_state_that_is_not_an_object_is_an_error(state: Any) -> None:
    error = only(validate_definition(flow({"A": state})))
    assert error["loc"] == ["definition", "States", "A"] and error["type"] == "type_error.dict"


def test_non_string_state_names_are_errors() -> None:
    report = validate_definition({"StartAt": "A", "States": {"A": END, 1: END}})
    assert locs(report) == [["definition", "States", "1"]]


def test_self_referencing_structures_do_not_crash() -> None:
    params: dict[str, Any] = {}
    params["me"] = params
    state = {"Type": "ExpressionEval", "Parameters": params, "ResultPath": "$.x", "End": True}
    report = validate_definition(flow({"A": state}))
    assert any("nested more than" in e["msg"] for e in report.errors)


def test_deep_choice_nesting_does_not_crash() -> None:
    rule: dict[str, Any] = {"Variable": "$.x", "IsPresent": True}
    for _ in range(500):
        rule = {"Not": rule}
    choice = {"Type": "Choice", "Choices": [{**rule, "Next": "E"}]}
    report = validate_definition(flow({"C": choice, "E": END}))
    assert any("nested more than" in e["msg"] for e in report.errors)


def test_long_chain_of_states_does_not_hit_recursion_limits() -> None:
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(3000)}
    states["S3000"] = END
    report = validate_definition(flow(states, start="S0"))
    assert report.ok and report.analysis == {"number_of_possibilities": 1}


# --- Several problems at once ------------------------------------------------------------------


def test_every_problem_is_reported_together() -> None:
    definition = {
        "StartAt": "A",
        "Version": "1.0",
        "States": {
            "A": {"Type": "Pass", "Next": "Missing", "OutputPath": "$"},
            "B": {"Type": "Task", "Resource": "arn:x", "End": True},
            "C": {"Type": "Wait", "Seconds": -1, "Timestamp": "2025-01-01T00:00:00Z"},
            "D": {"Type": "Action", "ActionUrl": "ftp://x", "End": True, "Retry": []},
            "E": "not a state",
        },
    }
    report = validate_definition(definition, input_schema={"type": 5})
    assert locs(report) == [
        ["definition", "Version"],
        ["definition", "States", "A", "OutputPath"],
        ["definition", "States", "A", "Next"],
        ["definition", "States", "B", "Type"],
        ["definition", "States", "C"],  # no Next/End
        ["definition", "States", "C"],  # two timing fields
        ["definition", "States", "C", "Seconds"],
        ["definition", "States", "D", "Retry"],
        ["definition", "States", "D"],  # neither Parameters nor InputPath
        ["definition", "States", "D", "ActionUrl"],
        ["definition", "States", "E"],
        ["input_schema", "type"],
    ]
    assert len(report.warnings) == 4  # B, C, D, E are unreachable


# --- Reachability and analysis -----------------------------------------------------------------


def test_unreachable_states_are_warnings_by_default() -> None:
    report = validate_definition(flow({"A": END, "Orphan": END}))
    assert report.ok
    assert len(report.warnings) == 1
    assert "'Orphan' is unreachable" in report.warnings[0]


def test_unreachable_states_are_errors_when_rejected() -> None:
    options = RuntimeOptions(reject_unreachable=True)
    error = only(validate_definition(flow({"A": END, "Orphan": END}), options=options))
    assert error["loc"] == ["definition", "States", "Orphan"]
    assert "unreachable" in error["msg"]


def test_states_reached_through_choice_default_and_catch_are_reachable() -> None:
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Act"}],
            "Default": "Dflt",
        },
        "Act": {
            "Type": "Action",
            "ActionUrl": "https://ap.example.org/",
            "Parameters": {},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}],
            "End": True,
        },
        "Dflt": END,
        "Handler": {"Type": "Fail"},
    }
    report = validate_definition(flow(states))
    assert report.ok and report.warnings == []
    assert report.analysis == {"number_of_possibilities": 3}


def test_possibilities_count_branches() -> None:
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.x", "IsNull": True, "Next": "L"},
                {"Variable": "$.x", "IsString": True, "Next": "L"},
            ],
            "Default": "R",
        },
        "L": {"Type": "Pass", "Next": "J"},
        "R": {"Type": "Pass", "Next": "J"},
        "J": END,
    }
    assert validate_definition(flow(states)).analysis == {"number_of_possibilities": 2}


def test_possibilities_count_a_loop_once() -> None:
    states = {
        "Init": {"Type": "Pass", "Result": {"i": 0}, "ResultPath": "$.s", "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.s.i", "NumericLessThan": 3, "Next": "Body"}],
            "Default": "Done",
        },
        "Body": {
            "Type": "ExpressionEval",
            "Parameters": {"i.=": "s['i'] + 1"},
            "ResultPath": "$.s",
            "Next": "Check",
        },
        "Done": END,
    }
    # Init-Check-Done, and Init-Check-Body-Check-Done
    assert validate_definition(flow(states)).analysis == {"number_of_possibilities": 2}


def test_possibilities_are_capped() -> None:
    states: dict[str, Any] = {}
    for i in range(20):
        states[f"C{i}"] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsNull": True, "Next": f"L{i}"}],
            "Default": f"R{i}",
        }
        states[f"L{i}"] = {"Type": "Pass", "Next": f"C{i + 1}"}
        states[f"R{i}"] = {"Type": "Pass", "Next": f"C{i + 1}"}
    states["C20"] = END
    report = validate_definition(flow(states, start="C0"))
    assert report.ok
    assert report.analysis == {"number_of_possibilities": MAX_POSSIBILITIES}


def test_no_possibilities_without_a_valid_start() -> None:
    assert validate_definition({"StartAt": "X", "States": {"A": END}}).analysis == {
        "number_of_possibilities": 0
    }
    assert validate_definition(None).analysis == {"number_of_possibilities": 0}


def test_scopes_are_grouped_by_runas_role() -> None:
    def action(scope: str, nxt: str, **extra: Any) -> dict[str, Any]:
        base = {"Type": "Action", "ActionUrl": "https://a.example.org/", "InputPath": "$"}
        return {**base, "ActionScope": scope, "Next": nxt, **extra}

    states = {
        "A": action("scope:b", "B"),
        "B": action("scope:a", "C", RunAs="Flow"),
        "C": action("scope:a", "D"),
        "D": END,
    }
    report = validate_definition(flow(states))
    assert report.ok
    assert report.scopes == {"Flow": ["scope:a"], "User": ["scope:a", "scope:b"]}


# --- input_schema ------------------------------------------------------------------------------


def test_valid_input_schema() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}
    assert validate_definition(flow({"A": END}), schema).ok
    draft7 = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}
    assert validate_definition(flow({"A": END}), draft7).ok


def test_input_schema_none_is_not_checked() -> None:
    assert validate_definition(flow({"A": END}), None).ok


@pytest.mark.parametrize("schema", [[], "object", 1, True])
def test_input_schema_must_be_an_object(schema: Any) -> None:
    error = only(validate_definition(flow({"A": END}), schema))
    assert error["loc"] == ["input_schema"] and error["type"] == "type_error.dict"


def test_invalid_input_schema_lists_every_problem_under_input_schema() -> None:
    schema = {"type": "nope", "properties": {"a": {"minimum": "x"}}, "required": "x"}
    report = validate_definition(flow({"A": END}), schema)
    assert sorted(locs(report)) == sorted(
        [
            ["input_schema", "type"],
            ["input_schema", "properties", "a", "minimum"],
            ["input_schema", "required"],
        ]
    )
    assert all(e["type"] == "value_error.jsonschema" for e in report.errors)
    assert all("not a valid JSON Schema" in e["msg"] for e in report.errors)


def test_input_schema_with_unknown_dialect_is_a_warning() -> None:
    schema = {"$schema": "https://example.org/my-dialect", "type": "object"}
    report = validate_definition(flow({"A": END}), schema)
    assert report.ok and "unknown JSON Schema dialect" in report.warnings[0]
    error = only(validate_definition(flow({"A": END}), {"$schema": 7}))
    assert error["loc"] == ["input_schema", "$schema"]


def test_definition_and_schema_errors_together() -> None:
    report = validate_definition([], {"type": 1})
    assert locs(report) == [["definition"], ["input_schema", "type"]]


# --- Never raises ------------------------------------------------------------------------------

_FIELDS = [
    "StartAt", "States", "Comment", "Type", "Next", "End", "Parameters", "InputPath",
    "ResultPath", "Result", "ActionUrl", "Handler", "WaitTime", "RunAs", "ActionScope",
    "ExceptionOnActionFailure", "Catch", "ErrorEquals", "Choices", "Default", "Variable", "And",
    "Or", "Not", "StringEquals", "NumericLessThanPath", "TimestampEquals", "IsPresent",
    "BooleanEquals", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Error", "Cause",
    "ErrorPath", "CausePath", "x.$", "y.=", "__Private_Parameters", "OutputPath", "Id", "A", "B",
]  # fmt: skip
_TYPES = ["Action", "Pass", "Choice", "Wait", "Fail", "ExpressionEval", "Task", "Map", "x"]
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["$", "$.a", "$.a[0]", "$..a", "$.a[*]", "$._context.x", "$$.x", "$[", "a"])
    | st.sampled_from([*_TYPES, "A", "B", "x + 1", "(", "https://x.org/", "2025-01-01T00:00:00Z"])
)
_JSONISH = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_FIELDS) | st.text(max_size=5), inner, max_size=6)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=_JSONISH, schema=_JSONISH)
def test_never_raises_for_arbitrary_input(definition: Any, schema: Any) -> None:
    report = validate_definition(definition, schema)
    assert isinstance(report.errors, list) and isinstance(report.warnings, list)
    for error in report.errors:
        assert set(error) == {"loc", "msg", "type"} and error["loc"][0] in (
            "definition",
            "input_schema",
        )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    states=st.dictionaries(
        st.sampled_from(["A", "B", "C"]),
        st.fixed_dictionaries({"Type": st.sampled_from(_TYPES)}).flatmap(
            lambda base: st.dictionaries(st.sampled_from(_FIELDS), _JSONISH, max_size=6).map(
                lambda extra: {**extra, **base}
            )
        ),
        min_size=1,
    )
)
def test_never_raises_for_state_shaped_input(states: dict[str, Any]) -> None:
    report = validate_definition({"StartAt": "A", "States": states})
    assert all(e["loc"][0] == "definition" for e in report.errors)
