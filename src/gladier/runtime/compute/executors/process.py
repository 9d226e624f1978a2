"""The ``process`` executor: a warm pool of worker processes, one pipe pair each.

Why not ``concurrent.futures.ProcessPoolExecutor``: when one of its workers dies, the whole
pool is broken and every pending future fails. Here each worker is a plain child process
(``python -m gladier.runtime.compute.worker``) with its own task pipe and result pipe, so a
worker that dies (``os._exit``, a segfault, the out-of-memory killer) fails only the task it
was running, with the exit code or signal in the message, and is replaced at once. One I/O
thread waits on every result pipe; the outcome is reported as soon as its bytes arrive.

A worker may hold a second task, already in its pipe, behind the one it runs, so it goes from
one task to the next without waiting for this process (a fan-out of thousands of small tasks
keeps every worker busy). That happens only behind a task whose function's recent tasks took
less than :data:`PREFETCH_BELOW` seconds, so a task never waits long behind another while a
worker could take it. A cancelled task is named on the worker's
cancel pipe before the worker gets SIGINT, and the worker interrupts only that task (or skips
it, if it has not started); a SIGINT that names no running task is ignored.

Workers start on the first task (``workers`` of them, the core count by default; a task goes
to the first worker that is ready, so the first result waits for one start-up only), stay warm
across runs, run in their own session (a Ctrl-C in the terminal does not reach them) and exit
as soon as the runtime process is gone. A cancelled task gets SIGINT (a ``KeyboardInterrupt``
in the function); a worker that has not answered ``cancel_grace`` seconds later is killed.
Closing the pool stops a worker that is still starting at once (it holds no task).

Example::

    endpoint = Endpoint("id", "local", "process", {"workers": 2})
    pool = ProcessExecutor(endpoint, home=Path("/tmp"))
    pool.submit(Task("t1", code, "[[1], {}]"), print)
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gladier
from gladier.exc import ConfigException
from gladier.runtime.compute.endpoints import Endpoint
from gladier.runtime.compute.executors.base import Done, Executor, Task, TaskOutcome, log, report
from gladier.runtime.compute.worker import PATH_ENV, RESULT_HEADER, TASK_HEADER

#: A worker that dies this many times in a row before it is ready stops the respawning.
MAX_STARTUP_FAILURES = 3
#: Tasks handed to one worker at a time: the one it runs and the next one, waiting in its pipe.
PREFETCH = 2
#: A task is queued behind another on a worker only if that function's tasks take less.
PREFETCH_BELOW = 0.05


@dataclass(eq=False)
class _Item:
    task: Task
    done: Done
    delivered: bool = False
    cancelled: bool = False
    worker: _Worker | None = None
    #: When it became the first unanswered task of its worker (``time.monotonic()``).
    head_since: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.task.function.function_id}:{self.task.function.checksum}"


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen[bytes]
    task_fd: int
    result_fd: int
    cancel_fd: int
    buffer: bytearray = field(default_factory=bytearray)
    #: Tasks handed to the worker and not answered yet, in the order it runs them.
    inflight: deque[_Item] = field(default_factory=deque)
    #: Their frames not written yet, in the same order (appended with the pool lock held,
    #: written with ``write_lock`` held, by whichever thread gets there first).
    outbox: deque[tuple[_Item, bytes]] = field(default_factory=deque)
    known: set[str] = field(default_factory=set)
    ready: bool = False
    kill_at: float | None = None
    closed: bool = False
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def pid(self) -> int:
        return self.proc.pid


def death_message(returncode: int, pid: int, function_name: str) -> str:
    """Why a worker process ended, for the failed task's details."""
    if returncode < 0:
        number = -returncode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        how = f"was killed by signal {name} ({signal.strsignal(number) or 'unknown'})"
        if number == signal.SIGKILL:
            how += (
                "; the kernel's out-of-memory killer sends this signal, so check how much "
                "memory the task uses"
            )
    else:
        how = f"exited with code {returncode} (os._exit, or the interpreter aborted)"
    return (
        f"The worker process (pid {pid}) running function {function_name!r} died: it {how}. "
        "The pool replaced the worker; other tasks were not affected."
    )


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = []
    for entry in sys.path:
        absolute = os.path.abspath(entry or os.getcwd())
        if os.path.exists(absolute) and absolute not in paths:
            paths.append(absolute)
    env[PATH_ENV] = json.dumps(paths)
    root = str(Path(gladier.__file__).resolve().parent.parent)
    if "site-packages" not in root and "dist-packages" not in root:
        # Running from a source tree: make sure the worker can import gladier too.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


