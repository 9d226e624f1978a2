"""Login managers: where a client's authorizers (``{scope: authorizer}``) come from.

* :class:`UserAppLoginManager` (the default): logs the user in when a scope is missing.
  On the embedded runtime this needs no browser and no network: the backend's auth service
  issues tokens to the local identity, kept in the client's config file. On Globus it is a
  globus-sdk ``UserApp`` with refresh tokens, kept in a token file beside the config file.
* :class:`AutoLoginManager`: Gladier 0.8's name; with ``auto_login=False`` it never logs in by
  itself, and a missing scope raises :class:`~gladier.exc.AuthException` until ``login()``.
* :class:`ConfidentialClientLoginManager`: a confidential client's own identity
  (``GLADIER_CLIENT_ID`` and ``GLADIER_CLIENT_SECRET`` select it).
* :class:`CallbackLoginManager`: authorizers you made yourself, and an optional
  ``callback(scopes) -> {scope: authorizer}`` for scopes that turn out to be missing.

Example::

    from gladier import CallbackLoginManager

    def more(scopes):
        return {scope: my_authorizer_for(scope) for scope in scopes}

    client = MyClient(login_manager=CallbackLoginManager(my_authorizers, callback=more))
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from gladier.exc import AuthException

if TYPE_CHECKING:
    from gladier.services.base import AuthService, Backend, Identity, LoginSession
    from gladier.storage.tokens import GladierSecretsConfig

__all__ = [
    "AutoLoginManager",
    "BaseLoginManager",
    "CallbackLoginManager",
    "ConfidentialClientLoginManager",
    "UserAppLoginManager",
]

log = logging.getLogger(__name__)


def _scope_list(scopes: Iterable[Any]) -> list[str]:
    """Scopes as strings, in order, each once (``str()`` of scope objects)."""
    if isinstance(scopes, str):
        scopes = [scopes]
    seen: dict[str, None] = {}
    for scope in scopes:
        seen[str(scope)] = None
    return list(seen)


def _by_scope_string(authorizers: Mapping[Any, Any]) -> dict[str, Any]:
    """``{scope: authorizer}`` keyed by scope strings (globus-sdk ``Scope`` keys accepted)."""
    return {str(scope): authorizer for scope, authorizer in dict(authorizers).items()}


def _missing_message(missing: list[str], hint: str) -> str:
    listed = "\n  ".join(missing)
    return f"Missing authorizers for {len(missing)} scope(s):\n  {listed}\n{hint}"


class BaseLoginManager(ABC):
    """What every login manager does: track required scopes and hand out authorizers.

    Managers add the scopes they need (``add_requirements``); a scope whose consent changed
    (``add_scope_change``) counts as missing until the next login.
    """

    #: Whether :meth:`get_manager_authorizers` may call :meth:`login` by itself.
    auto_login: bool = True

    def __init__(self) -> None:
        self.required_scopes: list[str] = []
        self.scope_changes: list[str] = []

    # ------------------------------------------------------------------ requirements
    def add_requirements(self, scopes: Iterable[Any]) -> None:
        """Require ``scopes`` (kept in order, each once)."""
        self.required_scopes = _scope_list([*self.required_scopes, *_scope_list(scopes)])

    def remove_requirements(self, scopes: Iterable[Any]) -> None:
        """Stop requiring ``scopes`` (the scope of a flow that no longer exists)."""
        gone = set(_scope_list(scopes))
        self.required_scopes = [scope for scope in self.required_scopes if scope not in gone]
        self.scope_changes = [scope for scope in self.scope_changes if scope not in gone]

    def add_scope_change(self, scopes: Iterable[Any]) -> None:
        """Mark ``scopes`` as needing a new login (their dependent scopes changed)."""
        self.scope_changes = _scope_list([*self.scope_changes, *_scope_list(scopes)])

    def clear_scope_changes(self) -> None:
        """Forget scope changes (after a login granted them again)."""
        self.scope_changes = []

    @staticmethod
    def normalize_scope_strs_to_globus_scopes(scopes: Iterable[Any]) -> list[str]:
        """Scopes (strings or scope objects) as a list of scope strings, each once."""
        return _scope_list(scopes)

    # ------------------------------------------------------------------ state
    def get_missing_authorizers(self) -> list[str]:
        """Required scopes without an authorizer, then scopes that changed."""
        authorizers = self.get_authorizers()
        missing = [scope for scope in self.required_scopes if scope not in authorizers]
        return _scope_list([*missing, *self.scope_changes])

    @property
    def missing_authorizers(self) -> list[str]:
        """See :meth:`get_missing_authorizers`."""
        return self.get_missing_authorizers()

    def is_logged_in(self) -> bool:
        """Whether every required scope has an authorizer."""
        return not self.get_missing_authorizers()

    def get_manager_authorizers(self) -> dict[str, Any]:
        """Authorizers for the required scopes, logging in first when allowed and needed.

        Raises :class:`~gladier.exc.AuthException` (``missing_scopes`` lists them) when scopes
        are missing and cannot be obtained.
        """
        missing = self.get_missing_authorizers()
        if missing:
            if not self.auto_login:
                raise AuthException(
                    _missing_message(missing, "Call login() on the client to log in."), missing
                )
            log.info("Logging in for %d missing scope(s)", len(missing))
            self.login(missing)
            self.clear_scope_changes()
            missing = self.get_missing_authorizers()
            if missing:
                raise AuthException(
                    _missing_message(missing, "The login did not grant them."), missing
                )
        return self.get_authorizers()

    # ------------------------------------------------------------------ to implement
    @abstractmethod
    def get_authorizers(self) -> dict[str, Any]:
        """The current authorizers, ``{scope: authorizer}``."""

    @abstractmethod
    def login(self, scopes: Iterable[Any]) -> None:
        """Obtain authorizers for ``scopes`` (raises ``AuthException`` when impossible)."""

    def logout(self) -> bool:
        """Forget (and where possible revoke) every authorizer; ``True`` when done."""
        return False


class CallbackLoginManager(BaseLoginManager):
    """Authorizers given by the caller; ``callback(scopes)`` supplies missing ones.

    Without a callback, a missing scope raises :class:`~gladier.exc.AuthException` naming it.

    Example::

        >>> from gladier.exc import AuthException
        >>> manager = CallbackLoginManager({"scope-a": object()})
        >>> manager.add_requirements(["scope-a", "scope-b"])
        >>> manager.missing_authorizers
        ['scope-b']
        >>> try:
        ...     manager.get_manager_authorizers()
        ... except AuthException as err:
        ...     err.missing_scopes
        ('scope-b',)
    """

    def __init__(
        self,
        authorizers: Mapping[str, Any],
        callback: Callable[[list[str]], Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__()
        self.authorizers: dict[str, Any] = _by_scope_string(authorizers or {})
        self.callback = callback

    def get_authorizers(self) -> dict[str, Any]:
        return _by_scope_string(self.authorizers)

    def login(self, scopes: Iterable[Any]) -> None:
        wanted = _scope_list(scopes)
        if self.callback is None:
            raise AuthException(
                _missing_message(
                    wanted,
                    "CallbackLoginManager has no callback to obtain them: pass authorizers for "
                    "these scopes, or CallbackLoginManager(authorizers, callback=fn) where "
                    "fn(scopes) returns {scope: authorizer}.",
                ),
                wanted,
            )
        self.authorizers.update(_by_scope_string(self.callback(wanted)))

    def logout(self) -> bool:
        self.authorizers.clear()
        return True


class _TokenLoginManager(BaseLoginManager):
    """Tokens from the backend's login session (:meth:`AuthService.session
    <gladier.services.base.AuthService.session>`).

    On the embedded runtime the session keeps local tokens in the client's config file (or in
    memory without one); on Globus a globus-sdk ``UserApp`` or ``ClientApp`` keeps them in a
    token file beside the config file (``<config file stem>.db``, mode 0600).
    """

    def __init__(
        self,
        client_id: str,
        storage: GladierSecretsConfig | None = None,
        app_name: str | None = None,
        client_secret: str | None = None,
        login_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.app_name = app_name
        self.client_secret = client_secret
        self.storage = storage
        self.login_options: dict[str, Any] = dict(login_options or {})
        self._backend: Backend | None = None
        self._session: LoginSession | None = None

    def __repr__(self) -> str:
        backend = self._backend.name if self._backend is not None else "unwired"
        return f"{type(self).__name__}(client_id={self.client_id!r}, backend={backend!r})"

    # ------------------------------------------------------------------ wiring
    def set_storage(self, storage: GladierSecretsConfig, replace: bool = True) -> None:
        """Keep tokens in ``storage``; with ``replace=False`` only when none is set yet."""
        if replace or self.storage is None:
            self.storage = storage
            self._reset_session()

    def use_backend(self, backend: Backend, replace: bool = True) -> None:
        """Obtain tokens from ``backend``'s auth service."""
        if replace or self._backend is None:
            self._backend = backend
            self._reset_session()

    def _reset_session(self) -> None:
        if self._session is not None:
            self._session.close()
        self._session = None

    @property
    def backend(self) -> Backend:
        """The backend tokens come from (the default backend, unless wired)."""
        if self._backend is None:
            from gladier.services import select_backend

            self._backend = select_backend(None)
        return self._backend

    @property
    def auth(self) -> AuthService:
        """The auth service tokens come from (the default backend's, unless wired)."""
        return self.backend.auth

    @property
    def session(self) -> LoginSession:
        """The backend's login session for this manager (created on first use)."""
        if self._session is None:
            self._session = self.auth.session(
                client_id=self.client_id,
                client_secret=self.client_secret,
                app_name=self.app_name,
                storage=self.storage,
                options=self.login_options,
            )
        return self._session

    # ------------------------------------------------------------------ tokens
    def get_authorizers(self) -> dict[str, Any]:
        return self.session.authorizers(_scope_list([*self.required_scopes, *self.scope_changes]))

    def login(self, scopes: Iterable[Any]) -> None:
        """Log in once for ``scopes`` together with every required scope."""
        requested = _scope_list([*self.required_scopes, *_scope_list(scopes)])
        log.info("Logging in %s for %d scope(s)", self.client_id, len(requested))
        self.session.login(requested)

    def logout(self) -> bool:
        return self.session.logout()

    def identity(self) -> Identity | None:
        """Who the tokens belong to (``None`` before a login)."""
        return self.session.identity()


class UserAppLoginManager(_TokenLoginManager):
    """Log the user in when a scope is missing (Gladier 0.11's default login manager).

    On the embedded runtime the login is local and silent, and tokens are kept in ``storage``
    (the client passes its config file) or, without storage, in memory.

    On Globus it is a globus-sdk ``UserApp`` (a native app): the login asks for every scope
    the client needs in one consent, refresh tokens keep it valid, and the tokens live in a
    globus-sdk token storage beside the config file (``<config stem>.db``, mode 0600, as in
    0.11). Globus-only settings:

    * ``globus_auth_parameters``: a ``globus_sdk.gare.GlobusAuthorizationParameters`` used
      for every login (session policies, required identities, ...);
    * ``login_flow_manager``: ``"command-line"`` (the default: print a URL, paste the code),
      ``"local-server"`` (open a browser), or a globus-sdk ``LoginFlowManager``;
    * ``token_storage``: ``"sqlite"`` (the default), ``"json"``, ``"memory"`` or a globus-sdk
      ``TokenStorage``;
    * ``refresh_tokens``: ask for refresh tokens (default ``True``).

    Example::

        manager = UserAppLoginManager("f1631610-d9e4-4db2-81ba-7f93ad4414e3", app_name="My app",
                                      login_flow_manager="local-server")
        client = MyClient(login_manager=manager)
        client.login()
    """

    def __init__(
        self,
        client_id: str,
        app_name: str = "Glaider App",
        globus_auth_parameters: Any = None,
        storage: GladierSecretsConfig | None = None,
        *,
        login_flow_manager: Any = None,
        token_storage: Any = "sqlite",
        refresh_tokens: bool = True,
    ) -> None:
        super().__init__(
            client_id,
            storage=storage,
            app_name=app_name,
            login_options={
                "auth_parameters": globus_auth_parameters,
                "login_flow_manager": login_flow_manager,
                "token_storage": token_storage,
                "refresh_tokens": refresh_tokens,
            },
        )
        self.globus_auth_parameters = globus_auth_parameters

    def get_resource_server(self, scope: str) -> str:
        """The resource server that issues tokens for ``scope``."""
        from gladier.services.scopes import resource_server_for

        return resource_server_for(scope)

    def scopes_by_resource_server(self, scopes: Iterable[Any]) -> dict[str, list[str]]:
        """``scopes`` grouped by the resource server of each."""
        grouped: dict[str, list[str]] = {}
        for scope in _scope_list(scopes):
            grouped.setdefault(self.get_resource_server(scope), []).append(scope)
        return grouped


class AutoLoginManager(_TokenLoginManager):
    """Gladier 0.8's login manager; ``auto_login=False`` only logs in on an explicit ``login()``.

    On Globus it logs in like :class:`UserAppLoginManager` (a native app with refresh
    tokens).

    Example::

        manager = AutoLoginManager(client_id, storage, "My app", auto_login=False)
        manager.get_manager_authorizers()     # AuthException until login() was called
    """

    def __init__(
        self,
        client_id: str,
        storage: GladierSecretsConfig | None = None,
        app_name: str | None = None,
        auto_login: bool = True,
    ) -> None:
        super().__init__(client_id, storage=storage, app_name=app_name)
        self.auto_login = auto_login


class ConfidentialClientLoginManager(_TokenLoginManager):
    """Act as a confidential client (client-credentials grant), with no user involved.

    Selected automatically when ``GLADIER_CLIENT_ID`` and ``GLADIER_CLIENT_SECRET`` are set.
    On Globus it is a globus-sdk ``ClientApp``: tokens are fetched (and renewed) with the
    client's credentials, never interactively, and cached in ``<config stem>.db``
    (``token_storage`` as for :class:`UserAppLoginManager`).

    Example::

        manager = ConfidentialClientLoginManager(client_id, client_secret)
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        storage: GladierSecretsConfig | None = None,
        *,
        token_storage: Any = "sqlite",
    ) -> None:
        super().__init__(
            client_id,
            storage=storage,
            client_secret=client_secret,
            login_options={"token_storage": token_storage},
        )
