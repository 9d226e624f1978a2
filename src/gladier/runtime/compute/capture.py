"""What a compute function prints: captured in the worker, bounded, kept with its task.

A function's standard output and standard error never reach the runtime's own streams (so
``gladier run ... --json | jq`` always parses): each task keeps the last :data:`CAPTURE_LIMIT`
bytes of each, with a first line saying how much was cut when there was more.

Two ways to capture, for two kinds of worker:

* :class:`FdCapture`, in a worker process of the ``process`` executor, which runs one task at a
  time: file descriptors 1 and 2 are pipes read by a thread, so everything is caught, also
  what C extensions and child processes write. Between tasks, what arrives goes to the
  process's original standard error.
* :func:`captured_python_output`, where several tasks share one process (the ``thread``
  executor, Dask and Parsl workers): ``sys.stdout`` and ``sys.stderr`` route each write to the
  task running on the writing thread; other threads write through unchanged. Only Python-level
  writes (``print``, ``sys.stdout.write``, ``logging`` to a stream) are caught there.

Example::

    >>> with captured_python_output() as (out, err):
    ...     print("hello")
    >>> out.text()
    'hello\\n'
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import sys
import threading
from collections.abc import Iterator
from typing import Any, Final, TextIO

__all__ = ["CAPTURE_LIMIT", "FdCapture", "Tail", "captured_python_output"]

#: Bytes of standard output (and, separately, of standard error) kept per task: the last ones.
CAPTURE_LIMIT: Final = 64 * 1024


class Tail:
    """The last ``limit`` bytes written to a stream, and how many bytes were written in all.

    Example::

        >>> tail = Tail(limit=4)
        >>> tail.add(b"abcdef")
        >>> tail.text()
        '[2 earlier bytes not kept]\\ncdef'
    """

    def __init__(self, limit: int = CAPTURE_LIMIT) -> None:
        self.limit = limit
        self.total = 0
        self._data = bytearray()
        self._lock = threading.Lock()

    def add(self, data: bytes) -> None:
        with self._lock:
            self.total += len(data)
            self._data += data
            extra = len(self._data) - self.limit
            if extra > 0:
                del self._data[:extra]

    def text(self) -> str:
        """What was kept, as text (undecodable bytes replaced), after a note of what was cut."""
        with self._lock:
            kept = self._data.decode("utf-8", errors="replace")
            cut = self.total - len(self._data)
        return f"[{cut:,} earlier bytes not kept]\n{kept}" if cut > 0 else kept


# ---------------------------------------------------------------------------- in-process
_local = threading.local()
_install_lock = threading.Lock()


class _Router(io.TextIOBase):
    """Stands in for ``sys.stdout`` or ``sys.stderr``: a write goes to the task running on
    the writing thread, if any, else to the stream it replaced."""

    def __init__(self, fallback: TextIO | None, index: int) -> None:
        super().__init__()
        #: The stream replaced (``None`` when there was none, as under ``pythonw``).
        self.fallback = fallback
        self.index = index

    def write(self, text: str) -> int:
        tails = getattr(_local, "tails", None)
        if tails is not None:
            tails[self.index].add(text.encode("utf-8", errors="replace"))
            return len(text)
        if self.fallback is None:
            return len(text)
        return self.fallback.write(text)

    def flush(self) -> None:
        if getattr(_local, "tails", None) is None and self.fallback is not None:
            self.fallback.flush()

    def isatty(self) -> bool:
        if getattr(_local, "tails", None) is not None or self.fallback is None:
            return False
        return self.fallback.isatty()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.fallback, "encoding", None) or "utf-8")

    def fileno(self) -> int:
        if self.fallback is None:
            raise io.UnsupportedOperation("fileno")
        return self.fallback.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fallback, name)


def _routed(name: str, index: int) -> None:
    current = getattr(sys, name)
    if not isinstance(current, _Router):
        setattr(sys, name, _Router(current, index))


@contextlib.contextmanager
def captured_python_output(limit: int = CAPTURE_LIMIT) -> Iterator[tuple[Tail, Tail]]:
    """Capture what this thread writes to ``sys.stdout`` and ``sys.stderr`` meanwhile.

    Example::

        with captured_python_output() as (out, err):
            fn()
        out.text(), err.text()
    """
    with _install_lock:
        _routed("stdout", 0)
        _routed("stderr", 1)
    tails = (Tail(limit), Tail(limit))
    previous = getattr(_local, "tails", None)
    _local.tails = tails
    try:
        yield tails
    finally:
        _local.tails = previous


# ---------------------------------------------------------------------------- worker process
class _Reader:
    """Drains one pipe; what arrives goes to the current task's tail, or to ``passthrough``.

    Every read happens with :attr:`lock` held, so whoever holds it and finds the pipe empty
    knows that everything written to it before was handed on.
    """

    def __init__(self, read_fd: int, passthrough: int) -> None:
        self.fd = read_fd
        os.set_blocking(read_fd, False)
        self.passthrough = passthrough
        self.lock = threading.Lock()
        self.tail: Tail | None = None

    def run(self) -> None:
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        while True:
            poller.poll()
            with self.lock:
                if not self.drain():
                    return

    def drain(self) -> bool:
        """Hand on what the pipe holds (lock held); False once it is closed."""
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not chunk:
                return False
            self._sink(chunk)

    def _sink(self, data: bytes) -> None:
        if self.tail is not None:
            self.tail.add(data)
            return
        with contextlib.suppress(OSError):
            view = memoryview(data)
            while view:
                view = view[os.write(self.passthrough, view) :]


class FdCapture:
    """Capture file descriptors 1 and 2 of this process, one task at a time.

    Call it in a worker process that runs one task at a time, after blocking the signals its
    threads must not receive (the reader threads inherit the signal mask).

    Example::

        capture = FdCapture()
        capture.begin()
        os.write(1, b"hi\\n")
        capture.end()          # ('hi\\n', '')
    """

    def __init__(self, limit: int = CAPTURE_LIMIT) -> None:
        self.limit = limit
        self.passthrough = os.dup(2)
        self.readers: list[_Reader] = []
        for fd in (1, 2):
            read_fd, write_fd = os.pipe()
            os.dup2(write_fd, fd)
            os.close(write_fd)
            reader = _Reader(read_fd, self.passthrough)
            self.readers.append(reader)
            threading.Thread(target=reader.run, name=f"gladier-capture-{fd}", daemon=True).start()

    def begin(self) -> None:
        """Start keeping what fds 1 and 2 receive, for the task about to run."""
        for reader in self.readers:
            with reader.lock:
                reader.drain()  # what came before the task is not the task's
                reader.tail = Tail(self.limit)

    def end(self) -> tuple[str, str]:
        """Stop keeping; ``(stdout, stderr)`` of the task, everything it wrote included."""
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        texts: list[str] = []
        for reader in self.readers:
            with reader.lock:
                reader.drain()  # a write to a pipe is in it once write() returned
                tail, reader.tail = reader.tail, None
            texts.append("" if tail is None else tail.text())
        return texts[0], texts[1]
