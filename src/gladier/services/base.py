"""The backend contract: what the SDK's managers need from a Flows, Compute and Auth service.

The managers (:mod:`gladier.managers`) never know which backend they talk to. Each backend
offers the same method names as globus-sdk's ``FlowsClient``/``SpecificFlowClient`` and
globus-compute-sdk's ``Client``, and returns the same Globus JSON documents as plain dicts:

* :class:`FlowsService`: flow documents, run documents and event-log pages;
* :class:`ComputeService`: function registration, function documents and checksums;
* :class:`AuthService`: tokens for scopes, authorizers made from them, and the identity;
* :class:`LoginSession`: where one login manager's tokens live and how new ones are obtained
  (the embedded side keeps them in the client's config file, the Globus side in a globus-sdk
  token storage);
* :class:`Backend`: builds the three, given the authorizers a login manager holds.

Errors are :class:`gladier.exc.ServiceError` subclasses carrying the service's
``http_status`` and ``code`` (``NotFound`` for 404; a 403 with code ``MISSING_SCOPE`` when a
token lacks a dependent scope), so the managers react to both backends alike.

The embedded runtime implements the contract in :mod:`gladier.services.local`; the Globus
cloud implements it in ``gladier.services.globus``. :func:`gladier.services.select_backend`
chooses between them.

Example (what a manager does)::

    backend = select_backend(client)
    flows = backend.flows(login_manager.get_manager_authorizers())
    flow = flows.create_flow("My flow", definition, {"additionalProperties": True})
    run = flows.run_flow(flow["id"], {"input": {}}, label="first")
    flows.get_run(run["run_id"])["status"]          # 'ACTIVE', later 'SUCCEEDED'
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.services.sessions import Identity, LoginSession, TokenData, TokenStore
from gladier.services.stored_tokens import StoredTokenSession

if TYPE_CHECKING:
    from gladier.storage.config import GladierConfig

__all__ = [
    "AuthService",
    "Backend",
    "ComputeService",
    "FlowsService",
    "Identity",
    "LoginSession",
    "TokenData",
    "TokenStore",
]


class FlowsService(ABC):
    """Flows and runs, with globus-sdk ``FlowsClient``/``SpecificFlowClient`` method names.

    Every method returns the service's JSON document as a dict.
    """

    @abstractmethod
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
        """Deploy a flow; returns the flow document (``id``, ``globus_auth_scope``, ...)."""

    @abstractmethod
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
        """Change the given fields of a flow; returns the new flow document."""

    @abstractmethod
    def get_flow(self, flow_id: str) -> dict[str, Any]:
        """The flow document (raises ``NotFound`` for an unknown id)."""

    @abstractmethod
    def delete_flow(self, flow_id: str) -> dict[str, Any]:
        """Delete a flow; returns its last document."""

    @abstractmethod
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
        """Start a run; returns the run document (``run_id``, ``action_id``, ``status``)."""

    @abstractmethod
    def get_run(self, run_id: str, *, include_flow_description: bool = False) -> dict[str, Any]:
        """The run document."""

    @abstractmethod
    def get_run_logs(
        self,
        run_id: str,
        *,
        limit: int | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
    ) -> dict[str, Any]:
        """One page of the run's event log: ``{"entries", "limit", "has_next_page", "marker"}``."""

    @abstractmethod
    def cancel_run(self, run_id: str) -> dict[str, Any]:
        """Cancel a run; returns the run document."""

    @abstractmethod
    def resume_run(self, run_id: str) -> dict[str, Any]:
        """Resume an ``INACTIVE`` run; returns the run document."""


class ComputeService(ABC):
    """Compute functions, with globus-compute-sdk ``Client`` method names."""

    #: Whether :meth:`get_function` is cheap enough to check every stored id before a run
    #: (true on the embedded runtime; a network call on Globus).
    lookups_are_cheap: bool = False

    @abstractmethod
    def register_function(
        self,
        function: Callable[..., Any],
        *,
        function_name: str | None = None,
        description: str | None = None,
        group: str | None = None,
    ) -> str:
        """Register ``function``; returns its function id (``description`` defaults to its
        docstring)."""

    @abstractmethod
    def get_function(self, function_id: str) -> dict[str, Any]:
        """The function document (raises ``NotFound`` for an unknown id)."""

    @abstractmethod
    def function_checksum(self, function: Callable[..., Any]) -> str:
        """A hex digest of the function's code: equal digests mean nothing to re-register."""

    @property
    def default_endpoint_id(self) -> str | None:
        """An endpoint that always exists on this backend, or ``None``."""
        return None


