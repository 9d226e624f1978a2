"""The action providers of one runtime, by URL: the user's and the built-in families.

A :class:`ProviderRegistry` normalises URLs (a trailing slash never matters), installs a
built-in family (:mod:`~gladier.runtime.providers.catalog`) the first time one of its URLs is
looked up, binds every provider to its :class:`~gladier.runtime.providers.base.ProviderHooks`
and keeps the commit hooks that providers register for the scheduler's transactions. It knows
nothing of ``Runtime``: the scheduler looks providers up here, and ``Runtime`` hands it the
``notify`` and ``on_scheduler_thread`` functions of its scheduler.

Example::

    from gladier.runtime.providers.registry import ProviderRegistry

    registry = ProviderRegistry()
    registry.add("https://example.org/double/", lambda body: {"twice": 2 * body["n"]})
    registry.get("https://example.org/double")        # the CallableProvider serving it
    "https://actions.globus.org/hello_world" in registry.urls()   # True: built in, lazy
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Mapping
from typing import Any

from gladier.exc import ConfigException
from gladier.runtime.clock import Clock, SystemClock
from gladier.runtime.providers import catalog
from gladier.runtime.providers.base import (
    ActionProvider,
    CallableProvider,
    CommitHook,
    ProviderHooks,
    ServiceHub,
)


def normalise_url(url: str) -> str:
    """``url`` as the registry keys it: no surrounding blanks, no trailing slash."""
    return url.strip().rstrip("/")


def _nobody(action_id: str) -> None:
    """No scheduler to tell (a registry used on its own)."""


def _never() -> bool:
    return False


class ProviderRegistry:
    """Providers by URL, built-in families installed on first use; see the module docstring.

    ``clock`` and ``services`` are handed to the providers (through their hooks) and to the
    ``install(registry)`` function of each built-in family; ``notify`` and
    ``on_scheduler_thread`` reach the scheduler, when there is one.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        services: ServiceHub | None = None,
        notify: Callable[[str], None] = _nobody,
        on_scheduler_thread: Callable[[], bool] = _never,
        families: Mapping[str, str] | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.services = services
        self._notify = notify
        self._on_scheduler_thread = on_scheduler_thread
        self._providers: dict[str, ActionProvider] = {}
        #: Built-in URLs not served yet: url -> family, installed on first use (see catalog).
        self._lazy: dict[str, str] = dict(catalog.BY_URL if families is None else families)
        self._installed: set[str] = set()
        self._installing: str | None = None
        self._lock = threading.RLock()
        #: Providers that write in the scheduler's transactions (see :meth:`add_commit_hook`);
        #: the scheduler reads this list at each commit.
        self.commit_hooks: list[CommitHook] = []

    def add(self, url: str, provider: ActionProvider | Callable[[Any], Any]) -> ActionProvider:
        """Serve ``url`` with ``provider`` (an :class:`ActionProvider` or ``fn(body) ->
        details``); returns the provider now serving it.

        While a built-in family installs, a URL of it that the user took over first stays
        the user's.
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
        provider.bind(self.hooks_for(key))
        self._providers[key] = provider
        self._lazy.pop(key, None)
        return provider

    def service_hub(self) -> ServiceHub:
        """The services the built-in families work on; ConfigException when none was given."""
        if self.services is None:
            raise ConfigException(
                "This provider registry has no services: give it ProviderRegistry(services=...)."
            )
        return self.services

    def hooks_for(self, url: str) -> ProviderHooks:
        """The hooks a provider serving ``url`` is bound with."""
        return ProviderHooks(
            notify=self._notify,
            url=url,
            clock=self.clock,
            add_commit_hook=self.add_commit_hook,
            on_scheduler_thread=self._on_scheduler_thread,
            services=self.services,
        )

    def add_commit_hook(self, hook: CommitHook) -> None:
        """Have the scheduler call ``hook.write_accepted(conn)`` in each of its transactions
        and ``hook.committed(ok)`` after it (once per hook)."""
        if hook not in self.commit_hooks:
            self.commit_hooks.append(hook)

    def get(self, url: str) -> ActionProvider | None:
        """The provider serving ``url`` (a built-in family is installed now), or None."""
        key = normalise_url(url)
        provider = self._providers.get(key)
        if provider is None:
            family = self._lazy.get(key)
            if family is not None:
                self.install_family(family)
                provider = self._providers.get(key)
        return provider

    def urls(self) -> list[str]:
        """Every URL served, built-in ones included (installed or not yet), sorted."""
        return sorted({*self._providers, *self._lazy})

    def installed(self) -> dict[str, ActionProvider]:
        """The providers installed so far, by URL (built-in families not used yet are not)."""
        return dict(self._providers)

    def install_family(self, name: str) -> None:
        """Import and install the built-in family ``name`` (once; thread-safe)."""
        if name in self._installed:
            return
        with self._lock:
            if name in self._installed or self._installing == name:
                return
            family = catalog.BY_NAME[name]
            if any(self._lazy.get(url) == name for url in family.urls):
                module = importlib.import_module(family.module)
                self._installing = name
                try:
                    module.install(self)
                finally:
                    self._installing = None
                for url in family.urls:
                    self._lazy.pop(url, None)
            self._installed.add(name)

    def close(self) -> None:
        """Close every installed provider (errors are ignored: the runtime is closing)."""
        for provider in list(self._providers.values()):
            with contextlib.suppress(Exception):
                provider.close()


__all__ = ["ProviderRegistry", "normalise_url"]
