"""The action provider interface, mirroring the Globus Action Provider API.

A provider is registered for a URL with :meth:`Runtime.add_action_provider`. The runtime calls
``run(request)`` with the request document of spec §10.2 (``request_id``, ``body``, ``label``,
``manage_by``, ``monitor_by``, plus the local extensions ``run_id``, ``state_name`` and
``creator_id``) and expects an action status document (§10.3) back. When the
answer is ``ACTIVE`` or ``INACTIVE`` the runtime polls ``status(action_id)`` with backoff; a
provider that learns of progress itself can call the ``notify`` hook it receives in
:meth:`ActionProvider.bind`, and the runtime polls at once instead of waiting.

Example::

    class Echo(ActionProvider):
        def run(self, request):
            return action_status("echo-1", "SUCCEEDED", request["body"], request)

    runtime.add_action_provider("https://example.org/echo", Echo())

A plain function ``fn(body) -> details`` is accepted too (see :class:`CallableProvider`).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from gladier.exc import ActionProviderError, NotFound
from gladier.runtime.clock import Clock, SystemClock
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    import sqlite3

    from gladier.runtime.compute.provider import ComputeService
    from gladier.runtime.search.index import SearchStore
    from gladier.runtime.transfer.service import TransferService

TERMINAL = frozenset({"SUCCEEDED", "FAILED"})


def action_status(
    action_id: str,
    status: str,
    details: Any,
    request: Mapping[str, Any] | None = None,
    *,
    start_time: str | None = None,
    completion_time: str | None = None,
    display_status: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Build an action status document (spec §10.3)."""
    request = request or {}
    stamp = iso(now)
    return {
        "action_id": action_id,
        "status": status,
        "display_status": display_status or status,
        "details": details,
        "creator_id": request.get("creator_id", "urn:globus:auth:identity:local"),
        "label": request.get("label"),
        "manage_by": list(request.get("manage_by") or []),
        "monitor_by": list(request.get("monitor_by") or []),
        "release_after": request.get("release_after", "P30D"),
        "start_time": start_time or stamp,
        "completion_time": completion_time or (stamp if status in TERMINAL else None),
    }


class CommitHook(Protocol):
    """A provider that stores what it accepted in the scheduler's own transaction."""

    def write_accepted(self, conn: sqlite3.Connection) -> None: ...

    def committed(self, ok: bool) -> None: ...


class ServiceHub(Protocol):
    """The runtime's services that built-in providers work on, each created on first use."""

    def compute(self) -> ComputeService: ...

    def transfer(self) -> TransferService: ...

    def search(self) -> SearchStore: ...


def _never() -> bool:
    return False


def _keep_none(hook: CommitHook) -> None:
    """No scheduler stores anything for this provider: it never defers (see ``_never``)."""


@dataclass(frozen=True)
class ProviderHooks:
    """What a provider may do, handed to it once when it is registered (``bind``).

    It is all a provider sees of the runtime, so a provider can be driven without one::

        provider = Echo()
        provider.bind(ProviderHooks(notify=polled.append, url="https://example.org/echo"))
        provider.run({"request_id": "r1", "body": {}})
    """

    #: Ask the runtime to poll ``action_id`` now (thread-safe, callable from any thread).
    notify: Callable[[str], None]
    #: The URL the provider is registered for.
    url: str
    #: The runtime's clock (a :class:`~gladier.runtime.clock.ManualClock` in tests).
    clock: Clock = field(default_factory=SystemClock)
    #: Have the scheduler call ``hook.write_accepted(conn)`` in each of its transactions and
    #: ``hook.committed(ok)`` after it (once per hook).
    add_commit_hook: Callable[[CommitHook], None] = _keep_none
    #: Whether the caller is the scheduler's thread, which commits its turn soon after.
    on_scheduler_thread: Callable[[], bool] = _never
    #: The runtime's compute, transfer and search services (None outside a runtime).
    services: ServiceHub | None = None


class ActionProvider:
    """Base class of action providers; override :meth:`run` and, for async work, :meth:`status`."""

    hooks: ProviderHooks | None = None

    def bind(self, hooks: ProviderHooks) -> None:
        """Called once when the provider is registered with a runtime."""
        self.hooks = hooks

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def status(self, action_id: str) -> dict[str, Any]:
        raise NotFound(f"Action {action_id} is not known to this provider")

    def cancel(self, action_id: str) -> dict[str, Any]:
        return self.status(action_id)

    def release(self, action_id: str) -> dict[str, Any]:
        return self.status(action_id)

    def close(self) -> None:
        """Stop any background work (called by ``Runtime.close``)."""


class ActionService(Protocol):
    """A background service that keeps actions for one or more provider URLs."""

    def attach(self, notify: Callable[[str], None]) -> None: ...
    def status(self, action_id: str) -> dict[str, Any]: ...
    def cancel(self, action_id: str) -> dict[str, Any]: ...
    def release(self, action_id: str) -> dict[str, Any]: ...
    def close(self) -> None: ...


