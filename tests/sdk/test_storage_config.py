"""The client's config file: location, layout, mode, re-reading and concurrency."""

from __future__ import annotations

import configparser
import os
import stat
import threading
from pathlib import Path

from gladier import GladierBaseClient
from gladier.storage import GladierConfig, GladierSecretsConfig
from gladier.version import __version__
from tests.sdk.client_tools import PASS_DEFINITION, AddOneClient


class MyPassClient(GladierBaseClient):
    flow_definition = PASS_DEFINITION


def read(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def test_one_file_per_client_id_under_the_home_with_gladier_layout(_isolated_home: Path) -> None:
    client = MyPassClient()
    client.run_flow({"input": {}})
    path = _isolated_home / "f1631610-d9e4-4db2-81ba-7f93ad4414e3.cfg"
    assert client.storage.filename == path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    parser = read(path)
    assert parser["general"]["version"] == __version__
    section = parser["my_pass_client.embedded"]  # [my_pass_client] is Globus's (0.11's)
    assert section["flow_id"] == client.get_flow_id()
    assert section["flow_checksum"] == client.flows_manager.get_flow_checksum()
    tokens = parser["tokens_f1631610-d9e4-4db2-81ba-7f93ad4414e3"]
    assert tokens["flows_globus_org__resource_server"] == "flows.globus.org"


def test_function_ids_and_checksums_are_stored(_isolated_home: Path) -> None:
    client = AddOneClient()
    ids = client.get_compute_function_ids()
    section = read(client.storage.filename)["add_one_client.embedded"]
    assert section["add_one_function_id"] == ids["add_one_function_id"]
    assert len(section["add_one_function_id_checksum"]) == 64


def test_secret_config_filename_is_honoured(tmp_path: Path) -> None:
    class Elsewhere(MyPassClient):
        secret_config_filename = str(tmp_path / "mine.cfg")

    client = Elsewhere()
    client.sync_flow()
    assert client.storage.filename == tmp_path / "mine.cfg"
    assert read(tmp_path / "mine.cfg")["elsewhere.embedded"]["flow_id"] == client.get_flow_id()


def test_values_are_read_fresh_on_every_access(tmp_path: Path) -> None:
    one = GladierConfig(tmp_path / "c.cfg", "section")
    two = GladierConfig(tmp_path / "c.cfg", "section")
    assert one.get_value("k") is None
    two.set_value("k", "v1")
    assert one.get_value("k") == "v1"
    one.set_value("Case_Kept", "100%")
    assert two.get_value("Case_Kept") == "100%"
    two.del_value("k")
    assert one.get_value("k") is None
    assert one.section_items() == {"Case_Kept": "100%"}


def test_a_plain_config_keeps_the_umask_and_a_secrets_config_is_private(tmp_path: Path) -> None:
    plain = GladierConfig(tmp_path / "plain.cfg")
    plain.set_value("a", "1")
    secret = GladierSecretsConfig(tmp_path / "secret.cfg")
    secret.set_value("a", "1")
    assert stat.S_IMODE(os.stat(tmp_path / "secret.cfg").st_mode) == 0o600
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "plain.cfg").st_mode) == 0o666 & ~umask


def test_concurrent_writers_lose_no_value(tmp_path: Path) -> None:
    path = tmp_path / "shared.cfg"

    def write(name: str) -> None:
        config = GladierSecretsConfig(path, "s")
        for index in range(20):
            config.set_value(f"{name}_{index}", str(index))

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(GladierSecretsConfig(path, "s").section_items()) == 80


def test_tokens_round_trip_and_clear(tmp_path: Path) -> None:
    config = GladierSecretsConfig(tmp_path / "t.cfg", "s", tokens_section="tokens_x")
    token = {
        "resource_server": "funcx_service",
        "access_token": "abc",
        "refresh_token": None,
        "expires_at_seconds": 123,
        "scope": "s1 s2",
    }
    config.write_tokens({"funcx_service": token})
    assert config.read_tokens() == {"funcx_service": token}
    config.write_tokens({"funcx_service": {**token, "access_token": "new"}})
    assert config.read_tokens()["funcx_service"]["access_token"] == "new"
    config.clear_tokens()
    assert config.read_tokens() == {}
    assert read(tmp_path / "t.cfg").has_section("tokens_x")


def test_a_value_set_in_memory_stays_until_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "c.cfg"
    mine = GladierConfig(path, "section")
    mine.set_value("written", "1")
    mine.set("section", "unsaved", "2")  # the ConfigParser API: changed here, not written
    assert mine.get_value("unsaved") == "2"
    assert mine.section_items() == {"written": "1", "unsaved": "2"}
    GladierConfig(path, "section").set_value("other", "3")  # another writer replaces the file
    assert mine.get_value("unsaved") is None
    assert mine.section_items() == {"written": "1", "other": "3"}


def test_a_config_whose_file_does_not_exist_is_of_this_version(tmp_path: Path) -> None:
    config = GladierSecretsConfig(tmp_path / "new.cfg", "section")
    assert config.get_value("anything") is None
    assert config.get("general", "version") == __version__
    assert not (tmp_path / "new.cfg").exists()  # reading writes nothing
