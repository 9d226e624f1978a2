"""Tools and clients used by the client tests (importable by dotted path)."""

from __future__ import annotations

from typing import Any

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition


def add_one(**data: Any) -> Any:
    """Add one to a number."""
    return data["number"] + data.get("step", 1)


def double(**data: Any) -> Any:
    """Double a number."""
    return data["number"] * 2


def explode(**data: Any) -> Any:
    """Fail on purpose."""
    raise ValueError(f"cannot handle {data['number']}")


def greet(**data: Any) -> Any:
    """Greet someone."""
    return f"{data.get('greeting', 'Hello')}, {data['name']}!"


@generate_flow_definition
class AddOne(GladierBaseTool):
    compute_functions = [add_one]
    required_input = ["number", "compute_endpoint"]
    flow_input = {"step": 1}


@generate_flow_definition
class Double(GladierBaseTool):
    compute_functions = [double]
    required_input = ["number", "compute_endpoint"]


@generate_flow_definition(modifiers={explode: {"ExceptionOnActionFailure": True}})
class Explode(GladierBaseTool):
    compute_functions = [explode]
    required_input = ["number", "compute_endpoint"]


@generate_flow_definition
class Greet(GladierBaseTool):
    compute_functions = [greet]
    required_input = ["name", "compute_endpoint"]
    flow_input = {"greeting": "Hello"}


class Hello(GladierBaseTool):
    """A hand-written flow: the built-in Hello World action provider."""

    required_input = ["message"]
    flow_definition = {
        "StartAt": "Hello",
        "States": {
            "Hello": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/hello_world",
                "Parameters": {"echo_string.$": "$.input.message"},
                "ResultPath": "$.Hello",
                "End": True,
            }
        },
    }


@generate_flow_definition
class AddOneClient(GladierBaseClient):
    """Add one."""

    gladier_tools = [AddOne]


@generate_flow_definition
class HelloClient(GladierBaseClient):
    """Say hello."""

    gladier_tools = [Hello]


PASS_DEFINITION = {
    "StartAt": "Echo",
    "States": {"Echo": {"Type": "Pass", "Parameters": {"echo.$": "$.input"}, "End": True}},
}
