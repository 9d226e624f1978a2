"""Resource limits for the expression language: guarded operators, methods and conversions.

simpleeval bounds the obvious cases (``'x' * 10**9``, ``2 ** 10**9``, long comprehensions), but a
value can still grow without bound through shared references (``[big] * n``), method calls
(``s.center(10**9)``, ``s.replace('x', big)``), formatting (``'%999999999s' % x``) and ``str()``
of such values. Every way to build a large value in one step is guarded here; :mod:`.expressions`
also caps the number of evaluated nodes and the wall time. Errors are simpleeval's own exception
types so the evaluator reports them uniformly.
"""

from __future__ import annotations

import ast
import codecs
import math
import operator
import re
from collections.abc import Callable, ItemsView, KeysView, ValuesView
from typing import Any, Final

import simpleeval
from simpleeval import FeatureNotAvailable, IterableTooLong, NumberTooHigh

__all__ = [
    "CODECS",
    "MAX_ALLOCATION",
    "MAX_COMPREHENSION_LENGTH",
    "MAX_INT_BITS",
    "MAX_POWER",
    "MAX_STRING_LENGTH",
    "MAX_VALUE_SIZE",
    "OPERATORS",
    "Sizer",
    "bound_method",
    "check_format_spec",
    "to_json",
]

#: Longest string an expression may build (simpleeval's limit).
MAX_STRING_LENGTH: Final = 100_000
#: Most elements all comprehensions of one evaluation may produce (simpleeval's limit).
MAX_COMPREHENSION_LENGTH: Final = 10_000
#: Largest base or exponent of ``**`` (simpleeval's limit).
MAX_POWER: Final = 4_000_000
#: Largest integer an expression may build, in bits (about 30,000 decimal digits). simpleeval
#: alone allows ``2 ** 4000000``; arithmetic on numbers that large takes milliseconds per step.
MAX_INT_BITS: Final = 100_000
#: Largest value an expression may build, in :class:`Sizer` units (about one per scalar or char).
MAX_VALUE_SIZE: Final = 1_000_000
#: Most :class:`Sizer` units one evaluation may build in total (all intermediate values).
MAX_ALLOCATION: Final = 2_000_000
#: Largest integer in a result (JSON encoders refuse longer ones; about 4,200 decimal digits).
MAX_RESULT_INT_BITS: Final = 14_000

_CONTAINERS: Final = (list, tuple, dict, set, frozenset)
# Only containers longer than this are cached: re-measuring a small one is cheaper than a cache
# entry, and a single measurement is bounded by its budget anyway.
_CACHE_FROM: Final = 16


class Sizer:
    """Measures the logical size of values, counting shared sub-values each time they appear.

    Sizes of containers are cached by identity for one evaluation (the cache keeps them alive, and
    expressions cannot mutate values), so repeated references cost nothing to measure. A walk stops
    as soon as it exceeds its budget, so measuring is never slower than the limit allows.
    """

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Any, int]] = {}
        self.allocated = 0

    def clear(self) -> None:
        self._cache.clear()
        self.allocated = 0

    def size(self, value: Any, budget: int = MAX_VALUE_SIZE) -> int:
        """The size of ``value``, or some number above ``budget`` if it is larger than that."""
        kind = type(value)
        if kind is str or kind is bytes:
            return 1 + len(value)
        if kind is int:
            # Per byte: big numbers are cheap to store but slow to compute with.
            return 1 + value.bit_length() // 8
        if not (kind in _CONTAINERS or isinstance(value, (KeysView, ValuesView, ItemsView))):
            return 1
        cached = self._cache.get(id(value))
        if cached is not None and cached[0] is value:
            return cached[1]
        total = 1
        if kind is dict:
            for key, item in value.items():
                total += self.size(key, budget - total)
                total += self.size(item, budget - total)
                if total > budget:
                    return total
        else:
            for item in value:
                total += self.size(item, budget - total)
                if total > budget:
                    return total
        if len(value) > _CACHE_FROM:
            self._cache[id(value)] = (value, total)
        return total

    def account(self, value: Any) -> None:
        """Count a newly built value against the limits of one evaluation.

        :raises IterableTooLong: if ``value`` is larger than :data:`MAX_VALUE_SIZE`, or if all
            values built so far exceed :data:`MAX_ALLOCATION`.
        """
        size = self.size(value)
        if size > MAX_VALUE_SIZE:
            raise IterableTooLong(
                f"the expression built a value that is too large "
                f"(more than {MAX_VALUE_SIZE:,} items and characters)"
            )
        self.allocated += size
        if self.allocated > MAX_ALLOCATION:
            raise IterableTooLong(
                f"the expression built too much data in total "
                f"(more than {MAX_ALLOCATION:,} items and characters)"
            )

    def text(self, value: Any) -> str:
        """``str(value)``, refusing values whose text would be too long."""
        if type(value) is str:
            return value
        if self.size(value) > MAX_STRING_LENGTH:
            raise IterableTooLong(
                f"converting this {type(value).__name__} to a string would be longer than "
                f"{MAX_STRING_LENGTH:,} characters"
            )
        text = str(value)
        if len(text) > MAX_STRING_LENGTH:
            raise IterableTooLong(f"a string longer than {MAX_STRING_LENGTH:,} characters")
        return text


