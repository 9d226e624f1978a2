"""Malformed requests get a 4xx with a JSON error body, never a 5xx (globus-sdk retries 5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from gladier.runtime import Runtime
from gladier.server.app import create_app
from gladier.server.serve import running_server
from gladier.services.scopes import MANAGE_FLOWS_SCOPE

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}

# (method, path, body, expected status); {flow} and {run} are filled in.
CASES: list[tuple[str, str, Any, int]] = [
    ("POST", "/flows", {"title": 123, "definition": PASS}, 422),
    ("POST", "/flows", {"definition": PASS}, 422),
    ("POST", "/flows", {"title": "t", "definition": PASS, "keywords": 5}, 422),
    ("POST", "/flows", "not json", 422),
    ("POST", "/flows", [1, 2], 422),
    ("POST", "/flows/validate", {"definition": 5}, 422),
    ("PUT", "/flows/{flow}", {"keywords": 7}, 422),
    ("PUT", "/flows/{flow}", {"colour": "red"}, 422),
    ("POST", "/flows/{flow}/run", {"body": {}, "tags": "abc"}, 422),
    ("POST", "/flows/{flow}/run", {"body": {}, "activity_notification_policy": 5}, 422),
    ("POST", "/flows/{flow}/run", {"body": {}, "label": "x" * 10_000}, 422),
    ("POST", "/flows/{flow}/run", {"body": []}, 400),
    ("POST", "/flows/{flow}/run", {}, 422),
    ("GET", "/runs?orderby=sideways", None, 400),
    ("GET", "/runs?per_page=abc", None, 422),
    ("GET", "/runs?per_page=0", None, 422),
    ("GET", "/flows?marker=garbage", None, 400),
    ("GET", "/runs/{run}/log?limit=0", None, 400),
    ("GET", "/runs/{run}?include_flow_description=maybe", None, 422),
    ("PUT", "/runs/{run}", {"label": 5}, 422),
    ("PUT", "/runs/{run}", {"run_managers": "x"}, 422),
    ("POST", "/runs/no-such-run/cancel", None, 404),
    ("DELETE", "/flows/no-such-flow", None, 404),
    ("PATCH", "/flows/{flow}", {}, 405),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """One server for the whole module, with a flow, a run and tokens."""
    with Runtime(tmp_path_factory.mktemp("bad-input")) as rt:
        app = create_app(rt)
        tokens = app.state.tokens

        def bearer(scope: str) -> str:
            grant = tokens.grant(tokens.credentials.client_id, [scope])
            return f"Bearer {grant['access_token']}"

        with running_server(app) as server:
            manage = bearer(MANAGE_FLOWS_SCOPE)
            flow = requests.post(
                server.url + "/flows/flows",
                json={"title": "t", "definition": PASS},
                headers={"Authorization": manage},
            ).json()
            start = bearer(flow["globus_auth_scope"])
            run = requests.post(
                server.url + f"/flows/flows/{flow['id']}/run",
                json={"body": {}},
                headers={"Authorization": start},
            ).json()
            yield (
                server.url,
                {
                    "flow": flow["id"],
                    "run": run["run_id"],
                    "manage": manage,
                    "start": start,
                },
            )


@pytest.mark.parametrize(("method", "path", "body", "status"), CASES)
def test_bad_requests_are_4xx_with_a_code(
    served: tuple[str, dict[str, str]], method: str, path: str, body: Any, status: int
) -> None:
    base, ids = served
    url = base + "/flows" + path.format(flow=ids["flow"], run=ids["run"])
    token = ids["start"] if path.endswith("/run") else ids["manage"]
    kwargs: dict[str, Any] = {"data": body} if isinstance(body, str) else {"json": body}
    answer = requests.request(method, url, headers={"Authorization": token}, **kwargs)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert error["code"] and error["detail"]
    if status == 422 and path.startswith("/flows") and isinstance(error["detail"], list):
        assert all({"loc", "msg", "type"} <= set(item) for item in error["detail"])
