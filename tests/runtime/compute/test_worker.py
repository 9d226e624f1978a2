"""The worker side: loading functions from bytes, calling them on JSON, answering JSON."""

from __future__ import annotations

import json
from typing import Any

from gladier.runtime.compute.functions import function_checksum, serialize_function
from gladier.runtime.compute.worker import FunctionCall, execute


def blob_of(fn: Any, **overrides: Any) -> dict[str, Any]:
    serializer, code, source = serialize_function(fn)
    blob = {
        "function_id": f"id-{fn.__name__}",
        "name": fn.__name__,
        "checksum": function_checksum(fn),
        "serializer": serializer,
        "code": code,
        "source": source,
    }
    blob.update(overrides)
    return blob


def add(a: int, b: int = 1) -> int:
    return a + b


def fails(x: int) -> int:
    raise ValueError(f"bad input {x}")


def returns_a_set() -> Any:
    return {"a": {1, 2}}


def returns_nan() -> float:
    return float("nan")


async def coroutine(x: int) -> int:
    return x * 2


def exits() -> None:
    raise SystemExit(3)


def test_success_returns_json_text() -> None:
    assert execute(blob_of(add), '[[1], {"b": 41}]') == {"ok": True, "result": "42"}


def test_an_exception_carries_type_message_and_traceback() -> None:
    answer = execute(blob_of(fails), "[[7], {}]")
    assert answer["ok"] is False
    error = answer["error"]
    assert error["code"] == "TaskFailed"
    assert error["type"] == "ValueError"
    assert error["message"] == "bad input 7"
    assert "in fails" in error["traceback"]
    assert "raise ValueError" in error["traceback"]
    assert "compute/worker.py" not in error["traceback"]


def test_a_result_that_is_not_json_names_the_type_and_the_function() -> None:
    answer = execute(blob_of(returns_a_set), "[[], {}]")
    assert answer["error"]["code"] == "NonJsonResult"
    assert "'returns_a_set'" in answer["error"]["message"]
    assert "set" in answer["error"]["message"]
    nan = execute(blob_of(returns_nan), "[[], {}]")
    assert nan["error"]["code"] == "NonJsonResult" and "'float'" in nan["error"]["message"]


def test_coroutine_functions_are_awaited_and_system_exit_is_a_failure() -> None:
    assert execute(blob_of(coroutine), "[[4], {}]") == {"ok": True, "result": "8"}
    answer = execute(blob_of(exits), "[[], {}]")
    assert answer["error"]["type"] == "SystemExit"


def test_source_is_used_when_the_bytes_cannot_be_loaded() -> None:
    blob = blob_of(add, code=b"not a pickle", function_id="id-broken")
    assert execute(blob, "[[2], {}]") == {"ok": True, "result": "3"}


def test_a_function_that_cannot_be_loaded_fails_clearly() -> None:
    blob = blob_of(add, code=b"not a pickle", source=None, function_id="id-lost")
    answer = execute(blob, "[[2], {}]")
    assert answer["error"]["code"] == "FunctionLoadFailed"
    assert "'add'" in answer["error"]["message"]
    assert json.dumps(answer)


def test_a_function_call_survives_pickling_and_runs_like_execute() -> None:
    import pickle

    call = pickle.loads(pickle.dumps(FunctionCall(blob_of(add))))
    assert call('[[2], {"b": 40}]') == execute(blob_of(add), '[[2], {"b": 40}]')
    assert call('[[2], {"b": 40}]') == {"ok": True, "result": "42"}
