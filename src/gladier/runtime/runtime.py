"""The public face of the embedded runtime: flows, runs and action providers.

Method names, arguments and returned documents mirror globus-sdk's ``FlowsClient`` and
``SpecificFlowClient``, so code written for Globus feels at home and the SDK can use either.

Example::

    from gladier.runtime import Runtime

    definition = {
        "StartAt": "Greet",
        "States": {
            "Greet": {"Type": "Pass", "Parameters": {"hello.$": "$.name"}, "End": True},
        },
    }
    with Runtime() as rt:
        flow = rt.create_flow("greeter", definition)
        run = rt.run_flow(flow["id"], {"name": "world"}, label="first try")
        done = rt.wait(run["run_id"])
        print(done["status"], done["details"]["output"])   # SUCCEEDED {'hello': 'world'}
"""

from __future__ import annotations

import contextlib
import getpass
import importlib
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gladier.exc import (
    ConfigException,
)
from gladier.runtime.api_flows import FlowsMixin
from gladier.runtime.api_runs import PreparedFlow, RunsMixin
from gladier.runtime.clock import Clock, SystemClock
from gladier.runtime.compute.api import ComputeMixin
from gladier.runtime.flow import CompiledFlow
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.providers import catalog
from gladier.runtime.providers.base import ActionProvider, CallableProvider, ProviderHooks
from gladier.runtime.search.api import SearchMixin
from gladier.runtime.store import Database
from gladier.runtime.transfer.api import TransferMixin

if TYPE_CHECKING:
    import sqlite3

    from gladier.runtime.engine import Engine
    from gladier.runtime.search.index import SearchStore
    from gladier.runtime.store.check import StoreReport
    from gladier.runtime.transfer.service import TransferService

DB_NAME = "runtime.db"


class CommitHook(Protocol):
    """A provider that stores what it accepted in the scheduler's own transaction."""

    def write_accepted(self, conn: sqlite3.Connection) -> None: ...

    def committed(self, ok: bool) -> None: ...


def default_home() -> Path:
    """``$GLADIER_HOME``, else ``~/.gladier``."""
    env = os.environ.get("GLADIER_HOME")
    return Path(env).expanduser() if env else Path.home() / ".gladier"


def normalise_url(url: str) -> str:
    return url.strip().rstrip("/")


class LocalIdentity:
    """The user of this machine, as the runtime presents it in ``_context`` and documents."""

    def __init__(self, username: str | None = None) -> None:
        user = username or getpass.getuser()
        self.username = f"{user}@{socket.gethostname()}"
        self.id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"gladier-local:{self.username}"))
        self.urn = f"urn:globus:auth:identity:{self.id}"
        self.email = f"{user}@localhost"


