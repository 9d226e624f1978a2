"""`gladier store check` and `backup` never call a sound store damaged, nor back up a bad one.

A full disk, or a store of another user, is not damage: the advice to restore a backup or to
move the file away would lose a sound store. And a file that is no Gladier store (empty, or
some other SQLite database) is not backed up as if it were one.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from gladier.cli import cli
from gladier.runtime import Runtime
from tests.runtime.store.helpers import PASS_FLOW, crash_after_work, garble_middle_of_log, is_root
from tests.runtime.store.test_disk_full import fill, small_tmpfs

__all__ = ["small_tmpfs"]  # the fixture, used by name below


def gladier(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, " ".join(result.output.split())


def test_check_on_a_full_disk_says_so_and_not_damaged(small_tmpfs: Path) -> None:
    home = small_tmpfs / "home"
    crash_after_work(home, runs=3)  # its log is there: reading it needs room for the -shm
    os.unlink(home / "runtime.db-shm")
    filler = fill(small_tmpfs)
    code, output = gladier(home, "store", "check")
    assert code == 1
    assert f"Error: No space left on device writing {home / 'runtime.db'}" in output
    assert "damaged" not in output and "move the file away" not in output
    filler.unlink()
    assert gladier(home, "store", "check")[0] == 0


@pytest.mark.skipif(not is_root(), reason="giving a file to another user needs root")
def test_check_of_a_store_of_another_user_says_refused_not_damaged(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home) as rt:
        rt.create_flow("t", PASS_FLOW)
    os.chown(home / "runtime.db", 65534, -1)
    code, output = gladier(home, "store", "check")
    assert code == 1
    assert output.startswith(f"refused: {home / 'runtime.db'}")
    assert "belongs to nobody" in output or "belongs to uid 65534" in output
    assert "chown" in output
    assert "damaged" not in output and "move the file away" not in output
    report = Runtime(home=home).check_store()
    assert report.not_owned and not report.ok
    assert report.to_json()["not_owned"] is True


def test_an_empty_store_is_not_backed_up(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "runtime.db").write_bytes(b"")
    dest = tmp_path / "backup.db"
    code, output = gladier(home, "store", "backup", str(dest))
    assert code == 1
    assert f"{home / 'runtime.db'} is not a Gladier runtime store (it is empty)" in output
    assert "store check" in output
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]  # no partial copy left


def test_another_sqlite_database_is_not_backed_up(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    conn = sqlite3.connect(home / "runtime.db")
    conn.execute("CREATE TABLE notes (text)")
    conn.commit()
    conn.close()
    code, output = gladier(home, "store", "backup", str(tmp_path))
    assert code == 1
    assert "is not a Gladier runtime store (it has no Gladier schema)" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_a_sound_store_is_still_backed_up(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home) as rt:
        rt.create_flow("t", PASS_FLOW)
    code, output = gladier(home, "store", "backup", str(tmp_path / "copy.db"))
    assert code == 0, output
    with Runtime(home=tmp_path / "restored") as _:
        pass
    (tmp_path / "restored" / "runtime.db").unlink()
    (tmp_path / "copy.db").rename(tmp_path / "restored" / "runtime.db")
    with Runtime(home=tmp_path / "restored") as rt:
        assert [f["title"] for f in rt.list_flows()["flows"]] == ["t"]


def test_check_of_a_store_from_a_newer_gladier_says_too_new_not_damaged(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Runtime(home=home) as rt:
        rt.create_flow("t", PASS_FLOW)
    conn = sqlite3.connect(home / "runtime.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    code, output = gladier(home, "store", "check")
    assert code == 1
    assert output.startswith(f"too new: {home / 'runtime.db'}")
    assert "schema version 99 is newer than this Gladier knows" in output
    assert "Nothing is wrong with the file" in output
    assert "damaged" not in output and "move the file away" not in output
    assert Runtime(home=home).check_store().to_json()["too_new"] is True


def test_a_store_with_a_garbled_log_is_not_backed_up_as_if_whole(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = crash_after_work(home, runs=5)
    garble_middle_of_log(db)
    dest = tmp_path / "copy.db"
    code, output = gladier(home, "store", "backup", str(dest))
    assert code == 1
    assert "is damaged" in output and "a backup would hold none of the changes" in output
    assert "--accept-loss" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]

    code, output = gladier(home, "store", "check", "--accept-loss")
    assert code == 0, output
    with Runtime(home=home) as rt:
        kept = len(rt.list_runs()["runs"])
    assert kept > 0  # what came before the damage
    assert f"1 flow(s), {kept} run(s)" in output  # the counts of what was kept, not of before
    assert gladier(home, "store", "backup", str(dest))[0] == 0
