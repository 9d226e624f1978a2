"""Globus-hosted utility providers that need no outside service, served locally.

* Hello World, ``https://actions.globus.org/hello_world``: body ``{echo_string, sleep_time?}``,
  details ``{"Hello": "World", "hello": <echo_string>}``; ``sleep_time`` makes it asynchronous.
* Expression evaluation, ``https://actions.globus.org/expression_eval``: body
  ``{expression, arguments?, result_path?}`` or ``{expressions: [...]}``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gladier.exc import ActionProviderError, ExpressionError, NotFound
from gladier.runtime.providers.base import ActionProvider, action_status

if TYPE_CHECKING:
    from gladier.runtime.providers.registry import ProviderRegistry

HELLO_WORLD_URL = "https://actions.globus.org/hello_world"
EXPRESSION_EVAL_URL = "https://actions.globus.org/expression_eval"


class _Remembering(ActionProvider):
    """Keeps action documents by id and honours ``request_id``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._actions: dict[str, dict[str, Any]] = {}
        self._requests: dict[str, str] = {}

    def _store(self, request: Mapping[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._actions[doc["action_id"]] = doc
            if request.get("request_id"):
                self._requests[str(request["request_id"])] = doc["action_id"]
        return dict(doc)

    def _known(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            action_id = self._requests.get(str(request.get("request_id")))
            return None if action_id is None else dict(self._actions[action_id])

    def _get(self, action_id: str) -> dict[str, Any]:
        with self._lock:
            doc = self._actions.get(action_id)
        if doc is None:
            raise NotFound(f"Action {action_id} is not known to this provider")
        return doc

    def release(self, action_id: str) -> dict[str, Any]:
        doc = self.status(action_id)
        if doc["status"] in ("SUCCEEDED", "FAILED"):
            with self._lock:
                self._actions.pop(action_id, None)
        return doc


class HelloWorldProvider(_Remembering):
    """The Hello World action provider."""

    def __init__(self, clock: Any) -> None:
        super().__init__()
        self.clock = clock

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        known = self._known(request)
        if known is not None:
            return known
        body = request.get("body") or {}
        if not isinstance(body, Mapping) or not isinstance(body.get("echo_string", ""), str):
            raise ActionProviderError("Hello World needs a body like {'echo_string': 'text'}")
        sleep = body.get("sleep_time", 0) or 0
        if isinstance(sleep, bool) or not isinstance(sleep, int | float) or sleep < 0:
            raise ActionProviderError("sleep_time must be a non-negative number of seconds")
        details = {"Hello": "World", "hello": body.get("echo_string", "")}
        now = self.clock.time()
        status = "SUCCEEDED" if sleep == 0 else "ACTIVE"
        doc = action_status(uuid.uuid4().hex, status, details, request, now=now)
        doc["_until"] = now + sleep
        return {k: v for k, v in self._store(request, doc).items() if k != "_until"}

    def status(self, action_id: str) -> dict[str, Any]:
        doc = self._get(action_id)
        if doc["status"] == "ACTIVE" and self.clock.time() >= doc["_until"]:
            final = action_status(
                action_id,
                "SUCCEEDED",
                doc["details"],
                doc,
                start_time=doc["start_time"],
                now=self.clock.time(),
            )
            doc.update(final)
        return {k: v for k, v in doc.items() if k != "_until"}

    def cancel(self, action_id: str) -> dict[str, Any]:
        doc = self._get(action_id)
        if doc["status"] == "ACTIVE":
            doc.update(status="FAILED", display_status="CANCELED")
            doc["details"] = {"code": "Canceled", "description": "canceled on request"}
        return {k: v for k, v in doc.items() if k != "_until"}


class ExpressionEvalProvider(_Remembering):
    """The expression evaluation action provider (synchronous)."""

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        from gladier.runtime.language.expressions import compile_expression

        known = self._known(request)
        if known is not None:
            return known
        body = request.get("body") or {}
        items = body.get("expressions") if isinstance(body, Mapping) else None
        if items is None:
            items = [body]
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise ActionProviderError(
                "expression_eval needs {'expression': ..., 'arguments': {...}} "
                "or {'expressions': [...]}"
            )
        details: dict[str, Any] = {}
        results = []
        for item in items:
            text = item.get("expression")
            if not isinstance(text, str):
                raise ActionProviderError("each expression must be a string")
            try:
                value = compile_expression(text).evaluate(dict(item.get("arguments") or {}))
            except ExpressionError as err:
                raise ActionProviderError(f"expression {text!r} failed: {err}") from err
            results.append(value)
            details[str(item.get("result_path") or "result")] = value
        if "expressions" in body:
            details.setdefault("results", results)
        return self._store(request, action_status(uuid.uuid4().hex, "SUCCEEDED", details, request))

    def status(self, action_id: str) -> dict[str, Any]:
        return dict(self._get(action_id))


def install(registry: ProviderRegistry) -> None:
    """Serve the built-in providers in ``registry`` (Hello World reads its clock)."""
    registry.add(HELLO_WORLD_URL, HelloWorldProvider(registry.clock))
    registry.add(EXPRESSION_EVAL_URL, ExpressionEvalProvider())
