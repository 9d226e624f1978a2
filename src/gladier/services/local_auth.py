"""Login on the embedded runtime: tokens for the local identity, without a network.

The embedded runtime trusts the user of this machine, so "logging in" only records which scopes
were granted, to whom and until when. Login managers keep these tokens exactly where they keep
Globus tokens (the client's config file), so ``login()``, ``logout()`` and ``is_logged_in()``
behave as on Globus: a token expires, ``logout()`` forgets it, and a flow's own scope has to
be granted once the flow exists.

Example::

    >>> from gladier.services.scopes import COMPUTE_SCOPE
    >>> client = LocalIdentity.of_client("c0ffee00-0000-4000-8000-000000000000")
    >>> auth = LocalAuthService(lambda: client)
    >>> tokens = auth.login([COMPUTE_SCOPE], client_id="f1631610-d9e4-4db2-81ba-7f93ad4414e3")
    >>> tokens["funcx_service"]["scope"] == COMPUTE_SCOPE
    True
    >>> auth.authorizer(tokens["funcx_service"]).get_authorization_header().startswith("Bearer ")
    True
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gladier.services.base import AuthService, Identity, TokenData
from gladier.services.scopes import resource_server_for

__all__ = ["LOCAL_TOKEN_LIFETIME", "LocalAuthService", "LocalAuthorizer", "LocalIdentity"]

#: Seconds a local token stays valid (as long as a Globus access token).
LOCAL_TOKEN_LIFETIME = 48 * 3600
_TOKEN_PREFIX = "gladier-local."


@dataclass(frozen=True)
class LocalIdentity:
    """The identity of a confidential client (users are the runtime's ``Runtime.identity``)."""

    username: str
    id: str
    urn: str

    @classmethod
    def of_client(cls, client_id: str) -> LocalIdentity:
        """A confidential client, named as Globus Auth names client identities."""
        return cls(
            f"{client_id}@clients.auth.globus.org",
            client_id,
            f"urn:globus:auth:identity:{client_id}",
        )


class LocalAuthorizer:
    """An authorizer for a local token, with globus-sdk's authorizer methods."""

    def __init__(self, access_token: str) -> None:
        self.access_token = access_token

    def get_authorization_header(self) -> str:
        """The ``Authorization`` header value for this token."""
        return f"Bearer {self.access_token}"

    def handle_missing_authorization(self) -> bool:
        """Local tokens cannot be refreshed: always ``False``."""
        return False

    def __repr__(self) -> str:
        return f"LocalAuthorizer({self.access_token[:22]}...)"


class LocalAuthService(AuthService):
    """Issues local tokens; see the module documentation.

    ``identity_source`` returns the user's identity; by default the ``identity`` of the shared
    runtime of ``$GLADIER_HOME``, the identity that owns the runs.
    """

    def __init__(self, identity_source: Callable[[], Identity] | None = None) -> None:
        self._identity_source = identity_source

    @property
    def identity(self) -> Identity:
        if self._identity_source is None:
            from gladier.services.runtimes import shared_runtime

            return shared_runtime().identity
        return self._identity_source()

    def login(
        self,
        scopes: Sequence[str],
        *,
        client_id: str,
        client_secret: str | None = None,
        app_name: str | None = None,
    ) -> dict[str, TokenData]:
        identity: Identity = LocalIdentity.of_client(client_id) if client_secret else self.identity
        expires = int(time.time()) + LOCAL_TOKEN_LIFETIME
        grouped: dict[str, list[str]] = {}
        for scope in dict.fromkeys(scopes):
            grouped.setdefault(resource_server_for(scope), []).append(scope)
        return {
            server: {
                "access_token": _TOKEN_PREFIX + secrets.token_hex(16),
                "refresh_token": None,
                "token_type": "Bearer",
                "scope": " ".join(names),
                "resource_server": server,
                "expires_at_seconds": expires,
                "identity_id": identity.id,
                "username": identity.username,
            }
            for server, names in grouped.items()
        }

    def authorizer(self, token: TokenData) -> Any:
        return LocalAuthorizer(str(token["access_token"]))
