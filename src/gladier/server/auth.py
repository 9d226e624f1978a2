"""The Auth router (the minimum globus-sdk needs) and the token check every service uses.

Served under ``/auth`` (``GLOBUS_SDK_SERVICE_URL_AUTH=http://127.0.0.1:8765/auth/``):

* ``POST /v2/oauth2/token``: the ``client_credentials`` grant for the server's client (HTTP
  Basic or form credentials), one token per resource server, plus an RS256 ``id_token`` when
  ``openid`` is asked for. This is what ``ClientApp``, ``ClientCredentialsAuthorizer``,
  ``ConfidentialAppAuthClient`` and the ``globus`` CLI with ``GLOBUS_CLI_CLIENT_ID``/``_SECRET``
  use.
* ``POST /v2/oauth2/token/introspect`` (client authentication required) and
  ``/v2/oauth2/token/validate``; ``GET /v2/oauth2/userinfo``.
* ``GET /.well-known/openid-configuration`` and ``GET /jwk.json`` (the JWKS).
* ``GET /v2/api/identities?ids=...|usernames=...``: the local user and the server's client.

:class:`Guard` checks the ``Authorization: Bearer`` header of the other services' requests:
401 ``AUTHENTICATION_ERROR`` without a valid, unexpired token issued by this server, 403
``MISSING_SCOPE`` when the token is for another resource server.

Example::

    guard = Guard(tokens)
    claims = guard.require(request, "flows.globus.org")
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from gladier.server.errors import HTTPError
from gladier.server.tokens import TokenClaims, TokenService, split_scopes

__all__ = ["Guard", "auth_routes"]

_BEARER = {"WWW-Authenticate": 'Bearer realm="gladier-server"'}


class Guard:
    """Checks bearer tokens against :class:`TokenService`."""

    def __init__(self, tokens: TokenService) -> None:
        self.tokens = tokens

    def claims(self, request: Request) -> TokenClaims:
        """The claims of the request's bearer token; 401 when it has none that is valid."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPError(
                401,
                "AUTHENTICATION_ERROR",
                "This request needs an 'Authorization: Bearer <token>' header with a token "
                "issued by this gladier server (see docs/server.md, 'Tokens').",
                headers=_BEARER,
            )
        claims = self.tokens.verify(token.strip())
        if claims is None:
            raise HTTPError(
                401,
                "AUTHENTICATION_ERROR",
                "The bearer token is expired, malformed or was not issued by this gladier "
                "server; get a new one from its /auth/v2/oauth2/token.",
                headers=_BEARER,
            )
        return claims

    def require(self, request: Request, *resource_servers: str) -> TokenClaims:
        """The token's claims; 403 ``MISSING_SCOPE`` unless it is for a ``resource_servers``."""
        claims = self.claims(request)
        if resource_servers and claims.resource_server not in resource_servers:
            wanted = " or ".join(resource_servers)
            raise HTTPError(
                403,
                "MISSING_SCOPE",
                f"This request needs a token for {wanted}; the token given is for "
                f"{claims.resource_server} (scopes: {' '.join(claims.scopes) or 'none'}).",
            )
        return claims


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {
            "error": error,
            "error_description": description,
            "code": error.upper(),
            "message": description,
        },
        status_code=status,
        headers=_BEARER if status == 401 else None,
    )


async def _form(request: Request) -> dict[str, str]:
    """The ``application/x-www-form-urlencoded`` body (what OAuth2 clients send)."""
    raw = await request.body()
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return {}
    return dict(parse_qsl(text, keep_blank_values=True))


