"""Stand-ins for single compute functions; every other function still runs for real.

A step whose code cannot run on the test machine (a GPU code, an instrument, a licensed
binary) is answered by a function of yours, called with the arguments the flow sent, while the
other compute states of the same flow run as usual. The stand-in is found by the registered
function's name, so it applies to every state that runs that function (aliased copies too).

Example::

    from gladier.testing import run_client, stub_function

    def fake_correlation(boost_corr=None, **data):
        return {"result": "SUCCEEDED", "id": "test-dataset"}

    corr = stub_function("xpcs_boost_corr", fake_correlation)
    result = run_client(XPCSPipeline, {"input": {...}})
    corr.calls[0]["boost_corr"]          # the keyword arguments the flow sent
"""

from __future__ import annotations

import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gladier.exc import ActionProviderError, NotFound
from gladier.runtime.providers.base import ActionBook, ActionProvider, ProviderHooks, action_status

if TYPE_CHECKING:
    from gladier.runtime.runtime import Runtime

__all__ = ["FunctionStub", "stub_function"]


class FunctionStub:
    """The stand-in for one function: its ``answer`` and the calls it received.

    ``calls`` holds the keyword arguments of each call (``args`` the positional ones), in
    order.
    """

    def __init__(self, name: str, answer: Any) -> None:
        self.name = name
        self.answer = answer
        self._lock = threading.Lock()
        self.calls: list[dict[str, Any]] = []
        self.args: list[list[Any]] = []

    @property
    def call_count(self) -> int:
        """How many times the stand-in was called."""
        with self._lock:
            return len(self.calls)

    def call(self, args: list[Any], kwargs: dict[str, Any]) -> Any:
        with self._lock:
            self.calls.append(dict(kwargs))
            self.args.append(list(args))
        if callable(self.answer):
            return self.answer(*args, **kwargs)
        return self.answer

    def __repr__(self) -> str:
        return f"FunctionStub({self.name!r}, calls={self.call_count})"


class _ComputeStandIn(ActionProvider):
    """Serves one Compute URL: tasks of stood-in functions here, all others by ``real``."""

    def __init__(self, real: ActionProvider, dialect: str, runtime: Runtime) -> None:
        self.real = real
        self.dialect = dialect
        self.runtime = runtime
        self.stubs: dict[str, FunctionStub] = {}
        self._book = ActionBook()

    def bind(self, hooks: ProviderHooks) -> None:
        self.hooks = hooks  # the real provider keeps the hooks it was bound with

    def _stub_of(self, function_id: str) -> FunctionStub | None:
        try:
            name = self.runtime.get_function(function_id).get("function_name")
        except NotFound:
            return None
        return self.stubs.get(str(name))

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        from gladier.runtime.compute.bodies import parse_body

        request_id = str(request.get("request_id") or uuid.uuid4())
        known = self._book.known(request_id)
        if known is not None:
            return known
        tasks = parse_body(request.get("body"), self.dialect)
        stubs = [self._stub_of(task.function_id) for task in tasks]
        if all(stub is None for stub in stubs):
            return self.real.run(request)
        if any(stub is None for stub in stubs):
            names = sorted({stub.name for stub in stubs if stub is not None})
            raise ActionProviderError(
                f"State {request.get('state_name')!r} runs stood-in functions ({', '.join(names)})"
                " and real ones in one action; stand in for all of its functions, or for none"
            )
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for index, (task, stub) in enumerate(zip(tasks, stubs, strict=True)):
            task_id = str(uuid.uuid4())
            assert stub is not None
            try:
                results.append({"task_id": task_id, "output": stub.call(task.args, task.kwargs)})
            except Exception as err:  # reported as the function's failure, as Compute does
                trace = traceback.format_exc()
                results.append({"task_id": task_id, "exception": trace})
                errors.append(
                    {
                        "task_id": task_id,
                        "index": index,
                        "function_id": task.function_id,
                        "function_name": stub.name,
                        "code": "TaskFailed",
                        "type": type(err).__name__,
                        "message": str(err),
                        "traceback": trace,
                    }
                )
        if errors:
            first = errors[0]
            details: dict[str, Any] = {
                "code": "TaskFailed",
                "description": f"Task {first['index'] + 1} of {len(tasks)} (stand-in for "
                f"{first['function_name']!r}) raised {first['type']}: {first['message']}",
                "results": results,
                "errors": errors,
            }
            status = "FAILED"
        else:
            details = {"result": [r["output"] for r in results], "results": results}
            status = "SUCCEEDED"
        return self._book.record(
            request_id, action_status(uuid.uuid4().hex, status, details, request)
        )

    def _own(self, action_id: str) -> dict[str, Any] | None:
        return self._book.find(action_id)

    def status(self, action_id: str) -> dict[str, Any]:
        return self._own(action_id) or self.real.status(action_id)

    def cancel(self, action_id: str) -> dict[str, Any]:
        return self._own(action_id) or self.real.cancel(action_id)

    def release(self, action_id: str) -> dict[str, Any]:
        return self._own(action_id) or self.real.release(action_id)

    def close(self) -> None:
        self.real.close()


def _stand_ins(runtime: Runtime) -> list[_ComputeStandIn]:
    """The stand-in providers of every Compute URL of ``runtime``, installed on first use."""
    from gladier.runtime.compute.constants import COMPUTE_URLS, COMPUTE_V3_URL

    found = []
    for url in COMPUTE_URLS:
        current = runtime.providers.get(url)
        if isinstance(current, _ComputeStandIn):
            found.append(current)
            continue
        if current is None:
            from gladier.exc import ConfigException

            raise ConfigException(f"No compute provider serves {url} on {runtime!r}")
        dialect = "v3" if url == COMPUTE_V3_URL else "v2"
        stand_in = _ComputeStandIn(current, dialect, runtime)
        runtime.add_action_provider(url, stand_in)
        found.append(stand_in)
    return found


def stub_function(
    function: Callable[..., Any] | str, answer: Any = None, *, runtime: Runtime | None = None
) -> FunctionStub:
    """Answer every call of compute function ``function`` (the function or its name) with
    ``answer``: a function called with the task's arguments (its return value is the task's
    output; an exception it raises fails the task as the real function's would), or a value
    returned as is.

    The other compute functions of the flow still run on the runtime's endpoints. A state
    whose one action runs both stood-in and real functions is refused (``ActionUnableToRun``).
    ``runtime`` defaults to the shared runtime of the current home.

    Example::

        stub = stub_function(tar, lambda tar_input, **data: f"{tar_input}.tgz")
    """
    name = function if isinstance(function, str) else str(function.__name__)
    if runtime is None:
        from gladier.services.local import shared_runtime

        runtime = shared_runtime()
    stub = FunctionStub(name, answer)
    for stand_in in _stand_ins(runtime):
        stand_in.stubs[name] = stub
    return stub
