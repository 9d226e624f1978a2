"""A folder swapped for a symbolic link while a task runs is never followed.

Each test replaces a folder by a link to a folder outside the collection at a fixed point of
a real task (just before its first file is copied, or before its first path is deleted), then
checks that the task FAILED naming that folder and that nothing outside was read, written or
deleted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime.transfer import tasks
from gladier.runtime.transfer.fileops import DeleteJob
from gladier.runtime.transfer.requests import parse_delete
from gladier.runtime.transfer.tasks import StopSignal

from .conftest import Env, item, tree_of


def swap_for_link(folder: Path, target: Path) -> None:
    """Move ``folder`` aside (inside its collection) and put a link to ``target`` there."""
    folder.rename(folder.with_name(folder.name + "-aside"))
    folder.symlink_to(target, target_is_directory=True)


def swap_before_first_copy(monkeypatch: pytest.MonkeyPatch, swap: Callable[[], None]) -> None:
    """Run ``swap`` once, when the task is about to copy its first file."""
    real_copy = tasks.copy_file
    done: list[bool] = []

    def copy_after_swap(*args: Any, **kwargs: Any) -> Any:
        if not done:
            done.append(True)
            swap()
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(tasks, "copy_file", copy_after_swap)


def files(root: Path, names: list[str], prefix: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        (root / name).write_text(f"{prefix} {name}")


def assert_failed_on(doc: dict[str, Any], path: str, collection: str) -> None:
    assert doc["status"] == "FAILED", doc
    fatal = doc["details"]["fatal_error"]
    assert fatal["code"] == "PATH_OUTSIDE_COLLECTION", fatal
    for word in (repr(path), collection, "symbolic link"):
        assert word in fatal["description"], (word, fatal["description"])


NAMES = [f"f{i}.txt" for i in range(5)]
VICTIMS = [f"victim{i}.txt" for i in range(5)]


def test_destination_folder_swapped_mid_transfer(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    (env.src_root / "t").mkdir()
    (env.src_root / "t" / "a.txt").write_text("first file")
    files(env.src_root / "t" / "sub", NAMES, "source")
    files(env.dst_root / "t" / "sub", ["extra.txt"], "old")
    files(env.outside, VICTIMS, "keep")
    outside_before = tree_of(env.outside)
    swap_before_first_copy(
        monkeypatch, lambda: swap_for_link(env.dst_root / "t" / "sub", env.outside)
    )

    doc = env.transfer({"DATA": [item("/t", "/t")], "delete_destination_extra": True})

    assert_failed_on(doc, "/t/sub", env.dst)
    assert tree_of(env.outside) == outside_before  # nothing written or deleted there
    assert (env.dst_root / "t" / "sub").is_symlink()
    assert (env.dst_root / "t" / "sub-aside" / "extra.txt").read_text() == "old extra.txt"


def test_source_folder_swapped_mid_transfer(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    (env.src_root / "t").mkdir()
    (env.src_root / "t" / "a.txt").write_text("first file")
    files(env.src_root / "t" / "sub", NAMES, "source")
    files(env.outside, NAMES, "secret")
    outside_before = tree_of(env.outside)
    swap_before_first_copy(
        monkeypatch, lambda: swap_for_link(env.src_root / "t" / "sub", env.outside)
    )

    doc = env.transfer({"DATA": [item("/t", "/t")]})

    assert_failed_on(doc, "/t/sub", env.src)
    copied = tree_of(env.dst_root)
    assert not any(b"secret" in data for data in copied.values()), copied
    assert tree_of(env.outside) == outside_before


def test_source_file_swapped_mid_transfer(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    (env.src_root / "t").mkdir()
    files(env.src_root / "t", ["a.txt", "b.txt"], "source")
    (env.outside / "secret.txt").write_text("secret")

    def swap() -> None:
        (env.src_root / "t" / "b.txt").unlink()
        (env.src_root / "t" / "b.txt").symlink_to(env.outside / "secret.txt")

    swap_before_first_copy(monkeypatch, swap)
    doc = env.transfer({"DATA": [item("/t", "/t")]})

    assert_failed_on(doc, "/t/b.txt", env.src)
    assert not any(b"secret" in data for data in tree_of(env.dst_root).values())


class SwapAtFirstCheck(StopSignal):
    """A stop signal that runs ``swap`` the first time the task checks it (between paths)."""

    def __init__(self, swap: Callable[[], None]) -> None:
        super().__init__()
        self.swap: Callable[[], None] | None = swap

    def is_set(self) -> bool:
        if self.swap is not None:
            swap, self.swap = self.swap, None
            swap()
        return super().is_set()


def test_folder_swapped_mid_delete(env: Env) -> None:
    files(env.dst_root / "t" / "sub", ["f0.txt"], "old")
    files(env.dst_root / "t" / "sub" / "deeper", ["x.txt"], "old")
    files(env.outside, ["f0.txt"], "keep")
    files(env.outside / "deeper", ["x.txt"], "keep")
    outside_before = tree_of(env.outside)
    spec = parse_delete(
        {"endpoint": env.dst, "DATA": ["/t/sub/f0.txt", "/t/sub/deeper"], "recursive": True}
    )
    job = DeleteJob(spec, env.service.collections.resolve(env.dst))

    job.run(SwapAtFirstCheck(lambda: swap_for_link(env.dst_root / "t" / "sub", env.outside)))

    assert job.state == "FAILED"
    assert job.fatal_error is not None
    assert job.fatal_error["code"] == "PATH_OUTSIDE_COLLECTION"
    assert "'/t/sub'" in job.fatal_error["description"]
    assert tree_of(env.outside) == outside_before
    assert sorted(os.listdir(env.dst_root / "t" / "sub-aside")) == ["deeper", "f0.txt"]
