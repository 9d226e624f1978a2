"""A real gladier server on 127.0.0.1 (ephemeral port, in a thread) and tokens for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from gladier.runtime import Runtime
from gladier.server.app import create_app
from gladier.server.serve import RunningServer, running_server


@pytest.fixture
def server_runtime(tmp_path: Path) -> Iterator[Runtime]:
    with Runtime(home=tmp_path / "served") as rt:
        yield rt


@pytest.fixture
def server(server_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningServer]:
    """The server, with globus-sdk pointed at it through its service URL variables."""
    app = create_app(server_runtime)
    with running_server(app) as running:
        for name, value in running.environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield running


@pytest.fixture
def auth_client(server: RunningServer) -> Any:
    globus_sdk = pytest.importorskip("globus_sdk")
    creds = server.app.state.tokens.credentials
    return globus_sdk.ConfidentialAppAuthClient(creds.client_id, creds.client_secret)


@pytest.fixture
def token_for(auth_client: Any) -> Callable[[str], str]:
    """``token_for(scope)``: an access token from the server's client-credentials grant."""

    def get(scope: str) -> str:
        grant = auth_client.oauth2_client_credentials_tokens(requested_scopes=[scope])
        return str(next(iter(grant.by_resource_server.values()))["access_token"])

    return get
