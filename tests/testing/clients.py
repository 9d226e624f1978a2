"""Small clients the gladier.testing tests run: compute tools, outside services, failures."""

from __future__ import annotations

from typing import Any

from gladier import GladierBaseClient, GladierBaseTool, generate_flow_definition

SCANNER_URL = "https://scanner.example.org/scan"


def square(number: int, **data: Any) -> int:
    """Square a number."""
    return number * number


def refuse(**data: Any) -> None:
    """Always fail, as a broken step does."""
    raise ValueError("the detector is offline")


@generate_flow_definition
class Square(GladierBaseTool):
    compute_functions = [square]
    required_input = ["number", "compute_endpoint"]


@generate_flow_definition
class Refuse(GladierBaseTool):
    """Gladier generates ``ExceptionOnActionFailure: false``: the run goes on."""

    compute_functions = [refuse]
    required_input = ["compute_endpoint"]


@generate_flow_definition(modifiers={refuse: {"ExceptionOnActionFailure": True}})
class StrictRefuse(GladierBaseTool):
    """The same function, failing the run."""

    compute_functions = [refuse]
    required_input = ["compute_endpoint"]


class Scan(GladierBaseTool):
    """An Action state at a provider only the test knows."""

    flow_definition = {
        "StartAt": "Scan",
        "States": {
            "Scan": {
                "Type": "Action",
                "ActionUrl": SCANNER_URL,
                "Parameters": {"sample.$": "$.input.sample"},
                "ResultPath": "$.Scan",
                "End": True,
            }
        },
    }
    required_input = ["sample"]


class Stage(GladierBaseTool):
    """Copy a folder with Globus Transfer, then index it with Globus Search."""

    flow_definition = {
        "StartAt": "Stage",
        "States": {
            "Stage": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/transfer",
                "Parameters": {
                    "source_endpoint.$": "$.input.source",
                    "destination_endpoint.$": "$.input.destination",
                    "DATA": [{"source_path": "/raw", "destination_path": "/staged"}],
                },
                "ResultPath": "$.Stage",
                "Next": "Index",
            },
            "Index": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/search/ingest",
                "Parameters": {
                    "search_index.$": "$.input.index",
                    "subject": "staged",
                    "visible_to": ["public"],
                    "content": {"files.$": "$.Stage.details.files"},
                },
                "ResultPath": "$.Index",
                "End": True,
            },
        },
    }
    required_input = ["source", "destination", "index"]


@generate_flow_definition
class SquareClient(GladierBaseClient):
    gladier_tools = [Square]


@generate_flow_definition
class SquareThenScan(GladierBaseClient):
    gladier_tools = [Square, Scan]


@generate_flow_definition
class RefuseClient(GladierBaseClient):
    gladier_tools = [Refuse]


@generate_flow_definition
class StrictRefuseClient(GladierBaseClient):
    gladier_tools = [StrictRefuse]


@generate_flow_definition
class ScanClient(GladierBaseClient):
    gladier_tools = [Scan]


@generate_flow_definition
class StageClient(GladierBaseClient):
    gladier_tools = [Stage]


class TolerantScanClient(GladierBaseClient):
    """A scan whose failure does not fail the run (``ExceptionOnActionFailure`` false)."""

    flow_definition = {
        "StartAt": "Scan",
        "States": {
            "Scan": {
                "Type": "Action",
                "ActionUrl": SCANNER_URL,
                "Parameters": {"sample": "x"},
                "ExceptionOnActionFailure": False,
                "ResultPath": "$.Scan",
                "End": True,
            }
        },
    }


class CaughtScanClient(GladierBaseClient):
    """A scan whose refusal is caught and routed to a Pass state."""

    flow_definition = {
        "StartAt": "Scan",
        "States": {
            "Scan": {
                "Type": "Action",
                "ActionUrl": SCANNER_URL,
                "Parameters": {"sample": "x"},
                "ResultPath": "$.Scan",
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Error", "Next": "Report"}
                ],
                "End": True,
            },
            "Report": {"Type": "Pass", "End": True},
        },
    }


class CountToSixty(GladierBaseClient):
    """A loop: one Pass state runs sixty times, so the log has several pages."""

    flow_definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": {"n": 0}, "ResultPath": "$.counter", "Next": "Inc"},
            "Inc": {
                "Type": "Pass",
                "Parameters": {"n.=": "counter.n + 1"},
                "ResultPath": "$.counter",
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.counter.n", "NumericLessThan": 60, "Next": "Inc"}],
                "Default": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }


def needs_gpu(frames: int, **data: Any) -> dict[str, Any]:
    """Stands for a step that cannot run on a test machine."""
    raise RuntimeError("no GPU on this machine")


@generate_flow_definition
class Correlate(GladierBaseTool):
    action_url = "https://compute.actions.globus.org/v3"
    compute_functions = [needs_gpu]
    required_input = ["frames", "compute_endpoint"]


@generate_flow_definition
class SquareThenCorrelate(GladierBaseClient):
    gladier_tools = [Square, Correlate]
