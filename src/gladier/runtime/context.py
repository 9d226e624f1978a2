"""What the per-service objects of a runtime share: store, clock, options, identity, scheduler.

A :class:`RuntimeContext` is made by :class:`~gladier.runtime.Runtime` and handed to
``rt.flows``, ``rt.runs`` and the others; none of them holds the ``Runtime`` itself. A
service can be used on a context of its own, without any ``Runtime``:

Example::

    from pathlib import Path

    from gladier.runtime.api_flows import FlowsAPI
    from gladier.runtime.context import RuntimeContext

    ctx = RuntimeContext.standalone(Path("/tmp/flows-only"))
    flows = FlowsAPI(ctx)
    flows.create_flow("hello", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    ctx.db.close()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gladier.exc import ConfigException
from gladier.runtime.clock import Clock, SystemClock
from gladier.runtime.identity import LocalIdentity
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.store import Database

if TYPE_CHECKING:
    from gladier.runtime.engine import Engine

#: The store file of a runtime home.
DB_NAME = "runtime.db"


def _no_scheduler() -> Engine:
    raise ConfigException("This runtime context has no scheduler: runs cannot be started here.")


def _not_running() -> Engine | None:
    return None


@dataclass(frozen=True)
class RuntimeContext:
    """The store, clock, options and identity of one runtime home, and its scheduler."""

    #: The runtime home (named in error messages).
    home: Path
    #: The store of the home.
    db: Database
    #: The runtime's clock.
    clock: Clock
    #: The runtime's options.
    options: RuntimeOptions
    #: Who the runtime acts for.
    identity: LocalIdentity
    #: Open the store if it is not open yet (called before every use of it).
    ready: Callable[[], None]
    #: The scheduler, started now if it is not running yet (operations that write runs).
    scheduler: Callable[[], Engine] = field(default=_no_scheduler)
    #: The scheduler if it is running, else None (reads never start it).
    running: Callable[[], Engine | None] = field(default=_not_running)

    @classmethod
    def standalone(
        cls,
        home: Path,
        *,
        clock: Clock | None = None,
        options: RuntimeOptions | None = None,
        identity: LocalIdentity | None = None,
    ) -> RuntimeContext:
        """A context on ``home`` with no scheduler; its store opens on first use."""
        db = Database(home / DB_NAME)
        opened: list[bool] = []

        def ready() -> None:
            if not opened:
                db.open()
                opened.append(True)

        return cls(
            home=home,
            db=db,
            clock=clock or SystemClock(),
            options=options or RuntimeOptions(),
            identity=identity or LocalIdentity(),
            ready=ready,
        )


__all__ = ["DB_NAME", "RuntimeContext"]
