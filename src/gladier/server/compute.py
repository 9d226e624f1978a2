"""The Compute router: the REST calls of ``globus_compute_sdk.Client`` (4.x), run by the
embedded runtime's compute service (local endpoints, the function registry in the home).

Served under ``/compute`` and, for the Compute SDK's fixed ``local`` environment
(``GLOBUS_SDK_ENVIRONMENT=local`` means ``http://localhost:5000``), also at the root::

    GET  /v2/version                       Client() version check
    POST /v3/functions, /v2/functions      register_function, register_source_code
    GET  /v2/functions/{id}                get_function
    POST /v3/endpoints/{ep}/submit         run, batch_run
    GET  /v2/tasks/{id}                    get_task, get_result
    POST /v2/batch_status                  get_batch_result
    GET  /v2/endpoints/{ep}/status         get_endpoint_status

Every request needs a token for ``funcx_service`` (the Compute scope). Each submitted task
runs as one Compute action of the runtime (:meth:`Runtime.submit_compute_task`); its task id
names it, so results survive a restart of the server. Arguments and results travel as JSON
values. The ``Executor`` is not served: it submits with ``create_queue: true`` and reads
results from AMQP, so such a submit is refused with a 400 that says so.

Example::

    app = Starlette(routes=[Mount("/compute", routes=compute_routes(runtime, guard))])
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from gladier.exc import NotFound
from gladier.server.auth import Guard
from gladier.server.compute_wire import (
    WireError,
    decode_function,
    decode_task,
    encode_result,
    pack,
)
from gladier.server.errors import HTTPError, json_object
from gladier.services.scopes import COMPUTE_RESOURCE_SERVER
from gladier.version import __version__

if TYPE_CHECKING:
    from gladier.runtime import Runtime

__all__ = ["compute_routes"]

T = TypeVar("T")

#: The oldest Compute SDK and endpoint versions the server answers for.
MIN_SDK_VERSION = "2.0.0"
MIN_EP_VERSION = "2.0.0"

EXECUTOR_NOT_SERVED = (
    "The Globus Compute Executor is not served by gladier server: it receives results over "
    "AMQP, which this server does not offer. Use Client.run / Client.batch_run and "
    "Client.get_result / get_batch_result instead (docs/server.md)."
)


async def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await run_in_threadpool(fn, *args, **kwargs)


def _bad(status: int, code: str, message: str) -> HTTPError:
    return HTTPError(status, code, message, style="plain")


def task_document(task_id: str, action: dict[str, Any]) -> dict[str, Any]:
    """The Compute task document of a task's action document."""
    status = action["status"]
    details = action.get("details") or {}
    doc: dict[str, Any] = {"task_id": task_id}
    if status == "SUCCEEDED":
        doc.update(status="success", result=encode_result(details["result"][0]))
    elif status == "FAILED":
        results = details.get("results") or []
        text = results[0].get("exception") if results else None
        doc.update(status="failed", exception=text or details.get("description") or "failed")
    else:
        doc.update(status="running")
        return doc
    doc["completion_t"] = action.get("completion_time")
    return doc


