"""GladierBaseClient on the embedded runtime: construction, input, runs, status and progress."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

import gladier
from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition
from gladier.exc import ConfigException
from gladier.runtime import Runtime
from gladier.runtime.compute.constants import DEFAULT_ENDPOINT_ID
from gladier.services.local import LocalBackend
from tests.sdk.client_tools import (
    PASS_DEFINITION,
    AddOne,
    AddOneClient,
    Double,
    Explode,
    Greet,
    HelloClient,
)


@generate_flow_definition
class AddThenDouble(GladierBaseClient):
    """Add one, then double."""

    gladier_tools = [AddOne, Double]


@generate_flow_definition
class ExplodeClient(GladierBaseClient):
    gladier_tools = [Explode]


class PassClient(GladierBaseClient):
    flow_definition = PASS_DEFINITION


def test_public_names_are_the_client_classes() -> None:
    import gladier.client

    assert gladier.GladierBaseClient is gladier.client.GladierBaseClient
    assert gladier.GladierClient is gladier.client.GladierClient
    assert issubclass(gladier.GladierClient, gladier.GladierBaseClient)


def test_constructing_a_client_writes_nothing(_isolated_home: Path) -> None:
    client = AddOneClient()
    assert client.get_flow_definition()["StartAt"] == "AddOne"
    assert not _isolated_home.exists()


def test_repr_and_log_name_the_backend(
    _isolated_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gladier"):
        client = AddOneClient()
    assert repr(client) == f"AddOneClient(backend='embedded runtime at {_isolated_home}')"
    assert any("uses the embedded backend" in r.getMessage() for r in caplog.records)
    assert client.backend.name == "embedded"


def test_class_defaults_match_gladier() -> None:
    assert GladierBaseClient.client_id == "f1631610-d9e4-4db2-81ba-7f93ad4414e3"
    assert GladierBaseClient.app_name == "Gladier Client"
    assert GladierBaseClient.secret_config_filename is None
    assert GladierBaseClient.globus_group is None
    assert GladierBaseClient.subscription_id is None
    assert GladierBaseClient.alias_class.__name__ == "StateSuffixVariablePrefix"
    assert GladierBaseClient.flow_kwargs is None and GladierBaseClient.run_kwargs is None
    assert AddOneClient().version == gladier.__version__


def test_tools_from_classes_instances_and_dotted_strings() -> None:
    class Mixed(GladierBaseClient):
        gladier_tools = [AddOne, Double(), "tests.sdk.client_tools.Greet:Second"]
        flow_definition = PASS_DEFINITION

    tools = Mixed().tools
    assert [type(t) for t in tools] == [AddOne, Double, Greet]
    assert tools[2].alias == "Second"
    assert Mixed.get_gladier_defaults_cls("tests.sdk.client_tools.Double").__class__ is Double


@pytest.mark.parametrize(
    "definition",
    ["tests.sdk.client_tools.Hello", "tests.sdk.client_tools.PASS_DEFINITION"],
)
def test_flow_definition_may_be_a_dotted_string(definition: str) -> None:
    class Dotted(GladierBaseClient):
        flow_definition = definition

    assert Dotted().get_flow_definition()["StartAt"] in {"Hello", "Echo"}


def test_missing_flow_definition_says_how_to_set_one() -> None:
    class Empty(GladierBaseClient):
        pass

    with pytest.raises(ConfigException, match="generate_flow_definition"):
        Empty().get_flow_definition()


@pytest.mark.parametrize(
    ("flow_input", "expected"),
    [
        ({"flow_input": {"number": 1}}, 'not wrapped in {"flow_input"'),
        ({"number": 1}, r"keys \['number'\]"),
        ({"input": {"number": 1}, "label": "x"}, r"keys \['input', 'label'\]"),
        ({"input": [1, 2]}, '"input" holding list'),
        ([{"input": {}}], "list"),
    ],
)
def test_run_flow_input_must_be_nested_under_input(flow_input: Any, expected: str) -> None:
    client = AddOneClient()
    with pytest.raises(ConfigException, match=expected) as info:
        client.run_flow(flow_input)
    assert 'client.run_flow({"input": {' in str(info.value)


def test_required_input_is_checked_naming_tool_and_key() -> None:
    client = AddOneClient()
    with pytest.raises(ConfigException, match='AddOne requires flow input value: "number"'):
        client.run_flow({"input": {}})


def test_required_input_of_an_aliased_tool_names_the_alias_and_aliased_key() -> None:
    @generate_flow_definition
    class TwoAdds(GladierBaseClient):
        gladier_tools = [
            "tests.sdk.client_tools.AddOne:First",
            "tests.sdk.client_tools.AddOne:Second",
        ]

    with pytest.raises(ConfigException, match=r"alias 'Second'.*\"second_number\""):
        TwoAdds().run_flow({"input": {"first_number": 1}})


def test_get_input_holds_ids_defaults_and_the_default_endpoint() -> None:
    client = AddOneClient()
    values = client.get_input()["input"]
    assert values["step"] == 1
    assert values["compute_endpoint"] == DEFAULT_ENDPOINT_ID
    function = client.backend.runtime().get_function(values["add_one_function_id"])
    assert function["function_name"] == "add_one"


def test_no_compute_endpoint_is_added_when_nothing_needs_it() -> None:
    assert "compute_endpoint" not in HelloClient().get_input()["input"]


def test_values_in_the_client_section_override_tool_defaults() -> None:
    client = AddOneClient()
    client.storage.set_value("step", "5")
    client.storage.set_value("compute_endpoint", "my-endpoint")
    client.storage.set_value("unrelated", "ignored")
    values = client.get_input()["input"]
    assert values["step"] == "5"
    assert values["compute_endpoint"] == "my-endpoint"
    assert "unrelated" not in values


def test_run_flow_returns_the_run_document_and_the_flow_succeeds() -> None:
    client = AddThenDouble()
    run = client.run_flow({"input": {"number": 4}}, label="add and double", tags=["t1"])
    assert run["run_id"] == run["action_id"]
    assert run["label"] == "add and double" and run["tags"] == ["t1"]
    final = client.progress(run["run_id"], callback=lambda status: None)
    assert final["status"] == "SUCCEEDED"
    output = final["details"]["output"]
    assert output["AddOne"]["details"]["results"][0]["output"] == 5
    assert output["Double"]["details"]["results"][0]["output"] == 8
    assert client.get_details(run["run_id"], "Double")["details"]["result"] == [8]


def test_caller_input_wins_over_defaults_and_use_defaults_false_skips_them() -> None:
    client = AddOneClient()
    run = client.run_flow({"input": {"number": 1, "step": 10}})
    final = client.progress(run["run_id"], callback=lambda status: None)
    assert final["details"]["output"]["AddOne"]["details"]["results"][0]["output"] == 11
    with pytest.raises(ConfigException, match='"compute_endpoint"'):
        client.run_flow({"input": {"number": 1}}, use_defaults=False)


def test_long_labels_are_cut_to_64_characters_like_gladier() -> None:
    client = PassClient()
    run = client.run_flow({"input": {"x": 1}}, label="L" * 100)
    assert run["label"] == "L" * 62 + ".."


def test_unknown_run_arguments_are_refused() -> None:
    with pytest.raises(ConfigException, match="unknown argument"):
        PassClient().run_flow({"input": {}}, lable="typo")


def test_run_kwargs_apply_to_every_run() -> None:
    class Tagged(GladierBaseClient):
        flow_definition = PASS_DEFINITION
        run_kwargs = {"tags": ["nightly"]}

    assert Tagged().run_flow({"input": {}})["tags"] == ["nightly"]


def test_get_status_makes_compute_failures_readable() -> None:
    client = ExplodeClient()
    run = client.run_flow({"input": {"number": 7}})
    final = client.progress(run["run_id"], callback=lambda status: None)
    assert final["status"] == "FAILED"
    status = client.get_status(run["run_id"])
    cause = status["details"]["details"]["cause"]
    exception = cause["details"]["exception"]
    assert "Traceback (most recent call last)" in exception
    assert "ValueError: cannot handle 7" in exception
    error = cause["details"]["errors"][0]
    assert (error["type"], error["message"]) == ("ValueError", "cannot handle 7")


def test_a_failed_task_without_exception_on_failure_is_readable_in_its_state() -> None:
    client = AddOneClient()
    run = client.run_flow({"input": {"number": "not a number"}})
    client.progress(run["run_id"], callback=lambda status: None)
    details = client.get_details(run["run_id"], "AddOne")["details"]
    assert "TypeError" in details["exception"]
    assert "Traceback" in details["exception"]


def test_progress_calls_the_callback_for_each_status_until_the_end() -> None:
    client = HelloClient()
    run = client.run_flow({"input": {"message": "hi"}})
    seen: list[str] = []
    final = client.progress(run["run_id"], callback=lambda s: seen.append(s["status"]), delay=0)
    assert seen[-1] == "SUCCEEDED" == final["status"]
    assert all(status == "ACTIVE" for status in seen[:-1])
    assert final["details"]["output"]["Hello"]["details"]["Hello"] == "World"


def test_progress_without_callback_shows_each_state(capsys: pytest.CaptureFixture[str]) -> None:
    client = AddThenDouble()
    run = client.run_flow({"input": {"number": 1}})
    final = client.progress(run["run_id"])
    assert final["status"] == "SUCCEEDED"
    shown = capsys.readouterr().out
    assert "AddOne" in shown and "Double" in shown and "SUCCEEDED" in shown


def test_progress_ends_on_every_terminal_status(tmp_path: Path) -> None:
    runtime = Runtime(home=tmp_path / "ended", options={"cancel_status": "ENDED"})

    class Waiting(GladierBaseClient):
        backend = LocalBackend(runtime=runtime)
        flow_definition = {
            "StartAt": "Nap",
            "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}},
        }

    try:
        client = Waiting()
        run = client.run_flow({"input": {}})
        runtime.cancel_run(run["run_id"])
        assert client.progress(run["run_id"], callback=lambda s: None)["status"] == "ENDED"
    finally:
        runtime.close()


def test_sync_flow_deploys_once_and_get_flow_id_reads_it() -> None:
    client = PassClient()
    assert client.get_flow_id() is None
    flow_id = client.sync_flow()
    assert flow_id and client.get_flow_id() == flow_id
    assert client.sync_flow() == flow_id
    flow = client.backend.runtime().get_flow(flow_id)
    assert flow["title"] == "PassClient flow"
    assert flow["definition"] == PASS_DEFINITION


def test_flow_schema_is_deployed() -> None:
    schema = {"type": "object", "properties": {"input": {"type": "object"}}, "required": ["input"]}

    class Schemed(GladierBaseClient):
        flow_definition = PASS_DEFINITION
        flow_schema = schema

    client = Schemed()
    assert client.get_flow_schema() == schema
    flow = client.backend.runtime().get_flow(client.sync_flow())
    assert flow["input_schema"] == schema


def test_a_tool_instance_with_its_own_settings_is_used_as_given() -> None:
    class Custom(GladierBaseTool):
        required_input = ["message"]
        flow_input = {"message": "from the tool"}
        flow_definition = HelloClient().get_flow_definition()

    class UsesInstance(GladierBaseClient):
        gladier_tools = [Custom()]
        flow_definition = "tests.sdk.client_tools.Hello"

    client = UsesInstance()
    run = client.run_flow()
    final = client.progress(run["run_id"], callback=lambda s: None)
    assert final["details"]["output"]["Hello"]["details"]["Hello"] == "World"
    assert final["details"]["output"]["input"]["message"] == "from the tool"
