"""JSONPath in the Globus Flows dialect: parse once, then read, test and write (spec §3).

Supported forms: ``$``, dotted names (``$.a.b``; a dotted name runs until the next ``.`` or
``[``, so state names with spaces or dashes work: ``$.Dials Create Phil.details``), bracketed
names (``$['key with space']``, ``$["k"]``), non-negative indexes (``$.a[0]``), and the
indefinite forms ``[*]``, ``.*`` and slices ``[1:3]`` / ``[::2]``. ``$._context...`` reads the
run context instead of the state. Negative indexes, recursive descent (``..``), filters, unions
and the ASL context object (``$$``) are refused with a :class:`~gladier.exc.PathSyntaxError`.

Example::

    >>> path = parse_path("$.input.files[0]")
    >>> path.read({"input": {"files": ["a.txt"]}})
    'a.txt'
    >>> parse_path("$.result.status").write({"x": 1}, "OK")
    {'x': 1, 'result': {'status': 'OK'}}
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final, NoReturn

from gladier.exc import FlowRunError, PathSyntaxError
from gladier.runtime.language._path_syntax import (
    WILDCARD,
    Segment,
    SyntaxProblem,
    Wildcard,
    parse_segments,
)

__all__ = [
    "WILDCARD",
    "JsonPath",
    "PathNotFound",
    "Segment",
    "parse_path",
    "read_dotted",
]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()


class PathNotFound(FlowRunError):
    """A definite path does not resolve: a key is absent, an index is out of range, or a step
    indexes into a value that is not a container. ``error`` is ``States.Runtime``; ``path`` is the
    path text and ``reason`` says which step failed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("States.Runtime", f"The path '{path}' could not be found: {reason}.")
        self.path = path
        self.reason = reason


