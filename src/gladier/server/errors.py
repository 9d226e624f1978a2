"""Error bodies of the server, in the shapes globus-sdk parses, always as application/json.

Flows errors use the Flows service's envelope ``{"error": {"code", "detail", "message"},
"debug_id"}`` (``detail`` is a list of ``{"loc", "msg", "type"}`` for 422); the other services
use the "type zero" shape ``{"code", "message", "request_id"}``. User errors are 4xx: a 5xx makes
globus-sdk retry five times with backoff, so a deterministic failure would look like a hang.

Example::

    from gladier.server.errors import HTTPError
    raise HTTPError(404, "NOT_FOUND", "No flow with id ... exists")
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gladier.exc import ActionProviderError, GladierException, ServiceError

log = logging.getLogger("gladier.server")

__all__ = [
    "HTTPError",
    "exception_handlers",
    "int_param",
    "json_object",
    "query_bool",
    "query_list",
]

#: Codes for the HTTP statuses the server answers with when nothing more specific applies.
STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "AUTHENTICATION_ERROR",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "STATE_CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "UNPROCESSABLE_ENTITY",
}


class HTTPError(Exception):
    """An error answer: HTTP ``status``, a ``code`` and a ``detail`` (text or 422 items).

    ``style`` is ``"flows"`` (the Flows envelope) or ``"plain"`` (``{"code", "message"}``,
    what Auth and Compute answer with); the exception handler sets it from the request path.
    ``headers`` are sent with the answer (``WWW-Authenticate`` for 401).
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | Sequence[Mapping[str, Any]],
        *,
        style: str = "flows",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.detail: str | list[dict[str, Any]] = (
            detail if isinstance(detail, str) else [dict(d) for d in detail]
        )
        self.style = style
        self.headers = dict(headers or {})
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if isinstance(self.detail, str):
            return self.detail
        return "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
            for item in self.detail
        )

    def body(self) -> dict[str, Any]:
        debug_id = str(uuid.uuid4())
        if self.style == "plain":
            return {
                "code": self.code,
                "message": self.message,
                "request_id": debug_id,
                "http_status": self.status,
            }
        return {
            "error": {"code": self.code, "detail": self.detail, "message": self.message},
            "debug_id": debug_id,
        }

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def unprocessable(loc: Sequence[str | int], msg: str, kind: str = "value_error") -> HTTPError:
    """A 422 with one ``{"loc", "msg", "type"}`` item."""
    return HTTPError(422, "UNPROCESSABLE_ENTITY", [{"loc": list(loc), "msg": msg, "type": kind}])


#: Paths under this prefix answer errors in the Flows envelope.
FLOWS_PREFIX = "/flows"


def error_style(request: Request) -> str:
    """The error body shape for a request: the Flows envelope under ``/flows``, else plain."""
    path = request.url.path
    return "flows" if path == FLOWS_PREFIX or path.startswith(FLOWS_PREFIX + "/") else "plain"


def from_exception(err: Exception, style: str) -> HTTPError:
    """The answer for an exception raised by the runtime."""
    if isinstance(err, HTTPError):
        return err
    if isinstance(err, ServiceError):
        status = err.http_status if 400 <= err.http_status < 500 else 400
        return HTTPError(status, err.code, err.detail, style=style)
    if isinstance(err, ActionProviderError):
        body = err.body if isinstance(err.body, Mapping) else {}
        status = err.http_status if 400 <= err.http_status < 500 else 400
        code = str(body.get("code") or STATUS_CODES.get(status, "BAD_REQUEST"))
        return HTTPError(status, code, str(body.get("description") or err.message), style=style)
    if isinstance(err, GladierException):
        return HTTPError(400, "BAD_REQUEST", str(err), style=style)
    raise err


async def _gladier_error(request: Request, err: Exception) -> Response:
    style = error_style(request)
    try:
        answer = from_exception(err, style)
        answer.style = style  # the service answering decides the shape, not the raiser
    except Exception:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        answer = HTTPError(
            500, "INTERNAL_ERROR", f"{type(err).__name__}: {err}", style=error_style(request)
        )
    return answer.response()


async def _http_exception(request: Request, err: Exception) -> Response:
    assert isinstance(err, HTTPException)
    status = err.status_code
    if status == 404:
        detail = f"Nothing is served at {request.method} {request.url.path} (see docs/server.md)"
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    else:
        detail = str(err.detail)
    code = STATUS_CODES.get(status, "ERROR")
    return HTTPError(
        status, code, detail, style=error_style(request), headers=err.headers
    ).response()


def exception_handlers() -> dict[Any, Any]:
    """Starlette exception handlers turning every error into a JSON error body."""
    return {
        HTTPException: _http_exception,
        HTTPError: _gladier_error,
        GladierException: _gladier_error,
    }


# ---------------------------------------------------------------------------- request helpers
async def json_object(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The request's JSON body, which must be an object (an empty body is ``{}`` when allowed)."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise unprocessable(["body"], "a JSON object body is required", "missing")
        return {}
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise unprocessable(["body"], f"the body is not valid JSON: {err}", "json_invalid") from err
    if not isinstance(data, dict):
        raise unprocessable(["body"], f"the body must be a JSON object, not {type(data).__name__}")
    return data


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    """A boolean query parameter; accepts ``true``/``True``/``1`` and ``false``/``False``/``0``."""
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise unprocessable(["query", name], f"{name} must be true or false, not {value!r}", "bool")


def query_list(request: Request, name: str) -> list[str] | None:
    """A list query parameter: repeated and/or comma-joined values (None when absent)."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def int_param(request: Request, name: str, default: int | None) -> int | None:
    """An integer query parameter (``default`` when absent)."""
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise unprocessable(
            ["query", name], f"{name} must be an integer, not {value!r}", "int_parsing"
        ) from None
