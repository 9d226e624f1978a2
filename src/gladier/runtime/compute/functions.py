"""The function registry: functions stored by value, with a checksum that is stable across runs.

A registered function is kept in the runtime store as bytes that a fresh worker process can
load without importing the module that defined it: dill (the serializer Globus Compute uses),
with every object of the function's own module pickled by value, plus the function's source
text as a portable fallback. Functions defined in ``__main__``, in a notebook, inside another
function or in a module the worker cannot import all run.

:func:`function_checksum` digests what a function *does*: its source (or code object), its
defaults, its closure and the module-level constants and helper functions it refers to. It is
the same in every process and after restarts, and it changes when any of those change.

Example::

    from gladier.runtime.compute.functions import function_checksum

    SCALE = 2

    def double(x):
        return x * SCALE

    function_checksum(double)   # '5b0c...'; another value once SCALE = 3
"""

from __future__ import annotations

import ast
import enum
import hashlib
import inspect
import io
import platform
import sqlite3
import sys
import textwrap
import threading
import types
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gladier.exc import ConfigException, NotFound
from gladier.runtime.store.database import Database
from gladier.runtime.timeutil import iso

CHECKSUM_VERSION = b"gladier-function-checksum-1"
#: How deep nested constants are digested; deeper structures digest as their type.
_MAX_DEPTH = 12

__all__ = [
    "FunctionCode",
    "FunctionRegistry",
    "function_checksum",
    "function_source",
    "serialize_function",
]


# ---------------------------------------------------------------------------- checksum
def function_checksum(fn: Callable[..., Any]) -> str:
    """A SHA-256 hex digest of what ``fn`` does, stable across processes and restarts.

    It covers the source text (the code object when no source is available), the defaults
    and keyword defaults, closure values, and the module-level names the function refers to:
    constants by value, functions and classes of the same module by their own checksum parts,
    modules and objects of other packages by name. Set and dict order, hash randomisation and
    memory addresses never enter it.

    Example::

        def f(x, y=1):
            return x + y

        function_checksum(f) == function_checksum(f)   # True, in any process
    """
    if not isinstance(fn, types.FunctionType):
        raise ConfigException(
            f"Only Python functions (def or lambda) can be registered, not {type(fn).__name__}"
        )
    digest = _Digest()
    digest.function(fn)
    return digest.hexdigest()


class _Digest:
    def __init__(self) -> None:
        self._hash = hashlib.sha256(CHECKSUM_VERSION)
        self._seen: dict[int, int] = {}

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def put(self, tag: str, data: str | bytes) -> None:
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        self._hash.update(f"\x00{tag}:{len(raw)}:".encode())
        self._hash.update(raw)

    def function(self, fn: types.FunctionType) -> None:
        if id(fn) in self._seen:
            self.put("again", str(self._seen[id(fn)]))
            return
        self._seen[id(fn)] = len(self._seen)
        self.put("function", fn.__qualname__)
        source = _raw_source(fn)
        if source is not None:
            self.put("source", source)
        else:
            self.code(fn.__code__)
        self.value("defaults", fn.__defaults__, fn.__module__)
        self.value("kwdefaults", fn.__kwdefaults__, fn.__module__)
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=False):
            try:
                content = cell.cell_contents
            except ValueError:
                self.put("free-empty", name)
                continue
            self.put("free", name)
            self.value("cell", content, fn.__module__)
        scope = fn.__globals__
        for name in sorted(_global_names(fn.__code__)):
            if name in scope:
                self.put("global", name)
                self.value("value", scope[name], fn.__module__)

    def code(self, code: types.CodeType) -> None:
        self.put("bytecode", code.co_code)
        for attr in ("co_names", "co_varnames", "co_freevars", "co_cellvars"):
            self.put(attr, "\x1f".join(getattr(code, attr)))
        self.put(
            "shape",
            f"{code.co_argcount}/{code.co_posonlyargcount}/{code.co_kwonlyargcount}/"
            f"{code.co_flags}",
        )
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                self.code(const)
            else:
                self.put("const", _canonical(const, 0) or f"<{type(const).__qualname__}>")

    def value(self, tag: str, value: Any, home_module: str | None) -> None:
        canonical = _canonical(value, 0)
        if canonical is not None:
            self.put(tag, canonical)
        elif isinstance(value, types.FunctionType):
            if _same_home(value, home_module):
                self.function(value)
            else:
                self.put("ref", f"{value.__module__}.{value.__qualname__}")
        elif isinstance(value, types.ModuleType):
            self.put("module", value.__name__)
        elif isinstance(value, type):
            self.put("class", f"{value.__module__}.{value.__qualname__}")
            if _same_home(value, home_module):
                self.put("class-source", _class_source(value) or "")
        elif isinstance(value, tuple | list):
            self.put(f"{type(value).__name__}-of", str(len(value)))
            for item in value:
                self.value("item", item, home_module)
        else:
            kind = type(value)
            self.put("object", f"{kind.__module__}.{kind.__qualname__}")


