"""The README's SDK example runs, and on a missing file says what went wrong."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def sdk_example() -> str:
    section = README.read_text().split("## Use the Gladier SDK", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README lost its SDK example"
    return match.group(1)


def run_example(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "word_counter.py"
    script.write_text(sdk_example())
    env = dict(os.environ)
    env["GLADIER_HOME"] = str(tmp_path / "home")
    env["GLADIER_LEGACY_CONFIG"] = str(tmp_path / "no-legacy.cfg")
    env.pop("GLADIER_BACKEND", None)
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_example_counts_words(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("four words right here\n")
    done = run_example(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "4"


def test_on_a_missing_file_it_says_what_went_wrong(tmp_path: Path) -> None:
    done = run_example(tmp_path)  # no README.md in this folder
    assert done.returncode == 1
    assert "KeyError" not in done.stderr
    assert "raised FileNotFoundError: [Errno 2] No such file or directory: 'README.md'" in (
        done.stderr
    )
    assert "CountWords: count_words raised FileNotFoundError" in done.stdout
    assert "ACTION FAILED" in done.stdout
