"""Timestamps as the Flows service writes them: ISO 8601 with microseconds and offset."""

from __future__ import annotations

import time
from datetime import datetime, timezone


def iso(epoch: float | None = None) -> str:
    """``epoch`` (default: now) as ``2026-11-27T19:36:16.123456+00:00``.

    Example::

        >>> iso(0)
        '1970-01-01T00:00:00+00:00'
    """
    moment = datetime.fromtimestamp(time.time() if epoch is None else epoch, tz=timezone.utc)
    return moment.isoformat()
