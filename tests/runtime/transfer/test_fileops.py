"""Delete, mkdir and ls on collections."""

from __future__ import annotations

import pytest

from gladier.runtime.transfer.fileops import list_directory, make_directory
from gladier.runtime.transfer.requests import LsSpec
from gladier.runtime.transfer.tasks import Fatal

from .conftest import Env, make_tree, tree_of


def test_delete_files_and_trees(env: Env) -> None:
    make_tree(env.dst_root / "t")
    (env.dst_root / "lone.txt").write_text("x")
    doc = env.delete({"DATA": [{"path": "/lone.txt"}]})
    assert doc["status"] == "SUCCEEDED" and doc["details"]["type"] == "DELETE"
    assert doc["details"]["files"] == 1
    doc = env.delete({"DATA": ["/t"]})
    assert doc["status"] == "FAILED"
    assert doc["details"]["fatal_error"]["code"] == "IS_A_DIRECTORY"
    doc = env.delete({"DATA": ["/t"], "recursive": True})
    assert doc["status"] == "SUCCEEDED"
    assert doc["details"]["files"] == 4 and doc["details"]["directories"] == 4
    assert tree_of(env.dst_root) == {}


def test_delete_missing_paths_and_globs(env: Env) -> None:
    doc = env.delete({"DATA": ["/nope"]})
    assert doc["details"]["fatal_error"]["code"] == "FILE_NOT_FOUND"
    assert env.delete({"DATA": ["/nope"], "ignore_missing": True})["status"] == "SUCCEEDED"
    for name in ("a.log", "b.log", "keep.txt", ".hidden.log"):
        (env.dst_root / name).write_text(name)
    doc = env.delete({"DATA": ["/*.log"], "interpret_globs": True})
    assert doc["status"] == "SUCCEEDED" and doc["details"]["files"] == 2
    assert sorted(p.name for p in env.dst_root.iterdir()) == [".hidden.log", "keep.txt"]


def test_delete_refuses_the_collection_root(env: Env) -> None:
    (env.dst_root / "x").write_text("x")
    doc = env.delete({"DATA": ["/"], "recursive": True})
    assert doc["status"] == "FAILED" and "root" in doc["details"]["fatal_error"]["description"]
    assert (env.dst_root / "x").exists()


def test_mkdir(env: Env) -> None:
    collection = env.service.collections.resolve(env.dst)
    result = make_directory(collection, "/~/results")
    assert result["code"] == "DirectoryCreated" and (env.dst_root / "results").is_dir()
    with pytest.raises(Fatal) as info:
        make_directory(collection, "/results")
    assert info.value.code == "ExternalError.MkdirFailed.Exists"
    with pytest.raises(Fatal, match="create the parent first"):
        make_directory(collection, "/a/b/c")
    sandbox = env.service.collections.resolve("11112222-3333-4444-5555-666677778888")
    make_directory(sandbox, "/new")
    assert (sandbox.root / "new").is_dir()


def test_ls(env: Env) -> None:
    make_tree(env.dst_root)
    (env.dst_root / ".dot").write_text("hidden")
    (env.dst_root / "alias").symlink_to(env.dst_root / "sub")
    (env.dst_root / "broken").symlink_to(env.dst_root / "gone")
    collection = env.service.collections.resolve(env.dst)
    listing = list_directory(collection, LsSpec(env.dst, "/"))
    assert listing["DATA_TYPE"] == "file_list" and listing["path"] == "/"
    by_name = {e["name"]: e for e in listing["DATA"]}
    assert set(by_name) == {".dot", "a.txt", "alias", "broken", "empty-dir", "empty.dat", "sub"}
    assert by_name["sub"]["type"] == "dir" and by_name["sub"]["is_folder"] is True
    assert by_name["a.txt"]["type"] == "file" and by_name["a.txt"]["size"] == 6
    assert by_name["alias"]["type"] == "dir" and by_name["alias"]["link_target"]
    assert by_name["broken"]["type"] == "invalid_symlink"
    hidden = list_directory(collection, LsSpec(env.dst, "/", show_hidden=False))
    assert ".dot" not in {e["name"] for e in hidden["DATA"]}
    page = list_directory(collection, LsSpec(env.dst, "/", limit=2, offset=1))
    assert page["length"] == 2 and page["total"] == 7
    with pytest.raises(Fatal, match="does not exist"):
        list_directory(collection, LsSpec(env.dst, "/missing"))
