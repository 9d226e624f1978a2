"""The Flows router: the paths and documents globus-sdk 4's ``FlowsClient`` and
``SpecificFlowClient`` use, served by the embedded runtime's public methods.

Served under ``/flows`` (``GLOBUS_SDK_SERVICE_URL_FLOWS=http://127.0.0.1:8765/flows/``)::

    POST   /flows                    create_flow          GET    /runs               list_runs
    GET    /flows                    list_flows           GET    /runs/{id}          get_run
    POST   /flows/validate           validate_flow        PUT    /runs/{id}          update_run
    GET    /flows/{id}               get_flow             GET    /runs/{id}/log      get_run_logs
    PUT    /flows/{id}               update_flow          GET    /runs/{id}/definition
    DELETE /flows/{id}               delete_flow          POST   /runs/{id}/cancel   cancel_run
    POST   /flows/{id}/run           run_flow             POST   /runs/{id}/release  delete_run
                                                          POST   /runs/{id}/resume   resume_run

Every request needs a token for ``flows.globus.org``, except starting a run, which needs a
token for the flow itself (its scope ``https://auth.globus.org/scopes/<id>/flow_<id>_user``),
as on Globus: otherwise 403 ``MISSING_SCOPE``. Lists are pages of at most ``per_page`` items
(default 20) with ``has_next_page`` and ``marker``.

Example::

    from starlette.applications import Starlette
    from starlette.routing import Mount

    app = Starlette(routes=[Mount("/flows", routes=flows_routes(runtime, guard))])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from gladier.exc import ConfigException
from gladier.server.auth import Guard
from gladier.server.errors import (
    int_param,
    json_object,
    query_bool,
    query_list,
    unprocessable,
)
from gladier.server.flows_bodies import FlowCreate, FlowUpdate, RunStart, RunUpdate, checked
from gladier.services.scopes import FLOWS_RESOURCE_SERVER

if TYPE_CHECKING:
    from gladier.runtime import Runtime

__all__ = ["flows_routes"]

T = TypeVar("T")


async def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await run_in_threadpool(fn, *args, **kwargs)


def _page_size(request: Request) -> dict[str, Any]:
    size = int_param(request, "per_page", None)
    if size is None:
        return {}
    if not 1 <= size <= 100:
        raise unprocessable(["query", "per_page"], "per_page must be between 1 and 100")
    return {"per_page": size}


def flows_routes(runtime: Runtime, guard: Guard) -> list[BaseRoute]:
    """The Flows routes, served by ``runtime.flows`` and ``runtime.runs``; ``guard`` checks
    the tokens."""
    flows, runs = runtime.flows, runtime.runs

    def manage(request: Request) -> None:
        guard.require(request, FLOWS_RESOURCE_SERVER)

    # ------------------------------------------------------------------ flows
    async def create_flow(request: Request) -> JSONResponse:
        manage(request)
        fields = checked(FlowCreate, await json_object(request))
        title = fields.pop("title")
        definition = fields.pop("definition")
        input_schema = fields.pop("input_schema", None)
        extra = {k: fields.pop(k) for k in list(fields) if k not in FlowCreate.model_fields}
        if extra:
            fields["additional_fields"] = extra
        doc = await _call(flows.create_flow, title, definition, input_schema, **fields)
        return JSONResponse(doc, status_code=201)

    async def list_flows(request: Request) -> JSONResponse:
        manage(request)
        page = await _call(
            flows.list_flows,
            filter_fulltext=request.query_params.get("filter_fulltext") or None,
            orderby=query_list(request, "orderby"),
            marker=request.query_params.get("marker") or None,
            **_page_size(request),
        )
        return JSONResponse(page)

    async def validate_flow(request: Request) -> JSONResponse:
        manage(request)
        body = await json_object(request)
        if "definition" not in body:
            raise unprocessable(["body", "definition"], "field required", "missing")
        report = await _call(flows.validate_flow, body["definition"], body.get("input_schema"))
        return JSONResponse(report)

    async def get_flow(request: Request) -> JSONResponse:
        manage(request)
        return JSONResponse(await _call(flows.get_flow, request.path_params["flow_id"]))

    async def update_flow(request: Request) -> JSONResponse:
        manage(request)
        fields = checked(FlowUpdate, await json_object(request))
        try:
            doc = await _call(flows.update_flow, request.path_params["flow_id"], **fields)
        except ConfigException as err:
            raise unprocessable(["body"], str(err)) from err
        return JSONResponse(doc)

    async def delete_flow(request: Request) -> JSONResponse:
        manage(request)
        return JSONResponse(await _call(flows.delete_flow, request.path_params["flow_id"]))

    async def run_flow(request: Request) -> JSONResponse:
        flow_id = request.path_params["flow_id"]
        guard.require(request, flow_id)
        options = checked(RunStart, await json_object(request))
        run_body = options.pop("body")
        doc = await _call(runs.run_flow, flow_id, run_body, **options)
        return JSONResponse(doc, status_code=201)

    # ------------------------------------------------------------------ runs
    async def list_runs(request: Request) -> JSONResponse:
        manage(request)
        page = await _call(
            runs.list_runs,
            filter_flow_id=query_list(request, "filter_flow_id"),
            filter_status=query_list(request, "filter_status"),
            filter_label=query_list(request, "filter_label"),
            orderby=query_list(request, "orderby"),
            marker=request.query_params.get("marker") or None,
            **_page_size(request),
        )
        return JSONResponse(page)

    async def get_run(request: Request) -> JSONResponse:
        manage(request)
        doc = await _call(
            runs.get_run,
            request.path_params["run_id"],
            include_flow_description=query_bool(request, "include_flow_description"),
        )
        return JSONResponse(doc)

    async def update_run(request: Request) -> JSONResponse:
        manage(request)
        fields = checked(RunUpdate, await json_object(request))
        doc = await _call(runs.update_run, request.path_params["run_id"], **fields)
        return JSONResponse(doc)

    async def run_logs(request: Request) -> JSONResponse:
        manage(request)
        page = await _call(
            runs.get_run_logs,
            request.path_params["run_id"],
            limit=int_param(request, "limit", None),
            reverse_order=query_bool(request, "reverse_order"),
            marker=request.query_params.get("marker") or None,
        )
        return JSONResponse(page)

    async def run_definition(request: Request) -> JSONResponse:
        manage(request)
        return JSONResponse(await _call(runs.get_run_definition, request.path_params["run_id"]))

    async def cancel_run(request: Request) -> JSONResponse:
        manage(request)
        return JSONResponse(await _call(runs.cancel_run, request.path_params["run_id"]))

    async def release_run(request: Request) -> JSONResponse:
        manage(request)
        return JSONResponse(await _call(runs.delete_run, request.path_params["run_id"]))

    async def resume_run(request: Request) -> JSONResponse:
        run_id = request.path_params["run_id"]
        claims = guard.claims(request)
        if claims.resource_server != FLOWS_RESOURCE_SERVER:
            run = await _call(runs.get_run, run_id)
            guard.require(request, FLOWS_RESOURCE_SERVER, run["flow_id"])
        return JSONResponse(await _call(runs.resume_run, run_id))

    return [
        Route("/flows", create_flow, methods=["POST"]),
        Route("/flows", list_flows, methods=["GET"]),
        Route("/flows/validate", validate_flow, methods=["POST"]),
        Route("/flows/{flow_id}", get_flow, methods=["GET"]),
        Route("/flows/{flow_id}", update_flow, methods=["PUT"]),
        Route("/flows/{flow_id}", delete_flow, methods=["DELETE"]),
        Route("/flows/{flow_id}/run", run_flow, methods=["POST"]),
        Route("/runs", list_runs, methods=["GET"]),
        Route("/runs/{run_id}", get_run, methods=["GET"]),
        Route("/runs/{run_id}", update_run, methods=["PUT"]),
        Route("/runs/{run_id}/log", run_logs, methods=["GET"]),
        Route("/runs/{run_id}/definition", run_definition, methods=["GET"]),
        Route("/runs/{run_id}/cancel", cancel_run, methods=["POST"]),
        Route("/runs/{run_id}/release", release_run, methods=["POST"]),
        Route("/runs/{run_id}/resume", resume_run, methods=["POST"]),
    ]
