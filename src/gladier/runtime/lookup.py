"""Finding stored ids from their first characters (``gladier runs show 2cb08e09``).

Example::

    from gladier.runtime.lookup import ids_starting_with
    ids_starting_with(rt, "run", "2cb08e09")     # ['2cb08e09-5ec8-43b5-90f5-5ff3cc301666']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from gladier.exc import ConfigException

if TYPE_CHECKING:
    from gladier.runtime.runtime import Runtime

#: For each kind of object: its table, its id column and what makes a row visible.
KINDS: Final = {
    "run": ("runs", "run_id", "released = 0"),
    "flow": ("flows", "id", "deleted = 0"),
    "function": ("compute_functions", "id", "1 = 1"),
    "endpoint": ("compute_endpoints", "id", "1 = 1"),
    "collection": ("collections", "id", "1 = 1"),
}


def ids_starting_with(rt: Runtime, kind: str, prefix: str, limit: int = 10) -> list[str]:
    """The ids of ``kind`` (run, flow, function, endpoint, collection) that start with
    ``prefix`` (case-insensitive), sorted, at most ``limit`` of them.

    Example::

        ids_starting_with(rt, "flow", "9b7e")    # ['9b7e4043-8413-47a3-84f0-cd5baf5e5a6f']
    """
    if kind not in KINDS:
        raise ConfigException(f"Unknown kind of id {kind!r}; use one of {', '.join(KINDS)}.")
    table, column, visible = KINDS[kind]
    low = prefix.strip().lower()
    if not low:
        return []
    rt.open()
    rows = (
        rt.db.read()
        .execute(
            f"SELECT {column} FROM {table} WHERE {column} >= ? AND {column} < ? AND {visible} "
            f"ORDER BY {column} LIMIT ?",
            (low, low + "\uffff", limit),
        )
        .fetchall()
    )
    return [str(row[0]) for row in rows]


__all__ = ["KINDS", "ids_starting_with"]
