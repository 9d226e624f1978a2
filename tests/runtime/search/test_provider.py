"""The Search action providers, with the parameters Gladier's Search states send."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ActionProviderError
from gladier.runtime import Runtime
from gladier.runtime.search.index import SearchStore
from gladier.runtime.search.provider import SearchDeleteProvider, SearchIngestProvider

INGEST = "https://actions.globus.org/search/ingest"
DELETE = "https://actions.globus.org/search/delete"


def state(url: str, parameters: dict[str, Any], next_state: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "Type": "Action",
        "ActionUrl": url,
        "Parameters": parameters,
        "ResultPath": "$.result",
    }
    if next_state:
        doc["Next"] = next_state
    else:
        doc["End"] = True
    return doc


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with Runtime(home=tmp_path / "home", options={"poll_initial_interval": 0.01}) as runtime:
        yield runtime


def run(rt: Runtime, states: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    flow = rt.create_flow("search", {"StartAt": next(iter(states)), "States": states})
    return rt.wait(rt.run_flow(flow["id"], body)["run_id"], timeout=30)


def test_gladier_search_states_ingest_delete_and_delete_by_query(rt: Runtime) -> None:
    ingest = {  # gladier.tools.SearchIngest
        "search_index.$": "$.input.search_index",
        "subject.$": "$.input.subject",
        "visible_to.$": "$.input.visible_to",
        "content.$": "$.input.content",
        "id": None,
    }
    body = {
        "input": {
            "search_index": "6a045ba6-68d7-41fa-9fae-17d0192fd859",
            "subject": "globus://ep/dataset-1",
            "visible_to": ["public"],
            "content": {"title": "My Globus Tutorial Dataset", "keywords": ["foo", "bar"]},
        }
    }
    done = run(rt, {"Ingest": state(INGEST, ingest, None)}, body)
    assert done["status"] == "SUCCEEDED", done["details"]
    details = done["details"]["output"]["result"]["details"]
    assert details["state"] == "SUCCESS" and details["task_type"] == "ingest"
    assert details["index_id"] == body["input"]["search_index"]
    index = body["input"]["search_index"]
    assert rt.search_query(index, "tutorial")["total"] == 1  # unknown index: created

    body["input"]["subject"] = "globus://ep/dataset-2"
    run(rt, {"Ingest": state(INGEST, ingest, None)}, body)
    delete = {  # gladier.tools.SearchDelete
        "delete_by": "subject",
        "search_index.$": "$.input.search_index",
        "subject.$": "$.input.subject",
    }
    done = run(rt, {"Delete": state(DELETE, delete, None)}, body)
    details = done["details"]["output"]["result"]["details"]
    assert details["task_type"] == "delete-by-subject"
    assert details["additional_details"]["num_entries_deleted"] == 1
    assert [g["subject"] for g in rt.search_query(index, "*")["gmeta"]] == ["globus://ep/dataset-1"]

    by_query = {  # gladier.tools.SearchDeleteByQuery
        "delete_by": "query",
        "search_index.$": "$.input.search_index",
        "q.$": "$.input.q",
        "filters": None,
        "query_template": None,
    }
    done = run(
        rt, {"DeleteByQuery": state(DELETE, by_query, None)}, {"input": {**body["input"], "q": "*"}}
    )
    details = done["details"]["output"]["result"]["details"]
    assert details["task_type"] == "delete-by-query"
    assert details["additional_details"]["num_entries_deleted"] == 1
    assert rt.search_query(index, "*")["total"] == 0


def test_bad_bodies_are_refused_and_unknown_indexes_fail_deletes(rt: Runtime) -> None:
    done = run(
        rt,
        {"Ingest": state(INGEST, {"search_index": "i", "subject": "s", "content": {}}, None)},
        {},
    )
    assert done["status"] == "FAILED" and "visible_to" in str(done["details"])
    done = run(
        rt,
        {"Delete": state(DELETE, {"search_index": "nope", "subject": "s"}, None)},
        {},
    )
    assert done["status"] == "FAILED" and "ActionFailedException" in str(done["details"])
    assert "does not exist" in str(done["details"])


def test_request_id_is_honoured_and_ingest_data_accepted(tmp_path: Path) -> None:
    from gladier.runtime.store import Database

    db = Database(tmp_path / "runtime.db")
    db.open()
    try:
        store = SearchStore(db, identity_urn="urn:globus:auth:identity:me")
        ingest = SearchIngestProvider(store)
        request = {
            "request_id": "r1",
            "body": {
                "search_index": "idx",
                "ingest_data": {
                    "gmeta": [
                        {"subject": "a", "visible_to": ["public"], "content": {"x": 1}},
                        {"subject": "b", "visible_to": ["public"], "content": {"x": 2}},
                    ]
                },
            },
        }
        first = ingest.run(request)
        assert first["status"] == "SUCCEEDED"
        assert first["details"]["additional_details"]["num_documents_ingested"] == 2
        assert ingest.run(request)["action_id"] == first["action_id"]
        assert ingest.status(first["action_id"]) == first
        delete = SearchDeleteProvider(store)
        with pytest.raises(ActionProviderError, match="delete_by"):
            delete.run({"body": {"search_index": "idx", "delete_by": "everything"}})
        with pytest.raises(ActionProviderError, match="unknown field"):
            delete.run({"body": {"search_index": "idx", "subjects": ["a"]}})
        doc = delete.run({"body": {"search_index": "idx", "delete_by": "entry", "subject": "a"}})
        assert doc["details"]["additional_details"]["num_entries_deleted"] == 1
        assert delete.release(doc["action_id"])["action_id"] == doc["action_id"]
    finally:
        db.close()
