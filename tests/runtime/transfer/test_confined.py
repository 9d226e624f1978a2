"""ConfinedRoot reaches paths from the root's descriptor and never follows a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gladier.runtime.transfer.collections import Collection
from gladier.runtime.transfer.confined import ConfinedRoot, SwappedPathError, remove_tree
from gladier.runtime.transfer.paths import UnsafePathError


@pytest.fixture
def collection(tmp_path: Path) -> Collection:
    root = tmp_path / "root"
    root.mkdir()
    return Collection("c1", Path(os.path.realpath(root)), "/", "c1", False)


def test_open_dir_creates_and_refuses_links(collection: Collection, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    with ConfinedRoot(collection) as root:
        folder = root.open_dir(os.path.join("a", "b"), create=True)
        os.close(folder)
        assert (collection.root / "a" / "b").is_dir()
        (collection.root / "a" / "link").symlink_to(outside)
        with pytest.raises(SwappedPathError, match=r"'/a/link' .* symbolic link \(to .*outside"):
            root.open_dir(os.path.join("a", "link", "deeper"), create=True)
        assert list(outside.iterdir()) == []
        with pytest.raises(FileNotFoundError):
            root.open_dir("missing")


def test_open_at_does_not_follow_a_final_link(collection: Collection, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("x")
    (collection.root / "f").symlink_to(tmp_path / "secret")
    with ConfinedRoot(collection) as root:
        folder = root.open_dir("")
        try:
            with pytest.raises(SwappedPathError, match="'/f'"):
                root.open_at(folder, "f", os.O_RDONLY, "f")
        finally:
            os.close(folder)


def test_relative_refuses_paths_outside(collection: Collection, tmp_path: Path) -> None:
    root = ConfinedRoot(collection)
    assert root.relative(collection.root) == ""
    assert root.relative(collection.root / "a" / "b") == os.path.join("a", "b")
    with pytest.raises(UnsafePathError, match="outside the collection"):
        root.relative(tmp_path / "elsewhere")


def test_remove_tree_removes_links_not_their_targets(
    collection: Collection, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("keep")
    tree = collection.root / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "f").write_text("x")
    (tree / "dir-link").symlink_to(outside)
    (tree / "file-link").symlink_to(outside / "keep")
    with ConfinedRoot(collection) as root:
        folder = root.open_dir("")
        try:
            assert remove_tree(folder, "tree") == (2, 3)
        finally:
            os.close(folder)
    assert not tree.exists()
    assert (outside / "keep").read_text() == "keep"
