"""Stand-ins for action providers: canned or computed answers, and a record of every call.

A stub replaces whatever serves its URL on the runtime (the built-in Transfer and Search
providers included) for as long as that runtime lives, which in a test is the throw-away
home. Each stub answers at once and remembers the body of every request in ``calls``.

The answer is, per request:

* a value (dict, list, string, ...): the action succeeds with it as ``details``;
* a function ``answer(body)``: its return value is the ``details`` of a succeeded action; it
  may return :func:`failed` (or :func:`succeeded`) to choose the status, and an exception it
  raises makes the state fail with ``ActionUnableToRun``, as a provider refusing the request;
* :func:`failed(details) <failed>`: the action ends ``FAILED`` (``ActionFailedException`` unless
  the state sets ``ExceptionOnActionFailure`` to false).

Example::

    from gladier.testing import failed, run_client, stub_action, stub_transfer

    transfer = stub_transfer()                                 # every transfer succeeds
    stub_action("https://scanner.example.org/", lambda body: {"scanned": body["path"]})
    stub_action("https://flaky.example.org/", failed({"code": "Busy"}))
    result = run_client(MyClient, {"input": {...}})
    transfer.calls[0]["source_endpoint"]
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gladier.runtime.providers.base import ActionBook, ActionProvider, action_status

if TYPE_CHECKING:
    from gladier.runtime.runtime import Runtime

__all__ = [
    "SEARCH_URLS",
    "TRANSFER_URLS",
    "ActionAnswer",
    "StubAction",
    "failed",
    "stub_action",
    "stub_search",
    "stub_transfer",
    "succeeded",
]

_TRANSFER_BASES = (
    "https://transfer.actions.globus.org",
    "https://actions.globus.org/transfer",
    "https://actions.automate.globus.org/transfer",
)
#: The Action URLs of each Transfer operation (the current and the two retired providers).
TRANSFER_URLS: dict[str, tuple[str, ...]] = {
    op: tuple(f"{base}/{op}" for base in _TRANSFER_BASES)
    for op in ("transfer", "delete", "mkdir", "ls")
}
#: The Action URLs of each Search operation.
SEARCH_URLS: dict[str, tuple[str, ...]] = {
    "ingest": ("https://actions.globus.org/search/ingest",),
    "delete": ("https://actions.globus.org/search/delete",),
}


@dataclass(frozen=True)
class ActionAnswer:
    """An answer with its status: ``SUCCEEDED`` or ``FAILED``, and the action's ``details``."""

    status: str
    details: Any = None

    def __post_init__(self) -> None:
        if self.status not in ("SUCCEEDED", "FAILED"):
            from gladier.exc import ConfigException

            raise ConfigException(
                f"A stub answer's status is 'SUCCEEDED' or 'FAILED', not {self.status!r}"
            )


def succeeded(details: Any = None) -> ActionAnswer:
    """An answer that ends the action ``SUCCEEDED`` with ``details``.

    Example::

        stub_action(URL, lambda body: succeeded({"ok": True}) if body else failed({}))
    """
    return ActionAnswer("SUCCEEDED", details)


def failed(details: Any = None) -> ActionAnswer:
    """An answer that ends the action ``FAILED`` with ``details``.

    Example::

        stub_transfer(failed({"code": "PERMISSION_DENIED", "description": "no access"}))
    """
    return ActionAnswer("FAILED", details)


Answer = Any  # a value, an ActionAnswer, or a function body -> value or ActionAnswer


class StubAction(ActionProvider):
    """An action provider that answers every request at once from ``answer``.

    ``calls`` holds each request's body, ``requests`` each whole request (with ``state_name``
    and ``run_id``), in the order they came. A retried request (same ``request_id``) gets the
    same action and is recorded once.

    Example::

        stub = StubAction({"echo": "hi"})
        runtime.add_action_provider("https://echo.example.org/", stub)
    """

    def __init__(
        self, answer: Answer = None, *, default: Callable[[Any], Any] | None = None
    ) -> None:
        self.answer = answer
        self._default = default
        self._lock = threading.Lock()
        self._book = ActionBook()
        self.requests: list[dict[str, Any]] = []

    @property
    def calls(self) -> list[Any]:
        """The body of each request, in order."""
        with self._lock:
            return [request.get("body") for request in self.requests]

    @property
    def call_count(self) -> int:
        """How many requests were answered."""
        with self._lock:
            return len(self.requests)

    def _answer(self, body: Any) -> ActionAnswer:
        answer = self.answer
        if answer is None and self._default is not None:
            answer = self._default
        if callable(answer) and not isinstance(answer, ActionAnswer):
            answer = answer(body)
        if isinstance(answer, ActionAnswer):
            return answer
        return ActionAnswer("SUCCEEDED", answer)

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        request_id = str(request.get("request_id") or uuid.uuid4())
        known = self._book.known(request_id)
        if known is not None:
            return known
        outcome = self._answer(request.get("body"))  # may raise: the request is refused
        doc = action_status(uuid.uuid4().hex, outcome.status, outcome.details, request)
        with self._lock:
            self.requests.append(dict(request))
        return self._book.record(request_id, doc)

    def status(self, action_id: str) -> dict[str, Any]:
        return self._book.get(action_id)

    def __repr__(self) -> str:
        return f"StubAction(answer={self.answer!r}, calls={self.call_count})"


