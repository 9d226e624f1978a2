"""Endpoints: named executor configurations with a UUID, kept in the runtime store.

Every runtime has the default endpoint (:data:`DEFAULT_ENDPOINT_ID`, a warm pool of worker
processes). More endpoints name another executor kind or configuration; an *alias* maps an
endpoint id written in a flow for the cloud onto a local endpoint. An endpoint id that is
neither an endpoint, an alias nor an endpoint name runs on the default endpoint, or is refused
when the ``strict_endpoints`` option is on.

Example::

    registry = EndpointRegistry(db)
    gpu = registry.create("gpu-box", executor="dask", config={"address": "tcp://gpu:8786"})
    registry.alias("4b116d3c-1703-4f8f-9f6f-39921e5864df", gpu["endpoint_id"])
    endpoint, note = registry.resolve("4b116d3c-1703-4f8f-9f6f-39921e5864df", strict=False)
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.exc import ConfigException, NotFound, StateConflict
from gladier.runtime.compute.constants import DEFAULT_ENDPOINT_ID, EXECUTOR_KINDS
from gladier.runtime.store.database import Database
from gladier.runtime.timeutil import iso

#: How long :meth:`EndpointRegistry.resolve` trusts an answer it read from the store.
RESOLVE_CACHE_SECONDS = 2.0

__all__ = ["CONFIG_KEYS", "Endpoint", "EndpointRegistry", "UnknownEndpoint", "check_config"]

#: The configuration keys each executor kind accepts (see docs/compute.md).
CONFIG_KEYS: dict[str, dict[str, str]] = {
    "process": {
        "workers": "number of worker processes (default: the number of cores)",
        "cancel_grace": "seconds a cancelled task may take to stop before its worker is killed",
        "python": "the Python interpreter that runs the workers (default: this one)",
    },
    "thread": {"workers": "number of threads (default: 32)"},
    "dask": {
        "address": "address of a running Dask scheduler, e.g. tcp://host:8786",
        "local_cluster": "keyword arguments of distributed.LocalCluster (used without address)",
    },
    "parsl": {
        "provider": "{'type': 'local'|'slurm'|'pbs'|'kubernetes', ...provider arguments}",
        "executor": "keyword arguments of parsl's HighThroughputExecutor",
        "config_factory": "'module:function' returning a parsl Config (instead of the above)",
        "run_dir": "where Parsl keeps its logs (default: <home>/parsl/<endpoint id>)",
    },
    "globus-compute": {
        "endpoint_id": "the Globus Compute endpoint to forward tasks to (required)",
        "client_factory": "'module:function' returning a globus_compute_sdk.Client",
        "poll_interval": "seconds between two result polls (default: 2)",
    },
}


class UnknownEndpoint(NotFound):
    """An endpoint id is neither a local endpoint, an alias nor a name (with strict_endpoints)."""


@dataclass(frozen=True)
class Endpoint:
    """One endpoint as stored."""

    endpoint_id: str
    name: str
    executor: str
    config: Mapping[str, Any]
    description: str | None = None
    created_at: str = ""
    updated_at: str = ""
    aliases: tuple[str, ...] = field(default=())

    def doc(self) -> dict[str, Any]:
        """The endpoint document returned by the Runtime methods."""
        return {
            "endpoint_id": self.endpoint_id,
            "name": self.name,
            "executor": self.executor,
            "config": dict(self.config),
            "description": self.description,
            "default": self.endpoint_id == DEFAULT_ENDPOINT_ID,
            "aliases": list(self.aliases),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def check_config(executor: str, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate an executor kind and its configuration; returns a JSON-ready copy."""
    if executor not in EXECUTOR_KINDS:
        raise ConfigException(
            f"Unknown executor kind {executor!r}; use one of {', '.join(EXECUTOR_KINDS)}"
        )
    values = dict(config or {})
    known = CONFIG_KEYS[executor]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigException(
            f"Unknown {executor} endpoint setting(s) {', '.join(unknown)}; known settings: "
            + "; ".join(f"{k}: {v}" for k, v in known.items())
        )
    for key in ("workers",):
        if key in values and (
            isinstance(values[key], bool) or not isinstance(values[key], int) or values[key] < 1
        ):
            raise ConfigException(f"{key} must be a whole number of at least 1")
    for key in ("cancel_grace", "poll_interval"):
        if key in values and (
            isinstance(values[key], bool)
            or not isinstance(values[key], int | float)
            or values[key] < 0
        ):
            raise ConfigException(f"{key} must be a non-negative number of seconds")
    if executor == "globus-compute" and not isinstance(values.get("endpoint_id"), str):
        raise ConfigException("A globus-compute endpoint needs the cloud endpoint_id to forward to")
    if executor == "dask" and "address" in values and "local_cluster" in values:
        raise ConfigException("A dask endpoint takes either address or local_cluster, not both")
    try:
        json.dumps(values)
    except (TypeError, ValueError) as err:
        raise ConfigException(f"An endpoint configuration must be JSON: {err}") from err
    return values


