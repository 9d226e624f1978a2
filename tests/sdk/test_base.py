from __future__ import annotations

import copy
from typing import Any

import pytest

from gladier import GladierBaseTool
from gladier.utils.tool_alias import NoAlias, StateSuffixVariablePrefix
from tests.sdk.sample_tools import HandWritten, SimpleTool, Transfer, simple_fn


class WithRequirements(GladierBaseTool):
    required_input = ["compute_endpoint", "required_var"]
    flow_input = {"compute_endpoint": "my_compute_endpoint", "default_var": "is a thing!"}
    compute_functions = [simple_fn]


def test_class_variable_defaults() -> None:
    assert GladierBaseTool.flow_definition is None
    assert GladierBaseTool.flow_input == {}
    assert GladierBaseTool.required_input == []
    assert GladierBaseTool.flow_transition_states == []
    assert GladierBaseTool.compute_functions == []
    assert GladierBaseTool.compute_endpoints == {}
    assert "compute_endpoint" in GladierBaseTool.alias_exempt
    assert "funcx_endpoint_compute" in GladierBaseTool.alias_exempt


def test_alias_without_alias_class_is_a_value_error() -> None:
    with pytest.raises(ValueError, match='given alias "First" but not "alias_class"'):
        GladierBaseTool(alias="First")


def test_unaliased_inputs_are_unchanged() -> None:
    tool = WithRequirements()
    assert tool.get_required_input() == ["compute_endpoint", "required_var"]
    assert tool.get_flow_input() == {
        "compute_endpoint": "my_compute_endpoint",
        "default_var": "is a thing!",
    }
    assert tool.get_original_inputs() == ["required_var", "default_var"]


def test_aliased_inputs_keep_exempt_names() -> None:
    tool = WithRequirements(alias="MyAlias", alias_class=StateSuffixVariablePrefix)
    assert tool.get_required_input() == ["compute_endpoint", "my_alias_required_var"]
    assert tool.get_flow_input() == {
        "compute_endpoint": "my_compute_endpoint",
        "my_alias_default_var": "is a thing!",
    }


def test_alias_inputs_match_gladier_0_11() -> None:
    from tests.sdk.reference import reference

    tool = SimpleTool(alias="MyAlias", alias_class=StateSuffixVariablePrefix)
    expected = reference("tool_alias_inputs")
    assert tool.get_required_input() == expected["required"]
    assert tool.get_flow_input() == expected["flow_input"]


def test_get_flow_definition_without_alias_is_the_attribute() -> None:
    tool = Transfer()
    assert tool.get_flow_definition() is Transfer.flow_definition
    assert GladierBaseTool().get_flow_definition() is None
    assert GladierBaseTool(alias="X", alias_class=NoAlias).get_flow_definition() is None


def test_get_flow_definition_with_alias_leaves_the_original_alone() -> None:
    before = copy.deepcopy(HandWritten.flow_definition)
    aliased = HandWritten(alias="Two", alias_class=StateSuffixVariablePrefix)
    assert set(aliased.get_flow_definition() or {}) == {"Comment", "StartAt", "States"}
    assert HandWritten.flow_definition == before


def test_rename_state() -> None:
    tool = HandWritten(alias="Two", alias_class=StateSuffixVariablePrefix)
    name, data = tool.rename_state("Hello", {"Parameters": {"echo_string.$": "$.input.message"}})
    assert name == "HelloTwo"
    assert data == {"Parameters": {"echo_string.$": "$.input.two_message"}}
    plain: dict[str, Any] = {"Type": "Pass"}
    assert HandWritten().rename_state("Hello", plain) == ("Hello", plain)


def test_transition_states_are_aliased() -> None:
    class Branchy(GladierBaseTool):
        flow_transition_states = ["Yes"]

    assert Branchy().get_flow_transition_states() == ["Yes"]
    aliased = Branchy(alias="B", alias_class=StateSuffixVariablePrefix)
    assert aliased.get_flow_transition_states() == ["YesB"]


def test_legacy_funcx_functions_are_used_with_a_deprecation_warning() -> None:
    class Legacy(GladierBaseTool):
        funcx_functions = [simple_fn]

    with pytest.warns(DeprecationWarning, match='"funcx_functions".*"compute_functions"'):
        tool = Legacy()
    assert tool.compute_functions == [simple_fn]


def test_compute_functions_win_over_legacy_ones() -> None:
    def other(**data: Any) -> None:
        pass

    class Both(GladierBaseTool):
        compute_functions = [simple_fn]
        funcx_functions = [other]

    assert Both().compute_functions == [simple_fn]


def test_repr_names_the_alias() -> None:
    assert repr(Transfer()) == "Transfer()"
    assert repr(Transfer("Two", StateSuffixVariablePrefix)) == "Transfer(alias='Two')"
