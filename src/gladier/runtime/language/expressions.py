"""The expression language of ``.=`` values (spec §5), on simpleeval's ``EvalWithCompoundTypes``.

Names are the top-level keys of the state plus ``_context``. Functions are simpleeval's defaults
(``int``, ``float``, ``str``, ``list``, ``tuple``, ``dict``, ``set``, ``rand``, ``randint``) and the
Globus ones, ``getattr(path, default=None)``, ``is_present(path)`` and ``pathsplit(path)``; with
``extra_functions=True`` also ``len``, ``min``, ``max``, ``abs``, ``round``, ``sum``,
``sorted``, ``range`` and ``bool``. Back-quoted JSONPaths (the pre-2021 syntax,
``'a' + `$.b.c```) are replaced by their values.

Every evaluation is bounded: sizes of built strings, lists and integers are capped (see
:mod:`._sandbox`), and so are the number of evaluated nodes and the wall time. Methods that would
modify a value (``append``, ``update``, ...) are refused, so evaluation never changes the state.

Example::

    >>> compile_expression("[f['name'] for f in files if f['size'] > 10]").evaluate(
    ...     {"files": [{"name": "a", "size": 5}, {"name": "b", "size": 50}]})
    ['b']
    >>> compile_expression("getattr('x', 10) + 1").evaluate({})
    11
"""

from __future__ import annotations

import ast
import functools
import posixpath
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import simpleeval

from gladier.exc import ExpressionError
from gladier.runtime.language import _sandbox
from gladier.runtime.language._expression_syntax import (
    MAX_EXPRESSION_LENGTH,
    MAX_NESTING,
    parse_source,
)
from gladier.runtime.language._sandbox import (
    MAX_COMPREHENSION_LENGTH,
    MAX_INT_BITS,
    MAX_POWER,
    MAX_STRING_LENGTH,
    MAX_VALUE_SIZE,
)
from gladier.runtime.language.paths import JsonPath, read_dotted

__all__ = [
    "DEFAULT_STEP_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "EXTRA_FUNCTION_NAMES",
    "FUNCTION_NAMES",
    "MAX_COMPREHENSION_LENGTH",
    "MAX_EXPRESSION_LENGTH",
    "MAX_INT_BITS",
    "MAX_NESTING",
    "MAX_POWER",
    "MAX_STRING_LENGTH",
    "MAX_VALUE_SIZE",
    "Expression",
    "compile_expression",
]

#: Default wall-time budget of one evaluation, in seconds.
DEFAULT_TIME_LIMIT: Final = 0.5
#: Default number of syntax-tree nodes one evaluation may evaluate.
DEFAULT_STEP_LIMIT: Final = 1_000_000

#: Functions every expression may call.
FUNCTION_NAMES: Final = frozenset(
    [
        "int", "float", "str", "list", "tuple", "dict", "set", "rand", "randint",  # simpleeval
        "getattr", "is_present", "pathsplit",  # Globus
    ]
)  # fmt: skip
#: Functions added by ``extra_functions=True`` (the runtime option ``extra_expression_functions``).
EXTRA_FUNCTION_NAMES: Final = frozenset(
    ["len", "min", "max", "abs", "round", "sum", "sorted", "range", "bool"]
)

_CHECK_TIME_EVERY: Final = 16  # evaluated nodes between two looks at the clock


