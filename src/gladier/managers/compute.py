"""``ComputeManager``: register compute functions again only when their code changed.

For each function the client's config file keeps its id and the checksum of the code that id
was registered with (``tar_function_id`` and ``tar_function_id_checksum``; aliased copies of a
generated tool use aliased keys such as ``first_tar_function_id``). Before a run the manager
compares the stored checksum with the function's current one (and, on the embedded runtime,
checks that the id still exists): when they differ it registers the function and stores the
new id, or, with ``auto_registration=False``, raises
:class:`~gladier.exc.RegistrationException` or :class:`~gladier.exc.FunctionObsolete`.
Registering happens under the config file's deploy lock
(:meth:`~gladier.storage.config.GladierConfig.deploying`), checked again once it is held: when
several processes start the same client at once, the function is registered once.

Example::

    manager = client.compute_manager
    key, function_id = manager.validate_function(tool, tar)     # ('tar_function_id', '3f2...')
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from gladier.exc import FunctionObsolete, RegistrationException, ServiceError
from gladier.flowgen.names import (
    get_compute_function_checksum_name,
    get_compute_function_name,
)
from gladier.managers.service import ServiceManager
from gladier.services.base import ComputeService
from gladier.services.scopes import COMPUTE_SCOPE

__all__ = ["ComputeManager", "FuncXManager"]

log = logging.getLogger(__name__)


def _owner_label(tool: Any) -> str:
    if tool is None:
        return "The flow definition"
    if isinstance(tool, str):
        return tool
    alias = getattr(tool, "alias", None)
    name = type(tool).__name__
    return f"Tool {name} (alias {alias!r})" if alias else f"Tool {name}"


class ComputeManager(ServiceManager):
    """Registers the compute functions of a client's tools (see the module documentation).

    ``group`` is a Globus group the functions are shared with (ignored on the embedded
    runtime).
    """

    def __init__(self, auto_registration: bool = True, group: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.auto_registration = auto_registration
        self.group = group

    def get_scopes(self) -> list[str]:
        return [COMPUTE_SCOPE]

    @property
    def compute_client(self) -> ComputeService:
        """The compute service, with the login manager's authorizers (logging in if needed)."""
        return self.backend.compute(self.get_authorizers())

    @staticmethod
    def get_compute_function_name(compute_function: Callable[..., Any]) -> str:
        """The storage and input key of a function's id: ``<name>_function_id``."""
        return get_compute_function_name(compute_function)

    def get_serialization_strategy(self) -> str:
        """How the backend stores function code (the embedded runtime: dill by value)."""
        return "dill"

    def get_compute_function_checksum(self, compute_function: Callable[..., Any]) -> str:
        """The backend's checksum of the function's code (equal checksums: nothing to do)."""
        return self.backend.compute({}).function_checksum(compute_function)

    def _problem(
        self, tool: Any, function: Callable[..., Any], key: str, checksum: str
    ) -> RegistrationException | None:
        """Why the stored registration of ``function`` cannot be used, or ``None``."""
        owner = _owner_label(tool)
        name = getattr(function, "__name__", repr(function))
        where = f"[{self.storage.section}] of {self.storage.filename}"
        function_id = self.storage.get_value(key)
        stored = self.storage.get_value(f"{key}_checksum")
        if not function_id:
            return RegistrationException(
                f"{owner}: function {name} is not registered ({key} is not in {where})", [key]
            )
        if not stored:
            return RegistrationException(
                f"{owner}: function {name} has an id ({key}) but no checksum in {where}", [key]
            )
        if stored != checksum:
            return FunctionObsolete(
                f"{owner}: function {name} changed since it was registered as {function_id} "
                f"({key}); it needs to be registered again",
                [key],
            )
        service = self.compute_client
        if service.lookups_are_cheap:
            try:
                service.get_function(function_id)
            except ServiceError as err:
                if err.http_status != 404:
                    raise
                return RegistrationException(
                    f"{owner}: function {name} ({key} = {function_id}) is not registered with "
                    f"the {self.backend.name} backend",
                    [key],
                )
        return None

    def validate_function(
        self, tool: Any, function: Callable[..., Any], input_key: str | None = None
    ) -> tuple[str, str]:
        """Return ``(key, function id)``, registering the function first when needed.

        ``input_key`` is the key the flow reads the id from (default
        ``<name>_function_id``); its checksum is stored under ``<key>_checksum``.
        """
        key = input_key or get_compute_function_name(function)
        checksum = self.get_compute_function_checksum(function)
        problem = self._problem(tool, function, key, checksum)
        if problem is None:
            return key, str(self.storage.get_value(key))
        if not self.auto_registration:
            raise problem
        with self.storage.deploying():
            # Another process may have registered it while this one waited for the lock.
            problem = self._problem(tool, function, key, checksum)
            if problem is None:
                return key, str(self.storage.get_value(key))
            log.info("%s", problem)
            function_id = self.register_function(tool, function)
            self.storage.set_value(key, function_id)
            checksum_key = (
                f"{key}_checksum" if input_key else get_compute_function_checksum_name(function)
            )
            self.storage.set_value(checksum_key, checksum)
        return key, function_id

    def register_function(self, tool: Any, function: Callable[..., Any]) -> str:
        """Register ``function`` with the backend (shared with ``group``, if set; its
        docstring is the description); returns the new function id."""
        log.info("%s: registering function %s", _owner_label(tool), function.__name__)
        return self.compute_client.register_function(function, group=self.group)


#: Gladier 0.8's name for the compute manager.
FuncXManager = ComputeManager