# --- operators -----------------------------------------------------------------------------------


def _too_long(length: int) -> IterableTooLong:
    return IterableTooLong(
        f"the result would be {length:,} long; "
        f"the limit is {MAX_STRING_LENGTH:,} characters or items"
    )


def _multiply(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise NumberTooHigh(f"the product would have more than {MAX_INT_BITS:,} bits")
        return left * right
    for seq, times in ((left, right), (right, left)):
        if (
            hasattr(seq, "__len__")
            and isinstance(times, int)
            and times * len(seq) > MAX_STRING_LENGTH
        ):
            raise _too_long(times * len(seq))
    return left * right


def _short(number: Any) -> str:
    if isinstance(number, int) and number.bit_length() > 64:
        return f"(a {number.bit_length():,}-bit number)"
    return repr(number)


def _power(base: Any, exponent: Any) -> Any:
    if abs(base) > MAX_POWER or abs(exponent) > MAX_POWER:
        raise NumberTooHigh(
            f"{_short(base)} ** {_short(exponent)} is too large (the limit is {MAX_POWER:,})"
        )
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 1
        and abs(base) > 1
        and exponent * math.log2(abs(base)) > MAX_INT_BITS
    ):
        raise NumberTooHigh(f"{base} ** {exponent} would have more than {MAX_INT_BITS:,} bits")
    return base**exponent


_PERCENT_SPEC = re.compile(
    r"%(?:\([^)]*\))?[#0 +\-]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?[hlL]?(?P<kind>.?)",
    re.DOTALL,
)


def _modulo(left: Any, right: Any) -> Any:
    if not isinstance(left, (str, bytes)):
        return left % right
    fmt = left.decode("latin-1") if isinstance(left, bytes) else left
    padding = 0
    for match in _PERCENT_SPEC.finditer(fmt):
        for field in ("width", "precision"):
            number = match.group(field)
            if number == "*":
                raise FeatureNotAvailable("'*' widths in %-formatting are not supported")
            padding += int(number) if number else 0
    if padding > MAX_STRING_LENGTH:
        raise _too_long(padding)
    size = Sizer().size(right, MAX_STRING_LENGTH)
    if size > MAX_STRING_LENGTH:
        raise _too_long(size)
    result = left % right
    if len(result) > MAX_STRING_LENGTH:
        raise _too_long(len(result))
    return result


def check_format_spec(spec: str) -> None:
    """Refuse f-string format specs whose width or precision exceeds the string limit."""
    for number in re.findall(r"\d+", spec):
        if len(number) > 6 or int(number) > MAX_STRING_LENGTH:
            raise IterableTooLong(
                f"the format width or precision {number} is larger than {MAX_STRING_LENGTH:,}"
            )