_COLUMNS = "id, name, executor, config, description, created_at, updated_at"


class EndpointRegistry:
    """Endpoints and aliases in the runtime store ``db``; see the module docstring.

    :meth:`resolve` (called for every task) remembers its answers for
    :data:`RESOLVE_CACHE_SECONDS`; changes made through this registry take effect at once,
    changes made by another process within that time.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._resolved: dict[str, tuple[float, Endpoint | None]] = {}

    def _lookup(self, key: str) -> Endpoint | None:
        now = time.monotonic()
        known = self._resolved.get(key)
        if known is not None and known[0] > now:
            return known[1]
        endpoint = self.find(key) or self._by_alias_or_name(key)
        self._resolved[key] = (now + RESOLVE_CACHE_SECONDS, endpoint)
        return endpoint

    def _changed(self) -> None:
        self._resolved.clear()

    # ------------------------------------------------------------------ reading
    def _from_row(self, conn: sqlite3.Connection, row: tuple[Any, ...]) -> Endpoint:
        aliases = tuple(
            r[0]
            for r in conn.execute(
                "SELECT alias FROM compute_endpoint_aliases WHERE endpoint_id = ? ORDER BY alias",
                (row[0],),
            )
        )
        return Endpoint(
            endpoint_id=row[0],
            name=row[1],
            executor=row[2],
            config=json.loads(row[3]),
            description=row[4],
            created_at=row[5],
            updated_at=row[6],
            aliases=aliases,
        )

    def find(self, endpoint_id: str) -> Endpoint | None:
        """The endpoint with this id, or None."""
        conn = self.db.read()
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM compute_endpoints WHERE id = ?", (endpoint_id,)
        ).fetchone()
        return None if row is None else self._from_row(conn, tuple(row))

    def get(self, endpoint_id: str) -> Endpoint:
        """The endpoint with this id (or alias or name); NotFound otherwise."""
        endpoint = self.find(endpoint_id) or self._by_alias_or_name(endpoint_id)
        if endpoint is None:
            raise NotFound(f"No compute endpoint {endpoint_id!r} exists in this runtime")
        return endpoint

    def _by_alias_or_name(self, key: str) -> Endpoint | None:
        conn = self.db.read()
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM compute_endpoints WHERE id = "
            "(SELECT endpoint_id FROM compute_endpoint_aliases WHERE alias = ?) OR name = ? "
            "ORDER BY name = ? LIMIT 1",
            (key, key, key),
        ).fetchone()
        return None if row is None else self._from_row(conn, tuple(row))

    def all(self) -> list[Endpoint]:
        """Every endpoint, the default first, then by name."""
        conn = self.db.read()
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM compute_endpoints ORDER BY id != ?, name",
            (DEFAULT_ENDPOINT_ID,),
        ).fetchall()
        return [self._from_row(conn, tuple(r)) for r in rows]

    def resolve(self, requested: Any, *, strict: bool) -> tuple[Endpoint, str | None]:
        """The endpoint a task naming ``requested`` runs on, and a note when it was unknown."""
        key = str(requested)
        endpoint = self._lookup(key)
        if endpoint is not None:
            return endpoint, None
        default = self._lookup(DEFAULT_ENDPOINT_ID) or self.get(DEFAULT_ENDPOINT_ID)
        if strict:
            names = ", ".join(f"{e.name} ({e.endpoint_id})" for e in self.all())
            raise UnknownEndpoint(
                f"Compute endpoint {key!r} is not known to this runtime and the "
                f"strict_endpoints option is on. Known endpoints: {names}. Map the id onto a "
                f"local endpoint with Runtime.map_endpoint({key!r}, <local endpoint id>), or "
                "turn strict_endpoints off to run such tasks on the default endpoint.",
                code="UnknownEndpoint",
            )
        note = (
            f"Compute endpoint {key} is not known to this runtime; the task ran on the default "
            f"endpoint {default.name!r} ({default.endpoint_id}). Map the id with "
            "Runtime.map_endpoint(), or set the strict_endpoints option to refuse such tasks."
        )
        return default, note

    # ------------------------------------------------------------------ writing
    def create(
        self,
        name: str,
        *,
        executor: str = "process",
        config: Mapping[str, Any] | None = None,
        endpoint_id: str | None = None,
        description: str | None = None,
    ) -> Endpoint:
        """Store a new endpoint; its id is a new UUID unless ``endpoint_id`` is given."""
        if not isinstance(name, str) or not name.strip() or len(name) > 128:
            raise ConfigException("An endpoint name must be a string of 1 to 128 characters")
        values = check_config(executor, config)
        new_id = str(endpoint_id) if endpoint_id is not None else str(uuid.uuid4())
        now = iso()
        with self.db.write() as conn:
            clash = conn.execute(
                "SELECT id, name FROM compute_endpoints WHERE id = ? OR name = ?", (new_id, name)
            ).fetchone()
            if clash is not None:
                raise StateConflict(
                    f"A compute endpoint with this {'id' if clash[0] == new_id else 'name'} "
                    f"already exists: {clash[1]!r} ({clash[0]})"
                )
            if conn.execute(
                "SELECT 1 FROM compute_endpoint_aliases WHERE alias = ?", (new_id,)
            ).fetchone():
                raise StateConflict(f"{new_id} is already an alias of another endpoint")
            conn.execute(
                f"INSERT INTO compute_endpoints({_COLUMNS}) VALUES (?,?,?,?,?,?,?)",
                (new_id, name, executor, json.dumps(values), description, now, now),
            )
        self._changed()
        return self.get(new_id)

    def update(
        self,
        endpoint_id: str,
        *,
        executor: str | None = None,
        config: Mapping[str, Any] | None = None,
        description: str | None = None,
    ) -> Endpoint:
        """Change an endpoint's executor kind, configuration or description."""
        current = self.get(endpoint_id)
        kind = executor or current.executor
        values = check_config(kind, config if config is not None else current.config)
        with self.db.write() as conn:
            conn.execute(
                "UPDATE compute_endpoints SET executor = ?, config = ?, description = ?, "
                "updated_at = ? WHERE id = ?",
                (
                    kind,
                    json.dumps(values),
                    description if description is not None else current.description,
                    iso(),
                    current.endpoint_id,
                ),
            )
        self._changed()
        return self.get(current.endpoint_id)

    def delete(self, endpoint_id: str) -> Endpoint:
        """Remove an endpoint and its aliases (never the default endpoint)."""
        endpoint = self.get(endpoint_id)
        if endpoint.endpoint_id == DEFAULT_ENDPOINT_ID:
            raise StateConflict(
                "The default compute endpoint cannot be deleted; change it with "
                "Runtime.update_endpoint() instead."
            )
        with self.db.write() as conn:
            conn.execute(
                "DELETE FROM compute_endpoint_aliases WHERE endpoint_id = ?",
                (endpoint.endpoint_id,),
            )
            conn.execute("DELETE FROM compute_endpoints WHERE id = ?", (endpoint.endpoint_id,))
        self._changed()
        return endpoint

    def alias(self, alias: str, endpoint_id: str) -> Endpoint:
        """Make tasks naming ``alias`` (e.g. a cloud endpoint id) run on ``endpoint_id``."""
        key = str(alias)
        if not key:
            raise ConfigException("An endpoint alias must be a non-empty string")
        target = self.get(endpoint_id)
        if self.find(key) is not None:
            raise StateConflict(f"{key} is already the id of a local endpoint")
        with self.db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO compute_endpoint_aliases(alias, endpoint_id) VALUES (?,?)",
                (key, target.endpoint_id),
            )
        self._changed()
        return self.get(target.endpoint_id)

    def unalias(self, alias: str) -> None:
        """Forget an alias; NotFound if there is none."""
        with self.db.write() as conn:
            cur = conn.execute(
                "DELETE FROM compute_endpoint_aliases WHERE alias = ?", (str(alias),)
            )
            if cur.rowcount == 0:
                raise NotFound(f"No endpoint alias {alias!r} exists in this runtime")
        self._changed()
