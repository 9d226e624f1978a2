"""Reading a run's event log page by page, and only what is new.

Example::

    follower = LogFollower(runtime, run_id)
    follower.fetch()      # every entry so far
    follower.fetch()      # only the entries added since
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from gladier.progress.model import RunProgress

__all__ = ["PAGE_SIZE", "LogFollower", "RunSource", "read_progress"]

#: Log entries asked for per page (the Flows API allows up to 100).
PAGE_SIZE: Final = 100


class RunSource(Protocol):
    """What :func:`watch_run` needs: the two Flows calls (a Runtime or a client has them).

    A ``wait(run_id, timeout=...)`` method, when the object has one (the Runtime does), is used
    to pause between two looks, and returns early when the run ends.

    Example::

        watch_run(Runtime(), run_id)
        watch_run(globus_sdk.FlowsClient(...), run_id)
    """

    def get_run(self, run_id: str) -> Mapping[str, Any]: ...

    def get_run_logs(
        self, run_id: str, limit: int | None = None, marker: str | None = None
    ) -> Mapping[str, Any]: ...


class LogFollower:
    """Reads a run's log incrementally: each :meth:`fetch` returns only the new entries.

    It remembers the marker of the last page it read and how many entries that page had, so a
    poll costs one request of at most :data:`PAGE_SIZE` entries however long the log is.

    Example::

        follower = LogFollower(rt, run_id)
        follower.fetch()      # every entry so far
        follower.fetch()      # only the entries added since
    """

    def __init__(self, source: RunSource, run_id: str) -> None:
        self.source = source
        self.run_id = run_id
        self._marker: str | None = None
        self._seen_on_page = 0

    def fetch(self) -> list[dict[str, Any]]:
        new: list[dict[str, Any]] = []
        while True:
            if self._marker is None:
                page = self.source.get_run_logs(self.run_id, limit=PAGE_SIZE)
            else:
                page = self.source.get_run_logs(self.run_id, limit=PAGE_SIZE, marker=self._marker)
            entries = list(page.get("entries") or [])
            new.extend(dict(e) for e in entries[self._seen_on_page :])
            marker = page.get("marker")
            if page.get("has_next_page") and marker:
                self._marker = str(marker)
                self._seen_on_page = 0
                continue
            self._seen_on_page = len(entries)
            return new


def read_progress(source: RunSource, run_id: str) -> RunProgress:
    """The run's document and its whole log, folded into a :class:`RunProgress`.

    Example::

        read_progress(rt, run_id).failed_actions()    # [StateVisit('CountWords', ...)]
    """
    from gladier.progress.model import RunProgress

    progress = RunProgress(run_id)
    progress.set_run(source.get_run(run_id))
    progress.apply(LogFollower(source, run_id).fetch())
    return progress
