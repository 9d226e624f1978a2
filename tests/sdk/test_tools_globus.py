from __future__ import annotations

from typing import Any

from gladier import generate_flow_definition
from gladier.flowgen import function_id_inputs, generated_client_definition, resolve_tool
from gladier.tools import Compute, PassState, Transfer, TransferDelete, TransferItem
from tests.sdk.reference import FakeClient


def mock_func(**kwargs: Any) -> None:
    pass


def test_compute_state_never_logs_in_or_registers() -> None:
    step = Compute(function_to_call=mock_func, function_parameters={"foo": "bar"})
    definition = step.get_flow_definition()
    state = definition["States"]["Compute"]
    assert state == {
        "Type": "Action",
        "ResultPath": "$.ComputeResult",
        "Parameters": {
            "endpoint.$": "$.input.compute_endpoint",
            "function.$": "$.input.mock_func_function_id",
            "kwargs": {"foo": "bar"},
        },
        "End": True,
        "ActionUrl": "https://compute.actions.globus.org/fxap",
        "WaitTime": 600,
        "ExceptionOnActionFailure": False,
    }
    assert step.get_compute_functions() == [mock_func]
    assert step.path_to_return_val() == "$.ComputeResult.details.results[0].output"


def test_compute_with_a_registered_id_and_path_parameters() -> None:
    step = Compute(
        state_name="Run",
        function_to_call="0f3a-registered-id",
        endpoint_id="$.input.gpu_endpoint",
        function_parameters="$.input.params",
    )
    parameters = step.get_flow_state_dict()["Parameters"]
    assert parameters == {
        "endpoint.$": "$.input.gpu_endpoint",
        "function": "0f3a-registered-id",
        "kwargs.$": "$.input.params",
    }
    assert step.get_compute_functions() == []
    assert "kwargs" not in Compute(function_to_call="id").get_flow_state_dict()["Parameters"]


def test_compute_functions_of_a_chain_reach_the_client() -> None:
    def other(**kwargs: Any) -> None:
        pass

    chain = Compute(state_name="A", function_to_call=mock_func)
    chain.next(PassState(state_name="Mid")).next(Compute(state_name="B", function_to_call=other))
    chain.next(Compute(state_name="C", function_to_call=mock_func))
    assert chain.get_compute_functions() == [mock_func, other]
    tool = resolve_tool(chain)
    assert function_id_inputs(tool) == {
        "mock_func_function_id": mock_func,
        "other_function_id": other,
    }

    @generate_flow_definition
    class Client(FakeClient):
        gladier_tools = [chain]

    definition: Any = generated_client_definition(Client())
    assert list(definition["States"]) == ["A", "Mid", "B", "C"]


def test_set_call_params_from_self_model() -> None:
    step = Compute(function_to_call=mock_func, alpha=1, beta=None)
    assert step.set_call_params_from_self_model({"alpha", "beta"}) == {"alpha": 1, "beta": None}
    assert step.set_call_params_from_self_model(["alpha", "beta"], omit_Nones=True) == {"alpha": 1}
    assert step.get_flow_state_dict()["Parameters"]["kwargs"] == {"alpha": 1}


def test_transfer_state() -> None:
    step = Transfer(
        source_endpoint_id="src",
        destination_endpoint_id="dest",
        transfer_items=[TransferItem(source_path="src_path", destination_path="dest_path")],
    )
    parameters = step.get_flow_state_dict()["Parameters"]
    assert parameters == {
        "source_endpoint_id": "src",
        "destination_endpoint_id": "dest",
        "transfer_items": [{"source_path": "src_path", "destination_path": "dest_path"}],
    }
    default = Transfer().get_flow_state_dict()["Parameters"]["transfer_items"]
    assert default == [
        {
            "source_path.$": "$.input.source_transfer_path",
            "destination_path.$": "$.input.destination_transfer_path",
        }
    ]


def test_transfer_items_default_is_not_shared() -> None:
    first, second = Transfer(), Transfer()
    assert first.transfer_items is not second.transfer_items


def test_transfer_delete_state() -> None:
    step = TransferDelete(endpoint_id="src", items=["file1", "dir1"], recursive=True)
    parameters = step.get_flow_state_dict()["Parameters"]
    assert parameters == {"endpoint_id": "src", "items": ["file1", "dir1"], "recursive": True}


def test_definitions_carry_the_functions_a_client_must_register() -> None:
    import copy
    import json
    import pickle

    from gladier.flowgen import FlowDefinition, definition_compute_functions

    definition = Compute(state_name="Run", function_to_call=mock_func).get_flow_definition()
    assert isinstance(definition, FlowDefinition) and isinstance(definition, dict)
    assert definition_compute_functions(definition) == [mock_func]
    assert definition_compute_functions(copy.deepcopy(definition)) == [mock_func]
    assert definition_compute_functions(pickle.loads(pickle.dumps(definition))) == [mock_func]
    assert json.loads(json.dumps(definition)) == definition
    assert definition_compute_functions({"StartAt": "X"}) == []
    assert definition_compute_functions(PassState().get_flow_definition()) == []