class JsonPath:
    """An immutable, parsed path. Build it with :func:`parse_path` (cached).

    Attributes: ``text`` (the source), ``segments`` (tuple of keys, indexes, :data:`WILDCARD` and
    slices), ``definite`` (no wildcard or slice), ``is_root`` (``$``), ``targets_context`` (the
    first segment is ``_context``).

    Example::

        >>> p = parse_path("$.items[*].name")
        >>> p.definite, p.read({"items": [{"name": "a"}, {"name": "b"}]})
        (False, ['a', 'b'])
    """

    __slots__ = ("_tail", "definite", "is_root", "segments", "targets_context", "text")

    text: str
    segments: tuple[Segment, ...]
    definite: bool
    is_root: bool
    targets_context: bool
    _tail: tuple[Segment, ...]

    def __init__(self, text: str) -> None:
        segments = _parse(text)
        definite = all(type(s) is str or type(s) is int for s in segments)
        targets_context = bool(segments) and segments[0] == "_context"
        set_ = object.__setattr__
        set_(self, "text", text)
        set_(self, "segments", segments)
        set_(self, "definite", definite)
        set_(self, "is_root", not segments)
        set_(self, "targets_context", targets_context)
        set_(self, "_tail", segments[1:] if targets_context else segments)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"JsonPath is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"JsonPath is immutable (cannot delete {name!r})")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (parse_path, (self.text,))

    def __repr__(self) -> str:
        return f"JsonPath({self.text!r})"

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonPath) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("JsonPath", self.text))

    def _start(self, state: Any, context: Mapping[str, Any] | None) -> Any:
        if self.targets_context:
            return _MISSING if context is None else context
        return state

    def read(self, state: Any, context: Mapping[str, Any] | None = None) -> Any:
        """The value at this path (a list of all matches for an indefinite path).

        ``$._context...`` paths read ``context``, never the state. JSON null is a present value.

        :raises PathNotFound: when a definite path does not resolve.

        Example::

            >>> parse_path("$.a[1]").read({"a": [None, None]}) is None
            True
            >>> parse_path("$._context.run_id").read({}, {"run_id": "r-1"})
            'r-1'
        """
        root = state
        if self.targets_context:
            if context is None:
                raise PathNotFound(self.text, "no run context ('$._context') is available")
            root = context
        if not self.definite:
            return _read_all(root, self._tail)
        value = _lookup(root, self._tail)
        if value is _MISSING:
            raise PathNotFound(self.text, _explain(root, self._tail, self.targets_context))
        return value

    def exists(self, state: Any, context: Mapping[str, Any] | None = None) -> bool:
        """Whether the path resolves (for an indefinite path: whether it has any match).

        Example::

            >>> parse_path("$.a").exists({"a": None}), parse_path("$.b").exists({"a": None})
            (True, False)
        """
        root = self._start(state, context)
        if root is _MISSING:
            return False
        if not self.definite:
            return bool(_read_all(root, self._tail))
        return _lookup(root, self._tail) is not _MISSING

    def write(self, state: Any, value: Any) -> Any:
        """Store ``value`` at this path with ``ResultPath`` semantics and return the new root.

        ``$`` returns ``value`` itself. Otherwise ``state`` is changed in place: missing
        intermediate keys become empty objects and the last key is replaced (never merged). Index
        segments write into an existing list element. The caller owns ``state`` and copies
        ``value`` if it must not be shared.

        :raises FlowRunError: ``States.ResultPathMatchFailure`` when an intermediate value has the
            wrong type or an index is out of range; ``States.Runtime`` for an indefinite path or a
            ``$._context`` path.

        Example::

            >>> parse_path("$.a.b").write({"a": {"old": 1}, "c": 2}, {"new": 1})
            {'a': {'old': 1, 'b': {'new': 1}}, 'c': 2}
        """
        if self.is_root:
            return value
        if not self.definite:
            raise FlowRunError(
                "States.Runtime",
                f"Cannot write to the path '{self.text}': a ResultPath must name one location "
                "(wildcards and slices are not allowed).",
            )
        if self.targets_context:
            raise FlowRunError(
                "States.Runtime",
                f"Cannot write to the path '{self.text}': '$._context' is read-only.",
            )
        segments = self.segments
        current = state
        last = len(segments) - 1
        for pos, seg in enumerate(segments):
            if type(seg) is str:
                if not isinstance(current, dict):
                    self._write_mismatch(pos, current, f"the key '{seg}' cannot be set in it")
                if pos == last:
                    current[seg] = value
                    break
                child = current.get(seg, _MISSING)
                if child is _MISSING:
                    self._create_rest(current, pos, value)
                    break
                current = child
            else:
                assert type(seg) is int
                if not isinstance(current, list):
                    self._write_mismatch(pos, current, f"the index [{seg}] cannot be set in it")
                if seg >= len(current):
                    self._write_mismatch(
                        pos, current, f"the index [{seg}] is out of range (length {len(current)})"
                    )
                if pos == last:
                    current[seg] = value
                    break
                current = current[seg]
        return state

    def _create_rest(self, parent: dict[str, Any], pos: int, value: Any) -> None:
        """Create the objects for ``segments[pos:]`` under ``parent`` (checked before changing)."""
        rest = self.segments[pos:]
        for offset, seg in enumerate(rest):
            if type(seg) is int:
                self._write_mismatch(
                    pos + offset, None, f"the list element [{seg}] cannot be created", missing=True
                )
        current = parent
        for seg in rest[:-1]:
            child: dict[str, Any] = {}
            current[seg] = child  # type: ignore[index]
            current = child
        current[rest[-1]] = value  # type: ignore[index]

    def _write_mismatch(
        self, pos: int, found: Any, what: str, *, missing: bool = False
    ) -> NoReturn:
        where = _format_segments(self.segments[:pos])
        if missing:
            problem = f"there is no value at '{where}', so {what}"
        else:
            problem = f"the value at '{where}' is {_describe(found)}, so {what}"
        raise FlowRunError(
            "States.ResultPathMatchFailure",
            f"Cannot write to the path '{self.text}': {problem}.",
        )


@functools.lru_cache(maxsize=4096)
def parse_path(text: str) -> JsonPath:
    """Parse a path once (cached) into a :class:`JsonPath`.

    :raises PathSyntaxError: with a message that quotes the path and says what is wrong.

    Example::

        >>> parse_path("$['key with space'][2]").segments
        ('key with space', 2)
        >>> parse_path("$.a[-1]")
        Traceback (most recent call last):
        ...
        gladier.exc.PathSyntaxError: Invalid path '$.a[-1]': negative index [-1] at position 3; ...
    """
    return JsonPath(text)


@functools.lru_cache(maxsize=4096)
def _parse_dotted(text: str) -> JsonPath:
    if text.startswith("$"):
        return parse_path(text)
    full = "$" + text if text.startswith("[") else "$." + text
    try:
        parse_segments(full)
    except SyntaxProblem as problem:
        raise PathSyntaxError(
            f"Invalid path {_quote(text)} (read as {_quote(full)}): {problem}"
        ) from None
    return parse_path(full)


