#!/usr/bin/env python3
"""Project bootstrap: one entry point for a fresh clone that has only Python 3.10+.

    python3 dev.py demo   # run `gladier demo` (creates .venv and installs on first use)
    python3 dev.py test   # lint, type-check and run the whole test suite
    python3 dev.py lint   # only ruff, mypy and the import contracts (docs/architecture.md)

The virtual environment lives in ``.venv`` next to this file. It is (re)installed only when
``pyproject.toml`` changes, so running a command twice is safe and fast.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".dev-stamp"
EXTRAS = "test,dev,dask,parsl,globus,server,browser"
#: Tool packages the test suite runs unchanged. They depend on the published ``gladier``, which
#: would replace this project, so they are installed without dependencies; the ones they really
#: need at run time (cryptography, ...) are in the ``test`` extra of pyproject.toml.
NO_DEPS = ("gladier-tools==0.5.4",)
LINTED = ("src", "tests", "benchmarks", "examples", "dev.py")


def _bin(name: str) -> Path:
    sub = "Scripts" if os.name == "nt" else "bin"
    return VENV / sub / name


def _digest() -> str:
    text = (
        (ROOT / "pyproject.toml").read_bytes()
        + EXTRAS.encode()
        + " ".join(NO_DEPS).encode()
        + sys.version.encode()
    )
    return hashlib.sha256(text).hexdigest()


def ensure_env() -> None:
    """Create the virtual environment and install the project into it when needed."""
    if sys.version_info < (3, 10):  # noqa: UP036 - this script also runs on old Pythons
        sys.exit("Gladier needs Python 3.10 or newer; this is " + sys.version.split()[0])
    python = _bin("python")
    if not python.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _digest():
        return
    print("installing gladier and its test tools into .venv (first run only)", flush=True)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f".[{EXTRAS}]"], check=True, cwd=ROOT)
    subprocess.run([*pip, "install", "--no-deps", *NO_DEPS], check=True, cwd=ROOT)
    STAMP.write_text(_digest())


#: Debian packages some tests use, by the command each provides: Graphviz for the SVG/PNG graph
#: tests, Chromium for the dashboard's browser tests (Playwright drives it; its own browser
#: downloads are not needed). Without one, its tests are skipped with a reason.
SYSTEM_PACKAGES = {"dot": "graphviz", "chromium": "chromium"}


def ensure_system_packages() -> None:
    """Install the missing :data:`SYSTEM_PACKAGES` where the platform allows (root + apt),
    with one ``apt-get update`` for all of them."""
    import shutil

    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    missing = [pkg for command, pkg in SYSTEM_PACKAGES.items() if not shutil.which(command)]
    if not missing:
        return
    print(f"installing {', '.join(missing)} for the tests that use them", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *missing]):
        done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if done.returncode != 0:
            print(f"could not install {', '.join(missing)}; their tests will be skipped")
            return


def run(*cmd: str) -> int:
    return subprocess.run(list(cmd), cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    ensure_env()
    python = str(_bin("python"))
    if command == "demo":
        return run(str(_bin("gladier")), "demo", *rest)
    if command == "lint":
        return (
            run(python, "-m", "ruff", "check", *LINTED)
            or run(python, "-m", "ruff", "format", "--check", *LINTED)
            or run(python, "-m", "mypy")
            # The layering contracts in pyproject.toml (docs/architecture.md).
            or run(str(_bin("lint-imports")), "--no-cache")
        )
    if command == "test":
        ensure_system_packages()
        lint = main(["lint"])
        if lint:
            print("lint or type check failed (see above)", file=sys.stderr)
            return lint
        return run(python, "-m", "pytest", *rest)
    if command == "bench":
        return run(python, *rest)
    print(f"unknown command {command!r}; try: demo, test, lint", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
