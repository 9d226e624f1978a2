"""Every script in examples/ runs on the embedded runtime, in its own runtime home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))

EXPECTED = {
    "aliased_tools.py": ["GreetMorning -> Good morning, Ada!", "GreetEvening -> Good evening"],
    "choice_flow.py": ["average 2.0: SUCCEEDED"],
    "compute_tool.py": ["files: ['a.txt', 'b.txt', 'c.txt']"],
    "passing_payloads.py": ["workload 0 -> 1", "workload 3 -> 10"],
    "tar_encrypt_decrypt.py": ["restored files equal the originals: True"],
}


def run_example(name: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["GLADIER_HOME"] = str(tmp_path / "home")
    env["GLADIER_LEGACY_CONFIG"] = str(tmp_path / "no-legacy.cfg")
    env.pop("GLADIER_BACKEND", None)
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def test_every_example_is_checked() -> None:
    assert sorted(EXPECTED) == SCRIPTS


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_runs(name: str, tmp_path: Path) -> None:
    result = run_example(name, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in EXPECTED[name]:
        assert line in result.stdout, result.stdout
    assert (tmp_path / "home").is_dir()


def test_the_choice_example_can_fail_on_purpose(tmp_path: Path) -> None:
    result = run_example("choice_flow.py", tmp_path, "10", "20", "30")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "average 20.0: FAILED" in result.stdout
    assert "Failed at state Alarm" in result.stdout
