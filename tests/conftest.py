"""Shared fixtures: every test gets its own runtime home; nothing touches ~/.gladier or ~."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Let the commands the tests start be interrupted with SIGINT, as in a terminal.

    A shell that starts the suite in the background (as CI may) ignores SIGINT, and children
    inherit an ignored signal: Python then installs no KeyboardInterrupt handler, and the tests
    that press Ctrl-C in a ``gladier`` process would see it ignored. A handler installed here
    is reset to the default in every child at exec.
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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
