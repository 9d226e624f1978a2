"""The Globus Auth scopes a Gladier client needs, as plain strings (no globus-sdk import).

A client needs the five Flows scopes, the Globus Compute scope and, once its flow exists, the
flow's own scope. :func:`resource_server_for` names the resource server a token for a scope
belongs to, as Globus Auth groups them.

Example::

    >>> flow_scope("a1b2c3d4-0000-4000-8000-000000000001")
    'https://auth.globus.org/scopes/a1b2c3d4-0000-4000-8000-000000000001/flow_a1b2c3d4_0000_4000_8000_000000000001_user'
    >>> resource_server_for(COMPUTE_SCOPE)
    'funcx_service'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "COMPUTE_RESOURCE_SERVER",
    "COMPUTE_SCOPE",
    "FLOWS_RESOURCE_SERVER",
    "FLOWS_SCOPES",
    "MANAGE_FLOWS_SCOPE",
    "OPENID_SCOPE",
    "RUN_FLOWS_SCOPE",
    "RUN_MANAGE_SCOPE",
    "RUN_STATUS_SCOPE",
    "VIEW_FLOWS_SCOPE",
    "action_providers",
    "authorizers_by_resource_server",
    "flow_scope",
    "resource_server_for",
    "root_scope",
]

#: The client id of the Globus Flows service; its scopes live under it.
FLOWS_CLIENT_ID = "eec9b274-0c81-4334-bdc2-54e90e689b9a"
FLOWS_RESOURCE_SERVER = "flows.globus.org"
_FLOWS = f"https://auth.globus.org/scopes/{FLOWS_CLIENT_ID}"
MANAGE_FLOWS_SCOPE = f"{_FLOWS}/manage_flows"
VIEW_FLOWS_SCOPE = f"{_FLOWS}/view_flows"
RUN_FLOWS_SCOPE = f"{_FLOWS}/run"
RUN_STATUS_SCOPE = f"{_FLOWS}/run_status"
RUN_MANAGE_SCOPE = f"{_FLOWS}/run_manage"
#: The Flows scopes Gladier asks for, in Gladier's order.
FLOWS_SCOPES = (
    MANAGE_FLOWS_SCOPE,
    VIEW_FLOWS_SCOPE,
    RUN_FLOWS_SCOPE,
    RUN_STATUS_SCOPE,
    RUN_MANAGE_SCOPE,
)

COMPUTE_CLIENT_ID = "facd7ccc-c5f4-42aa-916b-a0e270e2c2a9"
COMPUTE_RESOURCE_SERVER = "funcx_service"
COMPUTE_SCOPE = f"https://auth.globus.org/scopes/{COMPUTE_CLIENT_ID}/all"

OPENID_SCOPE = "openid"
AUTH_RESOURCE_SERVER = "auth.globus.org"

_FLOW_SCOPE = re.compile(r"^https://auth\.globus\.org/scopes/([^/\s\[\]]+)/flow_[^/\s\[\]]+_user$")
_URN_SCOPE = re.compile(r"^urn:globus:auth:scope:([^:]+):")


def flow_scope(flow_id: str) -> str:
    """The scope that lets a user run the flow ``flow_id``.

    Example::

        >>> flow_scope("00000000-0000-0000-0000-000000000000").endswith(
        ...     "/flow_00000000_0000_0000_0000_000000000000_user")
        True
    """
    return f"https://auth.globus.org/scopes/{flow_id}/flow_{flow_id.replace('-', '_')}_user"


def root_scope(scope: str) -> str:
    """``scope`` without its dependent scopes (the part before ``[``), stripped.

    Example::

        >>> root_scope("https://auth.globus.org/scopes/x/all[urn:globus:auth:scope:y:all]")
        'https://auth.globus.org/scopes/x/all'
    """
    return scope.split("[", 1)[0].strip()


def resource_server_for(scope: str) -> str:
    """The resource server whose token carries ``scope`` (the scope itself when unknown).

    Dependent scopes in brackets (``flow_scope[transfer_scope]``) belong to the root scope's
    resource server.

    Example::

        >>> resource_server_for(MANAGE_FLOWS_SCOPE), resource_server_for("openid")
        ('flows.globus.org', 'auth.globus.org')
        >>> resource_server_for(COMPUTE_SCOPE + "[urn:globus:auth:scope:groups.api.globus.org:all]")
        'funcx_service'
    """
    scope = root_scope(scope)
    if scope.startswith(_FLOWS + "/"):
        return FLOWS_RESOURCE_SERVER
    if scope == COMPUTE_SCOPE:
        return COMPUTE_RESOURCE_SERVER
    if scope in ("openid", "profile", "email") or scope.startswith(
        "urn:globus:auth:scope:auth.globus.org:"
    ):
        return AUTH_RESOURCE_SERVER
    match = _FLOW_SCOPE.match(scope)
    if match:
        return match.group(1)
    match = _URN_SCOPE.match(scope)
    if match:
        return match.group(1)
    return scope


def action_providers(definition: Any) -> set[tuple[str, str]]:
    """``(ActionUrl, ActionScope)`` of every Action state of a flow definition: the action
    providers whose scopes depend on the flow's own scope, so a consent to the flow's scope
    covers exactly these.

    Example::

        >>> action_providers({"States": {"A": {"Type": "Action", "ActionUrl": "https://x"}}})
        {('https://x', '')}
    """
    states = definition.get("States") if isinstance(definition, Mapping) else None
    if not isinstance(states, Mapping):
        return set()
    return {
        (str(state.get("ActionUrl") or ""), str(state.get("ActionScope") or ""))
        for state in states.values()
        if isinstance(state, Mapping) and state.get("Type") == "Action"
    }


def authorizers_by_resource_server(authorizers: Mapping[str, Any]) -> dict[str, Any]:
    """``{resource server: authorizer}`` from ``{scope: authorizer}``.

    Example::

        >>> from gladier.services.scopes import MANAGE_FLOWS_SCOPE
        >>> authorizers_by_resource_server({MANAGE_FLOWS_SCOPE: "a"})
        {'flows.globus.org': 'a'}
    """
    found: dict[str, Any] = {}
    for scope, authorizer in authorizers.items():
        found.setdefault(resource_server_for(str(scope)), authorizer)
    return found
