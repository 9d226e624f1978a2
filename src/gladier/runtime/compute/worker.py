"""The worker side of compute: load a function from bytes, call it on JSON, answer JSON.

:func:`execute` is what every executor runs (in a thread, a Dask or Parsl worker, or a worker
process of the process pool): it receives the function as bytes (``FunctionCode.blob()``)
and the payload as JSON text ``[args, kwargs]``, never live objects, and returns a small dict:
``{"ok": True, "result": <JSON text>}`` or ``{"ok": False, "error": {code, type, message,
traceback}}``, plus ``"stdout"`` and ``"stderr"`` when the function printed something (the
last 64 KB of each, see :mod:`gladier.runtime.compute.capture`).

Run as a program (``python -m gladier.runtime.compute.worker TASK_FD RESULT_FD DEATH_FD
[CANCEL_FD]``) it is one worker process of the process pool. Frames on the pipes are
length-prefixed:

* task: ``>III`` (header, payload and code lengths), a JSON header ``{"task", "fn": {...}}``,
  the payload JSON, and the function's bytes (empty when this worker already has them);
* result: ``>II`` (header and result lengths), a JSON header ``{"task", "ok", "error"?,
  "stdout"?, "stderr"?}`` and the result JSON.

File descriptors 1 and 2 of a worker process are pipes it reads itself: what a task writes
there is kept with the task, and what arrives between tasks goes to the original stderr.

SIGINT is blocked except while the function runs. With ``CANCEL_FD`` the pool writes the id
of a cancelled task there (one per line) before it sends SIGINT: the worker interrupts the
task only if it is the one named, and skips a named task it has not started (the pool may
have sent the next task already). Without ``CANCEL_FD`` every SIGINT that arrives while a
task runs interrupts it. The worker exits when the task pipe closes or when ``DEATH_FD``
reports that the runtime process is gone.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import os
import signal
import struct
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, BinaryIO

from gladier.runtime.compute.capture import FdCapture, captured_python_output

TASK_HEADER = struct.Struct(">III")
RESULT_HEADER = struct.Struct(">II")
#: Environment variable with the parent's ``sys.path`` (JSON), so workers import what it can.
PATH_ENV = "GLADIER_WORKER_SYS_PATH"

_cache_lock = threading.Lock()
_functions: dict[str, Callable[..., Any]] = {}


class FunctionLoadError(Exception):
    """The worker could not rebuild the function from its stored bytes or source."""


def _key(blob: Mapping[str, Any]) -> str:
    return f"{blob['function_id']}:{blob.get('checksum', '')}"


def load_function(blob: Mapping[str, Any]) -> Callable[..., Any]:
    """The function described by ``blob`` (cached per function id and checksum).

    dill bytes are tried first; when they cannot be loaded here (another Python version, a
    module this worker lacks) the function is rebuilt from its source text.
    """
    key = _key(blob)
    with _cache_lock:
        known = _functions.get(key)
    if known is not None:
        return known
    problems: list[str] = []
    fn: Callable[..., Any] | None = None
    if blob.get("serializer") == "dill" and blob.get("code"):
        try:
            import dill

            fn = dill.loads(blob["code"])
        except Exception as err:
            problems.append(f"dill: {type(err).__name__}: {err}")
    if fn is None and blob.get("source"):
        try:
            fn = _from_source(str(blob["source"]), str(blob.get("name")))
        except Exception as err:
            problems.append(f"source: {type(err).__name__}: {err}")
    if fn is None or not callable(fn):
        reasons = "; ".join(problems) or "no code was stored"
        raise FunctionLoadError(
            f"The worker could not load function {blob.get('name')!r} "
            f"({blob.get('function_id')}): {reasons}"
        )
    with _cache_lock:
        _functions[key] = fn
    return fn


def _from_source(source: str, label: str) -> Callable[..., Any]:
    tree = ast.parse(source)
    names = [
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    if not names:
        raise FunctionLoadError("the stored source defines no function")
    namespace: dict[str, Any] = {"__name__": "__gladier_function__"}
    exec(compile(tree, f"<function {label}>", "exec"), namespace)
    fn: Callable[..., Any] = namespace[names[0]]
    return fn


def decode_payload(payload: str | bytes) -> tuple[list[Any], dict[str, Any]]:
    """``[args, kwargs]`` JSON text to Python values."""
    args, kwargs = json.loads(payload)
    return list(args), dict(kwargs)


def _error(code: str, exc: BaseException | None, message: str, tb: str = "") -> dict[str, Any]:
    return {
        "code": code,
        "type": type(exc).__name__ if exc is not None else code,
        "message": message,
        "traceback": tb,
    }


def _traceback_text(exc: BaseException, tb: TracebackType | None) -> str:
    return "".join(traceback.format_exception(type(exc), exc, tb))


def call(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Call ``fn``; a coroutine function is run to completion."""
    value = fn(*args, **kwargs)
    if inspect.iscoroutine(value):
        import asyncio  # only coroutine functions need it; it costs workers 13 ms to import

        value = asyncio.run(value)
    return value


