"""``Parameters`` templates (spec §4) and the redaction of secrets for display (spec §2.2).

A template is compiled once: keys ending ``.$`` hold paths, keys ending ``.=`` hold expressions,
other keys are copied, and objects are rendered recursively at any depth, inside lists too.
``__Private_Parameters`` lists sibling keys whose values are secret: it is never emitted, and
:meth:`Parameters.redact` drops those keys from a rendered value before it is shown.

Example::

    >>> params = compile_parameters({
    ...     "src.$": "$.input.path",
    ...     "count.=": "len_hint + 1",
    ...     "tasks": [{"payload.$": "$.input"}],
    ...     "token.$": "$._private_token",
    ...     "__Private_Parameters": ["token"],
    ... })
    >>> body = params.render({"input": {"path": "/a"}, "len_hint": 1, "_private_token": "s3"}, {})
    >>> body["src"], body["count"], body["tasks"], body["token"]
    ('/a', 2, [{'payload': {'path': '/a'}}], 's3')
    >>> "token" in params.redact(body)
    False
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from gladier.exc import ExpressionError, FlowRunError, GladierException, PathSyntaxError
from gladier.runtime.language.paths import JsonPath, PathNotFound, parse_path

if TYPE_CHECKING:
    # Imported where a template has ``.=`` keys: templates without expressions (most of
    # them) never load the expression language and its sandbox.
    from gladier.runtime.language.expressions import Expression

__all__ = [
    "PRIVATE_PARAMETERS_KEY",
    "RENDER_TIME_LIMIT",
    "Parameters",
    "ParametersError",
    "compile_parameters",
    "hide_private",
]

#: The directive key that lists secret sibling keys.
PRIVATE_PARAMETERS_KEY: Final = "__Private_Parameters"
#: Most seconds all ``.=`` expressions of one rendering may take together (each one alone has
#: :data:`~gladier.runtime.language.expressions.DEFAULT_TIME_LIMIT`, the same value).
RENDER_TIME_LIMIT: Final = 0.5

# The deadline of the rendering in progress on this thread.
_render = threading.local()


class ParametersError(GladierException, ValueError):
    """A ``Parameters`` template is malformed (key collision, bad ``__Private_Parameters``)."""


class _Node:
    """A compiled template value."""

    __slots__ = ()

    def render(self, state: Any, context: Mapping[str, Any] | None, extra: bool) -> Any:
        raise NotImplementedError

    def redact(self, value: Any) -> Any:
        return _json_copy(value)


class _Literal(_Node):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def render(self, state: Any, context: Mapping[str, Any] | None, extra: bool) -> Any:
        return self.value


class _List(_Node):
    __slots__ = ("items",)

    def __init__(self, items: tuple[_Node, ...]) -> None:
        self.items = items

    def render(self, state: Any, context: Mapping[str, Any] | None, extra: bool) -> Any:
        return [item.render(state, context, extra) for item in self.items]

    def redact(self, value: Any) -> Any:
        if not isinstance(value, list) or len(value) != len(self.items):
            return _json_copy(value)
        return [node.redact(item) for node, item in zip(self.items, value, strict=True)]


class _PathField:
    __slots__ = ("key", "name", "path")

    def __init__(self, name: str, key: str, path: JsonPath) -> None:
        self.name, self.key, self.path = name, key, path

    def render(self, state: Any, context: Mapping[str, Any] | None, extra: bool) -> Any:
        try:
            return _json_copy(self.path.read(state, context))
        except PathNotFound:
            raise FlowRunError(
                "States.Runtime",
                f"The path '{self.path.text}' specified for the field '{self.name}.$' "
                "could not be found in the state input.",
            ) from None

    def redact(self, value: Any) -> Any:
        return _json_copy(value)


class _ExpressionField:
    __slots__ = ("expressions", "key", "name", "text")

    def __init__(self, name: str, key: str, text: str) -> None:
        from gladier.runtime.language.expressions import compile_expression

        self.name, self.key, self.text = name, key, text
        # Both variants share one parse; the runtime option picks one at render time.
        self.expressions: tuple[Expression, Expression] = (
            compile_expression(text, extra_functions=False),
            compile_expression(text, extra_functions=True),
        )

    def render(self, state: Any, context: Mapping[str, Any] | None, extra: bool) -> Any:
        expression = self.expressions[extra]
        deadline: float | None = getattr(_render, "deadline", None)
        limit = None
        if deadline is not None:
            limit = deadline - time.monotonic()
            if limit <= 0:
                raise self._out_of_time()
        try:
            return expression.evaluate(state, context, time_limit=limit)
        except ExpressionError as err:
            if deadline is not None and time.monotonic() >= deadline:
                raise self._out_of_time() from None
            raise FlowRunError(
                "States.Runtime",
                f"The expression '{self.text}' for the field '{self.name}.=' could not be "
                f"evaluated: {err}",
            ) from None

    def redact(self, value: Any) -> Any:
        return _json_copy(value)

    def _out_of_time(self) -> FlowRunError:
        return FlowRunError(
            "States.Runtime",
            f"The expression '{self.text}' for the field '{self.name}.=' could not be "
            f"evaluated: all expressions of one state may take {RENDER_TIME_LIMIT} s together, "
            "and that time is used up; make the expressions cheaper or split them over several "
            "states.",
        )


class _Object(_Node):
    __slots__ = ("fields", "private")

    def __init__(self, fields: tuple[tuple[str, Any], ...], private: frozenset[str]) -> None:
        self.fields = fields  # (output key, _Node | _PathField | _ExpressionField)
        self.private = private

    def render(self, state: Any, context: Mapping[str, Any] | None, extra: bool) -> Any:
        return {name: field.render(state, context, extra) for name, field in self.fields}

    def redact(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return _json_copy(value)
        nodes = dict(self.fields)
        out = {}
        for key, item in value.items():
            if key in self.private:
                continue
            node = nodes.get(key)
            out[key] = _json_copy(item) if node is None else node.redact(item)
        return out


class Parameters:
    """A compiled ``Parameters`` template. Build it with :func:`compile_parameters`.

    ``template`` is the source; ``has_private`` says whether any ``__Private_Parameters``
    directive appears in it.

    Example::

        >>> compile_parameters({"a.$": "$.x", "b": [1, {"c.=": "x * 2"}]}).render({"x": 3}, None)
        {'a': 3, 'b': [1, {'c': 6}]}
    """

    __slots__ = ("_root", "has_private", "template")

    def __init__(self, template: Any, root: _Node, has_private: bool) -> None:
        self.template = template
        self._root = root
        self.has_private = has_private

    def __repr__(self) -> str:
        return f"Parameters({self.template!r})"

    def render(
        self,
        state: Any,
        context: Mapping[str, Any] | None,
        *,
        extra_functions: bool = False,
    ) -> Any:
        """Render against ``state`` (the effective input) and ``context`` (``$._context``).

        The result is new JSON data that shares nothing with ``state`` or the template.

        :raises FlowRunError: ``States.Runtime`` for a missing ``.$`` path or a failed ``.=``
            expression, naming the field.

        Example::

            >>> compile_parameters({"id.$": "$._context.run_id"}).render({}, {"run_id": "r1"})
            {'id': 'r1'}
        """
        outer = getattr(_render, "deadline", None)
        if outer is None:
            _render.deadline = time.monotonic() + RENDER_TIME_LIMIT
        try:
            return self._root.render(state, context, extra_functions)
        finally:
            if outer is None:
                _render.deadline = None

    def redact(self, rendered: Any) -> Any:
        """A deep copy of ``rendered`` without the keys listed in ``__Private_Parameters``.

        Example::

            >>> p = compile_parameters({"k": 1, "s": 2, "__Private_Parameters": ["s"]})
            >>> p.redact(p.render({}, None))
            {'k': 1}
        """
        return self._root.redact(rendered)


def compile_parameters(template: Any) -> Parameters:
    """Compile a template once: parse every path and expression, check every key.

    :raises PathSyntaxError: a ``.$`` value is not a valid path (the message names the key).
    :raises ExpressionError: a ``.=`` value is not a valid expression (the message names the key).
    :raises ParametersError: two keys produce the same output key (``a`` and ``a.$``), a key is
        only a suffix, or ``__Private_Parameters`` is not a list of strings.

    Example::

        >>> compile_parameters({"a": 1, "a.$": "$.x"})
        Traceback (most recent call last):
        ...
        gladier.runtime.language.parameters.ParametersError: In Parameters: the keys 'a' and ...
    """
    flags = {"private": False}
    root = _compile(template, "", flags)
    return Parameters(template, root, flags["private"])


def _compile(value: Any, loc: str, flags: dict[str, bool]) -> _Node:
    if isinstance(value, Mapping):
        return _compile_object(value, loc, flags)
    if isinstance(value, (list, tuple)):
        items = (_compile(item, f"{loc}[{i}]", flags) for i, item in enumerate(value))
        return _List(tuple(items))
    return _Literal(value)


def _compile_object(template: Mapping[str, Any], loc: str, flags: dict[str, bool]) -> _Object:
    fields: list[tuple[str, Any]] = []
    sources: dict[str, str] = {}
    private: frozenset[str] = frozenset()
    for key, value in template.items():
        if not isinstance(key, str):
            raise ParametersError(f"{_at(loc)}: the key {key!r} is not a string")
        where = f"{loc}.{key}" if loc else key
        if key == PRIVATE_PARAMETERS_KEY:
            private = _private_names(value, where)
            flags["private"] = True
            continue
        field: Any
        if key.endswith(".$"):
            name = key[:-2]
            field = _PathField(name, key, _compile_path(value, where, key))
        elif key.endswith(".="):
            name = key[:-2]
            field = _ExpressionField(name, key, _check_expression(value, where, key))
        else:
            name = key
            field = _compile(value, where, flags)
        if key != name and not name:
            raise ParametersError(f"{_at(where)}: the key {key!r} has no name before its suffix")
        if name in sources:
            raise ParametersError(
                f"{_at(loc)}: the keys {sources[name]!r} and {key!r} would both "
                f"produce the field {name!r}; keep only one of them"
            )
        sources[name] = key
        fields.append((name, field))
    return _Object(tuple(fields), private)


def _at(loc: str) -> str:
    return f"In Parameters at '{loc}'" if loc else "In Parameters"


def _private_names(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParametersError(f"{_at(where)}: {PRIVATE_PARAMETERS_KEY} must be a list of key names")
    return frozenset(v[:-2] if v.endswith((".$", ".=")) else v for v in value)


def _compile_path(value: Any, where: str, key: str) -> JsonPath:
    if not isinstance(value, str):
        raise PathSyntaxError(
            f"{_at(where)}: the value of {key!r} must be a path string such as "
            f"'$.input.name', not {type(value).__name__}"
        )
    try:
        return parse_path(value)
    except PathSyntaxError as err:
        raise PathSyntaxError(f"{_at(where)}: {err}") from None


def _check_expression(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(
            f"{_at(where)}: the value of {key!r} must be an expression string, "
            f"not {type(value).__name__}"
        )
    from gladier.runtime.language.expressions import compile_expression

    try:
        compile_expression(value, extra_functions=True)
    except ExpressionError as err:
        raise ExpressionError(
            f"{_at(where)}: the expression {value!r} is not valid: {err}"
        ) from None
    return value


def hide_private(value: Any) -> Any:
    """A copy of a run state without any key starting with ``_private``, at any depth.

    Example::

        >>> hide_private({"a": 1, "_private_token": "x", "l": [{"_private": 2, "b": 3}]})
        {'a': 1, 'l': [{'b': 3}]}
    """
    if isinstance(value, Mapping):
        return {
            k: hide_private(v)
            for k, v in value.items()
            if not (isinstance(k, str) and k.startswith("_private"))
        }
    if isinstance(value, (list, tuple)):
        return [hide_private(v) for v in value]
    return value


def _json_copy(value: Any) -> Any:
    """A deep copy of JSON data (much faster than ``copy.deepcopy``)."""
    if isinstance(value, dict):
        return {k: _json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_copy(v) for v in value]
    if isinstance(value, tuple):
        return [_json_copy(v) for v in value]
    return value