def _runtime(runtime: Runtime | None) -> Runtime:
    if runtime is not None:
        return runtime
    from gladier.services.local import shared_runtime

    return shared_runtime()


def _register(urls: tuple[str, ...], stub: StubAction, runtime: Runtime | None) -> StubAction:
    target = _runtime(runtime)
    for url in urls:
        target.add_action_provider(url, stub)
    return stub


def stub_action(url: str, answer: Answer = None, *, runtime: Runtime | None = None) -> StubAction:
    """Serve ``url`` with a :class:`StubAction`; returns it (see the module for ``answer``).

    ``runtime`` defaults to the shared runtime of the current home, the one clients use.

    Example::

        stub = stub_action("https://actions.globus.org/hello_world", {"hello": "test"})
    """
    return _register((url,), StubAction(answer), runtime)


def _transfer_details(body: Any) -> dict[str, Any]:
    body = body if isinstance(body, Mapping) else {}
    items = body.get("DATA") or body.get("transfer_items") or []
    count = len(items) if isinstance(items, list) else 0
    return {
        "DATA_TYPE": "task",
        "task_id": str(uuid.uuid4()),
        "type": "TRANSFER",
        "status": "SUCCEEDED",
        "label": body.get("label"),
        "source_endpoint_id": body.get("source_endpoint") or body.get("source_endpoint_id"),
        "destination_endpoint_id": (
            body.get("destination_endpoint") or body.get("destination_endpoint_id")
        ),
        "files": count,
        "files_transferred": count,
        "bytes_transferred": 0,
        "faults": 0,
        "nice_status": None,
    }


def stub_transfer(
    answer: Answer = None, *, operation: str = "transfer", runtime: Runtime | None = None
) -> StubAction:
    """Stand in for Globus Transfer's ``operation`` (``transfer``, ``delete``, ``mkdir``, ``ls``)
    at all of its Action URLs (current and retired). Nothing is copied.

    Without ``answer``, a transfer succeeds with a minimal Transfer task document (``task_id``,
    ``status``, the endpoints and ``files`` counted from the body); other operations succeed
    with ``{}``.

    Example::

        transfer = stub_transfer()
        ...
        assert transfer.calls[0]["DATA"][0]["destination_path"] == "/staging/scan1"
    """
    if operation not in TRANSFER_URLS:
        from gladier.exc import ConfigException

        raise ConfigException(
            f"Unknown Transfer operation {operation!r}; choose one of {', '.join(TRANSFER_URLS)}"
        )
    default = _transfer_details if operation == "transfer" else (lambda body: {})
    return _register(TRANSFER_URLS[operation], StubAction(answer, default=default), runtime)


def _search_details(body: Any) -> dict[str, Any]:
    body = body if isinstance(body, Mapping) else {}
    return {
        "task_id": str(uuid.uuid4()),
        "state": "SUCCESS",
        "state_description": "Task succeeded",
        "index_id": body.get("search_index"),
        "message": None,
    }


def stub_search(
    answer: Answer = None, *, operation: str = "ingest", runtime: Runtime | None = None
) -> StubAction:
    """Stand in for Globus Search's ``operation`` (``ingest`` or ``delete``); nothing is indexed.

    Without ``answer`` the action succeeds with a Search task document (``task_id``,
    ``state: SUCCESS``, ``index_id`` from the body).

    Example::

        search = stub_search()
        ...
        assert search.calls[0]["subject"] == "gladier_example_publish"
    """
    if operation not in SEARCH_URLS:
        from gladier.exc import ConfigException

        raise ConfigException(
            f"Unknown Search operation {operation!r}; choose one of {', '.join(SEARCH_URLS)}"
        )
    stub = StubAction(answer, default=_search_details)
    return _register(SEARCH_URLS[operation], stub, runtime)
