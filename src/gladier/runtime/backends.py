"""The services behind the built-in providers and the per-service objects of a ``Runtime``.

One :class:`Backends` per runtime holds the compute service, the transfer service and the
search store, each created (and its module imported) on first use. The Compute, Transfer
and Search providers reach them through their hooks (``hooks.services``), and
``rt.compute``, ``rt.transfer`` and ``rt.search`` through the ``Runtime``, so a flow's
actions and the API calls share one service each.

Example::

    backends = Backends(db=db, home=home, options=RuntimeOptions(), identity=LocalIdentity())
    backends.search().create_index("results", "beamline results")
    backends.close()
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from gladier.runtime.identity import LocalIdentity
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.store import Database

if TYPE_CHECKING:
    from gladier.runtime.compute.provider import ComputeService
    from gladier.runtime.search.index import SearchStore
    from gladier.runtime.transfer.service import TransferService


class Backends:
    """The compute, transfer and search services of one runtime (see the module docstring).

    Implements :class:`~gladier.runtime.providers.base.ServiceHub`.
    """

    def __init__(
        self, *, db: Database, home: Path, options: RuntimeOptions, identity: LocalIdentity
    ) -> None:
        self.db = db
        self.home = home
        self.options = options
        self.identity = identity
        self._lock = threading.Lock()
        self._compute: ComputeService | None = None
        self._transfer: TransferService | None = None
        self._search: SearchStore | None = None

    def compute(self) -> ComputeService:
        """The compute service: functions, endpoints, executors and actions."""
        service = self._compute
        if service is None:
            with self._lock:
                if self._compute is None:
                    from gladier.runtime.compute.provider import ComputeService

                    self._compute = ComputeService(db=self.db, options=self.options, home=self.home)
                service = self._compute
        return service

    def transfer(self) -> TransferService:
        """The transfer service: collections and transfer tasks.

        ``Runtime(options={"extra": {"transfer_workers": 4, "transfer_chunk_size": 32 << 20}})``
        tunes the number of concurrent tasks and the bytes moved per system call.
        """
        service = self._transfer
        if service is None:
            with self._lock:
                if self._transfer is None:
                    from gladier.runtime.transfer.service import TransferService

                    extra = self.options.extra
                    self._transfer = TransferService(
                        self.db,
                        self.home,
                        max_workers=int(extra.get("transfer_workers", 4)),
                        chunk_size=extra.get("transfer_chunk_size"),
                    )
                service = self._transfer
        return service

    def search(self) -> SearchStore:
        """The search store: indexes and their entries."""
        store = self._search
        if store is None:
            with self._lock:
                if self._search is None:
                    from gladier.runtime.search.index import SearchStore

                    self._search = SearchStore(self.db, identity_urn=self.identity.urn)
                store = self._search
        return store

    def close(self) -> None:
        """Stop the services started so far (errors are ignored: the runtime is closing)."""
        with self._lock:
            started = [self._compute, self._transfer]
        for service in started:
            if service is not None:
                with contextlib.suppress(Exception):
                    service.close()


__all__ = ["Backends"]
