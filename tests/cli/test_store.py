"""``gladier store check|backup``, and store errors shown as clear messages."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from gladier.runtime import Runtime
from gladier.runtime.store.migrations import MIGRATIONS
from tests.cli.conftest import Invoke
from tests.runtime.store.helpers import PASS_FLOW, crash_after_work, garble_middle_of_log, is_root


def home_with_a_flow(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "home"
    with Runtime(home=home) as rt:
        flow = rt.create_flow("kept", PASS_FLOW)
        rt.wait(rt.run_flow(flow["id"], {})["run_id"])
    return home, flow["id"]


def test_check_a_sound_store(gladier: Invoke, tmp_path: Path) -> None:
    home, _ = home_with_a_flow(tmp_path)
    result = gladier("--home", str(home), "store", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: {home / 'runtime.db'} passes the integrity check")
    assert "1 flow(s), 1 run(s)" in result.stdout
    report = json.loads(gladier("--home", str(home), "store", "check", "--json").stdout)
    assert report["ok"] is True and report["integrity"] == ["ok"]
    assert report["schema_version"] == len(MIGRATIONS)


def test_check_a_home_without_a_store(gladier: Invoke, tmp_path: Path) -> None:
    result = gladier("--home", str(tmp_path / "new"), "store", "check")
    assert result.exit_code == 0 and "there is no store" in result.stdout
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_an_empty_store_file_is_a_clear_error_and_check_says_damaged(
    gladier: Invoke, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "runtime.db").touch()
    listed = gladier("--home", str(home), "runs", "list")
    assert listed.exit_code == 1
    assert f"Error: The runtime store {home / 'runtime.db'} is empty (0 bytes)" in listed.output
    assert "Unexpected error" not in listed.output
    checked = gladier("--home", str(home), "store", "check")
    assert checked.exit_code == 1
    assert checked.stdout.startswith(f"damaged: {home / 'runtime.db'}")
    assert "the file is empty (0 bytes)" in checked.stdout


def test_a_lost_log_is_refused_until_the_loss_is_accepted(gladier: Invoke, tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = crash_after_work(home)
    os.unlink(f"{db}-wal")
    listed = gladier("--home", str(home), "runs", "list")
    assert listed.exit_code == 1 and "is missing although the store was not closed" in listed.output
    checked = gladier("--home", str(home), "store", "check")
    assert checked.exit_code == 1 and "--accept-loss" in checked.stdout
    accepted = gladier("--home", str(home), "store", "check", "--accept-loss")
    assert accepted.exit_code == 0, accepted.output
    assert "the lost changes were accepted" in accepted.stdout
    assert gladier("--home", str(home), "runs", "list").exit_code == 0
    assert gladier("--home", str(home), "store", "check").exit_code == 0


def test_a_garbled_log_is_kept_aside_when_the_loss_is_accepted(
    gladier: Invoke, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    db = crash_after_work(home)
    garble_middle_of_log(db)
    checked = gladier("--home", str(home), "store", "check", "--json")
    report = json.loads(checked.stdout)
    assert checked.exit_code == 1 and report["loss_only"] is True
    assert "damaged" in report["problems"][0]
    assert gladier("--home", str(home), "store", "check", "--accept-loss").exit_code == 0
    assert [p.name for p in home.glob("runtime.db-wal.damaged-*")]
    with Runtime(home=home) as rt:
        assert rt.list_flows()["flows"][0]["title"] == "before the crash"


def test_a_damaged_main_file_cannot_be_accepted(gladier: Invoke, tmp_path: Path) -> None:
    home, _ = home_with_a_flow(tmp_path)
    db = home / "runtime.db"
    with Runtime(home=home) as rt:  # enough pages that damage lands in a table, not the header
        flow = rt.create_flow("big", PASS_FLOW)
        for _ in range(30):
            rt.wait(rt.run_flow(flow["id"], {"x": "y" * 3000})["run_id"])
    size = db.stat().st_size
    with open(db, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xff" * 8192)
    result = gladier("--home", str(home), "store", "check", "--accept-loss", "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["accepted"] is False
    assert report["integrity"] != ["ok"]


def test_backup_makes_a_consistent_copy_while_a_runtime_runs(
    gladier: Invoke, tmp_path: Path
) -> None:
    home, flow_id = home_with_a_flow(tmp_path)
    with Runtime(home=home) as rt:
        rt.create_flow("made while running", PASS_FLOW)
        result = gladier("--home", str(home), "store", "backup", str(tmp_path / "copy.db"))
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == f"Backed up {home / 'runtime.db'} to {tmp_path / 'copy.db'}"
    assert os.stat(tmp_path / "copy.db").st_mode & 0o777 == 0o600
    restored = tmp_path / "restored"
    restored.mkdir(mode=0o700)
    (tmp_path / "copy.db").rename(restored / "runtime.db")  # restore = copy it into a home
    with Runtime(home=restored) as rt:
        titles = sorted(f["title"] for f in rt.list_flows()["flows"])
        assert titles == ["kept", "made while running"]
        assert rt.get_flow(flow_id)["title"] == "kept"


def test_backup_into_a_directory_and_never_over_a_file(gladier: Invoke, tmp_path: Path) -> None:
    home, _ = home_with_a_flow(tmp_path)
    target = tmp_path / "backups"
    target.mkdir()
    assert gladier("--home", str(home), "store", "backup", str(target)).exit_code == 0
    (copy,) = target.glob("runtime-*.db")
    as_json = gladier("--home", str(home), "store", "backup", str(target / "b.db"), "--json")
    assert json.loads(as_json.stdout)["backup"] == str(target / "b.db")
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT title FROM flows").fetchall() == [("kept",)]
    conn.close()
    again = gladier("--home", str(home), "store", "backup", str(copy))
    assert again.exit_code == 1 and "already exists" in again.output


def test_the_python_api_checks_and_backs_up(tmp_path: Path) -> None:
    home, _ = home_with_a_flow(tmp_path)
    rt = Runtime(home=home)
    report = rt.check_store()
    assert report.ok and report.flows == 1
    copy = rt.backup_store(tmp_path / "copy.db")
    assert copy == tmp_path / "copy.db" and copy.stat().st_size > 0


@pytest.mark.skipif(not is_root(), reason="giving a home to another user (chown) needs root")
def test_a_home_of_another_user_is_a_clear_error(gladier: Invoke, tmp_path: Path) -> None:
    home = tmp_path / "theirs"
    home.mkdir()
    os.chown(home, 65534, 65534)
    result = gladier("--home", str(home), "runs", "list")
    assert result.exit_code == 1
    assert f"Error: The runtime home {home} belongs to" in result.output
    assert "Use a home of your own" in result.output


@pytest.mark.skipif(not is_root(), reason="giving a home to another user (chown) needs root")
def test_check_reports_a_home_of_another_user(gladier: Invoke, tmp_path: Path) -> None:
    home, _ = home_with_a_flow(tmp_path)
    os.chown(home, 65534, 65534)
    result = gladier("--home", str(home), "store", "check")
    assert result.exit_code == 1 and f"The runtime home {home} belongs to" in result.stdout
    backup = gladier("--home", str(home), "store", "backup", str(tmp_path / "copy.db"))
    assert backup.exit_code == 1 and "belongs to" in backup.output
    assert not (tmp_path / "copy.db").exists()
