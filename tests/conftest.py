"""Shared fixtures: every test gets its own runtime home; nothing touches ~/.gladier or ~."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# gladier.testing's fixtures; the installed entry point loads the same module under this name.
pytest_plugins = ["gladier.testing.plugin", "pytester"]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "gladier-home"
    monkeypatch.setenv("GLADIER_HOME", str(home))
    # Gladier 0.8's shared config file: never the real ~/.gladier-secrets.cfg in tests.
    monkeypatch.setenv("GLADIER_LEGACY_CONFIG", str(tmp_path / "legacy-gladier-secrets.cfg"))
    for name in ("GLADIER_BACKEND", "GLADIER_CLIENT_ID", "GLADIER_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[object]:
    from gladier.runtime import Runtime

    with Runtime(home=tmp_path / "rt") as rt:
        yield rt
