"""A run's event log and state in the store, with each large value written once.

An event that carries a copy of the run state (``StateCompleted`` and its kin, the final
output) is kept as ``head``, ``value`` and ``tail``: its details are exactly
``head + value + tail``. A value at least :data:`SHARED_VALUE_BYTES` long is written once
per commit to the ``state_values`` table and the event row refers to it by id; the run row
refers to its current state the same way (``state_id``), and a value that did not change
since the run's last commit is not written again. A state that a step changed under one
top-level key is a :class:`Patched` value: a row that names its base (the last full copy)
and holds only the keys set since. Reading joins the value back, so the log
documents are byte for byte those of a store that kept every copy inline (as stores before
schema 7 did; their rows still read back unchanged).

Example::

    writer = ValueWriter(conn)
    insert_events(conn, writer, live_run.pending, live_run.stored_value)
    entries = [entry(*row) for row in conn.execute(ENTRY_SELECT + " WHERE e.run_id = ?", (rid,))]
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Values at least this long are stored once in ``state_values`` and referred to; shorter
#: ones stay inline in their row (a reference would cost more than it saves).
SHARED_VALUE_BYTES = 512


@dataclass(frozen=True)
class Patched:
    """A JSON object value given as the object ``base`` (its JSON) with the top-level keys of
    the object ``patch`` (its JSON) set: keys ``base`` has keep their place, new ones follow
    in ``patch``'s order, exactly as setting them on a Python dict does.

    Example::

        >>> Patched('{"a":1,"b":2}', '{"b":3,"c":4}').text()
        '{"a":1,"b":3,"c":4}'
    """

    base: str
    patch: str

    def text(self) -> str:
        return apply_patch(self.base, self.patch)


def apply_patch(base: str, patch: str) -> str:
    """The JSON of the object ``base`` with the keys of the object ``patch`` set."""
    value = json.loads(base)
    value.update(json.loads(patch))
    return json.dumps(value, separators=(",", ":"))


#: An event not yet committed: run_id, seq, time, code, description, head, value, tail.
#: Its details are ``head + value + tail`` (``value`` None: nothing between them).
PendingEvent = tuple[str, int, str, str, str, str, "str | Patched | None", str]

#: Columns of a log entry: time, code, description, details head, shared body, tail, and
#: for a patched value its patch and the body of its base.
ENTRY_SELECT = (
    "SELECT e.time, e.code, e.description, e.details, v.body, e.tail, v.patch, b.body "
    "FROM events e LEFT JOIN state_values v ON v.id = e.value_id "
    "LEFT JOIN state_values b ON b.id = v.base_id"
)


def details_text(
    head: str,
    body: str | None,
    tail: str | None,
    patch: str | None = None,
    base: str | None = None,
) -> str:
    """The details JSON of an event row (``body`` and ``tail`` are None for inline rows)."""
    if body is None:
        return head
    if patch is not None and base is not None:
        body = apply_patch(base, patch)
    return head + body + (tail or "")


def value_text(value: str | Patched | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.text()


def pending_details(event: PendingEvent) -> str:
    """The details JSON of an event not yet committed."""
    return event[5] + value_text(event[6]) + event[7]


def entry(
    when: str,
    code: str,
    description: str,
    head: str,
    body: str | None,
    tail: str | None,
    patch: str | None = None,
    base: str | None = None,
) -> dict[str, Any]:
    """One log entry (spec §8.5) from a row selected with :data:`ENTRY_SELECT`."""
    return {
        "time": when,
        "code": code,
        "description": description,
        "details": json.loads(details_text(head, body, tail, patch, base)),
    }


def event_tuple(row: Iterable[Any]) -> tuple[str, str, str, str]:
    """``(time, code, description, details_json)`` from an :data:`ENTRY_SELECT` row."""
    when, code, description, head, body, tail, patch, base = row
    return (when, code, description, details_text(head, body, tail, patch, base))


class ValueWriter:
    """Writes each distinct large value of one run once within one transaction.

    ``known`` seeds values already in the store (``(run_id, text) -> id``), such as a run's
    state as of its last commit.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.ids: dict[tuple[str, str], int] = {}

    def ref(self, run_id: str, text: str | Patched, known: tuple[str, int] | None = None) -> int:
        """The id of ``text`` as a value of ``run_id``, written now if it is not stored yet."""
        if isinstance(text, Patched):
            return self._patched(run_id, text, known)
        if known is not None and (known[0] is text or known[0] == text):
            return known[1]
        key = (run_id, text)
        found = self.ids.get(key)
        if found is None:
            cur = self.conn.execute(
                "INSERT INTO state_values(run_id, body) VALUES (?, ?)", (run_id, text)
            )
            found = int(cur.lastrowid or 0)
            self.ids[key] = found
        return found

    def _patched(self, run_id: str, value: Patched, known: tuple[str, int] | None) -> int:
        base_id = self.ref(run_id, value.base, known)
        key = (run_id, f"{base_id}\0{value.patch}")
        found = self.ids.get(key)
        if found is None:
            cur = self.conn.execute(
                "INSERT INTO state_values(run_id, body, base_id, patch) VALUES (?, '', ?, ?)",
                (run_id, base_id, value.patch),
            )
            found = int(cur.lastrowid or 0)
            self.ids[key] = found
        return found

    def discard(self, run_id: str) -> None:
        """Remove the values written in this transaction for ``run_id`` (its write was fenced
        off: another process owns the run now)."""
        for (owner, _text), value_id in list(self.ids.items()):
            if owner == run_id:
                self.conn.execute("DELETE FROM state_values WHERE id = ?", (value_id,))
                del self.ids[(owner, _text)]


