"""Fixtures of the search tests: a store with its own runtime database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gladier.runtime.search.index import SearchStore
from gladier.runtime.store import Database

ME = "urn:globus:auth:identity:11111111-1111-1111-1111-111111111111"
OTHER = "urn:globus:auth:identity:22222222-2222-2222-2222-222222222222"
GROUP = "urn:globus:groups:id:33333333-3333-3333-3333-333333333333"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SearchStore]:
    db = Database(tmp_path / "home" / "runtime.db")
    db.open()
    yield SearchStore(db, identity_urn=ME)
    db.close()
