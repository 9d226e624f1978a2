"""Shared fixtures: every test gets its own runtime home; nothing touches ~/.gladier."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "gladier-home"
    monkeypatch.setenv("GLADIER_HOME", str(home))
    return home


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[object]:
    from gladier.runtime import Runtime

    with Runtime(home=tmp_path / "rt") as rt:
        yield rt