class ServiceProvider(ActionProvider):
    """A provider whose actions live in a shared service (several URLs, one service).

    Subclasses implement :meth:`run`; ``status``, ``cancel``, ``release`` and ``close`` go to
    ``self.service``, which is told the runtime's ``notify`` hook when the provider is bound.
    """

    def __init__(self, service: ActionService) -> None:
        self.service = service

    def bind(self, hooks: ProviderHooks) -> None:
        super().bind(hooks)
        self.service.attach(hooks.notify)

    def status(self, action_id: str) -> dict[str, Any]:
        return self.service.status(action_id)

    def cancel(self, action_id: str) -> dict[str, Any]:
        return self.service.cancel(action_id)

    def release(self, action_id: str) -> dict[str, Any]:
        return self.service.release(action_id)

    def close(self) -> None:
        self.service.close()


class ActionBook:
    """The actions an in-memory provider answered, by action id and by ``request_id``, so a
    retried request gets the same action. Every method is thread-safe and returns copies.

    Example::

        book = ActionBook()
        doc = book.known(request_id) or book.record(request_id, action_status(...))
        doc, new = book.claim(request_id, lambda: action_status(...))   # atomically
        book.get(doc["action_id"])     # NotFound for an id it never recorded
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.actions: dict[str, dict[str, Any]] = {}
        self._by_request: dict[str, str] = {}

    def known(self, request_id: str) -> dict[str, Any] | None:
        """The action already answered for ``request_id``, if any."""
        with self.lock:
            found = self._by_request.get(request_id)
            return None if found is None else dict(self.actions[found])

    def claim(
        self, request_id: str, make: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], bool]:
        """The action answering ``request_id``, and whether it is new: the known one, or
        ``make()`` recorded, in one step (so two retries of a request never make two)."""
        with self.lock:
            found = self._by_request.get(request_id)
            if found is not None:
                return dict(self.actions[found]), False
            doc = make()
            self.actions[doc["action_id"]] = doc
            self._by_request[request_id] = doc["action_id"]
            return dict(doc), True

    def record(self, request_id: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Keep ``doc`` as the action answering ``request_id``."""
        with self.lock:
            self.actions[doc["action_id"]] = doc
            self._by_request[request_id] = doc["action_id"]
            return dict(doc)

    def find(self, action_id: str) -> dict[str, Any] | None:
        """The action ``action_id``, or None when this book never recorded it."""
        with self.lock:
            doc = self.actions.get(action_id)
            return None if doc is None else dict(doc)

    def get(self, action_id: str) -> dict[str, Any]:
        """The action ``action_id``; :class:`~gladier.exc.NotFound` when unknown."""
        doc = self.find(action_id)
        if doc is None:
            raise NotFound(f"Action {action_id} is not known to this provider")
        return doc

    def release(self, action_id: str) -> dict[str, Any]:
        """Forget the action if it has ended; return it as it was."""
        with self.lock:
            doc = self.actions.get(action_id)
            if doc is None:
                raise NotFound(f"Action {action_id} is not known to this provider")
            if doc["status"] in TERMINAL:
                del self.actions[action_id]
            return dict(doc)


class CallableProvider(ActionProvider):
    """Runs ``fn(body) -> details`` on a thread pool; a raised exception fails the action.

    The action is ACTIVE until the function returns; the runtime is notified at once, so a
    quick function completes without any polling delay. ``request_id`` is honoured: the same
    request never runs the function twice.
    """

    def __init__(self, fn: Callable[[Any], Any], *, max_workers: int = 8) -> None:
        self.fn = fn
        self._pool: ThreadPoolExecutor | None = None
        self._max_workers = max_workers
        self._lock = threading.Lock()
        self._book = ActionBook()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self._max_workers, thread_name_prefix="gladier-callable"
                )
            return self._pool

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        request_id = str(request.get("request_id") or uuid.uuid4())
        doc, new = self._book.claim(
            request_id, lambda: action_status(uuid.uuid4().hex, "ACTIVE", None, request)
        )
        if not new:  # the same request never runs the function twice
            return doc
        action_id = doc["action_id"]
        future = self._executor().submit(self.fn, request.get("body"))
        future.add_done_callback(lambda f: self._finish(action_id, f))
        return self._book.get(action_id)

    def _finish(self, action_id: str, future: Future[Any]) -> None:
        error = future.exception()
        with self._book.lock:
            doc = self._book.actions[action_id]
            if error is None:
                doc.update(status="SUCCEEDED", display_status="SUCCEEDED")
                doc["details"] = future.result()
            else:
                doc.update(status="FAILED", display_status="FAILED")
                message = getattr(error, "message", None) or str(error)
                doc["details"] = {
                    "error": type(error).__name__,
                    "description": message,
                    **({"body": error.body} if isinstance(error, ActionProviderError) else {}),
                }
            doc["completion_time"] = iso(None)
        if self.hooks is not None:
            self.hooks.notify(action_id)

    def status(self, action_id: str) -> dict[str, Any]:
        return self._book.get(action_id)

    def release(self, action_id: str) -> dict[str, Any]:
        return self._book.release(action_id)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
