"""Run Gladier's own test suite, unchanged, against this package.

    python tests/external/run_gladier_suite.py [--snapshot GIT_DIR] [--tag TAG] [-- PYTEST_ARGS]

``GIT_DIR`` is a bare git copy of the public ``globus-gladier/gladier`` repository (also read from
``$GLADIER_UPSTREAM_GIT``). Nothing from it is kept: the script extracts ``gladier/tests`` at the
latest release tag (highest ``vX.Y.Z`` without a pre-release suffix, unless ``--tag`` says) into a
temporary folder with ``git archive``, and runs pytest on it in a fresh interpreter in which
``import gladier`` is *this* package (``src/`` first on ``PYTHONPATH``). The extracted tests are
made importable as ``gladier.tests`` by appending their folder to ``gladier.__path__`` from a
small pytest plugin the script writes; not one line of the tests is changed.

The tests mock ``globus_sdk`` clients, so they run on the Globus backend
(``GLADIER_BACKEND=globus``) with ``HOME`` and ``GLADIER_HOME`` in the temporary folder: nothing
touches the real home or the network (``GLADIER_SUITE_BACKEND=embedded`` runs them on the
embedded runtime instead, where the mocked Globus ids and tokens mean nothing). Their extra
needs (``pytest``, ``globus-sdk``, ``globus-compute-sdk``) are installed with pip into the
running interpreter when missing.

Prints the pass/fail counts and every failure, marking the ones listed in :data:`KNOWN_FAILURES`
(tests of private internals this package does not have; see docs/compat.md). Exits 0 when no
snapshot is given or found (with a message), when every test passes or fails only as listed;
1 when a test outside the list fails (or a listed one passes, so the list is out of date).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_ENV = "GLADIER_UPSTREAM_GIT"
#: Where the ``fetch`` tool of this project's workspace puts the snapshot.
DEFAULT_SNAPSHOTS = (Path("/work/.mirror/globus-gladier+gladier/repo"),)
TESTS_PATH = "gladier/tests"
#: What the tests need besides this package: import name -> pip requirement.
REQUIREMENTS = {
    "pytest": "pytest",
    "globus_sdk": "globus-sdk>=4,<5",
    "globus_compute_sdk": "globus-compute-sdk>=4,<5",
}

#: Tests that check private internals of Gladier 0.11 which this package does not have (node id
#: below ``gladier/tests/`` -> reason). Kept in step with docs/compat.md.
KNOWN_FAILURES: dict[str, str] = {
    "test_client_auth.py::test_scopes": (
        "client.scopes lists scope strings, not globus-sdk Scope objects (the embedded backend "
        "needs no globus-sdk); a globus-sdk 4 Scope never equals its string, so the test's set "
        "difference keeps every scope. Scope objects are accepted wherever a scope goes in"
    ),
    "test_flows_manager.py::test_custom_scope_id": (
        "missing_authorizers lists scope strings, not globus-sdk Scope objects (as test_scopes)"
    ),
    "test_flows_manager.py::test_get_authorizer_for_scope_accepts_scope_or_string_keys": (
        "private FlowsManager._get_authorizer_for_scope; the public behaviour (authorizers keyed "
        "by Scope objects or by strings) is what every login manager does"
    ),
    "test_flows_manager.py::test_progress": (
        "progress() without a callback shows each state from the run's log (get_run_logs), "
        "which the test does not mock; with a callback it polls get_run only, as 0.11"
    ),
    "test_flows_manager.py::test_run_flow_redeploy_on_404": (
        "runs a stored flow with no token for that flow's scope, which only the mock accepts; "
        "Globus refuses such a run, and this package raises AuthException naming the scope "
        "before sending it"
    ),
    "test_flows_manager.py::test_run_flow_run_kwargs": (
        "run_kwargs={'foo': 'bar'} is not a field of the Flows API: ConfigException lists the "
        "accepted run fields (globus-sdk's run_flow would raise TypeError)"
    ),
    "test_flows_manager.py::test_run_flow_run_kwargs_conflicting_args": (
        "expects run_flow() called without the run's body; the Flows API requires one "
        "(globus-sdk's first argument), so {} is sent; the run fields are the expected ones"
    ),
}

_PLUGIN = '''\
"""Make the extracted tests importable as ``gladier.tests`` (written by run_gladier_suite.py)."""
import gladier

gladier.__path__.append({folder!r})
'''
_RESULT = re.compile(r"^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+)(?: - (.*))?$")
_SKIPPED = re.compile(r"^SKIPPED \[(\d+)\] (\S+?):\d+: (.*)$")


def find_snapshot(given: str | None) -> Path | None:
    """The snapshot's git directory: ``given``, ``$GLADIER_UPSTREAM_GIT``, or a default place."""
    candidates = [Path(given)] if given else []
    if not given and os.environ.get(SNAPSHOT_ENV):
        candidates.append(Path(os.environ[SNAPSHOT_ENV]))
    if not candidates:
        candidates.extend(DEFAULT_SNAPSHOTS)
    for path in candidates:
        if _git(path, "rev-parse", "--git-dir", check=False).returncode == 0:
            return path
    return None


def _git(git_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True, check=check
    )


