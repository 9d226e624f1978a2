"""``gladier demo``: the whole demo, in-process and as a real command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Invoke

GLADIER = Path(sys.executable).with_name("gladier")


def test_demo_succeeds_and_says_where_the_outputs_are(gladier: Invoke, tmp_path: Path) -> None:
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
    assert f"gladier --home {out / 'runtime'} runs show " in text
    assert len(list((out / "beamline" / "raw").glob("scan_*.dat"))) == 3
    assert (out / "archive-site" / "incoming" / "scans.tar.gz.enc").is_file()
    assert (out / "metadata.json").is_file()

    again = gladier("--home", str(out / "runtime"), "runs", "list", "--json")
    assert json.loads(again.stdout)[0]["status"] == "SUCCEEDED"


def test_demo_json_summary(gladier: Invoke, tmp_path: Path) -> None:
    result = gladier("demo", "--output", str(tmp_path / "o"), "--scans", "2", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["status"] == "SUCCEEDED" and summary["verified"] is True
    assert summary["runtime_home"] == str(tmp_path / "o" / "runtime")


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
