"""Tools shared by the SDK tests and by the script that made the 0.11 reference fixtures.

Only ``GladierBaseTool`` and ``generate_flow_definition`` are used, so this module imports with
Gladier 0.11 as well as with this project. ``Tar``, ``Encrypt`` and ``Transfer`` mirror the names,
inputs and modifiers of the gladier-tools 0.5.4 tools of the same names.
"""

from __future__ import annotations

from typing import Any

from gladier import GladierBaseTool, generate_flow_definition


def simple_fn(**data: Any) -> Any:
    """Add one to a number."""
    return data["number"] + 1


def second_fn(**data: Any) -> Any:
    return data.get("number", 0) * 2


def parallel_workload_input_builder(**data: Any) -> Any:
    """Build tasks."""
    return [{"payload": {"n": n}} for n in range(data.get("count", 2))]


def parallel_workload(**data: Any) -> Any:
    """Run one task."""
    return data.get("n")


def tar(**data: Any) -> Any:
    return f"{data['tar_input']}.tgz"


def encrypt(**data: Any) -> Any:
    return f"{data['encrypt_input']}.aes"


@generate_flow_definition
class SimpleTool(GladierBaseTool):
    """A simple tool."""

    compute_functions = [simple_fn]
    required_input = ["number", "compute_endpoint"]
    flow_input = {"step": 1}


@generate_flow_definition
class TwoFnTool(GladierBaseTool):
    compute_functions = [simple_fn, second_fn]
    required_input = ["number", "compute_endpoint"]


@generate_flow_definition
class V3Tool(GladierBaseTool):
    action_url = "https://compute.actions.globus.org/v3"
    compute_functions = [simple_fn, second_fn]
    required_input = ["number", "compute_endpoint"]


@generate_flow_definition(
    modifiers={
        parallel_workload: {"tasks": "$.ParallelWorkloadInputBuilder.details.results[0].output"},
    }
)
class ParallelWorkloadsTool(GladierBaseTool):
    compute_functions = [parallel_workload_input_builder, parallel_workload]
    required_input = ["compute_endpoint"]


@generate_flow_definition(modifiers={"tar": {"ExceptionOnActionFailure": True, "WaitTime": 300}})
class Tar(GladierBaseTool):
    compute_functions = [tar]
    required_input = ["tar_input", "compute_endpoint"]


@generate_flow_definition(modifiers={"encrypt": {"ExceptionOnActionFailure": True}})
class Encrypt(GladierBaseTool):
    compute_functions = [encrypt]
    required_input = ["encrypt_input", "encrypt_key", "compute_endpoint"]


class Transfer(GladierBaseTool):
    flow_definition = {
        "Comment": "Transfer a file or directory in Globus",
        "StartAt": "Transfer",
        "States": {
            "Transfer": {
                "Comment": "Transfer a file or directory in Globus",
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/transfer/",
                "Parameters": {
                    "source_endpoint.$": "$.input.transfer_source_endpoint_id",
                    "destination_endpoint.$": "$.input.transfer_destination_endpoint_id",
                    "DATA": [
                        {
                            "source_path.$": "$.input.transfer_source_path",
                            "destination_path.$": "$.input.transfer_destination_path",
                            "recursive.$": "$.input.transfer_recursive",
                        }
                    ],
                },
                "ResultPath": "$.Transfer",
                "WaitTime": 600,
                "End": True,
            },
        },
    }
    flow_input = {"transfer_sync_level": "checksum"}
    required_input = [
        "transfer_source_path",
        "transfer_destination_path",
        "transfer_source_endpoint_id",
        "transfer_destination_endpoint_id",
        "transfer_recursive",
    ]


class Branching(GladierBaseTool):
    flow_transition_states = ["Yes"]
    required_input = ["flag"]
    flow_definition = {
        "StartAt": "Decide",
        "States": {
            "Decide": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.input.flag", "BooleanEquals": True, "Next": "Yes"}],
                "Default": "No",
            },
            "Yes": {"Type": "Pass", "End": True},
            "No": {"Type": "Pass", "End": True},
        },
    }


class HandWritten(GladierBaseTool):
    required_input = ["message", "wait_seconds"]
    flow_input = {"wait_seconds": 1}
    flow_definition = {
        "Comment": "hand written",
        "StartAt": "Hello",
        "States": {
            "Hello": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/hello_world",
                "Parameters": {
                    "echo_string.$": "$.input.message",
                    "sleep_time.$": "$.input.wait_seconds",
                },
                "ResultPath": "$.Hello",
                "Next": "Sleep",
            },
            "Sleep": {"Type": "Wait", "SecondsPath": "$.input.wait_seconds", "End": True},
        },
    }
