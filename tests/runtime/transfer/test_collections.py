"""Collections: mapping ids to directories, sandboxes for unknown ids, and the Runtime API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gladier.exc import ConfigException, NotFound, StateConflict
from gladier.runtime import Runtime
from gladier.runtime.store import Database
from gladier.runtime.transfer.collections import CollectionRegistry
from gladier.runtime.transfer.paths import UnsafePathError

CID = "6c54cade-bde5-45c1-bdea-f4bd71dba2cc"


@pytest.fixture
def registry(tmp_path: Path, db: Database) -> CollectionRegistry:
    return CollectionRegistry(db, tmp_path / "home")


def test_create_get_list_delete(tmp_path: Path, registry: CollectionRegistry) -> None:
    (tmp_path / "data").mkdir()
    doc = registry.create(tmp_path / "data", collection_id=CID, display_name="beamline")
    assert doc["id"] == CID and doc["root"] == os.path.realpath(tmp_path / "data")
    assert doc["display_name"] == "beamline" and doc["sandbox"] is False
    assert registry.get(CID).document() == doc
    assert [c["id"] for c in registry.list()] == [CID]
    assert registry.delete(CID) == doc
    assert (tmp_path / "data").is_dir()
    with pytest.raises(NotFound, match="sandbox"):
        registry.get(CID)


def test_create_is_idempotent_and_refuses_a_second_root(
    tmp_path: Path, registry: CollectionRegistry
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = registry.create(tmp_path / "a", collection_id=CID)
    assert registry.create(tmp_path / "a", collection_id=CID) == first
    with pytest.raises(StateConflict, match="already mapped"):
        registry.create(tmp_path / "b", collection_id=CID)


def test_new_ids_are_uuids_and_roots_must_exist(
    tmp_path: Path, registry: CollectionRegistry
) -> None:
    doc = registry.create(tmp_path)
    assert len(doc["id"]) == 36
    with pytest.raises(ConfigException, match="not an existing directory"):
        registry.create(tmp_path / "missing")
    for bad in ("../x", "a/b", ".hidden", "x" * 200):
        with pytest.raises(ConfigException, match="not a valid collection id"):
            registry.create(tmp_path, collection_id=bad)


def test_unknown_ids_map_to_sandboxes(tmp_path: Path, registry: CollectionRegistry) -> None:
    sandbox = registry.resolve(CID)
    assert sandbox.sandbox is True
    assert sandbox.root == Path(os.path.realpath(tmp_path / "home")) / "collections" / CID
    assert not sandbox.root.exists()
    assert registry.list(include_sandboxes=True) == []
    sandbox.root.mkdir(parents=True)
    assert [c["id"] for c in registry.list(include_sandboxes=True)] == [CID]
    assert registry.resolve("go#ep1").sandbox


def test_runtime_collection_api(tmp_path: Path) -> None:
    (tmp_path / "data" / "scan2").mkdir(parents=True)
    with Runtime(home=tmp_path / "home") as rt:
        doc = rt.create_collection(tmp_path / "data", display_name="beamline", home="/scan2")
        assert rt.get_collection(doc["id"]) == doc
        assert rt.list_collections() == [doc]
        real = Path(os.path.realpath(tmp_path / "data"))
        assert rt.collection_path(doc["id"], "/~/frame.h5") == real / "scan2" / "frame.h5"
        assert rt.collection_path(doc["id"], "/a/../b") == real / "b"
        with pytest.raises(UnsafePathError):
            rt.collection_path(doc["id"], "/../x")
        sandbox = rt.collection_path(CID, "/x")
        assert sandbox == Path(os.path.realpath(tmp_path / "home")) / "collections" / CID / "x"
        assert rt.delete_collection(doc["id"]) == doc
        assert rt.list_collections() == []