def read_dotted(
    state: Any,
    text: str,
    context: Mapping[str, Any] | None = None,
    default: Any = _MISSING,
) -> Any:
    """Read a path written relative to the root, as the expression functions take them.

    ``text`` is like ``'DestinationPathInfo.details.DATA[0].is_folder'`` (a leading ``$.`` is
    accepted too). Without ``default`` a missing path raises :class:`PathNotFound`; with one, the
    default is returned instead.

    Example::

        >>> read_dotted({"a": {"b": [1, 2]}}, "a.b[1]")
        2
        >>> read_dotted({"a": {}}, "a.b[5]", default=False)
        False
    """
    if not isinstance(text, str):
        raise PathSyntaxError(f"A path must be a string, not {_describe(text)}")
    path = _parse_dotted(text)
    if default is _MISSING:
        return path.read(state, context)
    try:
        return path.read(state, context)
    except PathNotFound:
        return default


# --- reading -------------------------------------------------------------------------------------


def _lookup(current: Any, segments: tuple[Any, ...]) -> Any:
    """Follow definite segments; return ``_MISSING`` at the first step that does not resolve.

    Segments are keys (str) and non-negative indexes (int), so plain indexing is exact for JSON
    data: a key on a list or a scalar raises TypeError, an index on an object raises KeyError
    (JSON keys are strings). Strings are the one container that must not be indexed.
    """
    for seg in segments:
        if isinstance(current, str):
            return _MISSING
        try:
            current = current[seg]
        except (LookupError, TypeError):
            return _MISSING
    return current


def _read_all(root: Any, segments: tuple[Segment, ...]) -> list[Any]:
    nodes = [root]
    for seg in segments:
        found: list[Any] = []
        for node in nodes:
            if isinstance(seg, Wildcard):
                if isinstance(node, Mapping):
                    found.extend(node.values())
                elif isinstance(node, (list, tuple)):
                    found.extend(node)
            elif isinstance(seg, slice):
                if isinstance(node, (list, tuple)):
                    found.extend(node[seg])
            elif isinstance(seg, str):
                if isinstance(node, Mapping) and seg in node:
                    found.append(node[seg])
            elif isinstance(node, (list, tuple)) and seg < len(node):
                found.append(node[seg])
        nodes = found
    return nodes


def _explain(root: Any, segments: tuple[Segment, ...], in_context: bool) -> str:
    """Say which step of a definite path failed (only called on the error path)."""
    prefix: tuple[Segment, ...] = ("_context",) if in_context else ()
    current = root
    for pos, seg in enumerate(segments):
        where = _format_segments(prefix + segments[:pos])
        if type(seg) is str:
            if not isinstance(current, Mapping):
                return f"'{where}' is {_describe(current)}, not an object"
            if seg not in current:
                return f"the key '{seg}' is not in the object at '{where}'"
            current = current[seg]
        else:
            assert type(seg) is int
            if not isinstance(current, (list, tuple)):
                return f"'{where}' is {_describe(current)}, not a list"
            if seg >= len(current):
                return (
                    f"the index [{seg}] is out of range for the list at '{where}' "
                    f"(length {len(current)})"
                )
            current = current[seg]
    return "it does not resolve"  # pragma: no cover - only called when a step failed


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def _format_segments(segments: tuple[Segment, ...]) -> str:
    out = ["$"]
    for seg in segments:
        if type(seg) is str:
            if seg and "." not in seg and "[" not in seg and "]" not in seg and seg != "*":
                out.append("." + seg)
            else:
                escaped = seg.replace("\\", "\\\\").replace("'", "\\'")
                out.append(f"['{escaped}']")
        elif type(seg) is int:
            out.append(f"[{seg}]")
        elif seg is WILDCARD:
            out.append("[*]")
        else:
            assert isinstance(seg, slice)
            parts = ["" if v is None else str(v) for v in (seg.start, seg.stop, seg.step)]
            out.append(f"[{':'.join(parts if seg.step is not None else parts[:2])}]")
    return "".join(out)


def _parse(text: str) -> tuple[Segment, ...]:
    if not isinstance(text, str):
        raise PathSyntaxError(f"A path must be a string, not {_describe(text)}")
    try:
        return parse_segments(text)
    except SyntaxProblem as problem:
        raise PathSyntaxError(f"Invalid path {_quote(text)}: {problem}") from None


def _quote(text: str) -> str:
    """``repr(text)``, shortened for very long paths."""
    return repr(text) if len(text) <= 200 else f"{text[:100]!r}... ({len(text):,} characters)"
