"""isolated_home: a throw-away runtime home, the environment restored and the runtime closed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gladier.exc import ConfigException
from gladier.services.local import close_shared_runtime, shared_runtime
from gladier.testing import isolated_home


def test_the_home_is_set_and_the_environment_restored_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLADIER_HOME", str(tmp_path / "outer"))
    monkeypatch.setenv("GLADIER_BACKEND", "globus")
    monkeypatch.delenv("GLADIER_CLIENT_SECRET", raising=False)

    with isolated_home(tmp_path / "inner") as home:
        assert os.environ["GLADIER_HOME"] == str(home) == str(tmp_path / "inner")
        assert "GLADIER_BACKEND" not in os.environ
        assert os.environ["GLADIER_LEGACY_CONFIG"].startswith(str(home))

    assert os.environ["GLADIER_HOME"] == str(tmp_path / "outer")
    assert os.environ["GLADIER_BACKEND"] == "globus"
    assert "GLADIER_CLIENT_SECRET" not in os.environ
    assert (tmp_path / "inner").is_dir()  # a home that was given is kept


def test_a_home_it_made_is_deleted_and_its_runtime_closed() -> None:
    with isolated_home() as home:
        runtime = shared_runtime()
        assert runtime.home == home.resolve()
        runtime.list_flows()  # opens the store in the home
        assert any(home.iterdir())

    assert not home.exists()
    with pytest.raises(ConfigException, match="was closed"):
        runtime.open()


def test_homes_nest() -> None:
    with isolated_home() as outer:
        with isolated_home() as inner:
            assert os.environ["GLADIER_HOME"] == str(inner)
        assert os.environ["GLADIER_HOME"] == str(outer)


def test_closing_the_shared_runtime_of_one_home_leaves_the_others(tmp_path: Path) -> None:
    one, other = shared_runtime(tmp_path / "one"), shared_runtime(tmp_path / "other")
    assert close_shared_runtime(tmp_path / "one") is True
    assert close_shared_runtime(tmp_path / "one") is False
    assert shared_runtime(tmp_path / "one") is not one
    assert shared_runtime(tmp_path / "other") is other
