"""Building blocks of flow validation: the problem list, field and path checks, Parameters.

Internal to :mod:`gladier.runtime.language.validation`; the public entry point is
:func:`gladier.runtime.language.validation.validate_definition`. Every check here appends
pydantic-style ``{"loc", "msg", "type"}`` items to a :class:`Problems` list and never raises for bad
input, whatever its type.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gladier.exc import ExpressionError, PathSyntaxError
from gladier.runtime.options import RuntimeOptions

Loc = tuple[str | int, ...]

#: Deepest nesting of lists/objects (in Parameters, Result, choice rules) that is checked.
MAX_DEPTH = 64

#: Fields that Amazon States Language has but Globus Flows refuses on any state.
UNSUPPORTED_STATE_FIELDS: Mapping[str, str] = {
    "OutputPath": "'OutputPath' is not supported by Globus Flows; remove it and use 'ResultPath' "
    "to choose where the state's result is stored",
    "ResultSelector": "'ResultSelector' is not supported by Globus Flows; remove it and reshape "
    "the result in a following ExpressionEval or Pass state with 'Parameters'",
    "Retry": "'Retry' is not supported by Globus Flows; remove it and build a retry loop with a "
    "Choice state and an ExpressionEval counter, or route the error with 'Catch'",
    "Assign": "'Assign' (JSONata variables) is not supported by Globus Flows; remove it and store "
    "values in the run state with 'ResultPath' or an ExpressionEval state",
    "Output": "'Output' (JSONata) is not supported by Globus Flows; remove it and use "
    "'ResultPath' to choose where the result is stored",
    "Arguments": "'Arguments' (JSONata) is not supported by Globus Flows; use 'Parameters' instead",
    "QueryLanguage": "'QueryLanguage' is not supported by Globus Flows, which uses JSONPath only; "
    "remove it",
}


class Problems:
    """The errors and warnings found so far, in the order found."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def error(self, loc: Sequence[str | int], msg: str, kind: str = "value_error") -> None:
        """Record one error at ``loc`` (the key path inside the request body)."""
        self.errors.append({"loc": list(loc), "msg": msg, "type": kind})

    def warn(self, msg: str) -> None:
        """Record one warning."""
        self.warnings.append(msg)


@dataclass
class Context:
    """What the state checks share: the problem list, the state names and the options."""

    problems: Problems
    names: tuple[str, ...]
    options: RuntimeOptions = field(default_factory=RuntimeOptions)


def describe(value: Any) -> str:
    """The JSON type of ``value`` in words, for messages ("a string", "null", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a Python {type(value).__name__} (not JSON)"


def show(value: Any, limit: int = 60) -> str:
    """A short ``repr`` of ``value`` for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def key_name(key: Any) -> str | int:
    """A key as it appears in a ``loc``: strings as they are, anything else as its repr."""
    return key if isinstance(key, str) else repr(key)


