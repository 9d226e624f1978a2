"""A client whose home is full, not writable or another user's gets one clear project error.

The client's config file (which holds the ids of the flow and functions its runs execute)
lives in the runtime home beside ``runtime.db``: it is not written into a home of another
user, and a failure to write it names the file and the fix, never a bare ``OSError``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gladier import GladierBaseClient
from gladier.exc import ConfigException, HomeNotOwned
from gladier.storage import GladierConfig
from tests.runtime.store.helpers import is_root
from tests.runtime.store.test_disk_full import fill, small_tmpfs
from tests.sdk.client_tools import PASS_DEFINITION

__all__ = ["small_tmpfs"]  # the fixture, used by name below

CONFIG = "f1631610-d9e4-4db2-81ba-7f93ad4414e3.cfg"


class MyPassClient(GladierBaseClient):
    flow_definition = PASS_DEFINITION


def test_a_full_disk_is_a_config_error_naming_the_file(
    small_tmpfs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = small_tmpfs / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GLADIER_HOME", str(home))
    filler = fill(small_tmpfs)
    with pytest.raises(ConfigException) as caught:
        MyPassClient().run_flow({"input": {}})
    message = str(caught.value)
    assert f"No space left on device writing the Gladier config {home / CONFIG}" in message
    assert "GLADIER_HOME" in message
    assert not isinstance(caught.value, OSError)
    filler.unlink()
    client = MyPassClient()  # space is back: the same client runs
    run = client.run_flow({"input": {}})
    assert client.progress(run["run_id"], callback=lambda s: None)["status"] == "SUCCEEDED"


def test_a_config_that_cannot_be_written_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    config = GladierConfig(tmp_path / "a-file" / "client.cfg", "c")
    for write in (lambda: config.set_value("flow_id", "x"), config.save):
        with pytest.raises(ConfigException, match=r"Cannot write the Gladier config .*client\.cfg"):
            write()


@pytest.mark.skipif(not is_root(), reason="giving a folder to another user needs root")
def test_a_home_of_another_user_gets_no_client_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "theirs"
    home.mkdir()
    os.chown(home, 65534, -1)
    monkeypatch.setenv("GLADIER_HOME", str(home))
    with pytest.raises(HomeNotOwned, match="belongs to"):
        MyPassClient().run_flow({"input": {}})
    assert os.listdir(home) == []  # nothing written there, not even a lock file


@pytest.mark.skipif(not is_root(), reason="giving a file to another user needs root")
def test_a_client_config_of_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("GLADIER_HOME", str(home))
    client = MyPassClient()
    client.run_flow({"input": {}})
    os.chown(home / CONFIG, 65534, -1)
    with pytest.raises(HomeNotOwned, match=r"client config file .* belongs to"):
        MyPassClient().run_flow({"input": {}})
