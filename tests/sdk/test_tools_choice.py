from __future__ import annotations

import pytest
from pydantic import ValidationError

from gladier.exc import FlowGenException
from gladier.tools import (
    AndRule,
    ChoiceOption,
    ChoiceState,
    ComparisonRule,
    FailState,
    NotRule,
    OrRule,
    PassState,
)
from gladier.tools.builtins.choice_state import COMPARISON_OPERATORS
from tests.sdk.reference import as_fixture_text, reference, reference_text


def test_choice_with_default_matches_gladier_0_11() -> None:
    choice = ChoiceState(state_name="Pick", default=PassState(state_name="Otherwise"))
    both = AndRule(
        [
            ComparisonRule(Variable="$.input.x", NumericGreaterThan=1),
            ComparisonRule(Variable="$.input.y", StringEquals="a"),
        ]
    )
    choice.choice(ChoiceOption(rule=both, next=PassState(state_name="Big")))
    present = ComparisonRule(Variable="$.input.z", IsPresent=True)
    choice.choice(ChoiceOption(rule=present, next=FailState(state_name="Bad")))
    assert as_fixture_text(choice.get_flow_definition()) == reference_text(
        "state_api_choice_with_default"
    )


def test_choice_without_default_keeps_its_targets() -> None:
    choice = ChoiceState(state_name="Pick2")
    rule = ComparisonRule(Variable="$.input.x", BooleanEquals=True)
    choice.choice(ChoiceOption(rule=rule, next=PassState(state_name="T")))
    definition = choice.get_flow_definition()
    assert definition["States"]["T"] == {"Type": "Pass", "ResultPath": "$.TResult", "End": True}
    assert "T" not in reference("state_api_choice_no_default_0_11_bug")["States"]
    buggy = reference("state_api_choice_no_default_0_11_bug")
    assert definition["States"]["Pick2"] == buggy["States"]["Pick2"]


def test_or_and_not_rules_serialise_as_flows_rules() -> None:
    a = ComparisonRule(Variable="$.a", IsNull=True)
    b = ComparisonRule(Variable="$.b", StringMatches="log-*")
    assert OrRule([a, b]).flow_dict() == {
        "Or": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.b", "StringMatches": "log-*"}]
    }
    assert NotRule(a).flow_dict() == {"Not": {"Variable": "$.a", "IsNull": True}}
    nested = AndRule([OrRule([a]), NotRule(b)])
    assert nested.flow_dict() == {
        "And": [
            {"Or": [{"Variable": "$.a", "IsNull": True}]},
            {"Not": {"Variable": "$.b", "StringMatches": "log-*"}},
        ]
    }
    option = ChoiceOption(rule=NotRule(a), next=PassState(state_name="N"))
    state = ChoiceState(state_name="C").choice(option).get_flow_state_dict()
    assert state["Choices"] == [{"Not": {"Variable": "$.a", "IsNull": True}, "Next": "N"}]


def test_set_default_returns_the_default() -> None:
    choice = ChoiceState(state_name="C")
    fallback = PassState(state_name="Fallback")
    assert choice.set_default(fallback) is fallback
    choice.choice(
        ChoiceOption(
            rule=ComparisonRule(Variable="$.x", IsPresent=True), next=FailState(state_name="F")
        )
    )
    definition = choice.get_flow_definition()
    assert list(definition["States"]) == ["C", "F", "Fallback"]
    assert definition["States"]["C"]["Default"] == "Fallback"


def test_choice_needs_choices() -> None:
    with pytest.raises(FlowGenException, match="has no choices"):
        ChoiceState(state_name="Empty").get_flow_definition()


def test_comparison_rule_validation() -> None:
    assert len(COMPARISON_OPERATORS) == 39
    ComparisonRule(Variable="$.foo", StringLessThanPath="$.zzz")
    with pytest.raises(ValidationError):
        ComparisonRule(Variable="$.foo", StringLessThanPath="zzz")
    with pytest.raises(ValidationError):
        ComparisonRule(Variable="$.foo", StringLessThan="zzz", BooleanEquals=False)
    with pytest.raises(ValidationError):
        ComparisonRule(Variable="$.foo")
    with pytest.raises(ValidationError):
        ComparisonRule(Variable="foo", IsPresent=True)
    with pytest.raises(ValidationError):
        OrRule([])


def test_rules_render_their_values() -> None:
    assert ComparisonRule(Variable="$.n", NumericEquals=0).flow_dict() == {
        "Variable": "$.n",
        "NumericEquals": 0.0,
    }
    assert ComparisonRule(Variable="$.t", TimestampLessThan="2020-01-01T00:00:00Z").flow_dict() == {
        "Variable": "$.t",
        "TimestampLessThan": "2020-01-01T00:00:00Z",
    }
