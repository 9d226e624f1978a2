"""Globus answers as Gladier exceptions: :func:`service_error` and :func:`translate_errors`.

The Globus Flows, Compute and Auth services of :mod:`gladier.services.globus` all wrap their
globus-sdk calls in :func:`translate_errors`, so every service error is a
:class:`~gladier.exc.ServiceError` subclass with the service's ``http_status``, ``code`` and
``detail``, and also an instance of the globus-sdk class that was raised
(:func:`also_globus_error`). No message ever contains a token.

Example::

    with translate_errors("get flow"):
        client.get_flow(flow_id)
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import globus_sdk

from gladier.exc import (
    FlowInputError,
    FlowValidationError,
    NotFound,
    ServiceError,
    StateConflict,
)

__all__ = ["also_globus_error", "service_error", "translate_errors"]


def _body(err: globus_sdk.GlobusAPIError) -> dict[str, Any]:
    body = getattr(err, "raw_json", None)
    if not isinstance(body, dict):
        try:
            body = json.loads(getattr(err, "text", "") or "")
        except ValueError:
            body = None
    return body if isinstance(body, dict) else {}


def _detail(err: globus_sdk.GlobusAPIError) -> str | list[dict[str, Any]]:
    body = _body(err)
    error = body.get("error")
    if isinstance(error, dict) and error.get("detail") is not None:
        detail = error["detail"]
        if isinstance(detail, list):
            return [item if isinstance(item, dict) else {"msg": str(item)} for item in detail]
        return str(detail)
    return str(getattr(err, "message", "") or getattr(err, "text", "") or "")


def service_error(err: globus_sdk.GlobusAPIError) -> ServiceError:
    """The :class:`~gladier.exc.ServiceError` for a globus-sdk API error.

    404 becomes :class:`~gladier.exc.NotFound`, 409 ``STATE_CONFLICT``
    :class:`~gladier.exc.StateConflict`, 400 ``FLOW_INPUT_ERROR``
    :class:`~gladier.exc.FlowInputError`, 422 with a list of problems
    :class:`~gladier.exc.FlowValidationError`; anything else a plain ``ServiceError``. The
    ``http_status``, ``code`` and ``detail`` of the answer are kept (a 403 that lacks a consent
    has ``code == "MISSING_SCOPE"``). The message names the request (method and URL), never
    its headers.
    """
    status = int(err.http_status)
    code = str(err.code) if getattr(err, "code", None) and err.code != "Error" else None
    detail = _detail(err)
    method, url = ([*err.args, "", ""])[:2]  # globus-sdk's args: method, URL, auth scheme, ...
    where = f"{method} {url}".strip() or "a request"
    text = getattr(err, "message", None) or (detail if isinstance(detail, str) else "")
    message = f"Globus answered {status}{f' {code}' if code else ''} to {where}: {text}".rstrip()
    debug_id = _body(err).get("debug_id") or getattr(err, "request_id", None)
    if debug_id:
        message += f" (debug id {debug_id}, for Globus support)"
    if status == 404:
        return NotFound(message, detail, code=code or NotFound.code)
    if status == 409 and code in (None, "STATE_CONFLICT"):
        return StateConflict(message, detail, code=code or StateConflict.code)
    if status == 400 and code == "FLOW_INPUT_ERROR":
        return FlowInputError(message, detail, code=code)
    if status == 422 and isinstance(detail, list):
        return FlowValidationError(detail, message)
    return ServiceError(message, detail, code=code or "SERVICE_ERROR", http_status=status)


_HYBRIDS: dict[tuple[type[ServiceError], type[BaseException]], type[ServiceError]] = {}


def also_globus_error(error: ServiceError, original: BaseException) -> ServiceError:
    """``error``, made an instance of ``original``'s globus-sdk class too.

    Code written for Gladier 0.11 catches ``globus_sdk.GlobusAPIError`` (or its service
    subclasses) around ``run_flow()``; code written for this SDK catches
    :class:`~gladier.exc.ServiceError`. The error raised is both: its class derives from the
    Gladier class and from the one globus-sdk raised, and it carries the globus-sdk error's
    attributes (``http_status``, ``code``, ``raw_json``, ``text``, ...) with Gladier's message.

    Example::

        try:
            client.run_flow()
        except globus_sdk.GlobusAPIError as err:   # also a gladier.exc.ServiceError
            print(err.http_status, err.code)
    """
    base = type(original)
    key = (type(error), base)
    cls = _HYBRIDS.get(key)
    if cls is None:
        namespace = {
            "__module__": __name__,
            "__doc__": f"{type(error).__name__} that is also a {base.__name__}.",
            "__str__": type(error).__str__,
            "message": None,  # globus-sdk's read-only property gives way to Gladier's message
        }
        try:
            cls = type(f"{type(error).__name__}", (type(error), base), namespace)
        except TypeError:  # an incompatible layout: keep the Gladier error alone
            return error
        _HYBRIDS[key] = cls
    hybrid = cls.__new__(cls)
    hybrid.__dict__.update(vars(original))
    hybrid.__dict__.update(vars(error))
    hybrid.args = error.args
    return hybrid


@contextlib.contextmanager
def translate_errors(action: str) -> Iterator[None]:
    """Turn globus-sdk errors raised inside the block into Gladier exceptions.

    API errors become :func:`service_error`; a network error becomes a ``ServiceError`` with
    ``http_status`` 503 and code ``NETWORK_ERROR`` naming ``action``.

    Example::

        with translate_errors("get flow"):
            client.get_flow(flow_id)
    """
    try:
        yield
    except globus_sdk.exc.GlobusAPIError as err:  # looked up at each call, as 0.11 does
        raise also_globus_error(service_error(err), err) from None
    except globus_sdk.NetworkError as err:
        reason = type(err.underlying_exception).__name__
        raise ServiceError(
            f"Could not reach Globus to {action} ({reason}); check the network, or the "
            "GLOBUS_SDK_SERVICE_URL_* variables if you point Gladier at another server",
            code="NETWORK_ERROR",
            http_status=503,
        ) from None
