"""The process-wide embedded runtimes, one per runtime home.

Every client of a process that uses the same runtime home shares one
:class:`~gladier.runtime.Runtime`: :func:`shared_runtime` creates it on first use (not when a
client is built) and it is closed when the interpreter exits (or by
:func:`close_shared_runtimes`). Closing leaves unfinished runs resumable. The names are also
importable from :mod:`gladier.services.local`.

Example::

    rt = shared_runtime()          # the runtime of $GLADIER_HOME, else ~/.gladier
    rt is shared_runtime()         # True
    close_shared_runtimes()
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gladier.runtime.runtime import Runtime

__all__ = ["close_shared_runtime", "close_shared_runtimes", "runtime_home", "shared_runtime"]

log = logging.getLogger(__name__)

_runtimes: dict[Path, Runtime] = {}
_lock = threading.Lock()
_atexit_registered = False


def runtime_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The runtime home: ``home``, else ``$GLADIER_HOME``, else ``~/.gladier`` (as the runtime).

    Example::

        >>> runtime_home("/tmp/somewhere")
        PosixPath('/tmp/somewhere')
    """
    if home is not None:
        return Path(home).expanduser()
    env = os.environ.get("GLADIER_HOME")
    return Path(env).expanduser() if env else Path.home() / ".gladier"


def shared_runtime(home: str | os.PathLike[str] | None = None) -> Runtime:
    """The process-wide runtime of ``home`` (see :func:`runtime_home`), created on first use.

    The runtime opens its store on first use and is closed at interpreter exit (or by
    :func:`close_shared_runtimes`).

    Example::

        rt = shared_runtime()
        rt is shared_runtime()     # True
    """
    global _atexit_registered
    path = runtime_home(home).resolve()
    with _lock:
        runtime = _runtimes.get(path)
        if runtime is None:
            from gladier.runtime.runtime import Runtime

            runtime = Runtime(home=path)
            _runtimes[path] = runtime
            log.debug("Using the embedded runtime at %s", path)
            if not _atexit_registered:
                atexit.register(close_shared_runtimes)
                _atexit_registered = True
        return runtime


def close_shared_runtimes() -> None:
    """Close every shared runtime of this process (unfinished runs stay resumable).

    A later :func:`shared_runtime` call creates a fresh runtime.

    Example::

        close_shared_runtimes()
    """
    with _lock:
        runtimes = list(_runtimes.values())
        _runtimes.clear()
    for runtime in runtimes:
        try:
            runtime.close()
        except Exception:  # a loop boundary: one broken runtime must not stop the others
            log.warning("Closing the runtime at %s failed", runtime.home, exc_info=True)


def close_shared_runtime(home: str | os.PathLike[str] | None = None) -> bool:
    """Close the shared runtime of ``home`` (see :func:`runtime_home`), if this process has one.

    Returns whether there was one. The runtimes of other homes stay open; a later
    :func:`shared_runtime` call for ``home`` creates a fresh runtime.

    Example::

        close_shared_runtime("/tmp/scratch-home")     # False: none was open
    """
    path = runtime_home(home).resolve()
    with _lock:
        runtime = _runtimes.pop(path, None)
    if runtime is None:
        return False
    runtime.close()
    return True
