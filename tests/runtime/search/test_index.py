"""The local index: ingest, replace, query with paging, visibility, deletes, indexes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gladier.exc import NotFound, ServiceError, StateConflict
from gladier.runtime import Runtime
from gladier.runtime.search.index import SearchStore

from .conftest import GROUP, ME, OTHER


def entry(subject: str, content: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"subject": subject, "visible_to": ["public"], "content": content, **extra}


def subjects(result: dict[str, Any]) -> list[str]:
    return [g["subject"] for g in result["gmeta"]]


@pytest.fixture
def filled(store: SearchStore) -> SearchStore:
    store.ingest(
        "idx",
        {
            "ingest_type": "GMetaList",
            "ingest_data": {
                "gmeta": [
                    entry(
                        f"s{i:02d}", {"title": f"scan {i}", "n": i, "kind": ["even", "odd"][i % 2]}
                    )
                    for i in range(25)
                ]
            },
        },
    )
    return store


def test_result_shape_and_paging(filled: SearchStore) -> None:
    first = filled.query("idx", "scan", limit=10)
    assert first["@datatype"] == "GSearchResult"
    assert (first["count"], first["offset"], first["total"], first["has_next_page"]) == (
        10,
        0,
        25,
        True,
    )
    hit = first["gmeta"][0]
    assert hit["@datatype"] == "GMetaResult" and set(hit) >= {"subject", "entries"}
    assert set(hit["entries"][0]) == {"entry_id", "content", "matched_principal_sets"}
    assert hit["entries"][0]["matched_principal_sets"] == [["public"]]
    pages = [filled.query("idx", "*", offset=o, limit=10) for o in (0, 10, 20)]
    assert [p["count"] for p in pages] == [10, 10, 5]
    assert [p["has_next_page"] for p in pages] == [True, True, False]
    seen = [s for p in pages for s in subjects(p)]
    assert sorted(seen) == [f"s{i:02d}" for i in range(25)] and len(set(seen)) == 25
    assert filled.query("idx", "*", offset=30)["gmeta"] == []


def test_standard_query_ranks_entries_with_more_terms_first(store: SearchStore) -> None:
    store.ingest("idx", [entry("a", {"t": "apple"}), entry("b", {"t": "apple banana"})])
    assert subjects(store.query("idx", "apple banana")) == ["b", "a"]
    assert subjects(store.query("idx", "banana")) == ["b"]
    assert subjects(store.query("idx", "app*")) == ["a", "b"]


def test_advanced_queries_filters_and_sort(filled: SearchStore) -> None:
    result = filled.query("idx", "n:[5 TO 9] AND kind:odd", advanced=True)
    assert subjects(result) == ["s05", "s07", "s09"]
    result = filled.query(
        "idx",
        "*",
        filters=[{"type": "range", "field_name": "n", "values": [{"from": 20, "to": "*"}]}],
        sort=[{"field_name": "n", "order": "desc"}],
    )
    assert subjects(result) == ["s24", "s23", "s22", "s21", "s20"]
    assert filled.query("idx", "scan AND NOT kind:even", advanced=True)["total"] == 12


def test_ingest_replaces_entries_and_keeps_several_per_subject(store: SearchStore) -> None:
    store.ingest("idx", entry("s", {"title": "first"}))
    store.ingest("idx", entry("s", {"title": "second"}))
    store.ingest("idx", entry("s", {"title": "files"}, id="files"))
    assert store.query("idx", "first")["total"] == 0
    got = store.get_subject("idx", "s")
    assert [(e["entry_id"], e["content"]["title"]) for e in got["entries"]] == [
        (None, "second"),
        ("files", "files"),
    ]
    index = store.get_index("idx")
    assert (index["num_subjects"], index["num_entries"]) == (1, 2)


def test_visible_to(store: SearchStore) -> None:
    store.ingest(
        "idx",
        [
            {"subject": "public", "visible_to": "public", "content": {"t": "x"}},
            {"subject": "mine", "visible_to": [ME], "content": {"t": "x"}},
            {"subject": "group", "visible_to": [GROUP], "content": {"t": "x"}},
            {"subject": "other", "visible_to": [OTHER], "content": {"t": "x"}},
            {"subject": "authed", "visible_to": ["all_authenticated_users"], "content": {"t": "x"}},
        ],
    )
    assert sorted(subjects(store.query("idx", "x"))) == ["authed", "group", "mine", "public"]
    as_other = store.query("idx", "x", principals=[OTHER])
    assert sorted(subjects(as_other)) == ["authed", "other", "public"]
    assert store.query("idx", "x", bypass_visible_to=True)["total"] == 5
    mine = store.query("idx", "x", principals=[ME, GROUP])["gmeta"]
    sets = {g["subject"]: g["entries"][0]["matched_principal_sets"] for g in mine}
    assert sets["group"] == [[GROUP]] and sets["mine"] == [[ME]]
    with pytest.raises(NotFound):
        store.get_subject("idx", "other")


def test_deletes(filled: SearchStore) -> None:
    filled.ingest("idx", entry("s00", {"title": "extra"}, id="second"))
    assert filled.delete_entry("idx", "s00", "second") == 1
    assert filled.delete_subject("idx", "s01") == 1
    assert filled.delete_by_query("idx", "kind:even", advanced=True) == 13
    assert filled.query("idx", "*")["total"] == 11
    assert filled.delete_by_query("idx", "*") == 11
    assert filled.query("idx", "scan")["total"] == 0


def test_index_management(store: SearchStore) -> None:
    doc = store.create_index("results", "beamline results")
    assert doc["@datatype"] == "GSearchIndex" and doc["num_entries"] == 0
    with pytest.raises(StateConflict):
        store.create_index("again", index_id=doc["id"])
    store.ingest("auto-created", entry("s", {"a": 1}))
    assert {i["id"] for i in store.list_indexes()} == {doc["id"], "auto-created"}
    store.delete_index("auto-created")
    with pytest.raises(NotFound, match="does not exist"):
        store.query("auto-created", "*")
    assert store.query(doc["id"], "*")["total"] == 0


@pytest.mark.parametrize(
    "document",
    [
        {"subject": "", "visible_to": ["public"], "content": {}},
        {"subject": "s", "visible_to": [], "content": {}},
        {"subject": "s", "visible_to": ["public"], "content": "text"},
        {"subject": "s", "visible_to": ["public"], "content": {}, "id": 3},
        "nonsense",
    ],
)
def test_bad_ingest_documents(store: SearchStore, document: Any) -> None:
    with pytest.raises(ServiceError) as info:
        store.ingest("idx", document)
    assert info.value.http_status == 400


def test_paging_limits(filled: SearchStore) -> None:
    for kwargs in ({"limit": -1}, {"offset": 9_999, "limit": 10}, {"limit": True}):
        with pytest.raises(ServiceError):
            filled.query("idx", "*", **kwargs)


def test_runtime_search_api(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        index = rt.create_search_index("results")["id"]
        answer = rt.search_ingest(index, entry("globus://c/x", {"title": "Scan one"}))
        assert answer["success"] and answer["num_documents_ingested"] == 1
        assert rt.search_query(index, "scan")["gmeta"][0]["subject"] == "globus://c/x"
        assert rt.search_get_subject(index, "globus://c/x")["entries"][0]["entry_id"] is None
        assert rt.get_search_index(index)["num_entries"] == 1
        assert [i["id"] for i in rt.list_search_indexes()] == [index]
        assert rt.search_delete_entry(index, "globus://c/x") == 1
        rt.search_ingest(index, entry("a", {"t": "x"}))
        assert rt.search_delete_by_query(index, "x") == 1
        rt.search_ingest(index, entry("b", {"t": "y"}))
        assert rt.search_delete_subject(index, "b") == 1
        assert rt.delete_search_index(index)["id"] == index
        assert rt.list_search_indexes() == []


def test_without_fts5_queries_scan_and_a_later_fts5_catches_up(
    store: SearchStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gladier.runtime.search import index

    monkeypatch.setattr(index, "FTS_TABLE", "CREATE VIRTUAL TABLE search_text USING nofts(body)")
    store.ingest("idx", [entry("a", {"t": "apple"}), entry("b", {"t": "banana split"})])
    assert subjects(store.query("idx", "banana")) == ["b"]
    assert store.delete_subject("idx", "a") == 1
    monkeypatch.undo()
    with_fts = SearchStore(store.db, identity_urn=ME)
    assert subjects(with_fts.query("idx", "split")) == ["b"]
    assert with_fts._fts() is True
