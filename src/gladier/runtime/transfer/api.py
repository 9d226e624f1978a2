"""Collections on the Runtime: map collection ids to local directories.

:class:`TransferAPI` is ``rt.transfer``, and ``Runtime`` delegates its collection methods to
it; every method returns plain JSON documents so the ``gladier collections`` commands can
print them as they are.

Example::

    from gladier.runtime import Runtime

    with Runtime() as rt:
        doc = rt.create_collection("/data/beamline", display_name="beamline")
        rt.list_collections()                    # [{'id': ..., 'root': '/data/beamline', ...}]
        rt.collection_path(doc["id"], "/~/scan1")  # PosixPath('/data/beamline/scan1')
        rt.delete_collection(doc["id"])          # forgets the mapping; files stay
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gladier.runtime.transfer.service import TransferService


class TransferAPI:
    """Collection management of one runtime (see the module docstring).

    ``ready`` opens the store on first use; ``service`` returns the runtime's transfer
    service (the one its Transfer action providers use).
    """

    def __init__(
        self, *, ready: Callable[[], None], service: Callable[[], TransferService]
    ) -> None:
        self._ready = ready
        self._service = service

    def _transfers(self) -> TransferService:
        service = self._service()
        self._ready()
        return service

    def create_collection(
        self,
        root: str | os.PathLike[str],
        *,
        collection_id: str | None = None,
        display_name: str | None = None,
        home: str = "/",
    ) -> dict[str, Any]:
        """Map a collection id (default: a new UUID) to the existing directory ``root``.

        Transfers that name the id then read and write below ``root`` only. ``home`` is the
        collection path that ``/~/`` and relative paths start from. Mapping the same id to the
        same root again returns the existing collection; another root is a StateConflict.

        Example::

            rt.create_collection("/data/beamline",
                                 collection_id="6c54cade-bde5-45c1-bdea-f4bd71dba2cc")
            # {'DATA_TYPE': 'collection', 'id': '6c54cade-...', 'root': '/data/beamline',
            #  'home': '/', 'display_name': 'beamline', 'sandbox': False, ...}
        """
        return self._transfers().collections.create(
            root, collection_id=collection_id, display_name=display_name, home=home
        )

    def get_collection(self, collection_id: str) -> dict[str, Any]:
        """The mapped collection ``collection_id``; NotFound (naming its sandbox) otherwise.

        Example::

            rt.get_collection(doc["id"])["root"]     # '/data/beamline'
        """
        return self._transfers().collections.get(collection_id).document()

    def list_collections(self, *, include_sandboxes: bool = False) -> list[dict[str, Any]]:
        """Every mapped collection; with ``include_sandboxes``, also the sandbox folders that
        transfers to unknown ids created under ``<home>/collections/``.

        Example::

            [c["id"] for c in rt.list_collections(include_sandboxes=True)]
        """
        return self._transfers().collections.list(include_sandboxes=include_sandboxes)

    def delete_collection(self, collection_id: str) -> dict[str, Any]:
        """Forget the mapping of ``collection_id`` (its files are never touched).

        Example::

            rt.delete_collection(doc["id"])          # returns the forgotten collection
        """
        return self._transfers().collections.delete(collection_id)

    def collection_path(self, collection_id: str, path: str = "/~/") -> Path:
        """The local path that ``path`` on ``collection_id`` names (sandbox for unknown ids).

        Raises UnsafePathError for paths that leave the collection.

        Example::

            rt.collection_path(doc["id"], "/~/scan1/../scan2")   # /data/beamline/scan2
        """
        from gladier.runtime.transfer.paths import real_path, resolve

        collection = self._transfers().collections.resolve(collection_id)
        return real_path(resolve(collection, path), shown=path)

    def on_transfer_progress(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call ``listener(event)`` with the progress of every transfer and delete task.

        Events: ``{"action_id", "type", "status", "files", "files_transferred",
        "files_skipped", "bytes_transferred", "bytes_expected"}``, at most 5 per second per
        task, and one when it ends.

        Example::

            rt.on_transfer_progress(lambda e: print(e["bytes_transferred"], "bytes"))
        """
        self._service().subscribe(listener)
