"""The pytest plugin of :mod:`gladier.testing`, registered as the ``pytest11`` entry point
``gladier.testing.plugin`` (so it is active wherever Gladier is installed).

Fixtures:

* ``gladier_home``: a fresh runtime home under the test's ``tmp_path`` (``GLADIER_HOME`` set,
  Globus-selecting variables removed) for the test; its runtime is closed afterwards.
* ``gladier_runtime``: the embedded :class:`~gladier.runtime.Runtime` of that home, the one
  clients use (add providers to it, create collections, read runs).

Importing this module loads neither the runtime nor the SDK; the fixtures do, when a test asks
for them. Listing it again (``pytest_plugins = ["gladier.testing.plugin"]`` or
``-p gladier.testing.plugin``) is harmless: pytest registers it once under this name.

Example::

    def test_greeter(gladier_home):
        from gladier.testing import run_client
        assert run_client(Greeter, {"input": {"name": "x"}}).status == "SUCCEEDED"
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gladier.runtime.runtime import Runtime

__all__ = ["gladier_home", "gladier_runtime"]


@pytest.fixture
def gladier_home(tmp_path: Path) -> Iterator[Path]:
    """A throw-away runtime home for this test (``GLADIER_HOME``); yields its path."""
    from gladier.testing.home import isolated_home

    with isolated_home(tmp_path / "gladier-home") as home:
        yield home


@pytest.fixture
def gladier_runtime(gladier_home: Path) -> Runtime:
    """The embedded runtime of ``gladier_home``, shared with every client of the test."""
    from gladier.services.local import shared_runtime

    return shared_runtime(gladier_home)
