from __future__ import annotations

import pytest

from gladier import GladierBaseTool
from gladier.exc import ConfigException
from gladier.flowgen import StateTool, resolve_tool, resolve_tools
from gladier.utils.tool_alias import StateSuffixVariablePrefix
from tests.sdk import sample_tools as st

SAMPLES = "tests.sdk.sample_tools"


def test_classes_are_instantiated() -> None:
    tool = resolve_tool(st.Transfer)
    assert type(tool) is st.Transfer and tool.alias is None


def test_instances_are_returned_as_they_are() -> None:
    tool = st.Tar("X", StateSuffixVariablePrefix)
    assert resolve_tool(tool) is tool


def test_dotted_strings_with_and_without_alias() -> None:
    tool = resolve_tool(f"{SAMPLES}.Tar")
    assert type(tool) is st.Tar and tool.alias is None
    aliased = resolve_tool(f"{SAMPLES}.Tar:First", StateSuffixVariablePrefix)
    assert aliased.alias == "First"
    assert aliased.get_required_input() == ["first_tar_input", "compute_endpoint"]


def test_alias_without_alias_class() -> None:
    with pytest.raises(ConfigException, match="has an alias but no alias_class"):
        resolve_tool(f"{SAMPLES}.Tar:First")


def test_bad_references_name_the_problem() -> None:
    with pytest.raises(ConfigException, match=r'Cannot import tool "no_such_pkg\.Tool"'):
        resolve_tool("no_such_pkg.Tool")
    with pytest.raises(ConfigException, match=r'"tests\.sdk\.sample_tools\.tar" names'):
        resolve_tool(f"{SAMPLES}.tar")
    with pytest.raises(ConfigException, match="is not a tool"):
        resolve_tool(42)
    with pytest.raises(ConfigException, match="is not a tool"):
        resolve_tool(dict)
    with pytest.raises(ConfigException, match="dotted path"):
        resolve_tool("NoDots")


def test_a_dotted_string_may_name_an_instance() -> None:
    import tests.sdk.sample_tools as module

    module.ready_made = st.Transfer()  # type: ignore[attr-defined]
    try:
        assert resolve_tool(f"{SAMPLES}.ready_made") is module.ready_made  # type: ignore[attr-defined]
        with pytest.raises(ConfigException, match="aliases apply to tool classes only"):
            resolve_tool(f"{SAMPLES}.ready_made:X", StateSuffixVariablePrefix)
    finally:
        del module.ready_made  # type: ignore[attr-defined]


def test_states_are_wrapped() -> None:
    from gladier.tools import PassState

    state = PassState(state_name="Start")
    tool = resolve_tool(state)
    assert isinstance(tool, StateTool) and isinstance(tool, GladierBaseTool)
    assert tool.state is state
    assert repr(tool) == "StateTool('Start')"
    assert (tool.get_flow_definition() or {})["StartAt"] == "Start"


def test_resolve_tools() -> None:
    tools = resolve_tools([st.Tar, f"{SAMPLES}.Tar:B"], StateSuffixVariablePrefix)
    assert [t.alias for t in tools] == [None, "B"]
    with pytest.raises(ConfigException, match='"gladier_tools" must be a list'):
        resolve_tools("tests.sdk.sample_tools.Tar")
    with pytest.raises(ConfigException, match='"gladier_tools" must be a list'):
        resolve_tools(None)  # type: ignore[arg-type]
