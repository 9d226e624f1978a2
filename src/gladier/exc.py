"""The one exception tree of Gladier.

Everything Gladier raises on purpose derives from :class:`GladierException`. The SDK names
(``ConfigException``, ``FlowObsolete``, ...) are those of Gladier 0.8 to 0.11, so existing
``except`` clauses keep working. Errors of the embedded runtime derive from
:class:`ServiceError`, which carries the same ``http_status``/``code``/``detail`` fields that
the Globus services return, so the SDK can treat both backends alike.

Example::

    from gladier.exc import FlowValidationError
    try:
        runtime.create_flow("t", {"StartAt": "Nope", "States": {}})
    except FlowValidationError as err:
        for problem in err.detail:
            print(problem["loc"], problem["msg"])
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "ActionProviderError",
    "AuthException",
    "ConfigException",
    "DevelopmentException",
    "ExpressionError",
    "FlowGenException",
    "FlowInputError",
    "FlowModifierException",
    "FlowObsolete",
    "FlowRunError",
    "FlowValidationError",
    "FunctionObsolete",
    "GladierException",
    "HomeNotOwned",
    "LimitExceeded",
    "NoFlowRegistered",
    "NotFound",
    "ObsoleteException",
    "PathSyntaxError",
    "RegistrationException",
    "ServiceError",
    "StateConflict",
    "StateNameConflict",
    "StoreDamaged",
    "StoreError",
    "StoreFull",
    "StoreTooNew",
]


class GladierException(Exception):
    """Root of every exception Gladier raises on purpose."""


class AuthException(GladierException):
    """Login is missing or insufficient; ``missing_scopes`` lists what is needed."""

    def __init__(self, message: str, missing_scopes: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.missing_scopes = tuple(missing_scopes)


class ConfigException(GladierException):
    """The client, a tool or the input is configured wrongly."""


class RegistrationException(ConfigException):
    """A flow or function needs (re-)registration; ``items`` names what is stale."""

    def __init__(self, message: str, items: Iterable[Any] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.items = tuple(items)


class NoFlowRegistered(RegistrationException):
    """No flow has been deployed for this client yet."""


class ObsoleteException(RegistrationException):
    """Something deployed no longer matches the code."""


class FlowObsolete(ObsoleteException):
    """The deployed flow differs from the generated definition."""


class FunctionObsolete(ObsoleteException):
    """A registered function differs from its code."""


class DevelopmentException(GladierException):
    """A tool or client is written in a way Gladier cannot use."""


class FlowGenException(GladierException):
    """A flow definition could not be generated from the tools."""


class StateNameConflict(FlowGenException):
    """Two tools produce states with the same name."""


class FlowModifierException(FlowGenException):
    """A flow modifier names something that does not exist or cannot be changed."""


class ServiceError(GladierException):
    """An error answered by a flows service (embedded or Globus), in the service's own shape.

    ``detail`` is either a message or a list of ``{"loc", "msg", "type"}`` items.
    """

    http_status = 500
    code = "SERVICE_ERROR"

    def __init__(
        self,
        message: str,
        detail: str | Sequence[dict[str, Any]] | None = None,
        *,
        code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail: str | list[dict[str, Any]] = (
            message if detail is None else detail if isinstance(detail, str) else list(detail)
        )
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status

    def to_json(self) -> dict[str, Any]:
        """The error envelope the Globus Flows service answers with."""
        return {"error": {"code": self.code, "detail": self.detail, "message": self.message}}


class FlowValidationError(ServiceError):
    """A flow definition (or request body) is invalid: every problem is listed in ``detail``."""

    http_status = 422
    code = "UNPROCESSABLE_ENTITY"

    def __init__(self, detail: Sequence[dict[str, Any]], message: str | None = None) -> None:
        items = list(detail)
        if message is None:
            count = len(items)
            lines = [f"{_loc_to_path(i['loc'])}: {i['msg']}" for i in items]
            plural = "error" if count == 1 else "errors"
            message = f"{count} validation {plural} in body. " + "; ".join(lines)
        super().__init__(message, items)

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The ``{loc, msg, type}`` items (same as ``detail``)."""
        return [] if isinstance(self.detail, str) else list(self.detail)


class FlowInputError(ServiceError):
    """A run body does not match the flow's input schema."""

    http_status = 400
    code = "FLOW_INPUT_ERROR"


class NotFound(ServiceError):
    """The flow, run, function, endpoint or collection does not exist."""

    http_status = 404
    code = "NOT_FOUND"


class StateConflict(ServiceError):
    """The operation is not allowed in the object's current state."""

    http_status = 409
    code = "STATE_CONFLICT"


class LimitExceeded(ServiceError):
    """A service limit (run state size, label length, payload size) was exceeded."""

    http_status = 422
    code = "UNPROCESSABLE_ENTITY"


class ExpressionError(GladierException):
    """An expression could not be parsed or evaluated, or exceeded its limits."""


class ActionProviderError(GladierException):
    """An action provider refused a request; ``body`` is the error structure to report."""

    def __init__(self, message: str, body: Any = None, http_status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.body = body if body is not None else {"code": "BadRequest", "description": message}
        self.http_status = http_status


def _loc_to_path(loc: Sequence[Any]) -> str:
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class FlowRunError(GladierException):
    """A failure inside a run, with its Flows error name (``error``) and ``cause``.

    ``error`` is one of the names a ``Catch`` can match, such as ``States.Runtime``,
    ``ActionFailedException``, ``ActionUnableToRun`` or ``ActionTimeout``. ``cause`` is a message
    or, for action failures, the provider's document.
    """

    def __init__(self, error: str, cause: Any, *, state_name: str | None = None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
        self.state_name = state_name


class PathSyntaxError(GladierException, ValueError):
    """A JSONPath string is not valid in the Flows dialect."""


class StoreError(GladierException, sqlite3.DatabaseError):
    """The runtime store (its SQLite file) cannot be used; ``path`` names the file.

    The message says what went wrong and what to do. It is also a ``sqlite3.DatabaseError``,
    so code written to catch SQLite's errors keeps catching it.

    Example::

        from gladier.exc import StoreError
        try:
            runtime.list_runs()
        except StoreError as err:
            print(err.path, err)
    """

    def __init__(self, message: str, path: str | Path) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path)


class StoreFull(StoreError):
    """No space is left on the device of the store: writes fail, reads keep working."""


class StoreDamaged(StoreError):
    """The store file is damaged, empty, not a Gladier store, or lost its write-ahead log."""


class StoreTooNew(StoreError):
    """The store was written by a newer Gladier (its schema version is unknown here)."""


class HomeNotOwned(StoreError):
    """The runtime home (or a file of its store) belongs to another user, so it is refused."""