def latest_release(git_dir: Path) -> str:
    """The highest tag ``vX.Y.Z`` that is not a pre-release (``v0.11.0``, not ``v0.11.0b2``)."""
    from packaging.version import InvalidVersion, Version

    releases: list[tuple[Version, str]] = []
    for tag in _git(git_dir, "tag", "--list").stdout.split():
        try:
            version = Version(tag.removeprefix("v"))
        except InvalidVersion:
            continue
        if not version.is_prerelease and not version.is_devrelease:
            releases.append((version, tag))
    if not releases:
        raise SystemExit(f"{git_dir} has no release tag (vX.Y.Z)")
    return max(releases)[1]


def extract_tests(git_dir: Path, tag: str, into: Path) -> Path:
    """Extract ``gladier/tests`` at ``tag`` below ``into``; returns the ``gladier`` folder."""
    archive = into / "tests.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", f"--git-dir={git_dir}", "archive", "--format=tar", tag, TESTS_PATH],
            stdout=out,
            check=True,
        )
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+: refuse links and odd paths
            tar.extractall(into, filter="data")
        else:  # pragma: no cover - older 3.10: git archive writes plain files only
            tar.extractall(into)
    archive.unlink()
    package = into / "gladier"
    # An empty marker so pytest names the modules ``gladier.tests.*`` (the tests import
    # themselves by that name); ``gladier`` itself is always this package, imported first.
    (package / "__init__.py").write_text("")
    return package


def ensure_requirements() -> None:
    """Install with pip whatever of :data:`REQUIREMENTS` the interpreter lacks."""
    import importlib.util

    missing = [req for name, req in REQUIREMENTS.items() if importlib.util.find_spec(name) is None]
    if missing:
        print(f"installing {', '.join(missing)}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)


def run_suite(git_dir: Path, tag: str, pytest_args: Sequence[str] = ()) -> dict[str, str]:
    """Run the tests at ``tag``; returns ``{node id below gladier/tests/: outcome}``."""
    with tempfile.TemporaryDirectory(prefix="gladier-suite-") as tmp:
        work = Path(tmp)
        package = extract_tests(git_dir, tag, work)
        plugins = work / "plugins"
        plugins.mkdir()
        (plugins / "gladier_suite_plugin.py").write_text(_PLUGIN.format(folder=str(package)))
        (work / "pytest.ini").write_text("[pytest]\n")
        home = work / "home"
        home.mkdir()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GLADIER_", "GLOBUS_", "PYTEST_"))
        }
        env.update(
            PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(plugins)]),
            HOME=str(home),
            GLADIER_HOME=str(home / ".gladier"),
            GLADIER_BACKEND=os.environ.get("GLADIER_SUITE_BACKEND", "globus"),
            PYTHONDONTWRITEBYTECODE="1",
            COLUMNS="400",
        )
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "gladier_suite_plugin",
            "-p",
            "no:cacheprovider",
            "-rA",
            "-q",
            "--no-header",
            "--continue-on-collection-errors",
            "--rootdir",
            str(work),
            "-c",
            str(work / "pytest.ini"),
            str(package / "tests"),
            *pytest_args,
        ]
        done = subprocess.run(command, cwd=home, env=env, capture_output=True, text=True)
    outcomes: dict[str, str] = {}
    for line in done.stdout.splitlines():
        skipped = _SKIPPED.match(line)
        if skipped:
            node = skipped.group(2).partition(TESTS_PATH + "/")[2]
            for number in range(int(skipped.group(1))):
                outcomes[f"{node} (skipped {number + 1}: {skipped.group(3)})"] = "SKIPPED"
        match = _RESULT.match(line)
        if match:
            outcome, node = match.group(1), match.group(2).partition(TESTS_PATH + "/")[2]
            outcomes[node] = outcome
            if outcome in ("FAILED", "ERROR") and match.group(3):
                outcomes[node] += f" - {match.group(3)}"
    if not outcomes or os.environ.get("GLADIER_SUITE_VERBOSE"):
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit(f"pytest reported no results (exit code {done.returncode})")
    return outcomes


def report(tag: str, outcomes: dict[str, str]) -> int:
    """Print counts and failures; the exit code (0: only known failures)."""
    passed = [node for node, result in outcomes.items() if result == "PASSED"]
    failed = {node: r for node, r in outcomes.items() if r.startswith(("FAILED", "ERROR"))}
    unexpected = {node: r for node, r in failed.items() if node not in KNOWN_FAILURES}
    stale = [node for node in KNOWN_FAILURES if node in passed]
    skipped = [node for node, result in outcomes.items() if result == "SKIPPED"]
    print(
        f"Gladier {tag} test suite: {len(passed)} passed, {len(failed)} failed "
        f"({len(failed) - len(unexpected)} known), {len(skipped)} skipped of {len(outcomes)}"
    )
    for node in skipped:
        print(f"  skip  {node}")
    for node, result in sorted(failed.items()):
        why = KNOWN_FAILURES.get(node)
        print(f"  {'known' if why else 'NEW  '} {node}: {why or result}")
    for node in stale:
        print(f"  PASSES, remove from KNOWN_FAILURES: {node}")
    return 1 if unexpected or stale else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", help=f"bare git copy of gladier (or ${SNAPSHOT_ENV})")
    parser.add_argument("--tag", help="tag to test (default: the latest release)")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args(argv)
    git_dir = find_snapshot(args.snapshot)
    if git_dir is None:
        print(
            "No snapshot of globus-gladier/gladier found: pass --snapshot GIT_DIR or set "
            f"${SNAPSHOT_ENV}; nothing run."
        )
        return 0
    tag = args.tag or latest_release(git_dir)
    ensure_requirements()
    return report(tag, run_suite(git_dir, tag, args.pytest_args))


if __name__ == "__main__":
    sys.exit(main())
