"""Every Python block of docs/testing.md runs as its comment says: as tests, or as a script."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
BLOCK = re.compile(r"(?:<!-- run as: (\w+) -->\n)?```python\n(.*?)```", re.DOTALL)


def blocks() -> list[tuple[str | None, str]]:
    return [(match.group(1), match.group(2)) for match in BLOCK.finditer(DOC.read_text())]


def test_every_python_block_says_how_it_runs() -> None:
    found = blocks()
    assert found, "docs/testing.md has no Python block"
    assert [mode for mode, _ in found if mode not in ("pytest", "script")] == []


@pytest.mark.parametrize(
    "code", [code for mode, code in blocks() if mode == "pytest"], ids=lambda _: "tests"
)
def test_the_worked_example_passes(pytester: pytest.Pytester, code: str) -> None:
    pytester.makepyfile(test_worked_example=code)
    result = pytester.runpytest_subprocess("-p", "gladier.testing.plugin")
    result.assert_outcomes(passed=len(re.findall(r"^def test_", code, re.MULTILINE)))


@pytest.mark.parametrize(
    "code", [code for mode, code in blocks() if mode == "script"], ids=lambda _: "script"
)
def test_the_scripts_print_what_their_comments_say(tmp_path: Path, code: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    for line in code.splitlines():
        if "print(" in line and "#" in line:
            assert line.split("#", 1)[1].strip() in done.stdout
