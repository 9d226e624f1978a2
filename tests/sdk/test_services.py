"""Backend selection and the embedded side of the backend contract."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from gladier import GladierBaseClient
from gladier.exc import ConfigException, NotFound
from gladier.runtime import Runtime
from gladier.services import Backend, backend_choice, select_backend
from gladier.services.base import AuthService, ComputeService, FlowsService
from gladier.services.local import (
    LocalBackend,
    close_shared_runtimes,
    runtime_home,
    shared_runtime,
)
from gladier.services.local_auth import LocalAuthService, LocalIdentity
from gladier.services.scopes import (
    COMPUTE_SCOPE,
    MANAGE_FLOWS_SCOPE,
    flow_scope,
    resource_server_for,
)
from tests.sdk.client_tools import PASS_DEFINITION


class PassClient(GladierBaseClient):
    flow_definition = PASS_DEFINITION


def test_the_embedded_runtime_is_the_default(caplog: pytest.LogCaptureFixture) -> None:
    assert backend_choice(None) == ("embedded", "default")
    with caplog.at_level(logging.INFO, logger="gladier.services"):
        backend = select_backend(None)
    assert isinstance(backend, LocalBackend)
    assert "chosen by default" in caplog.text


def test_the_environment_variable_selects_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIER_BACKEND", "local")
    assert backend_choice(None) == ("embedded", "$GLADIER_BACKEND")
    monkeypatch.setenv("GLADIER_BACKEND", "Globus")
    client = PassClient()
    assert client.backend.name == "globus"
    assert repr(client).startswith("PassClient(backend='Globus (flows at ")


def test_a_class_attribute_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIER_BACKEND", "globus")

    class Local(PassClient):
        backend = "embedded"

    class Cloud(PassClient):
        backend = "globus"

    assert Local().backend.name == "embedded"
    monkeypatch.delenv("GLADIER_BACKEND")
    assert Cloud().backend.name == "globus"


def test_unknown_backends_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIER_BACKEND", "mainframe")
    with pytest.raises(ConfigException, match="Unknown Gladier backend 'mainframe'"):
        select_backend(None)

    class Odd(PassClient):
        backend = 42

    monkeypatch.delenv("GLADIER_BACKEND")
    with pytest.raises(ConfigException, match="must be a backend name"):
        Odd()


def test_a_backend_object_can_be_given(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "elsewhere")

    class Placed(PassClient):
        pass

    Placed.backend = backend
    client = Placed()
    assert client.backend is backend
    assert client.storage.filename.parent == tmp_path / "elsewhere"
    run = client.run_flow({"input": {}})
    assert shared_runtime(tmp_path / "elsewhere").get_run(run["run_id"])["flow_id"]


def test_runtime_home_agrees_with_the_runtime(_isolated_home: Path) -> None:
    assert runtime_home() == Runtime().home == _isolated_home


def test_one_shared_runtime_per_home(tmp_path: Path) -> None:
    first = shared_runtime(tmp_path / "a")
    assert shared_runtime(tmp_path / "a") is first
    assert shared_runtime(tmp_path / "b") is not first
    close_shared_runtimes()
    assert shared_runtime(tmp_path / "a") is not first


def test_the_local_services_follow_the_contract() -> None:
    backend = LocalBackend()
    assert isinstance(backend, Backend)
    flows, compute = backend.flows({}), backend.compute({})
    assert isinstance(flows, FlowsService) and isinstance(compute, ComputeService)
    assert isinstance(backend.auth, AuthService)
    flow = flows.create_flow("t", PASS_DEFINITION, {}, subtitle="s", keywords=["k"])
    assert flow["globus_auth_scope"] == flow_scope(flow["id"])
    flow = flows.update_flow(flow["id"], description="d", additional_fields={"extra": 1})
    assert (flow["subtitle"], flow["description"], flow["extra"]) == ("s", "d", 1)
    run = flows.run_flow(flow["id"], {"input": {"a": 1}}, label="l", tags=["x"])
    done = flows.wait(run["run_id"], timeout=30)
    assert done["status"] == "SUCCEEDED"
    assert flows.get_run(run["run_id"])["label"] == "l"
    assert flows.get_run_logs(run["run_id"], limit=1)["has_next_page"] is True
    assert flows.cancel_run(run["run_id"])["status"] == "SUCCEEDED"
    flows.delete_flow(flow["id"])
    with pytest.raises(NotFound) as info:
        flows.get_flow(flow["id"])
    assert info.value.http_status == 404


def test_local_compute_registers_functions() -> None:
    def square(x: int) -> int:
        return x * x

    compute = LocalBackend().compute({})
    function_id = compute.register_function(square, description="squares")
    document = compute.get_function(function_id)
    assert document["function_name"] == "square"
    assert document["checksum"] == compute.function_checksum(square)
    assert compute.lookups_are_cheap
    assert compute.default_endpoint_id == "bd06cbfe-4e60-5087-b88d-36c8bebdec5a"


def test_local_tokens_belong_to_the_runtime_identity() -> None:
    auth = LocalBackend().auth
    tokens = auth.login([MANAGE_FLOWS_SCOPE, COMPUTE_SCOPE, "openid"], client_id="c")
    assert sorted(tokens) == ["auth.globus.org", "flows.globus.org", "funcx_service"]
    assert tokens["flows.globus.org"]["identity_id"] == shared_runtime().identity.id
    client_tokens = auth.login(["openid"], client_id="c-id", client_secret="s")
    assert client_tokens["auth.globus.org"]["username"] == "c-id@clients.auth.globus.org"
    assert LocalIdentity.of_client("c-id").urn == "urn:globus:auth:identity:c-id"
    assert LocalAuthService(lambda: LocalIdentity.of_client("z")).identity.id == "z"


@pytest.mark.parametrize(
    ("scope", "server"),
    [
        (MANAGE_FLOWS_SCOPE, "flows.globus.org"),
        (COMPUTE_SCOPE, "funcx_service"),
        ("email", "auth.globus.org"),
        ("urn:globus:auth:scope:transfer.api.globus.org:all", "transfer.api.globus.org"),
        (
            flow_scope("12345678-1234-4234-8234-123456789abc"),
            "12345678-1234-4234-8234-123456789abc",
        ),
        ("something else", "something else"),
        ("https://auth.globus.org/scopes/my-flow/flow_my_flow_user", "my-flow"),
    ],
)
def test_resource_servers_of_scopes(scope: str, server: str) -> None:
    assert resource_server_for(scope) == server


def test_backend_repr_is_readable(tmp_path: Path) -> None:
    assert repr(LocalBackend(tmp_path)) == f"<LocalBackend embedded runtime at {tmp_path}>"


def test_an_unusual_backend_object_must_be_a_backend() -> None:
    value: Any = object()

    class Weird(PassClient):
        backend = value

    with pytest.raises(ConfigException):
        Weird()


def test_moved_names_keep_their_old_import_paths() -> None:
    from gladier.services import base, globus, globus_errors, local, runtimes, scopes, sessions

    assert local.shared_runtime is runtimes.shared_runtime
    assert local.close_shared_runtime is runtimes.close_shared_runtime
    assert local.runtime_home is runtimes.runtime_home
    for name in ("Identity", "LoginSession", "TokenData", "TokenStore"):
        assert getattr(base, name) is getattr(sessions, name)
    for name in ("also_globus_error", "service_error", "translate_errors"):
        assert getattr(globus, name) is getattr(globus_errors, name)
    assert globus.authorizers_by_resource_server is scopes.authorizers_by_resource_server
