"""Globus Auth for the Globus backend, through globus-sdk's ``GlobusApp`` machinery.

A login manager's :class:`GlobusLoginSession` wraps a globus-sdk app:

* a ``UserApp`` (native app) for :class:`~gladier.managers.UserAppLoginManager` and
  :class:`~gladier.managers.AutoLoginManager`: one login flow (``"command-line"`` by
  default, or ``"local-server"``) asks for every scope the client needs at once, with refresh
  tokens, so later runs need no login;
* a ``ClientApp`` for :class:`~gladier.managers.ConfidentialClientLoginManager`
  (``GLADIER_CLIENT_ID``/``GLADIER_CLIENT_SECRET``): client-credentials tokens, never
  interactive.

Tokens live in a globus-sdk token storage beside the client's config file:
``<config stem>.db`` (``SQLiteTokenStorage``, the default) or ``<config stem>.json``
(``JSONTokenStorage``), namespace ``gladier_storage`` (Gladier 0.11's file and namespace, so a
0.11 login keeps working), created with mode 0600 in a 0700 folder. Every Gladier client with
the same client id shares them, and so does ``gladier login``.

No token is ever logged or put into an exception message.

Example::

    session = GlobusBackend().auth.session(client_id=CLIENT_ID, storage=client.storage)
    session.authorizers([MANAGE_FLOWS_SCOPE])   # {} before the first login
    session.login([MANAGE_FLOWS_SCOPE, COMPUTE_SCOPE])
    session.identity().username                 # 'me@uni.edu'
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import globus_sdk
from globus_sdk.token_storage import (
    JSONTokenStorage,
    MemoryTokenStorage,
    SQLiteTokenStorage,
    TokenStorage,
    TokenValidationError,
)

from gladier.exc import AuthException, ConfigException
from gladier.services.base import AuthService, Identity, LoginSession, TokenData, TokenStore
from gladier.services.globus_errors import translate_errors
from gladier.services.scopes import AUTH_RESOURCE_SERVER, resource_server_for, root_scope

if TYPE_CHECKING:
    from gladier.services.globus import GlobusBackend

__all__ = [
    "TOKEN_NAMESPACE",
    "GlobusAuthService",
    "GlobusIdentity",
    "GlobusLoginSession",
    "token_file",
]

log = logging.getLogger(__name__)

#: The token-storage namespace (Gladier 0.11's) in production; other Globus environments
#: get ``gladier_storage/<environment>``.
TOKEN_NAMESPACE = "gladier_storage"
_SUFFIXES = {"sqlite": ".db", "json": ".json"}


def token_file(
    storage: TokenStore | None, home: Path, client_id: str, kind: str = "sqlite"
) -> Path:
    """Where tokens of ``kind`` (``sqlite`` or ``json``) are kept: beside the config file.

    Example::

        >>> token_file(None, Path("/h"), "c1")
        PosixPath('/h/c1.db')
    """
    suffix = _SUFFIXES.get(kind, ".db")
    if storage is not None:
        return storage.filename.with_suffix(suffix)
    return home / f"{client_id}{suffix}"


def _namespace() -> str:
    environment = globus_sdk.config.get_environment_name()
    return TOKEN_NAMESPACE if environment == "production" else f"{TOKEN_NAMESPACE}/{environment}"


def _requirements(scopes: Sequence[str]) -> dict[str, list[str]]:
    """``{resource server: [scope, ...]}`` (``openid``, which every app adds, left out)."""
    grouped: dict[str, list[str]] = {}
    for scope in dict.fromkeys(scopes):
        if root_scope(scope) == "openid":
            continue
        grouped.setdefault(resource_server_for(scope), []).append(scope)
    return grouped


@dataclass(frozen=True)
class GlobusIdentity:
    """A Globus Auth identity (a person, or a confidential client)."""

    username: str
    id: str

    @property
    def urn(self) -> str:
        """``urn:globus:auth:identity:<id>``."""
        return f"urn:globus:auth:identity:{self.id}"


def _auth_error(err: globus_sdk.GlobusAPIError) -> AuthException:
    code = f" {err.code}" if err.code and err.code != "Error" else ""
    return AuthException(f"Globus Auth refused the login ({err.http_status}{code}): {err.message}")


class GlobusLoginSession(LoginSession):
    """The tokens of one login manager, kept and renewed by a globus-sdk app.

    ``client_secret`` makes it a ``ClientApp``; otherwise it is a ``UserApp``. The app is
    rebuilt whenever the set of required scopes changes (a new flow, a flow that was
    replaced), so its scope requirements are always exactly the client's.
    """

    def __init__(
        self,
        backend: GlobusBackend,
        *,
        client_id: str,
        client_secret: str | None = None,
        app_name: str | None = None,
        token_path: Path,
        token_storage: Any = "sqlite",
        login_flow_manager: Any = None,
        auth_parameters: Any = None,
        refresh_tokens: bool = True,
    ) -> None:
        self.backend = backend
        self.client_id = client_id
        self._secret = client_secret
        self.app_name = app_name or backend.app_name
        self.token_path = token_path
        self.token_storage_kind = token_storage
        self.login_flow_manager = login_flow_manager
        self.auth_parameters = auth_parameters
        self.refresh_tokens = refresh_tokens
        self._storage: TokenStorage | None = None
        self._app: globus_sdk.GlobusApp | None = None
        self._app_key: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        kind = "ClientApp" if self.confidential else "UserApp"
        return f"GlobusLoginSession({kind}, client_id={self.client_id!r}, {self.token_path})"

    @property
    def confidential(self) -> bool:
        """Whether this is a confidential client (a ``ClientApp``)."""
        return bool(self._secret)

    # ------------------------------------------------------------------ pieces
    def token_storage(self) -> TokenStorage:
        """The globus-sdk token storage (created on first use; file mode 0600)."""
        if self._storage is not None:
            return self._storage
        choice = self.token_storage_kind
        if isinstance(choice, TokenStorage):
            self._storage = choice
            return choice
        if choice == "memory":
            self._storage = MemoryTokenStorage(namespace=_namespace())
            return self._storage
        if choice not in _SUFFIXES:
            raise ConfigException(
                f"token_storage must be 'sqlite', 'json', 'memory' or a globus-sdk "
                f"TokenStorage, not {choice!r}"
            )
        path = self.token_path.absolute()  # globus-sdk needs a folder, even for "x.db"
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if choice == "sqlite":
            # one connection may serve the threads of a user's program (SQLite serialises)
            self._storage = SQLiteTokenStorage(
                path, namespace=_namespace(), connect_params={"check_same_thread": False}
            )
        else:
            self._storage = JSONTokenStorage(path, namespace=_namespace())
        if path.exists():
            os.chmod(path, 0o600)
        return self._storage

    def _login_client(self) -> globus_sdk.AuthLoginClient:
        if self._secret:
            return globus_sdk.ConfidentialAppAuthClient(
                self.client_id,
                self._secret,
                app_name=self.app_name,
                retry_config=self.backend.retry_config(),
            )
        return globus_sdk.NativeAppAuthClient(
            self.client_id, app_name=self.app_name, retry_config=self.backend.retry_config()
        )

    def app(self, scopes: Sequence[str]) -> globus_sdk.GlobusApp:
        """The globus-sdk app whose scope requirements are ``scopes`` (built when they
        change)."""
        key = tuple(sorted(set(scopes)))
        if self._app is not None and self._app_key == key:
            return self._app
        self._close_app()
        requirements = _requirements(scopes)
        app: globus_sdk.GlobusApp
        if self._secret:
            app = globus_sdk.ClientApp(
                self.app_name,
                login_client=globus_sdk.ConfidentialAppAuthClient(
                    self.client_id,
                    self._secret,
                    app_name=self.app_name,
                    retry_config=self.backend.retry_config(),
                ),
                scope_requirements=requirements,
                config=globus_sdk.GlobusAppConfig(
                    token_storage=self.token_storage(), token_validation_error_handler=None
                ),
            )
        else:
            app = globus_sdk.UserApp(
                self.app_name,
                login_client=self._login_client(),
                scope_requirements=requirements,
                config=globus_sdk.GlobusAppConfig(
                    token_storage=self.token_storage(),
                    request_refresh_tokens=self.refresh_tokens,
                    login_flow_manager=self.login_flow_manager or "command-line",
                    token_validation_error_handler=None,
                ),
            )
        self._app, self._app_key = app, key
        return app

    def _close_app(self) -> None:
        if self._app is not None:
            self._app.close()  # the token storage is ours: it stays open
        self._app, self._app_key = None, None

    def close(self) -> None:
        self._close_app()
        if self._storage is not None and not isinstance(self.token_storage_kind, TokenStorage):
            self._storage.close()
        self._storage = None

    # ------------------------------------------------------------------ the contract
    def authorizers(self, scopes: Sequence[str]) -> dict[str, Any]:
        if not scopes:
            return {}
        app = self.app(scopes)
        found: dict[str, Any] = {}
        for server, wanted in _requirements(scopes).items():
            try:
                authorizer = app.get_authorizer(server)
            except TokenValidationError as err:
                log.debug("No usable token for %s: %s", server, type(err).__name__)
                continue
            found.update(dict.fromkeys(wanted, authorizer))
        return found

    def login(self, scopes: Sequence[str]) -> None:
        app = self.app(scopes)
        params = copy.deepcopy(self.auth_parameters) if self.auth_parameters else None
        kind = "client credentials" if self._secret else "login"
        log.info("Globus %s for %s: %d scope(s)", kind, self.client_id, len(scopes))
        try:
            app.login(auth_params=params, force=True)
        except TokenValidationError as err:
            raise AuthException(
                f"The Globus login did not grant what this client needs: {err}",
                list(scopes),
            ) from None
        except globus_sdk.GlobusAPIError as err:
            raise _auth_error(err) from None

    def logout(self) -> bool:
        storage = self.token_storage()
        stored = storage.get_token_data_by_resource_server()
        login_client = self._login_client()
        for server, data in stored.items():
            for token in (data.access_token, data.refresh_token):
                if not token:
                    continue
                try:
                    login_client.oauth2_revoke_token(token)
                except globus_sdk.GlobusError as err:
                    log.warning("Could not revoke a token of %s: %s", server, type(err).__name__)
            storage.remove_token_data(server)
        login_client.close()
        self._close_app()
        log.info("Logged out %s (%d resource server(s))", self.client_id, len(stored))
        return True

    def identity(self) -> GlobusIdentity | None:
        """The identity the tokens belong to: the confidential client itself, or the user
        (from Globus Auth's userinfo; ``None`` before a login)."""
        if self._secret:
            return GlobusIdentity(f"{self.client_id}@clients.auth.globus.org", self.client_id)
        never_stored = self._storage is None and self.token_storage_kind in _SUFFIXES
        if never_stored and not self.token_path.exists():  # no login yet: create no file
            return None
        stored = self.token_storage().get_token_data_by_resource_server()
        ids = {data.identity_id for data in stored.values() if data.identity_id}
        if not ids:
            return None
        identity_id = sorted(ids)[0]
        try:
            authorizer = self.app(["openid"]).get_authorizer(AUTH_RESOURCE_SERVER)
        except TokenValidationError:
            return GlobusIdentity(identity_id, identity_id)
        client = globus_sdk.AuthClient(
            authorizer=authorizer, retry_config=self.backend.retry_config()
        )
        with translate_errors("read your Globus identity"):
            info = client.userinfo()
        return GlobusIdentity(str(info.get("preferred_username") or identity_id), identity_id)


class GlobusAuthService(AuthService):
    """Globus Auth: login sessions (:class:`GlobusLoginSession`) for the login managers."""

    def __init__(self, backend: GlobusBackend) -> None:
        self.backend = backend

    @property
    def identity(self) -> Identity:
        raise AuthException(
            "On Globus the identity is known only after a login: ask the login manager "
            "(client.login_manager.identity()) or run `gladier whoami`"
        )

    def session(
        self,
        *,
        client_id: str,
        client_secret: str | None = None,
        app_name: str | None = None,
        storage: TokenStore | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> GlobusLoginSession:
        settings = dict(options or {})
        kind = settings.get("token_storage") or "sqlite"
        path_kind = kind if isinstance(kind, str) else "sqlite"
        return GlobusLoginSession(
            self.backend,
            client_id=client_id,
            client_secret=client_secret,
            app_name=app_name,
            token_path=token_file(storage, self.backend.home, client_id, path_kind),
            token_storage=kind,
            login_flow_manager=settings.get("login_flow_manager"),
            auth_parameters=settings.get("auth_parameters"),
            refresh_tokens=bool(settings.get("refresh_tokens", True)),
        )

    def login(
        self,
        scopes: Sequence[str],
        *,
        client_id: str,
        client_secret: str | None = None,
        app_name: str | None = None,
    ) -> dict[str, TokenData]:
        """Log in once (tokens kept in memory only); returns them by resource server."""
        session = self.session(
            client_id=client_id,
            client_secret=client_secret,
            app_name=app_name,
            options={"token_storage": "memory"},
        )
        session.login(scopes)
        stored = session.token_storage().get_token_data_by_resource_server()
        session.close()
        return {server: data.to_dict() for server, data in stored.items()}

    def authorizer(self, token: TokenData) -> Any:
        return globus_sdk.AccessTokenAuthorizer(str(token["access_token"]))
