"""Globus Search states: ingest a document, delete a subject, delete by query.

Example::

    >>> parameters = SearchDelete(state_name="Unpublish").get_flow_state_dict()["Parameters"]
    >>> parameters["subject.$"], parameters["delete_by"]
    ('$.input.subject', 'subject')
"""

from __future__ import annotations

from typing import Any

from gladier.tools.builtins.action import ActionState

__all__ = ["SearchDelete", "SearchDeleteByQuery", "SearchIngest"]


class SearchIngest(ActionState):
    """Ingest ``content`` for ``subject`` into the index ``search_index``."""

    action_url: str = "https://actions.globus.org/search/ingest"
    id: str | None = None
    search_index: str = "$.input.search_index"
    subject: str = "$.input.subject"
    visible_to: list[Any] | str = "$.input.visible_to"
    content: dict[str, Any] | str = "$.input.content"


class SearchDelete(ActionState):
    """Delete one ``subject`` from the index."""

    action_url: str = "https://actions.globus.org/search/delete"
    search_index: str = "$.input.search_index"
    subject: str = "$.input.subject"
    delete_by: str = "subject"


class SearchDeleteByQuery(ActionState):
    """Delete every subject matching the query ``q`` (and ``filters``)."""

    action_url: str = "https://actions.globus.org/search/delete"
    search_index: str = "$.input.search_index"
    q: str = "$.input.q"
    filters: list[Any] | str | None = None
    query_template: None = None
    delete_by: str = "query"
