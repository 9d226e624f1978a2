"""Globus Transfer on local folders: collections, safe paths, streaming copies, providers.

A *collection* id (a UUID, as in Globus) maps to a root directory. Paths in requests are
collection paths: ``/`` is the collection root, ``/~/`` and relative paths start at the
collection's home. Ids the runtime does not know map to sandbox folders under the runtime home
(``<home>/collections/<id>/``). Nothing is ever read or written outside a collection's root.

Example::

    from gladier.runtime import Runtime

    with Runtime() as rt:
        src = rt.create_collection("/data/beamline", display_name="beamline")
        dst = rt.create_collection("/scratch/results")
        print(rt.collection_path(src["id"], "/~/scan1/frame0.h5"))
        # /data/beamline/scan1/frame0.h5
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Collection",
    "CollectionRegistry",
    "TransferAPI",
    "TransferService",
    "UnsafePathError",
]


def __getattr__(name: str) -> Any:
    if name in ("Collection", "CollectionRegistry"):
        from gladier.runtime.transfer import collections

        return getattr(collections, name)
    if name == "UnsafePathError":
        from gladier.runtime.transfer.paths import UnsafePathError

        return UnsafePathError
    if name == "TransferService":
        from gladier.runtime.transfer.service import TransferService

        return TransferService
    if name == "TransferAPI":
        from gladier.runtime.transfer.api import TransferAPI

        return TransferAPI
    raise AttributeError(f"module 'gladier.runtime.transfer' has no attribute {name!r}")
