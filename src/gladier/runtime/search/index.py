"""A local Globus Search: indexes of subjects and entries in the runtime store, on SQLite FTS5.

An *entry* is one GMetaEntry: a ``subject`` (often a URL of the data), an ``entry_id`` (None
by default), the ``content`` object, and ``visible_to`` (``"public"`` or principal URNs).
Ingesting the same subject and entry id again replaces the entry. Queries return Globus
Search's ``GSearchResult``: one ``gmeta`` item per subject, paged with ``offset``/``limit``.

Visibility: the runtime has no Groups service, so the local user is treated as a member of
every group; entries visible only to *other* identities are hidden unless
``bypass_visible_to`` (an index owner's right in Globus). Pass ``principals`` to see what
someone else would see.

Example::

    store = SearchStore(db, identity_urn=rt.identity.urn)
    store.ingest("my-index", {"subject": "globus://c0ffee/scan1", "visible_to": ["public"],
                              "content": {"title": "Scan one", "energy": 12.4}})
    store.query("my-index", "scan")["gmeta"][0]["subject"]     # 'globus://c0ffee/scan1'
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.exc import NotFound, ServiceError, StateConflict
from gladier.runtime.search.query import (
    All,
    compile_filters,
    matches,
    parse,
    sort_key,
    text_of,
    to_fts,
    tokens,
)
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    from gladier.runtime.store import Database

log = logging.getLogger("gladier.runtime.search")

#: Most results one query can page through (as in Globus Search).
MAX_RESULTS = 10_000
PUBLIC = "public"
AUTHENTICATED = "all_authenticated_users"
GROUP_PREFIX = "urn:globus:groups:id:"
#: The full-text table, made on first use (and filled from the entries if they predate it).
FTS_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_text "
    "USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')"
)


def bad_request(message: str) -> ServiceError:
    return ServiceError(message, code="BadRequest", http_status=400)


def gmeta_entries(document: Any) -> list[dict[str, Any]]:
    """The GMetaEntry documents of a GIngest, GMetaList, GMetaEntry or list of entries."""
    if isinstance(document, list):
        return [_entry(e, i) for i, e in enumerate(document)]
    if not isinstance(document, Mapping):
        raise bad_request("an ingest document must be an object (GIngest, GMetaList or entry)")
    if "ingest_data" in document:
        return gmeta_entries(document["ingest_data"])
    if "gmeta" in document:
        entries = document["gmeta"]
        if not isinstance(entries, list):
            raise bad_request("gmeta must be a list of entries")
        return [_entry(e, i) for i, e in enumerate(entries)]
    return [_entry(document, 0)]


def _visible_to(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    flat: list[Any] = []
    for item in value if isinstance(value, list) else []:
        flat.extend(item if isinstance(item, list) else [item])
    if not flat or not all(isinstance(p, str) and p for p in flat):
        raise bad_request(
            'visible_to must be a non-empty list of "public", "all_authenticated_users" or '
            f"principal URNs, not {value!r}"
        )
    return flat


def _entry(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise bad_request(f"entry {index} must be an object with subject, visible_to, content")
    subject = raw.get("subject")
    if not isinstance(subject, str) or not subject:
        raise bad_request(f"entry {index}: subject must be a non-empty string, not {subject!r}")
    content = raw.get("content")
    if not isinstance(content, Mapping):
        raise bad_request(f"entry {index} ({subject}): content must be an object")
    entry_id = raw.get("id", raw.get("entry_id"))
    if entry_id is not None and not isinstance(entry_id, str):
        raise bad_request(f"entry {index} ({subject}): id must be a string or null")
    return {
        "subject": subject,
        "entry_id": entry_id,
        "content": dict(content),
        "visible_to": _visible_to(raw.get("visible_to")),
    }


def _check_index_id(index_id: Any) -> str:
    if not isinstance(index_id, str) or not index_id.strip() or len(index_id) > 128:
        raise bad_request(f"{index_id!r} is not a valid search index id")
    return index_id


class SearchStore:
    """Search indexes in one runtime store (see the module docstring)."""

    def __init__(self, db: Database, *, identity_urn: str) -> None:
        self.db = db
        self.identity_urn = identity_urn
        self._fts_ready: bool | None = None

    def _fts(self) -> bool:
        """Whether the FTS5 table is usable (made on first call; False without FTS5)."""
        if self._fts_ready is None:
            try:
                with self.db.write() as conn:
                    known = conn.execute(
                        "SELECT 1 FROM sqlite_master WHERE name = 'search_text'"
                    ).fetchone()
                    if known is None:
                        conn.execute(FTS_TABLE)
                        rows = conn.execute("SELECT id, content FROM search_entries").fetchall()
                        conn.executemany(
                            "INSERT INTO search_text(rowid, body) VALUES (?, ?)",
                            [(rowid, text_of(json.loads(content))) for rowid, content in rows],
                        )
                self._fts_ready = True
            except sqlite3.OperationalError as err:
                if "no such module" not in str(err):
                    raise
                log.warning("this SQLite has no FTS5; search queries scan every entry instead")
                self._fts_ready = False
        return self._fts_ready

    # ------------------------------------------------------------------ indexes
    def create_index(
        self, display_name: str, description: str = "", *, index_id: str | None = None
    ) -> dict[str, Any]:
        """Create an index (a new UUID unless ``index_id``); returns its GSearchIndex doc."""
        index_id = _check_index_id(index_id or str(uuid.uuid4()))
        with self.db.write() as conn:
            if self._index_row(conn, index_id) is not None:
                raise StateConflict(f"Search index {index_id} already exists")
            conn.execute(
                "INSERT INTO search_indexes(id, display_name, description, created_at) "
                "VALUES (?, ?, ?, ?)",
                (index_id, display_name, description, iso()),
            )
        return self.get_index(index_id)

    @staticmethod
    def _index_row(conn: sqlite3.Connection, index_id: str) -> tuple[Any, ...] | None:
        row = conn.execute(
            "SELECT id, display_name, description, created_at FROM search_indexes WHERE id = ?",
            (index_id,),
        ).fetchone()
        return None if row is None else tuple(row)

    def _ensure_index(self, conn: sqlite3.Connection, index_id: str) -> None:
        if self._index_row(conn, index_id) is None:
            conn.execute(
                "INSERT INTO search_indexes(id, display_name, description, created_at) "
                "VALUES (?, ?, ?, ?)",
                (index_id, index_id, "created on first ingest", iso()),
            )

    def _require(self, index_id: str) -> tuple[Any, ...]:
        row = self._index_row(self.db.read(), _check_index_id(index_id))
        if row is None:
            raise NotFound(
                f"Search index {index_id} does not exist; ingest into it (it is then created) "
                "or create it with Runtime.create_search_index."
            )
        return row

    def get_index(self, index_id: str) -> dict[str, Any]:
        """The GSearchIndex document of ``index_id`` (with subject and entry counts)."""
        row = self._require(index_id)
        subjects, entries = (
            self.db.read()
            .execute(
                "SELECT COUNT(DISTINCT subject), COUNT(*) FROM search_entries WHERE index_id = ?",
                (index_id,),
            )
            .fetchone()
        )
        return {
            "@datatype": "GSearchIndex",
            "@version": "2017-09-01",
            "id": row[0],
            "display_name": row[1],
            "description": row[2],
            "creation_date": row[3],
            "is_trial": False,
            "subscription_id": None,
            "status": "open",
            "num_subjects": subjects,
            "num_entries": entries,
            "permissions": ["owner"],
        }

    def list_indexes(self) -> list[dict[str, Any]]:
        """Every index, by display name."""
        rows = (
            self.db.read()
            .execute("SELECT id FROM search_indexes ORDER BY display_name, id")
            .fetchall()
        )
        return [self.get_index(r[0]) for r in rows]

    def delete_index(self, index_id: str) -> dict[str, Any]:
        """Delete an index and every entry in it; returns its last document."""
        doc = self.get_index(index_id)
        fts = self._fts()
        with self.db.write() as conn:
            if fts:
                conn.execute(
                    "DELETE FROM search_text WHERE rowid IN "
                    "(SELECT id FROM search_entries WHERE index_id = ?)",
                    (index_id,),
                )
            conn.execute("DELETE FROM search_entries WHERE index_id = ?", (index_id,))
            conn.execute("DELETE FROM search_indexes WHERE id = ?", (index_id,))
        return doc

    # ------------------------------------------------------------------ writing
    def ingest(self, index_id: str, document: Any) -> dict[str, Any]:
        """Add or replace entries (the index is created if unknown); the ingest response."""
        index_id = _check_index_id(index_id)
        entries = gmeta_entries(document)
        now = iso()
        fts = self._fts()
        with self.db.write() as conn:
            self._ensure_index(conn, index_id)
            for entry in entries:
                key = (index_id, entry["subject"], entry["entry_id"] or "")
                conn.execute(
                    "INSERT INTO search_entries(index_id, subject, entry_id, content, "
                    "visible_to, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(index_id, subject, entry_id) DO UPDATE SET "
                    "content = excluded.content, visible_to = excluded.visible_to, "
                    "updated_at = excluded.updated_at",
                    (*key, json.dumps(entry["content"]), json.dumps(entry["visible_to"]), now),
                )
                if not fts:
                    continue
                rowid = conn.execute(
                    "SELECT id FROM search_entries WHERE index_id = ? AND subject = ? "
                    "AND entry_id = ?",
                    key,
                ).fetchone()[0]
                conn.execute("DELETE FROM search_text WHERE rowid = ?", (rowid,))
                conn.execute(
                    "INSERT INTO search_text(rowid, body) VALUES (?, ?)",
                    (rowid, text_of(entry["content"])),
                )
        return {
            "acknowledged": True,
            "success": True,
            "task_id": str(uuid.uuid4()),
            "as_identity": self.identity_urn,
            "num_documents_ingested": len(entries),
        }

    def _delete_rows(self, conn: sqlite3.Connection, ids: Sequence[int], fts: bool) -> int:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            if fts:
                conn.execute(f"DELETE FROM search_text WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM search_entries WHERE id IN ({marks})", chunk)
        return len(ids)

    def delete_subject(self, index_id: str, subject: str) -> int:
        """Delete every entry of ``subject``; returns how many entries were removed."""
        self._require(index_id)
        fts = self._fts()
        with self.db.write() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM search_entries WHERE index_id = ? AND subject = ?",
                    (index_id, subject),
                )
            ]
            return self._delete_rows(conn, ids, fts)

    def delete_entry(self, index_id: str, subject: str, entry_id: str | None = None) -> int:
        """Delete one entry (``entry_id`` None is the default entry); returns 0 or 1."""
        self._require(index_id)
        fts = self._fts()
        with self.db.write() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM search_entries WHERE index_id = ? AND subject = ? "
                    "AND entry_id = ?",
                    (index_id, subject, entry_id or ""),
                )
            ]
            return self._delete_rows(conn, ids, fts)

    def delete_by_query(
        self, index_id: str, q: str = "*", *, advanced: bool = False, filters: Any = None
    ) -> int:
        """Delete every entry matching ``q`` and ``filters`` (whoever may see it)."""
        self._require(index_id)
        rows = self._candidates(index_id, q, advanced=advanced, filters=filters)
        fts = self._fts()
        with self.db.write() as conn:
            return self._delete_rows(conn, [r[0] for r in rows], fts)

    # ------------------------------------------------------------------ reading
    def _candidates(
        self, index_id: str, q: str, *, advanced: bool, filters: Any
    ) -> list[tuple[int, str, str, Any, list[str]]]:
        """Matching entries, best first: (rowid, subject, entry_id, content, visible_to)."""
        node = parse(q, advanced=advanced)
        keep = compile_filters(filters)
        base = "SELECT e.id, e.subject, e.entry_id, e.content, e.visible_to FROM search_entries e"
        expression = None if isinstance(node, All) or not self._fts() else to_fts(node)
        reader = self.db.read()
        if expression is not None:
            rows = reader.execute(
                f"{base} JOIN search_text t ON t.rowid = e.id WHERE search_text MATCH ? "
                "AND e.index_id = ? ORDER BY bm25(search_text), e.id",
                (expression, index_id),
            ).fetchall()
        else:
            rows = reader.execute(
                f"{base} WHERE e.index_id = ? ORDER BY e.id", (index_id,)
            ).fetchall()
        found = []
        for rowid, subject, entry_id, content_json, visible_json in rows:
            content = json.loads(content_json)
            pending = expression is None and not isinstance(node, All)
            if pending and not matches(node, content, tokens(text_of(content))):
                continue
            if keep(content):
                found.append((rowid, subject, entry_id, content, json.loads(visible_json)))
        return found

    def _matched(
        self, visible_to: list[str], principals: Sequence[str] | None, bypass: bool
    ) -> list[list[str]] | None:
        if bypass:
            return [[p] for p in visible_to]
        mine = {self.identity_urn} if principals is None else set(principals)
        authenticated = any(p.startswith("urn:globus:auth:identity:") for p in mine)
        matched = [
            [p]
            for p in visible_to
            if p == PUBLIC
            or p in mine
            or (p == AUTHENTICATED and authenticated)
            or (principals is None and p.startswith(GROUP_PREFIX))
        ]
        return matched or None

    def query(
        self,
        index_id: str,
        q: str = "*",
        *,
        offset: int = 0,
        limit: int = 10,
        advanced: bool = False,
        filters: Any = None,
        sort: Sequence[Mapping[str, Any]] | None = None,
        principals: Sequence[str] | None = None,
        bypass_visible_to: bool = False,
    ) -> dict[str, Any]:
        """One page of the subjects matching ``q``: a Globus ``GSearchResult`` document."""
        self._require(index_id)
        for name, value in (("offset", offset), ("limit", limit)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise bad_request(f"{name} must be a non-negative integer, not {value!r}")
        if offset + limit > MAX_RESULTS:
            raise bad_request(
                f"offset + limit must be at most {MAX_RESULTS}; narrow the query instead"
            )
        found = self._candidates(index_id, q, advanced=advanced, filters=filters)
        visible = []
        for _, subject, entry_id, content, visible_to in found:
            principal_sets = self._matched(visible_to, principals, bypass_visible_to)
            if principal_sets is not None:
                visible.append((subject, entry_id, content, principal_sets))
        for spec in reversed(list(sort or [])):
            field = spec.get("field_name")
            if not isinstance(field, str):
                raise bad_request("each sort item needs a field_name")
            key = sort_key(field)
            descending = str(spec.get("order", "asc")).lower() == "desc"
            present = [v for v in visible if key(v[2])[0] < 2]
            missing = [v for v in visible if key(v[2])[0] == 2]
            present.sort(key=lambda v: key(v[2]), reverse=descending)
            visible = present + missing
        subjects: dict[str, list[dict[str, Any]]] = {}
        for subject, entry_id, content, principal_sets in visible:
            subjects.setdefault(subject, []).append(
                {
                    "entry_id": entry_id or None,
                    "content": content,
                    "matched_principal_sets": principal_sets,
                }
            )
        ordered = list(subjects.items())
        page = ordered[offset : offset + limit]
        return {
            "@datatype": "GSearchResult",
            "@version": "2017-09-01",
            "count": len(page),
            "offset": offset,
            "total": len(ordered),
            "has_next_page": offset + len(page) < min(len(ordered), MAX_RESULTS),
            "gmeta": [
                {
                    "@datatype": "GMetaResult",
                    "@version": "2019-08-27",
                    "subject": subject,
                    "entries": entries,
                }
                for subject, entries in page
            ],
        }

    def get_subject(
        self,
        index_id: str,
        subject: str,
        *,
        principals: Sequence[str] | None = None,
        bypass_visible_to: bool = False,
    ) -> dict[str, Any]:
        """The GMetaResult of one subject (its visible entries); NotFound if none."""
        self._require(index_id)
        rows = (
            self.db.read()
            .execute(
                "SELECT entry_id, content, visible_to FROM search_entries "
                "WHERE index_id = ? AND subject = ? ORDER BY entry_id",
                (index_id, subject),
            )
            .fetchall()
        )
        entries = []
        for entry_id, content, visible_json in rows:
            sets = self._matched(json.loads(visible_json), principals, bypass_visible_to)
            if sets is not None:
                entries.append(
                    {
                        "entry_id": entry_id or None,
                        "content": json.loads(content),
                        "matched_principal_sets": sets,
                    }
                )
        if not entries:
            raise NotFound(f"Subject {subject!r} is not in search index {index_id}")
        return {
            "@datatype": "GMetaResult",
            "@version": "2019-08-27",
            "subject": subject,
            "entries": entries,
        }