def finish(blob: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """The answer for a returned ``value``: its JSON, or a NonJsonResult error."""
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as err:
        message = (
            f"Function {blob.get('name')!r} ({blob.get('function_id')}) returned a value of "
            f"type {type(value).__name__!r} that is not JSON ({err}). A compute result must be "
            "JSON: a dict, list, str, int, float, bool or None; convert the value before "
            "returning it."
        )
        return {"ok": False, "error": _error("NonJsonResult", err, message)}
    return {"ok": True, "result": text}


def failure(exc: BaseException, *, skip: int = 1) -> dict[str, Any]:
    """The answer for an exception raised by the function (our own frames left out)."""
    tb = exc.__traceback__
    for _ in range(skip):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    return {
        "ok": False,
        "error": _error("TaskFailed", exc, str(exc), _traceback_text(exc, tb)),
    }


def execute(blob: Mapping[str, Any], payload: str | bytes) -> dict[str, Any]:
    """Run the function ``blob`` on ``payload`` (JSON ``[args, kwargs]``); see the module doc.

    Example::

        execute(code.blob(), '[[2], {"b": 40}]')   # {'ok': True, 'result': '42'}
    """
    with captured_python_output() as (out, err):
        answer = _execute(blob, payload)
    return _with_output(answer, out.text(), err.text())


class FunctionCall:
    """:func:`execute` bound to one function's stored bytes, for executors that send a
    callable (Dask): serialised once per batch, so each task carries only its payload.

    Example::

        call = FunctionCall(code.blob())
        call('[[1], {}]')   # {'ok': True, 'result': '2'}
    """

    def __init__(self, blob: Mapping[str, Any]) -> None:
        self.blob = blob

    def __call__(self, payload: str | bytes) -> dict[str, Any]:
        return execute(self.blob, payload)


def _with_output(answer: dict[str, Any], stdout: str, stderr: str) -> dict[str, Any]:
    """``answer`` with what the function printed (keys left out when it printed nothing)."""
    if stdout:
        answer["stdout"] = stdout
    if stderr:
        answer["stderr"] = stderr
    return answer


def _execute(blob: Mapping[str, Any], payload: str | bytes) -> dict[str, Any]:
    try:
        fn = load_function(blob)
    except FunctionLoadError as err:
        return {"ok": False, "error": _error("FunctionLoadFailed", err, str(err))}
    args, kwargs = decode_payload(payload)
    try:
        value = call(fn, args, kwargs)
    except (Exception, SystemExit) as exc:
        return failure(exc, skip=2)
    return finish(blob, value)


# ---------------------------------------------------------------------------- process worker
def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    if data is None or len(data) < size:
        return None
    return data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _watch(death_fd: int) -> None:
    """Exit at once when the runtime process is gone (its end of the pipe closed)."""
    try:
        while os.read(death_fd, 1):
            pass
    except OSError:
        pass
    os._exit(0)


def _send(fd: int, header: dict[str, Any], result: bytes = b"") -> None:
    head = json.dumps(header, separators=(",", ":")).encode()
    _write_all(fd, RESULT_HEADER.pack(len(head), len(result)) + head + result)


class CancelRequests:
    """The task ids the pool asked to cancel, read from the cancel pipe when needed.

    Installed as the SIGINT handler: it raises ``KeyboardInterrupt`` only when the task that
    runs is one of them.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        os.set_blocking(fd, False)
        self.ids: set[str] = set()
        self.current: str | None = None
        self._partial = b""

    def _collect(self) -> None:
        data = self._partial
        while True:
            try:
                chunk = os.read(self.fd, 1 << 12)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        *lines, self._partial = data.split(b"\n")
        self.ids.update(line.decode() for line in lines if line)

    def take(self, task_id: str) -> bool:
        """Whether ``task_id`` was cancelled (forgotten once asked)."""
        self._collect()
        if task_id in self.ids:
            self.ids.discard(task_id)
            return True
        return False

    def on_sigint(self, signum: int, frame: Any) -> None:
        current = self.current
        if current is not None and self.take(current):
            raise KeyboardInterrupt


def serve(task_fd: int, result_fd: int, death_fd: int | None, cancel_fd: int | None = None) -> None:
    """The worker process loop (see the module docstring)."""
    sigint = {signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigint)
    cancels = None if cancel_fd is None else CancelRequests(cancel_fd)
    # A parent that ignores SIGINT passes that on through exec: restore KeyboardInterrupt.
    signal.signal(
        signal.SIGINT, signal.default_int_handler if cancels is None else cancels.on_sigint
    )
    if death_fd is not None:
        threading.Thread(target=_watch, args=(death_fd,), daemon=True).start()
    capture = FdCapture()
    stream = os.fdopen(task_fd, "rb", buffering=1 << 16)
    _send(result_fd, {"ready": os.getpid()})
    while True:
        head = _read_exact(stream, TASK_HEADER.size)
        if head is None:
            return
        header_len, payload_len, code_len = TASK_HEADER.unpack(head)
        header_raw = _read_exact(stream, header_len)
        payload = _read_exact(stream, payload_len) if payload_len else b""
        code = _read_exact(stream, code_len) if code_len else b""
        if header_raw is None or payload is None or code is None:
            return
        header = json.loads(header_raw)
        task_id = header["task"]
        blob = dict(header["fn"], code=code)
        if cancels is not None and cancels.take(task_id):
            # Cancelled while it waited in the pipe. Its code, sent with the first task of a
            # function, is still loaded for the tasks after it.
            with contextlib.suppress(FunctionLoadError):
                load_function(blob)
            skipped = {"ok": False, "error": _error("Cancelled", None, _SKIPPED), "task": task_id}
            _send(result_fd, skipped)
            continue
        capture.begin()
        answer = _run_interruptibly(blob, payload, sigint, task_id, cancels)
        answer = _with_output(answer, *capture.end())
        result = answer.pop("result", "").encode()
        answer["task"] = task_id
        _send(result_fd, answer, result)


_SKIPPED = "The task was cancelled before it started"


def _run_interruptibly(
    blob: dict[str, Any],
    payload: bytes,
    sigint: set[signal.Signals],
    task_id: str = "",
    cancels: CancelRequests | None = None,
) -> dict[str, Any]:
    try:
        fn = load_function(blob)
        args, kwargs = decode_payload(payload)
    except FunctionLoadError as err:
        return {"ok": False, "error": _error("FunctionLoadFailed", err, str(err))}
    # A cancel request that arrived after the previous task ended is stale: drop it (POSIX
    # discards a pending signal whose action is set to "ignore"). With a cancel pipe the
    # handler itself tells which task a signal is for.
    if cancels is None and signal.SIGINT in signal.sigpending():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if cancels is not None:
            cancels.current = task_id
        signal.pthread_sigmask(signal.SIG_UNBLOCK, sigint)
        try:
            value = call(fn, args, kwargs)
        finally:
            signal.pthread_sigmask(signal.SIG_BLOCK, sigint)
            if cancels is not None:
                cancels.current = None
    except KeyboardInterrupt:
        return {
            "ok": False,
            "error": _error("Cancelled", None, "The task was cancelled while it ran"),
        }
    except (Exception, SystemExit) as exc:
        return failure(exc, skip=2)
    return finish(blob, value)


def _extend_path() -> None:
    extra = os.environ.get(PATH_ENV)
    if not extra:
        return
    for entry in reversed(json.loads(extra)):
        if entry not in sys.path:
            sys.path.insert(1, entry)


def main(argv: list[str] | None = None) -> None:
    """Entry point of a worker process: ``TASK_FD RESULT_FD [DEATH_FD]``."""
    args = sys.argv[1:] if argv is None else argv
    _extend_path()
    import dill  # noqa: F401  (warm: the first task should not pay for the import)

    serve(
        int(args[0]),
        int(args[1]),
        int(args[2]) if len(args) > 2 else None,
        int(args[3]) if len(args) > 3 else None,
    )


if __name__ == "__main__":
    main()
