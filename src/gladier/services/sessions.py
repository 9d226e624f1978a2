"""Login sessions and tokens: where one login manager's tokens live, and whose they are.

:class:`LoginSession` is what a backend's :class:`~gladier.services.base.AuthService` hands a
login manager (the embedded side keeps tokens in the client's config file, the Globus side in
a globus-sdk token storage); :data:`TokenData`, :class:`Identity` and :class:`TokenStore` are
the shapes it deals in. All four are also importable from :mod:`gladier.services.base`.

Example::

    session = backend.auth.session(client_id=client_id, storage=client.storage)
    session.login([COMPUTE_SCOPE])
    session.authorizers([COMPUTE_SCOPE])     # {COMPUTE_SCOPE: <authorizer>}
    session.identity()                      # who the tokens were issued to
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Identity", "LoginSession", "TokenData", "TokenStore"]

#: One token as Globus Auth returns it (an item of globus-sdk's
#: ``OAuthTokenResponse.by_resource_server``): ``access_token``, ``scope``,
#: ``resource_server``, ``expires_at_seconds``, ``token_type``, ``refresh_token``.
TokenData = dict[str, Any]


class Identity(Protocol):
    """Who the backend says the user is."""

    @property
    def username(self) -> str: ...

    @property
    def id(self) -> str: ...

    @property
    def urn(self) -> str: ...


class TokenStore(Protocol):
    """Where a login manager may keep tokens: the client's config file
    (:class:`~gladier.storage.tokens.GladierSecretsConfig`) has these methods."""

    @property
    def filename(self) -> Path: ...

    def read_tokens(self) -> dict[str, dict[str, Any]]: ...

    def write_tokens(self, tokens: Mapping[str, Mapping[str, Any]]) -> None: ...

    def clear_tokens(self) -> None: ...


class LoginSession(ABC):
    """The tokens of one login manager: which scopes have a usable token, and how to get more.

    A session never logs in by itself: :meth:`authorizers` reports what is there, and only
    :meth:`login` asks the user (or the confidential client) for new tokens.
    """

    @abstractmethod
    def authorizers(self, scopes: Sequence[str]) -> dict[str, Any]:
        """``{scope: authorizer}`` for each scope with a usable token.

        ``scopes`` are the scopes the caller needs; a session may report others too.
        """

    @abstractmethod
    def login(self, scopes: Sequence[str]) -> None:
        """Obtain tokens for ``scopes`` (all of them in one login where the service allows)."""

    @abstractmethod
    def logout(self) -> bool:
        """Forget (and where possible revoke) every token; ``True`` when done."""

    def identity(self) -> Identity | None:
        """Who the tokens were issued to (``None`` when unknown or not logged in)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files and connections (the session can be used again afterwards)."""
