"""Start one system's process, follow its events, watch its memory and time, clean up.

Every wait is bounded: a process that passes its deadline or the memory limit has its
whole tree killed, and the result says why and in which phase. Processes a system leaves
running after it exits are stopped too, and named in the result's notes.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerbench.child import FD_ENV
from peerbench.processes import TreeMemory, settle, stop_tree

BENCHMARKS = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
#: Seconds a cold-start process may take to shut down after its answer.
EXIT_GRACE = 120.0


@dataclass
class ChildResult:
    """What one system process reported, and what the orchestrator saw of it."""

    events: list[dict[str, Any]] = field(default_factory=list)
    returncode: int | None = None
    failure: str | None = None  # the process as a whole failed: deadline, memory, crash
    phase: str = "start"
    peak_by_phase: dict[str, int] = field(default_factory=dict)
    cold_at: float | None = None  # seconds from spawn to the "cold" event
    exit_at: float | None = None  # seconds from spawn to exit
    leftovers: list[str] = field(default_factory=list)

    def event(self, name: str) -> dict[str, Any] | None:
        for event in self.events:
            if event.get("event") == name:
                return event
        return None

    @property
    def peak(self) -> int:
        return max(self.peak_by_phase.values(), default=0)


@dataclass
class Limits:
    deadline: float  # seconds for the whole process
    memory: int  # bytes for the whole tree


def child_env(python: str, scratch: Path, fd: int) -> dict[str, str]:
    env = dict(os.environ)
    # As if the interpreter's environment were activated: Parsl starts its helpers by name.
    env["PATH"] = os.pathsep.join([os.path.dirname(python), env.get("PATH", os.defpath)])
    paths = [str(BENCHMARKS), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env[FD_ENV] = str(fd)
    env["TMPDIR"] = str(scratch / "tmp")
    env["GLADIER_HOME"] = str(scratch / "gladier-home")
    env["PYTHONUNBUFFERED"] = "1"
    for name in ("PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONBREAKPOINT"):
        env.pop(name, None)
    return env


def _tail(path: Path, lines: int = 6) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])[-400:]


def run_child(
    python: str,
    system: str,
    mode: str,
    options: list[str],
    limits: Limits,
    *,
    log_dir: Path,
) -> ChildResult:
    """Run ``python -m peerbench.child --system SYSTEM --mode MODE OPTIONS`` to its end."""
    result = ChildResult()
    scratch = Path(tempfile.mkdtemp(prefix=f"peerbench-{system}-{mode}-"))
    (scratch / "tmp").mkdir()
    log_path = log_dir / f"{system}-{mode}.log"
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    memory = TreeMemory(os.getpid())
    command = [
        python,
        "-m",
        "peerbench.child",
        "--system",
        system,
        "--mode",
        mode,
        "--scratch",
        str(scratch / "work"),
        *options,
    ]
    buffer = b""
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            env=child_env(python, scratch, write_fd),
            cwd=scratch,
        )
        os.close(write_fd)
        keep = frozenset({proc.pid})
        next_sample = 0.0
        closed = False  # the pipe reached end of file
        try:
            while True:
                in_b = result.phase == "B"
                interval = 0.05 if in_b else 0.25
                wait = max(0.0, min(interval, next_sample - time.perf_counter()))
                ready, _, _ = select.select([] if closed else [read_fd], [], [], wait)
                if ready:
                    arrived = time.perf_counter() - start
                    try:
                        chunk = os.read(read_fd, 1 << 16)
                    except BlockingIOError:
                        chunk = b""
                    else:
                        closed = not chunk
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        if _take(result, line, arrived):
                            # B starts or ends: sample now, so a short B is measured too.
                            used = memory.sample()
                            result.peak_by_phase["B"] = max(result.peak_by_phase.get("B", 0), used)
                now = time.perf_counter()
                if now >= next_sample:
                    used = memory.sample()
                    phase = result.phase
                    result.peak_by_phase[phase] = max(result.peak_by_phase.get(phase, 0), used)
                    next_sample = now + interval
                    if used > limits.memory:
                        result.failure = (
                            f"the process tree passed the memory limit of "
                            f"{limits.memory / MIB:,.0f} MiB in {_phase_name(phase)}"
                        )
                        break
                if proc.poll() is not None:
                    break
                deadline = limits.deadline
                if result.cold_at is not None:  # a cold start has its answer: bound the exit
                    deadline = min(deadline, result.cold_at + EXIT_GRACE)
                if now - start > deadline:
                    result.failure = (
                        f"no answer within {deadline:g} s (stuck in "
                        f"{_phase_name(result.phase)}); its processes were killed"
                    )
                    break
        finally:
            if proc.poll() is None:
                stop_tree(os.getpid(), grace=0, keep=keep)
            proc.wait()
            result.exit_at = time.perf_counter() - start
            result.returncode = proc.returncode
            # Events written just before the exit.
            with contextlib.suppress(BlockingIOError, OSError):
                buffer += os.read(read_fd, 1 << 20)
            for line in buffer.split(b"\n"):
                _take(result, line, result.exit_at)
            os.close(read_fd)
            settle(os.getpid(), 3.0)
            result.leftovers = stop_tree(os.getpid(), grace=3.0)
            shutil.rmtree(scratch, ignore_errors=True)
    if result.failure is None and result.returncode != 0 and result.event("failed") is None:
        result.failure = (
            f"the process exited with code {result.returncode} in "
            f"{_phase_name(result.phase)}: {_tail(log_path)}"
        )
    return result


def _take(result: ChildResult, line: bytes, arrived: float) -> bool:
    """Record the event on ``line``; True when it starts or ends workload B."""
    try:
        event = json.loads(line)
    except ValueError:
        return False  # not ours (an empty line, or a stray write by a forked helper)
    if not isinstance(event, dict):
        return False
    result.events.append(event)
    if event.get("event") == "phase":
        if event.get("state") == "start":
            result.phase = event["phase"]
        else:
            result.phase = "exit" if event["phase"] == "close" else "between"
        return bool(event["phase"] == "B")
    if event.get("event") == "cold":
        result.cold_at = arrived
    return False


def _phase_name(phase: str) -> str:
    return {
        "start": "start-up",
        "setup": "setup",
        "A": "workload A",
        "B": "workload B",
        "close": "shutdown",
        "between": "between workloads",
        "exit": "the exit after shutdown",
    }.get(phase, phase)
