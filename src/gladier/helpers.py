"""Small JSON helpers shared by flow generation and the state-builder API.

The names are those of Gladier 0.11 (``gladier.helpers``), so tool packages that import them keep
working.

Example::

    >>> from gladier.helpers import ensure_parameter_values
    >>> ensure_parameter_values({"path": "$.input.path", "total": "=1 + 2", "n": 3})
    {'path.$': '$.input.path', 'total.=': '1 + 2', 'n': 3}
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, TypeAlias

__all__ = [
    "JSONList",
    "JSONObject",
    "JSONValue",
    "deep_update_dict",
    "eliminate_none_values",
    "ensure_json_path",
    "ensure_parameter_values",
]

JSONObject: TypeAlias = dict[str, "JSONValue"]
JSONList: TypeAlias = list["JSONValue"]
JSONValue: TypeAlias = JSONObject | JSONList | str | int | float | bool | None


def deep_update_dict(dest_dict: dict[str, Any], from_dict: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``from_dict`` into ``dest_dict`` in place, descending into nested dicts.

    Values that are dicts on both sides are merged key by key; anything else is replaced.
    Returns ``dest_dict``.

    Example::

        >>> deep_update_dict({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}, "b": 4})
        {'a': {'x': 1, 'y': 3}, 'b': 4}
    """
    for key, value in from_dict.items():
        current = dest_dict.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            deep_update_dict(current, value)
        else:
            dest_dict[key] = value
    return dest_dict


def ensure_json_path(path: str | None) -> str | None:
    """Return ``path`` with a ``$.`` prefix; ``None`` and prefixed paths pass unchanged.

    Example::

        >>> ensure_json_path("input.file"), ensure_json_path("$.input.file")
        ('$.input.file', '$.input.file')
    """
    if path is not None and not path.startswith("$."):
        return "$." + path
    return path


def eliminate_none_values(d: MutableMapping[Any, Any], deep: bool = False) -> None:
    """Remove, in place, every item of ``d`` whose value is ``None``.

    With ``deep=True`` nested dicts, and dicts inside lists, are cleaned too.

    Example::

        >>> d = {"a": None, "b": {"c": None, "d": 1}}
        >>> eliminate_none_values(d, deep=True)
        >>> d
        {'b': {'d': 1}}
    """
    for key in [k for k, v in d.items() if v is None]:
        del d[key]
    if not deep:
        return
    for value in d.values():
        if isinstance(value, MutableMapping):
            eliminate_none_values(value, deep=True)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, MutableMapping):
                    eliminate_none_values(item, deep=True)


def _as_plain(value: Any) -> Any:
    """Turn a model (anything with ``model_dump`` or ``dict``) into a plain dict."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump()
    legacy = getattr(value, "dict", None)
    if callable(legacy) and not isinstance(value, Mapping):
        return legacy()
    return value


def ensure_parameter_values(
    params: Mapping[str, Any], deep: bool = True, eliminate_none_values: bool = False
) -> dict[str, Any]:
    """Return a copy of a ``Parameters`` template with Flows key suffixes made explicit.

    * a value starting with ``$.`` gets a ``.$`` key (``{"a": "$.x"}`` → ``{"a.$": "$.x"}``);
    * a ``.$`` key whose value lacks the prefix gets it (``{"a.$": "x"}`` → ``{"a.$": "$.x"}``);
    * a value starting with ``=`` is an expression: key ``.=``, value without the ``=``.

    Models (pydantic or similar) are turned into dicts first. With ``deep`` nested dicts and dicts
    inside lists are treated the same way; with ``eliminate_none_values`` ``None`` values are
    dropped.

    Example::

        >>> ensure_parameter_values({"items": [{"src": "$.input.src"}], "skip": None},
        ...                         eliminate_none_values=True)
        {'items': [{'src.$': '$.input.src'}]}
    """
    result: dict[str, Any] = {}
    for key, raw in params.items():
        value = _as_plain(raw) if raw is not None else None
        if value is None and eliminate_none_values:
            continue
        if isinstance(value, str):
            if key.endswith(".$"):
                if not value.startswith("$."):
                    value = "$." + value
            elif value.startswith("$."):
                key = key + ".$"
            elif value.startswith("=") and not key.endswith(".="):
                key, value = key + ".=", value[1:]
        elif deep and isinstance(value, Mapping):
            value = ensure_parameter_values(value, deep, eliminate_none_values)
        elif deep and isinstance(value, (list, tuple)):
            items = []
            for item in value:
                plain = _as_plain(item)
                if isinstance(plain, Mapping):
                    plain = ensure_parameter_values(plain, deep, eliminate_none_values)
                items.append(plain)
            value = items
        result[key] = value
    return result
