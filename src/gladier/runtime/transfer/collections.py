"""Collections: a collection id maps to a root directory on this machine.

Mapped collections are rows of the ``collections`` table of the runtime store. Any other id
(a flow written for real Globus collections) maps to a *sandbox*: the folder
``<home>/collections/<id>/``, created when something is first written there.

Example::

    registry = CollectionRegistry(db, home=Path("~/.gladier").expanduser())
    doc = registry.create("/data/beamline", display_name="beamline")
    registry.resolve(doc["id"]).root          # PosixPath('/data/beamline')
    registry.resolve("6c54cade-bde5-45c1-bdea-f4bd71dba2cc").sandbox   # True
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gladier.exc import ConfigException, NotFound, StateConflict
from gladier.runtime.timeutil import iso
from gladier.runtime.transfer.paths import normalise

if TYPE_CHECKING:
    from gladier.runtime.store import Database

#: Collection ids: UUIDs, and the legacy ``user#endpoint`` names, never a path.
COLLECTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._#@:+-]{0,127}$")
SANDBOX_DIR = "collections"


def check_collection_id(collection_id: Any) -> str:
    """``collection_id`` if it is a usable collection id, else a ConfigException saying why."""
    if not isinstance(collection_id, str) or not COLLECTION_ID.match(collection_id):
        raise ConfigException(
            f"{collection_id!r} is not a valid collection id: use a UUID (or letters, digits "
            "and . _ # @ : + -, at most 128 characters, not starting with a dot)."
        )
    return collection_id


@dataclass(frozen=True)
class Collection:
    """One collection as the transfer providers see it."""

    id: str
    #: The real (symlink-free) absolute path of the collection's ``/``.
    root: Path
    #: The collection path that ``/~/`` and relative paths start from.
    home: str
    display_name: str
    #: True for an id the runtime does not know (a folder under the runtime home).
    sandbox: bool
    created_at: str | None = None

    def document(self) -> dict[str, Any]:
        """The collection as a JSON document (what the Python API and CLI show)."""
        return {
            "DATA_TYPE": "collection",
            "id": self.id,
            "display_name": self.display_name,
            "root": str(self.root),
            "home": self.home,
            "sandbox": self.sandbox,
            "created_at": self.created_at,
        }


class CollectionRegistry:
    """The collection table of one runtime store, plus the sandbox rule for unknown ids."""

    def __init__(self, db: Database, home: Path) -> None:
        self.db = db
        self.home = Path(home)

    @property
    def sandbox_root(self) -> Path:
        return self.home / SANDBOX_DIR

    def create(
        self,
        root: str | os.PathLike[str],
        *,
        collection_id: str | None = None,
        display_name: str | None = None,
        home: str = "/",
        now: float | None = None,
    ) -> dict[str, Any]:
        """Map ``collection_id`` (default: a new UUID) to the existing directory ``root``.

        Creating the same mapping twice returns the existing collection; mapping a known id
        to another root is a StateConflict (delete it first).
        """
        collection_id = check_collection_id(collection_id or str(uuid.uuid4()))
        path = Path(root).expanduser()
        if not path.is_dir():
            raise ConfigException(
                f"Cannot map collection {collection_id} to {path}: it is not an existing "
                "directory. Create it first."
            )
        real = Path(os.path.realpath(path))
        home_path = normalise(home, "/")
        name = display_name if display_name is not None else real.name or str(real)
        created = iso(now)
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT root, home, display_name, created_at FROM collections WHERE id = ?",
                (collection_id,),
            ).fetchone()
            if row is not None:
                if row[0] != str(real) or row[1] != home_path:
                    raise StateConflict(
                        f"Collection {collection_id} is already mapped to {row[0]} "
                        f"(home {row[1]}); delete it before mapping it to {real}."
                    )
                return Collection(collection_id, real, row[1], row[2], False, row[3]).document()
            conn.execute(
                "INSERT INTO collections(id, display_name, root, home, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (collection_id, name, str(real), home_path, created),
            )
        return Collection(collection_id, real, home_path, name, False, created).document()

    def get(self, collection_id: str) -> Collection:
        """The mapped collection ``collection_id``; NotFound for ids that are not mapped."""
        row = (
            self.db.read()
            .execute(
                "SELECT id, display_name, root, home, created_at FROM collections WHERE id = ?",
                (collection_id,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(
                f"Collection {collection_id} is not mapped to a directory; transfers that name "
                f"it use the sandbox folder {self.sandbox_root / str(collection_id)}. Map it "
                f"with Runtime.create_collection(root, collection_id={collection_id!r})."
            )
        return Collection(row[0], Path(row[2]), row[3], row[1], False, row[4])

    def resolve(self, collection_id: Any) -> Collection:
        """The collection for ``collection_id``: the mapped one, or its sandbox."""
        collection_id = check_collection_id(collection_id)
        try:
            return self.get(collection_id)
        except NotFound:
            pass
        root = Path(os.path.realpath(self.sandbox_root)) / collection_id
        return Collection(collection_id, root, "/", f"sandbox {collection_id}", True, None)

    def list(self, *, include_sandboxes: bool = False) -> list[dict[str, Any]]:
        """Every mapped collection (and, if asked, every sandbox folder that exists)."""
        rows = (
            self.db.read()
            .execute(
                "SELECT id, display_name, root, home, created_at FROM collections "
                "ORDER BY display_name, id"
            )
            .fetchall()
        )
        docs = [Collection(r[0], Path(r[2]), r[3], r[1], False, r[4]).document() for r in rows]
        if include_sandboxes and self.sandbox_root.is_dir():
            mapped = {doc["id"] for doc in docs}
            for entry in sorted(self.sandbox_root.iterdir()):
                if entry.is_dir() and entry.name not in mapped and COLLECTION_ID.match(entry.name):
                    docs.append(self.resolve(entry.name).document())
        return docs

    def delete(self, collection_id: str) -> dict[str, Any]:
        """Forget the mapping of ``collection_id``; its files are never touched."""
        doc = self.get(collection_id).document()
        with self.db.write() as conn:
            conn.execute("DELETE FROM collections WHERE id = ?", (collection_id,))
        return doc
