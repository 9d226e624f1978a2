"""``gladier demo``: the whole demo, in-process and as a real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gladier.runtime import Runtime
from tests.cli.conftest import Invoke

GLADIER = Path(sys.executable).with_name("gladier")


def test_demo_succeeds_and_says_where_the_outputs_are(
    gladier: Invoke, tmp_path: Path, _isolated_home: Path
) -> None:
    out = tmp_path / "out"
    result = gladier("demo", "--output", str(out), "--scans", "3", "--frame-kb", "4")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert f"Working folder: {out}" in text
    for state in ("GenerateScans", "EncryptArchive", "TransferToArchive", "VerifyRoundTrip"):
        assert state in text
    assert "SUCCEEDED in" in text
    assert "3 scans (" in text and "3 of 3 files match" in text
    assert f"Outputs in {out}" in text
    assert "  gladier runs list\n" in text and "  gladier runs show " in text
    assert "--home" not in text  # the next command finds the run in the same home by itself
    assert len(list((out / "beamline" / "raw").glob("scan_*.dat"))) == 3
    assert (out / "archive-site" / "incoming" / "scans.tar.gz.enc").is_file()
    assert (out / "metadata.json").is_file()
    assert not (out / "runtime").exists()
    assert (_isolated_home / "runtime.db").is_file()  # $GLADIER_HOME holds the run


def test_after_the_demo_runs_list_shows_its_run(tmp_path: Path) -> None:
    """A newcomer's first two commands, as real commands: the data in a temporary folder, the
    run in the runtime home ($GLADIER_HOME here, ~/.gladier by default)."""
    env = {**os.environ, "GLADIER_HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path)}
    demo = subprocess.run(
        [str(GLADIER), "demo", "--scans", "1", "--frame-kb", "1", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    summary = json.loads(demo.stdout)
    assert summary["runtime_home"] == str(tmp_path / "home")
    folder = Path(summary["outputs"]["folder"])  # a new temporary folder
    assert folder.parent == tmp_path and folder.name.startswith("gladier-demo-")
    listed = subprocess.run(
        [str(GLADIER), "runs", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)
    assert [(run["run_id"], run["status"]) for run in runs] == [(summary["run_id"], "SUCCEEDED")]
    with Runtime(home=tmp_path / "home") as rt:
        assert rt.list_collections() == []  # no mappings left to the temporary folder


def test_demo_json_summary(gladier: Invoke, tmp_path: Path, _isolated_home: Path) -> None:
    result = gladier("demo", "--output", str(tmp_path / "o"), "--scans", "2", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["status"] == "SUCCEEDED" and summary["verified"] is True
    assert summary["runtime_home"] == str(_isolated_home)
    assert summary["outputs"]["runtime_home"] == str(_isolated_home)


def test_demo_with_the_wrong_key_shows_the_failure(gladier: Invoke, tmp_path: Path) -> None:
    result = gladier("demo", "--output", str(tmp_path / "w"), "--scans", "2", "--wrong-key")
    assert result.exit_code == 1
    text = result.stdout
    assert "Failed at state DecryptArchive: ActionFailedException: Task 1 of 1" in text
    assert "raised ValueError: The integrity check of scans.tar.gz.enc failed" in text
    assert "Traceback (most recent call last):" in text
    assert "The run did not succeed" in text
    assert "metadata.json" in text and "(not made)" in text


def test_demo_uses_home_when_given_on_the_command_line(gladier: Invoke, tmp_path: Path) -> None:
    home = tmp_path / "my-home"
    result = gladier("--home", str(home), "demo", "--output", str(tmp_path / "o"), "--scans", "1")
    assert result.exit_code == 0
    assert (home / "runtime.db").exists()
    assert not (tmp_path / "o" / "runtime").exists()
    assert f"gladier --home {home} runs show " in result.stdout
    listed = gladier("--home", str(home), "runs", "list", "--json")
    assert json.loads(listed.stdout)[0]["status"] == "SUCCEEDED"


def test_demo_as_a_real_command(tmp_path: Path) -> None:
    out = tmp_path / "real"
    done = subprocess.run(
        [str(GLADIER), "demo", "--output", str(out), "--scans", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCEEDED in" in done.stdout and "2 of 2 files match" in done.stdout
    module = subprocess.run(
        [sys.executable, "-m", "gladier.demo", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert module.returncode == 0 and "--wrong-key" in module.stdout