def _same_home(obj: Any, home_module: str | None) -> bool:
    module = getattr(obj, "__module__", None)
    return module == home_module or module == "__main__" or "<locals>" in obj.__qualname__


def _canonical(value: Any, depth: int) -> str | None:
    """A canonical text for constant-like values (None for anything else)."""
    if depth > _MAX_DEPTH:
        return None
    if value is None or isinstance(value, bool | int | float | complex | str | bytes):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, enum.Enum):
        kind = type(value)
        return f"enum:{kind.__module__}.{kind.__qualname__}.{value.name}"
    if isinstance(value, tuple | list | set | frozenset):
        items = [_canonical(item, depth + 1) for item in value]
        if any(item is None for item in items):
            return None
        texts = [item for item in items if item is not None]
        if isinstance(value, set | frozenset):
            texts.sort()
        return f"{type(value).__name__}({','.join(texts)})"
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            k, v = _canonical(key, depth + 1), _canonical(item, depth + 1)
            if k is None or v is None:
                return None
            pairs.append(f"{k}={v}")
        return f"dict({','.join(sorted(pairs))})"
    return None


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _raw_source(obj: Any) -> str | None:
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError, IndentationError):
        return None


def _class_source(cls: type) -> str | None:
    return _raw_source(cls)


def function_source(fn: Callable[..., Any]) -> str | None:
    """The source of ``fn``'s ``def`` statement without its decorators, or None.

    None for lambdas and for functions whose source is not available (defined with ``exec``,
    in ``python -c``, ...). A worker can rebuild a self-contained function from this text.

    Example::

        def add(a, b):
            return a + b

        function_source(add)   # 'def add(a, b):\\n    return a + b\\n'
    """
    source = _raw_source(fn)
    if source is None or fn.__name__ == "<lambda>":
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == fn.__name__:
            lines = source.splitlines(keepends=True)
            return "".join(lines[node.lineno - 1 : node.end_lineno])
    return None


# ---------------------------------------------------------------------------- serialization
def serialize_function(fn: Callable[..., Any]) -> tuple[str, bytes, str | None]:
    """``(serializer, code, source)`` for storing ``fn`` by value.

    ``serializer`` is ``"dill"`` (``code`` holds the dill bytes) or, when dill cannot
    pickle the function (it refers to a lock, a connection ...), ``"source"`` (``code`` is
    empty and the worker rebuilds the function from ``source``).

    Example::

        serializer, code, source = serialize_function(lambda x: x + 1)   # ('dill', b'...', None)
    """
    if not isinstance(fn, types.FunctionType):
        raise ConfigException(
            f"Only Python functions (def or lambda) can be registered, not {type(fn).__name__}"
        )
    source = function_source(fn)
    try:
        code = _dill_by_value(fn)
        import dill

        dill.loads(code)  # refuse bytes a worker could not load either
    except Exception as err:
        if source is None:
            raise ConfigException(
                f"Function {fn.__qualname__!r} cannot be stored: dill could not serialize it "
                f"({type(err).__name__}: {err}) and its source text is not available. Move "
                "objects such as locks, connections or open files inside the function."
            ) from err
        return "source", b"", source
    return "dill", code, source


def _dill_by_value(fn: types.FunctionType) -> bytes:
    import dill

    buffer = io.BytesIO()
    pickler = dill.Pickler(buffer, recurse=True, byref=False)
    module = sys.modules.get(fn.__module__ or "")
    if module is not None and _pickle_module_by_value(module):
        # dill pickles the objects of its "session" module by value (the mechanism behind
        # dill.dump_module); naming the function's own module makes its helper functions,
        # classes and constants travel with it, so a worker never has to import it.
        pickler._session = True
        pickler._first_pass = True
        pickler._main = module
    pickler.dump(fn)
    return buffer.getvalue()


def _installed_roots() -> list[Path]:
    import sysconfig  # only functions of imported modules need it (not those of __main__)

    paths = sysconfig.get_paths()
    roots = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return [Path(p).resolve() for p in roots if p]


def _pickle_module_by_value(module: types.ModuleType) -> bool:
    """Whether objects of ``module`` travel by value (the user's code, not installed packages)."""
    if module.__name__ == "__main__":
        return False  # dill already pickles __main__ by value
    filename = getattr(module, "__file__", None)
    if not filename:
        return False
    path = Path(filename).resolve()
    return not any(path.is_relative_to(root) for root in _installed_roots())


