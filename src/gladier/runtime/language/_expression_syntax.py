"""Parsing and static checks of expressions (internal to :mod:`.expressions`).

Everything that can be refused without data is refused here, once per expression: syntax errors,
constructs simpleeval cannot evaluate (``lambda``, ``:=``, set comprehensions, ``@``), calls of
unknown functions, attributes starting with ``_``, sources that are too long or nest too deeply.
Legacy back-quoted paths (``'a' + `$.b```) are replaced by names here.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from typing import Final

import simpleeval

from gladier.exc import ExpressionError, PathSyntaxError
from gladier.runtime.language.paths import JsonPath, parse_path

__all__ = ["LEGACY_PREFIX", "MAX_EXPRESSION_LENGTH", "MAX_NESTING", "parse_source"]

#: Longest expression source accepted.
MAX_EXPRESSION_LENGTH: Final = 10_000
#: Deepest nesting of the syntax tree accepted (keeps evaluation far from Python's recursion limit).
MAX_NESTING: Final = 100
#: Prefix of the names that stand for back-quoted paths.
LEGACY_PREFIX: Final = "__gladier_backquoted_path_"


def parse_source(
    text: str, functions: frozenset[str], extra_functions: frozenset[str]
) -> tuple[ast.expr, tuple[tuple[str, JsonPath], ...]]:
    """Parse and check ``text``; return the expression tree and its back-quoted paths.

    Each back-quoted path is replaced by a name (the first item of its pair) that the evaluator
    binds to the path's value. ``functions`` and ``extra_functions`` are the callable names.

    :raises ExpressionError: saying what is wrong.
    """
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; "
            f"the limit is {MAX_EXPRESSION_LENGTH:,}"
        )
    source, legacy = _replace_backquotes(text) if "`" in text else (text, ())
    source = source.strip()
    if not source:
        raise ExpressionError("the expression is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval").body
    except SyntaxError as err:
        where = f" at column {err.offset}" if err.offset else ""
        detail = "" if err.msg == "invalid syntax" else f": {err.msg}"
        raise ExpressionError(f"invalid syntax{where}{detail}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"the expression nests too deeply (more than {MAX_NESTING} levels)"
        ) from None
    _check_tree(tree, functions, extra_functions)
    return tree, legacy


def _replace_backquotes(text: str) -> tuple[str, tuple[tuple[str, JsonPath], ...]]:
    """Replace each back-quoted path outside string literals by a name bound at evaluation."""
    out: list[str] = []
    legacy: list[tuple[str, JsonPath]] = []
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        if char in "'\"":
            stop = _end_of_string(text, pos)
            out.append(text[pos:stop])
            pos = stop
        elif char == "`":
            close = text.find("`", pos + 1)
            if close < 0:
                raise ExpressionError(f"unterminated back-quoted path at column {pos + 1}")
            path_text = text[pos + 1 : close].strip()
            try:
                path = parse_path(path_text)
            except PathSyntaxError as err:
                raise ExpressionError(f"in a back-quoted path: {err}") from None
            name = f"{LEGACY_PREFIX}{len(legacy)}"
            legacy.append((name, path))
            out.append(f" {name} ")
            pos = close + 1
        else:
            out.append(char)
            pos += 1
    return "".join(out), tuple(legacy)


def _end_of_string(text: str, start: int) -> int:
    quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
    pos = start + len(quote)
    while pos < len(text):
        if text[pos] == "\\":
            pos += 2
        elif text.startswith(quote, pos):
            return pos + len(quote)
        else:
            pos += 1
    return len(text)  # unterminated: the parser reports it


# --- static checks -------------------------------------------------------------------------------

_ALLOWED_NODES: Final = frozenset(
    [
        ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.IfExp, ast.Dict, ast.Set, ast.ListComp,
        ast.DictComp, ast.GeneratorExp, ast.Compare, ast.Call, ast.keyword, ast.FormattedValue,
        ast.JoinedStr, ast.Constant, ast.Attribute, ast.Subscript, ast.Name, ast.List, ast.Tuple,
        ast.Slice, ast.comprehension, ast.Load, ast.Store,
        ast.And, ast.Or, ast.Invert, ast.Not, ast.UAdd, ast.USub,
        ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift,
        ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd,
        ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
    ]
)  # fmt: skip
_REFUSED: Final[dict[type[ast.AST], str]] = {
    ast.Lambda: "lambda functions are not available",
    ast.NamedExpr: "assignment (':=') is not available",
    ast.SetComp: "set comprehensions are not available; use set([... for ...])",
    ast.MatMult: "the operator '@' is not available",
    ast.Starred: "'*' unpacking is only available inside list literals ([*a, *b])",
    ast.Await: "'await' is not available",
    ast.Yield: "'yield' is not available",
    ast.YieldFrom: "'yield' is not available",
}


def _check_tree(tree: ast.expr, functions: frozenset[str], extra: frozenset[str]) -> None:
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ExpressionError(
                f"the expression nests too deeply (more than {MAX_NESTING} levels)"
            )
        kind = type(node)
        if kind not in _ALLOWED_NODES:
            raise ExpressionError(
                _REFUSED.get(kind, f"{kind.__name__} is not available in expressions")
            )
        children: Iterator[ast.AST] = ast.iter_child_nodes(node)
        if isinstance(node, ast.Attribute):
            _check_attribute(node.attr)
        elif isinstance(node, ast.Call):
            _check_call(node, functions, extra)
        elif isinstance(node, ast.List):
            # ``[*a, 1]`` is the one place simpleeval accepts a starred expression.
            children = (e.value if isinstance(e, ast.Starred) else e for e in node.elts)
        elif isinstance(node, ast.comprehension):
            if node.is_async:
                raise ExpressionError("'async for' is not available")
            _check_target(node.target)
        stack.extend((child, depth + 1) for child in children)


def _check_attribute(name: str) -> None:
    if name.startswith(tuple(simpleeval.DISALLOW_PREFIXES)):
        raise ExpressionError(
            f"attributes starting with '_' or 'func_' cannot be read ('.{name}'); "
            f"use x['{name}'] for a key of that name"
        )
    if name in simpleeval.DISALLOW_METHODS:
        raise ExpressionError(f"the method '{name}' is not available in expressions")


def _check_call(node: ast.Call, functions: frozenset[str], extra: frozenset[str]) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in functions and func.id not in extra:
            raise ExpressionError(
                f"the function '{func.id}' is not available; the functions are "
                f"{', '.join(sorted(functions))} (and, when the runtime option "
                f"extra_expression_functions is on, {', '.join(sorted(extra))})"
            )
    elif not isinstance(func, ast.Attribute):
        raise ExpressionError("only named functions and methods can be called")
    if any(k.arg is None for k in node.keywords):
        raise ExpressionError("'**' unpacking of arguments is not available")


def _check_target(target: ast.AST) -> None:
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _check_target(element)
    elif not isinstance(target, ast.Name):
        raise ExpressionError("a comprehension variable must be a name or a tuple of names")