class Expression:
    """A parsed, checked expression; evaluate it any number of times (thread-safe).

    Build it with :func:`compile_expression`. Attributes: ``text`` and ``extra_functions``.

    Example::

        >>> compile_expression("a.b * 2").evaluate({"a": {"b": 21}})
        42
    """

    __slots__ = ("_legacy", "_tree", "extra_functions", "text")

    def __init__(
        self,
        text: str,
        tree: ast.expr,
        legacy: tuple[tuple[str, JsonPath], ...],
        extra_functions: bool,
    ) -> None:
        self.text = text
        self.extra_functions = extra_functions
        self._tree = tree
        self._legacy = legacy

    def __repr__(self) -> str:
        return f"Expression({self.text!r}, extra_functions={self.extra_functions})"

    def evaluate(
        self,
        state: Mapping[str, Any],
        context: Mapping[str, Any] | None = None,
        *,
        time_limit: float | None = None,
        step_limit: int | None = None,
    ) -> Any:
        """Evaluate against ``state`` (and ``context`` as ``_context``) and return a JSON value.

        The result shares nothing with ``state``. Tuples become lists; sets, functions, methods,
        non-string object keys and non-finite floats are errors.

        :raises ExpressionError: for any failure: unknown name, bad operand, a limit exceeded.

        Example::

            >>> compile_expression("_context.run_id + '-' + str(n)").evaluate(
            ...     {"n": 3}, {"run_id": "r1"})
            'r1-3'
        """
        legacy = {}
        for name, path in self._legacy:
            try:
                legacy[name] = path.read(state, context)
            except Exception as err:
                raise ExpressionError(
                    f"the back-quoted path `{path.text}` could not be read: {_cause(err)}"
                ) from None
        evaluator = _Evaluator.acquire(self.extra_functions)
        try:
            evaluator.start(
                self.text,
                state,
                context,
                legacy,
                DEFAULT_TIME_LIMIT if time_limit is None else time_limit,
                DEFAULT_STEP_LIMIT if step_limit is None else step_limit,
            )
            return _sandbox.to_json(evaluator.run(self._tree))
        except ExpressionError:
            raise
        except RecursionError:
            raise ExpressionError("the expression nests values too deeply") from None
        except MemoryError:
            raise ExpressionError("the expression ran out of memory") from None
        except Exception as err:
            raise ExpressionError(_describe_failure(err)) from None
        finally:
            evaluator.release()