#: simpleeval's default operators with ``*``, ``**`` and ``%`` replaced by the guarded versions.
OPERATORS: Final[dict[type[ast.AST], Callable[..., Any]]] = {
    **simpleeval.DEFAULT_OPERATORS,
    ast.Mult: _multiply,
    ast.Pow: _power,
    ast.Mod: _modulo,
    ast.Add: simpleeval.safe_add,
    ast.LShift: simpleeval.safe_lshift,
    ast.RShift: simpleeval.safe_rshift,
    ast.Sub: operator.sub,
}


# --- methods -------------------------------------------------------------------------------------

_STR_METHODS: Final = frozenset(
    [
        "capitalize", "casefold", "count", "encode", "endswith", "find", "index", "isalnum",
        "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
        "isprintable", "isspace", "istitle", "isupper", "lower", "lstrip", "partition",
        "removeprefix", "removesuffix", "rfind", "rindex", "rpartition", "rsplit", "rstrip",
        "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper",
        # guarded (see _GUARDED): their result can be much longer than the string
        "center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join",
    ]
)  # fmt: skip
_INT_METHODS: Final = frozenset(["as_integer_ratio", "bit_length", "conjugate"])
_SET_METHODS: Final = frozenset(
    [
        "union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset",
        "isdisjoint", "copy",
    ]
)  # fmt: skip
_METHODS: Final[dict[type, frozenset[str]]] = {
    str: _STR_METHODS,
    bytes: frozenset(["decode", "hex"]),
    dict: frozenset(["get", "keys", "values", "items", "copy"]),
    list: frozenset(["index", "count", "copy"]),
    tuple: frozenset(["index", "count"]),
    set: _SET_METHODS,
    frozenset: _SET_METHODS,
    int: _INT_METHODS,
    bool: _INT_METHODS,
    float: frozenset(["as_integer_ratio", "conjugate", "hex", "is_integer"]),
}
_MUTATING: Final = frozenset(
    [
        "append", "extend", "insert", "pop", "popitem", "remove", "reverse", "sort", "clear",
        "update", "setdefault", "add", "discard", "intersection_update", "difference_update",
        "symmetric_difference_update",
    ]
)  # fmt: skip


def _check_width(width: Any) -> None:
    if isinstance(width, int) and width > MAX_STRING_LENGTH:
        raise _too_long(width)


def _pad(name: str) -> Callable[..., Any]:
    def guarded(text: str, width: Any, *args: Any) -> Any:
        _check_width(width)
        return getattr(text, name)(width, *args)

    return guarded


def _replace(text: str, old: Any, new: Any, *args: Any) -> Any:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        hits = text.count(old) if old else len(text) + 1
        if args and isinstance(args[0], int) and args[0] >= 0:
            hits = min(hits, args[0])
        length = len(text) + hits * (len(new) - len(old))
        if length > MAX_STRING_LENGTH:
            raise _too_long(length)
    return text.replace(old, new, *args)


def _join(separator: str, iterable: Any) -> str:
    items = list(iterable)
    length = len(separator) * max(len(items) - 1, 0)
    length += sum(len(item) for item in items if isinstance(item, str))
    if length > MAX_STRING_LENGTH:
        raise _too_long(length)
    return separator.join(items)


def _expandtabs(text: str, tabsize: Any = 8) -> str:
    if isinstance(tabsize, int):
        _check_width(len(text) + text.count("\t") * max(tabsize, 0))
    return text.expandtabs(tabsize)


#: Codecs ``encode``/``decode`` may use: they all work in linear time. Others are refused
#: (``punycode``, for one, takes quadratic time and would hold the scheduler for seconds).
CODECS: Final = frozenset(
    ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "ascii",
     "latin-1"]
)  # fmt: skip
_CODEC_ERRORS: Final = frozenset(
    ["strict", "ignore", "replace", "backslashreplace", "xmlcharrefreplace", "surrogateescape",
     "surrogatepass"]
)  # fmt: skip