class Runtime(FlowsMixin, RunsMixin, ComputeMixin, TransferMixin, SearchMixin):
    """An embedded Globus Flows runtime whose state lives under ``home``.

    Nothing is opened in the constructor; the store opens on first use (or ``open()``) and the
    scheduler thread then continues every unfinished run found there. With
    ``scheduler=False`` (for tools that only read, such as ``gladier runs list``) no run is
    taken over and no task started until an operation that writes needs the scheduler:
    ``run_flow``, ``cancel_run``, ``resume_run`` or ``recover``. Reads, including ``wait``
    and :meth:`unattended_runs`, never start it. With ``takeover=False`` (for short-lived
    tools such as ``gladier runs cancel``) the scheduler runs only the runs this process
    starts or is asked about, and takes over abandoned runs only on :meth:`recover`: a tool
    that exits soon would otherwise start their tasks only to stop them again.
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        options: Mapping[str, Any] | RuntimeOptions | None = None,
        clock: Clock | None = None,
        identity: LocalIdentity | None = None,
        scheduler: bool = True,
        takeover: bool = True,
    ) -> None:
        self.home = Path(home).expanduser() if home is not None else default_home()
        self.options = RuntimeOptions.from_mapping(options)
        self.clock: Clock = clock or SystemClock()
        self.identity = identity or LocalIdentity()
        self.db = Database(self.home / DB_NAME)
        self._providers: dict[str, ActionProvider] = {}
        #: Built-in URLs not served yet: url -> family, installed on first use (see catalog).
        self._lazy: dict[str, str] = dict(catalog.BY_URL)
        self._installing: str | None = None
        #: Providers that write in the scheduler's transactions (see ``_add_commit_hook``).
        self._commit_hooks: list[CommitHook] = []
        self._transfer: TransferService | None = None
        self._search_index: SearchStore | None = None
        self._compiled: dict[str, CompiledFlow] = {}
        self._prepared: dict[str, PreparedFlow] = {}
        self._lock = threading.RLock()
        self._opened = False
        self._closed = False
        self._autostart = scheduler
        #: Whether the scheduler takes over abandoned runs of the home on its own.
        self.takeover = takeover
        self._listeners: list[Callable[[str, dict[str, Any]], None]] = []
        from gladier.runtime.engine import Engine

        self._engine: Engine | None = None
        self._engine_cls = Engine

    # ------------------------------------------------------------------ lifecycle
    def open(self) -> Runtime:
        """Open the store and start the scheduler (idempotent)."""
        with self._lock:
            if self._closed:
                raise ConfigException("This Runtime was closed; create a new one.")
            if not self._opened:
                self.db.open()
                self._opened = True
            if self._autostart:
                self._start_scheduler()
        return self

    def _start_scheduler(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = self._engine_cls(self)
                self._engine = engine  # before start: the scheduler thread reads it
                engine.start()
            return self._engine

    def _engine_ready(self) -> Engine:
        """The scheduler, started now if this runtime was opened without it."""
        self._ready()
        return self._engine or self._start_scheduler()

    def add_event_listener(
        self, listener: Callable[[str, dict[str, Any]], None]
    ) -> Callable[[], None]:
        """Call ``listener(run_id, log_entry)`` after each event this process commits.

        Covers every run this process advances, including runs it takes over (their log
        gets a ``RunTakenOver`` event). Returns a function that removes the listener. Keep
        listeners quick: they run on the scheduler thread.

        Example::

            stop = rt.add_event_listener(lambda run_id, e: print(run_id, e["code"]))
            ...
            stop()
        """
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def wait_idle(self, timeout: float | None = None) -> None:
        """Block until the scheduler has nothing left to do until time passes.

        Returns once every run this runtime owns has ended, or waits on the clock (a Wait
        state, the next poll of an action) or on an action's provider, and every step made
        so far is committed. Everything started before the call is covered: a run started by
        ``run_flow`` has reached its first Wait state or action. With a
        :class:`~gladier.runtime.clock.ManualClock`, call it before ``clock.advance()`` so the
        timers you mean to fire exist, and after, to let the runs step. It is answered by the
        scheduler thread itself (no polling); ``TimeoutError`` after ``timeout`` seconds. A
        runtime whose scheduler is not running is idle.

        Example::

            clock = ManualClock()
            with Runtime(clock=clock) as rt:
                run = rt.run_flow(flow_id, {})   # the flow starts with a 60 s Wait state
                rt.wait_idle()                   # the run is now waiting for the clock
                clock.advance(60)
                rt.wait_idle()                   # ... and has stepped past the Wait state
        """
        if self._engine is not None:
            self._engine.wait_idle(timeout)

    def _ready(self) -> None:
        if not self._opened:
            self.open()

    def close(self) -> None:
        """Stop the scheduler and providers; every unfinished run stays resumable."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._engine is not None:
                self._engine.stop()
            for provider in self._providers.values():
                with contextlib.suppress(Exception):
                    provider.close()
            if self._compute is not None:
                with contextlib.suppress(Exception):
                    self._compute.close()  # functions registered, provider never used
            self.db.close()

    def __enter__(self) -> Runtime:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Runtime(home={str(self.home)!r}, backend='embedded')"

    # ------------------------------------------------------------------ store
    def check_store(self, *, accept_loss: bool = False) -> StoreReport:
        """Check this home's store file (SQLite's ``integrity_check`` and Gladier's records).

        Works on a store that :meth:`open` refuses, and without opening this runtime. With
        ``accept_loss``, a store whose only problem is a lost or damaged write-ahead log is
        accepted as it is, so that it opens again (the changes in that log are lost).

        Example::

            report = Runtime(home="/tmp/lab").check_store()
            print(report.verdict())        # "ok: ..." or "damaged: ..." and what to do
        """
        from gladier.runtime.store.check import check_store

        return check_store(self.db.path, accept_loss=accept_loss)

    def backup_store(self, dest: str | os.PathLike[str]) -> Path:
        """Copy this home's store to ``dest`` (a new file, or a directory) with SQLite's online
        backup, while runs go on; return the copy's path.

        Example::

            Runtime(home="/tmp/lab").backup_store("/tmp/lab-backup.db")
        """
        from gladier.runtime.store.check import backup_store

        return backup_store(self.db.path, Path(dest).expanduser())

    # ------------------------------------------------------------------ providers
    def add_action_provider(
        self, url: str, provider: ActionProvider | Callable[[Any], Any]
    ) -> ActionProvider:
        """Serve ``url`` (a trailing slash never matters) with ``provider``.

        ``provider`` is an :class:`ActionProvider` or a plain function ``fn(body) -> details``.
        """
        if not isinstance(provider, ActionProvider):
            if not callable(provider):
                raise ConfigException(
                    f"An action provider must be an ActionProvider or a callable, "
                    f"not {type(provider).__name__}"
                )
            provider = CallableProvider(provider)
        key = normalise_url(url)
        taken = self._providers.get(key)
        if self._installing is not None and taken is not None and key not in self._lazy:
            return taken  # a built-in URL the user took over first
        provider.bind(ProviderHooks(notify=self._notify, runtime=self, url=key))
        self._providers[key] = provider
        self._lazy.pop(key, None)
        return provider

    def _add_commit_hook(self, hook: CommitHook) -> None:
        """Have the scheduler call ``hook.write_accepted(conn)`` in each of its transactions
        and ``hook.committed(ok)`` after it (once per hook)."""
        if hook not in self._commit_hooks:
            self._commit_hooks.append(hook)

    def _on_scheduler_thread(self) -> bool:
        """Whether the caller is the scheduler, which commits its turn soon after."""
        engine = self._engine
        return engine is not None and engine.thread is threading.current_thread()

    def _notify(self, action_id: str) -> None:
        if self._engine is not None:
            self._engine.notify(action_id)

    def _provider_for(self, url: str) -> ActionProvider | None:
        key = normalise_url(url)
        provider = self._providers.get(key)
        if provider is None:
            family = self._lazy.get(key)
            if family is not None:
                self._install_family(family)
                provider = self._providers.get(key)
        return provider

    def action_provider_urls(self) -> list[str]:
        """The URLs served by this runtime (built-in ones included, installed or not yet)."""
        return sorted({*self._providers, *self._lazy})

    def _install_family(self, name: str) -> None:
        """Import and install a family of built-in providers (once; thread-safe)."""
        with self._lock:
            family = catalog.BY_NAME[name]
            if not any(self._lazy.get(url) == name for url in family.urls):
                return  # installed already (or every URL taken over by the user)
            module = importlib.import_module(family.module)
            self._installing = name
            try:
                installed = module.install(self)
            finally:
                self._installing = None
            for url in family.urls:
                self._lazy.pop(url, None)
            if name == "transfer":
                self._transfer = installed
            elif name == "search":
                self._search_index = installed

    @property
    def _transfer_service(self) -> TransferService | None:
        """The Transfer service (its providers are installed on first use)."""
        if self._transfer is None:
            self._install_family("transfer")
        return self._transfer

    @_transfer_service.setter
    def _transfer_service(self, service: TransferService | None) -> None:
        self._transfer = service

    @property
    def _search_store(self) -> SearchStore | None:
        """The Search store (its providers are installed on first use)."""
        if self._search_index is None:
            self._install_family("search")
        return self._search_index

    @_search_store.setter
    def _search_store(self, store: SearchStore | None) -> None:
        self._search_index = store
