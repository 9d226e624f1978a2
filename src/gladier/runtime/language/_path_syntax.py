"""The path grammar of the Flows dialect (internal to :mod:`gladier.runtime.language.paths`).

``parse_segments`` turns a path into its segments or raises :class:`SyntaxProblem` with the reason;
:mod:`.paths` wraps that into a :class:`~gladier.exc.PathSyntaxError` that quotes the path.
"""

from __future__ import annotations

from typing import Final, Union

__all__ = ["MAX_INDEX", "WILDCARD", "Segment", "SyntaxProblem", "Wildcard", "parse_segments"]

#: Largest index a path may use (in brackets or a slice); larger ones are a syntax error.
MAX_INDEX: Final = 2**31 - 1


class Wildcard:
    """The type of :data:`WILDCARD` (``[*]`` / ``.*``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "WILDCARD"

    def __reduce__(self) -> str:
        return "WILDCARD"


#: The segment produced by ``[*]`` and ``.*``: every member of an object or list.
WILDCARD: Final = Wildcard()

#: One step of a parsed path: a key (str), an index (int), :data:`WILDCARD` or a ``slice``.
Segment = Union[str, int, Wildcard, slice]  # noqa: UP007 (a runtime alias on Python 3.10)


class SyntaxProblem(Exception):
    """Internal: what is wrong with a path; wrapped into a PathSyntaxError that quotes it."""


def parse_segments(text: str) -> tuple[Segment, ...]:
    """The segments of ``text``: ``"$.a['b'][0]"`` gives ``('a', 'b', 0)``.

    :raises SyntaxProblem: saying what is wrong and where.
    """
    if text.startswith("$$"):
        raise SyntaxProblem(
            "the ASL context object '$$' is not supported; "
            "Globus Flows exposes the run context as '$._context' (for example '$._context.run_id')"
        )
    if not text.startswith("$"):
        raise SyntaxProblem("a path must start with '$'")
    segments: list[Segment] = []
    pos, end = 1, len(text)
    while pos < end:
        char = text[pos]
        if char == ".":
            pos = _parse_dotted_name(text, pos + 1, segments)
        elif char == "[":
            pos = _parse_bracket(text, pos, segments)
        else:
            after = "'$'" if pos == 1 else "a segment"
            raise SyntaxProblem(
                f"unexpected {char!r} at position {pos}; expected '.' or '[' after {after}"
            )
    return tuple(segments)


def _parse_dotted_name(text: str, start: int, segments: list[Segment]) -> int:
    if start >= len(text):
        raise SyntaxProblem("the path ends with '.'; a name must follow it")
    if text[start] == ".":
        raise SyntaxProblem(f"recursive descent '..' (position {start - 1}) is not supported")
    if text[start] == "[":
        raise SyntaxProblem(
            f"'.[' at position {start - 1}: write '$.a[0]' or \"$['name']\" without the dot"
        )
    stop = start
    while stop < len(text) and text[stop] not in ".[":
        if text[stop] == "]":
            raise SyntaxProblem(f"unexpected ']' at position {stop}")
        stop += 1
    name = text[start:stop]
    segments.append(WILDCARD if name == "*" else name)
    return stop


def _parse_bracket(text: str, start: int, segments: list[Segment]) -> int:
    pos = start + 1
    if pos < len(text) and text[pos] in "'\"":
        name, pos = _parse_quoted(text, pos)
        if pos >= len(text) or text[pos] != "]":
            raise SyntaxProblem(f"expected ']' after the quoted name at position {pos}")
        segments.append(name)
        return pos + 1
    close = text.find("]", pos)
    if close < 0:
        raise SyntaxProblem(f"unterminated '[' at position {start}")
    inner = text[pos:close]
    if inner == "*":
        segments.append(WILDCARD)
    elif inner.isdigit() and inner.isascii():
        segments.append(_index(inner, start))
    elif inner.startswith("?") or inner.startswith("("):
        raise SyntaxProblem(f"filter and script expressions [{inner}] are not supported")
    elif "," in inner:
        raise SyntaxProblem(f"unions [{inner}] are not supported; read each member separately")
    elif ":" in inner:
        segments.append(_parse_slice(inner, start))
    elif inner.startswith("-") and inner[1:].isdigit():
        raise SyntaxProblem(
            f"negative index [{inner}] at position {start}; "
            "paths only take indexes counted from the start (0, 1, ...)"
        )
    elif not inner:
        raise SyntaxProblem(f"empty brackets '[]' at position {start}")
    else:
        raise SyntaxProblem(
            f"[{inner}] at position {start} is neither an index nor a quoted name; "
            f"write ['{inner}'] for a key"
        )
    return close + 1


def _parse_quoted(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    chars: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text):
            chars.append(text[pos + 1])
            pos += 2
        elif char == quote:
            return "".join(chars), pos + 1
        else:
            chars.append(char)
            pos += 1
    raise SyntaxProblem(f"unterminated quoted name starting at position {start}")


def _parse_slice(inner: str, start: int) -> slice:
    parts = inner.split(":")
    if len(parts) > 3:
        raise SyntaxProblem(f"slice [{inner}] at position {start} has too many ':'")
    values: list[int | None] = []
    for part in parts:
        if part == "":
            values.append(None)
        elif part.isdigit() and part.isascii():
            values.append(_index(part, start))
        else:
            raise SyntaxProblem(
                f"slice [{inner}] at position {start} must use non-negative integers"
            )
    while len(values) < 3:
        values.append(None)
    if values[2] == 0:
        raise SyntaxProblem(f"slice [{inner}] at position {start} has a zero step")
    return slice(values[0], values[1], values[2])


def _index(digits: str, start: int) -> int:
    """The index written as ``digits`` (ASCII digits only), refusing absurdly large ones."""
    # Checked on the text first: int() of thousands of digits is slow, then refused by Python.
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(MAX_INDEX)) or int(significant) > MAX_INDEX:
        shown = digits if len(digits) <= 20 else f"{digits[:10]}...({len(digits):,} digits)"
        raise SyntaxProblem(
            f"the index {shown} at position {start} is too large; indexes go up to {MAX_INDEX:,}"
        )
    return int(significant)
