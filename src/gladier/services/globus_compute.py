"""Globus Compute functions for the Globus backend (needs the optional ``globus`` extra).

Functions are serialized with globus-compute-sdk's ``ComputeSerializer`` and its
``DillCodeSource`` strategy (the function's source, as Gladier 0.11 registers them) and sent
to the Compute web API with globus-sdk's ``ComputeClientV3``, which honours
``GLOBUS_SDK_SERVICE_URL_COMPUTE`` (globus-compute-sdk's own ``Client`` does not).

The checksum of a function is Gladier 0.11's: the SHA-256 of that serialization, so a config
file written by 0.11 keeps its registered function ids. Endpoint ids are passed through
unchanged: Globus Compute endpoints are named by the user (``compute_endpoint``).

Example::

    compute = GlobusComputeService({COMPUTE_SCOPE: authorizer})
    function_id = compute.register_function(tar, group="<globus group id>")
    compute.function_checksum(tar)       # '9f2c...' (the same value Gladier 0.11 stored)
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any

import globus_sdk
from globus_sdk.transport import RetryConfig

from gladier.exc import AuthException, ConfigException
from gladier.services.base import ComputeService
from gladier.services.globus_errors import translate_errors
from gladier.services.scopes import (
    COMPUTE_RESOURCE_SERVER,
    COMPUTE_SCOPE,
    authorizers_by_resource_server,
)

__all__ = ["COMPUTE_EXTRA_HINT", "GlobusComputeService", "require_compute_sdk"]

log = logging.getLogger(__name__)

#: How to install what the Globus backend needs for compute functions.
COMPUTE_EXTRA_HINT = "pip install globus-sdk globus-compute-sdk"


def require_compute_sdk() -> Any:
    """The ``globus_compute_sdk.serialize`` module; a clear error when it is not installed.

    Example::

        serialize = require_compute_sdk()
        serialize.ComputeSerializer(strategy_code=serialize.DillCodeSource())
    """
    try:
        return importlib.import_module("globus_compute_sdk.serialize")
    except ModuleNotFoundError as err:
        raise ConfigException(
            "Registering compute functions with Globus Compute needs globus-compute-sdk, "
            f"which is not installed ({err.name} is missing). Install the Globus extra: "
            f"{COMPUTE_EXTRA_HINT}"
        ) from None


class GlobusComputeService(ComputeService):
    """Function registration with Globus Compute, acting with ``authorizers``.

    ``compute({})`` (no authorizers) still computes checksums; registering needs the
    authorizer of the Compute scope.
    """

    lookups_are_cheap = False

    def __init__(
        self,
        authorizers: Mapping[str, Any],
        *,
        app_name: str = "Gladier",
        retry_config: RetryConfig | None = None,
    ) -> None:
        self._authorizers = authorizers_by_resource_server(authorizers)
        self._app_name = app_name
        self._retry_config = retry_config

    def _serializer(self) -> Any:
        serialize = require_compute_sdk()
        return serialize.ComputeSerializer(strategy_code=serialize.DillCodeSource())

    def _client(self, version: int) -> Any:
        authorizer = self._authorizers.get(COMPUTE_RESOURCE_SERVER)
        if authorizer is None:
            raise AuthException(
                f"No authorizer for Globus Compute: log in with the scope {COMPUTE_SCOPE}",
                [COMPUTE_SCOPE],
            )
        cls = globus_sdk.ComputeClientV3 if version == 3 else globus_sdk.ComputeClientV2
        return cls(authorizer=authorizer, app_name=self._app_name, retry_config=self._retry_config)

    def _source_error(self, function: Callable[..., Any], err: Exception) -> ConfigException:
        name = getattr(function, "__name__", repr(function))
        return ConfigException(
            f"Cannot serialize function {name} for Globus Compute: its source code must be "
            f"readable (define it in a file, not in an interactive session): {err}"
        )

    def function_checksum(self, function: Callable[..., Any]) -> str:
        """SHA-256 of the ``DillCodeSource`` serialization (Gladier 0.11's checksum)."""
        serializer = self._serializer()
        try:
            serialized = serializer.serialize(function)
        except Exception as err:  # the compute SDK wraps every failure in its own error
            raise self._source_error(function, err) from err
        return hashlib.sha256(str(serialized).encode()).hexdigest()

    def register_function(
        self,
        function: Callable[..., Any],
        *,
        function_name: str | None = None,
        description: str | None = None,
        group: str | None = None,
    ) -> str:
        from globus_compute_sdk.sdk.client import FunctionRegistrationData

        try:
            data = FunctionRegistrationData(
                function=function,
                description=inspect.getdoc(function) if description is None else description,
                group=group,
                serializer=self._serializer(),
            )
        except Exception as err:
            raise self._source_error(function, err) from err
        document = data.to_dict()
        if function_name:
            document["function_name"] = function_name
        client = self._client(3)
        with translate_errors(f"register function {document['function_name']}"):
            response = client.register_function(document)
        function_id = str(response["function_uuid"])
        log.info("Registered function %s as %s", document["function_name"], function_id)
        return function_id

    def get_function(self, function_id: str) -> dict[str, Any]:
        client = self._client(2)
        with translate_errors(f"get function {function_id}"):
            return dict(client.get_function(function_id).data)