def _codec(encoding: Any, errors: Any) -> tuple[str, str]:
    """The canonical name of an allowed codec and error handler, or FeatureNotAvailable."""
    if not isinstance(encoding, str) or not isinstance(errors, str):
        raise FeatureNotAvailable("the encoding and errors arguments must be strings")
    try:
        name = codecs.lookup(encoding).name if len(encoding) < 64 else ""
    except LookupError:
        name = ""
    name = {"iso8859-1": "latin-1"}.get(name, name)
    if name not in CODECS:
        raise FeatureNotAvailable(
            f"the encoding {encoding[:64]!r} is not available in expressions; "
            f"use one of {', '.join(sorted(CODECS))}"
        )
    if errors not in _CODEC_ERRORS:
        raise FeatureNotAvailable(
            f"the error handler {errors[:64]!r} is not available; "
            f"use one of {', '.join(sorted(_CODEC_ERRORS))}"
        )
    return name, errors


def _encode(text: str, encoding: Any = "utf-8", errors: Any = "strict") -> bytes:
    return text.encode(*_codec(encoding, errors))


def _decode(data: bytes, encoding: Any = "utf-8", errors: Any = "strict") -> str:
    return data.decode(*_codec(encoding, errors))


_GUARDED: Final[dict[str, Callable[..., Any]]] = {
    "encode": _encode,
    "center": _pad("center"),
    "ljust": _pad("ljust"),
    "rjust": _pad("rjust"),
    "zfill": _pad("zfill"),
    "replace": _replace,
    "join": _join,
    "expandtabs": _expandtabs,
}


def bound_method(value: Any, name: str) -> Callable[..., Any]:
    """The method ``name`` of ``value`` if expressions may call it (guarded when it can grow).

    Methods that modify a value in place (``append``, ``update``, ...) are refused: expressions
    must not change the run state.
    """
    allowed = _METHODS.get(type(value))
    if allowed is None or name not in allowed:
        kind = type(value).__name__
        if allowed is not None and name in _MUTATING:
            raise FeatureNotAvailable(
                f"the method '{name}' of {kind} is not available: expressions cannot modify "
                "values; build a new value instead (for example x + [item] or {**d, 'k': v})"
            )
        raise FeatureNotAvailable(f"the method '{name}' of {kind} is not available in expressions")
    if type(value) is bytes and name == "decode":
        return lambda *args, **kwargs: _decode(value, *args, **kwargs)
    if type(value) is str and name in _GUARDED:
        guard = _GUARDED[name]
        return lambda *args, **kwargs: guard(value, *args, **kwargs)
    method: Callable[..., Any] = getattr(value, name)
    return method


# --- results -------------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A JSON copy of an expression result: tuples become lists; other non-JSON values raise.

    :raises simpleeval.InvalidExpression: naming the offending type.
    """
    kind = type(value)
    if value is None or kind is str or kind is bool:
        return value
    if kind is int:
        if value.bit_length() > MAX_RESULT_INT_BITS:
            raise simpleeval.InvalidExpression(
                "the result contains an integer with more than 4,000 digits, "
                "which cannot be stored as JSON"
            )
        return value
    if kind is float:
        if not math.isfinite(value):
            raise simpleeval.InvalidExpression(
                f"the result contains {value!r}, which is not a JSON number"
            )
        return value
    if kind is list or kind is tuple:
        return [to_json(item) for item in value]
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise simpleeval.InvalidExpression(
                    f"the result contains an object key {key!r} of type {type(key).__name__}; "
                    "JSON object keys must be strings (use str(...))"
                )
            out[key] = to_json(item)
        return out
    raise simpleeval.InvalidExpression(_not_json(value))


def _not_json(value: Any) -> str:
    kind = type(value).__name__
    owner = getattr(value, "__self__", None)
    name = getattr(value, "__name__", None)
    if isinstance(owner, dict) and callable(value):
        return (
            f"the result contains the dict method '{name}' ({kind}), which is not a JSON value; "
            f"a key that has the name of a dict method must be read as x['{name}'], not x.{name}"
        )
    if callable(value):
        return f"the result contains a function ({kind}), which is not a JSON value; call it"
    if isinstance(value, (set, frozenset, KeysView, ValuesView, ItemsView)):
        return f"the result contains a {kind}, which is not a JSON value; convert it with list(...)"
    return f"the result contains a {kind}, which is not a JSON value"
