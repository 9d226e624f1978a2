"""The Globus Compute SDK's wire formats: packed buffers, function code and task data.

A packed string is ``<length>\\n<buffer>`` repeated. Every serialized buffer starts with a
three-character header: code strategies ``01`` (dill of the function), ``02`` (pickle),
``03``/``04`` (dill of ``(name, source)``), ``st``/``sd`` (``name:source`` as text); data
strategies ``00`` (dill, base64) and ``11`` (JSON). A function registration carries one packed
function; a task payload packs the serialized ``args`` tuple and ``kwargs`` dict. Results go
back as one ``11`` (JSON) buffer, which every Compute SDK reads.

Decoding runs the sender's dill/pickle bytes in this process: the server accepts them only
from a request with a valid token, and serves 127.0.0.1 by default.

Example::

    fn = decode_function("st\\nadd:def add(a, b):\\n    return a + b\\n", "add")
    args, kwargs = decode_task(pack(['11\\n[2]', '11\\n{"b": 40}']))   # ([2], {'b': 40})
    encode_result(42)   # '11\\n42'
"""

from __future__ import annotations

import base64
import itertools
import json
import linecache
import pickle
import types
from collections.abc import Callable
from typing import Any

__all__ = ["WireError", "decode_function", "decode_task", "encode_result", "pack", "unpack"]

_counter = itertools.count(1)


class WireError(ValueError):
    """A payload that is not in a format this server reads."""


def pack(buffers: list[str]) -> str:
    """Pack ``buffers`` as the Compute SDK does."""
    return "".join(f"{len(b)}\n{b}" for b in buffers)


def unpack(packed: str) -> list[str]:
    """The buffers of a packed string."""
    buffers = []
    rest = packed
    while rest:
        length, sep, tail = rest.partition("\n")
        if not sep or not length.isdigit():
            raise WireError("a packed buffer must start with '<length>\\n'")
        size = int(length)
        if len(tail) < size:
            raise WireError(f"a packed buffer is truncated ({len(tail)} of {size} characters)")
        buffers.append(tail[:size])
        rest = tail[size:]
    return buffers


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode())
    except ValueError as err:
        raise WireError(f"the payload is not valid base64: {err}") from err


def _from_source(name: str, source: str) -> Callable[..., Any]:
    """Define ``name`` from ``source``, with its source text findable by ``inspect``."""
    filename = f"<gladier-server-function-{next(_counter)}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    try:
        exec(compile(source, filename, "exec"), namespace)
    except SyntaxError as err:
        raise WireError(f"the function source does not compile: {err}") from err
    fn = namespace.get(name)
    if not isinstance(fn, types.FunctionType):
        raise WireError(f"the function source does not define a function named {name!r}")
    return fn


def decode_function(
    function_code: str, function_name: str | None, *, serialized: bool = True
) -> Callable[..., Any]:
    """The function a registration carries (``serialized=False``: plain source text)."""
    if not serialized:
        if not function_name:
            raise WireError("registering source code needs function_name")
        return _from_source(function_name, function_code)
    buffers = unpack(function_code)
    if len(buffers) != 1:
        raise WireError(f"function_code must pack one serialized function, not {len(buffers)}")
    buffer = buffers[0]
    header, body = buffer[:3], buffer[3:]
    try:
        if header == "01\n":
            import dill

            fn = dill.loads(_b64(body))
        elif header == "02\n":
            fn = pickle.loads(_b64(body))
        elif header in ("03\n", "04\n"):
            import dill

            name, source = dill.loads(_b64(body))
            fn = _from_source(name, source)
        elif header in ("st\n", "sd\n"):
            name, _, source = body.partition(":")
            fn = _from_source(name, source)
        else:
            raise WireError(
                f"code serialization {header.strip()!r} is not served; use one of 01 "
                "(DillCode), 03, 04 (DillCodeSource), st (PureSourceTextInspect) or sd"
            )
    except WireError:
        raise
    except Exception as err:
        raise WireError(
            f"the function could not be loaded here ({type(err).__name__}: {err}); functions "
            "that refer to modules this server cannot import should be sent as source "
            "(code_serialization_strategy=PureSourceTextInspect())"
        ) from err
    if not callable(fn):
        raise WireError("function_code does not hold a function")
    function: Callable[..., Any] = fn
    return function


def _decode_data(buffer: str) -> Any:
    header, body = buffer[:3], buffer[3:]
    if header == "11\n":
        try:
            return json.loads(body)
        except ValueError as err:
            raise WireError(f"a JSON payload is not valid JSON: {err}") from err
    if header == "00\n":
        import dill

        try:
            return dill.loads(_b64(body))
        except Exception as err:
            raise WireError(f"a dill payload could not be loaded: {err}") from err
    raise WireError(f"data serialization {header.strip()!r} is not served; use 00 or 11")


def decode_task(payload: str) -> tuple[list[Any], dict[str, Any]]:
    """``(args, kwargs)`` of a task payload, as JSON-compatible values."""
    buffers = unpack(payload)
    if len(buffers) != 2:
        raise WireError(f"a task payload packs args and kwargs, not {len(buffers)} buffers")
    args, kwargs = _decode_data(buffers[0]), _decode_data(buffers[1])
    if not isinstance(args, list | tuple) or not isinstance(kwargs, dict):
        raise WireError("a task payload packs an args tuple and a kwargs dict")
    try:
        json.dumps([list(args), kwargs])
    except (TypeError, ValueError) as err:
        raise WireError(
            f"this server passes task arguments as JSON; this one is not JSON-compatible ({err})"
        ) from err
    return list(args), dict(kwargs)


def encode_result(value: Any) -> str:
    """A result as the SDK deserializes it (JSON data strategy)."""
    return "11\n" + json.dumps(value)
