"""Config migrations: versions, funcX keys, and the Gladier 0.8 shared file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gladier import GladierBaseClient
from gladier.storage import GladierConfig
from gladier.storage.migrations import (
    MIGRATIONS,
    AddVersionToConfig,
    MigrateOldConfigFile,
    UpdateConfigVersion,
    UpdateFuncXFunctions,
    legacy_config_path,
    migrate_gladier,
    needs_migration,
)
from gladier.version import __version__
from tests.sdk.client_tools import PASS_DEFINITION

LEGACY = """\
[general]
version = 0.8.4

[my_old_client]
flow_id = 11111111-1111-4111-8111-111111111111
flow_checksum = abc
tar_funcx_id = 22222222-2222-4222-8222-222222222222
tar_funcx_id_checksum = def
compute_endpoint = 33333333-3333-4333-8333-333333333333
"""


class MyOldClient(GladierBaseClient):
    flow_definition = PASS_DEFINITION


def test_migrations_run_in_order() -> None:
    assert [AddVersionToConfig, UpdateFuncXFunctions, UpdateConfigVersion] == MIGRATIONS


def test_funcx_keys_are_renamed_and_the_version_set(tmp_path: Path) -> None:
    path = tmp_path / "c.cfg"
    path.write_text(LEGACY)
    config = GladierConfig(path, "my_old_client")
    config.load()
    assert needs_migration(config)
    migrate_gladier(config)
    assert not needs_migration(config)
    assert config.get("my_old_client", "tar_function_id") == "22222222-2222-4222-8222-222222222222"
    assert config.get("my_old_client", "tar_function_id_checksum") == "def"
    assert not config.has_option("my_old_client", "tar_funcx_id")
    assert config.get("general", "version") == __version__


def test_update_saves_only_when_something_changed(tmp_path: Path) -> None:
    path = tmp_path / "c.cfg"
    config = GladierConfig(path, "s")
    config.set_value("a", "1")
    before = path.stat().st_mtime_ns
    config.update()
    assert path.stat().st_mtime_ns == before


def test_the_legacy_path_comes_from_the_environment(tmp_path: Path) -> None:
    assert legacy_config_path() == tmp_path / "legacy-gladier-secrets.cfg"


def test_a_0_8_config_file_is_copied_and_migrated(_isolated_home: Path) -> None:
    legacy = legacy_config_path()
    legacy.write_text(LEGACY)
    client = MyOldClient()
    assert client.storage.filename.exists()
    assert stat.S_IMODE(os.stat(client.storage.filename).st_mode) == 0o600
    cloud = GladierConfig(client.storage.filename, "my_old_client")
    assert cloud.get_value("tar_function_id") == "22222222-2222-4222-8222-222222222222"
    assert cloud.get_value("tar_funcx_id") is None
    assert legacy.read_text() == LEGACY  # the old file is never changed
    # the ids of the old (cloud) deployment are Globus's: the embedded runtime leaves them in
    # the client's section, deploys its own flow and keeps that id in its own section
    assert client.storage.get_value("tar_function_id") is None
    run = client.run_flow({"input": {}})
    assert run["flow_id"] != "11111111-1111-4111-8111-111111111111"
    assert client.get_flow_id() == run["flow_id"]
    assert cloud.get_value("flow_id") == "11111111-1111-4111-8111-111111111111"
    # a setting of the client's section still applies on the embedded runtime
    assert client.storage.section_items()["compute_endpoint"].startswith("33333333")


def test_the_old_file_is_only_copied_once(tmp_path: Path) -> None:
    old = tmp_path / "old.cfg"
    old.write_text(LEGACY)
    new = tmp_path / "home" / "new.cfg"
    migration = MigrateOldConfigFile(new, old)
    assert migration.is_applicable()
    migration.migrate()
    assert new.read_text() == LEGACY
    assert not MigrateOldConfigFile(new, old).is_applicable()


def test_no_old_file_means_nothing_to_migrate(tmp_path: Path) -> None:
    assert not MigrateOldConfigFile(tmp_path / "new.cfg", tmp_path / "missing.cfg").is_applicable()


def test_needs_migration_reads_the_file_first(tmp_path: Path) -> None:
    assert needs_migration(GladierConfig(tmp_path / "absent.cfg", "s")) is False
    old = tmp_path / "old.cfg"
    old.write_text("[s]\ntar_funcx_id = 1\n")
    assert needs_migration(GladierConfig(old, "s")) is True
    current = tmp_path / "current.cfg"
    current.write_text(f"[general]\nversion = {__version__}\n\n[s]\ntar_function_id = 1\n")
    assert needs_migration(GladierConfig(current, "s")) is False
