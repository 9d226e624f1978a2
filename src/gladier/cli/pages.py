"""Marker pagination, followed to the end: how every listing command gathers its rows.

Example::

    flows = collect_pages(lambda marker, n: rt.list_flows(marker=marker, per_page=n), "flows", 50)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["collect_pages"]


def collect_pages(
    fetch: Callable[[str | None, int], Mapping[str, Any]], key: str, limit: int | None
) -> list[dict[str, Any]]:
    """Follow ``marker`` pagination until ``limit`` items (``None``: all) were gathered.

    Example::

        >>> pages = {None: {"runs": [1, 2], "has_next_page": True, "marker": "m"},
        ...          "m": {"runs": [3], "has_next_page": False}}
        >>> collect_pages(lambda marker, n: pages[marker], "runs", None)
        [1, 2, 3]
    """
    items: list[dict[str, Any]] = []
    marker: str | None = None
    while True:
        want = 100 if limit is None else min(100, max(1, limit - len(items)))
        page = fetch(marker, want)
        items.extend(page.get(key) or [])
        marker = page.get("marker")
        if limit is not None and len(items) >= limit:
            return items[:limit]
        if not page.get("has_next_page") or not marker:
            return items
