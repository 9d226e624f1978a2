"""Collection paths: normalisation, home, and every way out of the root refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gladier.exc import ActionProviderError
from gladier.runtime.transfer.collections import Collection
from gladier.runtime.transfer.paths import (
    UnsafePathError,
    check_parent,
    normalise,
    real_path,
    resolve,
)


def collection(root: Path, home: str = "/") -> Collection:
    return Collection("c0ffee", Path(os.path.realpath(root)), home, "test", False)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/"),
        ("/a/b", "/a/b"),
        ("/a/./b/", "/a/b"),
        ("/a/../b", "/b"),
        ("//a//b", "/a/b"),
        ("~", "/home/me"),
        ("~/x", "/home/me/x"),
        ("/~/", "/home/me"),
        ("/~/x/y", "/home/me/x/y"),
        ("/~/../../etc", "/etc"),
        ("rel/x", "/home/me/rel/x"),
        ("./rel", "/home/me/rel"),
        ("/~x", "/~x"),
    ],
)
def test_normalise(path: str, expected: str) -> None:
    assert normalise(path, "/home/me") == expected


@pytest.mark.parametrize(
    "path", ["/..", "/../etc/passwd", "/a/../../b", "/~/../../../x", "../../.."]
)
def test_climbing_above_the_root_is_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(UnsafePathError) as info:
        resolve(collection(tmp_path, "/home/me"), path)
    message = str(info.value)
    assert path in message and "c0ffee" in message and str(os.path.realpath(tmp_path)) in message
    assert info.value.body["code"] == "PathOutsideCollection"
    assert isinstance(info.value, ActionProviderError)


@pytest.mark.parametrize("path", ["", None, 3, "a\x00b"])
def test_non_paths_are_refused(tmp_path: Path, path: object) -> None:
    with pytest.raises(ActionProviderError):
        resolve(collection(tmp_path), path)


def test_absolute_paths_stay_inside_the_collection(tmp_path: Path) -> None:
    target = resolve(collection(tmp_path), "/etc/passwd")
    assert target.local == Path(os.path.realpath(tmp_path)) / "etc" / "passwd"
    assert real_path(target) == target.local


def test_home_is_inside_the_root(tmp_path: Path) -> None:
    target = resolve(collection(tmp_path, "/users/me"), "~/data")
    assert target.path == "/users/me/data"
    assert target.local == Path(os.path.realpath(tmp_path)) / "users" / "me" / "data"


def test_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside)
    (root / "file-link").symlink_to(tmp_path / "secret.txt")
    (root / "chain").symlink_to(root / "link")
    c = collection(root)
    for path in ("/link", "/link/x/y", "/file-link", "/chain/z"):
        with pytest.raises(UnsafePathError, match="symbolic link"):
            real_path(resolve(c, path))


def test_symlink_inside_the_root_is_followed(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "data")
    c = collection(tmp_path)
    assert real_path(resolve(c, "/alias/f")) == Path(os.path.realpath(tmp_path)) / "data" / "f"


def test_check_parent_does_not_follow_the_last_component(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    c = collection(root)
    assert check_parent(resolve(c, "/link")) == Path(os.path.realpath(root)) / "link"
    with pytest.raises(UnsafePathError):
        check_parent(resolve(c, "/link/inner"))
