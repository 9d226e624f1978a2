"""Tokens the server issues and checks: RS256 JWTs signed with a key kept in the home.

The server has one confidential client (an id and a secret, created on first start in
``<home>/server/credentials.json``, readable by the owner only) and one RSA signing key
(``<home>/server/signing-key.pem``). A client-credentials grant gives one access token per
resource server the requested scopes belong to (``flows.globus.org``, ``funcx_service``, a
flow's id, ``auth.globus.org``...), as Globus Auth does; each token is a JWT naming its
resource server, scopes and expiry, so it stays valid across restarts of the server until it
expires. ``openid`` in the scopes adds a signed ``id_token`` (audience: the client id).

Example::

    from gladier.server.tokens import TokenService

    tokens = TokenService(home / "server").load()
    grant = tokens.grant(tokens.credentials.client_id, ["openid", MANAGE_FLOWS_SCOPE])
    tokens.verify(grant["other_tokens"][0]["access_token"]).resource_server  # 'flows.globus.org'
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gladier.runtime.clock import Clock, SystemClock
from gladier.services.scopes import resource_server_for

__all__ = ["ClientCredentials", "TokenClaims", "TokenService", "split_scopes"]

#: Access tokens last this long unless the server is told otherwise (seconds).
DEFAULT_LIFETIME = 2 * 3600
KEY_FILE = "signing-key.pem"
CREDENTIALS_FILE = "credentials.json"
_CACHE_SIZE = 4096


def split_scopes(text: str) -> list[str]:
    """Scopes of a space-separated scope string; spaces inside ``[...]`` do not split.

    Example::

        split_scopes("openid a[b c] d")   # ['openid', 'a[b c]', 'd']
    """
    scopes: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        if char.isspace() and depth == 0:
            if current:
                scopes.append(current)
            current = ""
        else:
            current += char
    if current:
        scopes.append(current)
    return scopes


@dataclass(frozen=True)
class ClientCredentials:
    """The server's confidential client."""

    client_id: str
    client_secret: str

    @property
    def username(self) -> str:
        return f"{self.client_id}@clients.auth.globus.org"


@dataclass(frozen=True)
class TokenClaims:
    """What a valid access token says."""

    subject: str
    client_id: str
    resource_server: str
    scopes: tuple[str, ...]
    expires_at: int
    issued_at: int
    issuer: str


