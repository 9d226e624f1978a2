"""The Globus Search action providers, served on the local index.

* ``https://actions.globus.org/search/ingest``: body ``{search_index, subject, visible_to,
  content, id?}`` (one GMetaEntry, as Gladier's ``SearchIngest`` sends it), or
  ``{search_index, ingest_data}`` with a GMetaEntry or GMetaList. Unknown indexes are created.
* ``https://actions.globus.org/search/delete``: body ``{search_index, delete_by, ...}`` where
  ``delete_by`` is ``subject`` (with ``subject``), ``entry`` (``subject``, ``entry_id``) or
  ``query`` (``q``, ``filters``, ``advanced``) — Gladier's ``SearchDelete`` and
  ``SearchDeleteByQuery``.

Both answer at once; ``details`` is the Globus Search task document of the operation, with
the counts in ``additional_details``.

Example (a flow state)::

    {"Type": "Action", "ActionUrl": "https://actions.globus.org/search/ingest",
     "Parameters": {"search_index.$": "$.input.index", "subject.$": "$.input.subject",
                    "visible_to": ["public"], "content.$": "$.Metadata.details.result[0]"},
     "ResultPath": "$.Ingest", "End": true}
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gladier.exc import ActionProviderError, NotFound, ServiceError
from gladier.runtime.providers.base import ActionProvider, action_status
from gladier.runtime.search.index import SearchStore
from gladier.runtime.timeutil import iso

if TYPE_CHECKING:
    from gladier.runtime.providers.registry import ProviderRegistry

INGEST_URLS = ("https://actions.globus.org/search/ingest",)
DELETE_URLS = ("https://actions.globus.org/search/delete",)
INGEST_FIELDS = frozenset(
    {"search_index", "subject", "visible_to", "content", "id", "ingest_type", "ingest_data"}
)
DELETE_FIELDS = frozenset(
    {
        "search_index",
        "delete_by",
        "subject",
        "entry_id",
        "id",
        "q",
        "filters",
        "advanced",
        "query_template",
    }
)


def _refuse(message: str) -> ActionProviderError:
    return ActionProviderError(message, {"code": "BadRequest", "description": message})


def _index_id(body: Mapping[str, Any]) -> str:
    index_id = body.get("search_index")
    if not isinstance(index_id, str) or not index_id:
        raise _refuse(f"search_index must be the id of a search index, not {index_id!r}")
    return index_id


def _check(body: Any, allowed: frozenset[str], what: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise _refuse(f"the search {what} body must be an object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _refuse(
            f"unknown field(s) {', '.join(unknown)} in the search {what} body; "
            f"known fields: {', '.join(sorted(allowed))}"
        )
    return body


class _SearchProvider(ActionProvider):
    """Synchronous providers that remember their actions and honour ``request_id``."""

    def __init__(self, store: SearchStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._actions: dict[str, dict[str, Any]] = {}
        self._requests: dict[str, str] = {}

    def operate(self, body: Any) -> tuple[str, str, dict[str, Any]]:
        """Do the work: ``(index_id, task_type, additional_details)``."""
        raise NotImplementedError

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        request_id = str(request.get("request_id") or "")
        with self._lock:
            known = self._requests.get(request_id)
            if request_id and known is not None:
                return dict(self._actions[known])
        started = iso()
        body = request.get("body")
        index_id = str(body.get("search_index")) if isinstance(body, Mapping) else ""
        task_type = "unknown"
        try:
            index_id, task_type, extra = self.operate(body)
            state, status, message = "SUCCESS", "SUCCEEDED", None
        except NotFound as err:
            extra, state, status, message = {}, "FAILED", "FAILED", err.message
        except ServiceError as err:
            raise _refuse(err.message) from None
        details = {
            "task_id": str(uuid.uuid4()),
            "state": state,
            "state_description": "Task succeeded" if state == "SUCCESS" else "Task failed",
            "task_type": task_type,
            "index_id": index_id,
            "message": message,
            "creation_date": started,
            "completion_date": iso(),
            "additional_details": extra,
        }
        doc = action_status(uuid.uuid4().hex, status, details, request, start_time=started)
        with self._lock:
            self._actions[doc["action_id"]] = doc
            if request_id:
                self._requests[request_id] = doc["action_id"]
        return dict(doc)

    def status(self, action_id: str) -> dict[str, Any]:
        with self._lock:
            doc = self._actions.get(action_id)
        if doc is None:
            raise NotFound(f"Action {action_id} is not known to the search provider")
        return dict(doc)

    def release(self, action_id: str) -> dict[str, Any]:
        doc = self.status(action_id)
        with self._lock:
            self._actions.pop(action_id, None)
        return doc


class SearchIngestProvider(_SearchProvider):
    """``https://actions.globus.org/search/ingest``."""

    def operate(self, body: Any) -> tuple[str, str, dict[str, Any]]:
        body = _check(body, INGEST_FIELDS, "ingest")
        index_id = _index_id(body)
        if body.get("ingest_data") is not None:
            document: Any = body["ingest_data"]
        else:
            document = {k: body.get(k) for k in ("subject", "visible_to", "content", "id")}
        answer = self.store.ingest(index_id, document)
        return index_id, "ingest", {"num_documents_ingested": answer["num_documents_ingested"]}


class SearchDeleteProvider(_SearchProvider):
    """``https://actions.globus.org/search/delete`` (by subject, entry or query)."""

    def operate(self, body: Any) -> tuple[str, str, dict[str, Any]]:
        body = _check(body, DELETE_FIELDS, "delete")
        index_id = _index_id(body)
        delete_by = body.get("delete_by") or ("query" if "q" in body else "subject")
        if body.get("query_template") is not None:
            raise _refuse("query_template is not supported by the embedded runtime's search")
        subject = body.get("subject")
        actions: dict[str, Callable[[], int]] = {
            "subject": lambda: self.store.delete_subject(index_id, self._subject(subject)),
            "entry": lambda: self.store.delete_entry(
                index_id, self._subject(subject), body.get("entry_id", body.get("id"))
            ),
            "query": lambda: self.store.delete_by_query(
                index_id,
                body.get("q") or "*",
                advanced=bool(body.get("advanced")),
                filters=body.get("filters"),
            ),
        }
        if delete_by not in actions:
            raise _refuse(f"delete_by must be subject, entry or query, not {delete_by!r}")
        count = actions[delete_by]()
        kind = {"subject": "subject", "entry": "entry-id", "query": "query"}[delete_by]
        return index_id, f"delete-by-{kind}", {"delete_by": delete_by, "num_entries_deleted": count}

    @staticmethod
    def _subject(subject: Any) -> str:
        if not isinstance(subject, str) or not subject:
            raise _refuse(f"subject must be a non-empty string, not {subject!r}")
        return subject


def install(registry: ProviderRegistry) -> None:
    """Serve the Search provider URLs in ``registry``, on its one search store."""
    store = registry.service_hub().search()
    for url in INGEST_URLS:
        registry.add(url, SearchIngestProvider(store))
    for url in DELETE_URLS:
        registry.add(url, SearchDeleteProvider(store))
