"""globus_compute_sdk.Client against the Compute REST part of a real gladier server."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

compute_sdk = pytest.importorskip("globus_compute_sdk")

import globus_sdk  # noqa: E402
from globus_compute_sdk.sdk.client import Client  # noqa: E402
from globus_compute_sdk.serialize import DillCodeSource, PureSourceTextInspect  # noqa: E402

from gladier.runtime import Runtime  # noqa: E402
from gladier.server.app import create_app  # noqa: E402
from gladier.server.serve import RunningServer, running_server  # noqa: E402
from gladier.services.scopes import COMPUTE_SCOPE, MANAGE_FLOWS_SCOPE  # noqa: E402

ENDPOINT = "4b116d3c-1703-4f8f-9f6f-39921e5864df"


def add(a, b=1):  # type: ignore[no-untyped-def]
    return a + b


def explode(message):  # type: ignore[no-untyped-def]
    raise ValueError(message)


def client_for(server: RunningServer, token: str, **options: Any) -> Client:
    """A Compute Client using the server: base URLs set after construction (docs/server.md)."""
    client = Client(
        do_version_check=False, authorizer=globus_sdk.AccessTokenAuthorizer(token), **options
    )
    for web in (client._compute_web_client.v2, client._compute_web_client.v3):
        web.base_url = server.url + "/compute/"
    client.version_check()
    return client


def result(client: Client, task_id: str) -> Any:
    while True:
        try:
            return client.get_result(task_id)
        except compute_sdk.errors.TaskPending:
            continue


@pytest.fixture
def compute(server: RunningServer, token_for: Callable[[str], str]) -> Client:
    return client_for(server, token_for(COMPUTE_SCOPE))


def test_register_submit_and_get_the_result(compute: Client, server_runtime: Runtime) -> None:
    function_id = compute.register_function(add)
    assert server_runtime.get_function(function_id)["function_name"] == "add"
    assert compute.get_function(function_id)["function_name"] == "add"
    task_id = compute.run(2, b=40, endpoint_id=ENDPOINT, function_id=function_id)
    assert result(compute, task_id) == 42


def test_source_strategies_and_batches(
    server: RunningServer, token_for: Callable[[str], str]
) -> None:
    for strategy in (DillCodeSource(), PureSourceTextInspect()):
        client = client_for(server, token_for(COMPUTE_SCOPE), code_serialization_strategy=strategy)
        function_id = client.register_function(add)
        batch = client.create_batch()
        for i in range(3):
            batch.add(function_id, args=(i,), kwargs={"b": 10})
        submitted = client.batch_run(ENDPOINT, batch)
        task_ids = submitted["tasks"][function_id]
        assert len(task_ids) == 3
        for task_id in task_ids:
            result(client, task_id)
        batch_results = client.get_batch_result(task_ids)
        assert [batch_results[t]["result"] for t in task_ids] == [10, 11, 12]


def test_register_source_code(compute: Client) -> None:
    function_id = compute.register_source_code("def triple(x):\n    return 3 * x\n", "triple")
    task_id = compute.run(5, endpoint_id=ENDPOINT, function_id=function_id)
    assert result(compute, task_id) == 15


def test_a_failing_task_raises_task_execution_failed(compute: Client) -> None:
    function_id = compute.register_function(explode)
    task_id = compute.run("boom", endpoint_id=ENDPOINT, function_id=function_id)
    with pytest.raises(compute_sdk.errors.TaskExecutionFailed) as caught:
        result(compute, task_id)
    assert "boom" in str(caught.value)


def test_endpoint_status_and_errors(compute: Client) -> None:
    assert compute.get_endpoint_status("default")["status"] == "online"
    with pytest.raises(globus_sdk.GlobusAPIError) as missing:
        compute.get_function("00000000-0000-0000-0000-000000000000")
    assert missing.value.http_status == 404
    with pytest.raises(globus_sdk.GlobusAPIError) as unknown:
        compute.run(1, endpoint_id=ENDPOINT, function_id="00000000-0000-0000-0000-000000000000")
    assert unknown.value.http_status == 404


def test_the_executor_is_refused_with_a_reason(
    compute: Client, server: RunningServer, token_for: Callable[[str], str]
) -> None:
    web = compute._compute_web_client.v3
    function_id = compute.register_function(add)
    packed = compute.fx_serializer.pack_buffers(
        [compute.fx_serializer.serialize((1,)), compute.fx_serializer.serialize({})]
    )
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        web.submit(ENDPOINT, {"create_queue": True, "tasks": {function_id: [packed]}})
    assert caught.value.http_status == 400 and caught.value.code == "EXECUTOR_NOT_SERVED"


def test_a_flows_token_is_not_a_compute_token(
    server: RunningServer, token_for: Callable[[str], str]
) -> None:
    with pytest.raises(globus_sdk.GlobusAPIError) as caught:
        client_for(server, token_for(MANAGE_FLOWS_SCOPE))
    assert caught.value.http_status == 403 and caught.value.code == "MISSING_SCOPE"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_the_local_environment_on_port_5000(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """GLOBUS_SDK_ENVIRONMENT=local means http://localhost:5000 with no prefix: served too."""
    if not _port_free(5000):
        pytest.skip("port 5000 is in use")
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "local")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with Runtime(tmp_path / "local") as rt:
        app = create_app(rt)
        try:
            context = running_server(app, port=5000)
            running = context.__enter__()
        except Exception:
            pytest.skip("port 5000 was taken meanwhile")
        try:
            creds = app.state.tokens.credentials
            token = app.state.tokens.grant(creds.client_id, [COMPUTE_SCOPE])["access_token"]
            client = Client(authorizer=globus_sdk.AccessTokenAuthorizer(token))
            assert client._compute_web_client.v2.base_url.startswith("http://localhost:5000")
            function_id = client.register_function(add)
            assert result(client, client.run(1, endpoint_id=ENDPOINT, function_id=function_id)) == 2
            assert running.url.endswith(":5000")
        finally:
            context.__exit__(None, None, None)


def test_compute_errors_use_the_plain_shape(
    server: RunningServer, token_for: Callable[[str], str]
) -> None:
    import requests

    answer = requests.post(
        server.url + "/compute/v3/functions",
        data="not json",
        headers={"Authorization": f"Bearer {token_for(COMPUTE_SCOPE)}"},
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "UNPROCESSABLE_ENTITY" and "not valid JSON" in body["message"]
    unauthenticated = requests.get(server.url + "/v2/version")  # the root mount too
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "AUTHENTICATION_ERROR"
