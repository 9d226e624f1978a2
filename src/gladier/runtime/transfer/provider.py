"""The Globus Transfer action providers, served on local collections.

========================================================  =============================
URL                                                       body
========================================================  =============================
``https://transfer.actions.globus.org/transfer``          ``source_endpoint``,
                                                          ``destination_endpoint``, ``DATA``
``https://actions.globus.org/transfer/transfer`` (also    ``source_endpoint_id``,
``https://actions.automate.globus.org/transfer/transfer``) ``destination_endpoint_id``,
                                                          ``transfer_items``
``.../delete`` (both generations)                         ``endpoint``/``endpoint_id``,
                                                          ``DATA``/``items``, ``recursive`` ...
``.../mkdir`` (both generations)                          ``endpoint_id``, ``path``
``.../ls`` (both generations)                             ``endpoint_id``, ``path``
========================================================  =============================

Transfers and deletes run in the background (ACTIVE, then SUCCEEDED or FAILED); mkdir and ls
answer at once. ``details`` are the documents the Transfer service returns (spec §11.2).

Example (what a flow's Action state does)::

    runtime.create_collection("/data/in", collection_id=SRC)
    runtime.create_collection("/data/out", collection_id=DST)
    # ActionUrl https://transfer.actions.globus.org/transfer with Parameters
    # {"source_endpoint": SRC, "destination_endpoint": DST,
    #  "DATA": [{"source_path": "/scan1", "destination_path": "/scan1", "recursive": True}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gladier.exc import ActionProviderError, ConfigException
from gladier.runtime.providers.base import ServiceProvider
from gladier.runtime.transfer.collections import Collection
from gladier.runtime.transfer.fileops import list_directory, make_directory
from gladier.runtime.transfer.requests import (
    parse_delete,
    parse_ls,
    parse_mkdir,
    parse_transfer,
)
from gladier.runtime.transfer.service import TransferService

if TYPE_CHECKING:
    from gladier.runtime.providers.registry import ProviderRegistry

CURRENT = "https://transfer.actions.globus.org"
LEGACY = ("https://actions.globus.org/transfer", "https://actions.automate.globus.org/transfer")


def urls(operation: str) -> list[tuple[str, bool]]:
    """``(url, legacy)`` for each URL serving ``operation`` (transfer, delete, mkdir, ls)."""
    return [(f"{CURRENT}/{operation}", False)] + [(f"{base}/{operation}", True) for base in LEGACY]


class _ServiceProvider(ServiceProvider):
    """Shared plumbing: status, cancel and release go to the transfer service."""

    service: TransferService

    def __init__(self, service: TransferService, *, legacy: bool = False) -> None:
        super().__init__(service)
        self.legacy = legacy

    def _collection(self, collection_id: str) -> Collection:
        try:
            return self.service.collections.resolve(collection_id)
        except ConfigException as err:
            raise ActionProviderError(str(err)) from None


class TransferProvider(_ServiceProvider):
    """Transfer between two collections (current or retired body shape, per ``legacy``)."""

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        spec = parse_transfer(request.get("body"), legacy=self.legacy)
        return self.service.submit(request, spec)


class DeleteProvider(_ServiceProvider):
    """Delete files or directories of a collection."""

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return self.service.submit(request, parse_delete(request.get("body")))


class MkdirProvider(_ServiceProvider):
    """Create one directory (synchronous)."""

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        collection_id, path = parse_mkdir(request.get("body"))
        collection = self._collection(collection_id)
        return self.service.run_sync(request, "mkdir", lambda: make_directory(collection, path))


class LsProvider(_ServiceProvider):
    """List a directory (synchronous); entries carry ``is_folder`` as the old AP's did."""

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        spec = parse_ls(request.get("body"))
        collection = self._collection(spec.endpoint)
        return self.service.run_sync(request, "ls", lambda: list_directory(collection, spec))


def install(registry: ProviderRegistry) -> None:
    """Serve every Transfer provider URL in ``registry``, all on its one transfer service."""
    service = registry.service_hub().transfer()
    classes: dict[str, type[_ServiceProvider]] = {
        "transfer": TransferProvider,
        "delete": DeleteProvider,
        "mkdir": MkdirProvider,
        "ls": LsProvider,
    }
    for operation, cls in classes.items():
        for url, legacy in urls(operation):
            registry.add(url, cls(service, legacy=legacy))