def did_you_mean(word: Any, choices: Collection[str]) -> str:
    """``" (did you mean 'X'?)"`` when ``word`` is close to one of ``choices``, else ``""``."""
    if not isinstance(word, str):
        return ""
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return f" (did you mean {lowered[word.lower()]!r}?)"
    import difflib  # only a definition with a misspelt name needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def is_integer(value: Any) -> bool:
    """JSON Schema's ``integer``: an int (not a bool) or a float with no fraction."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def is_number(value: Any) -> bool:
    """A JSON number (int or float, never a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_closed(
    problems: Problems,
    obj: Mapping[Any, Any],
    loc: Loc,
    allowed: Collection[str],
    what: str,
    special: Mapping[str, str] | None = None,
) -> None:
    """Report each key of ``obj`` outside ``allowed``; ``special`` holds tailored messages."""
    for key in obj:
        if key in allowed:
            continue
        if isinstance(key, str) and special and key in special:
            msg = special[key]
        else:
            msg = (
                f"Unknown field {show(key)} in {what}{did_you_mean(key, allowed)}; remove it. "
                f"Allowed fields: {', '.join(sorted(allowed))}"
            )
        problems.error((*loc, key_name(key)), msg, "value_error.extra")


def check_type(problems: Problems, value: Any, loc: Loc, label: str, expected: str) -> bool:
    """Check ``value`` against a JSON type name; report and return False on a mismatch.

    ``expected`` is one of ``string``, ``boolean``, ``object``, ``list``, ``string_or_null``.
    """
    checks: dict[str, tuple[bool, str, str]] = {
        "string": (isinstance(value, str), "a string", "type_error.str"),
        "boolean": (isinstance(value, bool), "true or false", "type_error.bool"),
        "object": (isinstance(value, dict), "an object", "type_error.dict"),
        "list": (isinstance(value, list), "a list", "type_error.list"),
        "string_or_null": (
            value is None or isinstance(value, str),
            "a string or null",
            "type_error.str",
        ),
    }
    good, words, kind = checks[expected]
    if not good:
        problems.error(loc, f"{label} must be {words}; got {describe(value)}", kind)
    return good


def missing_target_message(label: str, target: str, names: Sequence[str]) -> str:
    """Message for a transition that names a state that does not exist."""
    msg = f"{label} names the state {target!r}, which does not exist{did_you_mean(target, names)}"
    if not names:
        return msg + "; define it in 'States'"
    if len(names) <= 12:
        return msg + f"; use one of the defined states: {', '.join(repr(n) for n in names)}"
    return msg + f"; use the name of one of the {len(names)} states defined in 'States'"


def check_target(ctx: Context, value: Any, loc: Loc, label: str) -> None:
    """A transition (``Next``, ``Default``, ...) must be a string naming an existing state."""
    if not check_type(ctx.problems, value, loc, label, "string"):
        return
    if value not in ctx.names:
        ctx.problems.error(loc, missing_target_message(label, value, ctx.names))


def check_path(
    problems: Problems, value: Any, loc: Loc, label: str, *, result: bool = False
) -> None:
    """Check a path-valued field. ``result=True`` adds the ``ResultPath`` rules.

    A path is a string starting with ``$`` in the Flows JSONPath dialect. A ``ResultPath`` must also
    be definite (names and indexes only) and must not write into ``$._context``.
    """
    example = "'$.result'" if result else "'$.input.name'"
    if not isinstance(value, str):
        problems.error(
            loc,
            f"{label} must be a path string such as {example}; got {describe(value)}",
            "type_error.str",
        )
        return
    if not value.startswith("$"):
        problems.error(
            loc,
            f"{label} must be a path starting with '$', such as {example}; got {show(value)}",
            "value_error.path",
        )
        return
    from gladier.runtime.language.paths import parse_path

    try:
        path = parse_path(value)
    except PathSyntaxError as err:
        problems.error(loc, f"{label}: {err}", "value_error.path")
        return
    if not result:
        return
    if path.targets_context:
        problems.error(
            loc,
            f"{label} cannot write to {show(value)}: '$._context' is read-only; store the "
            "result elsewhere, such as '$.result'",
            "value_error.path",
        )
    elif not path.definite:
        problems.error(
            loc,
            f"{label} must be a definite path (names and indexes only, no wildcards or "
            f"slices); got {show(value)}",
            "value_error.path",
        )


def check_timestamp(problems: Problems, value: Any, loc: Loc, label: str) -> None:
    """A timestamp field must be an RFC 3339 date-time string."""
    hint = "an RFC 3339 timestamp such as '2025-01-31T12:00:00Z'"
    if not isinstance(value, str):
        problems.error(loc, f"{label} must be {hint}; got {describe(value)}", "type_error.str")
        return
    from gladier.runtime.language.timestamps import parse_timestamp

    if parse_timestamp(value) is None:
        problems.error(loc, f"{label} must be {hint}; got {show(value)}", "value_error.datetime")


def check_json(problems: Problems, value: Any, loc: Loc, label: str, depth: int = 0) -> None:
    """Every value nested in ``value`` must be JSON (objects with string keys, lists, scalars)."""
    if depth > MAX_DEPTH:
        problems.error(loc, f"{label} is nested more than {MAX_DEPTH} levels deep; flatten it")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                problems.error(
                    (*loc, key_name(key)),
                    f"Keys in {label} must be strings; got {show(key)}",
                    "type_error.str",
                )
            check_json(problems, item, (*loc, key_name(key)), label, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(problems, item, (*loc, index), label, depth + 1)
    elif not (value is None or isinstance(value, str | int | float | bool)):
        problems.error(
            loc, f"{label} must hold only JSON values; got {describe(value)}", "type_error"
        )


def check_parameters(problems: Problems, value: Any, loc: Loc, label: str = "'Parameters'") -> None:
    """Check a ``Parameters`` template: ``.$`` paths, ``.=`` expressions, collisions, secrets."""
    if check_type(problems, value, loc, label, "object"):
        _check_template(problems, value, loc, 0)


def _check_template(problems: Problems, value: Any, loc: Loc, depth: int) -> None:
    if depth > MAX_DEPTH:
        problems.error(loc, f"'Parameters' is nested more than {MAX_DEPTH} levels deep; flatten it")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_template(problems, item, (*loc, index), depth + 1)
        return
    if not isinstance(value, dict):
        check_json(problems, value, loc, "'Parameters'", depth)
        return
    outputs: dict[str, list[str]] = {}
    for key, item in value.items():
        where = (*loc, key_name(key))
        if not isinstance(key, str):
            problems.error(
                where, f"Keys in 'Parameters' must be strings; got {show(key)}", "type_error.str"
            )
            continue
        if key == "__Private_Parameters":
            _check_private(problems, item, where)
            continue
        if key.endswith(".$"):
            check_path(problems, item, where, f"The value of {key!r}")
        elif key.endswith(".="):
            _check_expression(problems, item, where, key)
        else:
            _check_template(problems, item, where, depth + 1)
        base = key[:-2] if key.endswith((".$", ".=")) else key
        outputs.setdefault(base, []).append(key)
    for base, keys in outputs.items():
        if len(keys) > 1:
            problems.error(
                loc,
                f"The keys {' and '.join(repr(k) for k in keys)} each set the output key "
                f"{base!r}; keep only one of them",
                "value_error",
            )


def _check_private(problems: Problems, value: Any, loc: Loc) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.error(
            loc,
            "'__Private_Parameters' must be a list of key names (strings) to keep secret; "
            f"got {describe(value) if not isinstance(value, list) else 'a list with non-strings'}",
            "type_error.list",
        )


def _check_expression(problems: Problems, value: Any, loc: Loc, key: str) -> None:
    if not isinstance(value, str):
        problems.error(
            loc,
            f"The value of {key!r} must be an expression string (keys ending '.=' hold "
            f"expressions); got {describe(value)}. Drop the '.=' suffix for a constant",
            "type_error.str",
        )
        return
    from gladier.runtime.language.expressions import compile_expression

    try:
        compile_expression(value)
    except ExpressionError as err:
        problems.error(
            loc,
            f"The expression in {key!r} is not valid: {err}; fix the expression or drop the "
            "'.=' suffix to use the value as a literal string",
            "value_error.expression",
        )