def compile_expression(text: str, *, extra_functions: bool = False) -> Expression:
    """Parse and check an expression once (cached).

    Calls of unknown functions, unsupported syntax (``lambda``, ``:=``, statements), attributes
    starting with ``_`` and sources longer than :data:`MAX_EXPRESSION_LENGTH` are refused here.
    Calling one of :data:`EXTRA_FUNCTION_NAMES` compiles either way, but only evaluates when
    ``extra_functions`` is true.

    :raises ExpressionError: with a message that says what is wrong.

    Example::

        >>> compile_expression("x +")
        Traceback (most recent call last):
        ...
        gladier.exc.ExpressionError: invalid syntax ...
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, not {type(text).__name__}")
    return _compile(text, bool(extra_functions))


@functools.lru_cache(maxsize=4096)
def _compile(text: str, extra_functions: bool) -> Expression:
    tree, legacy = _parse(text)
    return Expression(text, tree, legacy, extra_functions)


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[ast.expr, tuple[tuple[str, JsonPath], ...]]:
    return parse_source(text, FUNCTION_NAMES, EXTRA_FUNCTION_NAMES)


# --- evaluation ----------------------------------------------------------------------------------


class _Names(Mapping[str, Any]):
    """The names an expression sees: the state's top-level keys, ``_context`` and legacy paths."""

    __slots__ = ("_context", "_legacy", "_state")

    def __init__(
        self,
        state: Any,
        context: Mapping[str, Any] | None,
        legacy: Mapping[str, Any],
    ) -> None:
        self._state = state if isinstance(state, Mapping) else {}
        self._context = context
        self._legacy = legacy

    def __getitem__(self, key: str) -> Any:
        if key == "_context" and self._context is not None:
            return self._context
        if self._legacy and key in self._legacy:
            return self._legacy[key]
        return self._state[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

    def __len__(self) -> int:
        return len(self._state)


class _BudgetExceeded(simpleeval.InvalidExpression):
    """The evaluation used up its step or time budget."""


_PLAIN_RESULTS: Final = frozenset([str, int, float, bool, type(None), list, dict, tuple])
# Nodes whose result may be a new object; their results are measured and counted.
_BUILDERS: Final = frozenset(
    [
        ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.GeneratorExp,
        ast.BinOp, ast.UnaryOp, ast.Call, ast.JoinedStr,
    ]
)  # fmt: skip


class _Evaluator(simpleeval.EvalWithCompoundTypes):
    """simpleeval with budgets, size checks, method and function policies. One per thread."""

    _local = threading.local()

    def __init__(self, extra_functions: bool) -> None:
        self._state: Any = None
        self._context: Mapping[str, Any] | None = None
        self._sizer = _sandbox.Sizer()
        self._busy = False
        self._steps = 0
        self._step_limit = 0
        self._deadline = 0.0
        self._time_limit = 0.0
        super().__init__(
            operators=_sandbox.OPERATORS,
            functions=self._functions(extra_functions),
            names=_Names({}, None, {}),
        )

    @classmethod
    def acquire(cls, extra_functions: bool) -> _Evaluator:
        pool: dict[bool, _Evaluator] = cls._local.__dict__.setdefault("pool", {})
        evaluator = pool.get(extra_functions)
        if evaluator is None or evaluator._busy:
            evaluator = cls(extra_functions)
            pool.setdefault(extra_functions, evaluator)
        evaluator._busy = True
        return evaluator

    def start(
        self,
        text: str,
        state: Any,
        context: Mapping[str, Any] | None,
        legacy: Mapping[str, Any],
        time_limit: float,
        step_limit: int,
    ) -> None:
        self.expr = text
        self.names = _Names(state, context, legacy)
        self._state = state
        self._context = context
        self._steps = 0
        self._step_limit = step_limit
        self._time_limit = time_limit
        self._deadline = time.monotonic() + time_limit
        self._max_count = 0

    def run(self, tree: ast.expr) -> Any:
        return self._eval(tree)

    def release(self) -> None:
        self.names = _Names({}, None, {})
        self._state = self._context = None
        self._sizer.clear()
        self._busy = False

    # simpleeval hooks ----------------------------------------------------------------------------

    def _eval(self, node: ast.AST) -> Any:
        self._steps += 1
        if self._steps > self._step_limit:
            raise _BudgetExceeded(
                f"the expression took more than {self._step_limit:,} evaluation steps"
            )
        if not self._steps % _CHECK_TIME_EVERY and time.monotonic() > self._deadline:
            raise _BudgetExceeded(f"the expression took longer than {self._time_limit:.3g} s")
        kind = type(node)
        handler = self.nodes.get(kind)
        if handler is None:
            raise simpleeval.FeatureNotAvailable(f"{kind.__name__} is not available")
        result = handler(node)
        result_kind = type(result)
        if result_kind not in _PLAIN_RESULTS:
            self._check_disallowed_items(result)
        if kind in _BUILDERS or (
            isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice)
        ):
            self._sizer.account(result)
        return result

    def _check_disallowed_items(self, item: Any) -> None:
        # Containers need no recursive walk here: every element was itself a node result, a
        # state value or a function result, and each of those was checked when it was made.
        if isinstance(item, types.ModuleType):
            raise simpleeval.FeatureNotAvailable("modules are not available")
        try:
            forbidden = callable(item) and item in simpleeval.DISALLOW_FUNCTIONS
        except TypeError:  # unhashable
            forbidden = False
        if forbidden:
            raise simpleeval.FeatureNotAvailable("this function is not available")

    def _eval_call(self, node: ast.Call) -> Any:
        func_node = node.func
        if isinstance(func_node, ast.Attribute):
            func = _sandbox.bound_method(self._eval(func_node.value), func_node.attr)
        elif isinstance(func_node, ast.Name):
            func = self.functions.get(func_node.id)
            if func is None:
                raise simpleeval.FunctionNotDefined(func_node.id, self.expr)
        else:  # refused by _check_tree; kept for trees built by hand
            raise simpleeval.FeatureNotAvailable("only named functions can be called")
        args = [self._eval(arg) for arg in node.args]
        kwargs = dict(self._eval(k) for k in node.keywords)
        return func(*args, **kwargs)

    def _eval_joinedstr(self, node: ast.JoinedStr) -> str:
        parts: list[str] = []
        length = 0
        for value in node.values:
            text = self._sizer.text(self._eval(value))
            length += len(text)
            if length > MAX_STRING_LENGTH:
                raise simpleeval.IterableTooLong(
                    f"the f-string would be longer than {MAX_STRING_LENGTH:,} characters"
                )
            parts.append(text)
        return "".join(parts)

    def _eval_formattedvalue(self, node: ast.FormattedValue) -> Any:
        # Like simpleeval, the conversion (!r, !s, !a) is ignored.
        value = self._eval(node.value)
        if node.format_spec is None:
            return value
        spec = self._eval(node.format_spec)
        _sandbox.check_format_spec(spec)
        self._sizer.text(value)
        return format(value, spec)

    # functions -----------------------------------------------------------------------------------

    def _functions(self, extra: bool) -> dict[str, Callable[..., Any]]:
        functions: dict[str, Callable[..., Any]] = {
            "int": int,
            "float": float,
            "str": self._str,
            "rand": simpleeval.DEFAULT_FUNCTIONS["rand"],
            "randint": simpleeval.DEFAULT_FUNCTIONS["randint"],
            "getattr": self._getattr,
            "is_present": self._is_present,
            "pathsplit": _pathsplit,
        }
        if extra:
            functions.update(
                len=len,
                min=min,
                max=max,
                abs=abs,
                round=round,
                sum=_sum,
                sorted=sorted,
                range=_range,
                bool=bool,
            )
        return functions

    def _str(self, *args: Any, **kwargs: Any) -> str:
        if len(args) == 1 and not kwargs:
            return self._sizer.text(args[0])
        return str(*args, **kwargs)

    def _getattr(self, path: Any, default: Any = None) -> Any:
        if not isinstance(path, str):
            raise TypeError(f"getattr() takes a path string, not {type(path).__name__}")
        return read_dotted(self._state, path, self._context, default)

    def _is_present(self, path: Any) -> bool:
        if not isinstance(path, str):
            raise TypeError(f"is_present() takes a path string, not {type(path).__name__}")
        missing = object()
        return read_dotted(self._state, path, self._context, missing) is not missing


