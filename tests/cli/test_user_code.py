"""A module of the user's that fails to import is theirs to fix, not "please report it"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke


@pytest.mark.parametrize(
    ("source", "said", "where"),
    [
        (
            "import json\n\n\ndef f():\n    return {}['k']\n\n\nf()\n",
            "KeyError: 'k'",
            "line 5, in f",
        ),
        ("value = (\n", "SyntaxError: '(' was never closed", "line 1"),
        ("import a_module_nobody_has\n", "ModuleNotFoundError: No module named", "line 1"),
    ],
)
def test_a_module_that_raises_on_import(
    gladier: Invoke, tmp_path: Path, source: str, said: str, where: str
) -> None:
    module = tmp_path / "broken.py"
    module.write_text(source)
    result = gladier("--home", str(tmp_path / "home"), "run", f"{module}:Client")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Importing {module} failed: {said}"), result.stderr
    assert str(module) in result.stderr and where in result.stderr
    assert "Fix the module" in result.stderr
    assert "please report" not in result.stderr and "Unexpected" not in result.stderr
    assert "importlib" not in result.stderr  # only the user's own frames