def compute_routes(runtime: Runtime, guard: Guard) -> list[BaseRoute]:
    """The Compute routes, served by ``runtime.compute``; ``guard`` checks the tokens."""
    compute = runtime.compute

    def check(request: Request) -> None:
        guard.require(request, COMPUTE_RESOURCE_SERVER)

    async def version(request: Request) -> JSONResponse:
        check(request)
        return JSONResponse(
            {
                "api": "1.0",
                "min_sdk_version": MIN_SDK_VERSION,
                "min_ep_version": MIN_EP_VERSION,
                "version": __version__,
                "service": "gladier-server",
            }
        )

    async def register_function(request: Request) -> JSONResponse:
        check(request)
        body = await json_object(request)
        code = body.get("function_code")
        if not isinstance(code, str) or not code:
            raise _bad(422, "UNPROCESSABLE_ENTITY", "function_code is required")
        name = body.get("function_name")
        serialized = body.get("serialized", True) is not False
        try:
            fn = decode_function(
                code, name if isinstance(name, str) else None, serialized=serialized
            )
        except WireError as err:
            raise _bad(422, "UNPROCESSABLE_ENTITY", str(err)) from err
        label = name if isinstance(name, str) and name else getattr(fn, "__name__", None)
        function_id = await _call(
            compute.register_function, fn, name=label, description=body.get("description")
        )
        return JSONResponse({"function_uuid": function_id})

    async def get_function(request: Request) -> JSONResponse:
        check(request)
        doc = await _call(compute.get_function, request.path_params["function_id"])
        source = doc.get("source") or ""
        return JSONResponse(
            {
                "function_uuid": doc["function_id"],
                "function_name": doc["function_name"],
                "function_code": pack([f"st\n{doc['function_name']}:{source}"]) if source else "",
                "description": doc.get("description"),
                "metadata": {"python_version": doc.get("python_version"), "sdk_version": None},
            }
        )

    async def submit(request: Request) -> JSONResponse:
        check(request)
        endpoint_id = request.path_params["endpoint_id"]
        body = await json_object(request)
        if body.get("create_queue"):
            raise _bad(400, "EXECUTOR_NOT_SERVED", EXECUTOR_NOT_SERVED)
        tasks = body.get("tasks")
        if not isinstance(tasks, dict) or not tasks:
            raise _bad(
                422, "UNPROCESSABLE_ENTITY", "tasks must map function ids to lists of payloads"
            )
        decoded: list[tuple[str, list[Any], dict[str, Any]]] = []
        for function_id, payloads in tasks.items():
            if not isinstance(payloads, list):
                raise _bad(422, "UNPROCESSABLE_ENTITY", f"tasks[{function_id}] must be a list")
            for payload in payloads:
                try:
                    args, kwargs = decode_task(payload if isinstance(payload, str) else "")
                except WireError as err:
                    raise _bad(422, "UNPROCESSABLE_ENTITY", str(err)) from err
                decoded.append((str(function_id), args, kwargs))
        for function_id in {d[0] for d in decoded}:
            try:
                await _call(compute.get_function, function_id)
            except NotFound as err:
                raise _bad(404, "FUNCTION_NOT_FOUND", err.message) from err
        ids: dict[str, list[str]] = {}
        for function_id, args, kwargs in decoded:
            task_id = str(uuid.uuid4())
            await _call(
                compute.submit_compute_task,
                endpoint_id,
                function_id,
                args,
                kwargs,
                task_id=task_id,
            )
            ids.setdefault(function_id, []).append(task_id)
        return JSONResponse(
            {
                "request_id": str(uuid.uuid4()),
                "task_group_id": str(body.get("task_group_id") or uuid.uuid4()),
                "endpoint_id": endpoint_id,
                "tasks": ids,
            }
        )

    async def get_task(request: Request) -> JSONResponse:
        check(request)
        task_id = request.path_params["task_id"]
        action = await _call(compute.get_compute_task, task_id)
        return JSONResponse(task_document(task_id, action))

    async def batch_status(request: Request) -> JSONResponse:
        check(request)
        body = await json_object(request)
        task_ids = body.get("task_ids")
        if not isinstance(task_ids, list):
            raise _bad(422, "UNPROCESSABLE_ENTITY", "task_ids must be a list of task ids")
        results: dict[str, Any] = {}
        for task_id in task_ids:
            try:
                action = await _call(compute.get_compute_task, str(task_id))
            except NotFound:
                continue
            results[str(task_id)] = task_document(str(task_id), action)
        return JSONResponse({"response": "batch", "results": results})

    async def endpoint_status(request: Request) -> JSONResponse:
        check(request)
        status = await _call(compute.get_endpoint_status, request.path_params["endpoint_id"])
        return JSONResponse(status)

    async def amqp_url(request: Request) -> JSONResponse:
        check(request)
        raise _bad(400, "EXECUTOR_NOT_SERVED", EXECUTOR_NOT_SERVED)

    return [
        Route("/v2/version", version, methods=["GET"]),
        Route("/v3/version", version, methods=["GET"]),
        Route("/v3/functions", register_function, methods=["POST"]),
        Route("/v2/functions", register_function, methods=["POST"]),
        Route("/v2/functions/{function_id}", get_function, methods=["GET"]),
        Route("/v3/endpoints/{endpoint_id}/submit", submit, methods=["POST"]),
        Route("/v2/tasks/{task_id}", get_task, methods=["GET"]),
        Route("/v2/batch_status", batch_status, methods=["POST"]),
        Route("/v2/endpoints/{endpoint_id}/status", endpoint_status, methods=["GET"]),
        Route("/v2/get_amqp_result_connection_url", amqp_url, methods=["GET"]),
    ]
