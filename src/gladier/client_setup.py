"""How a Gladier client is put together: its credentials, config file, login manager and wiring.

:class:`~gladier.client.GladierBaseClient` calls these in its constructor, in this order:

1. :func:`client_credentials`: the client id, and a secret when ``GLADIER_CLIENT_ID`` and
   ``GLADIER_CLIENT_SECRET`` make it a confidential client;
2. :func:`client_storage`: ``<runtime home>/<client_id>.cfg`` (or ``secret_config_filename``),
   section ``<snake_case class name>`` on Globus (0.11's layout) and
   ``<snake_case class name>.embedded`` on the embedded runtime, with a Gladier 0.8 file
   copied in and migrations run;
3. :func:`client_login_manager`: the one given, or the one the 0.8 arguments ask for;
4. :func:`wire_managers`: storage, login manager and backend given to every manager, the
   class variables (group, subscription, kwargs) to the flows manager, scopes registered.

Nothing here deploys, registers or logs in.

Example::

    client_id, secret = client_credentials(client, None, None)
    storage = client_storage(client, client_id)
    storage.filename            # PosixPath('/home/me/.gladier/f1631610-....cfg')
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from gladier.exc import ConfigException
from gladier.flowgen.names import get_snake_case
from gladier.managers.flows import ensure_flow_registered, refuse_flow_changes
from gladier.managers.login import (
    AutoLoginManager,
    BaseLoginManager,
    CallbackLoginManager,
    ConfidentialClientLoginManager,
    UserAppLoginManager,
)
from gladier.storage.config import is_id_key
from gladier.storage.migrations import MigrateOldConfigFile
from gladier.storage.tokens import GladierSecretsConfig

__all__ = [
    "CLIENT_ID_ENV",
    "CLIENT_SECRET_ENV",
    "client_credentials",
    "client_login_manager",
    "client_storage",
    "wire_managers",
]

#: Environment variables that make a client act as a confidential client (0.9+).
CLIENT_ID_ENV = "GLADIER_CLIENT_ID"
CLIENT_SECRET_ENV = "GLADIER_CLIENT_SECRET"


def client_credentials(
    client: Any, authorizers: Mapping[str, Any] | None, login_manager: BaseLoginManager | None
) -> tuple[str, str | None]:
    """``(client id, secret or None)``: the environment's confidential client, if it is set and
    no authorizers or login manager were given, else the class's ``client_id``."""
    env_id, env_secret = os.environ.get(CLIENT_ID_ENV), os.environ.get(CLIENT_SECRET_ENV)
    if env_id and env_secret and login_manager is None and not authorizers:
        return env_id, env_secret
    return str(client.client_id), None


def client_storage(client: Any, client_id: str) -> GladierSecretsConfig:
    """The client's config file and section, migrated; a Gladier 0.8 file is copied in first.

    The file is ``secret_config_filename`` when the class sets it, else
    ``<backend home or runtime home>/<client_id>.cfg``. Each backend keeps its ids in its own
    section (:meth:`~gladier.services.base.Backend.storage_section`); the client's own section
    ``[<snake_case class name>]`` also supplies shared settings. The first time a backend with
    a section of its own meets a file whose shared section holds ids, it adopts those it knows
    (:meth:`~gladier.services.base.Backend.adopt_stored_ids`).
    """
    shared = get_snake_case(type(client).__name__)
    section = client.backend.storage_section(shared)
    if client.secret_config_filename:
        filename = Path(client.secret_config_filename).expanduser()
    else:
        home = getattr(client.backend, "home", None)
        if home is None:
            from gladier.services.local import runtime_home

            home = runtime_home()
        filename = Path(home) / f"{client_id}.cfg"
        from gladier.runtime.store.home import check_owned

        # The file holds the ids of the flow and functions that runs execute: like the
        # store, it is not read from (nor written to) a home that another user controls.
        check_owned(Path(home), "runtime home")
        check_owned(filename, "client config file")
        migration = MigrateOldConfigFile(filename)
        if migration.is_applicable():
            migration.migrate()
    storage = GladierSecretsConfig(
        filename, section, tokens_section=f"tokens_{client_id}", shared_section=shared
    )
    if filename.exists():
        unsplit = section != shared and not storage.has_stored_section(section)
        storage.update()
        if unsplit and any(is_id_key(key) for key in _stored_options(storage, shared)):
            client.backend.adopt_stored_ids(storage, shared)
    return storage


def _stored_options(storage: GladierSecretsConfig, section: str) -> list[str]:
    storage.load()
    return storage.options(section) if storage.has_section(section) else []


def client_login_manager(
    client: Any,
    authorizers: Mapping[str, Any] | None,
    auto_login: bool,
    login_manager: BaseLoginManager | None,
    client_id: str,
    client_secret: str | None,
) -> BaseLoginManager:
    """The login manager: the one given; for 0.8's ``authorizers=`` a
    :class:`CallbackLoginManager`; a confidential client's; 0.8's ``auto_login=False`` an
    :class:`AutoLoginManager` that waits for ``login()``; else a :class:`UserAppLoginManager`.

    The deprecated 0.8 arguments warn with :class:`DeprecationWarning`.
    """
    if authorizers and login_manager is not None:
        raise ConfigException("Pass either authorizers or login_manager, not both")
    if authorizers:
        warnings.warn(
            "GladierBaseClient(authorizers=...) is deprecated since Gladier 0.8: pass "
            "login_manager=CallbackLoginManager(authorizers) instead",
            DeprecationWarning,
            stacklevel=3,
        )
        return CallbackLoginManager(authorizers)
    if not auto_login:
        warnings.warn(
            "GladierBaseClient(auto_login=False) is deprecated since Gladier 0.8: pass a "
            "login_manager (e.g. CallbackLoginManager) instead",
            DeprecationWarning,
            stacklevel=3,
        )
    if login_manager is not None:
        return login_manager
    storage = client.storage
    if client_secret:
        return ConfidentialClientLoginManager(client_id, client_secret, storage=storage)
    if not auto_login:
        return AutoLoginManager(client_id, storage, client.app_name, auto_login=False)
    return UserAppLoginManager(client_id, app_name=client.app_name, storage=storage)


def wire_managers(client: Any) -> None:
    """Give every manager the client's storage, login manager and backend (unless it has its
    own), pass the class variables on, and register the managers' scopes."""
    login = client.login_manager
    for method, value in (("set_storage", client.storage), ("use_backend", client.backend)):
        wire: Callable[..., Any] | None = getattr(login, method, None)
        if wire is not None:
            wire(value, replace=False)
    flows, compute = client.flows_manager, client.compute_manager
    for manager in (flows, compute):
        manager.set_storage(client.storage, replace=False)
        manager.set_login_manager(login, replace=False)
        manager.set_backend(client.backend, replace=False)
    if flows.flow_title is None:
        flows.flow_title = f"{type(client).__name__} flow"
    if flows.globus_group is None:
        flows.globus_group = client.globus_group
    if flows.subscription_id is None:
        flows.subscription_id = client.subscription_id
    if not flows.flow_kwargs and client.flow_kwargs:
        flows.flow_kwargs = dict(client.flow_kwargs)
    if not flows.run_kwargs and client.run_kwargs:
        flows.run_kwargs = dict(client.run_kwargs)
    if compute.group is None:
        compute.group = client.globus_group
    if not client.auto_registration and flows.on_change is ensure_flow_registered:
        flows.on_change = refuse_flow_changes
    flows.register_scopes()
    compute.register_scopes()
