"""``Choice`` rules (spec §6.3): compile once, then pick the next state.

Comparisons are type-strict and fail soft: a value of the wrong type (a string for
``NumericEquals``, ``true`` for a number, a non-RFC 3339 string for ``Timestamp*``) makes the test
false. A ``Variable`` or ``...Path`` operand that does not resolve is a ``States.Runtime`` error,
except for ``IsPresent``, which never fails.

Example::

    >>> choice = compile_choice({
    ...     "Type": "Choice",
    ...     "Choices": [
    ...         {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
    ...         {"Not": {"Variable": "$.n", "IsPresent": True}, "Next": "Missing"},
    ...     ],
    ...     "Default": "Small",
    ... })
    >>> choice.choose({"n": 12}), choice.choose({}), choice.choose({"n": True})
    ('Big', 'Missing', 'Small')
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

from gladier.exc import FlowRunError, GladierException, PathSyntaxError
from gladier.runtime.language.paths import JsonPath, PathNotFound, parse_path
from gladier.runtime.language.timestamps import parse_timestamp

__all__ = ["OPERATORS", "Choice", "ChoiceError", "compile_choice"]

_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_TYPE_TESTS: Final[dict[str, Callable[[Any], bool]]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": lambda v: _is_number(v),
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}
_COMPARISONS: Final = frozenset(
    [f"{family}{name}" for family in ("String", "Numeric", "Timestamp") for name in _ORDER]
    + ["BooleanEquals"]
)
#: Every data-test operator a rule may use.
OPERATORS: Final = frozenset(
    _COMPARISONS
    | {f"{name}Path" for name in _COMPARISONS}
    | {"StringMatches", "IsPresent"}
    | set(_TYPE_TESTS)
)
_RULE_KEYS: Final = frozenset(["Variable", "Next", "Comment"])


class ChoiceError(GladierException, ValueError):
    """A Choice state definition is malformed (the message says where)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Rule:
    __slots__ = ()

    def test(self, state: Any, context: Mapping[str, Any] | None) -> bool:
        raise NotImplementedError


class _And(_Rule):
    __slots__ = ("rules",)

    def __init__(self, rules: tuple[_Rule, ...]) -> None:
        self.rules = rules

    def test(self, state: Any, context: Mapping[str, Any] | None) -> bool:
        return all(rule.test(state, context) for rule in self.rules)


class _Or(_And):
    __slots__ = ()

    def test(self, state: Any, context: Mapping[str, Any] | None) -> bool:
        return any(rule.test(state, context) for rule in self.rules)


class _Not(_Rule):
    __slots__ = ("rule",)

    def __init__(self, rule: _Rule) -> None:
        self.rule = rule

    def test(self, state: Any, context: Mapping[str, Any] | None) -> bool:
        return not self.rule.test(state, context)


class _IsPresent(_Rule):
    __slots__ = ("expected", "variable")

    def __init__(self, variable: JsonPath, expected: bool) -> None:
        self.variable, self.expected = variable, expected

    def test(self, state: Any, context: Mapping[str, Any] | None) -> bool:
        return self.variable.exists(state, context) == self.expected


class _DataTest(_Rule):
    """``Variable`` compared with a literal operand, or with the value at an operand path."""

    __slots__ = ("compare", "operand", "operand_path", "operator", "variable")

    def __init__(
        self,
        variable: JsonPath,
        operator_name: str,
        compare: Callable[[Any, Any], bool],
        operand: Any = None,
        operand_path: JsonPath | None = None,
    ) -> None:
        self.variable = variable
        self.operator = operator_name
        self.compare = compare
        self.operand = operand
        self.operand_path = operand_path

    def test(self, state: Any, context: Mapping[str, Any] | None) -> bool:
        try:
            value = self.variable.read(state, context)
        except PathNotFound as err:
            raise FlowRunError(
                "States.Runtime",
                f"The Choice rule's Variable path '{self.variable.text}' could not be found in "
                f"the state input ({err.reason}).",
            ) from None
        operand = self.operand
        if self.operand_path is not None:
            try:
                operand = self.operand_path.read(state, context)
            except PathNotFound as err:
                raise FlowRunError(
                    "States.Runtime",
                    f"The path '{self.operand_path.text}' given in '{self.operator}' of the Choice "
                    f"rule on Variable '{self.variable.text}' could not be found in the state "
                    f"input ({err.reason}).",
                ) from None
        return self.compare(value, operand)


