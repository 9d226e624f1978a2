"""A login session that keeps tokens in the client's config file (or in memory).

This is the default :class:`~gladier.services.base.LoginSession` of an
:class:`~gladier.services.base.AuthService`, and the one the embedded runtime uses: tokens from
``auth.login()`` are written to the ``[tokens_<client_id>]`` section of the client's config file
(mode 0600), and an expired token counts as missing.

Example::

    >>> from gladier.services.local_auth import LocalAuthService, LocalIdentity
    >>> from gladier.services.scopes import COMPUTE_SCOPE
    >>> auth = LocalAuthService(lambda: LocalIdentity.of_client("c0ffee00"))
    >>> session = StoredTokenSession(auth, client_id="c0ffee00")
    >>> session.authorizers([COMPUTE_SCOPE])
    {}
    >>> session.login([COMPUTE_SCOPE])
    >>> list(session.authorizers([COMPUTE_SCOPE])) == [COMPUTE_SCOPE]
    True
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.services.sessions import Identity, LoginSession, TokenData, TokenStore

if TYPE_CHECKING:
    from gladier.services.base import AuthService

__all__ = ["EXPIRY_MARGIN", "StoredTokenSession"]

log = logging.getLogger(__name__)

#: A token this close to expiry (seconds) counts as expired.
EXPIRY_MARGIN = 60


class StoredTokenSession(LoginSession):
    """Tokens from ``auth.login()``, kept in ``storage`` (or in memory without one)."""

    def __init__(
        self,
        auth: AuthService,
        *,
        client_id: str,
        client_secret: str | None = None,
        app_name: str | None = None,
        storage: TokenStore | None = None,
    ) -> None:
        self.auth = auth
        self.client_id = client_id
        self.client_secret = client_secret
        self.app_name = app_name
        self.storage = storage
        self._memory: dict[str, TokenData] = {}

    def read_tokens(self) -> dict[str, TokenData]:
        """The stored tokens, ``{resource server: token}`` (expired ones included)."""
        if self.storage is not None:
            return self.storage.read_tokens()
        return {server: dict(token) for server, token in self._memory.items()}

    def _write_tokens(self, tokens: Mapping[str, TokenData]) -> None:
        if self.storage is not None:
            self.storage.write_tokens(tokens)
        else:
            self._memory.update({server: dict(token) for server, token in tokens.items()})

    def authorizers(self, scopes: Sequence[str]) -> dict[str, Any]:
        now = time.time()
        found: dict[str, Any] = {}
        for token in self.read_tokens().values():
            expires = token.get("expires_at_seconds")
            if not token.get("access_token") or (
                isinstance(expires, int) and expires <= now + EXPIRY_MARGIN
            ):
                continue
            authorizer = self.auth.authorizer(token)
            for scope in str(token.get("scope") or "").split():
                found[scope] = authorizer
        return found

    def login(self, scopes: Sequence[str]) -> None:
        log.info("Logging in %s for %d scope(s)", self.client_id, len(scopes))
        tokens = self.auth.login(
            list(scopes),
            client_id=self.client_id,
            client_secret=self.client_secret,
            app_name=self.app_name,
        )
        self._write_tokens(tokens)

    def logout(self) -> bool:
        tokens = self.read_tokens()
        if tokens:
            self.auth.revoke(tokens)
        if self.storage is not None:
            self.storage.clear_tokens()
        self._memory.clear()
        return True

    def identity(self) -> Identity | None:
        return self.auth.identity