def _pathsplit(path: Any) -> list[str]:
    if not isinstance(path, str):
        raise TypeError(f"pathsplit() takes a path string, not {type(path).__name__}")
    head, tail = posixpath.split(path)
    return ["/~/" if head == "/~" else head, tail]


def _range(*args: Any) -> list[int]:
    numbers = range(*args)
    if len(numbers) > MAX_STRING_LENGTH:
        raise simpleeval.IterableTooLong(
            f"range() of {len(numbers):,} numbers; the limit is {MAX_STRING_LENGTH:,}"
        )
    return list(numbers)


def _sum(items: Any, start: Any = 0) -> Any:
    if isinstance(start, (list, tuple)):
        # Linear concatenation (builtin sum() would copy the growing list at every step).
        out = list(start)
        for item in items:
            if not isinstance(item, type(start)):
                raise TypeError(
                    f"can only concatenate {type(start).__name__} (not {type(item).__name__})"
                )
            out.extend(item)
            if len(out) > MAX_STRING_LENGTH:
                raise simpleeval.IterableTooLong("sum() would build a list that is too long")
        return out if isinstance(start, list) else tuple(out)
    return sum(items, start)


# --- error messages ------------------------------------------------------------------------------


def _cause(err: BaseException) -> str:
    cause = getattr(err, "cause", None)
    return cause if isinstance(cause, str) else str(err)


def _describe_failure(err: Exception) -> str:
    if isinstance(err, simpleeval.NameNotDefined):
        return (
            f"the name '{err.name}' is not defined (names are the top-level keys of the state "
            f"and '_context'; use getattr('{err.name}', default) for an optional value)"
        )
    if isinstance(err, simpleeval.FunctionNotDefined):
        if err.func_name in EXTRA_FUNCTION_NAMES:
            return (
                f"the function '{err.func_name}' is only available when the runtime option "
                "extra_expression_functions is on (Globus Flows may not provide it)"
            )
        return f"the function '{err.func_name}' is not available"
    if isinstance(err, simpleeval.AttributeDoesNotExist):
        return f"'{err.attr}' does not exist (no such key or attribute)"
    if isinstance(err, simpleeval.InvalidExpression):
        return str(err)
    if isinstance(err, KeyError):
        return f"the key {err.args[0]!r} does not exist" if err.args else "a key does not exist"
    if isinstance(err, ValueError) and "integer string conversion" in str(err):
        # Python's own advice (sys.set_int_max_str_digits) is no help inside an expression.
        return (
            "an integer of more than 4,300 digits cannot be converted to or from text; keep "
            "numbers smaller"
        )
    return f"{type(err).__name__}: {err}"
