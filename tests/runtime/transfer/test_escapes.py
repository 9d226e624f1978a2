"""Every way out of a collection is refused with a clear error, and nothing is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gladier.exc import ActionProviderError
from gladier.runtime.transfer.fileops import list_directory, make_directory
from gladier.runtime.transfer.requests import LsSpec

from .conftest import Env, item, make_tree, tree_of


def snapshot(env: Env) -> tuple[dict[str, bytes], dict[str, bytes]]:
    return tree_of(env.dst_root), tree_of(env.outside)


def assert_refused(doc: dict[str, object], *words: str) -> None:
    assert doc["status"] == "FAILED", doc
    fatal = doc["details"]["fatal_error"]  # type: ignore[index]
    assert fatal["code"] == "PATH_OUTSIDE_COLLECTION", fatal
    for word in words:
        assert word in fatal["description"], (word, fatal["description"])


def test_symlink_in_the_source_tree_pointing_outside(env: Env) -> None:
    make_tree(env.src_root / "t")
    (env.outside / "secret.txt").write_text("private")
    (env.src_root / "t" / "sub" / "leak").symlink_to(env.outside)
    before = snapshot(env)
    doc = env.transfer({"DATA": [item("/t", "/t")]})
    assert_refused(doc, "/t/sub/leak", "symbolic link", str(env.outside), env.src)
    assert snapshot(env) == before  # not even the files planned before the link


def test_symlinked_file_in_the_source_tree_pointing_outside(env: Env) -> None:
    make_tree(env.src_root / "t")
    (env.outside / "secret.txt").write_text("private")
    (env.src_root / "t" / "a-link").symlink_to(env.outside / "secret.txt")
    doc = env.transfer({"DATA": [item("/t", "/t")]})
    assert_refused(doc, "/t/a-link")
    assert tree_of(env.dst_root) == {}


def test_source_path_that_is_a_symlink_outside(env: Env) -> None:
    (env.outside / "secret.txt").write_text("private")
    (env.src_root / "door").symlink_to(env.outside)
    doc = env.transfer({"DATA": [item("/door/secret.txt", "/stolen.txt")]})
    assert_refused(doc, "/door/secret.txt", env.src)
    assert tree_of(env.dst_root) == {}


def test_destination_through_a_symlink_outside(env: Env) -> None:
    (env.src_root / "f").write_text("data")
    (env.dst_root / "door").symlink_to(env.outside)
    before = snapshot(env)
    doc = env.transfer({"DATA": [item("/f", "/door/f")]})
    assert_refused(doc, "/door/f", env.dst)
    assert snapshot(env) == before


def test_destination_folder_in_a_tree_is_a_symlink_outside(env: Env) -> None:
    make_tree(env.src_root / "t")
    (env.dst_root / "t").mkdir()
    (env.dst_root / "t" / "sub").symlink_to(env.outside)
    before = snapshot(env)
    doc = env.transfer({"DATA": [item("/t", "/t")]})
    assert_refused(doc, "/t/sub")
    assert snapshot(env) == before


def test_destination_file_in_a_tree_is_a_symlink_outside(env: Env) -> None:
    make_tree(env.src_root / "t")
    (env.outside / "victim.txt").write_text("do not overwrite")
    (env.dst_root / "t").mkdir()
    (env.dst_root / "t" / "a.txt").symlink_to(env.outside / "victim.txt")
    doc = env.transfer({"DATA": [item("/t", "/t")]})
    assert_refused(doc, "/t/a.txt")
    assert (env.outside / "victim.txt").read_text() == "do not overwrite"
    assert sorted(p.name for p in (env.dst_root / "t").iterdir()) == ["a.txt"]


def test_absolute_paths_of_other_places_stay_inside_the_collection(env: Env) -> None:
    (env.outside / "secret.txt").write_text("private")
    (env.src_root / "f").write_text("data")
    outside_abs = str(env.outside / "secret.txt")
    doc = env.transfer({"DATA": [item(outside_abs, "/stolen.txt")]})
    assert details_code(doc) == "FILE_NOT_FOUND"  # read as <src root>/<that path>: absent
    assert tree_of(env.dst_root) == {}
    doc = env.transfer({"DATA": [item("/f", str(env.outside / "planted.txt"))]})
    assert doc["status"] == "SUCCEEDED"
    assert not (env.outside / "planted.txt").exists()
    inside = env.dst_root / str(env.outside).lstrip("/") / "planted.txt"
    assert inside.read_text() == "data"


def details_code(doc: dict[str, object]) -> str:
    return str(doc["details"]["fatal_error"]["code"])  # type: ignore[index]


@pytest.mark.parametrize("path", ["/../outside", "/~/../..", "../../outside/x"])
def test_parent_references_are_refused_for_every_operation(env: Env, path: str) -> None:
    collection = env.service.collections.resolve(env.dst)
    with pytest.raises(ActionProviderError, match="climbs above the collection root"):
        make_directory(collection, path)
    with pytest.raises(ActionProviderError, match="climbs above the collection root"):
        list_directory(collection, LsSpec(env.dst, path))
    with pytest.raises(ActionProviderError, match="climbs above the collection root"):
        env.delete({"DATA": [path], "recursive": True})
    assert tree_of(env.outside) == {}


def test_mkdir_ls_and_delete_through_symlinks_outside(env: Env) -> None:
    (env.outside / "keep").mkdir()
    (env.outside / "keep" / "file").write_text("x")
    (env.dst_root / "door").symlink_to(env.outside)
    collection = env.service.collections.resolve(env.dst)
    with pytest.raises(ActionProviderError, match="symbolic link"):
        make_directory(collection, "/door/new")
    with pytest.raises(ActionProviderError, match="symbolic link"):
        list_directory(collection, LsSpec(env.dst, "/door"))
    doc = env.delete({"DATA": ["/door/keep"], "recursive": True})
    assert details_code(doc) == "PATH_OUTSIDE_COLLECTION"
    doc = env.delete({"DATA": ["/door"], "recursive": True})  # removes the link, not its target
    assert doc["status"] == "SUCCEEDED"
    assert not os.path.lexists(env.dst_root / "door")
    assert (env.outside / "keep" / "file").read_text() == "x"
    assert not (Path(env.outside) / "new").exists()
