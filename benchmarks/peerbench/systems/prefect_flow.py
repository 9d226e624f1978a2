"""Prefect 3, local: a ``@flow`` that calls five ``@task`` s, every run recorded by a server.

* ``PrefectDefault``: Prefect as installed, nothing configured: the idiomatic flow calls each
  task directly (the default task runner; the tasks run in the flow's thread) and Prefect
  starts its temporary local server (a subprocess, SQLite under ``PREFECT_HOME``, here a
  fresh folder).
* ``PrefectProcesses``: the same flow with ``ProcessPoolTaskRunner``; each step is submitted
  and its result awaited, so the functions run in worker processes like every other
  system's. The temporary server cannot serve it (each worker process would start a server
  of its own, about 10 s per task here), so this variant starts ``prefect server start``
  on loopback first and points ``PREFECT_API_URL`` at it, as Prefect's message advises.

Runs started at once (B) are 200 flow calls, each in its own thread. Telemetry is turned off
(this machine has no network); everything else is Prefect's default.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from peerbench.systems.base import Deadline, RunsFailed, System, describe
from peerbench.workload import STEP_FUNCTIONS, check


class PrefectDefault(System):
    name = "prefect"
    use_processes = False

    dedicated_server = False

    def setup(self) -> None:
        os.environ["PREFECT_HOME"] = str(self.scratch / "prefect-home")
        os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
        os.environ.setdefault("DO_NOT_TRACK", "1")
        if self.dedicated_server:
            server = _start_server(self.scratch)
            # Stopped at exit, after Prefect's own exit hooks (registered later, run earlier)
            # have shipped the last logs and events to it.
            atexit.register(_stop, server)
        from prefect import flow, task

        tasks = [task(fn) for fn in STEP_FUNCTIONS]
        if self.use_processes:
            from prefect.task_runners import ProcessPoolTaskRunner

            def five_steps(x: int) -> int:
                for step in tasks:
                    x = step.submit(x).result()
                return x

            self.flow: Callable[[int], Any] = flow(
                five_steps,
                name="peers-five-steps",
                task_runner=ProcessPoolTaskRunner(max_workers=self.workers),
            )
        else:

            def five_steps(x: int) -> int:
                for step in tasks:
                    x = step(x)
                return x

            self.flow = flow(five_steps, name="peers-five-steps")

    def run_one(self, x: int, timeout: float) -> int:
        # A flow call cannot be interrupted; run it in a daemon thread so a hang stays bounded.
        return check(x, _in_threads(self.flow, [x], timeout)[0])

    def run_many(self, xs: Sequence[int], timeout: float) -> list[int]:
        values = _in_threads(self.flow, xs, timeout)
        return [check(x, v) for x, v in zip(xs, values, strict=True)]


class PrefectProcesses(PrefectDefault):
    name = "prefect-process"
    use_processes = True
    dedicated_server = True


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_server(scratch: Path, timeout: float = 120.0) -> subprocess.Popen[bytes]:
    """``prefect server start`` on loopback; returns once its health check answers."""
    port = _free_port()
    prefect = os.path.join(os.path.dirname(sys.executable), "prefect")
    log = open(scratch / "prefect-server.log", "wb")  # noqa: SIM115 (the server's lifetime)
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = Deadline(timeout)
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server start exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        try:
            time.sleep(min(0.1, deadline.remaining()))
        except TimeoutError:
            server.kill()
            server.wait()
            raise
    os.environ["PREFECT_API_URL"] = url
    return server


def _in_threads(fn: Callable[[int], Any], xs: Sequence[int], timeout: float) -> list[Any]:
    """``fn(x)`` for every ``x``, each in its own daemon thread, all started at once."""
    results: list[Any] = [None] * len(xs)
    errors: list[BaseException | None] = [None] * len(xs)

    def one(i: int, x: int) -> None:
        try:
            results[i] = fn(x)
        except BaseException as err:
            errors[i] = err

    threads = [
        threading.Thread(target=one, args=(i, x), daemon=True, name=f"run-{i}")
        for i, x in enumerate(xs)
    ]
    for thread in threads:
        thread.start()
    deadline = Deadline(timeout)
    try:
        for thread in threads:
            thread.join(deadline.remaining())
    except TimeoutError:
        going = sum(thread.is_alive() for thread in threads)
        failed = [e for e, t in zip(errors, threads, strict=True) if e and not t.is_alive()]
        detail = f"{going} of {len(xs)} runs unfinished after {timeout:g} s"
        if failed:
            detail += f"; {len(failed)} failed: {_reason(failed[0])}"
        raise TimeoutError(detail) from None
    RunsFailed.check([e for e in errors if e is not None], len(xs), _reason)
    return results


def _reason(err: BaseException) -> str:
    """Why a flow call failed; an HTTP error from Prefect's server as its status and path."""
    response = getattr(err, "response", None)
    status = getattr(response, "status_code", None)
    if status is not None:
        request = getattr(response, "request", None)
        path = getattr(getattr(request, "url", None), "path", "")
        phrase = getattr(response, "reason_phrase", "")
        return f"HTTP {status} {phrase} from Prefect's server ({path})".replace("  ", " ")
    return describe(err)