def insert_events(
    conn: sqlite3.Connection,
    writer: ValueWriter,
    events: Iterable[PendingEvent],
    known: tuple[str, int] | None = None,
) -> None:
    """Insert ``events`` (of one or more runs), their large values through ``writer``;
    ``known`` is a value already stored for the run of these events."""
    insert_event_rows(conn, event_rows(writer, events, known))


#: One row of the events table, as :func:`event_rows` makes it.
EventRow = tuple[str, int, str, str, str, str, int | None, str | None]


def event_rows(
    writer: ValueWriter, events: Iterable[PendingEvent], known: tuple[str, int] | None = None
) -> list[EventRow]:
    """The rows of ``events`` (their large values written now through ``writer``), for
    :func:`insert_event_rows`: a caller storing the events of many runs inserts them at once."""
    rows: list[EventRow] = []
    for run_id, seq, when, code, description, head, value, tail in events:
        if isinstance(value, Patched) or (value is not None and len(value) >= SHARED_VALUE_BYTES):
            value_id = writer.ref(run_id, value, known)
            rows.append((run_id, seq, when, code, description, head, value_id, tail))
        else:
            details = head + value_text(value) + tail
            rows.append((run_id, seq, when, code, description, details, None, None))
    return rows


def insert_event_rows(conn: sqlite3.Connection, rows: list[EventRow]) -> None:
    """Insert rows made by :func:`event_rows`."""
    conn.executemany(
        "INSERT INTO events(run_id, seq, time, code, description, details, value_id, tail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def stored_state(
    writer: ValueWriter, run_id: str, text: str, known: tuple[str, int] | None = None
) -> tuple[str, int | None]:
    """``(state column, state_id)`` for a run whose state is ``text``."""
    if len(text) >= SHARED_VALUE_BYTES:
        return "", writer.ref(run_id, text, known)
    return text, None


def load_value(conn: sqlite3.Connection, value_id: int) -> str:
    """The body of a stored value."""
    row = conn.execute(
        "SELECT v.body, v.patch, b.body FROM state_values v "
        "LEFT JOIN state_values b ON b.id = v.base_id WHERE v.id = ?",
        (value_id,),
    ).fetchone()
    if row is None:
        raise LookupError(f"value {value_id} is missing from the store")
    if row[1] is not None and row[2] is not None:
        return apply_patch(str(row[2]), str(row[1]))
    return str(row[0])
