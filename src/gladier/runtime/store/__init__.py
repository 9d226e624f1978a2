"""Durable storage of the embedded runtime (SQLite, WAL, versioned migrations)."""

from gladier.runtime.store.database import Database

__all__ = ["Database"]