class Choice:
    """A compiled Choice state. Build it with :func:`compile_choice`.

    ``default`` is the ``Default`` state name (or None); ``next_states`` lists the rules' targets.
    """

    __slots__ = ("_rules", "default", "next_states")

    def __init__(self, rules: tuple[tuple[_Rule, str], ...], default: str | None) -> None:
        self._rules = rules
        self.default = default
        self.next_states = tuple(target for _, target in rules)

    def choose(self, state: Any, context: Mapping[str, Any] | None = None) -> str | None:
        """The ``Next`` of the first true rule, else ``Default``, else None.

        :raises FlowRunError: ``States.Runtime`` when a rule's ``Variable`` (or ``...Path``
            operand) does not resolve; the message names the path.

        Example::

            >>> rule = {"Variable": "$.s", "StringMatches": "*.h5", "Next": "H5"}
            >>> compile_choice({"Choices": [rule]}).choose({"s": "x.h5"})
            'H5'
        """
        for rule, target in self._rules:
            if rule.test(state, context):
                return target
        return self.default


def compile_choice(state_def: Mapping[str, Any]) -> Choice:
    """Compile a Choice state definition (its ``Choices`` and ``Default``).

    :raises ChoiceError: a rule is malformed: no or several operators, an operand of the wrong
        type, an unparseable ``Timestamp*`` operand, a top-level rule without ``Next``, ...
    :raises PathSyntaxError: a ``Variable`` or ``...Path`` operand is not a valid path.

    Example::

        >>> compile_choice({"Choices": [{"Variable": "$.x", "IsNull": True, "Next": "N"}],
        ...                 "Default": "D"}).choose({"x": 1})
        'D'
    """
    choices = state_def.get("Choices")
    if not isinstance(choices, list) or not choices:
        raise ChoiceError("Choices must be a non-empty list of rules")
    default = state_def.get("Default")
    if default is not None and not isinstance(default, str):
        raise ChoiceError("Default must be the name of a state")
    rules = []
    for index, rule in enumerate(choices):
        loc = f"Choices[{index}]"
        compiled = _compile_rule(rule, loc)
        target = rule.get("Next")
        if not isinstance(target, str):
            raise ChoiceError(f"{loc}: a top-level Choice rule needs 'Next' (a state name)")
        rules.append((compiled, target))
    return Choice(tuple(rules), default)


def _compile_rule(rule: Any, loc: str) -> _Rule:
    if not isinstance(rule, Mapping):
        raise ChoiceError(f"{loc}: a Choice rule must be an object")
    combinators = [key for key in ("And", "Or", "Not") if key in rule]
    if combinators:
        if len(combinators) > 1 or "Variable" in rule:
            raise ChoiceError(f"{loc}: a rule has exactly one of 'And', 'Or', 'Not' or 'Variable'")
        key = combinators[0]
        value = rule[key]
        if key == "Not":
            return _Not(_compile_rule(value, f"{loc}.Not"))
        if not isinstance(value, list) or not value:
            raise ChoiceError(f"{loc}.{key}: must be a non-empty list of rules")
        nested = tuple(_compile_rule(r, f"{loc}.{key}[{i}]") for i, r in enumerate(value))
        return _And(nested) if key == "And" else _Or(nested)
    return _compile_test(rule, loc)


