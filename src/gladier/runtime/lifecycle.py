"""The lifecycle of one runtime: opening its store, its scheduler thread, closing.

:class:`~gladier.runtime.Runtime` owns one :class:`Lifecycle` and hands its bound methods
(``ready``, ``scheduler``, ``running``, ``notify``, ``on_scheduler_thread``) to the
per-service objects and the provider registry, so none of them can reach the ``Runtime``,
not even through a callable.

Example::

    from pathlib import Path

    from gladier.runtime.clock import SystemClock
    from gladier.runtime.lifecycle import Lifecycle
    from gladier.runtime.options import RuntimeOptions
    from gladier.runtime.store import Database

    life = Lifecycle(Database(Path("/tmp/lab/runtime.db")), SystemClock(), RuntimeOptions())
    life.open()            # the store; no scheduler until parts are attached and one is needed
    life.close()
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gladier.exc import ConfigException
from gladier.runtime.clock import Clock
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.store import Database

if TYPE_CHECKING:
    from gladier.runtime.backends import Backends
    from gladier.runtime.engine import Engine
    from gladier.runtime.live import LiveRun
    from gladier.runtime.providers.registry import ProviderRegistry
    from gladier.runtime.search.index import SearchStore
    from gladier.runtime.transfer.service import TransferService

Listener = Callable[[str, dict[str, Any]], None]


class Lifecycle:
    """Opens the store, starts and stops the scheduler, keeps the event listeners.

    Nothing is opened in the constructor. The scheduler needs the parts it drives, given once
    with :meth:`attach`: the provider registry, the services, and how to load a run.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        options: RuntimeOptions,
        *,
        autostart: bool = True,
        takeover: bool = True,
    ) -> None:
        self.db = db
        self.clock = clock
        self.options = options
        self.autostart = autostart
        self._takeover = takeover
        #: Called with ``(run_id, log_entry)`` after each event the scheduler commits.
        self.listeners: list[Listener] = []
        self._lock = threading.RLock()
        self._opened = False
        self._closed = False
        self._engine: Engine | None = None
        self._providers: ProviderRegistry | None = None
        self._backends: Backends | None = None
        self._load_run: Callable[[str], LiveRun | None] | None = None

    def attach(
        self,
        *,
        providers: ProviderRegistry,
        backends: Backends,
        load_run: Callable[[str], LiveRun | None],
    ) -> None:
        """Give the parts the scheduler drives and ``close`` closes (once, before use)."""
        self._providers = providers
        self._backends = backends
        self._load_run = load_run

    # ------------------------------------------------------------------ state
    @property
    def takeover(self) -> bool:
        """Whether the scheduler takes over abandoned runs of the home on its own."""
        return self._takeover

    @takeover.setter
    def takeover(self, value: bool) -> None:
        self._takeover = value
        if self._engine is not None:
            self._engine.takeover = value

    def running(self) -> Engine | None:
        """The scheduler, if it was started."""
        return self._engine

    # ------------------------------------------------------------------ opening
    def open(self) -> None:
        """Open the store and, with ``autostart``, start the scheduler (idempotent)."""
        with self._lock:
            if self._closed:
                raise ConfigException("This Runtime was closed; create a new one.")
            if not self._opened:
                self.db.open()
                self._opened = True
            if self.autostart:
                self._start_scheduler()

    def ready(self) -> None:
        """Open the store now if it is not open yet."""
        if not self._opened:
            self.open()

    def scheduler(self) -> Engine:
        """The scheduler, started now if the runtime was opened without it."""
        self.ready()
        return self._engine or self._start_scheduler()

    def _start_scheduler(self) -> Engine:
        with self._lock:
            if self._engine is None:
                if self._providers is None or self._load_run is None:
                    raise ConfigException("The scheduler's parts were never attached.")
                from gladier.runtime.engine import Engine

                engine = Engine(
                    self.db,
                    self.clock,
                    self.options,
                    providers=self._providers,
                    load_run=self._load_run,
                    listeners=self.listeners,
                    commit_hooks=self._providers.commit_hooks,
                    takeover=self._takeover,
                )
                self._engine = engine  # before start: the scheduler thread reads it
                engine.start()
            return self._engine

    # ------------------------------------------------------------------ what providers may do
    def notify(self, action_id: str) -> None:
        """Have the scheduler poll ``action_id`` now (thread-safe)."""
        engine = self._engine
        if engine is not None:
            engine.notify(action_id)

    def on_scheduler_thread(self) -> bool:
        """Whether the caller is the scheduler, which commits its turn soon after."""
        engine = self._engine
        return engine is not None and engine.thread is threading.current_thread()

    def wait_idle(self, timeout: float | None = None) -> None:
        """Block until the scheduler has nothing to do until time passes (see Runtime)."""
        if self._engine is not None:
            self._engine.wait_idle(timeout)

    # ------------------------------------------------------------------ services
    def transfer_service(self) -> TransferService:
        """The transfer service, its providers installed (so flows and API share it)."""
        providers, backends = self._parts()
        providers.install_family("transfer")
        return backends.transfer()

    def search_store(self) -> SearchStore:
        """The search store, its providers installed (so flows and API share it)."""
        providers, backends = self._parts()
        providers.install_family("search")
        return backends.search()

    def _parts(self) -> tuple[ProviderRegistry, Backends]:
        if self._providers is None or self._backends is None:
            raise ConfigException("The runtime's services were never attached.")
        return self._providers, self._backends

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        """Stop the scheduler, the providers and the services, then close the store."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._engine is not None:
                self._engine.stop()
            if self._providers is not None:
                self._providers.close()
            if self._backends is not None:
                self._backends.close()  # services used without their providers too
            self.db.close()
