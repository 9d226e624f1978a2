"""Endpoints: the default one, named configurations, aliases, and unknown ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from gladier.exc import ConfigException, NotFound, StateConflict
from gladier.runtime import Runtime
from gladier.runtime.compute import DEFAULT_ENDPOINT_ID
from gladier.runtime.compute.constants import EXECUTOR_KINDS
from gladier.runtime.compute.endpoints import (
    CONFIG_KEYS,
    EndpointRegistry,
    UnknownEndpoint,
    check_config,
)
from gladier.runtime.compute.executors import _MODULES

CLOUD_ID = "4b116d3c-1703-4f8f-9f6f-39921e5864df"


def test_the_default_endpoint_exists_with_its_documented_uuid(rt: Runtime) -> None:
    assert DEFAULT_ENDPOINT_ID == "bd06cbfe-4e60-5087-b88d-36c8bebdec5a"
    default = rt.get_endpoint(DEFAULT_ENDPOINT_ID)
    assert default["name"] == "default"
    assert default["executor"] == "process"
    assert default["default"] is True
    assert rt.get_endpoint("default")["endpoint_id"] == DEFAULT_ENDPOINT_ID
    assert [e["endpoint_id"] for e in rt.list_endpoints()] == [DEFAULT_ENDPOINT_ID]


def test_create_get_list_update_delete(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home) as rt:
        ep = rt.create_endpoint("io", executor="thread", config={"workers": 4})
        assert ep["executor"] == "thread" and ep["config"] == {"workers": 4}
        assert len(ep["endpoint_id"]) == 36
        fixed = rt.create_endpoint("fixed", endpoint_id="11111111-2222-3333-4444-555555555555")
        assert fixed["endpoint_id"] == "11111111-2222-3333-4444-555555555555"
        assert [e["name"] for e in rt.list_endpoints()] == ["default", "fixed", "io"]
        with pytest.raises(StateConflict, match="name"):
            rt.create_endpoint("io")
        with pytest.raises(StateConflict, match="id"):
            rt.create_endpoint("other", endpoint_id=fixed["endpoint_id"])
        changed = rt.update_endpoint(ep["endpoint_id"], config={"workers": 2}, description="d")
        assert changed["config"] == {"workers": 2} and changed["description"] == "d"
        rt.update_endpoint("default", config={"workers": 1})
    with Runtime(home=home) as rt:  # persisted
        assert rt.get_endpoint("io")["config"] == {"workers": 2}
        assert rt.get_endpoint("default")["config"] == {"workers": 1}
        assert rt.delete_endpoint("io")["name"] == "io"
        with pytest.raises(NotFound):
            rt.get_endpoint("io")
        with pytest.raises(StateConflict, match="default"):
            rt.delete_endpoint(DEFAULT_ENDPOINT_ID)


def test_map_a_cloud_endpoint_id_onto_a_local_endpoint(rt: Runtime) -> None:
    local = rt.create_endpoint("local-threads", executor="thread")
    mapped = rt.map_endpoint(CLOUD_ID, local["endpoint_id"])
    assert mapped["aliases"] == [CLOUD_ID]
    assert rt.get_endpoint(CLOUD_ID)["endpoint_id"] == local["endpoint_id"]
    with pytest.raises(StateConflict):
        rt.map_endpoint(local["endpoint_id"], DEFAULT_ENDPOINT_ID)
    rt.unmap_endpoint(CLOUD_ID)
    with pytest.raises(NotFound):
        rt.get_endpoint(CLOUD_ID)
    with pytest.raises(NotFound):
        rt.unmap_endpoint(CLOUD_ID)
    rt.map_endpoint(CLOUD_ID, local["endpoint_id"])
    rt.delete_endpoint(local["endpoint_id"])
    with pytest.raises(NotFound):
        rt.get_endpoint(CLOUD_ID)


def test_unknown_ids_resolve_to_the_default_with_a_note_or_fail_when_strict(rt: Runtime) -> None:
    registry = EndpointRegistry(rt.db)
    endpoint, note = registry.resolve(CLOUD_ID, strict=False)
    assert endpoint.endpoint_id == DEFAULT_ENDPOINT_ID
    assert note is not None and CLOUD_ID in note and "default" in note
    assert registry.resolve("default", strict=True) == (registry.get(DEFAULT_ENDPOINT_ID), None)
    with pytest.raises(UnknownEndpoint, match="strict_endpoints"):
        registry.resolve(CLOUD_ID, strict=True)


@pytest.mark.parametrize(
    ("executor", "config", "message"),
    [
        ("gpu", {}, "Unknown executor kind"),
        ("process", {"workerz": 2}, "Unknown process endpoint setting"),
        ("process", {"workers": 0}, "at least 1"),
        ("process", {"workers": True}, "at least 1"),
        ("process", {"cancel_grace": -1}, "non-negative"),
        ("globus-compute", {}, "endpoint_id"),
        ("dask", {"address": "tcp://x:1", "local_cluster": {}}, "not both"),
        ("parsl", {"executor": {"x": object()}}, "must be JSON"),
    ],
)
def test_bad_configurations_are_refused(executor: str, config: dict, message: str) -> None:
    with pytest.raises(ConfigException, match=message):
        check_config(executor, config)


def test_every_executor_kind_has_its_settings_and_its_module() -> None:
    # A new executor is one line in each (docs/architecture.md, "Where new things go").
    assert set(CONFIG_KEYS) == set(EXECUTOR_KINDS)
    assert set(_MODULES) == set(EXECUTOR_KINDS)
