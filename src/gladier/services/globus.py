"""The Globus backend: the same clients on Globus Flows, Globus Compute and Globus Auth.

Selected with ``GLADIER_BACKEND=globus`` or ``backend = "globus"`` on a client class
(:func:`gladier.services.select_backend` calls :func:`create_backend`). It needs the
``globus`` extra (``pip install globus-sdk globus-compute-sdk``: globus-sdk and globus-compute-sdk).

* Flows go through globus-sdk's ``FlowsClient`` and ``SpecificFlowClient``
  (:class:`GlobusFlowsService`);
* functions through globus-compute-sdk's serializer and the Compute web API
  (:class:`~gladier.services.globus_compute.GlobusComputeService`);
* logins through globus-sdk's ``UserApp``/``ClientApp`` and token storage
  (:class:`~gladier.services.globus_auth.GlobusAuthService`).

globus-sdk's ``GLOBUS_SDK_ENVIRONMENT`` and ``GLOBUS_SDK_SERVICE_URL_<SERVICE>`` variables are
honoured (``FLOWS``, ``AUTH``, ``COMPUTE``), so the backend can talk to any compatible server.
``GLADIER_GLOBUS_MAX_RETRIES`` sets how often globus-sdk retries a connection error or a 5xx
answer (default 5, with backoff).

Service errors become :class:`~gladier.exc.ServiceError` subclasses with the service's
``http_status``, ``code`` and ``detail`` (:func:`service_error`); no message ever contains a
token.

Example::

    import os
    os.environ["GLADIER_BACKEND"] = "globus"

    client = MyClient()                 # the same class that runs on the embedded runtime
    run = client.run_flow({"input": {"compute_endpoint": "4b116d3c-..."}})
    client.progress(run["run_id"])
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import globus_sdk
from globus_sdk.transport import RetryConfig

from gladier.exc import AuthException, ConfigException
from gladier.services.base import AuthService, Backend, ComputeService, FlowsService
from gladier.services.globus_errors import also_globus_error, service_error, translate_errors
from gladier.services.scopes import (
    FLOWS_RESOURCE_SERVER,
    authorizers_by_resource_server,
    flow_scope,
    resource_server_for,
)

__all__ = [
    "MAX_RETRIES_ENV",
    "GlobusBackend",
    "GlobusFlowsService",
    "also_globus_error",
    "authorizers_by_resource_server",
    "create_backend",
    "service_error",
    "translate_errors",
]

log = logging.getLogger(__name__)

#: Environment variable: how many times globus-sdk retries a failed request.
MAX_RETRIES_ENV = "GLADIER_GLOBUS_MAX_RETRIES"


def _max_retries(value: int | None) -> int | None:
    if value is not None:
        return value
    text = os.environ.get(MAX_RETRIES_ENV, "").strip()
    if not text:
        return None
    try:
        return max(0, int(text))
    except ValueError as err:
        raise ConfigException(f"{MAX_RETRIES_ENV} must be a whole number, not {text!r}") from err


def _given(**values: Any) -> dict[str, Any]:
    """Only the arguments that were given (globus-sdk then leaves the others out)."""
    return {key: value for key, value in values.items() if value is not None}


def _listed(value: Sequence[str] | None) -> list[str] | None:
    return list(value) if value is not None else None


# ---------------------------------------------------------------------- flows
class GlobusFlowsService(FlowsService):
    """Globus Flows through globus-sdk, acting with ``authorizers`` (``{scope: authorizer}``).

    The flows scopes authorize ``FlowsClient`` calls; running or resuming a flow needs the
    authorizer of that flow's own scope: the ``globus_auth_scope`` the service last returned
    for the flow (remembered for the process), else the scope derived from its id.
    """

    #: ``{flow id: globus_auth_scope}`` from the flow documents the service returned.
    flow_scopes: dict[str, str] = {}

    @classmethod
    def _remember_scope(cls, flow: Mapping[str, Any]) -> dict[str, Any]:
        flow_id, scope = flow.get("id"), flow.get("globus_auth_scope")
        if isinstance(flow_id, str) and isinstance(scope, str) and scope:
            cls.flow_scopes[flow_id] = scope
        return dict(flow)

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
        self._client: globus_sdk.FlowsClient | None = None

    def _authorizer(self, server: str, scope: str) -> Any:
        authorizer = self._authorizers.get(server)
        if authorizer is None:
            raise AuthException(
                f"No authorizer for {server}: log in with the scope {scope}", [scope]
            )
        return authorizer

    @property
    def client(self) -> globus_sdk.FlowsClient:
        """The globus-sdk ``FlowsClient`` (base URL from the environment, as globus-sdk's)."""
        if self._client is None:
            from gladier.services.scopes import MANAGE_FLOWS_SCOPE

            self._client = globus_sdk.FlowsClient(
                authorizer=self._authorizer(FLOWS_RESOURCE_SERVER, MANAGE_FLOWS_SCOPE),
                app_name=self._app_name,
                retry_config=self._retry_config,
            )
        return self._client

    def specific_client(self, flow_id: str) -> globus_sdk.SpecificFlowClient:
        """A ``SpecificFlowClient`` for ``flow_id``, with the flow scope's authorizer.

        It has no ``base_url`` argument: ``GLOBUS_SDK_SERVICE_URL_FLOWS`` (or the environment
        name) decides where it goes, as for every globus-sdk client.
        """
        scope = self.flow_scopes.get(flow_id) or flow_scope(flow_id)
        return globus_sdk.SpecificFlowClient(
            flow_id,
            authorizer=self._authorizer(resource_server_for(scope), scope),
            app_name=self._app_name,
            retry_config=self._retry_config,
        )

    def create_flow(
        self,
        title: str,
        definition: Mapping[str, Any],
        input_schema: Mapping[str, Any],
        *,
        subtitle: str | None = None,
        description: str | None = None,
        keywords: Sequence[str] | None = None,
        flow_viewers: Sequence[str] | None = None,
        flow_starters: Sequence[str] | None = None,
        flow_administrators: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        subscription_id: str | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        fields = _given(
            subtitle=subtitle,
            description=description,
            keywords=_listed(keywords),
            flow_viewers=_listed(flow_viewers),
            flow_starters=_listed(flow_starters),
            flow_administrators=_listed(flow_administrators),
            run_managers=_listed(run_managers),
            run_monitors=_listed(run_monitors),
            subscription_id=subscription_id,
            additional_fields=dict(additional_fields) if additional_fields else None,
        )
        with translate_errors("deploy the flow"):
            response = self.client.create_flow(
                title, dict(definition), dict(input_schema), **fields
            )
        return self._remember_scope(response.data)

    def update_flow(
        self,
        flow_id: str,
        *,
        title: str | None = None,
        definition: Mapping[str, Any] | None = None,
        input_schema: Mapping[str, Any] | None = None,
        subtitle: str | None = None,
        description: str | None = None,
        keywords: Sequence[str] | None = None,
        flow_viewers: Sequence[str] | None = None,
        flow_starters: Sequence[str] | None = None,
        flow_administrators: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        subscription_id: str | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        fields = _given(
            title=title,
            definition=dict(definition) if definition is not None else None,
            input_schema=dict(input_schema) if input_schema is not None else None,
            subtitle=subtitle,
            description=description,
            keywords=_listed(keywords),
            flow_viewers=_listed(flow_viewers),
            flow_starters=_listed(flow_starters),
            flow_administrators=_listed(flow_administrators),
            run_managers=_listed(run_managers),
            run_monitors=_listed(run_monitors),
            subscription_id=subscription_id,
            additional_fields=dict(additional_fields) if additional_fields else None,
        )
        with translate_errors(f"update flow {flow_id}"):
            return self._remember_scope(self.client.update_flow(flow_id, **fields).data)

    def get_flow(self, flow_id: str) -> dict[str, Any]:
        with translate_errors(f"get flow {flow_id}"):
            return self._remember_scope(self.client.get_flow(flow_id).data)

    def delete_flow(self, flow_id: str) -> dict[str, Any]:
        with translate_errors(f"delete flow {flow_id}"):
            return dict(self.client.delete_flow(flow_id).data)

    def run_flow(
        self,
        flow_id: str,
        body: Mapping[str, Any],
        *,
        label: str | None = None,
        tags: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        activity_notification_policy: Mapping[str, Any] | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        fields = _given(
            label=label,
            tags=_listed(tags),
            run_managers=_listed(run_managers),
            run_monitors=_listed(run_monitors),
            activity_notification_policy=(
                dict(activity_notification_policy) if activity_notification_policy else None
            ),
            additional_fields=dict(additional_fields) if additional_fields else None,
        )
        client = self.specific_client(flow_id)
        with translate_errors(f"run flow {flow_id}"):
            return dict(client.run_flow(dict(body), **fields).data)

    def get_run(self, run_id: str, *, include_flow_description: bool = False) -> dict[str, Any]:
        include = True if include_flow_description else globus_sdk.MISSING
        with translate_errors(f"get run {run_id}"):
            return dict(self.client.get_run(run_id, include_flow_description=include).data)

    def get_run_logs(
        self,
        run_id: str,
        *,
        limit: int | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
    ) -> dict[str, Any]:
        fields = _given(limit=limit, marker=marker, reverse_order=reverse_order or None)
        with translate_errors(f"get the log of run {run_id}"):
            return dict(self.client.get_run_logs(run_id, **fields).data)

    def cancel_run(self, run_id: str) -> dict[str, Any]:
        with translate_errors(f"cancel run {run_id}"):
            return dict(self.client.cancel_run(run_id).data)

    def resume_run(self, run_id: str) -> dict[str, Any]:
        """Resume an ``INACTIVE`` run (with its flow's scope, so the flow id is looked up)."""
        flow_id = str(self.get_run(run_id)["flow_id"])
        client = self.specific_client(flow_id)
        with translate_errors(f"resume run {run_id}"):
            return dict(client.resume_run(run_id).data)


# ---------------------------------------------------------------------- backend
#: (authorizer identities, the authorizers, the service built with them)
_FlowsCache = tuple[tuple[tuple[str, int], ...], dict[str, Any], GlobusFlowsService]


class GlobusBackend(Backend):
    """Globus Flows, Compute and Auth (see the module documentation).

    ``home`` is where config and token files live (default: the runtime home, ``$GLADIER_HOME``
    or ``~/.gladier``); ``max_retries`` overrides globus-sdk's retry count (default from
    ``GLADIER_GLOBUS_MAX_RETRIES``, else globus-sdk's 5); ``app_name`` goes into the
    User-Agent.

    Example::

        >>> backend = GlobusBackend("/tmp/gladier-doc-home", max_retries=0)
        >>> backend.name, backend.storage_section("my_client")
        ('globus', 'my_client')
    """

    name = "globus"
    poll_interval = 2.0

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        max_retries: int | None = None,
        app_name: str = "Gladier",
    ) -> None:
        from gladier.services.runtimes import runtime_home

        self.home: Path = runtime_home(home)
        self.max_retries = _max_retries(max_retries)
        self.app_name = app_name
        self._auth: AuthService | None = None
        self._flows_cache: _FlowsCache | None = None

    def retry_config(self) -> RetryConfig | None:
        """A fresh globus-sdk ``RetryConfig`` (``None``: globus-sdk's default)."""
        if self.max_retries is None:
            return None
        return RetryConfig(max_retries=self.max_retries)

    def flows(self, authorizers: Mapping[str, Any]) -> GlobusFlowsService:
        """A flows service acting with ``authorizers``; the same service (and HTTP session)
        while the authorizers are the same objects, as they are between two logins."""
        key = tuple(sorted((str(s), id(a)) for s, a in authorizers.items()))
        cached = self._flows_cache
        if cached is not None and cached[0] == key:
            return cached[2]
        service = GlobusFlowsService(
            authorizers, app_name=self.app_name, retry_config=self.retry_config()
        )
        self._flows_cache = (key, dict(authorizers), service)  # keeps the ids valid
        return service

    def compute(self, authorizers: Mapping[str, Any]) -> ComputeService:
        from gladier.services.globus_compute import GlobusComputeService

        return GlobusComputeService(
            authorizers, app_name=self.app_name, retry_config=self.retry_config()
        )

    @property
    def auth(self) -> AuthService:
        if self._auth is None:
            from gladier.services.globus_auth import GlobusAuthService

            self._auth = GlobusAuthService(self)
        return self._auth

    def describe(self) -> str:
        from globus_sdk.config import get_service_url

        try:
            url = get_service_url("flows")
        except ValueError:  # an environment name globus-sdk does not know
            url = f"environment {globus_sdk.config.get_environment_name()!r}"
        return f"Globus (flows at {url})"


def create_backend(client: Any = None) -> GlobusBackend:
    """The Globus backend for ``client`` (what ``select_backend`` calls for ``"globus"``).

    The client's ``app_name`` goes into the User-Agent of every request.

    Example::

        >>> create_backend(None).name
        'globus'
    """
    app_name = getattr(client, "app_name", None) or "Gladier"
    return GlobusBackend(app_name=str(app_name))