def _client_auth(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id"), form.get("client_secret")


def auth_routes(tokens: TokenService, identity: Callable[[], dict[str, Any]]) -> list[BaseRoute]:
    """The Auth routes; ``identity()`` gives the local user's identity document."""
    guard = Guard(tokens)

    def issuer(request: Request) -> str:
        return str(request.url_for("openid_configuration")).rsplit("/.well-known", 1)[0] + "/"

    def client_identity() -> dict[str, Any]:
        creds = tokens.credentials
        return {
            "id": creds.client_id,
            "sub": creds.client_id,
            "username": creds.username,
            "preferred_username": creds.username,
            "name": "gladier server client",
            "email": None,
            "status": "used",
            "identity_provider": "gladier-server",
            "identity_type": "client",
            "organization": None,
        }

    def known_identities() -> list[dict[str, Any]]:
        return [identity(), client_identity()]

    async def token(request: Request) -> JSONResponse:
        form = await _form(request)
        client_id, secret = _client_auth(request, form)
        if not tokens.check_client(client_id, secret):
            return _oauth_error(
                401,
                "invalid_client",
                "Unknown client or wrong secret; use the client id and secret in "
                f"{tokens.directory / 'credentials.json'}",
            )
        grant_type = form.get("grant_type", "")
        if grant_type != "client_credentials":
            return _oauth_error(
                400,
                "unsupported_grant_type",
                f"grant_type {grant_type!r} is not served; this server grants "
                "'client_credentials' only (docs/server.md)",
            )
        scopes = split_scopes(form.get("scope", ""))
        if not scopes:
            return _oauth_error(400, "invalid_scope", "Ask for at least one scope ('scope=...')")
        doc = client_identity()
        grant = tokens.grant(
            tokens.credentials.client_id,
            scopes,
            issuer=issuer(request),
            identity={
                "preferred_username": doc["username"],
                "name": doc["name"],
                "email": doc["email"],
                "identity_provider": doc["identity_provider"],
            },
        )
        return JSONResponse(grant)

    async def introspect(request: Request) -> JSONResponse:
        form = await _form(request)
        client_id, secret = _client_auth(request, form)
        if not tokens.check_client(client_id, secret):
            return _oauth_error(401, "invalid_client", "Introspection needs client credentials")
        claims = tokens.verify(form.get("token", ""))
        if claims is None:
            return JSONResponse({"active": False})
        who = next((i for i in known_identities() if i["id"] == claims.subject), None)
        body: dict[str, Any] = {
            "active": True,
            "token_type": "Bearer",
            "scope": " ".join(claims.scopes),
            "client_id": claims.client_id,
            "sub": claims.subject,
            "username": who["username"] if who else None,
            "name": who["name"] if who else None,
            "email": who["email"] if who else None,
            "exp": claims.expires_at,
            "iat": claims.issued_at,
            "nbf": claims.issued_at,
            "aud": [claims.resource_server, claims.client_id],
            "iss": claims.issuer,
        }
        if "identity_set" in form.get("include", "").split(","):
            body["identity_set"] = [claims.subject]
        return JSONResponse(body)

    async def validate(request: Request) -> JSONResponse:
        form = await _form(request)
        return JSONResponse({"active": tokens.verify(form.get("token", "")) is not None})

    async def userinfo(request: Request) -> JSONResponse:
        claims = guard.claims(request)
        who = next((i for i in known_identities() if i["id"] == claims.subject), None)
        if who is None:
            raise HTTPError(404, "NOT_FOUND", "The token's identity is unknown", style="plain")
        return JSONResponse(
            {
                "sub": who["id"],
                "preferred_username": who["username"],
                "name": who["name"],
                "email": who["email"],
                "identity_provider": who["identity_provider"],
                "identity_set": [{k: who[k] for k in ("sub", "username", "name", "email")}],
            }
        )

    async def identities(request: Request) -> JSONResponse:
        guard.claims(request)
        ids = {p for v in request.query_params.getlist("ids") for p in v.split(",") if p}
        names = {p for v in request.query_params.getlist("usernames") for p in v.split(",") if p}
        found = [
            {k: v for k, v in i.items() if k not in ("sub", "preferred_username")}
            for i in known_identities()
            if i["id"] in ids or i["username"] in names
        ]
        return JSONResponse({"identities": found})

    async def openid_configuration(request: Request) -> JSONResponse:
        base = issuer(request)
        return JSONResponse(
            {
                "issuer": base,
                "token_endpoint": base + "v2/oauth2/token",
                "introspection_endpoint": base + "v2/oauth2/token/introspect",
                "userinfo_endpoint": base + "v2/oauth2/userinfo",
                "jwks_uri": base + "jwk.json",
                "grant_types_supported": ["client_credentials"],
                "response_types_supported": ["token"],
                "scopes_supported": ["openid", "profile", "email"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "preferred_username"],
            }
        )

    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(tokens.jwks())

    return [
        Route("/v2/oauth2/token", token, methods=["POST"]),
        Route("/v2/oauth2/token/introspect", introspect, methods=["POST"]),
        Route("/v2/oauth2/token/validate", validate, methods=["POST"]),
        Route("/v2/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/v2/api/identities", identities, methods=["GET"]),
        Route(
            "/.well-known/openid-configuration",
            openid_configuration,
            methods=["GET"],
            name="openid_configuration",
        ),
        Route("/jwk.json", jwks, methods=["GET"]),
    ]
