"""Input schemas that cannot hurt: checked when a flow is stored, bounded when a run starts.

:func:`schema_problems` is applied by ``create_flow``, ``update_flow`` and ``validate_flow``
(after the meta-schema check) and refuses what would break or stall every later run:

* a ``$ref`` that does not resolve inside the schema: only local references (``#``,
  ``#/$defs/name``, ``#anchor``, or the schema's own ``$id`` followed by one of those) are
  allowed, never remote or relative ones, which would be fetched or fail at run time;
* references that loop without descending into the input (``{"$ref": "#"}``,
  ``{"anyOf": [{"$ref": "#"}]}``), which recurse forever on any input;
* a ``pattern`` or ``patternProperties`` key that the ``regex`` module cannot compile, and
  ``patternProperties`` together with ``unevaluatedProperties`` (jsonschema would apply such
  patterns with the standard ``re`` module, which cannot be bounded in time).

:class:`InputChecker` validates run bodies with patterns applied by the ``regex`` module under a
timeout (releasing the GIL while it matches), ``uniqueItems`` in linear time, and the whole
validation under :data:`VALIDATION_TIME_LIMIT`. Whatever happens inside jsonschema, the caller gets
a :class:`~gladier.exc.FlowInputError`.

Example::

    >>> [p[1] for p in schema_problems({"$ref": "#/$defs/missing"})]
    ["the reference '#/$defs/missing' does not resolve: there is no '$defs' at '#'; ..."]
    >>> InputChecker({"type": "object", "properties": {"n": {"pattern": "^(a+)+$"}}}).check(
    ...     {"n": "aaa"})
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final
from urllib.parse import unquote

from gladier.exc import FlowInputError

__all__ = [
    "PATTERN_TIME_LIMIT",
    "VALIDATION_TIME_LIMIT",
    "InputChecker",
    "schema_problems",
]

#: Most seconds one validation of a run body against the input schema may take.
VALIDATION_TIME_LIMIT: Final = 1.0
#: Most seconds one pattern may take on one string (within the validation's own limit).
PATTERN_TIME_LIMIT: Final = 0.25

Loc = tuple[str | int, ...]

# Keywords whose value is one subschema, a list of them, or an object of them.
_ONE: Final = (
    "additionalProperties", "additionalItems", "contains", "propertyNames", "not", "if", "then",
    "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema", "items", "extends",
)  # fmt: skip
_LIST: Final = ("allOf", "anyOf", "oneOf", "prefixItems", "items", "extends")
_MAP: Final = (
    "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies",
)  # fmt: skip
# Keywords that apply a subschema to the same instance (a loop through them never ends).
_IN_PLACE_ONE: Final = ("not", "if", "then", "else", "extends")
_IN_PLACE_LIST: Final = ("allOf", "anyOf", "oneOf", "extends")
_IN_PLACE_MAP: Final = ("dependentSchemas", "dependencies")
_REF_KEYS: Final = ("$ref", "$dynamicRef", "$recursiveRef")


def schema_problems(schema: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """What makes ``schema`` unsafe to apply, as ``(loc inside the schema, message)`` pairs.

    ``schema`` must already be a JSON object that passed the meta-schema check.
    """
    return _SchemaScan(schema).run()


class _SchemaScan:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        root_id = root.get("$id")
        self.root_id = root_id.split("#")[0] if isinstance(root_id, str) else None
        self.problems: list[tuple[Loc, str]] = []
        self.seen: set[int] = set()
        self.anchors: dict[str, Any] = {}
        self.refs: list[tuple[Loc, str, Any]] = []  # (loc of the $ref key, value, schema)
        self.patterns: list[tuple[Loc, str]] = []
        self.pattern_props = False
        self.unevaluated_props = False

    def run(self) -> list[tuple[Loc, str]]:
        todo: list[tuple[Any, Loc]] = [(self.root, ())]
        while todo:
            node, loc = todo.pop()
            todo.extend(self._visit(node, loc))
        resolved: dict[int, list[Any]] = {}
        for loc, value, owner in self.refs:
            target = self._resolve(loc, value)
            if target is not None:
                resolved.setdefault(id(owner), []).append(target)
                if id(target) not in self.seen:  # a reference into a place not walked yet
                    todo.append((target, loc))
            while todo:
                node, where = todo.pop()
                todo.extend(self._visit(node, where))
        if self.pattern_props and self.unevaluated_props:
            self.problems.append(
                (
                    (),
                    "'patternProperties' cannot be combined with 'unevaluatedProperties' in an "
                    "input schema (their patterns could not be applied with a time limit); use "
                    "'additionalProperties' instead",
                )
            )
        self._check_patterns()
        if not self.problems:
            self._check_loops(resolved)
        return self.problems

    def _visit(self, node: Any, loc: Loc) -> Iterator[tuple[Any, Loc]]:
        """Record the references, anchors and patterns of one subschema; yield its subschemas."""
        if not isinstance(node, dict) or id(node) in self.seen:
            return
        self.seen.add(id(node))
        for key in ("$anchor", "$dynamicAnchor"):
            if isinstance(node.get(key), str):
                self.anchors.setdefault(node[key], node)
        node_id = node.get("$id", node.get("id"))
        if isinstance(node_id, str) and node_id.startswith("#"):  # draft 6/7 anchors
            self.anchors.setdefault(node_id[1:], node)
        for key in _REF_KEYS:
            if key in node and isinstance(node[key], str):
                self.refs.append(((*loc, key), node[key], node))
        if isinstance(node.get("pattern"), str):
            self.patterns.append(((*loc, "pattern"), node["pattern"]))
        if isinstance(node.get("patternProperties"), dict):
            self.pattern_props = self.pattern_props or bool(node["patternProperties"])
            for key in node["patternProperties"]:
                self.patterns.append(((*loc, "patternProperties", key), key))
        if "unevaluatedProperties" in node:
            self.unevaluated_props = True
        for key in _ONE:
            if isinstance(node.get(key), dict):
                yield node[key], (*loc, key)
        for key in _LIST:
            if isinstance(node.get(key), list):
                for i, item in enumerate(node[key]):
                    yield item, (*loc, key, i)
        for key in _MAP:
            if isinstance(node.get(key), dict):
                for name, item in node[key].items():
                    yield item, (*loc, key, name)

    def _resolve(self, loc: Loc, ref: str) -> Any:
        fragment: str | None = None
        if ref.startswith("#"):
            fragment = ref[1:]
        elif self.root_id and ref.split("#")[0] == self.root_id:
            fragment = ref.partition("#")[2]
        if fragment is None:
            self.problems.append(
                (
                    loc,
                    f"the reference {_short(ref)} is not local; input schemas may only refer "
                    "to their own parts: move the definition under '$defs' and refer to it as "
                    "'#/$defs/<name>'",
                )
            )
            return None
        if fragment and not fragment.startswith("/"):
            if fragment in self.anchors:
                return self.anchors[fragment]
            self.problems.append(
                (loc, f"the reference {_short(ref)} names no '$anchor' of this schema")
            )
            return None
        node: Any = self.root
        where = "#"
        for raw in fragment.split("/")[1:]:
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                self.problems.append(
                    (
                        loc,
                        f"the reference {_short(ref)} does not resolve: there is no "
                        f"{_short(part)} at {_short(where)}; fix the reference or add the "
                        "definition it names",
                    )
                )
                return None
            where += "/" + raw
        if not isinstance(node, (dict, bool)):
            self.problems.append(
                (loc, f"the reference {_short(ref)} points to a value that is not a schema")
            )
            return None
        return node

    def _check_patterns(self) -> None:
        import regex

        for loc, pattern in self.patterns:
            try:
                regex.compile(pattern)
            except (regex.error, ValueError, OverflowError, RecursionError) as err:
                self.problems.append(
                    (loc, f"the pattern {_short(pattern)} is not a valid regular expression: {err}")
                )

    def _check_loops(self, resolved: Mapping[int, list[Any]]) -> None:
        """Refuse cycles of references and in-place keywords (they never reach the input)."""
        state: dict[int, int] = {}  # 1: on the current path, 2: done

        def children(node: Any) -> list[Any]:
            if not isinstance(node, dict):
                return []
            out = list(resolved.get(id(node), ()))
            for key in _IN_PLACE_ONE:
                if isinstance(node.get(key), dict):
                    out.append(node[key])
            for key in _IN_PLACE_LIST:
                if isinstance(node.get(key), list):
                    out.extend(node[key])
            for key in _IN_PLACE_MAP:
                if isinstance(node.get(key), dict):
                    out.extend(v for v in node[key].values() if isinstance(v, dict))
            return out

        for start in [self.root, *(t for targets in resolved.values() for t in targets)]:
            if state.get(id(start)):
                continue
            stack: list[tuple[Any, Iterator[Any]]] = [(start, iter(children(start)))]
            state[id(start)] = 1
            while stack:
                node, pending = stack[-1]
                child = next(pending, None)
                if child is None:
                    state[id(node)] = 2
                    stack.pop()
                    continue
                mark = state.get(id(child))
                if mark == 1:
                    self.problems.append(
                        (
                            (),
                            "the schema's references loop without descending into the input "
                            "(for example {'$ref': '#'} or {'anyOf': [{'$ref': '#'}]}), so "
                            "validating any input would never end; refer to a part of the "
                            "schema under 'properties' or 'items' instead",
                        )
                    )
                    return
                if mark is None:
                    state[id(child)] = 1
                    stack.append((child, iter(children(child))))


def _short(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:50] + "...")


# --- bounded validation --------------------------------------------------------------------------


class _OutOfTime(Exception):
    """The validation passed its deadline (or one pattern its own limit)."""

    def __init__(self, pattern: str | None = None) -> None:
        super().__init__(pattern)
        self.pattern = pattern


_local = threading.local()


def _remaining() -> float:
    deadline: float = getattr(_local, "deadline", 0.0)
    left = deadline - time.monotonic()
    if left <= 0:
        raise _OutOfTime
    return left


def _search(pattern: str, text: str) -> bool:
    import regex

    left = _remaining()
    try:
        found = regex.search(pattern, text, timeout=min(left, PATTERN_TIME_LIMIT), concurrent=True)
    except TimeoutError:
        raise _OutOfTime(pattern if left > PATTERN_TIME_LIMIT else None) from None
    return found is not None


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _search(pattern, instance):
        yield ValidationError(f"{_short(instance)} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [
        key
        for key in instance
        if key not in properties and not any(_search(p, key) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for key in extras:
            yield from validator.descend(instance[key], additional, path=key)
    elif additional is False and extras:
        names = ", ".join(repr(key) for key in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({names} unexpected)")


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[Any] = set()
    for item in instance:
        key = _identity(item)
        if key in seen:
            yield ValidationError(f"{_short(repr(instance))} has non-unique elements")
            return
        seen.add(key)


def _identity(value: Any) -> Any:
    """A hashable stand-in that is equal exactly when JSON Schema calls two values equal."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, (list, tuple)):
        return ("array", tuple(_identity(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((k, _identity(v)) for k, v in value.items()))
    return ("value", value)


def _bounded(check: Callable[..., Any]) -> Callable[..., Any]:
    def keyword(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        _remaining()
        return check(validator, value, instance, schema)

    return keyword


_REPLACED: Final[dict[str, Callable[..., Any]]] = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "uniqueItems": _unique_items,
}


class InputChecker:
    """Validates run bodies against one input schema, in bounded time (thread-safe).

    Build it once per schema; no work is done until the first :meth:`check`.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._validator: Any = None

    def _build(self) -> Any:
        from jsonschema import validators

        base = validators.validator_for(self.schema, default=validators.Draft202012Validator)
        replaced: dict[str, Callable[..., Any]] = {
            name: _bounded(_REPLACED.get(name) or check) for name, check in base.VALIDATORS.items()
        }
        cls = validators.extend(base, replaced)
        return cls(self.schema, format_checker=base.FORMAT_CHECKER)

    def check(self, body: Any) -> None:
        """Raise :class:`~gladier.exc.FlowInputError` listing every violation (or a limit hit)."""
        if self._validator is None:
            self._validator = self._build()
        _local.deadline = time.monotonic() + VALIDATION_TIME_LIMIT
        try:
            errors = sorted(
                self._validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path]
            )
        except _OutOfTime as err:
            what = (
                f"Applying the pattern {_short(err.pattern)} of the flow's input schema to one "
                f"value of the run input took longer than {PATTERN_TIME_LIMIT} s"
                if err.pattern is not None
                else "Validating the run input against the flow's input schema took longer "
                f"than {VALIDATION_TIME_LIMIT} s"
            )
            raise FlowInputError(
                f"{what}; simplify the schema's patterns (nested repetition such as (a+)+ is "
                "slow) with update_flow, or shorten the input."
            ) from None
        except RecursionError:
            raise FlowInputError(
                "Validating the run input against the flow's input schema nests too deeply: "
                "the schema nests too deeply, or a value of the input does (such as a regular "
                'expression with many groups checked by "format": "regex"); simplify it.'
            ) from None
        except Exception as err:  # jsonschema or referencing internals: report, never leak
            raise FlowInputError(
                f"The flow's input schema could not be applied to the run input "
                f"({type(err).__name__}: {str(err)[:200]}); fix the schema with update_flow."
            ) from None
        finally:
            _local.deadline = 0.0
        if not errors:
            return
        detail = [
            {"loc": [_json_path(e.absolute_path)], "type": "InvalidActionInput", "msg": e.message}
            for e in errors
        ]
        count = len(detail)
        plural = "error" if count == 1 else "errors"
        raise FlowInputError(f"Input failed schema validation with {count} {plural}.", detail)


def _json_path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
