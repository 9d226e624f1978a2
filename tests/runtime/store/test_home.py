"""The runtime home is made private and refused when another user owns it or its store."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gladier.exc import HomeNotOwned, StoreError
from gladier.runtime import Runtime
from tests.runtime.store.helpers import PASS_FLOW, is_root

NOBODY = 65534
needs_root = pytest.mark.skipif(
    not is_root(), reason="giving a directory to another user (chown) needs root"
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_parents_are_created_0700(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b" / "home"
    old = os.umask(0o022)
    try:
        Runtime(home=home).open().close()
    finally:
        os.umask(old)
    for directory in (tmp_path / "a", tmp_path / "a" / "b", home):
        assert mode(directory) == 0o700, directory
    assert mode(home / "runtime.db") == 0o600


def test_a_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a directory")
    with pytest.raises(HomeNotOwned, match="is not a directory"):
        Runtime(home=home).open()


@needs_root
def test_a_home_owned_by_someone_else_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chown(home, NOBODY, NOBODY)
    with pytest.raises(HomeNotOwned) as caught:
        Runtime(home=home).open()
    message = str(caught.value)
    assert str(home) in message and f"uid {NOBODY}" in message
    assert "--home or GLADIER_HOME" in message and "chown" in message
    assert mode(home) == 0o755 and not (home / "runtime.db").exists()  # untouched


@needs_root
def test_a_store_owned_by_someone_else_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home) as rt:
        rt.create_flow("t", PASS_FLOW)
    for name in ("runtime.db", "runtime.db.lock"):
        os.chown(home / name, NOBODY, NOBODY)
        with pytest.raises(HomeNotOwned) as caught:
            Runtime(home=home).open()
        assert str(home / name) in str(caught.value)
        os.chown(home / name, os.geteuid(), os.getegid())
    Runtime(home=home).open().close()


def test_a_home_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file, not a directory")
    home = tmp_path / "file" / "home"
    with pytest.raises(StoreError) as caught:
        Runtime(home=home).open()
    assert f"Cannot create the runtime home {home}" in str(caught.value)
    assert "--home or GLADIER_HOME" in str(caught.value)
