"""The peers' virtual environment, and facts about this machine for the report.

``benchmarks/.peers-venv`` is created on first use from this interpreter and holds the pinned
peers (``benchmarks/peers-requirements.txt``) and Gladier itself (an editable install of this
clone), so every system runs on the same interpreter. It is reinstalled when the
requirements, ``pyproject.toml`` or the Python version change.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent.parent
ROOT = BENCHMARKS.parent
VENV = BENCHMARKS / ".peers-venv"
REQUIREMENTS = BENCHMARKS / "peers-requirements.txt"
STAMP = VENV / ".peers-stamp"
INSTALL_TIMEOUT = 1800


class EnvironmentProblem(Exception):
    """The peers' environment could not be made ready; the message says why."""


def venv_python() -> Path:
    return VENV / "bin" / "python"


def _digest() -> str:
    parts = [REQUIREMENTS.read_bytes(), (ROOT / "pyproject.toml").read_bytes()]
    parts.append(sys.version.encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def ensure_peers_venv(*, reinstall: bool = False) -> Path:
    """The peers' Python, creating and installing the environment when needed."""
    python = venv_python()
    digest = _digest()
    if not reinstall and python.exists() and STAMP.exists() and STAMP.read_text() == digest:
        return python
    if not python.exists() or reinstall:
        print(f"creating the peers' environment in {VENV}", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print(
        "installing the peers (pinned in benchmarks/peers-requirements.txt) and gladier "
        "into it; this takes a few minutes the first time",
        file=sys.stderr,
        flush=True,
    )
    command = [
        str(python),
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "-r",
        str(REQUIREMENTS),
        "-e",
        str(ROOT),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise EnvironmentProblem(f"pip did not finish within {INSTALL_TIMEOUT} s") from err
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise EnvironmentProblem("pip failed: " + " | ".join(lines[-3:])[-300:])
    STAMP.write_text(digest)
    return python


def can_import(python: str, module: str) -> bool:
    try:
        done = subprocess.run(
            [python, "-c", f"import {module}"], capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def available_memory() -> int:
    """Bytes of memory available now (``MemAvailable``), or 0 when unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def machine() -> dict[str, Any]:
    """What the report says about this machine."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count() or 1,
        "memory_gib": round(_memory_gib(), 1),
        "os": _os_name(),
        "kernel": platform.release(),
        "arch": platform.machine(),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
    }
