"""Fixtures of the transfer tests: a store, two mapped collections, and a way to wait for tasks.

Nothing sleeps: a test waits for a task on the event the service's ``notify`` hook sets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime.store import Database
from gladier.runtime.transfer.requests import parse_delete, parse_transfer
from gladier.runtime.transfer.service import TransferService

TERMINAL = ("SUCCEEDED", "FAILED")


class Waiter:
    """Records ``notify`` calls; ``wait(action_id)`` blocks until that action ended."""

    def __init__(self) -> None:
        self.done: set[str] = set()
        self.cond = threading.Condition()

    def notify(self, action_id: str) -> None:
        with self.cond:
            self.done.add(action_id)
            self.cond.notify_all()

    def wait(self, action_id: str, timeout: float = 30) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: action_id in self.done, timeout), action_id


@dataclass
class Env:
    """A transfer service with collections ``src`` and ``dst`` rooted in tmp folders."""

    service: TransferService
    waiter: Waiter
    home: Path
    src_root: Path
    dst_root: Path
    outside: Path
    src: str
    dst: str

    def transfer(self, body: Mapping[str, Any], request_id: str | None = None) -> dict[str, Any]:
        """Run a transfer body (current generation) to its end; the final status document."""
        full = {"source_endpoint": self.src, "destination_endpoint": self.dst, **body}
        doc = self.service.submit(
            {"request_id": request_id, "body": full}, parse_transfer(full, legacy=False)
        )
        return self.finish(doc)

    def delete(self, body: Mapping[str, Any]) -> dict[str, Any]:
        full = {"endpoint": self.dst, **body}
        doc = self.service.submit({"body": full}, parse_delete(full))
        return self.finish(doc)

    def finish(self, doc: dict[str, Any]) -> dict[str, Any]:
        if doc["status"] not in TERMINAL:
            self.waiter.wait(doc["action_id"])
        final = self.service.status(doc["action_id"])
        assert final["status"] in TERMINAL
        return final


def item(source: str, destination: str, **extra: Any) -> dict[str, Any]:
    return {"source_path": source, "destination_path": destination, **extra}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "home" / "runtime.db")
    database.open()
    yield database
    database.close()


@pytest.fixture
def env(tmp_path: Path, db: Database) -> Iterator[Env]:
    waiter = Waiter()
    service = TransferService(db, tmp_path / "home", chunk_size=1 << 20)
    service.attach(waiter.notify)
    src_root, dst_root, outside = tmp_path / "src", tmp_path / "dst", tmp_path / "outside"
    for folder in (src_root, dst_root, outside):
        folder.mkdir()
    src = service.collections.create(src_root, display_name="source")["id"]
    dst = service.collections.create(dst_root, display_name="destination")["id"]
    yield Env(service, waiter, tmp_path / "home", src_root, dst_root, outside, src, dst)
    service.close()


def make_tree(root: Path) -> dict[str, bytes]:
    """A small tree with nested folders, an empty folder, an empty file and binary data."""
    files = {
        "a.txt": b"alpha\n",
        "empty.dat": b"",
        "sub/b.bin": bytes(range(256)) * 40,
        "sub/deeper/c.txt": b"gamma" * 1000,
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "empty-dir").mkdir()
    return files


def tree_of(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (relative path -> bytes); directories are listed as b'/'."""
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        found[rel] = b"/" if path.is_dir() else path.read_bytes()
    return found
