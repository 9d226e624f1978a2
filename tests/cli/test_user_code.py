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


CLIENT_WITH_INIT = """
from gladier import GladierBaseClient


class Greeter(GladierBaseClient):
    flow_definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

    def __init__(self, beamline{default}):
        if beamline is None:
            raise ValueError("no beamline configured")
        super().__init__()
"""


@pytest.mark.parametrize(
    ("default", "said", "hint"),
    [
        ("", "TypeError: Greeter.__init__() missing 1 required", "give its __init__ defaults"),
        ("=None", "ValueError: no beamline configured", "Fix Greeter.__init__"),
    ],
)
def test_a_client_whose_constructor_raises(
    gladier: Invoke, tmp_path: Path, default: str, said: str, hint: str
) -> None:
    module = tmp_path / "greeter.py"
    module.write_text(CLIENT_WITH_INIT.replace("{default}", default))
    result = gladier("--home", str(tmp_path / "home"), "run", f"{module}:Greeter")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Creating Greeter() failed: {said}"), result.stderr
    assert hint in result.stderr
    assert "please report" not in result.stderr and "Unexpected" not in result.stderr
