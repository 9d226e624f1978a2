"""Compute functions on the Globus backend: registration by checksum, endpoints passed through."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from typing import Any

import globus_sdk
import pytest
import responses
from globus_compute_sdk.serialize import ComputeSerializer, DillCodeSource
from globus_sdk.testing import get_last_request, load_response

from gladier import GladierBaseClient, generate_flow_definition
from gladier.exc import ConfigException
from gladier.services.globus import GlobusBackend
from gladier.services.scopes import COMPUTE_SCOPE
from tests.sdk.client_tools import AddOne, add_one
from tests.sdk.globus_fakes import COMPUTE_URL, Logins, RecordedGlobus

ENDPOINT = "4b116d3c-1703-4f8f-9f6f-39921e5864df"
GROUP = "0a0b0c0d-1111-4222-8333-444455556666"


@generate_flow_definition
class AddOneGlobus(GladierBaseClient):
    backend = "globus"
    gladier_tools = [AddOne]


def checksum_0_11(function: Any) -> str:
    """How Gladier 0.11 computes a function checksum (its ComputeManager)."""
    serializer = ComputeSerializer(strategy_code=DillCodeSource())
    return hashlib.sha256(serializer.serialize(function).encode()).hexdigest()


def test_functions_are_registered_once_with_0_11_checksums(recorded: RecordedGlobus) -> None:
    client = AddOneGlobus(login_manager=Logins().manager())
    ids = client.get_compute_function_ids()
    function_id = ids["add_one_function_id"]
    assert function_id in recorded.functions
    sent = recorded.functions[function_id]
    assert sent["function_name"] == "add_one"
    assert sent["meta"]["serde_identifier"] == "04"  # DillCodeSource, as Gladier 0.11
    assert sent["description"] == "Add one to a number."
    assert client.storage.section == "add_one_globus"  # 0.11's section
    assert client.storage.get_value("add_one_function_id_checksum") == checksum_0_11(add_one)
    assert AddOneGlobus(login_manager=Logins().manager()).get_compute_function_ids() == ids
    assert recorded.paths("POST").count("/v3/functions") == 1


def test_a_changed_function_is_registered_again(recorded: RecordedGlobus) -> None:
    client = AddOneGlobus(login_manager=Logins().manager())
    first = client.get_compute_function_ids()["add_one_function_id"]
    client.storage.set_value("add_one_function_id_checksum", "from-an-older-version")
    second = client.get_compute_function_ids()["add_one_function_id"]
    assert second != first and len(recorded.functions) == 2


def test_endpoint_ids_reach_the_flow_unchanged(recorded: RecordedGlobus) -> None:
    client = AddOneGlobus(login_manager=Logins().manager())
    with pytest.raises(ConfigException, match='requires flow input value: "compute_endpoint"'):
        client.run_flow({"input": {"number": 1}})  # Globus has no default endpoint
    client.run_flow({"input": {"number": 1, "compute_endpoint": ENDPOINT}})
    body = recorded.sent("POST", "/run")[0]["body"]["input"]
    assert body["compute_endpoint"] == ENDPOINT
    assert body["add_one_function_id"] in recorded.functions


def test_functions_are_shared_with_the_group(recorded: RecordedGlobus) -> None:
    class Shared(AddOneGlobus):
        globus_group = GROUP

    Shared(login_manager=Logins().manager()).get_compute_function_ids()
    (sent,) = recorded.functions.values()
    assert sent["group"] == GROUP


def test_the_compute_fixture_registration(globus_mock: responses.RequestsMock) -> None:
    fixture = load_response(globus_sdk.ComputeClientV3.register_function, requests_mock=globus_mock)
    compute = GlobusBackend().compute({COMPUTE_SCOPE: globus_sdk.AccessTokenAuthorizer("t")})
    assert compute.register_function(add_one) == fixture.metadata["function_id"]
    request = get_last_request(requests_mock=globus_mock)
    assert request is not None and request.url == f"{COMPUTE_URL}/v3/functions"
    assert not compute.lookups_are_cheap and compute.default_endpoint_id is None


def test_the_compute_service_url_variable_is_honoured(
    globus_mock: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_COMPUTE", "http://127.0.0.1:5999/")
    local = RecordedGlobus(globus_mock, compute_url="http://127.0.0.1:5999/")
    compute = GlobusBackend().compute({COMPUTE_SCOPE: globus_sdk.AccessTokenAuthorizer("t")})
    function_id = compute.register_function(add_one)
    assert local.paths() == ["/v3/functions"]
    assert compute.get_function(function_id)["function_name"] == "add_one"


def test_a_function_without_source_is_refused_clearly() -> None:
    namespace: dict[str, Any] = {}
    exec("def made_up(**data):\n    return 1\n", namespace)
    compute = GlobusBackend().compute({})
    with pytest.raises(ConfigException, match=r"made_up.*source code must be readable"):
        compute.function_checksum(namespace["made_up"])


def test_without_the_compute_sdk_the_error_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['globus_compute_sdk'] = None\n"
        "from gladier.services.globus import GlobusBackend\n"
        "def f(**data):\n    return 1\n"
        "try:\n"
        "    GlobusBackend().compute({}).function_checksum(f)\n"
        "except Exception as err:\n"
        "    print(type(err).__name__, err)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("ConfigException")
    assert "pip install globus-sdk globus-compute-sdk" in result.stdout


def test_without_globus_sdk_the_backend_names_the_extra() -> None:
    code = (
        "import os, sys\n"
        "sys.modules['globus_sdk'] = None\n"
        "os.environ['GLADIER_BACKEND'] = 'globus'\n"
        "from gladier.services import select_backend\n"
        "try:\n"
        "    select_backend(None)\n"
        "except Exception as err:\n"
        "    print(type(err).__name__, err)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("ConfigException")
    assert (
        "'globus_sdk'" in result.stdout
        and "pip install globus-sdk globus-compute-sdk" in result.stdout
    )
