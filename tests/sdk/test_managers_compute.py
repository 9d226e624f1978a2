"""ComputeManager: checksums, keys, groups and the 0.8 name."""

from __future__ import annotations

from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.managers import ComputeManager, FuncXManager
from gladier.runtime.compute.functions import function_checksum
from gladier.services.scopes import COMPUTE_SCOPE
from tests.sdk.client_tools import AddOne, AddOneClient, add_one


def test_the_0_8_name_is_the_same_class() -> None:
    assert FuncXManager is ComputeManager


def test_scopes_and_names() -> None:
    manager = ComputeManager()
    assert manager.get_scopes() == [COMPUTE_SCOPE]
    assert manager.get_compute_function_name(add_one) == "add_one_function_id"
    assert manager.get_compute_function_checksum(add_one) == function_checksum(add_one)
    assert manager.get_serialization_strategy() == "dill"


def test_validate_function_registers_once_under_the_given_key() -> None:
    client = AddOneClient()
    manager = client.compute_manager
    key, first = manager.validate_function(AddOne(), add_one, input_key="custom_function_id")
    assert key == "custom_function_id"
    assert client.storage.get_value("custom_function_id_checksum") == function_checksum(add_one)
    assert manager.validate_function(AddOne(), add_one, input_key=key) == (key, first)


def test_the_client_group_is_given_to_registration() -> None:
    class Grouped(AddOneClient):
        globus_group = "a-group"

    assert Grouped().compute_manager.group == "a-group"


def test_a_compute_manager_passed_in_is_used(caplog: pytest.LogCaptureFixture) -> None:
    manager = ComputeManager(auto_registration=False)
    client = AddOneClient(compute_manager=manager)
    assert client.compute_manager is manager and manager.storage is client.storage
    with pytest.raises(ConfigException, match="add_one is not registered"):
        client.get_input()


def test_unknown_arguments_are_refused() -> None:
    kwargs: dict[str, Any] = {"nonsense": True}
    with pytest.raises(ConfigException):
        ComputeManager(**kwargs)
