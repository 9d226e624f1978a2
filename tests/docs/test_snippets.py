"""Every code snippet of README.md and docs/*.md runs, one test per block.

Conventions for writing docs (also in README.md, "Writing docs"):

* ```` ```python ```` blocks run as a script with ``python``; ```` ```bash ```` (or ``sh``,
  ``shell``) blocks run with ``bash -e -o pipefail``. Each block runs on its own, in a fresh
  process, so it must be self-contained: its imports, its data, its files.
* Anything else is shown, not run: ```` ```console ```` is a transcript (``$ command`` and
  what it printed), ```` ```text ````, ```` ```json ````, ```` ```ini ````, ```` ```mermaid ````
  are output, files and pictures. (The ``$ gladier ...`` lines of transcripts are checked
  against the CLI's command tree by test_console.py.)
* A block that cannot run here (it needs a Globus login, installs packages, or takes minutes)
  gets an HTML comment on the line above it: ``<!-- snippet: skip (needs a Globus login) -->``;
  the test is reported as skipped with that reason. ``<!-- snippet: requires MODULE -->``
  runs the block only when an optional module can be imported; ``<!-- snippet: copy
  README.md -->`` copies a file of the project into its working directory first. Markers
  are checked: an unknown one, or one not followed by a block that runs, fails the suite.

Each block runs in a new temporary folder (its working directory) with its own
``GLADIER_HOME``, ``HOME`` and ``TMPDIR`` inside it, so nothing touches your files or
``~/.gladier``; ``gladier`` runs this package's CLI and ``python`` is this test run's
interpreter. Test ids name the file and the line of the block (``docs/cli.md:130``), so a
failure says where to look.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import gladier
from tests.docs.snippets import Snippet, doc_files, find_snippets

ROOT = Path(__file__).resolve().parents[2]
#: Seconds one block may take before it counts as hung.
SNIPPET_TIMEOUT = 90
#: A block that installs packages would change the environment running the tests.
INSTALLS = re.compile(r"\bpip3?\s+install\b|\bpip\.main\b")
#: Installs the published Gladier from PyPI, which is not this package.
PUBLISHED_GLADIER = re.compile(r"\bpip3?\s+install\s+(?:-\S+\s+)*['\"]?gladier\b(?![-_])")


def _missing(modules: tuple[str, ...]) -> list[str]:
    missing = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except ImportError:
            found = False
        if not found:
            missing.append(name)
    return missing


def _params() -> list[Any]:
    params: list[Any] = []
    for snippet in find_snippets(ROOT):
        marks: list[pytest.MarkDecorator] = []
        if snippet.skip:
            marks.append(pytest.mark.skip(reason=f"{snippet.id}: {snippet.skip}"))
        elif missing := _missing(snippet.requires):
            why = f"{snippet.id}: needs {', '.join(missing)}, which is not installed"
            marks.append(pytest.mark.skip(reason=why))
        params.append(pytest.param(snippet, id=snippet.id, marks=marks))
    return params


def gladier_shim(bin_dir: Path) -> None:
    """A ``gladier`` command that runs this package's CLI with this interpreter."""
    bin_dir.mkdir()
    shim = bin_dir / "gladier"
    code = "import sys; from gladier.cli import main; sys.exit(main())"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c "{code}" "$@"\n')
    shim.chmod(0o755)


def snippet_env(base: Path) -> dict[str, str]:
    """The environment of one block: private homes and temp dir, this run's gladier first."""
    gladier_shim(base / "bin")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GLADIER_", "_GLADIER_COMPLETE"))
    }
    for sub in ("gladier-home", "user-home", "tmp"):
        (base / sub).mkdir()
    source = str(Path(gladier.__file__).resolve().parents[1])
    python_path = [source, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env.update(
        GLADIER_HOME=str(base / "gladier-home"),
        GLADIER_LEGACY_CONFIG=str(base / "legacy-gladier-secrets.cfg"),
        HOME=str(base / "user-home"),
        TMPDIR=str(base / "tmp"),
        PATH=os.pathsep.join(
            [str(base / "bin"), str(Path(sys.executable).parent), env.get("PATH", os.defpath)]
        ),
        PYTHONPATH=os.pathsep.join(python_path),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_snippet(snippet: Snippet, base: Path) -> subprocess.CompletedProcess[str]:
    """Run one block in a fresh process inside ``base``; returns what it did."""
    work = base / "work"
    work.mkdir()
    for name in snippet.files:
        source = (ROOT / name).resolve()
        if not source.is_file() or not source.is_relative_to(ROOT):
            raise FileNotFoundError(
                f"{snippet.id}: its copy marker names {name}, which is not a file of the project"
            )
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    if snippet.runner == "python":
        script = base / "snippet.py"
        command = [sys.executable, str(script)]
    else:
        script = base / "snippet.sh"
        command = ["bash", "-e", "-o", "pipefail", str(script)]
    script.write_text(snippet.code, encoding="utf-8")
    return subprocess.run(
        command,
        cwd=work,
        env=snippet_env(base),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=SNIPPET_TIMEOUT,
    )


@pytest.mark.parametrize("snippet", _params())
def test_snippet_runs(snippet: Snippet, tmp_path: Path) -> None:
    if INSTALLS.search(snippet.code):
        pytest.fail(
            f"{snippet.id}: the block installs packages, which would change the environment "
            "running the tests; put '<!-- snippet: skip (installs packages) -->' above it",
            pytrace=False,
        )
    try:
        done = run_snippet(snippet, tmp_path)
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"{snippet.id}: the {snippet.lang} block did not end in {err.timeout} s")
    if done.returncode != 0:
        pytest.fail(
            f"{snippet.id}: the {snippet.lang} block exited with {done.returncode}\n"
            f"--- block ---\n{snippet.code}--- stdout ---\n{done.stdout}"
            f"--- stderr ---\n{done.stderr}",
            pytrace=False,
        )


def test_the_docs_never_install_the_published_gladier() -> None:
    """``pip install gladier`` installs the published Gladier; the docs say how to get this one."""
    offenders = [
        f"{file.relative_to(ROOT).as_posix()}:{number}: {line.strip()}"
        for file in doc_files(ROOT)
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
        if PUBLISHED_GLADIER.search(line)
    ]
    assert not offenders, (
        "Install this package from a clone (python3 dev.py, or python3 -m pip install -e '.[extra]'"
        "), never by name:\n" + "\n".join(offenders)
    )


@pytest.mark.parametrize(
    ("line", "installs", "published"),
    [
        ("pip install gladier", True, True),
        ("python3 -m pip install -U 'gladier[globus]'", True, True),
        ("pip3 install --no-deps gladier-tools==0.5.4", True, False),
        ("python3 -m pip install -e '.[globus]'", True, False),
        ("pip list | grep gladier", False, False),
    ],
)
def test_install_guards(line: str, installs: bool, published: bool) -> None:
    assert bool(INSTALLS.search(line)) is installs
    assert bool(PUBLISHED_GLADIER.search(line)) is published
