"""Flatten tokens keyed by resource server into config-file options, and back.

Gladier keeps tokens in an INI section, one option per token field, named
``<resource server with dots as underscores>__<field>`` (the format of fair-research-login,
which Gladier 0.8 used and 0.11 kept).

Example::

    >>> tokens = {"flows.globus.org": {"resource_server": "flows.globus.org",
    ...                                "access_token": "abc", "refresh_token": None,
    ...                                "expires_at_seconds": 1700000000}}
    >>> flat = flat_pack(tokens)
    >>> flat["flows_globus_org__expires_at_seconds"], flat["flows_globus_org__refresh_token"]
    ('1700000000', '')
    >>> flat_unpack(flat) == tokens
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["default_fetch_key", "default_name_key", "flat_pack", "flat_unpack"]

_SEPARATOR = "__"
#: Token fields stored as integers.
_INTEGER_FIELDS = frozenset({"expires_at_seconds"})


def default_name_key(group_key: str, key: str) -> str:
    """The option name of token field ``key`` of resource server ``group_key``.

    Example::

        >>> default_name_key("auth.globus.org", "scope")
        'auth_globus_org__scope'
    """
    return f"{group_key.replace('.', '_')}{_SEPARATOR}{key}"


def default_fetch_key(key: str) -> tuple[str, str]:
    """Split an option name back into ``(resource server guess, field)``.

    The guess turns underscores back into dots; the stored ``resource_server`` field is what
    :func:`flat_unpack` finally keys the token by.

    Example::

        >>> default_fetch_key("auth_globus_org__scope")
        ('auth.globus.org', 'scope')
    """
    group, _, field = key.rpartition(_SEPARATOR)
    return group.replace("_", "."), field


def flat_pack(
    tokens: Mapping[str, Mapping[str, Any]],
    name_key: Callable[[str, str], str] = default_name_key,
) -> dict[str, str]:
    """Flatten ``{resource server: token}`` into ``{option: text}``.

    Integers become their text, ``None`` becomes an empty string, anything else its ``str``.
    """
    flat: dict[str, str] = {}
    for server, token in tokens.items():
        group = str(token.get("resource_server") or server)
        for key, value in token.items():
            flat[name_key(group, key)] = "" if value is None else str(value)
    return flat


def flat_unpack(
    flat_tokens: Mapping[str, str],
    fetch_key: Callable[[str], tuple[str, str]] = default_fetch_key,
) -> dict[str, dict[str, Any]]:
    """Rebuild ``{resource server: token}`` from options written by :func:`flat_pack`.

    Empty strings become ``None`` and ``expires_at_seconds`` an integer. Options that are not
    token fields (no ``__``) are ignored.
    """
    groups: dict[str, dict[str, Any]] = {}
    for option, text in flat_tokens.items():
        if _SEPARATOR not in option:
            continue
        group, field = fetch_key(option)
        value: Any = text if text != "" else None
        if field in _INTEGER_FIELDS and value is not None:
            try:
                value = int(value)
            except ValueError:
                value = None
        groups.setdefault(group, {})[field] = value
    return {str(token.get("resource_server") or group): token for group, token in groups.items()}
