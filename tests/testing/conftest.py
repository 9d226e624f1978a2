"""Fixtures for the gladier.testing tests: shared runtimes are closed after every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _close_shared_runtimes() -> Iterator[None]:
    yield
    from gladier.services.local import close_shared_runtimes

    close_shared_runtimes()
