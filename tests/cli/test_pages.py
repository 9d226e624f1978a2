"""Marker pagination of the listing commands."""

from __future__ import annotations

from typing import Any

from gladier.cli.pages import collect_pages


def test_collect_pages_stops_at_the_limit() -> None:
    calls: list[tuple[str | None, int]] = []

    def fetch(marker: str | None, size: int) -> dict[str, Any]:
        calls.append((marker, size))
        start = int(marker or 0)
        return {
            "items": list(range(start, start + size)),
            "has_next_page": True,
            "marker": str(start + size),
        }

    assert collect_pages(fetch, "items", 150) == list(range(150))
    assert calls == [(None, 100), ("100", 50)]


def test_collect_pages_gathers_every_page_without_a_limit() -> None:
    pages: dict[str | None, dict[str, Any]] = {
        None: {"runs": [1, 2], "has_next_page": True, "marker": "m"},
        "m": {"runs": [3], "has_next_page": False},
    }
    assert collect_pages(lambda marker, n: pages[marker], "runs", None) == [1, 2, 3]
