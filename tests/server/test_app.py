"""The app composes the service routers and the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

pytest.importorskip("jinja2")

from gladier.runtime import Runtime
from gladier.server.app import create_app, service_environment
from gladier.server.serve import running_server


def test_the_dashboard_is_mounted_after_the_services(tmp_path: Path) -> None:
    with Runtime(tmp_path / "rt") as rt:
        flow = rt.create_flow(
            "shown", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        )
        app = create_app(rt)
        with running_server(app) as server:
            page = requests.get(server.url + "/ui/flows")
            assert page.status_code == 200 and "text/html" in page.headers["content-type"]
            assert flow["id"] in page.text
            api = requests.get(server.url + "/flows/flows")  # still the API, not the dashboard
            assert api.status_code == 401 and api.json()["error"]["code"] == "AUTHENTICATION_ERROR"
        without = create_app(rt, dashboard=False)
        with running_server(without) as server:
            missing = requests.get(server.url + "/ui/flows")
            assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"


def test_service_environment_names_every_prefix() -> None:
    env = service_environment("http://127.0.0.1:1")
    assert env["GLOBUS_SDK_SERVICE_URL_FLOWS"] == "http://127.0.0.1:1/flows/"
    assert env["GLOBUS_SDK_SERVICE_URL_AUTH"] == "http://127.0.0.1:1/auth/"
    assert {"GLOBUS_SDK_SERVICE_URL_TRANSFER", "GLOBUS_SDK_SERVICE_URL_SEARCH"} <= set(env)


def test_a_router_can_replace_a_service_that_is_not_served(tmp_path: Path) -> None:
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def transfer(runtime: Runtime, guard: object) -> list[Route]:
        async def endpoints(request: Request) -> JSONResponse:
            return JSONResponse({"DATA": [], "home": str(runtime.home)})

        return [Route("/v0.10/endpoint_search", endpoints)]

    with Runtime(tmp_path / "rt") as rt:
        with running_server(create_app(rt)) as server:
            before = requests.get(server.url + "/transfer/v0.10/endpoint_search")
            assert before.status_code == 404 and before.json()["code"] == "NOT_SERVED"
        with running_server(create_app(rt, routers={"transfer": transfer})) as server:
            after = requests.get(server.url + "/transfer/v0.10/endpoint_search")
            assert after.status_code == 200 and after.json()["home"] == str(rt.home)


def test_requests_naming_another_host_are_refused(tmp_path: Path) -> None:
    # A page on another site that rebinds its name to 127.0.0.1 sends its own name as Host.
    with Runtime(tmp_path / "rt") as rt, running_server(create_app(rt)) as server:
        port = server.url.rsplit(":", 1)[1]
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example"):
            refused = requests.get(server.url + "/ui/runs", headers={"Host": host})
            assert refused.status_code == 400, host
        for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
            assert requests.get(server.url + "/ui/runs", headers={"Host": host}).ok, host
    with Runtime(tmp_path / "rt") as rt:
        anywhere = create_app(rt, allowed_hosts=None)  # what --allow-remote serves
        with running_server(anywhere) as server:
            assert requests.get(server.url + "/ui/runs", headers={"Host": "lab.example"}).ok
