"""Backends: where flows run and functions are registered, chosen in one place.

* ``embedded`` (the default): the embedded runtime of ``$GLADIER_HOME`` (:mod:`.local`);
* ``globus``: the Globus Flows, Compute and Auth services (``gladier.services.globus``).

A client class attribute ``backend`` wins (a name, or a :class:`~.base.Backend` object), then the
environment variable ``GLADIER_BACKEND``, then the default. The contract both sides fulfil is in
:mod:`.base`.

Example::

    >>> import os
    >>> os.environ.pop("GLADIER_BACKEND", None) and None
    >>> class MyClient:
    ...     backend = None
    >>> backend_choice(MyClient())
    ('embedded', 'default')
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

from gladier.exc import ConfigException
from gladier.services.base import AuthService, Backend, ComputeService, FlowsService

__all__ = [
    "BACKENDS",
    "BACKEND_ENV",
    "AuthService",
    "Backend",
    "ComputeService",
    "FlowsService",
    "backend_choice",
    "select_backend",
]

log = logging.getLogger(__name__)

#: The environment variable that selects the backend.
BACKEND_ENV = "GLADIER_BACKEND"
#: Backend names, and the other names accepted for them.
BACKENDS = {"embedded": "embedded", "local": "embedded", "globus": "globus"}
_GLOBUS_MODULE = "gladier.services.globus"


def _normalise(name: str, source: str) -> str:
    key = name.strip().lower()
    if key not in BACKENDS:
        raise ConfigException(
            f"Unknown Gladier backend {name!r} (from {source}); choose one of: embedded (the "
            "default: the embedded runtime), globus (Globus Flows and Compute)"
        )
    return BACKENDS[key]


def backend_choice(client: Any = None) -> tuple[str, str]:
    """``(backend name, where the choice came from)`` for ``client`` (or for no client).

    Example::

        >>> class Cloudy:
        ...     backend = "globus"
        >>> backend_choice(Cloudy())
        ('globus', 'Cloudy.backend')
    """
    attribute = getattr(client, "backend", None) if client is not None else None
    if isinstance(attribute, Backend):
        return attribute.name, f"{type(client).__name__}.backend"
    if isinstance(attribute, str) and attribute:
        return _normalise(attribute, f"{type(client).__name__}.backend"), (
            f"{type(client).__name__}.backend"
        )
    if attribute is not None and not isinstance(attribute, str):
        raise ConfigException(
            f'{type(client).__name__}.backend must be a backend name ("embedded" or '
            f'"globus") or a gladier.services.Backend, not {type(attribute).__name__}'
        )
    env = os.environ.get(BACKEND_ENV, "").strip()
    if env:
        return _normalise(env, f"${BACKEND_ENV}"), f"${BACKEND_ENV}"
    return "embedded", "default"


def _globus_backend(client: Any) -> Backend:
    try:
        module = importlib.import_module(_GLOBUS_MODULE)
    except ModuleNotFoundError as err:
        raise ConfigException(
            f"The 'globus' backend (Globus Flows, Compute and Auth) needs the package "
            f"{err.name!r}, which is not installed: install the Globus extra "
            "(pip install globus-sdk globus-compute-sdk), or unset "
            "GLADIER_BACKEND (or set it to 'embedded') to run on the embedded runtime"
        ) from err
    backend = module.create_backend(client)
    if not isinstance(backend, Backend):
        raise ConfigException(f"{_GLOBUS_MODULE}.create_backend() returned {backend!r}")
    return backend


def select_backend(client: Any = None) -> Backend:
    """The backend ``client`` runs on (see the module documentation); logged at INFO level.

    Raises :class:`~gladier.exc.ConfigException` for an unknown backend name, or for the
    ``globus`` backend when its extra (``pip install globus-sdk globus-compute-sdk``) is not
    installed.

    Example::

        backend = select_backend(my_client)
        backend.name          # 'embedded'
        backend.describe()    # 'embedded runtime at /home/me/.gladier'
    """
    name, source = backend_choice(client)
    attribute = getattr(client, "backend", None) if client is not None else None
    if isinstance(attribute, Backend):
        backend = attribute
    elif name == "globus":
        backend = _globus_backend(client)
    else:
        from gladier.services.local import LocalBackend

        backend = LocalBackend()
    owner = type(client).__name__ if client is not None else "Gladier"
    log.info("%s uses the %s backend: %s (chosen by %s)", owner, name, backend.describe(), source)
    return backend
