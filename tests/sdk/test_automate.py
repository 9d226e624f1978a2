from __future__ import annotations

import copy
from typing import Any

import pytest

from gladier.utils.automate import (
    deserialize_exception,
    get_details,
    is_automate_response,
    is_compute_response,
)

TRACEBACK = "Traceback (most recent call last):\n  File \"x\", line 1\nKeyError: 'tar_input'\n"


def run_document() -> dict[str, Any]:
    return {
        "run_id": "r1",
        "status": "FAILED",
        "details": {
            "output": {
                "input": {"tar_input": "/data"},
                "Tar": {
                    "action_id": "a1",
                    "status": "FAILED",
                    "state_name": "Tar",
                    "details": {
                        "exception": {
                            "type": "KeyError",
                            "message": "'tar_input'",
                            "traceback": TRACEBACK,
                        },
                    },
                },
                "Ls": {
                    "action_id": "a2",
                    "status": "SUCCEEDED",
                    "details": {"result": [["a"]], "results": [{"task_id": "t", "output": ["a"]}]},
                },
                "Transfer": {"action_id": "a3", "status": "SUCCEEDED", "details": {"files": 1}},
            }
        },
    }


def test_response_detection() -> None:
    output = run_document()["details"]["output"]
    assert is_automate_response(output["Tar"]) and is_compute_response(output["Tar"])
    assert is_compute_response(output["Ls"])
    assert is_automate_response(output["Transfer"]) and not is_compute_response(output["Transfer"])
    assert not is_automate_response(output["input"]) and not is_compute_response("x")
    assert not is_compute_response({"action_id": "a", "details": "text"})


def test_deserialize_exception_shapes() -> None:
    assert deserialize_exception({"traceback": TRACEBACK}) == TRACEBACK
    assert deserialize_exception({"type": "ValueError", "message": "bad"}) == "ValueError: bad"
    assert deserialize_exception({"message": "only"}) == "only"
    assert deserialize_exception(TRACEBACK) == TRACEBACK
    assert deserialize_exception("opaque text") == "opaque text"
    assert deserialize_exception(3) == "3"
    try:
        raise RuntimeError("boom")
    except RuntimeError as err:
        text = deserialize_exception(err)
    assert text.startswith("Traceback") and "RuntimeError: boom" in text


def test_get_details_of_one_state() -> None:
    run = run_document()
    before = copy.deepcopy(run)
    tar = get_details(run, "Tar")
    assert tar["details"]["exception"] == TRACEBACK
    assert get_details(run, "Ls")["details"]["results"][0]["output"] == ["a"]
    assert run == before


def test_get_details_of_the_whole_run() -> None:
    result = get_details(run_document())
    assert result["details"]["output"]["Tar"]["details"]["exception"] == TRACEBACK
    assert get_details(run_document(), "NotAState")["run_id"] == "r1"
    assert get_details({"status": "ACTIVE"}) == {"status": "ACTIVE"}


class Wrapped:
    """Stands in for a Globus Compute remote exception wrapper."""

    def __init__(self, message: str) -> None:
        self.message = message

    def reraise(self) -> None:
        raise ValueError(self.message)


def test_globus_compute_serialized_exceptions() -> None:
    serialize = pytest.importorskip("globus_compute_sdk.serialize")
    encoded = serialize.ComputeSerializer().serialize(Wrapped("remote boom"))
    text = deserialize_exception(encoded)
    assert text.startswith("Traceback") and "ValueError: remote boom" in text
