"""Globus Search query strings and filters, for the local index.

Two syntaxes, as in Globus Search:

* **standard** (``advanced=False``): plain words, ``"quoted phrases"`` and ``prefix*``; an
  entry matches when it contains any of them, and entries that contain more rank first.
  ``*`` (or an empty string) matches everything.
* **advanced**: the Elasticsearch-like syntax — ``field.path:value``, ``AND`` / ``OR`` /
  ``NOT`` (also ``&&``, ``||``, ``!``, ``-word``), parentheses, ``field:[a TO b]`` ranges
  (``{}`` exclusive) and ``field:>=x`` comparisons. Adjacent terms are joined with OR.

Filters are the GFilter documents of a POST query: ``match_any``, ``match_all``, ``range``,
``exists``, ``not``, ``and`` and ``or``.

Example::

    node = parse("title:quick AND NOT brown", advanced=True)
    matches(node, {"title": "The quick fox"})          # True
    to_fts(parse("quick fox", advanced=False))         # '"quick" OR "fox"'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from gladier.exc import ServiceError

_WORD = re.compile(r"[^\W_]+")
_LEX = re.compile(
    r"""\s*(?:
        (?P<lp>\()|(?P<rp>\))|
        (?P<range>[\[{][^\]}]*[\]}])|
        (?P<quoted>"(?:[^"\\]|\\.)*")|
        (?P<word>[^\s()"\[\]{}]+)
    )""",
    re.VERBOSE,
)


def bad_query(message: str) -> ServiceError:
    return ServiceError(message, code="BadRequest.InvalidQuery", http_status=400)


def tokens(text: str) -> list[str]:
    """Lower-cased words of ``text`` without diacritics (as FTS5's ``unicode61`` splits)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def leaves(value: Any) -> Iterator[Any]:
    """Every scalar inside ``value`` (lists and objects are walked)."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    elif value is not None:
        yield value


def field_values(content: Any, field: str) -> list[Any]:
    """The scalars at the dotted path ``field`` of ``content`` (lists are walked)."""
    current = [content]
    for key in field.split("."):
        following = []
        for value in current:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Mapping) and key in item:
                    following.append(item[key])
        current = following
    return list(leaves(current))


def text_of(value: Any) -> str:
    """The searchable text of ``value``: every scalar, one per line."""
    return "\n".join(_scalar_text(v) for v in leaves(value))


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------------- the query tree
@dataclass(frozen=True)
class All:
    """Matches everything (``*``)."""


@dataclass(frozen=True)
class Term:
    """``kind`` is word, prefix, phrase, range or compare; ``field`` None means any field."""

    kind: str
    words: tuple[str, ...] = ()
    field: str | None = None
    low: str | None = None
    high: str | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node: TypeAlias = All | Term | And | Or | Not


def _word_term(text: str, field: str | None) -> Term:
    if text.endswith("*") and text.strip("*"):
        return Term("prefix", tuple(tokens(text.rstrip("*"))), field)
    return Term("word", tuple(tokens(text)), field)


def parse(q: str, *, advanced: bool = False) -> Node:
    """The query tree of ``q`` (see the module docstring); ServiceError 400 when malformed."""
    if not isinstance(q, str):
        raise bad_query(f"q must be a string, not {type(q).__name__}")
    text = q.strip()
    if text in ("", "*"):
        return All()
    if not advanced:
        parts: list[Node] = []
        for match in re.finditer(r'"([^"]*)"|(\S+)', text):
            if match.group(1) is not None:
                parts.append(Term("phrase", tuple(tokens(match.group(1)))))
            else:
                parts.append(_word_term(match.group(2), None))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            match = _LEX.match(text, pos)
            if match is None or match.end() == pos:
                if text[pos:].strip():
                    raise bad_query(f"cannot read the query at {text[pos:]!r}")
                break
            kind = match.lastgroup or ""
            self.items.append((kind, match.group(kind)))
            pos = match.end()
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self) -> tuple[str, str]:
        item = self.items[self.pos]
        self.pos += 1
        return item

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise bad_query(f"unexpected {self.peek()[1]!r} in the query")  # type: ignore[index]
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while True:
            item = self.peek()
            if item is None or item[0] == "rp":
                break
            if item == ("word", "OR") or item == ("word", "||"):
                self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while self.peek() in (("word", "AND"), ("word", "&&")):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        item = self.peek()
        if item is None:
            raise bad_query("the query ends where a term was expected")
        if item in (("word", "NOT"), ("word", "!")):
            self.take()
            return Not(self.unary())
        if item[0] == "word" and item[1][:1] in "-!+" and len(item[1]) > 1:
            self.take()
            self.items.insert(self.pos, ("word", item[1][1:]))
            inner = self.unary()
            return inner if item[1][0] == "+" else Not(inner)
        return self.primary(None)

    def primary(self, field: str | None) -> Node:
        if self.peek() is None:
            raise bad_query("the query ends where a term was expected")
        kind, value = self.take()
        if kind == "lp":
            node = self.or_expr()
            if self.peek() is None or self.take()[0] != "rp":
                raise bad_query("a '(' is never closed")
            return node if field is None else _with_field(node, field)
        if kind == "rp":
            raise bad_query("unexpected ')'")
        if kind == "quoted":
            words = re.sub(r"\\(.)", r"\1", value[1:-1])
            return Term("phrase", tuple(tokens(words)), field)
        if kind == "range":
            return _range(value, field)
        if field is None and ":" in value and not value.startswith(":"):
            name, _, rest = value.partition(":")
            if rest:
                self.items.insert(self.pos, ("word", rest))
            return self.primary(name)
        if value == "*":
            return All() if field is None else Term("compare", (), field, low="")
        for op in (">=", "<=", ">", "<"):
            if value.startswith(op) and field is not None:
                bound = value[len(op) :]
                if op.startswith(">"):
                    return Term("compare", (), field, low=bound, low_inclusive=op == ">=")
                return Term("compare", (), field, high=bound, high_inclusive=op == "<=")
        return _word_term(value, field)


def _with_field(node: Node, field: str) -> Node:
    if isinstance(node, Term):
        return Term(
            node.kind,
            node.words,
            node.field or field,
            node.low,
            node.high,
            node.low_inclusive,
            node.high_inclusive,
        )
    if isinstance(node, And):
        return And(tuple(_with_field(p, field) for p in node.parts))
    if isinstance(node, Or):
        return Or(tuple(_with_field(p, field) for p in node.parts))
    if isinstance(node, Not):
        return Not(_with_field(node.part, field))
    return node


def _range(text: str, field: str | None) -> Term:
    if field is None:
        raise bad_query(f"a range {text} needs a field, as in year:{text}")
    inner = text[1:-1].split(" TO ")
    if len(inner) != 2:
        raise bad_query(f"a range must read [low TO high], not {text}")
    low, high = (part.strip() for part in inner)
    return Term(
        "range",
        (),
        field,
        None if low == "*" else low,
        None if high == "*" else high,
        text[0] == "[",
        text[-1] == "]",
    )


# ---------------------------------------------------------------------- FTS5 translation
def _fts_phrase(words: Sequence[str]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def to_fts(node: Node) -> str | None:
    """An FTS5 MATCH expression for ``node``, or None if it needs the Python evaluator."""
    if isinstance(node, Term):
        if node.field is not None or node.kind in ("range", "compare") or not node.words:
            return None
        text = _fts_phrase(node.words)
        return text + "*" if node.kind == "prefix" else text
    if isinstance(node, Or):
        parts = [to_fts(p) for p in node.parts]
        if any(p is None for p in parts):
            return None
        return "(" + " OR ".join(p for p in parts if p) + ")"
    if isinstance(node, And):
        positive = [to_fts(p) for p in node.parts if not isinstance(p, Not)]
        negative = [to_fts(p.part) for p in node.parts if isinstance(p, Not)]
        if not positive or any(p is None for p in positive + negative):
            return None
        text = "(" + " AND ".join(p for p in positive if p) + ")"
        for part in negative:
            text = f"({text} NOT {part})"
        return text
    return None


# ---------------------------------------------------------------------- Python evaluation
def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(value: Any, bound: str) -> int:
    """-1, 0 or 1 comparing ``value`` with ``bound`` (numbers as numbers, else text)."""
    a, b = _number(value), _number(bound)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    text = _scalar_text(value)
    return (text > bound) - (text < bound)


def _in_range(value: Any, term: Term) -> bool:
    if term.low is not None and term.low != "":
        order = _compare(value, term.low)
        if order < 0 or (order == 0 and not term.low_inclusive):
            return False
    if term.high is not None:
        order = _compare(value, term.high)
        if order > 0 or (order == 0 and not term.high_inclusive):
            return False
    return True


def _contains(haystack: list[str], term: Term) -> bool:
    words = list(term.words)
    if not words:
        return False
    if term.kind == "prefix":
        head, last = words[:-1], words[-1]
        if not head:
            return any(t.startswith(last) for t in haystack)
        for i in range(len(haystack) - len(words) + 1):
            if haystack[i : i + len(head)] == head and haystack[i + len(head)].startswith(last):
                return True
        return False
    if len(words) == 1:
        return words[0] in haystack
    return any(haystack[i : i + len(words)] == words for i in range(len(haystack) - len(words) + 1))


def matches(node: Node, content: Any, all_tokens: list[str] | None = None) -> bool:
    """Whether ``content`` matches the query tree ``node``."""
    if isinstance(node, All):
        return True
    if isinstance(node, Not):
        return not matches(node.part, content, all_tokens)
    if isinstance(node, And):
        return all(matches(p, content, all_tokens) for p in node.parts)
    if isinstance(node, Or):
        return any(matches(p, content, all_tokens) for p in node.parts)
    if node.kind in ("range", "compare"):
        values = field_values(content, node.field) if node.field else list(leaves(content))
        return any(_in_range(v, node) for v in values)
    if node.field is None:
        haystack = all_tokens if all_tokens is not None else tokens(text_of(content))
    else:
        haystack = tokens(text_of(field_values(content, node.field)))
    return _contains(haystack, node)


# ---------------------------------------------------------------------- filters and sort
Predicate = Callable[[Any], bool]


def compile_filters(filters: Any) -> Predicate:
    """One predicate for a list of GFilter documents (all must hold)."""
    if filters is None:
        return lambda content: True
    if isinstance(filters, Mapping):
        filters = [filters]
    if not isinstance(filters, list):
        raise bad_query("filters must be a list of filter documents")
    checks = [_filter(f) for f in filters]
    return lambda content: all(check(content) for check in checks)


def _filter(doc: Any) -> Predicate:
    if not isinstance(doc, Mapping):
        raise bad_query(f"a filter must be an object, not {doc!r}")
    kind = doc.get("type")
    if kind == "not":
        inner = compile_filters(doc.get("filter"))
        return lambda content: not inner(content)
    if kind in ("and", "or"):
        parts = [_filter(f) for f in doc.get("filters") or []]
        combine = all if kind == "and" else any
        return lambda content: combine(p(content) for p in parts)
    field = doc.get("field_name")
    if not isinstance(field, str) or not field:
        raise bad_query(f"filter {dict(doc)} needs a field_name")
    if kind == "exists":
        return lambda content: bool(field_values(content, field))
    values = doc.get("values")
    if not isinstance(values, list):
        raise bad_query(f"filter on {field} needs a list of values")
    if kind in ("match_any", "match_all"):
        wanted = [_scalar_text(v) for v in values]
        combine = any if kind == "match_any" else all
        return lambda content: combine(
            w in {_scalar_text(v) for v in field_values(content, field)} for w in wanted
        )
    if kind == "range":
        terms = []
        for bounds in values:
            low, high = bounds.get("from", "*"), bounds.get("to", "*")
            terms.append(
                Term(
                    "range",
                    (),
                    field,
                    None if low == "*" else _scalar_text(low),
                    None if high == "*" else _scalar_text(high),
                )
            )
        return lambda content: any(
            _in_range(v, t) for t in terms for v in field_values(content, field)
        )
    raise bad_query(
        f"unknown filter type {kind!r}; use match_any, match_all, range, exists, not, and, or"
    )


def sort_key(field: str) -> Callable[[Any], tuple[int, float, str]]:
    """A key ordering contents by the first value at ``field`` (missing values last)."""

    def key(content: Any) -> tuple[int, float, str]:
        values = field_values(content, field)
        if not values:
            return (2, 0.0, "")
        number = _number(values[0])
        if number is not None:
            return (0, number, "")
        return (1, 0.0, _scalar_text(values[0]))

    return key
