"""Globus-shaped documents built from store rows: flow documents, run documents, log pages."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from gladier.exc import ServiceError

FLOW_SCOPE = "https://auth.globus.org/scopes/{id}/flow_{under}_user"


def flow_scope(flow_id: str) -> str:
    return FLOW_SCOPE.format(id=flow_id, under=flow_id.replace("-", "_"))


def new_flow_document(
    flow_id: str,
    title: str,
    definition: Mapping[str, Any],
    input_schema: Any,
    owner: str,
    now: str,
    fields: Mapping[str, Any],
) -> dict[str, Any]:
    """A flow document (spec §9.2) for a flow created now by ``owner``."""
    doc: dict[str, Any] = {
        "id": flow_id,
        "definition": definition,
        "input_schema": input_schema if input_schema is not None else {},
        "title": title,
        "subtitle": fields.get("subtitle") or "",
        "description": fields.get("description") or "",
        "keywords": list(fields.get("keywords") or []),
        "globus_auth_scope": flow_scope(flow_id),
        "globus_auth_scopes_by_RunAs": {"User": flow_scope(flow_id)},
        "principal_urn": f"urn:globus:auth:identity:{flow_id}",
        "globus_auth_username": f"{flow_id}@clients.auth.globus.org",
        "flow_owner": owner,
        "created_by": owner,
        "flow_viewers": list(fields.get("flow_viewers") or []),
        "flow_starters": list(fields.get("flow_starters") or []),
        "flow_administrators": list(fields.get("flow_administrators") or []),
        "run_managers": list(fields.get("run_managers") or []),
        "run_monitors": list(fields.get("run_monitors") or []),
        "created_at": now,
        "updated_at": now,
        "user_role": "flow_owner",
        "user_roles": ["flow_owner"],
        "subscription_id": fields.get("subscription_id"),
        "authentication_policy_id": fields.get("authentication_policy_id"),
        "is_high_assurance": False,
        "synchronous": False,
        "log_supported": True,
        "types": ["Action"],
        "api_version": "1.0",
        "visible_to": [],
        "runnable_by": [],
        "administered_by": [],
        "action_url": f"https://flows.globus.org/flows/{flow_id}",
        "flow_url": f"https://flows.globus.org/flows/{flow_id}",
    }
    for key, value in fields.get("additional_fields", {}).items():
        doc.setdefault(key, value)
    return doc


def run_details(events: Sequence[tuple[str, str, str, str]], body: Any) -> dict[str, Any] | None:
    """The run document's ``details`` (spec §8.3) from its latest event.

    ``events`` is the newest event first, as ``(time, code, description, details_json)``.
    """
    if not events:
        return None
    when, code, description, details_json = events[0]
    details = json.loads(details_json)
    if code == "FlowStarted":
        return {
            "code": "FlowStarting",
            "description": "The Flow is starting execution",
            "details": {"input": details.get("input", body)},
        }
    if code == "FlowSucceeded":
        return {"code": code, "description": description, "output": details.get("output")}
    if code == "FlowFailed":
        return {
            "code": code,
            "description": description,
            "output": details.get("output"),
            "details": details.get("details", {}),
        }
    if code == "FlowCanceled":
        return {"time": when, "code": code, "description": description, "details": {}}
    if code == "ActionInactive":
        return details if isinstance(details, dict) else {"code": code}
    return {"code": code, "description": description, "details": details}


def encode_marker(query: Mapping[str, Any], offset: int, after: Any = None) -> str:
    """An opaque pagination marker that carries the whole query (spec §9.5).

    ``after`` is the sort key of the page's last item: the next page starts right after it
    (found through an index, whatever the page's depth); ``offset`` is kept for markers of
    orders that have no such key.
    """
    data: dict[str, Any] = {"q": query, "o": offset}
    if after is not None:
        data["k"] = after
    raw = json.dumps(data, sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_marker(marker: str) -> tuple[dict[str, Any], int]:
    query, offset, _ = decode_marker_after(marker)
    return query, offset


def decode_marker_after(marker: str) -> tuple[dict[str, Any], int, Any]:
    """``(query, offset, after)`` of a marker made by :func:`encode_marker`."""
    try:
        padded = marker + "=" * (-len(marker) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return dict(data["q"]), int(data["o"]), data.get("k")
    except (ValueError, KeyError, TypeError) as err:
        raise ServiceError(
            f"The pagination marker {marker!r} is not valid; start again without a marker.",
            code="BAD_REQUEST",
            http_status=400,
        ) from err


def normalise_tags(tags: Sequence[str] | None) -> list[str]:
    """Trim each tag and collapse runs of whitespace, as the service does."""
    out = []
    for tag in tags or []:
        if not isinstance(tag, str):
            raise ServiceError(
                f"Tags must be strings; got {tag!r}.", code="UNPROCESSABLE_ENTITY", http_status=422
            )
        cleaned = " ".join(tag.split())
        if cleaned:
            out.append(cleaned)
    return out


def split_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return list(value)


def parse_orderby(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def order_clause(
    items: list[str], allowed: set[str], default: str, aliases: Mapping[str, str] | None = None
) -> str:
    clauses = []
    for item in items:
        words = item.split()
        field = (aliases or {}).get(words[0], words[0])
        direction = words[1].upper() if len(words) > 1 else "ASC"
        if field not in allowed or direction not in ("ASC", "DESC"):
            raise ServiceError(
                f"Cannot order by {item!r}; use '<field> ASC|DESC' with a field among "
                f"{', '.join(sorted(allowed))}.",
                code="BAD_REQUEST",
                http_status=400,
            )
        clauses.append(f"{field} {direction}")
    return ", ".join(clauses) or default