class TokenService:
    """Keys, the server's client and the tokens; nothing is read until :meth:`load`."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        lifetime: int = DEFAULT_LIFETIME,
    ) -> None:
        self.directory = Path(directory)
        self.clock: Clock = clock or SystemClock()
        self.lifetime = int(lifetime)
        self._key: Any = None
        self._public_jwk: dict[str, Any] | None = None
        self._kid = ""
        self._credentials: ClientCredentials | None = None
        self._cache: OrderedDict[str, TokenClaims] = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ files
    def load(self) -> TokenService:
        """Read (or create, owner-readable only) the signing key and the client credentials."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.directory.mkdir(parents=True, exist_ok=True)
        key_path = self.directory / KEY_FILE
        if key_path.exists():
            self._key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write_private(key_path, pem)
            self._key = key
        cred_path = self.directory / CREDENTIALS_FILE
        if cred_path.exists():
            data = json.loads(cred_path.read_text())
            self._credentials = ClientCredentials(data["client_id"], data["client_secret"])
        else:
            self._credentials = ClientCredentials(str(uuid.uuid4()), secrets.token_urlsafe(32))
            text = json.dumps(
                {
                    "client_id": self._credentials.client_id,
                    "client_secret": self._credentials.client_secret,
                },
                indent=2,
            )
            _write_private(cred_path, text.encode())
        import jwt

        public = self._key.public_key()
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
        self._kid = uuid.uuid5(uuid.NAMESPACE_URL, jwk["n"]).hex[:16]
        jwk.update(kid=self._kid, use="sig", alg="RS256")
        self._public_jwk = jwk
        return self

    @property
    def loaded(self) -> bool:
        """Whether :meth:`load` has run."""
        return self._key is not None

    @property
    def credentials(self) -> ClientCredentials:
        """The server's client (after :meth:`load`)."""
        if self._credentials is None:
            raise RuntimeError("TokenService.load() was not called")
        return self._credentials

    def check_client(self, client_id: str | None, client_secret: str | None) -> bool:
        """Whether ``client_id``/``client_secret`` are the server's client."""
        creds = self.credentials
        return client_id == creds.client_id and secrets.compare_digest(
            (client_secret or "").encode(), creds.client_secret.encode()
        )

    def jwks(self) -> dict[str, Any]:
        """The public keys, as a JWK set."""
        if self._public_jwk is None:
            raise RuntimeError("TokenService.load() was not called")
        return {"keys": [self._public_jwk]}

    # ------------------------------------------------------------------ tokens
    def _sign(self, claims: dict[str, Any]) -> str:
        import jwt

        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})

    def grant(
        self,
        client_id: str,
        scopes: Iterable[str],
        *,
        issuer: str = "gladier-server",
        subject: str | None = None,
        identity: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A token response: one token document per resource server, the first at the top.

        ``identity`` (``sub``, ``preferred_username``, ``name``, ``email``) goes into the
        ``id_token`` added when ``openid`` is among the scopes.
        """
        by_server: dict[str, list[str]] = {}
        for scope in scopes:
            server = resource_server_for(scope)
            wanted = by_server.setdefault(server, [])
            if scope not in wanted:
                wanted.append(scope)
        if not by_server:
            raise ValueError("no scope requested")
        now = int(self.clock.time())
        sub = subject or client_id
        documents = []
        for server, wanted in by_server.items():
            token = self._sign(
                {
                    "iss": issuer,
                    "sub": sub,
                    "client_id": client_id,
                    "aud": [server],
                    "scope": " ".join(wanted),
                    "iat": now,
                    "nbf": now,
                    "exp": now + self.lifetime,
                    "jti": uuid.uuid4().hex,
                    "typ": "access",
                }
            )
            documents.append(
                {
                    "access_token": token,
                    "expires_in": self.lifetime,
                    "resource_server": server,
                    "scope": " ".join(wanted),
                    "token_type": "Bearer",
                    "state": "_default",
                }
            )
        first = dict(documents[0])
        if "openid" in by_server.get("auth.globus.org", []):
            claims = {
                "iss": issuer,
                "sub": sub,
                "aud": client_id,
                "iat": now,
                "exp": now + self.lifetime,
                "typ": "id",
            }
            claims.update({k: v for k, v in (identity or {}).items() if k != "sub"})
            first["id_token"] = self._sign(claims)
        first["other_tokens"] = documents[1:]
        return first

    def verify(self, token: str) -> TokenClaims | None:
        """The claims of a valid, unexpired access token issued here; None otherwise."""
        with self._lock:
            claims = self._cache.get(token)
        if claims is None:
            claims = self._decode(token)
            if claims is None:
                return None
            with self._lock:
                self._cache[token] = claims
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        now = self.clock.time()
        if claims.expires_at <= now or claims.issued_at > now + 60:
            return None
        return claims

    def _decode(self, token: str) -> TokenClaims | None:
        import jwt

        if self._key is None:
            raise RuntimeError("TokenService.load() was not called")
        try:
            data = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                # Times are checked against this service's clock, in verify().
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError:
            return None
        if data.get("typ") != "access":
            return None
        aud = data.get("aud") or [""]
        try:
            return TokenClaims(
                subject=str(data["sub"]),
                client_id=str(data["client_id"]),
                resource_server=str(aud[0] if isinstance(aud, list) else aud),
                scopes=tuple(str(data.get("scope", "")).split()),
                expires_at=int(data["exp"]),
                issued_at=int(data["iat"]),
                issuer=str(data.get("iss", "")),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only, atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