# ---------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class FunctionCode:
    """A registered function as executors receive it: an id and bytes, never a live object."""

    function_id: str
    name: str
    checksum: str
    serializer: str
    code: bytes
    source: str | None
    python_version: str

    def blob(self) -> dict[str, Any]:
        """What a worker needs to load the function (see ``worker.load_function``)."""
        return {
            "function_id": self.function_id,
            "name": self.name,
            "checksum": self.checksum,
            "serializer": self.serializer,
            "code": self.code,
            "source": self.source,
        }


def _function_doc(row: sqlite3.Row | tuple[Any, ...]) -> dict[str, Any]:
    fid, name, checksum, serializer, source, python_version, description, created = row
    return {
        "function_id": fid,
        "function_name": name,
        "checksum": checksum,
        "serializer": serializer,
        "python_version": python_version,
        "description": description,
        "source": source,
        "created_at": created,
    }


_DOC_COLUMNS = "id, name, checksum, serializer, source, python_version, description, created_at"


class FunctionRegistry:
    """Registered functions in the runtime store ``db``.

    Example::

        registry = FunctionRegistry(db)
        function_id = registry.register(lambda x: x * 2, name="double")
        registry.get(function_id)["function_name"]   # 'double'
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._codes: dict[str, FunctionCode] = {}

    def register(
        self, fn: Callable[..., Any], *, name: str | None = None, description: str | None = None
    ) -> str:
        """Store ``fn``; returns its id. The same code registered again keeps its id."""
        if not isinstance(fn, types.FunctionType):
            raise ConfigException(
                f"Only Python functions (def or lambda) can be registered, not {type(fn).__name__}"
            )
        label = name if name is not None else fn.__name__
        if not isinstance(label, str) or not label or len(label) > 256:
            raise ConfigException("A function name must be a string of 1 to 256 characters")
        checksum = function_checksum(fn)
        version = platform.python_version()
        series = ".".join(version.split(".")[:2])
        row = (
            self.db.read()
            .execute(
                "SELECT id FROM compute_functions WHERE checksum = ? AND name = ? "
                "AND (python_version = ? OR python_version LIKE ?) ORDER BY created_at LIMIT 1",
                (checksum, label, series, f"{series}.%"),
            )
            .fetchone()
        )
        if row is not None:
            return str(row[0])
        serializer, code, source = serialize_function(fn)
        function_id = str(uuid.uuid4())
        if description is None:
            description = inspect.getdoc(fn)
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO compute_functions(id, name, checksum, serializer, code, source, "
                "python_version, description, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    function_id,
                    label,
                    checksum,
                    serializer,
                    code,
                    source,
                    version,
                    description,
                    iso(),
                ),
            )
        return function_id

    def get(self, function_id: str) -> dict[str, Any]:
        """The function document (no code bytes)."""
        row = (
            self.db.read()
            .execute(f"SELECT {_DOC_COLUMNS} FROM compute_functions WHERE id = ?", (function_id,))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"No function with id {function_id} is registered in this runtime")
        return _function_doc(row)

    def all(self) -> list[dict[str, Any]]:
        """Every registered function, oldest first."""
        rows = self.db.read().execute(
            f"SELECT {_DOC_COLUMNS} FROM compute_functions ORDER BY created_at, id"
        )
        return [_function_doc(r) for r in rows]

    def delete(self, function_id: str) -> dict[str, Any]:
        """Remove a function; returns its last document."""
        doc = self.get(function_id)
        with self.db.write() as conn:
            conn.execute("DELETE FROM compute_functions WHERE id = ?", (function_id,))
        with self._lock:
            self._codes.pop(function_id, None)
        return doc

    def code(self, function_id: str) -> FunctionCode:
        """The stored function, ready to send to an executor (cached)."""
        with self._lock:
            known = self._codes.get(function_id)
        if known is not None:
            return known
        row = (
            self.db.read()
            .execute(
                "SELECT id, name, checksum, serializer, code, source, python_version "
                "FROM compute_functions WHERE id = ?",
                (str(function_id),),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(
                f"Function {function_id} is not registered in this runtime; register it with "
                "Runtime.register_function(fn)"
            )
        code = FunctionCode(row[0], row[1], row[2], row[3], bytes(row[4]), row[5], row[6])
        with self._lock:
            self._codes[function_id] = code
        return code


def describe(code: FunctionCode) -> str:
    """``'name' (id)`` for messages."""
    return f"{code.name!r} ({code.function_id})"
