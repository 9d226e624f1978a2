"""Search on the Runtime: indexes, ingest, queries and deletes, as Globus Search answers them.

:class:`SearchAPI` is ``rt.search``, and ``Runtime`` delegates its search methods to it. Methods
mirror
globus-sdk's ``SearchClient`` (``search``/``post_search`` → :meth:`search_query`,
``ingest`` → :meth:`search_ingest`, ...) and return the same documents, so the
``gladier search`` commands only print them.

Example::

    from gladier.runtime import Runtime

    with Runtime() as rt:
        index = rt.create_search_index("results", "beamline results")
        rt.search_ingest(index["id"], {"subject": "globus://c0ffee/scan1",
                                       "visible_to": ["public"],
                                       "content": {"title": "Scan one", "energy": 12.4}})
        page = rt.search_query(index["id"], "scan", limit=5)
        page["total"], page["gmeta"][0]["entries"][0]["content"]["title"]   # 1, 'Scan one'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gladier.runtime.search.index import SearchStore


class SearchAPI:
    """Local Globus Search of one runtime (see the module docstring).

    ``ready`` opens the store on first use; ``store`` returns the runtime's search store
    (the one its Search action providers use).
    """

    def __init__(self, *, ready: Callable[[], None], store: Callable[[], SearchStore]) -> None:
        self._ready = ready
        self._store = store

    def _search(self) -> SearchStore:
        store = self._store()
        self._ready()
        return store

    def create_search_index(
        self, display_name: str, description: str = "", *, index_id: str | None = None
    ) -> dict[str, Any]:
        """Create an index; returns its ``GSearchIndex`` document (id: a new UUID).

        Example::

            rt.create_search_index("results", "beamline results")["id"]
        """
        return self._search().create_index(display_name, description, index_id=index_id)

    def get_search_index(self, index_id: str) -> dict[str, Any]:
        """The ``GSearchIndex`` document of ``index_id`` (with ``num_subjects``/``num_entries``).

        Example::

            rt.get_search_index(index_id)["num_entries"]
        """
        return self._search().get_index(index_id)

    def list_search_indexes(self) -> list[dict[str, Any]]:
        """Every index of this runtime (also those created by a first ingest).

        Example::

            [i["display_name"] for i in rt.list_search_indexes()]
        """
        return self._search().list_indexes()

    def delete_search_index(self, index_id: str) -> dict[str, Any]:
        """Delete an index and all its entries; returns its last document.

        Example::

            rt.delete_search_index(index_id)
        """
        return self._search().delete_index(index_id)

    def search_ingest(self, index_id: str, document: Any) -> dict[str, Any]:
        """Add or replace entries: a GMetaEntry, a GMetaList or a GIngest document.

        The index is created if unknown. Returns the Globus ingest response
        (``{"acknowledged", "success", "task_id", "num_documents_ingested", ...}``).

        Example::

            rt.search_ingest(index_id, {"ingest_type": "GMetaList", "ingest_data": {
                "gmeta": [{"subject": "s1", "visible_to": ["public"], "content": {"a": 1}}]}})
        """
        return self._search().ingest(index_id, document)

    def search_query(
        self,
        index_id: str,
        q: str = "*",
        *,
        offset: int = 0,
        limit: int = 10,
        advanced: bool = False,
        filters: Sequence[Mapping[str, Any]] | None = None,
        sort: Sequence[Mapping[str, Any]] | None = None,
        principals: Sequence[str] | None = None,
        bypass_visible_to: bool = False,
    ) -> dict[str, Any]:
        """One page of results: ``{"@datatype": "GSearchResult", "count", "total", "offset",
        "has_next_page", "gmeta": [{"subject", "entries": [{"entry_id", "content",
        "matched_principal_sets"}]}]}``.

        ``q`` uses the standard syntax, or the advanced one (``field:value``, AND/OR/NOT,
        ranges) with ``advanced=True``; ``filters`` and ``sort`` take Globus GFilter and
        GSort documents. ``principals`` queries as someone else would see the index.

        Example::

            rt.search_query(index_id, "energy:[10 TO 20]", advanced=True,
                            sort=[{"field_name": "energy", "order": "desc"}])
        """
        return self._search().query(
            index_id,
            q,
            offset=offset,
            limit=limit,
            advanced=advanced,
            filters=filters,
            sort=sort,
            principals=principals,
            bypass_visible_to=bypass_visible_to,
        )

    def search_get_subject(self, index_id: str, subject: str) -> dict[str, Any]:
        """The ``GMetaResult`` of one subject; NotFound if it has no visible entry.

        Example::

            rt.search_get_subject(index_id, "globus://c0ffee/scan1")["entries"]
        """
        return self._search().get_subject(index_id, subject)

    def search_delete_subject(self, index_id: str, subject: str) -> int:
        """Delete every entry of ``subject``; returns how many were removed.

        Example::

            rt.search_delete_subject(index_id, "globus://c0ffee/scan1")   # 1
        """
        return self._search().delete_subject(index_id, subject)

    def search_delete_entry(self, index_id: str, subject: str, entry_id: str | None = None) -> int:
        """Delete one entry of ``subject`` (the default entry when ``entry_id`` is None).

        Example::

            rt.search_delete_entry(index_id, "globus://c0ffee/scan1", "metadata")
        """
        return self._search().delete_entry(index_id, subject, entry_id)

    def search_delete_by_query(
        self,
        index_id: str,
        q: str = "*",
        *,
        advanced: bool = False,
        filters: Sequence[Mapping[str, Any]] | None = None,
    ) -> int:
        """Delete every entry matching ``q`` and ``filters``; returns how many were removed.

        Example::

            rt.search_delete_by_query(index_id, "status:draft", advanced=True)
        """
        return self._search().delete_by_query(index_id, q, advanced=advanced, filters=filters)
