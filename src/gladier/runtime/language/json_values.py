"""Which Python values are JSON values: what run bodies, definitions and schemas may contain.

A JSON value here is ``None``, a bool, a string, a finite float, an integer of at most
:data:`MAX_INT_DIGITS` decimal digits (about what ``json`` can write and every JSON reader can
take), a list or tuple of JSON values, or a dict with string keys and JSON values, nested at most
:data:`MAX_DEPTH` levels deep. Anything else (NaN, infinity, sets, bytes, objects, integer keys)
would be refused or silently changed by the store, and a very deep value breaks the recursive
code that reads it. :func:`json_problems` lists what is wrong, in the ``{"loc", "msg", "type"}``
shape of :class:`~gladier.exc.FlowValidationError`.

Example::

    >>> [p["loc"] for p in json_problems({"a": [1, float("nan")], "b": {1, 2}}, ("body",))]
    [['body', 'a', 1], ['body', 'b']]
    >>> json_problems({"a": {"b": 1}}, ("body",))
    []
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Final

__all__ = [
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_PROBLEMS",
    "MAX_STATE_DEPTH",
    "is_plain_json",
    "json_problems",
    "nested_deeper_than",
]

#: Deepest nesting of lists and objects accepted (the value itself is level 1).
MAX_DEPTH: Final = 64
#: Deepest nesting of a run state (what states build from bodies of at most MAX_DEPTH): deeper
#: JSON cannot be read back safely everywhere (json and its callers recurse once per level).
MAX_STATE_DEPTH: Final = 256
#: Most decimal digits of an integer (Python's own limit for converting integers to text).
MAX_INT_DIGITS: Final = 4_000
#: Most problems listed for one value; the walk stops after that many.
MAX_PROBLEMS: Final = 20

# An integer has at most MAX_INT_DIGITS digits when it is below 10 ** MAX_INT_DIGITS; comparing
# bit lengths first keeps the check cheap for ordinary numbers.
_INT_LIMIT: Final = 10**MAX_INT_DIGITS
_SAFE_BITS: Final = int(MAX_INT_DIGITS * math.log2(10)) - 1


def json_problems(value: Any, loc: Sequence[str | int] = ()) -> list[dict[str, Any]]:
    """Everything in ``value`` that is not JSON, each at its key path below ``loc``.

    The walk is iterative (no recursion, whatever the depth) and stops below
    :data:`MAX_DEPTH` and after :data:`MAX_PROBLEMS` problems.
    """
    problems: list[dict[str, Any]] = []
    stack: list[tuple[Any, tuple[str | int, ...], int]] = [(value, tuple(loc), 1)]
    while stack and len(problems) < MAX_PROBLEMS:
        item, where, depth = stack.pop()
        if item is None or isinstance(item, (bool, str)):
            continue
        message = None
        if isinstance(item, int):
            if item.bit_length() > _SAFE_BITS and abs(item) >= _INT_LIMIT:
                message = (
                    f"a {item.bit_length():,}-bit integer is too large for JSON (the limit is "
                    f"{MAX_INT_DIGITS:,} digits); pass it as a string"
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                message = f"{item!r} is not a JSON number; use null or a string instead"
        elif isinstance(item, (dict, list, tuple)):
            if depth > MAX_DEPTH:
                message = (
                    f"lists and objects are nested more than {MAX_DEPTH} levels deep here; "
                    "flatten it"
                )
            elif isinstance(item, dict):
                for key, member in item.items():
                    if isinstance(key, str):
                        stack.append((member, (*where, key), depth + 1))
                    else:
                        problems.append(
                            _problem(
                                (*where, _key_text(key)),
                                f"object keys must be strings, not {type(key).__name__} "
                                f"({_short(key)}); convert the key with str()",
                            )
                        )
            else:
                stack.extend((member, (*where, i), depth + 1) for i, member in enumerate(item))
        else:
            message = (
                f"a {type(item).__name__} is not a JSON value; use an object, list, string, "
                "number, boolean or null"
                + ("; convert it with list()" if isinstance(item, (set, frozenset)) else "")
            )
        if message is not None:
            problems.append(_problem(where, message))
    problems.sort(key=lambda p: [str(part) for part in p["loc"]])
    return problems


def is_plain_json(value: Any) -> bool:
    """Whether ``value`` is certainly a JSON value (then :func:`json_problems` finds nothing).

    A quick walk for the common case, listing nothing: it answers False at the first thing it
    does not settle at a glance (a subclass of a JSON type, a very long integer, anything
    :func:`json_problems` would report), and the caller asks :func:`json_problems` then.

    Example::

        >>> is_plain_json({"a": [1, 2.5, None, {"b": "c"}]}), is_plain_json({"a": {1, 2}})
        (True, False)
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is dict:
            if depth > MAX_DEPTH:
                return False
            for key, member in item.items():
                if type(key) is not str:
                    return False
                member_kind = type(member)
                if member_kind is str or member is None or member_kind is bool:
                    continue
                if member_kind is int:
                    if member.bit_length() > _SAFE_BITS:
                        return False
                elif member_kind is float:
                    if not math.isfinite(member):
                        return False
                else:
                    stack.append((member, depth + 1))
        elif kind is list or kind is tuple:
            if depth > MAX_DEPTH:
                return False
            stack.extend((member, depth + 1) for member in item)
        elif kind is str or item is None or kind is bool:
            continue
        elif kind is int:
            if item.bit_length() > _SAFE_BITS:
                return False
        elif kind is float:
            if not math.isfinite(item):
                return False
        else:
            return False
    return True


_STRINGS: Final = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS: Final = re.compile(r"[^\[\]{}]+")


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON ``text`` nests lists and objects more than ``limit`` levels deep.

    Cheap for ordinary documents (fewer openers than ``limit``); linear otherwise.

    Example::

        >>> nested_deeper_than('{"a": [[1]], "b": "[[[["}', 3), nested_deeper_than("[[[]]]", 2)
        (False, True)
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for char in _NOT_BRACKETS.sub("", _STRINGS.sub("", text)):
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _problem(loc: Sequence[str | int], msg: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": "type_error.json"}


def _short(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a {value.bit_length():,}-bit integer"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _key_text(key: Any) -> str:
    return _short(key)
