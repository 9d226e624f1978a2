"""``ServiceManager``: what the flows and compute managers share (storage, login, backend).

A manager is wired by the client that uses it: the client's config file (``storage``), its
login manager (whose authorizers it uses) and its backend (where the services live). A manager
given its own pieces in its constructor keeps them.

Example::

    manager = FlowsManager()                  # not wired yet
    client = MyClient(flows_manager=manager)  # now manager.storage is the client's config file
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from gladier.exc import ConfigException

if TYPE_CHECKING:
    from gladier.managers.login import BaseLoginManager
    from gladier.services.base import Backend
    from gladier.storage.config import GladierConfig

__all__ = ["ServiceManager"]


class ServiceManager(ABC):
    """Base of the managers: storage, login manager and backend, each set once by the client."""

    def __init__(
        self,
        storage: GladierConfig | None = None,
        login_manager: BaseLoginManager | None = None,
        backend: Backend | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise ConfigException(
                f"{type(self).__name__} got unexpected argument(s): {', '.join(sorted(kwargs))}"
            )
        self._storage = storage
        self.login_manager = login_manager
        self._backend = backend

    @property
    def storage(self) -> GladierConfig:
        """The client's config file section this manager reads and writes ids in."""
        if self._storage is None:
            raise ConfigException(
                f"{type(self).__name__} has no storage: use it through a Gladier client, or "
                "call set_storage(GladierSecretsConfig(path, section)) first"
            )
        return self._storage

    @storage.setter
    def storage(self, storage: GladierConfig) -> None:
        self._storage = storage

    def set_storage(self, storage: GladierConfig, replace: bool = True) -> None:
        """Use ``storage``; with ``replace=False`` only when none is set yet."""
        if replace or self._storage is None:
            self._storage = storage

    def set_login_manager(self, login_manager: BaseLoginManager, replace: bool = True) -> None:
        """Use ``login_manager``; with ``replace=False`` only when none is set yet."""
        if replace or self.login_manager is None:
            self.login_manager = login_manager

    @property
    def backend(self) -> Backend:
        """The backend this manager's services come from (the default backend if unset)."""
        if self._backend is None:
            from gladier.services import select_backend

            self._backend = select_backend(None)
        return self._backend

    def set_backend(self, backend: Backend, replace: bool = True) -> None:
        """Use ``backend``; with ``replace=False`` only when none is set yet."""
        if replace or self._backend is None:
            self._backend = backend

    def get_authorizers(self) -> dict[str, Any]:
        """The login manager's authorizers (logging in when allowed and needed)."""
        if self.login_manager is None:
            raise ConfigException(
                f"{type(self).__name__} has no login manager: use it through a Gladier client, "
                "or call set_login_manager() first"
            )
        return self.login_manager.get_manager_authorizers()

    def register_scopes(self) -> None:
        """Tell the login manager which scopes this manager needs."""
        if self.login_manager is not None:
            self.login_manager.add_requirements(self.get_scopes())

    @abstractmethod
    def get_scopes(self) -> list[str]:
        """The scopes this manager's services need."""
