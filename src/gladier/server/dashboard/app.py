"""The dashboard's routes: server-rendered pages over one :class:`~gladier.runtime.Runtime`.

Every page is HTML rendered here (Jinja2, every value escaped); one small script keeps the
runs tables and the run page current from the ``/ui/events`` stream. Nothing is loaded from
the network. Only the runtime's public methods are used.

Example::

    from starlette.applications import Starlette
    from starlette.routing import Mount

    from gladier.runtime import Runtime
    from gladier.server.dashboard import create_dashboard

    runtime = Runtime()
    app = Starlette(routes=[Mount("/", app=create_dashboard(runtime))])
    # uvicorn.run(app, host="127.0.0.1", port=8000); then open http://127.0.0.1:8000/
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from gladier.exc import GladierException, NotFound
from gladier.progress.logs import LogFollower
from gladier.progress.model import TERMINAL, explain_error
from gladier.server.dashboard.live import EventHub, sse_stream
from gladier.server.dashboard.security import CsrfGuard
from gladier.server.dashboard.views import (
    RUN_STATUSES,
    dot_available,
    graph_svg,
    json_text,
    run_duration,
    statuses_of,
    timeline,
)
from gladier.version import __version__

if TYPE_CHECKING:
    from gladier.runtime import Runtime

__all__ = ["Dashboard", "create_dashboard"]

HERE: Final = Path(__file__).resolve().parent
#: Runs shown per page of the runs table.
RUNS_PER_PAGE: Final = 50
#: How often (milliseconds) an open page looks again without an event, for runs that another
#: process sharing the home advances (their events do not reach this server).
POLL_MS: Final = 15_000
#: Largest form body a button may send.
MAX_FORM_BYTES: Final = 16_384
#: Sent with every page: scripts, styles and images only from this server.
PAGE_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
SVG_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _when(stamp: Any) -> str:
    """An ISO 8601 time as ``2026-01-15 08:00:05``, the way the pages show times (UTC)."""
    if not isinstance(stamp, str) or not stamp:
        return ""
    text = stamp.replace("T", " ")
    for suffix in ("+00:00", "Z"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text.split(".")[0]


def _short(identifier: Any) -> str:
    return str(identifier or "")[:8]


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json"] = json_text
    env.filters["when"] = _when
    env.filters["short"] = _short
    return env


class Dashboard(Router):
    """The dashboard's router (what :func:`create_dashboard` returns).

    Mount it at ``/``; it serves ``/`` (a redirect) and everything under ``/ui/``. Call
    :meth:`close` when the server begins to stop, so that open event streams end.
    ``poll_ms`` is how often an open page looks again without an event (0: never).
    """

    def __init__(self, runtime: Runtime, *, poll_ms: int = POLL_MS) -> None:
        self.runtime = runtime
        self.poll_ms = poll_ms
        self.hub = EventHub(runtime)
        self.guard = CsrfGuard()
        self.env = _environment()
        routes = [
            Route("/", self.home, name="dashboard_home"),
            Route("/ui/", self.runs_page, name="dashboard_index"),
            Route("/ui/runs", self.runs_page, name="dashboard_runs"),
            Route("/ui/runs/{run_id}", self.run_page, name="dashboard_run"),
            Route("/ui/runs/{run_id}/graph.svg", self.run_graph, name="dashboard_run_graph"),
            Route(
                "/ui/runs/{run_id}/{action:str}",
                self.run_action,
                methods=["POST"],
                name="dashboard_run_action",
            ),
            Route("/ui/flows", self.flows_page, name="dashboard_flows"),
            Route("/ui/flows/{flow_id}", self.flow_page, name="dashboard_flow"),
            Route("/ui/flows/{flow_id}/graph.svg", self.flow_graph, name="dashboard_flow_graph"),
            Route("/ui/events", self.events, name="dashboard_events"),
            Mount("/ui/static", StaticFiles(directory=HERE / "static"), name="dashboard_static"),
        ]
        super().__init__(routes=routes)

    def _now(self) -> float:
        """The runtime's time (a test's manual clock, else the system's)."""
        clock = getattr(self.runtime, "clock", None)
        return float(clock.time()) if clock is not None else time.time()

    def close(self) -> None:
        """End every open event stream (browsers reconnect to the next server)."""
        self.hub.close()

    # ------------------------------------------------------------------ rendering
    def _render(
        self, request: Request, template: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        base = str(request.scope.get("root_path", "")).rstrip("/")

        def u(path: str, **query: Any) -> str:
            query = {k: v for k, v in query.items() if v not in (None, "")}
            return base + path + ("?" + urlencode(query) if query else "")

        context.setdefault("message", None)
        html = self.env.get_template(template).render(
            u=u,
            csrf_token=self.guard.token,
            home=str(getattr(self.runtime, "home", "")),
            version=__version__,
            statuses=RUN_STATUSES,
            terminal=TERMINAL,
            poll_ms=self.poll_ms,
            **context,
        )
        return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)

    def _problem(self, request: Request, status_code: int, message: str) -> HTMLResponse:
        return self._render(
            request, "problem.html", status_code=status_code, title="Problem", problem=message
        )

    # ------------------------------------------------------------------ pages
    def home(self, request: Request) -> Response:
        base = str(request.scope.get("root_path", "")).rstrip("/")
        return RedirectResponse(base + "/ui/", status_code=307)

    def runs_page(self, request: Request) -> Response:
        query = request.query_params
        status = (query.get("status") or "").upper() or None
        label = query.get("label") or None
        flow_id = query.get("flow") or None
        marker = query.get("marker") or None
        if status is not None and status not in RUN_STATUSES:
            choices = ", ".join(RUN_STATUSES)
            return self._problem(
                request, 400, f"Unknown run status {status!r}; use one of {choices}."
            )
        try:
            page = self.runtime.runs.list_runs(
                filter_status=status,
                filter_label=label,
                filter_flow_id=flow_id,
                marker=marker,
                per_page=RUNS_PER_PAGE,
            )
        except GladierException as err:
            return self._problem(request, 400, f"Could not list the runs: {err}")
        filters = {"status": status, "label": label, "flow": flow_id}
        context = {
            "runs": page["runs"],
            "next_marker": page.get("marker"),
            "filters": filters,
            "now": self._now(),
            "duration": run_duration,
            "live_src": {"partial": "table", **filters, "marker": marker},
        }
        if query.get("partial") == "table":
            return self._render(request, "runs_table.html", **context)
        flows = self.runtime.flows.list_flows(per_page=100)["flows"]
        return self._render(request, "runs.html", title="Runs", flows=flows, **context)

    def _run_context(self, run_id: str) -> dict[str, Any]:
        run = self.runtime.runs.get_run(run_id)
        entries = LogFollower(self.runtime, run_id).fetch()
        now = self._now()
        rows = timeline(run, entries, now=None if run["status"] in TERMINAL else now)
        started = next((e for e in entries if e.get("code") == "FlowStarted"), None)
        run_input = (started or {}).get("details", {}).get("input")
        failed = next((e for e in reversed(entries) if e.get("code") == "FlowFailed"), None)
        failure: tuple[str, str | None] | None = None
        if failed is not None:
            details = (failed.get("details") or {}).get("details") or {}
            failure = explain_error(details.get("error"), details.get("cause"))
        details = run.get("details") or {}
        graph = dot_available()
        graph_text = None
        if not graph:
            definition = self.runtime.runs.get_run_definition(run_id)["definition"]
            graph_text = _graph_text(definition, statuses_of(rows))
        return {
            "run": run,
            "rows": rows,
            "entries": entries,
            "run_input": run_input,
            "run_output": details.get("output") if run["status"] in TERMINAL else None,
            "failure": failure,
            "inactive_reason": details.get("description") if run["status"] == "INACTIVE" else None,
            "duration": run_duration(run, now),
            "graph": graph,
            "graph_text": graph_text,
            "graph_version": len(entries),
        }

    def _run_response(
        self, request: Request, run_id: str, status_code: int = 200, message: str | None = None
    ) -> Response:
        try:
            context = self._run_context(run_id)
        except NotFound as err:
            return self._problem(request, 404, str(err))
        if request.query_params.get("partial") == "live":
            return self._render(request, "run_live.html", **context)
        title = context["run"].get("label") or f"Run {_short(run_id)}"
        return self._render(
            request, "run.html", status_code=status_code, title=title, message=message, **context
        )

    def run_page(self, request: Request) -> Response:
        return self._run_response(request, request.path_params["run_id"])

    def run_graph(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        try:
            definition = self.runtime.runs.get_run_definition(run_id)["definition"]
            run = self.runtime.runs.get_run(run_id)
        except NotFound as err:
            return Response(str(err), status_code=404, media_type="text/plain")
        rows = timeline(run, LogFollower(self.runtime, run_id).fetch())
        return _svg_response(graph_svg(definition, statuses_of(rows)))

    async def run_action(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        action = request.path_params["action"]
        actions: dict[str, Callable[[str], Any]] = {
            "cancel": self.runtime.runs.cancel_run,
            "resume": self.runtime.runs.resume_run,
        }
        if action not in actions:
            return self._problem(
                request, 404, f"There is no {action!r} button; use cancel or resume."
            )
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
            return self._problem(request, 413, "The form is too large.")
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return self._problem(request, 413, "The form is too large.")
        form = parse_qs(body.decode("utf-8", "replace"))
        token = (form.get("csrf_token") or [""])[0]
        problem = self.guard.problem(request.headers, token)
        if problem is not None:
            return self._problem(request, 403, f"Refused to {action} run {run_id}: {problem}.")
        try:
            await run_in_threadpool(actions[action], run_id)
        except NotFound as err:
            return self._problem(request, 404, str(err))
        except GladierException as err:
            return await run_in_threadpool(
                partial(self._run_response, request, run_id, 409, f"Could not {action}: {err}")
            )
        base = str(request.scope.get("root_path", "")).rstrip("/")
        return RedirectResponse(f"{base}/ui/runs/{run_id}", status_code=303)

    def flows_page(self, request: Request) -> Response:
        marker = request.query_params.get("marker") or None
        text = request.query_params.get("q") or None
        try:
            page = self.runtime.flows.list_flows(filter_fulltext=text, marker=marker, per_page=50)
        except GladierException as err:
            return self._problem(request, 400, f"Could not list the flows: {err}")
        return self._render(
            request,
            "flows.html",
            title="Flows",
            flows=page["flows"],
            next_marker=page.get("marker"),
            q=text,
        )

    def flow_page(self, request: Request) -> Response:
        flow_id = request.path_params["flow_id"]
        try:
            flow = self.runtime.flows.get_flow(flow_id)
        except NotFound as err:
            return self._problem(request, 404, str(err))
        runs = self.runtime.runs.list_runs(filter_flow_id=flow_id, per_page=20)
        graph = dot_available()
        return self._render(
            request,
            "flow.html",
            title=flow.get("title") or flow_id,
            flow=flow,
            graph=graph,
            graph_text=None if graph else _graph_text(flow.get("definition") or {}, {}),
            mermaid=_mermaid(flow.get("definition") or {}),
            runs=runs["runs"],
            next_marker=runs.get("marker"),
            filters={"status": None, "label": None, "flow": flow_id},
            now=self._now(),
            duration=run_duration,
            live_src={"partial": "table", "flow": flow_id},
        )

    def flow_graph(self, request: Request) -> Response:
        try:
            flow = self.runtime.flows.get_flow(request.path_params["flow_id"])
        except NotFound as err:
            return Response(str(err), status_code=404, media_type="text/plain")
        return _svg_response(graph_svg(flow.get("definition") or {}))

    async def events(self, request: Request) -> Response:
        subscription = self.hub.subscribe()
        return StreamingResponse(
            sse_stream(subscription),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )


def _graph_text(definition: Mapping[str, Any], statuses: Mapping[str, str]) -> str:
    from gladier.graph import to_text

    try:
        return to_text(definition, statuses)
    except GladierException as err:
        return f"(the graph could not be drawn: {err})"


def _mermaid(definition: Mapping[str, Any]) -> str:
    from gladier.graph import to_mermaid

    try:
        return to_mermaid(definition)
    except GladierException as err:
        return f"(the graph could not be drawn: {err})"


def _svg_response(svg: str | None) -> Response:
    if svg is None:
        return Response(
            "Graphviz's dot is not installed here; the page shows the graph as text.",
            status_code=404,
            media_type="text/plain",
        )
    return Response(svg, media_type="image/svg+xml", headers=SVG_HEADERS)


def create_dashboard(runtime: Runtime) -> Dashboard:
    """The web dashboard over ``runtime``, as a Starlette router to mount at ``/``.

    It serves ``/`` (a redirect to ``/ui/``) and, under ``/ui/``: the runs (``/ui/runs``,
    filtered by status, label and flow, updated live), one run (``/ui/runs/{id}``: timeline,
    state inputs and outputs, errors, logs, graph, cancel and resume buttons), the flows
    (``/ui/flows``, ``/ui/flows/{id}``: definition and graph), the live event stream
    (``/ui/events``) and its static files (``/ui/static/``).

    A ``Mount("/")`` matches every path, so put it after the app's other routes (or add
    ``dashboard.routes`` to the app's own list). Call ``dashboard.close()`` when the server
    begins to stop, so that browsers' open event streams end.

    Example::

        from starlette.applications import Starlette
        from starlette.routing import Mount

        from gladier.runtime import Runtime
        from gladier.server.dashboard import create_dashboard

        api_routes: list = []   # the service APIs, e.g. Mount("/flows", ...)
        app = Starlette(routes=[*api_routes, Mount("/", app=create_dashboard(Runtime()))])
    """
    return Dashboard(runtime)