class AuthService(ABC):
    """Tokens for scopes, the authorizers made from them, and the user's identity."""

    @property
    @abstractmethod
    def identity(self) -> Identity:
        """The identity tokens are issued to."""

    @abstractmethod
    def login(
        self,
        scopes: Sequence[str],
        *,
        client_id: str,
        client_secret: str | None = None,
        app_name: str | None = None,
    ) -> dict[str, TokenData]:
        """Obtain tokens for ``scopes``; returns them keyed by resource server."""

    @abstractmethod
    def authorizer(self, token: TokenData) -> Any:
        """An authorizer (``get_authorization_header()``) for one token."""

    def revoke(self, tokens: Mapping[str, TokenData]) -> None:  # noqa: B027 - optional hook
        """Invalidate ``tokens`` at the service (a no-op where tokens cannot be revoked)."""

    def session(
        self,
        *,
        client_id: str,
        client_secret: str | None = None,
        app_name: str | None = None,
        storage: TokenStore | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> LoginSession:
        """The login session of one login manager.

        By default tokens from :meth:`login` are kept in ``storage`` (the client's config
        file) or, without one, in memory. ``options`` are backend-specific login settings
        (the Globus backend reads ``login_flow_manager``, ``token_storage``,
        ``auth_parameters`` and ``refresh_tokens``); others ignore them.

        Example::

            session = backend.auth.session(client_id=client_id, storage=client.storage)
            session.login([COMPUTE_SCOPE])
            session.authorizers([COMPUTE_SCOPE])     # {COMPUTE_SCOPE: <authorizer>}
        """
        return StoredTokenSession(
            self,
            client_id=client_id,
            client_secret=client_secret,
            app_name=app_name,
            storage=storage,
        )


class Backend(ABC):
    """One place that builds the services of a backend.

    ``name`` is what ``GLADIER_BACKEND`` and a client's ``backend`` attribute say
    (``"embedded"`` or ``"globus"``).
    """

    name: str = ""
    #: Seconds between two status polls when a caller gives no delay.
    poll_interval: float = 2.0
    #: Where a client keeps this backend's ids in its config file: ``None`` is the client's
    #: own section (Gladier 0.11's layout, which the Globus backend keeps); a suffix such as
    #: ``"embedded"`` is the section ``[<client section>.embedded]``. See :meth:`storage_section`.
    storage_suffix: str | None = None

    @abstractmethod
    def flows(self, authorizers: Mapping[str, Any]) -> FlowsService:
        """A flows service acting with ``authorizers`` (``{scope: authorizer}``)."""

    @abstractmethod
    def compute(self, authorizers: Mapping[str, Any]) -> ComputeService:
        """A compute service acting with ``authorizers``.

        ``compute({})`` must work too, for what needs no login: the managers compute
        checksums with it.
        """

    @property
    @abstractmethod
    def auth(self) -> AuthService:
        """The auth service that login managers obtain tokens from."""

    def describe(self) -> str:
        """A short human description, shown in ``repr(client)`` and logs."""
        return self.name

    def storage_section(self, section: str) -> str:
        """The config-file section holding this backend's ids for a client whose own section
        is ``section``.

        Ids of different backends never overwrite each other: the Globus backend keeps 0.11's
        section, the embedded runtime ``[<section>.embedded]``. User settings (such as
        ``compute_endpoint``) may stay in the client's own section; the backend's section
        overrides them.

        Example::

            >>> from gladier.services.local import LocalBackend
            >>> LocalBackend("/tmp/h").storage_section("my_client")
            'my_client.embedded'
        """
        return f"{section}.{self.storage_suffix}" if self.storage_suffix else section

    def adopt_stored_ids(self, storage: GladierConfig, shared_section: str) -> None:  # noqa: B027
        """Migration hook, called once for a config file that has ids in ``shared_section``
        but no section of this backend yet: move the ids this backend knows into
        ``storage.section``. The default keeps everything where it is."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"