class ProcessExecutor(Executor):
    """A pool of worker processes; see the module docstring."""

    kind = "process"

    def __init__(self, endpoint: Endpoint, *, home: Path) -> None:
        super().__init__(endpoint, home=home)
        self.size = int(self.config.get("workers") or os.cpu_count() or 1)
        self.grace = float(self.config.get("cancel_grace", 1.0))
        self.python = str(self.config.get("python") or sys.executable)
        self._lock = threading.Lock()
        self._workers: dict[int, _Worker] = {}
        #: Workers that said they are ready (and have not died).
        self._ready: list[_Worker] = []
        self._queue: deque[_Item] = deque()
        self._items: dict[str, _Item] = {}
        self._selector: selectors.BaseSelector | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[int, int] | None = None
        self._death: tuple[int, int] | None = None
        self._env: dict[str, str] = {}
        self._started = False
        self._closed = False
        self._startup_failures = 0
        self._broken: str | None = None
        #: Recent task duration per function (seconds; rises at once, falls slowly).
        self._durations: dict[str, float] = {}

    # ------------------------------------------------------------------ public
    @property
    def started(self) -> bool:
        return self._started and not self._closed

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (empty before the first task)."""
        with self._lock:
            return [w.pid for w in self._workers.values()]

    def submit(self, task: Task, done: Done) -> None:
        self.submit_many([(task, done)])

    def submit_many(self, tasks: list[tuple[Task, Done]]) -> None:
        items = [_Item(task, done) for task, done in tasks]
        with self._lock:
            if self._closed:
                raise ConfigException(f"The {self.describe()} is closed")
            if not self._started:
                self._start()
            broken = self._broken
            handed: list[tuple[_Worker, list[tuple[_Item, bytes]]]] = []
            if broken is None:
                for item in items:
                    self._items[item.task.task_id] = item
                self._queue.extend(items)
                while self._queue and (worker := self._least_busy()) is not None:
                    frames = self._refill(worker)
                    if not frames:
                        break  # that worker is going away; its replacement takes the rest
                    handed.append((worker, frames))
        if broken is not None:
            for item in items:
                report(item.done, TaskOutcome.failed(item.task.task_id, "WorkerDied", broken))
            return
        for worker, frames in handed:
            self._deliver_all(worker, frames)

    def cancel(self, task_id: str) -> None:
        outcome = None
        with self._lock:
            item = self._items.get(task_id)
            if item is None or item.cancelled:
                return
            item.cancelled = True
            worker = item.worker
            if worker is None or (worker.inflight and worker.inflight[0] is not item):
                # Queued here, or waiting in the worker's pipe: it has not started. The
                # worker is told to skip it (its answer, if any, is then ignored).
                del self._items[task_id]
                outcome = TaskOutcome.failed(
                    task_id, "Cancelled", "The task was cancelled before it started"
                )
            if worker is not None:
                self._signal_cancel(worker, task_id)
                if outcome is None and worker.kill_at is None:
                    worker.kill_at = time.monotonic() + self.grace
        if outcome is not None:
            report(item.done, outcome)
        else:
            self._poke()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            started = self._started
            self._queue.clear()
            self._items.clear()
        if not started:
            return
        self._poke()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        assert self._death is not None and self._wake is not None
        os.close(self._death[1])  # every worker sees EOF and exits, even mid-task
        workers = list(self._workers.values())
        for worker in workers:
            self._close_task_pipe(worker)
        for worker in workers:
            if not worker.ready:  # still starting up: it holds no task and need not finish
                with contextlib.suppress(ProcessLookupError):
                    worker.proc.kill()
        deadline = time.monotonic() + 5
        for worker in workers:
            try:
                worker.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()
            os.close(worker.result_fd)
        for fd in (self._death[0], *self._wake):
            os.close(fd)
        if self._selector is not None:
            self._selector.close()
        self._workers.clear()
        self._ready.clear()

    # ------------------------------------------------------------------ workers
    def _start(self) -> None:
        """Start the pool (called with the lock held, on the first task)."""
        self._selector = selectors.DefaultSelector()
        self._wake = os.pipe()
        os.set_blocking(self._wake[0], False)
        os.set_blocking(self._wake[1], False)
        self._death = os.pipe()
        self._selector.register(self._wake[0], selectors.EVENT_READ, None)
        self._env = _worker_env()
        try:
            for _ in range(self.size):
                self._spawn()  # idle once it says it is ready
        except OSError as err:
            raise ConfigException(
                f"The {self.describe()} could not start worker processes: {err}"
            ) from err
        self._started = True
        self._thread = threading.Thread(
            target=self._loop, name=f"gladier-compute-{self.endpoint.name}", daemon=True
        )
        self._thread.start()

    def _spawn(self) -> _Worker:
        assert self._selector is not None and self._death is not None
        task_r, task_w = os.pipe()
        result_r, result_w = os.pipe()
        cancel_r, cancel_w = os.pipe()
        try:
            proc = subprocess.Popen(
                [
                    self.python,
                    "-m",
                    "gladier.runtime.compute.worker",
                    str(task_r),
                    str(result_w),
                    str(self._death[0]),
                    str(cancel_r),
                ],
                pass_fds=(task_r, result_w, self._death[0], cancel_r),
                stdin=subprocess.DEVNULL,
                # Nothing a worker prints may reach our stdout (``--json | jq``); it captures
                # its tasks' output itself, and anything else goes to stderr.
                stdout=2,
                env=self._env,
                start_new_session=True,
            )
        except BaseException:
            for fd in (task_w, result_r, cancel_w):
                os.close(fd)
            raise
        finally:
            os.close(task_r)
            os.close(result_w)
            os.close(cancel_r)
        os.set_blocking(result_r, False)
        os.set_blocking(cancel_w, False)
        worker = _Worker(proc, task_w, result_r, cancel_w)
        self._workers[result_r] = worker
        self._selector.register(result_r, selectors.EVENT_READ, worker)
        return worker

    def _least_busy(self) -> _Worker | None:
        """A ready worker with room for a task, an idle one first (lock held)."""
        best = None
        for worker in self._ready:
            if not worker.inflight:
                return worker
            if best is None and self._has_room(worker):
                best = worker
        return best

    def _has_room(self, worker: _Worker) -> bool:
        """Whether ``worker`` may take another task now (lock held)."""
        if not worker.inflight:
            return True
        if len(worker.inflight) >= PREFETCH:
            return False
        estimate = self._durations.get(worker.inflight[-1].key)
        return estimate is not None and estimate < PREFETCH_BELOW

    def _took(self, item: _Item, now: float) -> None:
        """Remember how long ``item`` ran (lock held)."""
        took = now - item.head_since
        known = self._durations.get(item.key)
        self._durations[item.key] = (
            took if known is None or took > known else 0.8 * known + 0.2 * took
        )

    def _signal_cancel(self, worker: _Worker, task_id: str) -> None:
        """Name ``task_id`` on the worker's cancel pipe, then interrupt it (lock held)."""
        with worker.write_lock:
            if worker.closed:
                return
            with contextlib.suppress(OSError):
                os.write(worker.cancel_fd, task_id.encode() + b"\n")
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGINT)

    def _assign(self, worker: _Worker, item: _Item) -> bytes:
        """Give ``item`` to ``worker`` and queue its frame in the worker's outbox (lock held)."""
        if not worker.inflight:
            item.head_since = time.monotonic()
        worker.inflight.append(item)
        item.worker = worker
        fn = item.task.function
        key = f"{fn.function_id}:{fn.checksum}"
        first = key not in worker.known
        worker.known.add(key)
        header = {
            "task": item.task.task_id,
            "fn": {
                "function_id": fn.function_id,
                "name": fn.name,
                "checksum": fn.checksum,
                "serializer": fn.serializer,
                "source": fn.source if first else None,
            },
        }
        head = json.dumps(header, separators=(",", ":")).encode()
        payload = item.task.payload.encode()
        code = fn.code if first else b""
        frame = TASK_HEADER.pack(len(head), len(payload), len(code)) + head + payload + code
        worker.outbox.append((item, frame))
        return frame

    def _deliver(self, worker: _Worker) -> None:
        """Write the worker's queued frames, in order (outside the pool lock: a frame may be
        large, and the worker reads it only when it is done with the task before)."""
        with worker.write_lock:
            items: list[_Item] = []
            frames: list[bytes] = []
            while worker.outbox:
                item, frame = worker.outbox.popleft()
                items.append(item)
                frames.append(frame)
            if worker.closed or not frames:
                return
            try:  # one write for all of them: each write may wake the worker
                view = memoryview(frames[0] if len(frames) == 1 else b"".join(frames))
                while view:
                    view = view[os.write(worker.task_fd, view) :]
            except OSError:
                return  # the worker is gone; the I/O thread sees its pipe close
            for item in items:
                item.delivered = True

    def _close_task_pipe(self, worker: _Worker) -> None:
        with worker.write_lock:
            if not worker.closed:
                worker.closed = True
                os.close(worker.task_fd)
                os.close(worker.cancel_fd)

    def _poke(self) -> None:
        if self._wake is not None:
            with contextlib.suppress(BlockingIOError, OSError):
                os.write(self._wake[1], b"x")

    # ------------------------------------------------------------------ the I/O thread
    def _loop(self) -> None:
        assert self._selector is not None and self._wake is not None
        while not self._closed:
            try:
                events = self._selector.select(self._timeout())
            except OSError:  # pragma: no cover - the selector was closed under us
                return
            for key, _ in events:
                if self._closed:
                    return
                if key.data is None:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake[0], 4096)
                else:
                    self._readable(key.data)
            self._kill_overdue()

    def _timeout(self) -> float | None:
        deadlines = [w.kill_at for w in list(self._workers.values()) if w.kill_at is not None]
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    def _kill_overdue(self) -> None:
        now = time.monotonic()
        with self._lock:
            overdue = [w for w in self._workers.values() if w.kill_at and w.kill_at <= now]
            for worker in overdue:
                worker.kill_at = None
        for worker in overdue:
            log.info("killing compute worker %s: a cancelled task did not stop", worker.pid)
            with contextlib.suppress(ProcessLookupError):
                worker.proc.kill()

    def _readable(self, worker: _Worker) -> None:
        try:
            chunk = os.read(worker.result_fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._died(worker)
            return
        buffer = worker.buffer
        buffer += chunk
        size = RESULT_HEADER.size
        while len(buffer) >= size:
            head_len, result_len = RESULT_HEADER.unpack_from(buffer)
            end = size + head_len + result_len
            if len(buffer) < end:
                break
            header = json.loads(bytes(buffer[size : size + head_len]))
            result = bytes(buffer[size + head_len : end]).decode()
            del buffer[:end]
            self._answered(worker, header, result)

    def _answered(self, worker: _Worker, header: dict[str, Any], result: str) -> None:
        if "ready" in header:
            with self._lock:
                worker.ready = True
                self._startup_failures = 0
                if not self._closed:
                    self._ready.append(worker)
                frames = self._refill(worker)
            self._deliver_all(worker, frames)
            return
        with self._lock:
            if not worker.inflight or worker.inflight[0].task.task_id != header.get("task"):
                log.warning("compute worker %s answered an unknown task", worker.pid)
                return
            item = worker.inflight.popleft()
            item.worker = None
            worker.kill_at = None
            now = time.monotonic()
            self._took(item, now)
            if worker.inflight:
                head = worker.inflight[0]
                head.head_since = now
                if head.cancelled:
                    # A cancelled task that the worker may start now: it skips it or stops it.
                    worker.kill_at = now + self.grace
            frames = self._refill(worker)
            outcome = None
            if self._items.pop(item.task.task_id, None) is not None:
                outcome = self._outcome(worker, item, header, result)
        self._deliver_all(worker, frames)
        if outcome is not None:  # else cancelled before it started, and reported then
            report(item.done, outcome)

    def _outcome(
        self, worker: _Worker, item: _Item, header: dict[str, Any], result: str
    ) -> TaskOutcome:
        task_id = item.task.task_id
        stdout = str(header.get("stdout") or "")
        stderr = str(header.get("stderr") or "")
        if item.cancelled:
            error = {
                "code": "Cancelled",
                "type": "Cancelled",
                "message": "The task was cancelled while it ran",
                "traceback": "",
            }
            return TaskOutcome(task_id, False, error=error, stdout=stdout, stderr=stderr)
        if header.get("ok"):
            return TaskOutcome(task_id, True, result=result, stdout=stdout, stderr=stderr)
        error = dict(header.get("error") or {})
        if error.get("code") == "FunctionLoadFailed":
            fn = item.task.function
            worker.known.discard(f"{fn.function_id}:{fn.checksum}")
        return TaskOutcome(task_id, False, error=error, stdout=stdout, stderr=stderr)

    def _refill(self, worker: _Worker) -> list[tuple[_Item, bytes]]:
        """Hand ``worker`` queued tasks up to :data:`PREFETCH` (lock held); their frames."""
        frames: list[tuple[_Item, bytes]] = []
        if self._closed or not worker.ready or worker.closed:
            return frames
        while self._queue and self._has_room(worker):
            item = self._queue.popleft()
            if not item.cancelled:
                frames.append((item, self._assign(worker, item)))
        return frames

    def _deliver_all(self, worker: _Worker, frames: list[tuple[_Item, bytes]]) -> None:
        if frames:
            self._deliver(worker)

    def _died(self, worker: _Worker) -> None:
        assert self._selector is not None
        try:
            returncode = worker.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            worker.proc.kill()
            returncode = worker.proc.wait()
        self._close_task_pipe(worker)
        self._selector.unregister(worker.result_fd)
        os.close(worker.result_fd)
        reports: list[tuple[Done, TaskOutcome]] = []
        with self._lock:
            self._workers.pop(worker.result_fd, None)
            if worker in self._ready:
                self._ready.remove(worker)
            inflight = list(worker.inflight)
            worker.inflight.clear()
            worker.outbox.clear()
            item = inflight[0] if inflight else None
            # The tasks after the first never started: they run elsewhere.
            for later in reversed(inflight[1:]):
                later.worker = None
                if not later.cancelled:
                    self._queue.appendleft(later)
            if item is not None:
                item.worker = None
                task_id = item.task.task_id
                if item.cancelled:
                    if self._items.pop(task_id, None) is not None:
                        message = (
                            f"The task did not stop within {self.grace:g} s of being "
                            f"cancelled; its worker process (pid {worker.pid}) was killed and "
                            "replaced."
                        )
                        reports.append(
                            (item.done, TaskOutcome.failed(task_id, "Cancelled", message))
                        )
                elif not worker.ready:
                    self._queue.appendleft(item)  # never reached the function: run it elsewhere
                else:
                    self._items.pop(task_id, None)
                    message = death_message(returncode, worker.pid, item.task.function.name)
                    reports.append((item.done, TaskOutcome.failed(task_id, "WorkerDied", message)))
            if not worker.ready and not (item is not None and item.cancelled):
                self._startup_failures += 1
            if self._closed:
                return
            if self._startup_failures >= MAX_STARTUP_FAILURES and not self._workers:
                reports += self._give_up(returncode)
            else:
                try:
                    self._spawn()  # takes queued tasks once it is ready
                except OSError as err:
                    log.error("could not replace compute worker %s: %s", worker.pid, err)
                    if not self._workers:
                        reports += self._give_up(returncode)
            # Tasks put back in the queue go to a ready worker with room, if there is one.
            handed: list[tuple[_Worker, list[tuple[_Item, bytes]]]] = [
                (other, self._refill(other)) for other in self._ready
            ]
        for other, frames in handed:
            self._deliver_all(other, frames)
        for done, outcome in reports:
            report(done, outcome)

    def _give_up(self, returncode: int) -> list[tuple[Done, TaskOutcome]]:
        """Workers die before they are ready: fail what waits instead of respawning forever.

        Called with the lock held; later tasks fail at once with the same message.
        """
        self._broken = (
            f"The {self.describe()} cannot start worker processes: they exit at start-up "
            f"(last exit code {returncode}). Run `{self.python} -m gladier.runtime.compute.worker` "
            "to see why (is gladier installed for that interpreter?), then fix the endpoint "
            "with Runtime.update_endpoint()."
        )
        waiting = list(self._queue)
        self._queue.clear()
        failed = []
        for item in waiting:
            if item.cancelled:
                continue
            self._items.pop(item.task.task_id, None)
            failed.append(
                (item.done, TaskOutcome.failed(item.task.task_id, "WorkerDied", self._broken))
            )
        return failed
