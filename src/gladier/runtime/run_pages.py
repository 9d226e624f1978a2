"""Pages of the run list whose cost does not grow with their depth or the store's size.

Runs are listed by one key (``start_time`` newest first unless told otherwise), ties newest
first (the row order of the store). A page's marker holds the key and row id of its last
run, so the next page starts right after it through an index instead of skipping the rows
before it. Equal keys form a group; the walk reads the rest of the current group (index order
within one key value is row order), then asks the index for the next key value, and so on, so
each step is an index lookup whatever the number of runs or the size of a group. NULL keys
(a run not finished has no ``completion_time``) sort first ascending and last descending, as
SQLite orders them.

Example::

    rows, after = runs_page(conn, "run_id, status", [("status", ["ACTIVE"])],
                            ("start_time", "DESC"), None, 20)
    more, _ = runs_page(conn, "run_id, status", [("status", ["ACTIVE"])],
                        ("start_time", "DESC"), after, 20)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

#: Fields a run list may be ordered by with a marker that holds the last key.
KEYED_FIELDS = frozenset({"start_time", "completion_time", "status", "label", "run_id"})

_END = object()


def _branches(filters: Sequence[tuple[str, Sequence[Any]]]) -> list[tuple[str, list[Any]]]:
    """One ``(where, args)`` per combination of filter values, each an index equality: a
    list of several values is read value by value and merged, so no branch needs a sort."""
    combos: list[list[tuple[str, Any]]] = [[]]
    for column, values in filters:
        if values:
            combos = [[*c, (column, v)] for c in combos for v in dict.fromkeys(values)]
    out = []
    for combo in combos:
        where = "released = 0" + "".join(f" AND {column} = ?" for column, _ in combo)
        out.append((where, [v for _, v in combo]))
    return out


def runs_page(
    conn: sqlite3.Connection,
    columns: str,
    filters: Sequence[tuple[str, Sequence[Any]]],
    order: tuple[str, str],
    after: Sequence[Any] | None,
    size: int,
) -> tuple[list[tuple[Any, ...]], list[Any] | None]:
    """Up to ``size`` rows (``columns``) after the key ``after``; and the key of the last row
    when more rows follow (else None). ``order`` is ``(field, "ASC"|"DESC")``."""
    field, direction = order
    if field not in KEYED_FIELDS or direction not in ("ASC", "DESC"):
        raise ValueError(f"cannot page by {order!r}")
    branches = _branches(filters)
    if field == "run_id":  # unique: the key alone says where to go on
        got: list[Any] = []
        for where, args in branches:
            sql = f"SELECT run_id, {columns} FROM runs WHERE {where}"
            params = list(args)
            if after is not None:
                sql += f" AND run_id {'>' if direction == 'ASC' else '<'} ?"
                params.append(after[0])
            sql += f" ORDER BY run_id {direction} LIMIT ?"
            got += conn.execute(sql, [*params, size + 1]).fetchall()
        got.sort(key=lambda r: r[0], reverse=direction == "DESC")
        got = got[: size + 1]
        rows = [tuple(r[1:]) for r in got[:size]]
        return rows, ([got[size - 1][0], 0] if len(got) > size else None)
    walk = _GroupWalk(conn, columns, field, direction, branches)
    group: Any
    below: int | None
    if after is None:
        group, below = walk.first(), None
    else:
        group, below = after[0], int(after[1])
    found: list[tuple[Any, int, tuple[Any, ...]]] = []
    while group is not _END and len(found) <= size:
        need = size + 1 - len(found)
        got = walk.rows(group, below, need)
        found += [(group, int(r[0]), tuple(r[1:])) for r in got]
        if len(got) < need:
            group, below = walk.next(group), None
    rows = [r for _, _, r in found[:size]]
    if len(found) > size:
        last = found[size - 1]
        return rows, [last[0], last[1]]
    return rows, None


class _GroupWalk:
    """Index lookups over the groups of equal ``field`` among the filtered runs."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        columns: str,
        field: str,
        direction: str,
        branches: list[tuple[str, list[Any]]],
    ) -> None:
        self.conn = conn
        self.columns = columns
        self.field = field
        self.asc = direction == "ASC"
        self.branches = branches

    def _key(self, condition: str, params: Sequence[Any], direction: str) -> Any:
        found: list[Any] = []
        for where, args in self.branches:
            row = self.conn.execute(
                f"SELECT {self.field} FROM runs WHERE {where}{condition} "
                f"ORDER BY {self.field} {direction} LIMIT 1",
                [*args, *params],
            ).fetchone()
            if row is not None:
                found.append(row[0])
        if not found:
            return _END
        if None in found:  # only asked for ascending, where NULL comes first
            return None
        return min(found) if direction == "ASC" else max(found)

    def _has_nulls(self) -> bool:
        for where, args in self.branches:
            row = self.conn.execute(
                f"SELECT 1 FROM runs WHERE {where} AND {self.field} IS NULL LIMIT 1", args
            ).fetchone()
            if row is not None:
                return True
        return False

    def first(self) -> Any:
        if self.asc:
            return self._key("", (), "ASC")  # NULL first, when there is one
        top = self._key(f" AND {self.field} IS NOT NULL", (), "DESC")
        if top is _END:
            return None if self._has_nulls() else _END
        return top

    def next(self, group: Any) -> Any:
        if self.asc:
            if group is None:
                return self._key(f" AND {self.field} IS NOT NULL", (), "ASC")
            return self._key(f" AND {self.field} > ?", (group,), "ASC")
        if group is None:
            return _END
        lower = self._key(f" AND {self.field} < ?", (group,), "DESC")
        if lower is _END:
            return None if self._has_nulls() else _END
        return lower

    def rows(self, group: Any, below: int | None, limit: int) -> list[Any]:
        got: list[Any] = []
        for where, args in self.branches:
            sql = f"SELECT rowid, {self.columns} FROM runs WHERE {where} AND {self.field} IS ?"
            params: list[Any] = [*args, group]
            if below is not None:
                sql += " AND rowid < ?"
                params.append(below)
            sql += " ORDER BY rowid DESC LIMIT ?"
            got += self.conn.execute(sql, [*params, limit]).fetchall()
        if len(self.branches) > 1:
            got.sort(key=lambda r: -int(r[0]))
        return got[:limit]
