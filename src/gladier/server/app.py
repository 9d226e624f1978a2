"""The ASGI app of ``gladier server``: one Starlette app composing one router per service.

=========  ============  ==========================================================
service    prefix        router
=========  ============  ==========================================================
flows      ``/flows``    :func:`gladier.server.flows.flows_routes`
auth       ``/auth``     :func:`gladier.server.auth.auth_routes`
compute    ``/compute``  :func:`gladier.server.compute.compute_routes` (also at ``/``)
transfer   ``/transfer`` not served yet: a 404 that says so
search     ``/search``   not served yet: a 404 that says so
dashboard  ``/`` (``/ui``) :func:`gladier.server.dashboard.create_dashboard` (docs/dashboard.md)
=========  ============  ==========================================================

More routers mount with ``routers={"transfer": factory}`` (``factory(runtime, guard)`` returns
routes) or ``extra_routes=[Mount("/dashboard", ...)]``; :func:`service_environment` lists the
``GLOBUS_SDK_SERVICE_URL_*`` variables that point globus-sdk at a running app.

Example::

    from gladier.runtime import Runtime
    from gladier.server.app import create_app

    rt = Runtime("/tmp/gladier-home")
    app = create_app(rt)            # serve with uvicorn; app.state.runtime is rt
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from gladier.server.auth import Guard, auth_routes
from gladier.server.compute import compute_routes
from gladier.server.errors import HTTPError, exception_handlers
from gladier.server.flows import flows_routes
from gladier.server.tokens import TokenService

if TYPE_CHECKING:
    from gladier.runtime import Runtime

__all__ = ["LOOPBACK_HOSTS", "SERVICES", "Service", "create_app", "service_environment"]

RouterFactory = Callable[["Runtime", Guard], Sequence[BaseRoute]]

#: The ``Host`` names a server that listens on this machine only answers to.
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]", "::1")


@dataclass(frozen=True)
class Service:
    """A service the app answers for: its name, path prefix and globus-sdk variable."""

    name: str
    prefix: str
    env_var: str | None

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.prefix + "/"


SERVICES = (
    Service("flows", "/flows", "GLOBUS_SDK_SERVICE_URL_FLOWS"),
    Service("auth", "/auth", "GLOBUS_SDK_SERVICE_URL_AUTH"),
    Service("transfer", "/transfer", "GLOBUS_SDK_SERVICE_URL_TRANSFER"),
    Service("search", "/search", "GLOBUS_SDK_SERVICE_URL_SEARCH"),
    # globus_compute_sdk.Client ignores GLOBUS_SDK_SERVICE_URL_COMPUTE (docs/server.md).
    Service("compute", "/compute", "GLOBUS_SDK_SERVICE_URL_COMPUTE"),
)


def service_environment(base_url: str) -> dict[str, str]:
    """The ``GLOBUS_SDK_SERVICE_URL_*`` variables for an app served at ``base_url``.

    Example::

        service_environment("http://127.0.0.1:8765")["GLOBUS_SDK_SERVICE_URL_FLOWS"]
        # 'http://127.0.0.1:8765/flows/'
    """
    return {s.env_var: s.url(base_url) for s in SERVICES if s.env_var}


def _not_served(service: Service) -> list[BaseRoute]:
    async def answer(request: Request) -> JSONResponse:
        raise HTTPError(
            404,
            "NOT_SERVED",
            f"gladier server does not serve the {service.name} API yet; its URL points here "
            "so that no request reaches Globus by mistake (docs/server.md).",
            style="plain",
        )

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return [Route("/{path:path}", answer, methods=methods)]


def create_app(
    runtime: Runtime,
    *,
    tokens: TokenService | None = None,
    routers: Mapping[str, RouterFactory] | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    dashboard: bool = True,
    close_runtime: bool = False,
    allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
) -> Starlette:
    """The app serving ``runtime``.

    ``tokens`` issues and checks tokens (default: keys and credentials in
    ``<runtime home>/server``, read or created now). ``routers`` adds or replaces service
    routers by service name; ``extra_routes`` come first. The web dashboard is mounted at
    ``/`` last (``dashboard=False`` leaves it out). The runtime is opened when the app starts
    and, with ``close_runtime``, closed when it stops (unfinished runs continue on the next
    start); the dashboard's event streams end first. Requests whose ``Host`` header names
    another host than ``allowed_hosts`` are refused with 400 (a web page that rebinds its
    own name to 127.0.0.1 cannot reach the dashboard or the APIs); ``None`` allows any.
    """
    if tokens is None:
        tokens = TokenService(runtime.home / "server")
    if not tokens.loaded:
        tokens.load()
    guard = Guard(tokens)

    def identity() -> dict[str, Any]:
        who = runtime.identity
        return {
            "id": who.id,
            "sub": who.id,
            "username": who.username,
            "preferred_username": who.username,
            "name": who.username.split("@", 1)[0],
            "email": who.email,
            "status": "used",
            "identity_provider": "gladier-local",
            "identity_type": "login",
            "organization": None,
        }

    factories: dict[str, RouterFactory] = {
        "flows": flows_routes,
        "compute": compute_routes,
        "auth": lambda rt, g: auth_routes(tokens, identity),
    }
    factories.update(routers or {})
    routes: list[BaseRoute] = list(extra_routes)
    for service in SERVICES:
        factory = factories.get(service.name)
        served = list(factory(runtime, guard)) if factory else _not_served(service)
        routes.append(Mount(service.prefix, routes=served))
    # The Compute SDK's "local" environment is http://localhost:5000 with no prefix.
    routes.extend(factories["compute"](runtime, guard))
    board = None
    if dashboard:
        from gladier.server.dashboard import create_dashboard

        board = create_dashboard(runtime)
        routes.append(Mount("/", app=board))  # matches every path: last

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime.open()
        try:
            yield
        finally:
            if board is not None:
                board.close()
            if close_runtime:
                runtime.close()

    middleware = []
    if allowed_hosts is not None:
        from starlette.middleware import Middleware
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    app = Starlette(
        routes=routes,
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
        middleware=middleware,
    )
    app.state.runtime = runtime
    app.state.tokens = tokens
    app.state.guard = guard
    app.state.dashboard = board
    return app