def _compile_test(rule: Mapping[str, Any], loc: str) -> _Rule:
    if "Variable" not in rule:
        raise ChoiceError(f"{loc}: a rule needs 'Variable' (or 'And', 'Or', 'Not')")
    variable = _path(rule["Variable"], f"{loc}.Variable")
    operators = [key for key in rule if key not in _RULE_KEYS]
    unknown = [key for key in operators if key not in OPERATORS]
    if unknown:
        raise ChoiceError(f"{loc}: unknown Choice operator {unknown[0]!r}")
    if len(operators) != 1:
        found = ", ".join(operators) if operators else "none"
        raise ChoiceError(f"{loc}: a rule needs exactly one operator (found: {found})")
    name = operators[0]
    operand = rule[name]
    where = f"{loc}.{name}"
    if name == "IsPresent" or name in _TYPE_TESTS:
        if not isinstance(operand, bool):
            raise ChoiceError(f"{where}: the operand must be true or false")
        if name == "IsPresent":
            return _IsPresent(variable, operand)
        predicate = _TYPE_TESTS[name]
        return _DataTest(variable, name, lambda v, expected: predicate(v) == expected, operand)
    if name == "StringMatches":
        if not isinstance(operand, str):
            raise ChoiceError(f"{where}: the operand must be a pattern string")
        return _DataTest(variable, name, _matcher(operand), operand)
    if name.endswith("Path"):
        base = name[: -len("Path")]
        return _DataTest(variable, name, _comparison(base), operand_path=_path(operand, where))
    _check_operand(name, operand, where)
    if name.startswith("Timestamp"):
        instant = parse_timestamp(operand)
        compare = _ORDER[name[len("Timestamp") :]]
        return _DataTest(variable, name, _timestamp_literal(compare), instant)
    return _DataTest(variable, name, _comparison(name), operand)


def _path(value: Any, where: str) -> JsonPath:
    if not isinstance(value, str):
        raise ChoiceError(f"{where}: must be a path string such as '$.status'")
    try:
        return parse_path(value)
    except PathSyntaxError as err:
        raise PathSyntaxError(f"{where}: {err}") from None


def _check_operand(name: str, operand: Any, where: str) -> None:
    if name.startswith("String") and not isinstance(operand, str):
        raise ChoiceError(f"{where}: the operand must be a string")
    if name.startswith("Numeric") and not _is_number(operand):
        raise ChoiceError(f"{where}: the operand must be a number")
    if name == "BooleanEquals" and not isinstance(operand, bool):
        raise ChoiceError(f"{where}: the operand must be true or false")
    if name.startswith("Timestamp") and parse_timestamp(operand) is None:
        raise ChoiceError(
            f"{where}: the operand must be an RFC 3339 timestamp such as "
            f"'2026-01-31T12:00:00Z', not {operand!r}"
        )


def _comparison(name: str) -> Callable[[Any, Any], bool]:
    """The type-strict comparison for a (non-Path) operator name; false on a type mismatch."""
    if name == "BooleanEquals":
        return lambda v, o: isinstance(v, bool) and isinstance(o, bool) and v == o
    if name.startswith("String"):
        order = _ORDER[name[len("String") :]]
        return lambda v, o: isinstance(v, str) and isinstance(o, str) and order(v, o)
    if name.startswith("Numeric"):
        order = _ORDER[name[len("Numeric") :]]
        return lambda v, o: _is_number(v) and _is_number(o) and order(v, o)
    order = _ORDER[name[len("Timestamp") :]]

    def timestamps(value: Any, other: Any) -> bool:
        left, right = parse_timestamp(value), parse_timestamp(other)
        return left is not None and right is not None and order(left, right)

    return timestamps


def _timestamp_literal(order: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(value: Any, instant: Any) -> bool:
        parsed = parse_timestamp(value)
        return parsed is not None and order(parsed, instant)

    return compare


def _matcher(pattern: str) -> Callable[[Any, Any], bool]:
    """``StringMatches``: only ``*`` is special; a backslash makes the next character literal."""
    parts: list[str] = []
    chunk: list[str] = []
    pos = 0
    while pos < len(pattern):
        char = pattern[pos]
        if char == "\\" and pos + 1 < len(pattern):
            chunk.append(pattern[pos + 1])
            pos += 2
            continue
        if char == "*":
            parts.append("".join(chunk))
            chunk = []
        else:
            chunk.append(char)
        pos += 1
    parts.append("".join(chunk))
    return lambda value, _operand: isinstance(value, str) and _glob(parts, value)


def _glob(parts: list[str], text: str) -> bool:
    # Linear-time matching: anchored first and last literals, then each middle literal at its
    # leftmost place (no regular expression, so no catastrophic backtracking).
    if len(parts) == 1:
        return text == parts[0]
    first, last = parts[0], parts[-1]
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    pos = len(first)
    for middle in parts[1:-1]:
        found = text.find(middle, pos, end)
        if found < 0:
            return False
        pos = found + len(middle)
    return True
