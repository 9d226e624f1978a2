"""A local Globus Search: indexes, ingest, queries and the Search action providers.

Example::

    from gladier.runtime import Runtime

    with Runtime() as rt:
        rt.search_ingest("my-index", {"subject": "globus://c0ffee/scan1",
                                      "visible_to": ["public"],
                                      "content": {"title": "Scan one"}})
        rt.search_query("my-index", "scan")["total"]      # 1
"""

from __future__ import annotations

from typing import Any

__all__ = ["SearchAPI", "SearchStore"]


def __getattr__(name: str) -> Any:
    if name == "SearchStore":
        from gladier.runtime.search.index import SearchStore

        return SearchStore
    if name == "SearchAPI":
        from gladier.runtime.search.api import SearchAPI

        return SearchAPI
    raise AttributeError(f"module 'gladier.runtime.search' has no attribute {name!r}")
